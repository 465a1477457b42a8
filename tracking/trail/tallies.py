"""Tallies of the trail and of the open files, so that compliance figures stay fast at any size.

Each event appended to a trail is counted (``count_event``, called by
``tracking.workflow.recording.record_event``, the one writer), and each change to an undecided
application's due date, clock, decision or delay notices moves it between open-file buckets
(a flush hook sees every such change). The counts are written when the transaction commits, in
one sorted batch per table, so concurrent commits take row locks in
the same order and never deadlock; a rolled-back transaction counts nothing. These hooks are
installed on the project's own session class (``install``, called by ``tracking.db``), never on
every session of the process. ``tracking.trail.rebuild`` recomputes everything from the trail
and the applications alone, and the tests hold the two to the same result.

Event tallies are kept per Bangkok day and again per month, so a long date range adds up
months and only its ragged ends day by day. What each measure counts, on which day, for whom:

==================  ==============  ========  ==========================================
measure             day             actor     key / days / flag
==================  ==============  ========  ==========================================
received            intake          clerk     -
step                event           actor     days = days spent at the step left
approve             event           actor     -
refuse              event           actor     key = refusal ground ('' when none)
decided             decided_on      ''        key = approve|refuse, days = days_to_decision,
                                              flag = decided by the due date
result_notice       decided_on      ''        flag = notified within 7 days of the decision
                                              (the application's first result notice only);
                                              a delivery recorded (``notice`` event) dates it
                                              instead: key ``delivered``, or for an approval
                                              whose sending was counted, ``delivered:sent-``
                                              ``in-time|late`` (the sending row it replaces)
deficiency_request  event           actor     flag = the application's second request
return              event           actor     key = the reason given (first 200 characters)
extension           event           actor     - (an extension of the period, notified)
required_item       event           actor     key = the actor's role, flag = waived (else
                                              verified): an item the file was taken in
                                              with as required, signed off
==================  ==============  ========  ==========================================

Decisions a manager must be able to open (four-eyes breaches, decisions out of turn) are
kept one row each in ``compliance_case``, inserted with the event, from the flags the event
carries (``four_eyes``, ``out_of_turn``): nothing here judges them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, col, func, select

from checklists.schema import DECISIONS, TransitionKind
from tracking import clock, delivery
from tracking.clock import bangkok_date
from tracking.derived import ComplianceCase, ComplianceTally, OpenFileTally
from tracking.models import (
    SATISFIED,
    Application,
    ApplicationEvent,
    ChecklistEntry,
    ChecklistStatus,
    EventKind,
)
from tracking.trail import tally_writes

KEY_LENGTH = 200
DIMENSIONS = (
    "measure",
    "grain",
    "day",
    "office_id",
    "department",
    "permit_type",
    "actor",
    "key",
    "days",
    "flag",
)
OPEN_DIMENSIONS = ("office_id", "department", "permit_type", "due_date", "paused")
OPEN_FIELDS = (
    "office_id",
    "department",
    "permit_type",
    "due_date",
    "clock_paused_on",
    "decided_on",
    "outcome",
    "delay_notices_sent",
)
TALLY = ComplianceTally.__table__  # type: ignore[attr-defined]
OPEN = OpenFileTally.__table__  # type: ignore[attr-defined]
CASE = ComplianceCase.__table__  # type: ignore[attr-defined]
APP = Application.__table__  # type: ignore[attr-defined]
DECISION_KINDS = {k.value for k in DECISIONS}
# The flags of a decision event that each open a case (the flag's name is the case's kind).
CASE_FLAGS = ("four_eyes", "out_of_turn")
PENDING = "tidtam.tallies"


def _prior(session: Session, event: ApplicationEvent, kind: str) -> int:
    """Events of ``kind`` earlier in the trail than ``event``."""
    return int(
        session.execute(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(
                col(ApplicationEvent.application_id) == event.application_id,
                col(ApplicationEvent.seq) < event.seq,
                col(ApplicationEvent.transition_kind) == kind,
            )
        ).scalar_one()
    )


def _required(session: Session, application_id: int, item: str) -> bool:
    """Whether ``item`` is one the file was taken in with as required."""
    with session.no_autoflush:
        required = session.execute(
            select(col(ChecklistEntry.required)).where(
                col(ChecklistEntry.application_id) == application_id,
                col(ChecklistEntry.item_id) == item,
            )
        ).scalar_one_or_none()
    return bool(required)


# The kinds as plain text: comparing with a str enum's member costs seven times as much, on
# the hot path of ``audit verify``'s recount (millions of events).
_INTAKE, _CHECKLIST, _EXTENSION, _NOTICE = (
    EventKind[n].value for n in ("intake", "checklist", "extension", "notice")
)
_APPROVE, _REFUSE, _RESULT_NOTICE, _DEFICIENCY_REQUEST, _RETURN = (
    TransitionKind[n].value
    for n in ("approve", "refuse", "result_notice", "deficiency_request", "return_")
)
_WAIVED = ChecklistStatus.waived.value


def tally_rows(
    application: Any,
    event: Any,
    day: date,
    prior: Callable[[str], int],
    required: Callable[[str], bool],
) -> Iterator[tuple[Any, ...]]:
    """The tally rows one event adds to, as ``DIMENSIONS`` without the grain.

    ``application``: the file as the event left it; ``day``: the event's Bangkok date;
    ``prior(kind)``: the events of that transition kind earlier in the trail;
    ``required(item)``: whether the file was taken in with that checklist item as required.
    The live count (``count_event``) and ``audit verify``'s recount both count with this."""
    kind = event.transition_kind
    base = (application.office_id, application.department, application.permit_type)
    actor = event.actor
    event_kind = event.kind
    if event_kind == _INTAKE:
        yield ("received", day, *base, actor, "", 0, False)
    if event.step_days is not None:
        yield ("step", day, *base, actor, "", event.step_days, False)
    if event_kind == _CHECKLIST and event.target in SATISFIED:
        if required(event.event.removeprefix("checklist:")):
            waived = event.target == _WAIVED
            yield ("required_item", day, *base, actor, event.role[:KEY_LENGTH], 0, waived)
    if event_kind == _EXTENSION:
        yield ("extension", day, *base, actor, "", 0, False)
    if event_kind == _NOTICE:
        yield from _delivered(application, event, base)
    if kind is None:
        return
    if kind == _APPROVE:
        yield ("approve", day, *base, actor, "", 0, False)
    elif kind == _REFUSE:
        yield ("refuse", day, *base, actor, (event.ground or "")[:KEY_LENGTH], 0, False)
    # The decision the workflow dated (the clock sets decided_on with it; imports do not).
    if kind in DECISION_KINDS:
        decided = application.decided_on
        if decided == day and application.days_to_decision is not None:
            on_time = decided <= application.due_date
            days = application.days_to_decision
            yield ("decided", decided, *base, "", kind[:KEY_LENGTH], days, on_time)
    if kind == _RESULT_NOTICE:
        decided = application.decided_on
        if decided is not None and not prior(kind):
            in_time = clock.notified_in_time(decided, day)
            yield ("result_notice", decided, *base, "", "", 0, in_time)
    if kind == _DEFICIENCY_REQUEST:
        yield ("deficiency_request", day, *base, actor, "", 0, prior(kind) == 1)
    if kind == _RETURN:
        yield ("return", day, *base, actor, event.reason[:KEY_LENGTH], 0, False)


