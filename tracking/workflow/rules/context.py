"""What a rule sees: the ``Context`` of one event on one file (the row, its checklist and
trail, the actor, today and the queue before it), and how it is loaded from a session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, or_, select

from checklists.schema import DECISIONS, PermitType, Transition, TransitionKind
from tracking.access import Actor
from tracking.errors import DomainError
from tracking.models import Application, ApplicationEvent, ChecklistEntry


@dataclass(frozen=True)
class Context:
    application: Application
    permit: PermitType
    rule: Transition
    actor_username: str
    actor_role: str
    statuses: dict[str, str]
    history: Sequence[ApplicationEvent]
    today: date
    older_waiting: int
    reason: str = ""
    ground: str | None = None
    deadline: date | None = None
    fine_baht: int | None = None

    @property
    def kind(self) -> TransitionKind:
        return self.rule.kind


Rule = Callable[[Context], DomainError | None]


def labels(permit: PermitType, items: list[str]) -> tuple[str, str]:
    labels = {item.id: item.label for item in permit.items()}
    return ", ".join(labels[i].th for i in items), ", ".join(labels[i].en for i in items)


def older_waiting(session: Session, application: Application, step: str) -> int:
    """Applications of the same type, office and department, submitted earlier, waiting at
    ``step``: the queue a decision here should respect."""
    statement = (
        select(func.count())
        .select_from(Application)
        .where(
            col(Application.office_id) == application.office_id,
            col(Application.permit_type) == application.permit_type,
            col(Application.department) == application.department,
            col(Application.state) == step,
            or_(
                col(Application.submitted_at) < application.submitted_at,
                (col(Application.submitted_at) == application.submitted_at)
                & (col(Application.id) < application.id),
            ),
        )
    )
    return int(session.exec(statement).one())


def load_history(session: Session, application_id: int) -> list[ApplicationEvent]:
    """The application's trail, in order."""
    return list(
        session.exec(
            select(ApplicationEvent)
            .where(col(ApplicationEvent.application_id) == application_id)
            .order_by(col(ApplicationEvent.seq))
        ).all()
    )


def checklist_statuses(session: Session, application_id: int) -> dict[str, str]:
    rows = session.exec(
        select(ChecklistEntry.item_id, ChecklistEntry.status).where(
            ChecklistEntry.application_id == application_id
        )
    ).all()
    return dict(rows)


def context(
    session: Session,
    application: Application,
    permit: PermitType,
    rule: Transition,
    actor: Actor,
    today: date,
    *,
    reason: str = "",
    ground: str | None = None,
    deadline: date | None = None,
    fine_baht: int | None = None,
    history: list[ApplicationEvent] | None = None,
    statuses: dict[str, str] | None = None,
) -> Context:
    """What the rules need to judge ``rule`` for ``actor`` on ``application`` today."""
    assert application.id is not None
    return Context(
        application=application,
        permit=permit,
        rule=rule,
        actor_username=actor.username,
        actor_role=actor.role,
        statuses=statuses if statuses is not None else checklist_statuses(session, application.id),
        history=history if history is not None else load_history(session, application.id),
        today=today,
        older_waiting=(
            older_waiting(session, application, rule.source) if rule.kind in DECISIONS else 0
        ),
        reason=reason,
        ground=ground,
        deadline=deadline,
        fine_baht=fine_baht,
    )
