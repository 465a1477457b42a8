"""A PostgreSQL primary and its streaming replica, owned by the test run.

The machine's server (127.0.0.1:5432) accepts no replication connections (its pg_hba.conf has
no ``replication`` line) and a test must not edit its configuration; so the run makes its own
pair from the same binaries: ``initdb`` a primary on a free port, ``pg_basebackup -R`` its
replica on another, both in a temporary folder, started with ``pg_ctl`` and stopped (and the
folder removed) however the tests end. PostgreSQL refuses to run as root: as root the
clusters belong to the ``postgres`` account (``runuser``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

BINARIES = ("initdb", "pg_ctl", "pg_basebackup")
DEBIAN_BINDIR = Path("/usr/lib/postgresql/15/bin")


class Unavailable(Exception):
    """Why this machine cannot make the pair (the tests are skipped with it)."""


def _bindir() -> Path:
    if all((DEBIAN_BINDIR / name).exists() for name in BINARIES):
        return DEBIAN_BINDIR
    found = [shutil.which(name) for name in BINARIES]
    if not all(found):
        raise Unavailable(f"PostgreSQL binaries not found: {', '.join(BINARIES)}")
    return Path(str(found[0])).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Pair:
    primary_url: str
    replica_url: str


class Clusters:
    def __init__(self) -> None:
        self.bindir = _bindir()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise Unavailable("running as root, and runuser is missing to run as postgres")
            try:
                subprocess.run(["id", "postgres"], check=True, capture_output=True)
            except subprocess.CalledProcessError:
                raise Unavailable("running as root, and there is no postgres account") from None
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.root = Path(tempfile.mkdtemp(prefix="tidtam-replica-"))
        if self.as_owner:
            shutil.chown(self.root, "postgres", "postgres")
        self.started: list[Path] = []

    def run(self, name: str, *args: str) -> None:
        command = [*self.as_owner, str(self.bindir / name), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed: {result.stdout}\n{result.stderr}")

    def start(self, data: Path, port: int) -> None:
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                # Throwaway clusters: no need to survive a power cut.
                "fsync = off\nfull_page_writes = off\n"
            )
        log = self.root / f"{data.name}.log"
        self.run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "start")
        self.started.append(data)

    def make(self) -> Pair:
        primary, replica = self.root / "primary", self.root / "replica"
        primary_port, replica_port = _free_port(), _free_port()
        self.run(
            "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.start(primary, primary_port)
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self.start(replica, replica_port)
        url = "postgresql+psycopg://postgres@127.0.0.1:{}/postgres"
        return Pair(url.format(primary_port), url.format(replica_port))

    def close(self) -> None:
        for data in reversed(self.started):
            try:
                self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def primary_and_replica() -> Iterator[Pair]:
    """A running primary and its streaming replica, gone when the block ends. Raises
    ``Unavailable`` when this machine cannot make them."""
    clusters = Clusters()
    try:
        yield clusters.make()
    finally:
        clusters.close()


def caught_up(primary: Engine, replica: Engine, timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary.connect() as connection:
        target = connection.execute(text("SELECT pg_current_wal_insert_lsn()")).scalar_one()
    deadline = time.monotonic() + timeout
    with replica.connect() as connection:
        while True:
            behind = connection.execute(
                text("SELECT pg_wal_lsn_diff(CAST(:target AS pg_lsn), pg_last_wal_replay_lsn())"),
                {"target": target},
            ).scalar_one()
            connection.rollback()
            if behind <= 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica is still {behind} bytes behind")
            time.sleep(0.05)


@contextmanager
def replay_paused(replica: Engine, timeout: float = 30.0) -> Iterator[None]:
    """The replica stops replaying the primary's changes for the block (it keeps receiving
    them), and resumes after it."""
    with replica.connect() as connection:
        connection.execute(text("SELECT pg_wal_replay_pause()"))
        deadline = time.monotonic() + timeout
        while connection.execute(text("SELECT pg_get_wal_replay_pause_state()")).scalar() != (
            "paused"
        ):
            connection.rollback()
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not pause")
            time.sleep(0.05)
    try:
        yield
    finally:
        with replica.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
