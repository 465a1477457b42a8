"""Fixed-window rate limits with the counters in the database, so every app process (and every
server behind a load balancer) shares them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

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


def _dialect(executor: Session | Connection) -> str:
    if isinstance(executor, Connection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def hit(
    session: Session | Connection, key: str, limit: Limit, *, now: datetime | None = None
) -> Decision:
    """Count one hit on ``key``; ``allowed`` is False once the window's count passes the limit.

    One atomic upsert per hit: concurrent processes never lose a count.
    """
    now = now or utcnow()
    window_key, ends, retry_after = _window(key, limit, now)
    dialect = _dialect(session)
    table = RateCounter.__table__  # type: ignore[attr-defined]
    values = {"key": window_key, "count": 1, "expires_at": ends}
    bump = {"count": table.c.count + 1}
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(**values)
    else:
        statement = sqlite.insert(table).values(**values)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_=bump)
    count = session.execute(statement.returning(table.c.count)).scalar_one()
    return Decision(allowed=count <= limit.hits, count=count, retry_after=retry_after)


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
