"""Whether the office follows its discretion guidelines and the Licensing Facilitation Act.

Every measure is a SQL aggregate, filterable by date range, department, permit type and officer:
over the daily tallies and the case list that ``tracking.trail.tallies`` keeps as the trail grows
(so a figure costs about the same whether the office has a thousand files or a million), and
over the index of open files for what depends on today. Python only finishes small results:
percentiles from histograms, and robust z-scores across a department's officers.

Each measure is defined once, in a function counting it by the tally columns ``by`` names
(``*_by``; none for one dashboard, ``office_id`` for the city's table of every office, one
grouped query for all of them); the dashboard's function reads its one group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, literal, or_, select, true
from sqlmodel import Session, col

from checklists.loader import default_catalogue
from tracking import clock
from tracking.clock import RESULT_NOTICE_DAYS, overdue_clause
from tracking.reads.cases import LIST_LIMIT, Key, cases_by, four_eyes, out_of_turn
from tracking.reads.officers import officers
from tracking.reads.selection import (
    OF,
    TOTAL,
    A,
    T,
    app_filters,
    as_date,
    days_between,
    decision_rows,
    grouping,
    percentile,
    tally_rows,
)
from tracking.reads.selection import Filters as Filters
from tracking.trail.tallies import DELIVERED_AFTER_SENDING

__all__ = ["Filters", "Key", "cases_by", "four_eyes", "out_of_turn"]


def on_time_by(session: Session, f: Filters, *by: str) -> dict[Key, list[dict[str, Any]]]:
    """Per group of ``by`` and permit type: decided (by the officer, when the filters name
    one), decided by the due date, and the median and 90th-percentile days taken (the clock
    stopped on the applicant's turn)."""
    decided: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_time: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    histogram: dict[Key, dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    width = len(by)
    for row in decision_rows(session, f, *by):
        key, (permit_type, days, flag, count) = tuple(row[:width]), row[width:]
        decided[key][permit_type] += int(count)
        in_time[key][permit_type] += int(count) if flag else 0
        histogram[key][permit_type][int(days)] += int(count)
    catalogue = default_catalogue()
    result: dict[Key, list[dict[str, Any]]] = {}
    for key, types in decided.items():
        result[key] = []
        for permit_type in sorted(types):
            permit = catalogue.types.get(permit_type)
            total, punctual = types[permit_type], in_time[key][permit_type]
            result[key].append(
                {
                    "permit_type": permit_type,
                    "service_days": permit.service_time.days if permit else None,
                    "day_unit": permit.service_time.unit.value if permit else None,
                    "decided": total,
                    "on_time": punctual,
                    "on_time_rate": round(punctual / total, 4) if total else None,
                    "median_days": percentile(histogram[key][permit_type].items(), 0.5),
                    "p90_days": percentile(histogram[key][permit_type].items(), 0.9),
                }
            )
    return result


def on_time(session: Session, f: Filters) -> list[dict[str, Any]]:
    """``on_time_by`` for the filters' files as one group."""
    return on_time_by(session, f).get((), [])


def overdue_by(session: Session, f: Filters, today: date, *by: str) -> dict[Key, dict[str, int]]:
    """Per group of ``by``: open applications past their due date, and the s.10 delay letters
    due (one per 7 days or part) against those sent, from the open-file counts (one row per
    due date: the letters due follow from the date)."""
    late_files = [or_(col(OF.paused) == true(), col(OF.due_date) < today)]
    late_files += [col(OF.office_id) == f.office_id] if f.office_id is not None else []
    late_files += [col(OF.department) == f.department] if f.department else []
    late_files += [col(OF.permit_type) == f.permit_type] if f.permit_type else []
    groups = grouping(OF, by)
    counts: dict[Key, dict[str, int]] = defaultdict(
        lambda: {"count": 0, "letters_due": 0, "letters_sent": 0}
    )
    for *key, due_date, n, letters in session.execute(
        select(*groups, col(OF.due_date), func.sum(col(OF.files)), func.sum(col(OF.notices)))
        .where(*late_files)
        .group_by(*groups, col(OF.due_date))
    ).all():
        days = (today - as_date(due_date)).days
        figures = counts[tuple(key)]
        figures["count"] += int(n)
        figures["letters_due"] += int(n) * clock.letters_due_after(days)
        figures["letters_sent"] += int(letters or 0)
    return dict(counts)


def overdue(session: Session, f: Filters, today: date) -> dict[str, Any]:
    """Open applications past their due date, oldest first, with the s.10 delay letters due
    (one per 7 days or part) against those sent."""
    where = [overdue_clause(today), *app_filters(f)]
    late = days_between(session, literal(today), col(A.due_date))
    letters_due = clock.letters_due_sql(late)
    counts = overdue_by(session, f, today).get((), {})
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
            col(A.delay_notices_sent),
        )
        .where(*where)
        .order_by(col(A.due_date), col(A.id))
        .limit(LIST_LIMIT)
    ).all()
    return {
        "count": counts.get("count", 0),
        "letters_due": counts.get("letters_due", 0),
        "letters_sent": counts.get("letters_sent", 0),
        "oldest": [
            {
                "id": r[0],
                "tracking_code": r[1],
                "permit_type": r[2],
                "department": r[3],
                "state": r[4],
                "due_date": as_date(r[5]).isoformat(),
                "days_overdue": int(r[6]),
                "letters_due": int(r[7]),
                "letters_sent": int(r[8]),
            }
            for r in oldest
        ],
    }


