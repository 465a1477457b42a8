"""The layout the code keeps: imports run one way, modules stay small, and importing a module
changes nothing outside the project's own session class."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session

from tracking.db import DomainSession
from tracking.trail import tallies

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# A package may import only the packages listed for it (and itself).
ALLOWED: dict[str, set[str]] = {
    "checklists": set(),
    "tracking.trail": {"checklists", "tracking"},
    "tracking.workflow": {"checklists", "tracking", "tracking.trail"},
    "tracking.reads": {"checklists", "tracking", "tracking.trail", "tracking.workflow"},
    "web": {"checklists", "tracking", "tracking.trail", "tracking.workflow", "tracking.reads"},
}
LEAVES = ("tracking.access", "tracking.clock", "tracking.codes", "tracking.errors")
FRAMEWORKS = ("fastapi", "starlette", "jinja2")


def _modules(*folders: str) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _package(module: str) -> str:
    """The layer a dotted module name belongs to, as ``ALLOWED`` names them."""
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return "tracking" if module.startswith("tracking") else module.split(".")[0]


@pytest.mark.parametrize("path", _modules("tracking", "web", "checklists"), ids=_name)
def test_module_is_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


@pytest.mark.parametrize("path", _modules("tracking", "web", "checklists"), ids=_name)
def test_imports_run_one_way(path: Path) -> None:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    layer = _package(name)
    ours = {m for m in _imports(path) if m.split(".")[0] in {"tracking", "web", "checklists"}}
    if name == "tracking.cli":  # the command line, like web/, stands on everything else
        assert not {m for m in ours if _package(m) == "web"}, ours
    elif layer == "tracking":  # the other top-level tracking modules: not web, not the reads
        assert not {m for m in ours if _package(m) in {"web", "tracking.reads"}}, ours
    else:
        wrong = {m for m in ours if _package(m) not in ALLOWED[layer] | {layer}}
        assert not wrong, f"{name} imports {sorted(wrong)}"
    if name in LEAVES:
        assert ours <= {
            "checklists.loader",
            "checklists.schema",
            "tracking.errors",
            "tracking.models",
        }
    if name.startswith(("tracking", "checklists")):
        assert not {m for m in _imports(path) if m.split(".")[0] in FRAMEWORKS}


def test_tallies_hook_only_the_projects_session_class() -> None:
    for name, hook in (
        ("before_flush", tallies._move_open_files),
        ("before_commit", tallies._write),
        ("after_rollback", tallies._discard),
    ):
        assert event.contains(DomainSession, name, hook)
        assert not event.contains(Session, name, hook)
