"""Tallies of the trail and of the open files, so that compliance figures stay fast at any size.

Each event appended to a trail (``tracking.audit.append_event``, the one writer) is counted, and
each change to an undecided application's due date, clock, decision or delay notices moves it
between open-file buckets (a flush hook sees every such change). The counts are written when
the transaction commits, in one sorted batch per table, so concurrent commits take row locks in
the same order and never deadlock; a rolled-back transaction counts nothing. ``rebuild``
recomputes everything from the trail and the applications alone, and the tests hold the two to
the same result.

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
==================  ==============  ========  ==========================================

Decisions a manager must be able to open (four-eyes breaches, decisions out of turn) are
kept one row each in ``compliance_case``, inserted with the event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, inspect, text
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, col, func, select

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS, TransitionKind
from tracking import rules
from tracking.calendar import bangkok_date
from tracking.models import (
    Application,
    ApplicationEvent,
    ComplianceCase,
    ComplianceTally,
    EventKind,
    OpenFileTally,
)

NOTICE_DAYS = 7
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
PENDING = "tidtam.tallies"


def _prior(session: Session, application_id: int, kind: TransitionKind) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(
                col(ApplicationEvent.application_id) == application_id,
                col(ApplicationEvent.transition_kind) == kind.value,
            )
        ).scalar_one()
    )


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
    # The decision the workflow dated (services sets decided_on with it; imports do not).
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
        if not _prior(session, application.id, TransitionKind.result_notice):
            late = (today - decided).days > NOTICE_DAYS
            yield row("result_notice", day=decided, actor="", flag=not late)
    if kind == TransitionKind.deficiency_request.value:
        second = _prior(session, application.id, TransitionKind.deficiency_request) == 1
        yield row("deficiency_request", flag=second)
    if kind == TransitionKind.return_.value:
        yield row("return", key=event.reason)


def _cases(
    session: Session, application: Application, event: ApplicationEvent
) -> Iterator[dict[str, Any]]:
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
    permit = default_catalogue().types.get(application.permit_type)
    if permit is not None:
        history = rules.history(session, application.id)
        if event.actor in rules.reviewers(permit, history):
            yield {**case, "kind": "four_eyes"}
    if event.out_of_turn:
        yield {**case, "kind": "out_of_turn"}


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
    cases = list(_cases(session, application, event))
    if cases:
        session.execute(insert(CASE), cases)


def _bucket(values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The open-file bucket of an application with these column values, if it counts."""
    if values["decided_on"] is not None or values["outcome"] is not None:
        return None
    paused = values["clock_paused_on"]
    if paused is not None and paused <= values["due_date"]:
        return None  # stopped in time: not overdue while the applicant has the file
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


@sa_event.listens_for(OrmSession, "before_flush")
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


@sa_event.listens_for(OrmSession, "before_commit")
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


@sa_event.listens_for(OrmSession, "after_rollback")
def _discard(session: OrmSession) -> None:
    session.info.pop(PENDING, None)


# --- Rebuilding from the trail ------------------------------------------------------------------


def _local_day(dialect: str, column: str) -> str:
    """SQL for the Bangkok date of a UTC timestamp column (Thailand keeps UTC+7 all year)."""
    if dialect == "postgresql":
        return f"CAST({column} AT TIME ZONE 'Asia/Bangkok' AS DATE)"
    return f"date({column}, '+7 hours')"


def _month(dialect: str, column: str) -> str:
    """SQL for the first day of the month of a date column."""
    if dialect == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS DATE)"
    return f"date({column}, 'start of month')"


def _days(dialect: str, later: str, earlier: str) -> str:
    if dialect == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _review_condition() -> str:
    """SQL (over alias ``r`` joined to ``a``) for an event that makes its actor a reviewer of
    the file, as ``tracking.rules.reviewers`` judges it."""
    review_kinds = ", ".join(f"'{k}'" for k in sorted(rules.REVIEW_KINDS))
    per_type = []
    for slug, permit in sorted(default_catalogue().items()):
        items = sorted(
            f"'checklist:{i.id}'" for i in permit.items() if i.kind in rules.REVIEW_ITEMS
        )
        if items:
            per_type.append(f"(a.permit_type = '{slug}' AND r.event IN ({', '.join(items)}))")
    verified = (
        f" OR (r.kind = 'checklist' AND r.target = 'verified' AND ({' OR '.join(per_type)}))"
        if per_type
        else ""
    )
    return f"(r.transition_kind IN ({review_kinds}){verified})"


