"""`tidtam serve` from a fresh folder: creates the SQLite database, answers /healthz."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from checklists.loader import TYPES_DIR

TIDTAM = str(Path(sys.executable).with_name("tidtam"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDTAM_")}
    env.update(extra)
    return env


def test_serve_on_a_fresh_folder_creates_the_database_and_is_healthy(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [TIDTAM, "serve", "--demo", "--port", str(port)],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, server.stdout.read() if server.poll() is not None else "no answer"
        assert (tmp_path / "tidtam.db").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "seeded" in output
    assert "clerk.public-works" in output
    assert "tidtam-demo-2568" in output


def test_serve_refuses_an_invalid_catalogue(tmp_path: Path) -> None:
    broken = tmp_path / "types"
    shutil.copytree(TYPES_DIR, broken)
    path = broken / "food-premises.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("target: refused", "target: nowhere"),
        encoding="utf-8",
    )
    result = subprocess.run(
        [TIDTAM, "serve", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_env(TIDTAM_CATALOGUE_DIR=str(broken)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "food-premises.yaml: transitions." in result.stderr
    assert "not starting" in result.stderr
    assert not (tmp_path / "tidtam.db").exists()


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_dockerfile_runs_as_non_root_with_a_healthcheck(repo_root: Path) -> None:
    lines = (repo_root / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert any("/healthz" in line for line in lines)
    assert lines[-1].startswith("CMD")
    assert '"serve"' in lines[-1]
    assert '"0.0.0.0"' in lines[-1]
