"""Reads for scans of a whole office (``audit verify``): statements run on the driver's own
cursor and rows returned as plain tuples, a tenth of the cost of SQLAlchemy's rows on a
million files. ``{name}`` marks a parameter in the statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def rows(connection: Connection, template: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of ``template`` with each ``{name}`` bound to ``params[name]``."""
    style = connection.dialect.paramstyle
    marks = {k: (f"%({k})s" if style == "pyformat" else f":{k}") for k in params}
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(template.format(**marks), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()
