"""Whether the office follows its discretion guidelines and the Licensing Facilitation Act.

Every measure is a SQL aggregate over applications and their trail, filterable by date range,
department, permit type and officer. Python only finishes small results: percentiles from
per-day histograms, and robust z-scores across a department's officers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlmodel import Session, col

from checklists.loader import default_catalogue
from checklists.schema import ItemKind, TransitionKind
from tracking.models import Application, ApplicationEvent, DelayNotice
from tracking.queries import overdue_clause
from tracking.services import BANGKOK

NOTICE_DAYS = 7
OUTLIER_Z = 3.0
MIN_CASES = 3
LIST_LIMIT = 50
REVIEW_ITEM_KINDS = {ItemKind.inspection, ItemKind.review, ItemKind.opinion}


@dataclass(frozen=True)
class Filters:
    """Which applications and events count: decisions and events dated within the range
    (Bangkok dates, inclusive), of a department, a permit type, and an officer's actions."""

    date_from: date | None = None
    date_to: date | None = None
    department: str | None = None
    permit_type: str | None = None
    officer: str | None = None


E = ApplicationEvent
A = Application


def day_start(day: date, end: bool = False) -> datetime:
    local = datetime.combine(day + timedelta(days=1) if end else day, time(), BANGKOK)
    return local.astimezone(UTC)


def _app_filters(f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.department:
        where.append(col(A.department) == f.department)
    if f.permit_type:
        where.append(col(A.permit_type) == f.permit_type)
    return where


def _decided_in(f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(A.decided_on).is_not(None)]
    if f.date_from:
        where.append(col(A.decided_on) >= f.date_from)
    if f.date_to:
        where.append(col(A.decided_on) <= f.date_to)
    return where + _app_filters(f)


def _events_in(f: Filters, *kinds: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(E.transition_kind).in_(kinds)]
    if f.date_from:
        where.append(col(E.occurred_at) >= day_start(f.date_from))
    if f.date_to:
        where.append(col(E.occurred_at) < day_start(f.date_to, end=True))
    if f.officer:
        where.append(col(E.actor) == f.officer)
    return where + _app_filters(f)


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    """Whole calendar days from ``earlier`` to ``later`` (dates or timestamps), in SQL.
    Timestamps count by their UTC date, which can be a day off Bangkok's near midnight."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(later, Date) - cast(earlier, Date)
    return cast(func.julianday(func.date(later)) - func.julianday(func.date(earlier)), Integer)


def _percentile(histogram: Iterable[tuple[int, int]], share: float) -> int | None:
    """Nearest-rank percentile from (value, count) pairs."""
    bins = sorted(histogram)
    total = sum(count for _, count in bins)
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value, count in bins:
        seen += count
        if seen >= rank:
            return value
    return bins[-1][0]


def on_time(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per permit type: decided, decided by the due date, and the median and 90th-percentile
    days taken (the clock stopped on the applicant's turn)."""
    where = _decided_in(f)
    rows = session.execute(
        select(
            col(A.permit_type),
            func.count(),
            func.sum(case((col(A.decided_on) <= col(A.due_date), 1), else_=0)),
        )
        .where(*where)
        .group_by(col(A.permit_type))
    ).all()
    histogram: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for permit_type, days, count in session.execute(
        select(col(A.permit_type), col(A.days_to_decision), func.count())
        .where(*where, col(A.days_to_decision).is_not(None))
        .group_by(col(A.permit_type), col(A.days_to_decision))
    ).all():
        histogram[permit_type].append((int(days), int(count)))
    catalogue = default_catalogue()
    result = []
    for permit_type, decided, in_time in sorted(rows):
        permit = catalogue.types.get(permit_type)
        result.append(
            {
                "permit_type": permit_type,
                "service_days": permit.service_time.days if permit else None,
                "day_unit": permit.service_time.unit.value if permit else None,
                "decided": int(decided),
                "on_time": int(in_time or 0),
                "on_time_rate": round(int(in_time or 0) / int(decided), 4) if decided else None,
                "median_days": _percentile(histogram[permit_type], 0.5),
                "p90_days": _percentile(histogram[permit_type], 0.9),
            }
        )
    return result


def overdue(session: Session, f: Filters, today: date) -> dict[str, Any]:
    """Open applications past their due date, oldest first, with the s.10 delay letters due
    (one per 7 days or part) against those sent."""
    where = [overdue_clause(today), *_app_filters(f)]
    late = _days_between(session, literal(today), col(A.due_date))
    letters_due = (late - 1) / NOTICE_DAYS + 1
    sent = (
        select(col(DelayNotice.application_id), func.count().label("sent"))
        .group_by(col(DelayNotice.application_id))
        .subquery()
    )
    totals = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(letters_due), 0),
            func.coalesce(func.sum(sent.c.sent), 0),
        )
        .select_from(A)
        .outerjoin(sent, sent.c.application_id == col(A.id))
        .where(*where)
    ).one()
    oldest = session.execute(
        select(
            col(A.id),
            col(A.tracking_code),
            col(A.permit_type),
            col(A.department),
            col(A.state),
            col(A.due_date),
            late,
            letters_due,
            func.coalesce(sent.c.sent, 0),
        )
        .select_from(A)
        .outerjoin(sent, sent.c.application_id == col(A.id))
        .where(*where)
        .order_by(col(A.due_date), col(A.id))
        .limit(LIST_LIMIT)
    ).all()
    return {
        "count": int(totals[0]),
        "letters_due": int(totals[1]),
        "letters_sent": int(totals[2]),
        "oldest": [
            {
                "id": r[0],
                "tracking_code": r[1],
                "permit_type": r[2],
                "department": r[3],
                "state": r[4],
                "due_date": r[5].isoformat() if hasattr(r[5], "isoformat") else str(r[5]),
                "days_overdue": int(r[6]),
                "letters_due": int(r[7]),
                "letters_sent": int(r[8]),
            }
            for r in oldest
        ],
    }