def result_notices(session: Session, f: Filters, today: date) -> dict[str, int]:
    """Results notified within 7 days of the decision: by the day the notice reached the
    applicant where a delivery is recorded, else by the day an approval's result was sent. A
    refusal counts as notified once its delivery is recorded (``tracking.trail.tallies``)."""

    def tallied(filters: Filters) -> dict[tuple[str, str, bool], int]:
        rows = session.execute(
            select(col(T.measure), col(T.key), col(T.flag), TOTAL)
            .where(*tally_rows(filters, "decided", "result_notice", by_officer=False))
            .group_by(col(T.measure), col(T.key), col(T.flag))
        ).all()
        return {(m, k, bool(flag)): int(n) for m, k, flag, n in rows}

    def total(rows: dict[tuple[str, str, bool], int], measure: str, key: str | None = None) -> int:
        return sum(n for (m, k, _), n in rows.items() if m == measure and key in (None, k))

    every = tallied(f)
    # Decided on or before this day, the 7 days to notify have run out.
    waited = today - timedelta(days=RESULT_NOTICE_DAYS + 1)
    if f.date_from and f.date_from > waited:
        expired: dict[tuple[str, str, bool], int] = {}
    else:
        expired = tallied(replace(f, date_to=min(f.date_to or waited, waited)))
    decisions = total(every, "decided")

    def notified(in_time: bool) -> int:
        # A delivery replaces the sending it follows: its row says how that was counted.
        sent = every.get(("result_notice", "", in_time), 0)
        replaced = total(every, "result_notice", DELIVERED_AFTER_SENDING[in_time])
        delivered = sum(
            n
            for (m, k, flag), n in every.items()
            if m == "result_notice" and k.startswith("delivered") and flag == in_time
        )
        return sent - replaced + delivered

    within, late = notified(True), notified(False)
    missing = (
        total(expired, "decided")
        - total(expired, "result_notice", "")
        - total(expired, "result_notice", "delivered")
    )
    return {
        "decisions": decisions,
        "notified_within_7_days": within,
        "notified_late": late,
        "not_notified_after_7_days": missing,
    }


def deficiency_requests_by(session: Session, f: Filters, *by: str) -> dict[Key, dict[str, int]]:
    """s.8, per group of ``by``: deficiency requests, and the applications with more than one
    (must be none)."""
    groups = grouping(T, by)
    counts: dict[Key, dict[str, int]] = defaultdict(
        lambda: {"requests": 0, "applications_with_more_than_one_request": 0}
    )
    for *key, flag, count in session.execute(
        select(*groups, col(T.flag), TOTAL)
        .where(*tally_rows(f, "deficiency_request"))
        .group_by(*groups, col(T.flag))
    ).all():
        figures = counts[tuple(key)]
        figures["requests"] += int(count)
        figures["applications_with_more_than_one_request"] += int(count) if flag else 0
    return dict(counts)


