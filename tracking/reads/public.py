"""What a citizen sees for a tracking code: status, whose turn, what is missing, deadlines,
the timeline, delay notices and the decision. Never the applicant's name, ID number, phone,
e-mail or exact address.

The lookup is the public hot path, so every query in this module, the office and its
calendar included, goes one way: plain SQL handed straight to the driver's cursor by
``_rows``, with ``{name}`` placeholders that ``_sql`` turns into the driver's own style once
per statement. SQLAlchemy's statement compilation and result processing cost more than the
indexed reads themselves; one style for all the reads keeps a single place that knows how
the driver is called and how its values (SQLite's ISO text, PostgreSQL's dates) become
Python dates. Everything derived from the permit type is computed once per type and step.

The response shapes (JSON, HTML) are the web layer's; this module says what is true.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS, Outcome, PermitType, Step, Text, Turn
from tracking import clock, codes, periods
from tracking.clock import BusinessCalendar, bangkok_date, calendar_of, letters_due
from tracking.delivery import AppealRight, appeal_right
from tracking.errors import DomainError, NotFound
from tracking.models import SATISFIED, Office
from tracking.workflow.rules import current_deadline

# The outcomes that end a file with the office's decision on it; a returned or withdrawn
# file ends without one.
DECISION_OUTCOMES = frozenset(
    {Outcome.approved, Outcome.refused, Outcome.closed, Outcome.prosecuted}
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
    # The route the order names; its deadline runs from the recorded delivery.
    appeal: AppealRight | None
    office: Office
    department: Text
    updated_at: datetime
    result_notified_on: date | None = None
    # The rule that set the due date (tracking.periods.describe).
    due_rule: Text | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def applicants_turn(self) -> bool:
        return self.step.turn is Turn.applicant

    @property
    def overdue(self) -> bool:
        return self.business_days_overdue is not None and self.business_days_overdue > 0

    @property
    def undecided(self) -> bool:
        """Neither decided nor ended: the service clock still counts toward the due date."""
        return clock.undecided(self.decided_on, self.outcome)

    @property
    def decided(self) -> bool:
        """The office has decided the file: a decision is recorded, or the file ended at a
        final step whose outcome is a decision (not returned, not withdrawn)."""
        return self.decided_on is not None or (
            self.step.final and self.outcome in DECISION_OUTCOMES
        )

    @property
    def result(self) -> str | None:
        """What the office decided (an ``Outcome`` value), None while it has not: the final
        step's outcome or, for a decision recorded before the file reaches it, refused if a
        ground was cited and approved otherwise."""
        if not self.decided:
            return None
        return self.outcome or (Outcome.refused if self.ground else Outcome.approved).value


@lru_cache(maxsize=1024)
def _ahead(slug: str, step_id: str) -> tuple[str, ...]:
    """The usual road from ``step_id`` to an approval: the steps still to come."""
    road = default_catalogue()[slug].road(step_id, {Outcome.approved, Outcome.closed})
    return tuple(t.target for t in road)


_BY_CODE = (
    "SELECT id, office_id, permit_type, state, outcome, submitted_on, due_date, decided_on,"
    " clock_paused_on, applicant_deadline, state_entered_at, updated_at"
    " FROM application WHERE tracking_code = {code}"
)
_MOVES = (
    "SELECT event, target, occurred_at, transition_kind, ground FROM application_event"
    " WHERE application_id = {id} AND kind IN ('intake', 'transition') ORDER BY seq"
)
# The events that named the rule of the due date they set (tracking.periods.DUE_RULE).
_DUE_RULES = (
    "SELECT kind, data FROM application_event WHERE application_id = {id}"
    " AND data LIKE {pattern} ORDER BY seq"
)
# The order of a closed file and how it reached the applicant (``tracking.delivery``).
_ORDERS = (
    "SELECT seq, kind, transition_kind, occurred_at, data FROM application_event"
    " WHERE application_id = {id} AND (kind = 'notice'"
    " OR transition_kind IN ('approve', 'refuse', 'return', 'result_notice')) ORDER BY seq"
)
_NOTICES = (
    "SELECT number, issued_on, reason_th, reason_en FROM delay_notice"
    " WHERE application_id = {id} ORDER BY seq"
)
_CHECKLIST = "SELECT item_id, status FROM checklist_entry WHERE application_id = {id}"
_OFFICE_COLUMNS = tuple(Office.model_fields)
_OFFICE = f"SELECT {', '.join(_OFFICE_COLUMNS)} FROM office WHERE id = {{id}}"
_OFFICE_DAYS = "SELECT day, open FROM officeday WHERE office_id = {id}"


class _Placeholders(dict[str, str]):
    """``{name}`` in a statement, written in the driver's parameter style."""

    def __init__(self, paramstyle: str) -> None:
        super().__init__()
        self.pyformat = paramstyle == "pyformat"

    def __missing__(self, name: str) -> str:
        return f"%({name})s" if self.pyformat else f":{name}"