def result_notices(session: Session, f: Filters, today: date) -> dict[str, int]:
    """Results notified within 7 days of the decision (a refusal order is its own notice)."""
    notice = (
        select(col(E.application_id), func.min(col(E.occurred_at)).label("at"))
        .where(col(E.transition_kind) == TransitionKind.result_notice.value)
        .group_by(col(E.application_id))
        .subquery()
    )
    approved = _decided_in(f) + [or_(col(A.outcome).is_(None), col(A.outcome) != "refused")]
    taken = _days_between(session, notice.c.at, col(A.decided_on))
    waiting = _days_between(session, literal(today), col(A.decided_on))
    row = session.execute(
        select(
            func.count(),
            func.sum(case((and_(notice.c.at.is_not(None), taken <= NOTICE_DAYS), 1), else_=0)),
            func.sum(case((and_(notice.c.at.is_not(None), taken > NOTICE_DAYS), 1), else_=0)),
            func.sum(case((and_(notice.c.at.is_(None), waiting > NOTICE_DAYS), 1), else_=0)),
        )
        .select_from(A)
        .outerjoin(notice, notice.c.application_id == col(A.id))
        .where(*approved)
    ).one()
    refused = session.execute(
        select(func.count()).select_from(A).where(*_decided_in(f), col(A.outcome) == "refused")
    ).scalar_one()
    return {
        "decisions": int(row[0] or 0) + int(refused),
        "notified_within_7_days": int(row[1] or 0) + int(refused),
        "notified_late": int(row[2] or 0),
        "not_notified_after_7_days": int(row[3] or 0),
    }


def deficiency(session: Session, f: Filters) -> dict[str, Any]:
    """s.8: applications with more than one deficiency request (must be none), and the
    applications returned, with why."""
    repeated = (
        select(col(E.application_id))
        .join(A, col(A.id) == col(E.application_id))
        .where(*_events_in(f, TransitionKind.deficiency_request.value))
        .group_by(col(E.application_id))
        .having(func.count() > 1)
        .subquery()
    )
    more_than_once = session.execute(select(func.count()).select_from(repeated)).scalar_one()
    requests = session.execute(
        select(func.count())
        .select_from(E)
        .join(A, col(A.id) == col(E.application_id))
        .where(*_events_in(f, TransitionKind.deficiency_request.value))
    ).scalar_one()
    returned_where = _events_in(f, TransitionKind.return_.value)
    returned = session.execute(
        select(func.count())
        .select_from(E)
        .join(A, col(A.id) == col(E.application_id))
        .where(*returned_where)
    ).scalar_one()
    reasons = session.execute(
        select(col(E.reason), func.count())
        .join(A, col(A.id) == col(E.application_id))
        .where(*returned_where)
        .group_by(col(E.reason))
        .order_by(func.count().desc())
        .limit(LIST_LIMIT)
    ).all()
    return {
        "requests": int(requests),
        "applications_with_more_than_one_request": int(more_than_once),
        "returned": int(returned),
        "returned_reasons": [{"reason": r, "count": int(n)} for r, n in reasons],
    }


