"""application search: indexes for the work queue's search box

The queue's search (``tracking.reads.staff.search``) matches an ID number exactly and each
word typed as the start of a word of the applicant's name or the address, or of an address
part after its marker ("วังใหม่" in "แขวงวังใหม่"). ID numbers get a btree index on both
databases. For the words, SQLite gets an FTS5 table with the ASCII tokenizer (Thai words stay
whole) over a view that adds the address's parts and the file's office and department (its
scope), kept in step by triggers and filled from the rows already there; PostgreSQL gets a GIN
index of the same words and their beginnings as a ``tsvector`` (``search.SEARCH_DOCUMENT``, a
function this migration makes).

A later migration that rebuilds the application table on SQLite must make the triggers again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from tracking.reads.staff.search import (
    ADDRESS_MARKERS,
    FTS_TABLE,
    FTS_VIEW,
    SEARCH_DOCUMENT,
    SEARCH_FUNCTION,
    WORD_INDEX,
)

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = FTS_TABLE
COLUMNS = "applicant_name, subject_address, address_parts, scope"


def _values(row: str) -> str:
    """The FTS row of an application row (``new`` or ``old`` in a trigger; the table in the
    view): its name, address, the address with each marker taken off, and its scope."""
    parts = f"{row}.subject_address"
    for marker in ADDRESS_MARKERS:
        parts = f"replace({parts}, '{marker}', ' ')"
    # search.scope_word: "o" and the office id, "d" and the department's letters.
    scope = f"'o' || {row}.office_id || ' d' || replace({row}.department, '-', '')"
    return f"{row}.applicant_name, {row}.subject_address, {parts}, {scope}"


SQLITE_UP = (
    # The view names its columns as the FTS table does; 'rebuild' reads them from it.
    f"CREATE VIEW {FTS_VIEW} (id, {COLUMNS}) AS SELECT application.id, {_values('application')}"
    " FROM application",
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS},"
    f" content='{FTS_VIEW}', content_rowid='id', tokenize='ascii')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON application BEGIN"
    f" INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, {_values('new')}); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON application BEGIN"
    f" INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS})"
    f" VALUES ('delete', old.id, {_values('old')}); END",
    # Only a change of what the index holds touches it: steps change rows all day.
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF applicant_name, subject_address, office_id,"
    f" department ON application BEGIN"
    f" INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {_values('old')});"
    f" INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, {_values('new')}); END",
    f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {FTS}",
    f"DROP VIEW IF EXISTS {FTS_VIEW}",
)
# The words of the name, the address and the address's parts, each also as its beginnings of
# three letters or more (a word typed then matches a stored one exactly), and the file's scope.
POSTGRESQL_UP = (
    f"CREATE FUNCTION {SEARCH_FUNCTION}(name text, address text, department text, office integer)"
    " RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
    # search.scope_word: "o" and the office id, "d" and the department's letters.
    " SELECT array_to_tsvector(coalesce(array_agg(DISTINCT part), '{}')"
    " || ARRAY['o' || office, 'd' || replace(department, '-', '')])"
    " FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig,"
    " name || ' ' || address || ' ' || regexp_replace(address, '"
    + "|".join(ADDRESS_MARKERS)
    + "', ' ', 'g')))) AS word,"
    " LATERAL (SELECT substr(word, 1, n)"
    " FROM generate_series(least(3, length(word)), length(word)) AS n) AS parts(part) $$",
    f"CREATE INDEX {WORD_INDEX} ON application USING gin ({SEARCH_DOCUMENT})",
)
POSTGRESQL_DOWN = (
    f"DROP INDEX IF EXISTS {WORD_INDEX}",
    f"DROP FUNCTION IF EXISTS {SEARCH_FUNCTION}(text, text, text, integer)",
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