@lru_cache(maxsize=32)
def _sql(template: str, paramstyle: str) -> str:
    return template.format_map(_Placeholders(paramstyle))


def _rows(connection: Connection, template: str, **params: object) -> list[tuple[Any, ...]]:
    """The rows of one statement, run on the driver's own cursor."""
    sql = _sql(template, connection.dialect.paramstyle)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _day(value: Any) -> date | None:
    return None if value is None else _date(value)


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


def _application(connection: Connection, code: str) -> _Row:
    found = _rows(connection, _BY_CODE, code=code)
    if not found:
        raise unknown_code()
    app_id, office_id, slug, state, outcome, submitted, due, decided, paused, by, at, up = found[0]
    return _Row(
        app_id,
        office_id,
        slug,
        state,
        outcome,
        _date(submitted),
        _date(due),
        _day(decided),
        _day(paused),
        _day(by),
        _moment(at),
        _moment(up),
    )


def lookup(connection: Connection, text: str, today: date) -> PublicStatus:
    """The public status of the application with tracking code ``text``.

    Raises ``CodeMistyped`` (400) for text that cannot be a code, ``NotFound`` (404) for a
    well-formed code no application has.
    """
    code = parse_code(text)
    row = _application(connection, code)
    permit = default_catalogue()[row.permit_type]
    step = permit.step(row.state)

    moves = [
        _Move(r[0], r[1], _moment(r[2]), r[3], r[4]) for r in _rows(connection, _MOVES, id=row.id)
    ]
    # Delay notices exist only for a file that has been past its due date.
    notices = []
    if (row.decided_on or today) > row.due_date:
        notices = [
            Notice(r[0], _date(r[1]), Text(th=r[2], en=r[3]))
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

    left = overdue = None
    if clock.undecided(row.decided_on, row.outcome):
        left, overdue = clock.standing(calendar, permit, row.due_date, row.clock_paused_on, today)

    timeline = _timeline(permit, step, moves)
    ground = appeal = None
    refusal = next((m for m in moves if m.transition_kind == "refuse"), None)
    if refusal is not None and refusal.ground:
        found = permit.ground(refusal.ground)
        ground = found.text if found else None
    if row.outcome in (Outcome.refused.value, Outcome.returned.value):
        orders = [
            SimpleNamespace(
                seq=r[0], kind=r[1], transition_kind=r[2], occurred_at=_moment(r[3]), data=r[4]
            )
            for r in _rows(connection, _ORDERS, id=row.id)
        ]
        appeal = appeal_right(permit, orders)
    notified = next(
        (bangkok_date(m.occurred_at) for m in moves if m.event == "notify_result"), None
    )
    named = _rows(connection, _DUE_RULES, id=row.id, pattern=f"%{periods.DUE_RULE}%")
    rule = periods.rule_of(orjson.loads(data or "{}") for _, data in named)
    extended = sum(1 for kind, _ in named if kind == "extension")
    rule_th, rule_en = periods.describe(permit, rule, extended)
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
        applicant_deadline=current_deadline(permit, row, calendar)
        if step.turn is Turn.applicant
        else None,
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
        due_rule=Text(th=rule_th, en=rule_en),
    )


OFFICE_CACHE_SECONDS = 60.0
_offices: dict[int, tuple[float, Office, BusinessCalendar]] = {}


def _office_and_calendar(connection: Connection, office_id: int) -> tuple[Office, BusinessCalendar]:
    """The office and its calendar, re-read at most once a minute: they change rarely, and
    every public lookup needs them."""
    cached = _offices.get(office_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2]
    (found,) = _rows(connection, _OFFICE, id=office_id)
    office = Office(**dict(zip(_OFFICE_COLUMNS, found, strict=True)))
    days = _rows(connection, _OFFICE_DAYS, id=office_id)
    calendar = calendar_of((_date(day), bool(is_open)) for day, is_open in days)
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
