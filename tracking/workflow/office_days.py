"""The office's own calendar: closures and extra working days (``tidtam calendar``), and the
due dates a closure moves, each by a ``clock`` event in the file's trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from checklists.loader import default_catalogue
from tracking import calendars, clock
from tracking.dates import written
from tracking.errors import InvalidInput, NotFound
from tracking.models import Application, ApplicationEvent, EventKind, OfficeDay
from tracking.workflow.recording import record_at_step
from tracking.workflow.transitions import claim

# Who records the clock changes of the office's calendar (``tidtam calendar``), and as what.
CALENDAR_ACTOR, CALENDAR_ROLE = "calendar", "admin"
REASON_LENGTH = 200  # OfficeDay.note
KINDS = {
    False: ("วันปิดทำการของสำนักงาน", "a closure of the office"),
    True: ("วันทำการเพิ่มเติมของสำนักงาน", "an extra working day of the office"),
}


def closure_moves(
    session: Session, office_id: int, day: date, calendar: clock.BusinessCalendar, today: date
) -> list[tuple[Application, date]]:
    """The open files of ``office_id`` whose due date a closure added on ``day`` moves, with
    their new due dates (``calendar``: the office's calendar before the closure).

    An undecided file counting business days moves when ``day``, a business day until now,
    lies in its period (after the day it was received, up to its due date): the due date
    becomes the next business day after it, the due date recomputed with the closure. So does
    a file whose clock is stopped, as ``advance`` will add the days the applicant held it to
    this due date. A closure inside an earlier stretch in which the applicant held the file
    (stopped and restarted since) moves nothing: it shortens that stretch, whose days were
    added to the due date, as much as the period, and the two cancel."""
    if not calendar.is_business_day(day):
        return []
    counted = [slug for slug, permit in default_catalogue().types.items() if clock.business(permit)]
    where = (
        col(Application.office_id) == office_id,
        col(Application.permit_type).in_(counted),
        clock.undecided_clause(),
        col(Application.submitted_on) < day,
        col(Application.due_date) >= day,
    )
    query = select(Application).where(*where).order_by(col(Application.id)).with_for_update()
    files = session.exec(query).all()
    # Only a day already past can lie in a stretch that has ended.
    ids = select(col(Application.id)).where(*where)
    held = _held_stretches_over(session, ids, day) if day <= today else set()
    closed = calendar.closed_also_on(day)
    return [(a, closed.add_business_days(a.due_date, 1)) for a in files if a.id not in held]


def _held_stretches_over(session: Session, ids: Any, day: date) -> set[int]:
    """The files among ``ids`` whose clock was stopped on ``day`` and restarted since (each
    event's ``after`` says whether it left the clock stopped)."""
    held: set[int] = set()
    stopped: dict[int, date | None] = {}
    E = ApplicationEvent
    events = select(col(E.application_id), col(E.occurred_at), col(E.after))
    for app_id, moment, after in session.exec(
        events.where(col(E.application_id).in_(ids)).order_by(col(E.application_id), col(E.seq))
    ).all():
        paused = json.loads(after or "{}").get("clock_paused_on")
        since = stopped.get(app_id)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if since is not None and paused is None and since < day <= clock.bangkok_date(moment):
            held.add(app_id)
        stopped[app_id] = date.fromisoformat(paused) if paused else None
    return held


def record_clock_change(
    session: Session,
    application: Application,
    due_date: date,
    *,
    event: str,
    reason: str,
    now: datetime,
    data: dict[str, Any],
) -> ApplicationEvent:
    """Set ``application``'s due date for a change of the office's calendar and record it as
    a ``clock`` event at the file's step (source and target alike: no state changes), its
    version bumped by compare-and-set as every change is. Raises ``Conflict`` when the file
    changed since it was read."""
    claim(session, application, application.version)
    application.due_date = due_date
    application.updated_at = now
    session.add(application)
    return record_at_step(
        session,
        application,
        kind=EventKind.clock,
        event=event,
        actor=CALENDAR_ACTOR,
        role=CALENDAR_ROLE,
        now=now,
        reason=reason,
        data=data,
    )


@dataclass(frozen=True)
class DueDateMoved:
    application: Application
    before: date
    after: date


def add_office_day(
    session: Session, office_id: int, day: date, *, open: bool, reason: str, now: datetime
) -> list[DueDateMoved]:
    """Configure ``day`` as a closure of the office (``open`` False) or as an extra working day,
    for ``reason``. A closure moves the due dates of the open files whose period it falls in
    (``closure_moves``), each by a ``clock`` event in the trail, all in the
    caller's transaction; an extra working day moves none.

    Raises ``InvalidInput``: a day outside ``clock.FIRST_DAY`` to ``clock.LAST_DAY``, a reason
    empty or longer than 200 characters, a day the office has configured already;
    ``Conflict``: a file to move changed meanwhile."""
    clock.supported_day(day, "day")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("ต้องระบุเหตุผล", "A reason is needed", field="reason")
    if len(reason) > REASON_LENGTH:
        raise InvalidInput(
            f"เหตุผลยาวเกิน {REASON_LENGTH} ตัวอักษร",
            f"The reason is longer than {REASON_LENGTH} characters",
            field="reason",
        )
    found = _office_day(session, office_id, day)
    if found is not None:
        th, en = KINDS[found.open]
        raise InvalidInput(
            f"วันที่ {written(day, 'th')} บันทึกไว้แล้วเป็น{th}: {found.note}",
            f"{written(day, 'en')} is already {en}: {found.note}",
            field="day",
        )
    calendar = calendars.office_calendar(session, office_id)
    session.add(OfficeDay(office_id=office_id, day=day, open=open, note=reason))
    session.flush()  # the first write: on SQLite, from here no other writer comes between
    if open:
        return []
    moved = []
    today = clock.bangkok_date(now)
    for application, due in closure_moves(session, office_id, day, calendar, today):
        before = application.due_date
        record_clock_change(
            session,
            application,
            due,
            event="calendar:closure",
            reason=reason,
            now=now,
            data={"closure": day.isoformat(), "due_date_before": before.isoformat()},
        )
        moved.append(DueDateMoved(application, before, due))
    session.flush()
    return moved


def remove_office_day(session: Session, office_id: int, day: date, *, open: bool) -> OfficeDay:
    """Remove the office's closure (``open`` False) or extra working day on ``day``. No due
    date moves back: a file's due date only ever moves later, by a recorded event. Raises
    ``NotFound`` when the office has no such day."""
    found = _office_day(session, office_id, day)
    if found is None or found.open != open:
        th, en = KINDS[open]
        raise NotFound(
            f"วันที่ {written(day, 'th')} ไม่ได้บันทึกไว้เป็น{th}",
            f"{written(day, 'en')} is not {en}",
            field="day",
        )
    session.delete(found)
    session.flush()
    return found


def _office_day(session: Session, office_id: int, day: date) -> OfficeDay | None:
    return session.exec(
        select(OfficeDay).where(OfficeDay.office_id == office_id, OfficeDay.day == day)
    ).first()