def _delivered(application: Any, event: Any, base: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The result-notice row of a recorded delivery of a decision, dated by its delivery."""
    found = delivery.read_delivery(event.data)
    decided = application.decided_on
    if found.order not in DECISION_KINDS or decided is None:
        return
    key = "delivered"
    if found.result_sent_on is not None:
        sent = clock.notified_in_time(decided, found.result_sent_on)
        key = DELIVERED_AFTER_SENDING[sent]
    in_time = clock.notified_in_time(decided, found.notified_on)
    yield ("result_notice", decided, *base, "", key, 0, in_time)


DELIVERED_AFTER_SENDING = {True: "delivered:sent-in-time", False: "delivered:sent-late"}


# The transition kinds whose tally rows read the file's facts as the event left them (its
# decision and due dates); the rows of every other event read only the file's office,
# department and permit type, which no event changes.
READS_FACTS = frozenset({*DECISION_KINDS, TransitionKind.result_notice.value})


def grains(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The day and the month tally keys (``DIMENSIONS``) of a row of ``tally_rows``."""
    measure, day, *rest = row
    return (measure, "d", day, *rest), (measure, "m", _month(day), *rest)


@lru_cache(maxsize=4096)
def _month(day: date) -> date:
    return day.replace(day=1)


def case_rows(application: Any, event: Any, day: date) -> Iterator[dict[str, Any]]:
    """The compliance cases a decision event opens on ``day`` (its Bangkok date): one per
    flag it carries."""
    if event.transition_kind not in DECISION_KINDS:
        return
    for flag in CASE_FLAGS:
        if getattr(event, flag):
            yield {
                "kind": flag,
                "application_id": application.id,
                "seq": event.seq,
                "office_id": application.office_id,
                "day": day,
                "occurred_at": event.occurred_at,
                "department": application.department,
                "permit_type": application.permit_type,
                "actor": event.actor,
                "reason": event.reason,
            }


@dataclass
class Pending:
    """What a transaction has counted so far: event tallies, and open-file moves as
    [files, notices] per bucket."""

    tally: defaultdict[tuple[Any, ...], int] = field(default_factory=lambda: defaultdict(int))
    open: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)


