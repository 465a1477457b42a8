"""The public lookup: the status of the file a tracking code names, in a handful of indexed
reads (``tracking.reads.public.sql``). Everything derived from the permit type is computed
once per type and step; the applicant's turn (``turn``) reads the checklist only then."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import NamedTuple

import orjson
from sqlalchemy import Connection, Engine

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS, Outcome, Text, Turn
from tracking import clock, codes, offices, periods, replica
from tracking.clock import bangkok_date, letters_due
from tracking.delivery import appeal_right
from tracking.reads.public import turn
from tracking.reads.public.offices import office_and_calendar
from tracking.reads.public.sql import as_date, as_day, as_moment, rows
from tracking.reads.public.status import (
    Notice,
    OutstandingItem,
    PublicStatus,
    parse_code,
    unknown_code,
)
from tracking.reads.public.timeline import timeline

_BY_CODE = (
    "SELECT id, office_id, permit_type, state, outcome, submitted_on, due_date, decided_on,"
    " clock_paused_on, applicant_deadline, state_entered_at, updated_at, version"
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
    version: int


class _Move(NamedTuple):
    event: str
    target: str | None
    occurred_at: datetime
    transition_kind: str | None
    ground: str | None


def _application(connection: Connection, code: str) -> _Row:
    found = rows(connection, _BY_CODE, code=code)
    if not found:
        raise unknown_code()
    app_id, office_id, slug, state, outcome, submitted, due, decided, paused, by, at, up, v = found[
        0
    ]
    return _Row(
        app_id,
        office_id,
        slug,
        state,
        outcome,
        as_date(submitted),
        as_date(due),
        as_day(decided),
        as_day(paused),
        as_day(by),
        as_moment(at),
        as_moment(up),
        v,
    )


def lookup_at_least(
    primary: Engine, read: Engine, text: str, today: date, seen: int | None = None
) -> PublicStatus:
    """``lookup`` on the read replica ``read``, by the lag rule of ``tracking.replica``: on
    ``primary`` instead when the replica lacks the file, or has it older than version
    ``seen`` (a receipt's). Raises what ``lookup`` raises."""
    code = parse_code(text)  # a mistyped code is refused before any database is asked
    return replica.prefer_replica(
        primary,
        read,
        lambda connection: lookup(connection, code, today),
        lambda status: seen is None or status.version >= seen,
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
        _Move(r[0], r[1], as_moment(r[2]), r[3], r[4]) for r in rows(connection, _MOVES, id=row.id)
    ]
    # Delay notices exist only for a file that has been past its due date.
    notices = []
    if (row.decided_on or today) > row.due_date:
        notices = [
            Notice(r[0], as_date(r[1]), Text(th=r[2], en=r[3]))
            for r in rows(connection, _NOTICES, id=row.id)
        ]
    office, calendar = office_and_calendar(connection, row.office_id)
    permit = offices.permit_at(office, permit)

    owed: list[OutstandingItem] = []
    deadline = gap = None
    if step.turn is Turn.applicant:
        owed = turn.outstanding(connection, permit, step, row.id)
        deadline, gap = turn.deadline(connection, permit, step, row, calendar)

    left = overdue = None
    if clock.undecided(row.decided_on, row.outcome):
        left, overdue = clock.standing(calendar, permit, row.due_date, row.clock_paused_on, today)

    entries = timeline(permit, step, moves)
    ground = appeal = None
    refusal = next((m for m in moves if m.transition_kind == "refuse"), None)
    if refusal is not None and refusal.ground:
        found = permit.ground(refusal.ground)
        ground = found.text if found else None
    if row.outcome in (Outcome.refused.value, Outcome.returned.value):
        orders = [
            SimpleNamespace(
                seq=r[0], kind=r[1], transition_kind=r[2], occurred_at=as_moment(r[3]), data=r[4]
            )
            for r in rows(connection, _ORDERS, id=row.id)
        ]
        appeal = appeal_right(permit, orders)
    notified = next(
        (bangkok_date(m.occurred_at) for m in moves if m.event == "notify_result"), None
    )
    named = rows(connection, _DUE_RULES, id=row.id, pattern=f"%{periods.DUE_RULE}%")
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
        applicant_deadline=deadline,
        outstanding=owed,
        timeline=entries,
        notices=notices,
        notices_due=letters_due(row.due_date, today) if overdue else 0,
        ground=ground,
        appeal=appeal,
        office=office,
        department=Text(th=DEPARTMENTS[permit.department][0], en=DEPARTMENTS[permit.department][1]),
        updated_at=row.updated_at,
        result_notified_on=notified,
        due_rule=Text(th=rule_th, en=rule_en),
        deadline_gap=gap,
        fee=turn.fee_at(permit, step),
        sum_due=turn.sum_set(connection, permit, step, row.id),
        version=row.version,
    )
