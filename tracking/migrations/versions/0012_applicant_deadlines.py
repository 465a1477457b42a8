"""applicant deadlines: the checklist items their steps added

Applicant's steps now carry deadlines (in the catalogue, and on the row as
``applicant_deadline`` from the event that enters them); two steps gained an order item
(food-premises' correction order, drain-connection's amendment order). Each application gets
a pending row for each item of its type it lacks, so that its checklist rows are its type's
items again, as ``tidtam audit verify`` holds them. No stored event or fact changes: a file
that entered an applicant's step before it had a deadline counts it from the day it entered
the step (``tracking.workflow.rules.lapses.current_deadline``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from checklists.loader import default_catalogue

revision: str = "0012"
down_revision: str | None = "0011"
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
