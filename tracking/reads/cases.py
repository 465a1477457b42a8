"""The decisions a manager must be able to open: four-eyes breaches and decisions out of
turn, one row each in ``compliance_case`` (``tracking.trail.tallies``), counted by any of its
columns and listed oldest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from tracking.reads.selection import A, C, E, Filters, as_utc, case_rows, grouping

LIST_LIMIT = 50
# A group of a measure: the values of the columns it was counted by (``()`` when by none).
Key = tuple[Any, ...]


def cases_by(session: Session, f: Filters, kind: str, *by: str) -> dict[Key, tuple[int, int]]:
    """Per group of ``by``: the cases of ``kind`` (four-eyes breaches, decisions out of turn),
    and how many of them were given a reason."""
    has_reason = func.length(func.trim(col(C.reason))) > 0
    groups = grouping(C, by)
    rows = session.execute(
        select(*groups, func.count(), func.coalesce(func.sum(case((has_reason, 1), else_=0)), 0))
        .where(*case_rows(f, kind))
        .group_by(*groups)
    ).all()
    return {tuple(row[:-2]): (int(row[-2]), int(row[-1])) for row in rows if row[-2]}


def _case_list(session: Session, f: Filters, kind: str) -> list[Any]:
    """The first cases of ``kind``, oldest first, with the decision each one was."""
    first = (
        select(
            col(C.id),
            col(C.application_id),
            col(C.seq),
            col(C.actor),
            col(C.reason),
            col(C.occurred_at),
        )
        .where(*case_rows(f, kind))
        .order_by(col(C.occurred_at), col(C.id))
        .limit(LIST_LIMIT)
        .subquery()
    )
    return list(
        session.execute(
            select(
                first.c.application_id,
                col(A.tracking_code),
                first.c.actor,
                first.c.reason,
                first.c.occurred_at,
                col(E.event),
            )
            .join(A, col(A.id) == first.c.application_id)
            .join(
                E, and_(col(E.application_id) == first.c.application_id, col(E.seq) == first.c.seq)
            )
            .order_by(first.c.occurred_at, first.c.id)
        ).all()
    )


def four_eyes(session: Session, f: Filters) -> dict[str, Any]:
    """Decisions taken by someone who also reviewed or inspected the same application."""
    count, _ = cases_by(session, f, "four_eyes").get((), (0, 0))
    return {
        "breaches": count,
        "cases": [
            {
                "id": a,
                "tracking_code": c,
                "actor": who,
                "event": ev,
                "occurred_at": as_utc(at).isoformat(),
            }
            for a, c, who, _why, at, ev in _case_list(session, f, "four_eyes")
        ],
    }


def out_of_turn(session: Session, f: Filters) -> dict[str, Any]:
    total, with_reason = cases_by(session, f, "out_of_turn").get((), (0, 0))
    return {
        "decisions_out_of_turn": total,
        "with_reason": with_reason,
        "without_reason": total - with_reason,
        "cases": [
            {"id": a, "tracking_code": c, "actor": who, "reason": why}
            for a, c, who, why, _at, _ev in _case_list(session, f, "out_of_turn")
        ],
    }
