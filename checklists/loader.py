"""Load and check the permit-type catalogue (``checklists/types/*.yaml``).

Files are read with a safe YAML loader that also refuses duplicate keys, validated against
``checklists.schema.PermitType`` and cross-checked. ``check_catalogue`` reports every problem
as ``(file, field, problem)``; ``load_catalogue`` raises ``CatalogueError`` carrying them, so
the application refuses to start on a broken catalogue.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from pydantic import ValidationError

from checklists.schema import PermitType, cross_reference_problems

TYPES_DIR = Path(__file__).parent / "types"


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.problem}"


class CatalogueError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# libyaml's parser where PyYAML was built with it (its wheels are): the same documents, read
# several times faster than by the pure-Python parser.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SAFE_LOADER):  # type: ignore[valid-type,misc]
    """SafeLoader (no object tags) that rejects a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


@dataclass(frozen=True)
class Catalogue(Mapping[str, PermitType]):
    """The permit types by slug, and a digest that identifies this catalogue's content."""

    types: dict[str, PermitType]
    digest: str

    def __getitem__(self, slug: str) -> PermitType:
        return self.types[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)


def _read_mapping(file: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A data file's top-level mapping, or the problems that stop it being read."""
    name = file.name
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, "-", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "-"
        detail = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, where, f"invalid YAML: {detail}")]
    if not isinstance(data, dict):
        return None, [Problem(name, "-", "expected a mapping at the top level")]
    return data, []


def data_files(path: Path) -> list[Path]:
    """The YAML files of a folder (or the one file ``path``), by name."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"})
    return [path]


class _Slugged(Protocol):
    slug: str


Model = TypeVar("Model", bound=_Slugged)


def parse_file(
    file: Path,
    model: Callable[[dict[str, Any]], Model],
    cross_check: Callable[[Model], list[tuple[str, str]]],
) -> tuple[Model | None, list[Problem]]:
    """One data file read as ``model`` (a pydantic ``model_validate``) and cross-checked;
    the model, or None, and every problem, its slug matching the file's name among them."""
    name = file.name
    data, unread = _read_mapping(file)
    if data is None:
        return None, unread
    try:
        found = model(data)
    except ValidationError as exc:
        return None, [
            Problem(name, ".".join(str(part) for part in err["loc"]) or "-", err["msg"])
            for err in exc.errors()
        ]
    problems = [Problem(name, field, problem) for field, problem in cross_check(found)]
    if file.stem != found.slug:
        problems.append(Problem(name, "slug", f"slug {found.slug!r} must match the file name"))
    return (None if problems else found), problems


def _parse(file: Path) -> tuple[PermitType | None, list[Problem]]:
    return parse_file(file, PermitType.model_validate, cross_reference_problems)


def check_catalogue(path: Path = TYPES_DIR) -> tuple[dict[str, PermitType], list[Problem]]:
    """Parse every file under ``path``; return the valid types and every problem found."""
    files = data_files(path)
    if not files:
        return {}, [Problem(str(path), "-", "no permit-type files found")]
    types: dict[str, PermitType] = {}
    problems: list[Problem] = []
    numbers: dict[int, str] = {}
    for file in files:
        permit, found = _parse(file)
        problems.extend(found)
        if permit is None:
            continue
        if permit.number in numbers:
            problems.append(
                Problem(
                    file.name,
                    "number",
                    f"number {permit.number} also used by {numbers[permit.number]}",
                )
            )
        numbers[permit.number] = permit.slug
        types[permit.slug] = permit
    if path.is_dir():  # a file checked on its own cannot know the types beside it
        problems.extend(_other_type_problems(types))
    return types, problems


def _other_type_problems(types: Mapping[str, PermitType]) -> list[Problem]:
    """Thresholds that send an application to another type must name one of the catalogue."""
    problems = []
    for slug, permit in types.items():
        for i, spec in enumerate(permit.subject_fields):
            for name, limit in (("above", spec.above), ("at_most", spec.at_most)):
                if (
                    limit is not None
                    and limit.instead is not None
                    and (limit.instead == slug or limit.instead not in types)
                ):
                    problems.append(
                        Problem(
                            f"{slug}.yaml",
                            f"subject_fields.{i}.{name}.instead",
                            f"{limit.instead!r} is not another type of the catalogue",
                        )
                    )
    return problems


def _digest(files: list[Path]) -> str:
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.name.encode())
        sha.update(file.read_bytes())
    return sha.hexdigest()[:12]


def load_catalogue(path: Path = TYPES_DIR) -> Catalogue:
    """The validated catalogue at ``path``; raises ``CatalogueError`` listing every problem."""
    types, problems = check_catalogue(path)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(types=types, digest=_digest(data_files(path)))


def catalogue_dir() -> Path:
    """Where the catalogue lives: ``TIDTAM_CATALOGUE_DIR`` (an office's own edited copy) or
    the files shipped in ``checklists/types``."""
    return Path(os.environ.get("TIDTAM_CATALOGUE_DIR") or TYPES_DIR)


@cache
def default_catalogue() -> Catalogue:
    """The configured catalogue, loaded once per process."""
    return load_catalogue(catalogue_dir())
