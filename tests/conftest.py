"""Test database: SQLite in a temporary folder by default, or the database named by
``TIDTAM_TEST_DATABASE_URL`` (CI runs the suite again against PostgreSQL). The schema is made
by the real migrations; each test starts with no applications."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import JSON, Engine, column, table, text
from sqlmodel import Session

from tracking import migrate
from tracking.db import make_engine

from . import clusters
from .scenarios import scenario  # noqa: F401  (a fixture shared by several test modules)

TEST_URL = os.environ.get("TIDTAM_TEST_DATABASE_URL", "")
# The audit trail's key, for every test and every command a test runs in this process.
os.environ.setdefault("TIDTAM_AUDIT_KEY", "tests only: " + "k" * 40)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_URL:
        return TEST_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'tidtam-test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def replicated() -> Iterator[clusters.Pair]:
    """A PostgreSQL primary and its streaming replica, made for this run (``tests.clusters``)
    and removed at its end: PostgreSQL runs only."""
    if not TEST_URL.startswith("postgresql"):
        pytest.skip("a read replica is PostgreSQL's: set TIDTAM_TEST_DATABASE_URL=postgresql...")
    try:
        made = clusters.Clusters()
    except clusters.Unavailable as exc:
        pytest.skip(f"cannot make a PostgreSQL primary and replica here: {exc}")
    try:
        yield made.make()
    finally:
        made.close()


FIRST_OFFICE = "pathumwan"
OFFICE = table("office", column("slug"), column("permit_settings", JSON))


TABLES_TO_EMPTY = (
    "audit_anchor_head",
    "audit_anchor",
    "outbox_message",
    "delay_notice",
    "application_event",
    "compliance_case",
    "compliance_tally",
    "open_file_tally",
    "checklist_entry",
    "application",
    "officeday",
    "staff",
    "rate_counter",
    "idempotency_record",
)


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" in request.fixturenames:
        engine: Engine = request.getfixturevalue("engine")
        with engine.begin() as connection:
            for table in TABLES_TO_EMPTY:
                connection.execute(text(f"DELETE FROM {table}"))
            # The one office the migrations add, as they add it; a test's others go.
            connection.execute(text(f"DELETE FROM office WHERE slug <> '{FIRST_OFFICE}'"))
            connection.execute(
                OFFICE.update().where(OFFICE.c.slug == FIRST_OFFICE).values(permit_settings={})
            )


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def env_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI and app settings at the test database."""
    monkeypatch.setenv("TIDTAM_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
