"""four-eyes flag on events

Each decision event records whether its actor had reviewed or inspected the file, so the
compliance cases and their rebuild read the flag instead of judging the trail again. Existing
decisions are flagged with the rule of ``tracking.workflow.rules``, and the tallies are filled
from the trail (0006 made their tables). The flag joins the events' hashes in 0008, which
hashes every trail again under the audit key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS
from tracking.trail import rebuild
from tracking.workflow import rules

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT = sa.table(
    "application_event",
    *(sa.column(name) for name in ("id", "application_id", "seq", "kind", "actor", "event")),
    *(sa.column(name) for name in ("target", "transition_kind", "four_eyes")),
)
APPLICATION = sa.table("application", sa.column("id"), sa.column("permit_type"))


def upgrade() -> None:
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("four_eyes", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    connection = op.get_bind()
    _flag_decisions(connection)
    rebuild.rebuild(connection)


def _flag_decisions(connection: sa.Connection) -> None:
    catalogue = default_catalogue()
    decided = connection.execute(
        sa.select(EVENT.c.application_id, APPLICATION.c.permit_type)
        .join(APPLICATION, APPLICATION.c.id == EVENT.c.application_id)
        .where(EVENT.c.transition_kind.in_([k.value for k in DECISIONS]))
        .distinct()
    ).all()
    flagged = []
    for application_id, permit_type in decided:
        permit = catalogue.types.get(permit_type)
        if permit is None:
            continue
        trail: list[Any] = list(
            connection.execute(
                sa.select(EVENT).where(EVENT.c.application_id == application_id).order_by("seq")
            )
        )
        for n, event in enumerate(trail):
            if rules.decided_by_reviewer(permit, trail[:n], event.actor, event.transition_kind):
                flagged.append({"event_id": event.id})
    if flagged:
        connection.execute(
            EVENT.update().where(EVENT.c.id == sa.bindparam("event_id")).values(four_eyes=True),
            flagged,
        )


def downgrade() -> None:
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_column("four_eyes")
