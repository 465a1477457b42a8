"""Fixed-window rate limits with the counters in the database, so every app process (and every
server behind a load balancer) shares them.

A hit is one atomic upsert that returns the window's new count, so concurrent hits on one key
get distinct counts (1, 2, 3, ...) on SQLite and PostgreSQL alike: decide on that count, never on
a count read earlier (``peek``), when the limit must hold under concurrency."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from tracking.db import writer
from tracking.models import RateCounter, utcnow


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` in each window of ``seconds``."""

    hits: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    retry_after: int


def _window(key: str, limit: Limit, now: datetime) -> tuple[str, datetime, int]:
    epoch = now.timestamp()
    index = math.floor(epoch / limit.seconds)
    ends = datetime.fromtimestamp((index + 1) * limit.seconds, tz=UTC)
    retry_after = max(1, math.ceil(ends.timestamp() - epoch))
    return f"{key}@{limit.seconds}:{index}", ends, retry_after


def hit(
    session: Session | Connection, key: str, limit: Limit, *, now: datetime | None = None
) -> Decision:
    """Count one hit on ``key``; ``allowed`` is False once the window's count passes the limit.

    One atomic upsert per hit: concurrent processes never lose a count.
    """
    now = now or utcnow()
    window_key, ends, retry_after = _window(key, limit, now)
    count = _add(_connection(session), window_key, 1, ends)
    return Decision(allowed=count <= limit.hits, count=count, retry_after=retry_after)


def hit_each(
    session: Session | Connection,
    limits: Sequence[tuple[str, Limit]],
    *,
    now: datetime | None = None,
) -> Decision:
    """Count one hit on each key in turn, stopping at the first key over its limit.

    A refused hit is given back to every key it was counted on (the refusing one too), so the
    counters hold only the hits that were allowed. Returns the refusing ``Decision``, else the
    last key's.
    """
    now = now or utcnow()
    decision = Decision(allowed=True, count=0, retry_after=0)
    for done, (key, limit) in enumerate(limits):
        decision = hit(session, key, limit, now=now)
        if not decision.allowed:
            for counted, counted_limit in limits[: done + 1]:
                give_back(session, counted, counted_limit, now=now)
            break
    return decision


def give_back(
    session: Session | Connection, key: str, limit: Limit, *, now: datetime | None = None
) -> None:
    """Take back one hit of ``key``'s window (never below zero). Pass the ``now`` of the hit,
    so that the same window gets it back."""
    window_key, _, _ = _window(key, limit, now or utcnow())
    table = RateCounter.__table__  # type: ignore[attr-defined]
    _connection(session).execute(
        update(table)
        .where(table.c.key == window_key, table.c.count > 0)
        .values(count=table.c.count - 1)
    )


def peek(session: Session, key: str, limit: Limit, *, now: datetime | None = None) -> Decision:
    """The window's state without counting a hit."""
    now = now or utcnow()
    window_key, _, retry_after = _window(key, limit, now)
    count = (
        session.exec(select(RateCounter.count).where(col(RateCounter.key) == window_key)).first()
        or 0
    )
    return Decision(allowed=count < limit.hits, count=count, retry_after=retry_after)


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    now = now or utcnow()
    result = session.execute(
        delete(RateCounter).where(col(RateCounter.expires_at) < now - timedelta(minutes=1))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


class SharedLimiter:
    """A rate limit shared by every process through the database, without a write per hit.

    Each process counts hits locally and adds them to the shared counter in the database at
    least every ``flush_seconds``; once a key's count nears its limit (half of it), every
    further hit on that key goes to the database at once, so decisions near the limit are
    exact. Far below the limit, the database sees one write per process per second instead
    of one per request.
    """

    def __init__(self, engine: Engine, limit: Limit, *, flush_seconds: float = 1.0) -> None:
        self.engine = engine
        self.limit = limit
        self.flush_seconds = flush_seconds
        self._pending: dict[str, int] = {}
        self._known: dict[str, int] = {}
        self._expiry: dict[str, datetime] = {}
        self._last_flush = 0.0
        self._lock = threading.Lock()

    def hit(self, key: str, *, now: datetime | None = None) -> Decision:
        now = now or utcnow()
        window_key, ends, retry_after = _window(key, self.limit, now)
        with self._lock:
            self._pending[window_key] = self._pending.get(window_key, 0) + 1
            self._expiry[window_key] = ends
            estimate = self._known.get(window_key, 0) + self._pending[window_key]
            due = time.monotonic() - self._last_flush >= self.flush_seconds
            exact = estimate * 2 >= self.limit.hits
        if due or exact:
            self.flush(now)
            with self._lock:
                estimate = self._known.get(window_key, 0) + self._pending.get(window_key, 0)
        return Decision(estimate <= self.limit.hits, estimate, retry_after)

    def flush(self, now: datetime | None = None) -> None:
        """Add the pending counts to the database and learn the shared totals."""
        now = now or utcnow()
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
            for stale in [k for k, ends in self._expiry.items() if ends <= now]:
                self._expiry.pop(stale, None)
                self._known.pop(stale, None)
        if not pending:
            return
        totals = {}
        try:
            with writer(self.engine).begin() as connection:
                for window_key, count in sorted(pending.items()):
                    totals[window_key] = _add(
                        connection, window_key, count, self._expiry.get(window_key, now)
                    )
        except Exception:
            with self._lock:  # keep the counts for the next attempt
                for window_key, count in pending.items():
                    self._pending[window_key] = self._pending.get(window_key, 0) + count
            raise
        with self._lock:
            self._known.update(totals)


def _connection(session: Session | Connection) -> Connection:
    return session if isinstance(session, Connection) else session.connection()


def _add(connection: Connection, window_key: str, count: int, expires_at: datetime) -> int:
    table = RateCounter.__table__  # type: ignore[attr-defined]
    values = {"key": window_key, "count": count, "expires_at": expires_at}
    statement: Any
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(table).values(**values)
    else:
        statement = sqlite.insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"count": table.c.count + count}
    )
    return int(connection.execute(statement.returning(table.c.count)).scalar_one())
