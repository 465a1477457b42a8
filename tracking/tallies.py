"""Daily tallies of the trail, so that compliance figures stay fast at any size.

Each event appended to a trail (``tracking.audit.append_event``, the one writer) adds to the
tallies in the same transaction; ``rebuild`` recomputes them from the trail alone, and the tests
hold the two to the same result. What each measure counts, on which day, for whom:

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
kept one row each in ``compliance_case``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, text
from sqlalchemy.dialects import postgresql, sqlite
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
)

NOTICE_DAYS = 7
KEY_LENGTH = 200
DIMENSIONS = [
    "measure",
    "day",
    "office_id",
    "department",
    "permit_type",
    "actor",
    "key",
    "days",
    "flag",
]
TALLY = ComplianceTally.__table__  # type: ignore[attr-defined]
CASE = ComplianceCase.__table__  # type: ignore[attr-defined]
DECISION_KINDS = {k.value for k in DECISIONS}


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


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TALLY).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=DIMENSIONS,
            set_={"count": TALLY.c.count + statement.excluded.count},
        )
    )


def count_event(session: Session, application: Application, event: ApplicationEvent) -> None:
    """Add ``event`` (not yet in the session) to the tallies and cases."""
    rows = list(_counts(session, application, event))
    if rows:
        _upsert(session, rows)
    cases = list(_cases(session, application, event))
    if cases:
        session.execute(insert(CASE), cases)


# --- Rebuilding from the trail ------------------------------------------------------------------


def _local_day(dialect: str, column: str) -> str:
    """SQL for the Bangkok date of a UTC timestamp column (Thailand keeps UTC+7 all year)."""
    if dialect == "postgresql":
        return f"CAST({column} AT TIME ZONE 'Asia/Bangkok' AS DATE)"
    return f"date({column}, '+7 hours')"


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
    """Recompute every tally and case from the trail and the applications. For migrations,
    bulk imports and after the catalogue's review items change; idempotent."""
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
        SELECT measure, day, office_id, department, permit_type, actor, key, days, flag,
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
        SELECT 'step', {day}, {base}, e.actor, '', e.step_days, FALSE, COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.step_days IS NOT NULL
        GROUP BY {day}, {base}, e.actor, e.step_days""",
        # The second deficiency request of an application is flagged.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'deficiency_request', {day}, {base}, e.actor, '', 0,
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
        SELECT 'decided', a.decided_on, {base}, '',
               CASE WHEN a.outcome = 'refused' THEN 'refuse' ELSE 'approve' END AS key,
               a.days_to_decision,
               CASE WHEN a.decided_on <= a.due_date THEN TRUE ELSE FALSE END AS on_time,
               COUNT(*)
        FROM application a
        WHERE a.decided_on IS NOT NULL AND a.days_to_decision IS NOT NULL
        GROUP BY a.decided_on, {base}, key, a.days_to_decision, on_time""",
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'result_notice', a.decided_on, {base}, '', '', 0,
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
        """UPDATE application SET delay_notices_sent =
            (SELECT COUNT(*) FROM delay_notice d WHERE d.application_id = application.id)""",
    ]
    for statement in statements:
        connection.execute(text(statement))
