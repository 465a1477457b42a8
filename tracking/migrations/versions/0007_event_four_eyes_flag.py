"""four-eyes flag on events

Each decision event records whether its actor had reviewed or inspected the file, so the
compliance cases and their rebuild read the flag instead of judging the trail again. Existing
decisions are flagged with the rule of ``tracking.workflow.rules``; the trails they are in are
chained again from the flagged event on (the flag is part of the event's hash once set), and
the tallies are rebuilt.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session, col, select

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS
from tracking.models import Application, ApplicationEvent
from tracking.trail import audit, rebuild
from tracking.workflow import rules

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("four_eyes", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    connection = op.get_bind()
    _flag_decisions(Session(bind=connection))
    rebuild.rebuild(connection)


def _flag_decisions(session: Session) -> None:
    catalogue = default_catalogue()
    decided = session.exec(
        select(col(ApplicationEvent.application_id))
        .where(col(ApplicationEvent.transition_kind).in_([k.value for k in DECISIONS]))
        .distinct()
    ).all()
    for application_id in decided:
        application = session.get(Application, application_id)
        permit = catalogue.types.get(application.permit_type) if application else None
        if application is None or permit is None:
            continue
        trail = rules.load_history(session, application_id)
        for n, event in enumerate(trail):
            if rules.decided_by_reviewer(permit, trail[:n], event.actor, event.transition_kind):
                event.four_eyes = True
        first = next((n for n, event in enumerate(trail) if event.four_eyes), None)
        if first is not None:
            _rechain(session, application, trail, first)
    session.flush()


def _rechain(
    session: Session, application: Application, trail: list[ApplicationEvent], first: int
) -> None:
    """Hash the trail again from event ``first`` on."""
    for n in range(first, len(trail)):
        trail[n].prev_hash = trail[n - 1].hash if n else audit.GENESIS
        trail[n].hash = audit.event_hash(trail[n])
    application.trail_head = trail[-1].hash
    session.add_all([application, *trail])


def downgrade() -> None:
    session = Session(bind=op.get_bind())
    flagged = session.exec(
        select(col(ApplicationEvent.application_id))
        .where(col(ApplicationEvent.four_eyes))
        .distinct()
    ).all()
    for application_id in flagged:
        application = session.get(Application, application_id)
        assert application is not None
        trail = rules.load_history(session, application_id)
        first = next(n for n, event in enumerate(trail) if event.four_eyes)
        for event in trail:
            event.four_eyes = False
        _rechain(session, application, trail, first)
    session.flush()
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_column("four_eyes")
