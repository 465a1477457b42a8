"""Writing what a transaction counted (``tracking.trail.tallies``) as it commits: one upsert per
table, its rows in key order, as the transaction's last statements.

The rows of a busy day are shared by every writer, each holding them from its upsert to its
commit. On PostgreSQL (psycopg) the upserts and the COMMIT therefore go to the server in one
query string, the values bound by the driver: no wait for this process's threads (the GIL)
falls between them, and the next writer waits only for the server's own work. SQLAlchemy's
COMMIT then finds the transaction over and does nothing. A savepoint's release
(``begin_nested``) ends nothing: its rows are written as plain statements.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from psycopg import ClientCursor, sql
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession


def _columns(table: Any, keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The columns an upsert of ``table`` writes, and of those the totals it adds to."""
    columns = [c.name for c in table.columns if c.name != "id"]
    return columns, [name for name in columns if name not in keys]


@lru_cache(maxsize=8)
def upsert_statement(dialect_name: str, table: Any, keys: tuple[str, ...]) -> Any:
    """Add a row's totals to the row of its key, inserting it the first time: one statement,
    built once, run for all the rows of a commit (its text, so its compiled form and on
    PostgreSQL its prepared statement, is the same however many rows there are)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    _, totals = _columns(table, keys)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in totals},
    )


def _upsert_text(table: Any, keys: tuple[str, ...], rows: int) -> Any:
    """The PostgreSQL upsert of ``rows`` rows of ``table``, with a placeholder per value
    (``psycopg.sql``: identifiers quoted by the driver), as ``upsert_statement`` writes it."""
    columns, totals = _columns(table, keys)
    one = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    return sql.SQL("INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join([one] * rows),
        sql.SQL(", ").join(map(sql.Identifier, keys)),
        sql.SQL(", ").join(
            sql.SQL("{0} = {1}.{0} + EXCLUDED.{0}").format(
                sql.Identifier(name), sql.Identifier(table.name)
            )
            for name in totals
        ),
    ), columns


Batch = tuple[Any, tuple[str, ...], list[dict[str, Any]]]


def write(session: OrmSession, batches: list[Batch]) -> None:
    """Upsert ``batches`` (table, key columns, rows in key order) in ``session``'s
    transaction; on PostgreSQL, outside a savepoint, together with its COMMIT."""
    if not batches:
        return
    connection = session.connection()
    dialect = connection.dialect
    if (dialect.name, dialect.driver) != ("postgresql", "psycopg") or (
        session.in_nested_transaction()
    ):
        for table, keys, rows in batches:
            connection.execute(upsert_statement(dialect.name, table, keys), rows)
        return
    statements, values = [], []
    for table, keys, rows in batches:
        statement, columns = _upsert_text(table, keys, len(rows))
        statements.append(statement)
        values += [row[name] for row in rows for name in columns]
    driver: Any = connection.connection.driver_connection
    with ClientCursor(driver) as cursor:
        cursor.execute(sql.SQL("; ").join([*statements, sql.SQL("COMMIT")]), values)
