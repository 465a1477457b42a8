"""Engines and sessions. Services flush; the caller (a route or a command) commits once.

Every session of the project is a ``DomainSession``: the compliance tallies are kept on it, and
on no other session of the process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracking.trail import tallies


class DomainSession(Session):
    """A session that keeps the compliance tallies as it flushes and commits."""


tallies.install(DomainSession)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a generous busy timeout."""
    if _is_sqlite(url):
        # LIFO: the busiest thread keeps reusing one warm connection (and its page cache).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_use_lifo=True,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # 16 MB page cache per connection (default 2 MB): indexed lookups in a large
            # file then mostly avoid reading pages through the OS.
            cursor.execute("PRAGMA cache_size=-16384")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[DomainSession]:
    """A session whose work is committed at the end, or rolled back on any error."""
    with DomainSession(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