def refusals(session: Session, f: Filters) -> dict[str, Any]:
    where = _events_in(f, TransitionKind.refuse.value)
    rows = session.execute(
        select(col(E.ground), func.count())
        .join(A, col(A.id) == col(E.application_id))
        .where(*where)
        .group_by(col(E.ground))
    ).all()
    by_ground = {g: int(n) for g, n in rows if g}
    without = sum(int(n) for g, n in rows if not g)
    return {
        "total": sum(by_ground.values()) + without,
        "by_ground": by_ground,
        "without_ground": without,
    }


def _review_item_events() -> list[str]:
    return sorted(
        {
            f"checklist:{item.id}"
            for permit in default_catalogue().values()
            for item in permit.items()
            if item.kind in REVIEW_ITEM_KINDS
        }
    )


def four_eyes(session: Session, f: Filters) -> dict[str, Any]:
    """Decisions taken by someone who also reviewed or inspected the same application."""
    r = E.__table__.alias("reviewer")  # type: ignore[attr-defined]
    reviewed = (
        select(literal(1))
        .where(
            r.c.application_id == col(E.application_id),
            r.c.actor == col(E.actor),
            or_(
                r.c.transition_kind.in_(
                    [TransitionKind.review.value, TransitionKind.inspection.value]
                ),
                and_(r.c.event.in_(_review_item_events()), r.c.target == "verified"),
            ),
        )
        .exists()
    )
    where = _events_in(f, TransitionKind.approve.value, TransitionKind.refuse.value)
    rows = session.execute(
        select(
            col(E.application_id),
            col(A.tracking_code),
            col(E.actor),
            col(E.event),
            col(E.occurred_at),
        )
        .join(A, col(A.id) == col(E.application_id))
        .where(*where, reviewed)
        .order_by(col(E.occurred_at))
        .limit(LIST_LIMIT)
    ).all()
    count = session.execute(
        select(func.count())
        .select_from(E)
        .join(A, col(A.id) == col(E.application_id))
        .where(*where, reviewed)
    ).scalar_one()
    return {
        "breaches": int(count),
        "cases": [
            {"id": a, "tracking_code": c, "actor": who, "event": ev, "occurred_at": at.isoformat()}
            for a, c, who, ev, at in rows
        ],
    }


def out_of_turn(session: Session, f: Filters) -> dict[str, Any]:
    where = _events_in(f, TransitionKind.approve.value, TransitionKind.refuse.value)
    has_reason = func.length(func.trim(col(E.reason))) > 0
    row = session.execute(
        select(
            func.sum(case((col(E.out_of_turn) == true(), 1), else_=0)),
            func.sum(case((and_(col(E.out_of_turn) == true(), has_reason), 1), else_=0)),
        )
        .select_from(E)
        .join(A, col(A.id) == col(E.application_id))
        .where(*where)
    ).one()
    cases = session.execute(
        select(col(E.application_id), col(A.tracking_code), col(E.actor), col(E.reason))
        .join(A, col(A.id) == col(E.application_id))
        .where(*where, col(E.out_of_turn) == true())
        .order_by(col(E.occurred_at))
        .limit(LIST_LIMIT)
    ).all()
    total = int(row[0] or 0)
    with_reason = int(row[1] or 0)
    return {
        "decisions_out_of_turn": total,
        "with_reason": with_reason,
        "without_reason": total - with_reason,
        "cases": [
            {"id": a, "tracking_code": c, "actor": who, "reason": why} for a, c, who, why in cases
        ],
    }


def _robust_z(values: dict[str, float]) -> dict[str, float]:
    """Modified z-scores (median and median absolute deviation); the mean absolute
    deviation stands in when more than half the peers share one value."""
    if len(values) < 3:
        return {}
    centre = median(values.values())
    deviations = [abs(v - centre) for v in values.values()]
    mad = median(deviations)
    if mad:
        return {k: 0.6745 * (v - centre) / mad for k, v in values.items()}
    mean_ad = sum(deviations) / len(deviations)
    if not mean_ad:
        return dict.fromkeys(values, 0.0)
    return {k: (v - centre) / (1.253314 * mean_ad) for k, v in values.items()}


