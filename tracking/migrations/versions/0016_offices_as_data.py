"""offices as data: permit settings and unchecked facts on the office; city staff

Each office row gains what its file in ``checklists/districts/`` says of the permit types
(``permit_settings``: a type not offered, a shorter service time) and which of its facts are
not yet checked (``unconfirmed``); ``tidtam office add|update`` write them. Staff of the new
role ``city`` (the city administration's auditors) read every office and belong to none, so
``staff.office_id`` may be empty, and is for them alone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITY_HAS_NO_OFFICE = "(role = 'city') = (office_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("office") as batch_op:
        batch_op.add_column(
            sa.Column("permit_settings", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("unconfirmed", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("staff") as batch_op:
        batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("ck_staff_city_has_no_office", CITY_HAS_NO_OFFICE)


def downgrade() -> None:
    op.execute("DELETE FROM staff WHERE role = 'city'")
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_constraint("ck_staff_city_has_no_office", type_="check")
        batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("office") as batch_op:
        batch_op.drop_column("unconfirmed")
        batch_op.drop_column("permit_settings")
