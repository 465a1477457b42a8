"""Due dates as the law counts them: the one place that says when a file is due and which
rule set that date.

A permit type has two clocks (``checklists.clocks``): the citizens' manual period
(``service_time``) and the period the law sets (``statutory_limit``), which the Licensing
Facilitation Act s.10 makes the office keep too. The due date is the earliest end that applies.
Both clocks of a type count in one unit, start on the receipt of the complete application and
stop while the applicant holds the file (the catalogue check holds them to that), so the clock
that ends first at intake ends first for good, and the file keeps one due date (``due_date``).
That date then moves only by a recorded event: the stopped clock restarting (``advance``), a
closure of the office (``tracking.workflow.office_days``), an extension notified in writing
(``tracking.workflow.extensions``) or a new period once amended plans come in (``restart``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session

from checklists.clocks import Clock
from checklists.fields import DayUnit
from checklists.references import legal_reference
from checklists.schema import PermitType, Step, Turn
from tracking import calendars, clock
from tracking.clock import BusinessCalendar
from tracking.models import Application

SERVICE_TIME, STATUTORY_LIMIT, EXTENSION, RESTART = (
    "service_time",
    "statutory_limit",
    "extension",
    "restart",
)
# The key of an event's details that names the rule that set the due date it made true.
DUE_RULE = "due_rule"


class Period(NamedTuple):
    """A due date, the days that led to it (in the clock's unit) and the rule that set it."""

    due: date
    days: int
    business: bool
    rule: str


business = clock.business


def clocks(permit: PermitType) -> list[tuple[str, Clock]]:
    """The type's clocks, the law's first: on a tie the law sets the date."""
    found = [(SERVICE_TIME, permit.service_time)]
    if permit.statutory_limit is not None:
        found.insert(0, (STATUTORY_LIMIT, permit.statutory_limit))
    return found


def at_intake(calendar: BusinessCalendar, permit: PermitType, received: date) -> Period:
    """The due date of a file received complete on ``received``: the earliest end of the
    type's clocks, each counted from the day after ``received``."""
    ends = [
        Period(
            calendar.add_days(received, c.days, business=c.unit is DayUnit.business),
            c.days,
            c.unit is DayUnit.business,
            name,
        )
        for name, c in clocks(permit)
    ]
    return min(ends, key=lambda p: p.due)


def due_at_intake(calendar: BusinessCalendar, permit: PermitType, received: date) -> date:
    """The due date of a file received on ``received`` (``at_intake``)."""
    return at_intake(calendar, permit, received).due


def period_at_office(
    session: Session, office_id: int, permit: PermitType, received: date
) -> Period:
    """``at_intake`` by the office's own calendar: what intake would set today."""
    return at_intake(calendars.office_calendar(session, office_id), permit, received)


def due_at_office(session: Session, office_id: int, permit: PermitType, received: date) -> date:
    return period_at_office(session, office_id, permit, received).due


def governing(permit: PermitType) -> str:
    """The clock that sets a type's due date at intake (the earlier end; the law on a tie)."""
    return min(clocks(permit), key=lambda c: c[1].days)[0]


def period_days(permit: PermitType) -> int:
    """The days of the clock that sets the due date at intake."""
    return min(c.days for _, c in clocks(permit))


def restart(
    calendar: BusinessCalendar, permit: PermitType, step_left: str, due: date, today: date
) -> Period | None:
    """The new period of a file leaving ``step_left`` today, when the law restarts its clock
    there (Building Control Act s.27: the permit within 30 days once the plans are amended as
    ordered); the earlier of that end and ``due`` (the due date the stopped clock moved to)
    applies. None when no clock restarts at the step, or the new end is not earlier."""
    law = permit.statutory_limit
    again = law.restart if law is not None else None
    if again is None or again.step != step_left:
        return None
    end = calendar.add_days(today, again.days, business=again.unit is DayUnit.business)
    if end >= due:
        return None
    return Period(end, again.days, again.unit is DayUnit.business, RESTART)


def restart_file(
    application: Application,
    calendar: BusinessCalendar,
    permit: PermitType,
    left: str,
    target: Step,
    now: datetime,
) -> Period | None:
    """The law's new period of an open file that left step ``left`` for the office's turn
    (``restart``), set as its due date; None when none applies."""
    if application.decided_on is not None or target.turn is not Turn.authority:
        return None
    found = restart(calendar, permit, left, application.due_date, clock.bangkok_date(now))
    if found is not None:
        application.due_date = found.due
    return found


def rule_of(events: Iterable[Any]) -> str | None:
    """The rule that set the due date last, by the trail (each event's ``data``, a dict):
    None when no event named one (the clock that governs at intake)."""
    found = None
    for data in events:
        if isinstance(data, dict) and data.get(DUE_RULE):
            found = str(data[DUE_RULE])
    return found


def describe(permit: PermitType, rule: str | None, extensions: int = 0) -> tuple[str, str]:
    """The rule that set a file's due date, in Thai and in English."""
    rule = rule or governing(permit)
    law = permit.statutory_limit
    if rule == EXTENSION and law is not None and law.extensions is not None:
        basis = law.extensions.legal_basis
        return (
            f"ขยายระยะเวลาพิจารณาครั้งที่ {extensions} โดยแจ้งเป็นหนังสือ ({legal_reference(basis, 'th')})",
            f"extension no. {extensions}, notified in writing ({basis})",
        )
    if rule == RESTART and law is not None and law.restart is not None:
        again = law.restart
        return (
            f"ออกใบอนุญาตภายใน {again.days} วันนับแต่ได้รับแบบแปลนที่แก้ไขตามคำสั่ง"
            f" ({legal_reference(again.legal_basis, 'th')})",
            f"the permit within {again.days} days of the plans amended as ordered"
            f" ({again.legal_basis})",
        )
    if rule == STATUTORY_LIMIT and law is not None:
        unit_th, unit_en = _unit(law)
        basis = f" ({law.legal_basis})" if law.legal_basis else ""
        basis_th = f" ({legal_reference(law.legal_basis, 'th')})" if law.legal_basis else ""
        return (
            f"ระยะเวลาที่กฎหมายกำหนด {law.days} {unit_th}{basis_th}",
            f"the statutory limit, {law.days} {unit_en}{basis}",
        )
    manual = permit.service_time
    unit_th, unit_en = _unit(manual)
    estimate = ("", "") if manual.confirmed else (" (ประมาณการ)", " (an estimate)")
    return (
        f"ระยะเวลาตามคู่มือสำหรับประชาชน {manual.days} {unit_th}{estimate[0]}",
        f"the citizens' manual service time, {manual.days} {unit_en}{estimate[1]}",
    )


def _unit(found: Clock) -> tuple[str, str]:
    if found.unit is DayUnit.business:
        return "วันทำการ", "business days"
    return "วัน", "calendar days"
