"""Who works a file: intake gives it to the least-loaded officer of its department, and the
department's approver or the office's manager moves it, one file or many, with a reason.

The assignee is one of the trail's facts (``tracking.trail.audit.FACTS``), so a direct edit of
the column fails ``audit verify``. A change of hands is an ``assignment`` event at the file's
step (no step changes, no transition kind: it counts toward no compliance figure).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from tracking.access import ASSIGNEE_ROLES, Actor, authorise_assignment
from tracking.errors import DomainError, GuardFailed, InvalidInput
from tracking.models import Application, ApplicationEvent, EventKind, Staff, utcnow
from tracking.workflow.recording import record_at_step
from tracking.workflow.text import visible_text
from tracking.workflow.transitions import application_for, claim

EVENT = "assign"
REASON_LENGTH = 500
# Files one request may move: a page of the queue.
MOST_AT_ONCE = 200


@lru_cache(maxsize=8)
def _held_statement(roles: tuple[str, ...]) -> Any:
    """The query of ``held_files`` for ``roles``, built once (building a statement costs more
    than running it), its office and department bound at each run."""
    # A count per person (not a join): in its own WHERE, "outcome IS NULL" lets SQLite use the
    # partial index of open files by holder instead of indexing the table anew each time.
    office_id: Any = bindparam("office_id")
    held = (
        select(func.count())
        .where(
            col(Application.assignee) == col(Staff.username),
            col(Application.office_id) == office_id,
            col(Application.outcome).is_(None),
        )
        .correlate(Staff)
        .scalar_subquery()
    )
    return (
        select(Staff.username, Staff.display_name, Staff.role, held)
        .where(
            col(Staff.office_id) == office_id,
            col(Staff.department) == bindparam("department"),
            col(Staff.role).in_(roles),
            col(Staff.active).is_(True),
        )
        .order_by(held, col(Staff.username))
    )


def held_files(
    session: Session, office_id: int, department: str, roles: Collection[str] = ASSIGNEE_ROLES
) -> list[tuple[str, str, str, int]]:
    """The active staff of ``department`` at the office in ``roles``, each as (username,
    display name, role, open files held), the least loaded first (by username among equals)."""
    found = session.execute(
        _held_statement(tuple(sorted(roles))), {"office_id": office_id, "department": department}
    ).all()
    return [(u, n, r, int(c)) for u, n, r, c in found]


def least_loaded(session: Session, office_id: int, department: str) -> str | None:
    """The active officer of ``department`` at the office holding the fewest open files (by
    username among equals), or None when the department has no officer."""
    found = held_files(session, office_id, department, ("officer",))
    return found[0][0] if found else None


def holder(session: Session, username: str, office_id: int, department: str) -> Staff:
    """The staff member ``username`` if they may hold a file of ``department`` at the office:
    an active officer or approver of that department. Raises ``InvalidInput`` otherwise."""
    staff = session.exec(select(Staff).where(Staff.username == username)).first()
    shown = username[:64]
    if staff is None or staff.office_id != office_id or not staff.active:
        raise InvalidInput(
            f"ไม่พบเจ้าหน้าที่ “{shown}” ที่ปฏิบัติงานอยู่ในสำนักงานเขตนี้",
            f"No active staff member “{shown}” at this office",
            field="assignee",
        )
    if staff.role not in ASSIGNEE_ROLES or staff.department != department:
        raise InvalidInput(
            f"“{staff.display_name}” ไม่ใช่เจ้าหน้าที่หรือผู้มีอำนาจอนุญาตของฝ่ายที่รับผิดชอบคำขอนี้",
            f"“{staff.display_name}” is not an officer or approver of the department this"
            " application belongs to",
            field="assignee",
        )
    return staff


def reason_text(reason: str) -> str:
    """The reason for a change of hands, as it is recorded. Raises ``InvalidInput``."""
    text = visible_text(reason)
    if not text:
        raise InvalidInput(
            "ต้องระบุเหตุผลของการมอบหมายงาน",
            "A reason for the assignment is required",
            field="reason",
        )
    if len(text) > REASON_LENGTH:
        raise InvalidInput(
            f"เหตุผลยาวได้ไม่เกิน {REASON_LENGTH} ตัวอักษร",
            f"The reason may be at most {REASON_LENGTH} characters",
            field="reason",
        )
    return text


@dataclass(frozen=True)
class Move:
    """One file to move, at the version the caller read."""

    application_id: int
    version: int


def assign(
    session: Session,
    *,
    application_id: int,
    assignee: str,
    actor: Actor,
    reason: str,
    version: int,
    now: datetime | None = None,
) -> ApplicationEvent:
    """Give the file to ``assignee``: one ``assignment`` event with the reason, the version
    moved on, in the caller's transaction.

    Raises ``NotFound``; ``NotPermitted`` (not the department's approver or a manager);
    ``Conflict`` (stale version); ``GuardFailed`` (a closed file); ``InvalidInput`` (no such
    holder, the file is theirs already, no reason)."""
    event = _move(session, Move(application_id, version), assignee, actor, reason_text(reason), now)
    if event is None:
        raise InvalidInput(
            "คำขอนี้อยู่ในความรับผิดชอบของผู้นี้อยู่แล้ว",
            "The application is already assigned to this person",
            field="assignee",
        )
    return event


def assign_many(
    session: Session,
    *,
    moves: Sequence[Move],
    assignee: str,
    actor: Actor,
    reason: str,
    now: datetime | None = None,
) -> list[ApplicationEvent | None]:
    """Give every file of ``moves`` to ``assignee``, all or nothing (the caller rolls back on
    an error): one event per file that changes hands, None for one already theirs. An error
    names the file by its tracking code. Raises as ``assign`` does, and ``InvalidInput`` for
    no files, too many or the same file twice."""
    text = reason_text(reason)
    ids = [move.application_id for move in moves]
    if not ids or len(ids) > MOST_AT_ONCE:
        raise InvalidInput(
            f"เลือกคำขอได้ตั้งแต่ 1 ถึง {MOST_AT_ONCE} รายการ",
            f"Choose between 1 and {MOST_AT_ONCE} applications",
            field="applications",
        )
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "เลือกคำขอเดียวกันซ้ำ", "The same application is chosen twice", field="applications"
        )
    return [_move(session, move, assignee, actor, text, now, named=True) for move in moves]


def _move(
    session: Session,
    move: Move,
    assignee: str,
    actor: Actor,
    reason: str,
    now: datetime | None,
    *,
    named: bool = False,
) -> ApplicationEvent | None:
    application = application_for(session, move.application_id, actor, act=False, lock=True)
    try:
        return _hand_over(session, application, move.version, assignee, actor, reason, now)
    except DomainError as error:
        if not named:
            raise
        code = application.tracking_code
        raise type(error)(f"{code}: {error.th}", f"{code}: {error.en}", **error.detail) from error


def _hand_over(
    session: Session,
    application: Application,
    version: int,
    assignee: str,
    actor: Actor,
    reason: str,
    now: datetime | None,
) -> ApplicationEvent | None:
    authorise_assignment(actor, application.department)
    if application.outcome is not None:
        raise GuardFailed(
            "คำขอนี้สิ้นสุดแล้ว ไม่ต้องมอบหมายผู้รับผิดชอบ",
            "The application is closed; it needs no assignee",
        )
    staff = holder(session, assignee, application.office_id, application.department)
    if staff.username == application.assignee:
        return None
    claim(session, application, version)
    now = now or utcnow()
    before = application.assignee
    application.assignee = staff.username
    application.updated_at = now
    session.add(application)
    event = record_at_step(
        session,
        application,
        kind=EventKind.assignment,
        event=EVENT,
        actor=actor.username,
        role=actor.role,
        now=now,
        reason=reason,
        data={"assignee": staff.username, "previous": before},
    )
    session.flush()
    return event
