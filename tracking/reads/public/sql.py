"""How the public reads reach the database: plain SQL handed straight to the driver's cursor,
with ``{name}`` placeholders written once per statement in the driver's own style, and the
driver's values (SQLite's ISO text, PostgreSQL's dates) read back as Python dates.

SQLAlchemy's statement compilation and result processing cost more than the indexed reads
themselves on the public hot path; one style for all of them keeps a single place that knows
how the driver is called.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection


class _Placeholders(dict[str, str]):
    """``{name}`` in a statement, written in the driver's parameter style."""

    def __init__(self, paramstyle: str) -> None:
        super().__init__()
        self.pyformat = paramstyle == "pyformat"

    def __missing__(self, name: str) -> str:
        return f"%({name})s" if self.pyformat else f":{name}"


@lru_cache(maxsize=32)
def _sql(template: str, paramstyle: str) -> str:
    return template.format_map(_Placeholders(paramstyle))


def rows(connection: Connection, template: str, **params: object) -> list[tuple[Any, ...]]:
    """The rows of one statement, run on the driver's own cursor."""
    sql = _sql(template, connection.dialect.paramstyle)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def as_day(value: Any) -> date | None:
    return None if value is None else as_date(value)


def as_moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def as_mapping(value: Any) -> dict[str, Any]:
    """A JSON column: SQLite gives its text, PostgreSQL the decoded value."""
    if value is None:
        return {}
    if isinstance(value, (str, bytes)):
        value = orjson.loads(value or "{}")
    return value if isinstance(value, dict) else {}
