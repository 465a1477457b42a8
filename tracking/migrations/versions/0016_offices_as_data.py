"""offices as data: permit settings and unchecked facts on the office; city staff; an audit
anchor chain per office

Each office row gains what its file in ``checklists/districts/`` says of the permit types
(``permit_settings``: a type not offered, a shorter service time) and which of its facts are
not yet checked (``unconfirmed``); ``tidtam office add|update`` write them. Staff of the new
role ``city`` (the city administration's auditors) read every office and belong to none, so
``staff.office_id`` may be empty, and is for them alone. Audit anchors become one chain per
office: the anchors made so far (when only one office could exist) are the first office's.

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
# SQLite names the unique constraints made with the table by this convention (PostgreSQL
# named them ``<table>_<column>_key``).
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique(column: str) -> str:
    if op.get_bind().dialect.name == "sqlite":
        return f"uq_audit_anchor_{column}"
    return f"audit_anchor_{column}_key"


def upgrade() -> None:
    with op.batch_alter_table("office") as batch_op:
        batch_op.add_column(
            sa.Column("permit_settings", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("unconfirmed", sa.JSON(), nullable=False, server_default="[]")
        )
    # The first office's facts not yet checked, as its file says (checklists/districts).
    office = sa.table("office", sa.column("slug"), sa.column("unconfirmed", sa.JSON()))
    op.execute(
        office.update()
        .where(office.c.slug == "pathumwan")
        .values(unconfirmed=["address", "phone", "hours"])
    )
    with op.batch_alter_table("staff") as batch_op:
        batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("ck_staff_city_has_no_office", CITY_HAS_NO_OFFICE)
    with op.batch_alter_table("audit_anchor") as batch_op:
        batch_op.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
    op.execute("UPDATE audit_anchor SET office_id = (SELECT min(id) FROM office)")
    with op.batch_alter_table("audit_anchor", naming_convention=NAMING) as batch_op:
        batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(_unique("day"), type_="unique")
        batch_op.drop_constraint(_unique("digest"), type_="unique")
        batch_op.create_foreign_key(
            "fk_audit_anchor_office_id_office", "office", ["office_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_audit_anchor_office_day", ["office_id", "day"])
        batch_op.create_index("ix_audit_anchor_digest", ["digest"])


def downgrade() -> None:
    # The first office's chain is the one chain again; other offices' anchors go.
    first = "(SELECT min(id) FROM office)"
    op.execute(
        "DELETE FROM audit_anchor_head WHERE anchor_id IN"
        f" (SELECT id FROM audit_anchor WHERE office_id <> {first})"
    )
    op.execute(f"DELETE FROM audit_anchor WHERE office_id <> {first}")
    with op.batch_alter_table("audit_anchor", naming_convention=NAMING) as batch_op:
        batch_op.drop_index("ix_audit_anchor_digest")
        batch_op.drop_constraint("uq_audit_anchor_office_day", type_="unique")
        batch_op.drop_constraint("fk_audit_anchor_office_id_office", type_="foreignkey")
        batch_op.create_unique_constraint(_unique("day"), ["day"])
        batch_op.create_unique_constraint(_unique("digest"), ["digest"])
        batch_op.drop_column("office_id")
    op.execute("DELETE FROM staff WHERE role = 'city'")
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_constraint("ck_staff_city_has_no_office", type_="check")
        batch_op.alter_column("office_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("office") as batch_op:
        batch_op.drop_column("unconfirmed")
        batch_op.drop_column("permit_settings")