def officers(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per officer, against the peers of the same department and role: approval rate,
    median days per step, deficiency-request rate; |robust z| > 3 is flagged for review."""
    unfiltered = Filters(f.date_from, f.date_to, f.department, f.permit_type)
    decisions = session.execute(
        select(
            col(A.department),
            col(E.actor),
            func.sum(case((col(E.transition_kind) == "approve", 1), else_=0)),
            func.count(),
        )
        .join(A, col(A.id) == col(E.application_id))
        .where(*_events_in(unfiltered, "approve", "refuse"))
        .group_by(col(A.department), col(E.actor))
    ).all()
    steps = session.execute(
        select(col(A.department), col(E.actor), col(E.step_days), func.count())
        .join(A, col(A.id) == col(E.application_id))
        .where(
            *_events_in(unfiltered, *[k.value for k in TransitionKind]),
            col(E.step_days).is_not(None),
        )
        .group_by(col(A.department), col(E.actor), col(E.step_days))
    ).all()
    deficiency_requests = session.execute(
        select(col(A.department), col(E.actor), func.count())
        .join(A, col(A.id) == col(E.application_id))
        .where(*_events_in(unfiltered, TransitionKind.deficiency_request.value))
        .group_by(col(A.department), col(E.actor))
    ).all()
    intake_where: list[ColumnElement[bool]] = [col(E.kind) == "intake", *_app_filters(unfiltered)]
    if f.date_from:
        intake_where.append(col(E.occurred_at) >= day_start(f.date_from))
    if f.date_to:
        intake_where.append(col(E.occurred_at) < day_start(f.date_to, end=True))
    intakes = session.execute(
        select(col(A.department), col(E.actor), func.count())
        .join(A, col(A.id) == col(E.application_id))
        .where(*intake_where)
        .group_by(col(A.department), col(E.actor))
    ).all()

    people: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for dept, actor, approved, total in decisions:
        people[(dept, actor)].update(
            decisions=int(total), approval_rate=round(int(approved) / int(total), 4)
        )
    histograms: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for dept, actor, days, count in steps:
        histograms[(dept, actor)].append((int(days), int(count)))
    for key, histogram in histograms.items():
        people[key].update(
            steps=sum(c for _, c in histogram), median_step_days=_percentile(histogram, 0.5)
        )
    requested = {(d, a): int(n) for d, a, n in deficiency_requests}
    for dept, actor, taken in intakes:
        people[(dept, actor)].update(
            intakes=int(taken),
            deficiency_rate=round(requested.get((dept, actor), 0) / int(taken), 4),
        )
    # Each measure with the count it rests on: too few cases say nothing about a person.
    measures = {
        "approval_rate": "decisions",
        "median_step_days": "steps",
        "deficiency_rate": "intakes",
    }
    flags: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for measure, basis in measures.items():
        by_dept: dict[str, dict[str, float]] = defaultdict(dict)
        for (dept, actor), values in people.items():
            if values.get(measure) is not None and values.get(basis, 0) >= MIN_CASES:
                by_dept[dept][actor] = float(values[measure])
        for dept, values in by_dept.items():
            for actor, z in _robust_z(values).items():
                people[(dept, actor)].setdefault("z", {})[measure] = round(z, 2)
                if abs(z) > OUTLIER_Z:
                    flags[(dept, actor)].append({"measure": measure, "z": round(z, 2)})
    rows = []
    for (dept, actor), values in sorted(people.items()):
        if f.officer and actor != f.officer:
            continue
        rows.append(
            {
                "department": dept,
                "officer": actor,
                **values,
                "flagged": bool(flags.get((dept, actor))),
                "flags": flags.get((dept, actor), []),
            }
        )
    return rows


def received(session: Session, f: Filters) -> int:
    where = _app_filters(f)
    if f.date_from:
        where.append(col(A.submitted_on) >= f.date_from)
    if f.date_to:
        where.append(col(A.submitted_on) <= f.date_to)
    return int(session.execute(select(func.count()).select_from(A).where(*where)).scalar_one())


def summary(session: Session, f: Filters, today: date) -> dict[str, Any]:
    """Every measure, for the dashboard and `GET /api/v1/compliance/summary`."""
    types = on_time(session, f)
    decided = sum(t["decided"] for t in types)
    in_time = sum(t["on_time"] for t in types)
    return {
        "filters": {
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "department": f.department,
            "permit_type": f.permit_type,
            "officer": f.officer,
        },
        "today": today.isoformat(),
        "received": received(session, f),
        "decided": decided,
        "on_time": in_time,
        "on_time_rate": round(in_time / decided, 4) if decided else None,
        "by_permit_type": types,
        "overdue": overdue(session, f, today),
        "result_notices": result_notices(session, f, today),
        "deficiency": deficiency(session, f),
        "refusals": refusals(session, f),
        "four_eyes": four_eyes(session, f),
        "out_of_turn": out_of_turn(session, f),
        "officers": officers(session, f),
    }
