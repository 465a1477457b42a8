"""Engines and sessions. Services flush; the caller (a route or a command) commits once.

Every session of the project is a ``DomainSession``: the compliance tallies are kept on it, and
on no other session of the process."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from tracking.trail import tallies


class DomainSession(Session):
    """A session that keeps the compliance tallies as it flushes and commits."""


tallies.install(DomainSession)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# The execution option of a connection whose transactions write (``writer``).
WRITES = "tidtam_writes"
# How long a writer waits for SQLite's write lock, in this process and then in the file.
WRITE_WAIT_SECONDS = 30


def writer(engine: Engine) -> Engine:
    """``engine`` for transactions that write. On SQLite each begins ``BEGIN IMMEDIATE``: the
    write lock is taken before the first read, so a write never fails half-way because another
    writer committed since the transaction read (a deferred transaction cannot then upgrade:
    "database is locked"), and writers queue instead: in this process behind one lock, and
    between processes behind a file lock beside the database (``WriterLock``), each holding
    both until its COMMIT is done. Other engines are returned as they are."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{WRITES: True})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a generous busy timeout and
    transactions begun by the project (``writer``)."""
    if _is_sqlite(url):
        # LIFO: the busiest thread keeps reusing one warm connection (and its page cache).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": WRITE_WAIT_SECONDS},
            pool_use_lifo=True,
            **kwargs,
        )
        _sqlite_transactions(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


class WriterLock:
    """The one writer of a SQLite database at a time: a lock of this process's threads, then
    an exclusive ``flock`` of a file beside the database for the processes (app servers,
    commands). A process that waits for another is woken within a couple of milliseconds of
    its release (SQLite's own busy timeout sleeps up to 100 ms between tries, so that a busy
    process kept the file to itself). The file descriptor is opened in the process that
    locks: a forked child never shares its parent's. No file for a database in memory."""

    def __init__(self, database: str | None) -> None:
        self.threads = threading.Lock()
        self.path = f"{database}-writer" if database and database != ":memory:" else None
        self._fd: tuple[int, int] | None = None  # (process id, descriptor)

    def _descriptor(self) -> int:
        if self._fd is None or self._fd[0] != os.getpid():
            assert self.path is not None
            self._fd = (os.getpid(), os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._fd[1]

    def acquire(self) -> None:
        """Wait for both locks, ``WRITE_WAIT_SECONDS`` at most; else ``OperationalError``."""
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        if not self.threads.acquire(timeout=WRITE_WAIT_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("writer lock timeout"))
        if self.path is None:
            return
        delay = 0.0001
        while True:
            try:
                fcntl.flock(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.threads.release()
                    raise OperationalError(
                        "BEGIN IMMEDIATE", {}, Exception("writer lock timeout")
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.002)

    def release(self) -> None:
        if self.path is not None:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        self.threads.release()


def _sqlite_transactions(engine: Engine) -> None:
    """A writer's transaction begins ``BEGIN IMMEDIATE``, under the database's writer lock
    (``WriterLock``), with pysqlite's own BEGIN off (it would begin only at the first write,
    after the reads). Any other keeps pysqlite's: its reads are not held in a transaction, and
    a first write begins one (as every transaction did before writers were told apart)."""
    write_lock = WriterLock(engine.url.database)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_SECONDS * 1000}")
        # 16 MB page cache per connection (default 2 MB): indexed lookups in a large
        # file then mostly avoid reading pages through the OS.
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        dbapi_connection: Any = connection.connection.dbapi_connection
        if not connection.get_execution_options().get(WRITES):
            dbapi_connection.isolation_level = ""
            return
        dbapi_connection.isolation_level = None
        if not connection.info.get(WRITES):
            write_lock.acquire()
            connection.info[WRITES] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict[Any, Any]) -> None:
        if info.pop(WRITES, False):
            write_lock.release()

    def _end(connection: Connection, end: str) -> None:
        # The COMMIT or ROLLBACK run here, under the lock, then the lock released: SQLAlchemy's
        # own call that follows finds no transaction and does nothing.
        if connection.info.get(WRITES):
            try:
                getattr(connection.connection.dbapi_connection, end)()
            finally:
                _release(connection.info)

    @event.listens_for(engine, "commit")
    def _commit(connection: Connection) -> None:
        _end(connection, "commit")

    @event.listens_for(engine, "rollback")
    def _rollback(connection: Connection) -> None:
        _end(connection, "rollback")

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)  # never kept past the connection's return to the pool


@contextmanager
def unit_of_work(engine: Engine, *, writes: bool = True) -> Iterator[DomainSession]:
    """A session whose work is committed at the end, or rolled back on any error; a
    ``writer`` unless ``writes`` is False (a read, which on SQLite waits for no writer)."""
    with DomainSession(writer(engine) if writes else engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def duplicates(exc: IntegrityError, table: str, *columns: str) -> bool:
    """Whether ``exc`` is a unique violation of ``table`` on exactly ``columns``, as SQLite
    ("UNIQUE constraint failed: t.a, t.b") and PostgreSQL ("Key (a, b)=(...) already exists")
    word it. Only that is a race to report as a conflict; any other violation is a fault."""
    message = str(exc.orig)
    sqlite_words = "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
    return sqlite_words in message or f"Key ({', '.join(columns)})=" in message
