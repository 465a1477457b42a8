"""checklist items the catalogue added

A permit type's checklist gained an item every file has (the s.8 record signed by both sides):
each application gets a pending row for each item of its type it lacks, so that its checklist
rows are its type's items again, as ``tidtam audit verify`` holds them. Nothing else changes;
the rows stay pending on files past the step.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from checklists.loader import default_catalogue

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Typed binds: PostgreSQL deduces one type for a parameter used twice only when told it.
_ADD = sa.text(
    "INSERT INTO checklist_entry (application_id, item_id, step, required, status, note)"
    " SELECT a.id, :item, :step, :required, 'pending', '' FROM application a"
    " WHERE a.permit_type = :slug AND NOT EXISTS (SELECT 1 FROM checklist_entry c"
    " WHERE c.application_id = a.id AND c.item_id = :item)"
).bindparams(
    sa.bindparam("item", type_=sa.String()),
    sa.bindparam("step", type_=sa.String()),
    sa.bindparam("slug", type_=sa.String()),
    sa.bindparam("required", type_=sa.Boolean()),
)


def upgrade() -> None:
    connection = op.get_bind()
    for slug, permit in default_catalogue().items():
        for step in permit.steps:
            for item in step.checklist:
                connection.execute(
                    _ADD,
                    {"slug": slug, "item": item.id, "step": step.id, "required": item.required},
                )


def downgrade() -> None:
    """The rows added stay: which of them this revision added is not recorded, and a pending
    row more changes no figure."""
