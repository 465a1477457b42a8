"""legal clocks: due dates of open files as the law counts them

The due date is now the earliest end of a type's clocks, the citizens' manual period and the
statutory limit (``tracking.periods``); the Public Health Act s.56 types count 30 calendar days,
not 30 business days. Each open file's due date is computed again: from the day it was
received, by the office's calendar, then moved as its trail moved its clock (each stretch the
applicant held the file, each new period once amended plans came in). A file whose date
changes gets a ``clock`` event saying so, so that its trail still proves its row; then the
tallies are rebuilt from the trail. Decided and closed files keep the dates they were judged by.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from alembic import op
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from checklists.loader import default_catalogue
from checklists.schema import TransitionKind
from tracking import clock, periods
from tracking.calendars import office_calendar
from tracking.models import Application, ApplicationEvent
from tracking.trail import audit, rebuild
from tracking.workflow.office_days import record_clock_change

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT = "clock:legal-clocks"
REASON = (
    "กำหนดวันแล้วเสร็จคำนวณใหม่ตามระยะเวลาที่กฎหมายกำหนด (วันที่สิ้นสุดก่อน)"
    " / due date recomputed under the statutory clocks (the earliest end)"
)


def upgrade() -> None:
    connection = op.get_bind()
    session = Session(bind=connection)
    now = datetime.now(UTC)
    # Columns later revisions add are not there yet: left out of the load, and none (their
    # default) for the trail's facts.
    later = [getattr(Application, name) for name in audit.LATER_FACTS]
    files = session.exec(
        select(Application)
        .options(*(defer(column) for column in later))
        .where(clock.undecided_clause())
        .order_by(col(Application.id))
    ).all()
    for application in files:
        for name, default in audit.LATER_FACTS.items():
            set_committed_value(application, name, default)
    calendars: dict[int, clock.BusinessCalendar] = {}
    for application in files:
        permit = default_catalogue().types.get(application.permit_type)
        if permit is None:
            continue
        if application.office_id not in calendars:
            calendars[application.office_id] = office_calendar(session, application.office_id)
        calendar = calendars[application.office_id]
        trail = session.exec(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(col(ApplicationEvent.seq))
        ).all()
        due, rule = _replayed(application, trail, calendar, permit)
        if due == application.due_date:
            continue
        before = application.due_date
        record_clock_change(
            session,
            application,
            due,
            event=EVENT,
            reason=REASON,
            now=now,
            data={"due_date_before": before.isoformat(), periods.DUE_RULE: rule},
        )
    session.flush()
    rebuild.rebuild(connection)


def _replayed(
    application: Application,
    trail: Sequence[ApplicationEvent],
    calendar: clock.BusinessCalendar,
    permit: Any,
) -> tuple[date, str]:
    """The file's due date under the new clocks, and the rule that set it: from the day it was
    received, moved by each transition of its trail as ``advance`` and ``restart`` move it. (A
    closure moved a business-day clock, which this calendar counts again.)"""
    start = periods.at_intake(calendar, permit, application.submitted_on)
    first = permit.initial_step
    file = SimpleNamespace(
        due_date=start.due,
        clock_paused_on=None,
        decided_on=None,
        outcome=None,
        days_to_decision=None,
        turn=first.turn.value,
        state=first.id,
        state_entered_at=application.submitted_at,
        updated_at=application.submitted_at,
    )
    rule = start.rule
    for event in trail[1:]:
        data = json.loads(event.data or "{}")
        if event.kind == "extension":
            file.due_date = date.fromisoformat(data["due_date"])
            rule = periods.EXTENSION
            continue
        if event.kind != "transition":
            continue
        moment = (
            event.occurred_at if event.occurred_at.tzinfo else event.occurred_at.replace(tzinfo=UTC)
        )
        target = permit.step(event.target)
        kind = TransitionKind(event.transition_kind or "progress")
        clock.advance(file, calendar, permit, target, kind, moment, periods.period_days(permit))  # type: ignore[arg-type]
        again = periods.restart_file(file, calendar, permit, event.source, target, moment)  # type: ignore[arg-type]
        if again is not None:
            rule = periods.RESTART
        file.state = event.target
    if file.clock_paused_on != application.clock_paused_on:  # the trail and the row disagree
        return application.due_date, rule
    return file.due_date, rule


def downgrade() -> None:
    """The clock events stay: the trail is append-only, and the due dates they set are the
    ones the law gives."""