def rebuild(connection: Connection) -> None:
    """Recompute every tally, case and open-file count from the trail and the applications.
    For migrations, bulk imports and after the catalogue's review items change; idempotent."""
    dialect = connection.dialect.name
    day = _local_day(dialect, "e.occurred_at")
    decisions = ", ".join(f"'{k}'" for k in sorted(DECISION_KINDS))
    tally_columns = ", ".join([*DIMENSIONS, "count"])
    base = "a.office_id, a.department, a.permit_type"
    statements = [
        "DELETE FROM compliance_tally",
        "DELETE FROM compliance_case",
        # Per event.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT measure, 'd', day, office_id, department, permit_type, actor, key, days, flag,
               COUNT(*)
        FROM (
            SELECT CASE
                     WHEN e.kind = 'intake' THEN 'received'
                     WHEN e.transition_kind = 'approve' THEN 'approve'
                     WHEN e.transition_kind = 'refuse' THEN 'refuse'
                     WHEN e.transition_kind = 'return' THEN 'return'
                   END AS measure,
                   {day} AS day, {base}, e.actor,
                   CASE
                     WHEN e.transition_kind = 'refuse' THEN COALESCE(e.ground, '')
                     WHEN e.transition_kind = 'return' THEN SUBSTR(e.reason, 1, {KEY_LENGTH})
                     ELSE ''
                   END AS key,
                   0 AS days, FALSE AS flag
            FROM application_event e JOIN application a ON a.id = e.application_id
            WHERE e.kind = 'intake' OR e.transition_kind IN ('approve', 'refuse', 'return')
        ) t
        GROUP BY measure, day, office_id, department, permit_type, actor, key, days, flag""",
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'step', 'd', {day}, {base}, e.actor, '', e.step_days, FALSE, COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.step_days IS NOT NULL
        GROUP BY {day}, {base}, e.actor, e.step_days""",
        # The second deficiency request of an application is flagged.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'deficiency_request', 'd', {day}, {base}, e.actor, '', 0,
               CASE WHEN (SELECT COUNT(*) FROM application_event p
                          WHERE p.application_id = e.application_id
                            AND p.transition_kind = 'deficiency_request'
                            AND p.seq < e.seq) = 1 THEN TRUE ELSE FALSE END AS second,
               COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.transition_kind = 'deficiency_request'
        GROUP BY {day}, {base}, e.actor, second""",
        # Per application: its workflow decision, then its first result notice.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'decided', 'd', a.decided_on, {base}, '',
               CASE WHEN a.outcome = 'refused' THEN 'refuse' ELSE 'approve' END AS key,
               a.days_to_decision,
               CASE WHEN a.decided_on <= a.due_date THEN TRUE ELSE FALSE END AS on_time,
               COUNT(*)
        FROM application a
        WHERE a.decided_on IS NOT NULL AND a.days_to_decision IS NOT NULL
        GROUP BY a.decided_on, {base}, key, a.days_to_decision, on_time""",
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'result_notice', 'd', a.decided_on, {base}, '', '', 0,
               CASE WHEN {_days(dialect, "n.day", "a.decided_on")} <= {NOTICE_DAYS}
                    THEN TRUE ELSE FALSE END AS in_time,
               COUNT(*)
        FROM application a
        JOIN (SELECT e.application_id, MIN({day}) AS day FROM application_event e
              WHERE e.transition_kind = 'result_notice' GROUP BY e.application_id) n
          ON n.application_id = a.id
        WHERE a.decided_on IS NOT NULL
        GROUP BY a.decided_on, {base}, in_time""",
        f"""INSERT INTO compliance_case (kind, application_id, seq, office_id, day, occurred_at,
                                     department, permit_type, actor, reason)
        SELECT 'four_eyes', e.application_id, e.seq, a.office_id, {day}, e.occurred_at,
               a.department, a.permit_type, e.actor, e.reason
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.transition_kind IN ({decisions})
          AND EXISTS (SELECT 1 FROM application_event r
                      WHERE r.application_id = e.application_id AND r.actor = e.actor
                        AND r.seq < e.seq AND {_review_condition()})""",
        f"""INSERT INTO compliance_case (kind, application_id, seq, office_id, day, occurred_at,
                                     department, permit_type, actor, reason)
        SELECT 'out_of_turn', e.application_id, e.seq, a.office_id, {day}, e.occurred_at,
               a.department, a.permit_type, e.actor, e.reason
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.transition_kind IN ({decisions}) AND e.out_of_turn""",
        # Months, from the days.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT measure, 'm', {_month(dialect, "day")} AS month, office_id, department,
               permit_type, actor, key, days, flag, SUM(count)
        FROM compliance_tally WHERE grain = 'd'
        GROUP BY measure, month, office_id, department, permit_type, actor, key, days, flag""",
        """UPDATE application SET delay_notices_sent =
            (SELECT COUNT(*) FROM delay_notice d WHERE d.application_id = application.id)""",
        "DELETE FROM open_file_tally",
        """INSERT INTO open_file_tally (office_id, department, permit_type, due_date, paused,
                                     files, notices)
        SELECT office_id, department, permit_type, due_date,
               CASE WHEN clock_paused_on IS NULL THEN FALSE ELSE TRUE END AS paused,
               COUNT(*), SUM(delay_notices_sent)
        FROM application
        WHERE decided_on IS NULL AND outcome IS NULL
          AND (clock_paused_on IS NULL OR clock_paused_on > due_date)
        GROUP BY office_id, department, permit_type, due_date, paused""",
    ]
    for statement in statements:
        connection.execute(text(statement))
