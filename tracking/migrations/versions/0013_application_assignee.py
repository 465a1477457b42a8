"""application assignee: who works each file

A nullable ``assignee`` (a staff username) and an index of open files by office and
assignee. No backfill: a file taken in before holds nobody, which its trail agrees with (an
event written before holds no assignee among its facts, read as none), so ``audit verify``
still passes; the department's approver or the manager assigns it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_application_open_assignee",
        "application",
        ["office_id", "assignee"],
        sqlite_where=sa.text("outcome IS NULL"),
        postgresql_where=sa.text("outcome IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_application_open_assignee", table_name="application")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("assignee")