def deficiency(session: Session, f: Filters) -> dict[str, Any]:
    """s.8: applications with more than one deficiency request (must be none), and the
    applications returned, with why."""
    requests = deficiency_requests_by(session, f).get((), {})
    reasons = {
        key: n for (key,), n in tallied(session, f, "return", "key", by_officer=True).items()
    }
    top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:LIST_LIMIT]
    return {
        "requests": requests.get("requests", 0),
        "applications_with_more_than_one_request": requests.get(
            "applications_with_more_than_one_request", 0
        ),
        "returned": sum(reasons.values()),
        "returned_reasons": [{"reason": r, "count": n} for r, n in top],
    }


def refusals_by(session: Session, f: Filters, *by: str) -> dict[Key, dict[str, Any]]:
    """Per group of ``by``: refusals, by the ground cited, and those citing none."""
    result: dict[Key, dict[str, Any]] = defaultdict(
        lambda: {"total": 0, "by_ground": {}, "without_ground": 0}
    )
    for (*key, ground), n in tallied(session, f, "refuse", *by, "key", by_officer=True).items():
        figures = result[tuple(key)]
        figures["total"] += n
        if ground:
            figures["by_ground"][ground] = n
        else:
            figures["without_ground"] += n
    return dict(result)


def refusals(session: Session, f: Filters) -> dict[str, Any]:
    return refusals_by(session, f).get((), {"total": 0, "by_ground": {}, "without_ground": 0})


def tallied(
    session: Session, f: Filters, measure: str, *by: str, by_officer: bool = False
) -> dict[tuple[Any, ...], int]:
    """The count of ``measure`` within the filters, by the tally columns named in ``by``."""
    columns = grouping(T, by)
    rows = session.execute(
        select(*columns, TOTAL)
        .where(*tally_rows(f, measure, by_officer=by_officer))
        .group_by(*columns)
    ).all()
    return {tuple(row[:-1]): int(row[-1]) for row in rows if row[-1] is not None}


def received(session: Session, f: Filters) -> int:
    """Applications taken in (by the officer, when the filters name one)."""
    return sum(tallied(session, f, "received", by_officer=True).values())


def extensions(session: Session, f: Filters) -> int:
    """Extensions of the period to decide, each notified in writing (BCA s.25, PHA s.56),
    by the officer when the filters name one."""
    return sum(tallied(session, f, "extension", by_officer=True).values())


# The figures no officer filter can narrow: open files belong to no one yet, and a result
# notice is the office's. The dashboard says so beside them.
NOT_BY_OFFICER = ("overdue", "result_notices")


def waivers(session: Session, f: Filters) -> dict[str, Any]:
    """Items the files were taken in with as required, waived rather than verified: a
    discretion point, per officer (most waivers first), with the sign-offs it is out of."""
    signed: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (dept, actor, waived), n in tallied(
        session, f, "required_item", "department", "actor", "flag", by_officer=True
    ).items():
        signed[(dept, actor)][0] += n if waived else 0
        signed[(dept, actor)][1] += n
    rows: list[dict[str, Any]] = [
        {
            "department": dept,
            "officer": actor,
            "waived": waived,
            "signed_off": total,
            "waiver_rate": round(waived / total, 4),
        }
        for (dept, actor), (waived, total) in signed.items()
        if waived
    ]
    rows.sort(key=lambda r: (-r["waived"], r["officer"], r["department"]))
    return {
        "required_items_waived": sum(w for w, _ in signed.values()),
        "required_items_signed_off": sum(t for _, t in signed.values()),
        "by_officer": rows[:LIST_LIMIT],
    }


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
        "not_by_officer": list(NOT_BY_OFFICER) if f.officer else [],
        "received": received(session, f),
        "decided": decided,
        "on_time": in_time,
        "on_time_rate": round(in_time / decided, 4) if decided else None,
        "by_permit_type": types,
        "overdue": overdue(session, f, today),
        "result_notices": result_notices(session, f, today),
        "deficiency": deficiency(session, f),
        "extensions": extensions(session, f),
        "refusals": refusals(session, f),
        "four_eyes": four_eyes(session, f),
        "out_of_turn": out_of_turn(session, f),
        "waivers": waivers(session, f),
        "officers": officers(session, f),
    }
