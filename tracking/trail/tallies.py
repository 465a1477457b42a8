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
                                              (the application's first result notice only)
deficiency_request  event           actor     flag = the application's second request
return              event           actor     key = the reason given (first 200 characters)
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, col, func, select

from checklists.schema import DECISIONS, TransitionKind
from tracking import clock
from tracking.clock import bangkok_date
from tracking.models import (
    SATISFIED,
    Application,
    ApplicationEvent,
    ChecklistEntry,
    ChecklistStatus,
    ComplianceCase,
    ComplianceTally,
    EventKind,
    OpenFileTally,
)

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


def _prior(session: Session, event: ApplicationEvent, kind: TransitionKind) -> int:
    """Events of ``kind`` earlier in the trail than ``event``."""
    return int(
        session.execute(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(
                col(ApplicationEvent.application_id) == event.application_id,
                col(ApplicationEvent.seq) < event.seq,
                col(ApplicationEvent.transition_kind) == kind.value,
            )
        ).scalar_one()
    )


def _required(session: Session, event: ApplicationEvent) -> bool:
    """Whether the checklist item of ``event`` is one the file was taken in with as required."""
    item = event.event.removeprefix("checklist:")
    with session.no_autoflush:
        required = session.execute(
            select(col(ChecklistEntry.required)).where(
                col(ChecklistEntry.application_id) == event.application_id,
                col(ChecklistEntry.item_id) == item,
            )
        ).scalar_one_or_none()
    return bool(required)


def _counts(
    session: Session, application: Application, event: ApplicationEvent
) -> Iterator[dict[str, Any]]:
    """The tally rows one event adds to, before it joins the trail."""
    assert application.id is not None
    today = bangkok_date(event.occurred_at)
    kind = event.transition_kind

    def row(
        measure: str,
        *,
        day: date = today,
        actor: str = event.actor,
        key: str = "",
        days: int = 0,
        flag: bool = False,
    ) -> dict[str, Any]:
        return {
            "measure": measure,
            "day": day,
            "office_id": application.office_id,
            "department": application.department,
            "permit_type": application.permit_type,
            "actor": actor,
            "key": key[:KEY_LENGTH],
            "days": days,
            "flag": flag,
            "count": 1,
        }

    if event.kind == EventKind.intake:
        yield row("received")
    if event.step_days is not None:
        yield row("step", days=event.step_days)
    if kind == TransitionKind.approve.value:
        yield row("approve")
    elif kind == TransitionKind.refuse.value:
        yield row("refuse", key=event.ground or "")
    # The decision the workflow dated (the clock sets decided_on with it; imports do not).
    decided = application.decided_on
    if kind in DECISION_KINDS and decided == today and application.days_to_decision is not None:
        yield row(
            "decided",
            day=decided,
            actor="",
            key=kind,
            days=application.days_to_decision,
            flag=decided <= application.due_date,
        )
    if kind == TransitionKind.result_notice.value and decided is not None:
        if not _prior(session, event, TransitionKind.result_notice):
            in_time = clock.notified_in_time(decided, today)
            yield row("result_notice", day=decided, actor="", flag=in_time)
    if kind == TransitionKind.deficiency_request.value:
        second = _prior(session, event, TransitionKind.deficiency_request) == 1
        yield row("deficiency_request", flag=second)
    if kind == TransitionKind.return_.value:
        yield row("return", key=event.reason)
    if event.kind == EventKind.checklist and event.target in SATISFIED:
        if _required(session, event):
            waived = event.target == ChecklistStatus.waived
            yield row("required_item", key=event.role, flag=waived)


def _cases(application: Application, event: ApplicationEvent) -> Iterator[dict[str, Any]]:
    if event.transition_kind not in DECISION_KINDS:
        return
    assert application.id is not None
    case = {
        "application_id": application.id,
        "seq": event.seq,
        "office_id": application.office_id,
        "day": bangkok_date(event.occurred_at),
        "occurred_at": event.occurred_at,
        "department": application.department,
        "permit_type": application.permit_type,
        "actor": event.actor,
        "reason": event.reason,
    }
    for flag in CASE_FLAGS:
        if getattr(event, flag):
            yield {**case, "kind": flag}


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
    counted = _pending(session).tally
    for row in _counts(session, application, event):
        key = tuple(row[name] for name in DIMENSIONS if name != "grain")
        counted[(key[0], "d", *key[1:])] += 1
        counted[(key[0], "m", row["day"].replace(day=1), *key[2:])] += 1
    cases = list(_cases(application, event))
    if cases:
        session.execute(insert(CASE), cases)


def _bucket(values: dict[str, Any]) -> tuple[Any, ...] | None:
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
            bucket = _bucket(values) if values is not None else None
            if values is not None and bucket is not None:
                files, notices = moves.get(bucket, [0, 0])
                sent = int(values["delay_notices_sent"] or 0)
                moves[bucket] = [files + sign, notices + sign * sent]


def _upsert(
    session: OrmSession, table: Any, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    totals = [c.name for c in table.columns if c.name not in keys]
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + statement.excluded[name] for name in totals},
        )
    )


def _write(session: OrmSession) -> None:
    """Write what this transaction counted, in key order."""
    session.flush()  # the last changes move open files too
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    tally = sorted(pending.tally.items())
    if tally:
        _upsert(
            session,
            TALLY,
            DIMENSIONS,
            [{**dict(zip(DIMENSIONS, key, strict=True)), "count": n} for key, n in tally],
        )
    moves = sorted((k, v) for k, v in pending.open.items() if v != [0, 0])
    if moves:
        _upsert(
            session,
            OPEN,
            OPEN_DIMENSIONS,
            [
                {**dict(zip(OPEN_DIMENSIONS, key, strict=True)), "files": n, "notices": sent}
                for key, (n, sent) in moves
            ],
        )


def _discard(session: OrmSession) -> None:
    session.info.pop(PENDING, None)


def install(session_class: type[OrmSession]) -> None:
    """Keep the tallies on every session of ``session_class`` (and its subclasses only)."""
    sa_event.listen(session_class, "before_flush", _move_open_files)
    sa_event.listen(session_class, "before_commit", _write)
    sa_event.listen(session_class, "after_rollback", _discard)
