"""The lag rule of ``tracking.replica`` with a stale copy of the database standing in for a
lagging replica (a SQLite backup), and a replica that does not answer. The real streaming
replica is in tests/web/test_read_replica.py (PostgreSQL runs)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from checklists.loader import default_catalogue
from tracking import codes, replica
from tracking.config import Settings
from tracking.db import make_engine, unit_of_work
from tracking.reads import public
from tracking.workflow import transitions

from ..factories import committed_application, step

SLUG = "food-premises"
ACCEPT = next(t for t in default_catalogue()[SLUG].transitions if t.event == "accept_application")
TODAY = date.today()


def _code(engine: Engine, app_id: int) -> str:
    with unit_of_work(engine) as session:
        return codes.format_code(transitions.get_application(session, app_id).tracking_code)


@pytest.fixture
def stale_copy(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """Takes a copy of the database as it is now; the copy does not follow later writes."""
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite backup stands in for the replica; PostgreSQL has a real one")
    source = make_url(str(engine.url)).database
    assert source
    copy = tmp_path / "replica.db"
    with sqlite3.connect(source) as live, sqlite3.connect(copy) as stale:
        live.backup(stale)
    copied = make_engine(f"sqlite:///{copy}")
    yield copied
    copied.dispose()


@pytest.fixture
def filed(engine: Engine) -> tuple[int, str]:
    app_id = committed_application(engine, SLUG)
    return app_id, _code(engine, app_id)


def test_a_marked_lookup_newer_than_the_replica_reads_the_primary(
    engine: Engine, filed: tuple[int, str], stale_copy: Engine
) -> None:
    app_id, code = filed
    printed = public.lookup_at_least(engine, engine, code, TODAY).version
    step(engine, app_id, ACCEPT)
    now = public.lookup_at_least(engine, engine, code, TODAY)
    assert (now.version > printed, now.step.id) == (True, ACCEPT.target)

    marked = public.lookup_at_least(engine, stale_copy, code, TODAY, now.version)
    assert marked.step.id == ACCEPT.target
    # No marker, or an older receipt's: the replica as it is, no older than that receipt.
    assert public.lookup_at_least(engine, stale_copy, code, TODAY).step.id == "intake"
    older = public.lookup_at_least(engine, stale_copy, code, TODAY, printed)
    assert (older.step.id, older.version) == ("intake", printed)


def test_a_file_the_replica_does_not_have_is_found_on_the_primary(
    engine: Engine, stale_copy: Engine
) -> None:
    code = _code(engine, committed_application(engine, SLUG))
    assert public.lookup_at_least(engine, stale_copy, code, TODAY).code == code
    assert public.lookup_at_least(engine, stale_copy, code, TODAY, 1).code == code


def test_a_replica_that_does_not_answer_is_rested_and_the_primary_answers(
    engine: Engine, filed: tuple[int, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, code = filed
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    dead = replica.read_engine(
        Settings(read_database_url="postgresql+psycopg://postgres@127.0.0.1:9/none"), engine
    )
    try:
        assert public.lookup_at_least(engine, dead, code, TODAY).code == code
        assert dead in replica._resting_until
        assert "read replica failed" in caplog.text
        caplog.clear()
        assert public.lookup_at_least(engine, dead, code, TODAY, 1).code == code
        assert "read replica failed" not in caplog.text  # resting: not tried again
    finally:
        replica._resting_until.pop(dead, None)
        dead.dispose()


def test_without_a_read_database_the_primary_serves_every_read(engine: Engine) -> None:
    assert replica.read_engine(Settings(read_database_url=""), engine) is engine


def test_a_read_copy_may_be_a_sqlite_file(engine: Engine, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    copy = replica.read_engine(Settings(read_database_url=url), engine)
    try:
        assert copy is not engine
        assert copy.dialect.name == "sqlite"
    finally:
        copy.dispose()