def _pending(session: OrmSession) -> Pending:
    pending = session.info.setdefault(PENDING, Pending())
    assert isinstance(pending, Pending)
    return pending


def count_event(session: Session, application: Application, event: ApplicationEvent) -> None:
    """Count ``event`` (not yet in the session) toward the tallies written at commit, and
    record the cases it makes."""
    assert application.id is not None
    counted = _pending(session).tally
    day = bangkok_date(event.occurred_at)
    rows = tally_rows(
        application,
        event,
        day,
        lambda kind: _prior(session, event, kind),
        lambda item: _required(session, event.application_id, item),
    )
    for row in rows:
        for key in grains(row):
            counted[key] += 1
    cases = list(case_rows(application, event, day))
    if cases:
        session.execute(insert(CASE), cases)


def open_bucket(values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The open-file bucket of an application with these column values, if it counts."""
    if not clock.undecided(values["decided_on"], values["outcome"]):
        return None
    paused = values["clock_paused_on"]
    if not clock.can_run_late(values["due_date"], paused):
        return None
    return (
        values["office_id"],
        values["department"],
        values["permit_type"],
        values["due_date"],
        paused is not None,
    )


def _committed_values(session: OrmSession, application: Application) -> dict[str, Any]:
    """The application's columns as the database holds them, before this flush."""
    state = inspect(application)
    values = {
        name: state.committed_state.get(name, getattr(application, name)) for name in OPEN_FIELDS
    }
    if any(value is NO_VALUE for value in values.values()):
        stored = (
            session.connection()
            .execute(
                select(*[APP.c[name] for name in OPEN_FIELDS]).where(APP.c.id == application.id)
            )
            .one()
        )
        values = dict(zip(OPEN_FIELDS, stored, strict=True))
    return values


def _move_open_files(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Move each new or changed application between open-file buckets."""
    moves = _pending(session).open
    for application in list(session.new) + list(session.dirty):
        if not isinstance(application, Application):
            continue
        now = {name: getattr(application, name) for name in OPEN_FIELDS}
        before = None if application in session.new else _committed_values(session, application)
        if before == now:
            continue
        for values, sign in ((before, -1), (now, 1)):
            bucket = open_bucket(values) if values is not None else None
            if values is not None and bucket is not None:
                files, notices = moves.get(bucket, [0, 0])
                sent = int(values["delay_notices_sent"] or 0)
                moves[bucket] = [files + sign, notices + sign * sent]


def _batches(pending: Pending) -> list[tally_writes.Batch]:
    """The upserts of what a transaction counted: per table, its rows in key order (run in
    that order, concurrent commits lock shared rows alike)."""
    batches: list[tally_writes.Batch] = []
    tally = sorted(pending.tally.items())
    if tally:
        rows = [{**dict(zip(DIMENSIONS, key, strict=True)), "count": n} for key, n in tally]
        batches.append((TALLY, DIMENSIONS, rows))
    moves = sorted((k, v) for k, v in pending.open.items() if v != [0, 0])
    if moves:
        rows = [
            {**dict(zip(OPEN_DIMENSIONS, key, strict=True)), "files": n, "notices": sent}
            for key, (n, sent) in moves
        ]
        batches.append((OPEN, OPEN_DIMENSIONS, rows))
    return batches


def _write(session: OrmSession) -> None:
    """Write what this transaction counted (``tracking.trail.tally_writes``: on PostgreSQL
    with the COMMIT itself)."""
    session.flush()  # the last changes move open files too
    pending = session.info.pop(PENDING, None)
    if pending is not None:
        tally_writes.write(session, _batches(pending))


def _discard(session: OrmSession) -> None:
    session.info.pop(PENDING, None)


def install(session_class: type[OrmSession]) -> None:
    """Keep the tallies on every session of ``session_class`` (and its subclasses only)."""
    sa_event.listen(session_class, "before_flush", _move_open_files)
    sa_event.listen(session_class, "before_commit", _write)
    sa_event.listen(session_class, "after_rollback", _discard)
