"""the monthly tallies by measure, office, department, officer and days, covering

Every figure read over whole months (the city's table and a district's summary over all
dates, above all the officers' comparison) reads only the monthly rows: the daily ones, many
times more, are no longer scanned past. The index holds every column those reads take, so on
PostgreSQL they read the index alone, in the officers' grouping order.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONTHS = "grain = 'm'"


def upgrade() -> None:
    op.create_index(
        "ix_compliance_tally_months",
        "compliance_tally",
        ["measure", "office_id", "department", "actor", "days"],
        sqlite_where=sa.text(MONTHS),
        postgresql_where=sa.text(MONTHS),
        postgresql_include=["day", "permit_type", "key", "flag", "count"],
    )


def downgrade() -> None:
    op.drop_index("ix_compliance_tally_months", table_name="compliance_tally")
