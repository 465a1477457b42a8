"""application search: indexes for the work queue's search box

The queue's search (``tracking.reads.staff.search``) matches an ID number exactly and words
anywhere in the applicant's name or the address. ID numbers get a btree index on both
databases. For the words, SQLite gets an FTS5 table with the trigram tokenizer over both
columns (external content: it stores only its index), kept in step by triggers and filled
from the rows already there; PostgreSQL gets pg_trgm and a trigram GIN index on ``lower()``
of each column, which ``lower(col) LIKE '%word%'`` uses.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = "application_fts"
COLUMNS = "applicant_name, subject_address"

SQLITE_UP = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS},"
    " content='application', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON application BEGIN"
    f" INSERT INTO {FTS} (rowid, {COLUMNS})"
    " VALUES (new.id, new.applicant_name, new.subject_address); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON application BEGIN"
    f" INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS})"
    " VALUES ('delete', old.id, old.applicant_name, old.subject_address); END",
    # Only a change of the two columns touches the index: steps change rows all day.
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF {COLUMNS} ON application BEGIN"
    f" INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS})"
    " VALUES ('delete', old.id, old.applicant_name, old.subject_address);"
    f" INSERT INTO {FTS} (rowid, {COLUMNS})"
    " VALUES (new.id, new.applicant_name, new.subject_address); END",
    f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {FTS}",
)
POSTGRESQL_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_application_name_trgm ON application"
    " USING gin (lower(applicant_name) gin_trgm_ops)",
    "CREATE INDEX ix_application_address_trgm ON application"
    " USING gin (lower(subject_address) gin_trgm_ops)",
)
# The extension stays: other schemas of the database may use it.
POSTGRESQL_DOWN = (
    "DROP INDEX IF EXISTS ix_application_address_trgm",
    "DROP INDEX IF EXISTS ix_application_name_trgm",
)


def upgrade() -> None:
    op.create_index("ix_application_applicant_id_number", "application", ["applicant_id_number"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}.get(dialect, ()):
        op.execute(statement)
    op.drop_index("ix_application_applicant_id_number", table_name="application")
