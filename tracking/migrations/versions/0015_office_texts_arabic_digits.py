"""office texts in Arabic digits: Thai pages write numbers one way

The office's Thai address, hours and complaint channels were stored with Thai digits
(๓๓๗, ๐๘.๐๐, ๑๕๕๕) while every other number on the pages is Arabic; the Thai texts now use
Arabic digits throughout (issue 12). Only the digits change.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("address_th", "hours_th", "complaint_th")
_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _translate(digits: dict[int, int]) -> None:
    office = sa.table("office", sa.column("id"), *(sa.column(c) for c in _COLUMNS))
    connection = op.get_bind()
    for row in connection.execute(sa.select(office)).mappings():
        values = {c: row[c].translate(digits) for c in _COLUMNS if row[c]}
        if any(values[c] != row[c] for c in values):
            connection.execute(office.update().where(office.c.id == row["id"]).values(**values))


def upgrade() -> None:
    _translate(_ARABIC)


def downgrade() -> None:
    # Which digits were Thai is not kept (the phone number was Arabic already): nothing to undo.
    pass
