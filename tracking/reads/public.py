"""What a citizen sees for a tracking code: status, whose turn, what is missing, deadlines,
the timeline, delay notices and the decision. Never the applicant's name, ID number, phone,
e-mail or exact address.

The lookup is the public hot path, so it reads with a few indexed Core queries (no ORM
objects) and everything derived from the permit type is computed once per type and step.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS, Outcome, PermitType, Step, Text, Turn
from tracking import codes
from tracking.clock import BusinessCalendar, bangkok_date, letters_due
from tracking.errors import DomainError, NotFound
from tracking.models import (
    SATISFIED,
    Office,
    OfficeDay,
)


class CodeMistyped(DomainError):
    """The text cannot be a tracking code: a character is wrong or missing."""

    status_code = 400
    code = "code_mistyped"


def parse_code(text: str) -> str:
    """The canonical code, or ``CodeMistyped`` with a message a citizen can act on."""
    try:
        return codes.parse(text)
    except codes.InvalidCode as exc:
        raise CodeMistyped(
            "รหัสติดตามไม่ถูกต้อง กรุณาตรวจสอบรหัสบนใบรับคำขออีกครั้ง (รหัสมี ๑๐ ตัวอักษร เช่น K7MP2-Q9XR4)",
            "That tracking code is not valid; please check it against your receipt"
            " (10 characters, for example K7MP2-Q9XR4)",
            detail=str(exc),
        ) from None


def unknown_code() -> NotFound:
    return NotFound(
        "ไม่พบคำขอที่ใช้รหัสนี้ หากเพิ่งยื่นคำขอ กรุณาติดต่อสำนักงานเขต",
        "No application has this code. If you applied recently, please contact the office.",
    )


@dataclass(frozen=True)
class TimelineEntry:
    step: Step
    entered_on: date | None
    completed_on: date | None
    current: bool
    upcoming: bool


@dataclass(frozen=True)
class Notice:
    number: str
    issued_on: date
    reason: Text


@dataclass(frozen=True)
class Appeal:
    to: Text
    days: int
    deadline: date
    legal_basis: str


@dataclass(frozen=True)
class PublicStatus:
    code: str
    permit: PermitType
    step: Step
    outcome: str | None
    submitted_on: date
    due_date: date
    decided_on: date | None
    today: date
    business_days_left: int | None
    business_days_overdue: int | None
    clock_paused_on: date | None
    days_at_step: int
    applicant_deadline: date | None
    missing: list[Text]
    timeline: list[TimelineEntry]
    notices: list[Notice]
    notices_due: int
    ground: Text | None
    appeal: Appeal | None
    office: Office
    department: Text
    updated_at: datetime
    result_notified_on: date | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def applicants_turn(self) -> bool:
        return self.step.turn is Turn.applicant

    @property
    def overdue(self) -> bool:
        return self.business_days_overdue is not None and self.business_days_overdue > 0


@lru_cache(maxsize=1024)
def _ahead(slug: str, step_id: str) -> tuple[str, ...]:
    """The usual road from ``step_id`` to an approval: the steps still to come."""
    permit = default_catalogue()[slug]
    wanted = {Outcome.approved, Outcome.closed}
    previous: dict[str, str | None] = {step_id: None}
    queue = deque([step_id])
    while queue:
        here = queue.popleft()
        step = permit.step(here)
        if step.final and step.outcome in wanted:
            road = []
            while here != step_id:
                road.append(here)
                here = previous[here] or step_id
            return tuple(reversed(road))
        for t in permit.transitions:
            if t.source == here and t.target not in previous:
                previous[t.target] = here
                queue.append(t.target)
    return ()


# The lookup runs on every public request, so it sends plain SQL straight to the driver
# (SQLAlchemy's statement machinery costs more than the indexed reads themselves).
_BY_CODE = (
    "SELECT id, office_id, permit_type, state, outcome, submitted_on, due_date, decided_on,"
    " clock_paused_on, applicant_deadline, state_entered_at, updated_at"
    " FROM application WHERE tracking_code = {code}"
)
_MOVES = (
    "SELECT event, target, occurred_at, transition_kind, ground FROM application_event"
    " WHERE application_id = {id} AND kind <> 'checklist' ORDER BY seq"
)
_NOTICES = (
    "SELECT number, issued_on, reason_th, reason_en FROM delay_notice"
    " WHERE application_id = {id} ORDER BY seq"
)
_CHECKLIST = "SELECT item_id, status FROM checklist_entry WHERE application_id = {id}"


@lru_cache(maxsize=16)
def _sql(template: str, paramstyle: str) -> str:
    names = {"code": "code", "id": "id"}
    if paramstyle == "pyformat":
        return template.format(**{k: f"%({v})s" for k, v in names.items()})
    return template.format(**{k: f":{v}" for k, v in names.items()})


def _rows(connection: Connection, template: str, **params: object) -> list[tuple[Any, ...]]:
    sql = _sql(template, connection.dialect.paramstyle)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class _Row(NamedTuple):
    id: int
    office_id: int
    permit_type: str
    state: str
    outcome: str | None
    submitted_on: date
    due_date: date
    decided_on: date | None
    clock_paused_on: date | None
    applicant_deadline: date | None
    state_entered_at: datetime
    updated_at: datetime


class _Move(NamedTuple):
    event: str
    target: str | None
    occurred_at: datetime
    transition_kind: str | None
    ground: str | None


def lookup(connection: Connection, text: str, today: date) -> PublicStatus:
    """The public status of the application with tracking code ``text``.

    Raises ``CodeMistyped`` (400) for text that cannot be a code, ``NotFound`` (404) for a
    well-formed code no application has.
    """
    code = parse_code(text)
    rows_found = _rows(connection, _BY_CODE, code=code)
    if not rows_found:
        raise unknown_code()
    f = rows_found[0]
    row = _Row(
        f[0],
        f[1],
        f[2],
        f[3],
        f[4],
        _day(f[5]) or today,
        _day(f[6]) or today,
        _day(f[7]),
        _day(f[8]),
        _day(f[9]),
        _moment(f[10]),
        _moment(f[11]),
    )
    permit = default_catalogue()[row.permit_type]
    step = permit.step(row.state)

    moves = [
        _Move(r[0], r[1], _moment(r[2]), r[3], r[4]) for r in _rows(connection, _MOVES, id=row.id)
    ]
    # Delay notices exist only for a file that has been past its due date.
    notices = []
    if (row.decided_on or today) > row.due_date:
        notices = [
            Notice(r[0], _day(r[1]) or today, Text(th=r[2], en=r[3]))
            for r in _rows(connection, _NOTICES, id=row.id)
        ]
    office, calendar = _office_and_calendar(connection, row.office_id)

    missing: list[Text] = []
    if step.turn is Turn.applicant:
        labels = permit.item_labels
        wanted = {item.id for item in step.checklist if item.required}
        for item_id, status in _rows(connection, _CHECKLIST, id=row.id):
            if item_id in labels and (
                status == "missing" or (item_id in wanted and status not in SATISFIED)
            ):
                missing.append(labels[item_id])

    business = permit.service_time.unit.value == "business"
    undecided = row.decided_on is None and row.outcome is None
    left = overdue = None
    if undecided:
        reference = row.clock_paused_on or today
        days = calendar.days_between(reference, row.due_date, business=business)
        if days >= 0:
            left = days
        else:
            overdue = -days

    timeline = _timeline(permit, step, moves)
    ground = appeal = None
    refusal = next((m for m in moves if m.transition_kind == "refuse"), None)
    if refusal is not None and refusal.ground:
        found = permit.ground(refusal.ground)
        ground = found.text if found else None
    if row.outcome == Outcome.refused.value and row.decided_on is not None:
        appeal = Appeal(
            to=permit.appeal.to,
            days=permit.appeal.days,
            deadline=row.decided_on + timedelta(days=permit.appeal.days),
            legal_basis=permit.appeal.legal_basis,
        )
    notified = next(
        (bangkok_date(m.occurred_at) for m in moves if m.event == "notify_result"), None
    )
    return PublicStatus(
        code=codes.format_code(code),
        permit=permit,
        step=step,
        outcome=row.outcome,
        submitted_on=row.submitted_on,
        due_date=row.due_date,
        decided_on=row.decided_on,
        today=today,
        business_days_left=left,
        business_days_overdue=overdue,
        clock_paused_on=row.clock_paused_on,
        days_at_step=max(0, (today - bangkok_date(row.state_entered_at)).days),
        applicant_deadline=row.applicant_deadline if step.turn is Turn.applicant else None,
        missing=missing,
        timeline=timeline,
        notices=notices,
        notices_due=letters_due(row.due_date, today) if overdue else 0,
        ground=ground,
        appeal=appeal,
        office=office,
        department=Text(th=DEPARTMENTS[permit.department][0], en=DEPARTMENTS[permit.department][1]),
        updated_at=row.updated_at,
        result_notified_on=notified,
    )


OFFICE_CACHE_SECONDS = 60.0
_offices: dict[int, tuple[float, Office, BusinessCalendar]] = {}


def _office_and_calendar(connection: Connection, office_id: int) -> tuple[Office, BusinessCalendar]:
    """The office and its calendar, re-read at most once a minute: they change rarely, and
    every public lookup needs them."""
    cached = _offices.get(office_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2]
    o = Office.__table__.c  # type: ignore[attr-defined]
    office = Office(**connection.execute(select(Office).where(o.id == office_id)).one()._mapping)
    d = OfficeDay.__table__.c  # type: ignore[attr-defined]
    days = connection.execute(select(d.day, d.open).where(d.office_id == office_id)).all()
    calendar = BusinessCalendar(
        closures=[r.day for r in days if not r.open], openings=[r.day for r in days if r.open]
    )
    _offices[office_id] = (time.monotonic() + OFFICE_CACHE_SECONDS, office, calendar)
    return office, calendar


def _timeline(permit: PermitType, current: Step, moves: Sequence[Any]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for i, move in enumerate(moves):
        step = permit.step(move.target)
        entered = bangkok_date(move.occurred_at)
        completed = bangkok_date(moves[i + 1].occurred_at) if i + 1 < len(moves) else None
        is_current = i == len(moves) - 1
        entries.append(
            TimelineEntry(step, entered, completed, is_current and not step.final, False)
        )
    if not current.final:
        for step_id in _ahead(permit.slug, current.id):
            entries.append(TimelineEntry(permit.step(step_id), None, None, False, True))
    return entries


def _text(value: Text | None) -> dict[str, str] | None:
    return None if value is None else {"th": value.th, "en": value.en}


def as_json(s: PublicStatus) -> dict[str, object]:
    """The public status as JSON: both languages, ISO dates, no personal data."""
    return {
        "tracking_code": s.code,
        "permit_type": {"slug": s.permit.slug, "name": _text(s.permit.name)},
        "status": {
            "step": s.step.id,
            "label": _text(s.step.label),
            "description": _text(s.step.description),
            "turn": s.step.turn.value,
            "final": s.step.final,
            "outcome": s.outcome,
        },
        "applicant_action": (
            {
                "bring": [_text(item) for item in s.missing],
                "by": s.applicant_deadline.isoformat() if s.applicant_deadline else None,
                "where": {
                    "th": f"{s.department.th}, {s.office.name_th}, {s.office.address_th}",
                    "en": f"{s.department.en}, {s.office.name_en}, {s.office.address_en}",
                },
            }
            if s.applicants_turn
            else None
        ),
        "submitted_on": s.submitted_on.isoformat(),
        "due_date": s.due_date.isoformat(),
        "business_days_left": s.business_days_left,
        "business_days_overdue": s.business_days_overdue,
        "day_unit": s.permit.service_time.unit.value,
        "clock_paused_on": s.clock_paused_on.isoformat() if s.clock_paused_on else None,
        "days_at_current_step": s.days_at_step,
        "timeline": [
            {
                "step": e.step.id,
                "label": _text(e.step.label),
                "entered_on": e.entered_on.isoformat() if e.entered_on else None,
                "completed_on": e.completed_on.isoformat() if e.completed_on else None,
                "current": e.current,
                "upcoming": e.upcoming,
            }
            for e in s.timeline
        ],
        "delay_notices": {
            "due": s.notices_due,
            "sent": [
                {
                    "number": n.number,
                    "issued_on": n.issued_on.isoformat(),
                    "reason": _text(n.reason),
                }
                for n in s.notices
            ],
        },
        "decision": (
            {
                "decided_on": s.decided_on.isoformat() if s.decided_on else None,
                "outcome": s.outcome,
                "ground": _text(s.ground),
                "appeal": (
                    {
                        "to": _text(s.appeal.to),
                        "days": s.appeal.days,
                        "deadline": s.appeal.deadline.isoformat(),
                        "legal_basis": s.appeal.legal_basis,
                    }
                    if s.appeal
                    else None
                ),
                "result_notified_on": (
                    s.result_notified_on.isoformat() if s.result_notified_on else None
                ),
            }
            if s.decided_on or s.step.final
            else None
        ),
        "contact": {
            "department": _text(s.department),
            "office": {"th": s.office.name_th, "en": s.office.name_en},
            "phone": s.office.phone,
            "hours": {"th": s.office.hours_th, "en": s.office.hours_en},
            "complaint": {
                "th": s.office.complaint_th,
                "en": s.office.complaint_en,
                "url": s.office.complaint_url,
            },
            "feedback_url": s.office.feedback_url,
        },
        "updated_at": s.updated_at.isoformat(),
    }
