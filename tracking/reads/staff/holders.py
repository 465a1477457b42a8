"""Who holds files and who may decide them: the people a file can be given to, who may still
decide it under four-eyes, and each person's caseload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from checklists.schema import PermitType
from tracking.access import ASSIGNEE_ROLES, Actor, authorise_assignment, authorise_manager
from tracking.clock import overdue_clause
from tracking.errors import NotPermitted
from tracking.models import Application, ApplicationEvent, Staff
from tracking.reads.staff.labels import Label, department_label
from tracking.workflow import rules
from tracking.workflow.assignment import held_files


@dataclass(frozen=True)
class Holder:
    """A staff member who may hold a file: an officer or approver of its department."""

    username: str
    name: str
    role: str
    open_files: int


@dataclass(frozen=True)
class Deciders:
    """Who may decide the file at its step: the deciding roles' active staff of its
    department, less those four-eyes bars (they reviewed or inspected it)."""

    may: list[str]
    barred: list[str]

    @property
    def blocked(self) -> bool:
        """Nobody may decide it: every decider is barred (or there is none)."""
        return not self.may


@dataclass(frozen=True)
class Hands:
    """The file's assignee, who it may be given to, and who may decide it now."""

    assignee: str | None
    assignee_name: str | None
    holders: list[Holder]
    # None: the step has no decision to make.
    deciders: Deciders | None
    # The actor reviewed or inspected the file and holds a deciding role: four-eyes bars them.
    actor_barred: bool
    # The actor may give the file to someone (its department's approver, the manager).
    may_assign: bool


def holders(session: Session, office_id: int, department: str) -> list[Holder]:
    """The active officers and approvers of ``department`` at the office, with the open files
    each holds, the least loaded first."""
    return [Holder(*row) for row in held_files(session, office_id, department)]


def queue_holders(session: Session, actor: Actor) -> list[Holder]:
    """The people the actor's queue may be filtered by and its files given to: the holders
    of the actor's department, or of every department for an office-wide role."""
    if actor.office_id is None:
        return []
    if actor.department is not None and not actor.office_wide:
        return holders(session, actor.office_id, actor.department)
    departments = session.exec(
        select(Staff.department)
        .where(col(Staff.office_id) == actor.office_id, col(Staff.department).is_not(None))
        .distinct()
    ).all()
    found = [
        h for d in sorted(d for d in departments if d) for h in holders(session, actor.office_id, d)
    ]
    return sorted(found, key=lambda h: h.name)


def deciders(
    session: Session,
    application: Application,
    permit: PermitType,
    history: Sequence[ApplicationEvent],
) -> Deciders | None:
    """Who may decide ``application`` at its step, by display name; None if the step has no
    decision."""
    roles = rules.deciding_roles(permit, application.state)
    if not roles or application.outcome is not None:
        return None
    staff = session.exec(
        select(Staff.username, Staff.display_name)
        .where(
            col(Staff.office_id) == application.office_id,
            col(Staff.department) == application.department,
            col(Staff.role).in_(sorted(roles)),
            col(Staff.active).is_(True),
        )
        .order_by(col(Staff.username))
    ).all()
    reviewed = rules.reviewers(permit, history)
    return Deciders(
        may=[name for username, name in staff if username not in reviewed],
        barred=[name for username, name in staff if username in reviewed],
    )


def hands(
    session: Session,
    application: Application,
    permit: PermitType,
    history: Sequence[ApplicationEvent],
    actor: Actor,
) -> Hands:
    """The file's assignee, the people it may go to and who may decide it, for ``actor``."""
    people = holders(session, application.office_id, application.department)
    names = {h.username: h.name for h in people}
    assignee = application.assignee
    name = names.get(assignee) if assignee else None
    if assignee and name is None:  # no longer an officer here: still shown, by account
        row = session.exec(select(Staff.display_name).where(Staff.username == assignee)).first()
        name = row or assignee
    decide = deciders(session, application, permit, history)
    barred = (
        decide is not None
        and actor.role in rules.deciding_roles(permit, application.state)
        and actor.username in rules.reviewers(permit, history)
    )
    try:
        authorise_assignment(actor, application.department)
        may_assign = application.outcome is None
    except NotPermitted:
        may_assign = False
    return Hands(assignee, name, people, decide, barred, may_assign)


@dataclass(frozen=True)
class Caseload:
    """One person's open files and how many of them are overdue."""

    username: str
    name: str
    role: str
    department: Label
    open_files: int
    overdue: int


@dataclass(frozen=True)
class Caseloads:
    people: list[Caseload]
    unassigned: int
    unassigned_overdue: int


def caseloads(
    session: Session,
    actor: Actor,
    office_id: int,
    today: date,
    department: str | None = None,
) -> Caseloads:
    """Every officer's and approver's open files at the office (``department``: of one
    department), the busiest first, and the open files nobody holds. Managers only."""
    authorise_manager(actor)
    late = func.sum(case((overdue_clause(today), 1), else_=0))
    where = [col(Application.office_id) == office_id, col(Application.outcome).is_(None)]
    if department:
        where.append(col(Application.department) == department)
    counted = {
        assignee: (int(n), int(overdue or 0))
        for assignee, n, overdue in session.exec(
            select(Application.assignee, func.count(), late)
            .where(*where)
            .group_by(col(Application.assignee))
        ).all()
    }
    staff_where = [
        col(Staff.office_id) == office_id,
        col(Staff.role).in_(sorted(ASSIGNEE_ROLES)),
    ]
    if department:
        staff_where.append(col(Staff.department) == department)
    people = [
        Caseload(
            s.username,
            s.display_name,
            s.role,
            department_label(s.department or ""),
            *counted.get(s.username, (0, 0)),
        )
        for s in session.exec(select(Staff).where(*staff_where)).all()
        if s.active or s.username in counted
    ]
    people.sort(key=lambda c: (-c.open_files, c.username))
    nobody = counted.get(None, (0, 0))
    return Caseloads(people, *nobody)
