"""`tidtam serve` from a fresh folder: creates the SQLite database, answers /healthz; refuses to
start without proper keys, keeps its development keys across restarts, and believes forwarded
client addresses only from trusted proxies."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError

import pytest
import zxingcpp
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import SQLModel

from checklists.loader import TYPES_DIR
from tracking.codes import format_code
from tracking.demo import DEMO_PASSWORD
from tracking.reads.staff.search import modelled

TIDTAM = str(Path(sys.executable).with_name("tidtam"))
KEYS = {
    "TIDTAM_SECRET_KEY": "k" * 32 + "-a-test-signing-key",
    "TIDTAM_AUDIT_KEY": "a" * 32 + "-a-test-audit-key",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDTAM_")}
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    output: str = field(default="")


@contextmanager
def serving(folder: Path, *args: str, **env: str) -> Iterator[Server]:
    """``tidtam serve *args`` in ``folder``, once it answers /healthz; its output once it
    has stopped."""
    port = _free_port()
    server = Server(f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [TIDTAM, "serve", "--port", str(port), *args],
        cwd=folder,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, process.stdout.read() if process.poll() is not None else "no answer"
        yield server
    finally:
        process.terminate()
        server.output, _ = process.communicate(timeout=30)


def _call(url: str, data: dict[str, str] | None = None, **headers: str) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except HTTPError as exc:
        return exc.code, exc.read().decode()


def _refused(folder: Path, *args: str, **env: str) -> str:
    """The error output of a serve that must not start."""
    result = subprocess.run(
        [TIDTAM, "serve", "--port", str(_free_port()), *args],
        cwd=folder,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout
    assert "not starting" in result.stderr
    assert not (folder / "tidtam.db").exists()
    return result.stderr


def test_serve_on_a_fresh_folder_creates_the_database_and_is_healthy(tmp_path: Path) -> None:
    with serving(tmp_path, "--demo") as server:
        assert (tmp_path / "tidtam.db").exists()
        # No TIDTAM_BASE_URL: the QR codes point at the port served on, not 8000.
        with sqlite3.connect(tmp_path / "tidtam.db") as db:
            (stored,) = db.execute("SELECT tracking_code FROM application LIMIT 1").fetchone()
        code = format_code(stored)
        with urllib.request.urlopen(f"{server.url}/track/{code}/qr.png", timeout=10) as r:
            found = zxingcpp.read_barcodes(Image.open(io.BytesIO(r.read())))
        assert [qr.text for qr in found] == [f"{server.url}/track/{code}"]
    assert "seeded" in server.output
    assert "clerk.public-works" in server.output
    assert "tidtam-demo-2568" in server.output
    assert f"QR codes and links point at {server.url}" in " ".join(server.output.split())


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, ["TIDTAM_SECRET_KEY is not set", "TIDTAM_AUDIT_KEY is not set"]),
        (
            {"TIDTAM_SECRET_KEY": "x" * 31, "TIDTAM_AUDIT_KEY": "dev-only-change-me"},
            ["TIDTAM_SECRET_KEY is 31 bytes", "TIDTAM_AUDIT_KEY is the development default"],
        ),
    ],
    ids=["unset", "weak"],
)
def test_serve_refuses_missing_or_weak_keys(
    tmp_path: Path, env: dict[str, str], said: list[str]
) -> None:
    stderr = _refused(tmp_path, **env)
    for problem in said:
        assert problem in stderr
    assert "secrets.token_urlsafe(48)" in stderr


def test_demo_keeps_its_keys_so_a_token_outlives_a_restart(tmp_path: Path) -> None:
    login = {"username": "clerk.public-works", "password": DEMO_PASSWORD}
    with serving(tmp_path, "--demo") as server:
        status, body = _call(f"{server.url}/api/v1/auth/token", login)
        assert status == 200, body
        token = json.loads(body)["access_token"]
    keys = {path: path.read_text() for path in tmp_path.glob("tidtam.db.*")}
    assert sorted(path.name for path in keys) == ["tidtam.db.audit-key", "tidtam.db.secret"]
    assert len(set(keys.values())) == 2
    for path in keys:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with serving(tmp_path, "--demo") as server:
        bearer = {"Authorization": f"Bearer {token}"}
        status, body = _call(f"{server.url}/api/v1/applications", **bearer)
        assert status == 200, body
    assert {path: path.read_text() for path in tmp_path.glob("tidtam.db.*")} == keys


@pytest.mark.parametrize(
    ("proxies", "limited"), [("", True), ("127.0.0.1", False)], ids=["untrusted", "trusted"]
)
def test_forwarded_for_counts_only_from_trusted_proxies(
    tmp_path: Path, proxies: str, limited: bool
) -> None:
    env = {**KEYS, "TIDTAM_TRACK_RATE_LIMIT": "2", "TIDTAM_TRUSTED_PROXIES": proxies}
    with serving(tmp_path, **env) as server:
        statuses = [
            _call(f"{server.url}/api/v1/track/AAAAA-AAAAA", **{"X-Forwarded-For": f"10.0.0.{i}"})[0]
            for i in range(3)
        ]
    assert (429 in statuses) is limited, statuses


def test_serve_refuses_an_invalid_catalogue(tmp_path: Path) -> None:
    broken = tmp_path / "types"
    shutil.copytree(TYPES_DIR, broken)
    path = broken / "food-premises.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("target: refused", "target: nowhere"),
        encoding="utf-8",
    )
    stderr = _refused(tmp_path, TIDTAM_CATALOGUE_DIR=str(broken))
    assert "food-premises.yaml: transitions." in stderr


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": modelled}
        )
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
