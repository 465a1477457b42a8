"""Read models for staff: the work queue and one application in full."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from checklists.schema import PermitType, TransitionKind
from tracking.access import Actor, queue_department, refusal
from tracking.clock import is_overdue, overdue_clause
from tracking.models import Application, ApplicationEvent, ChecklistEntry, DelayNotice, Office
from tracking.workflow import rules
from tracking.workflow.machines import permit_type
from tracking.workflow.transitions import application_for

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    permit_type: str | None = None
    overdue: bool | None = None
    turn: str | None = None
    open_only: bool = True


def work_queue(
    session: Session,
    actor: Actor,
    today: date,
    filters: QueueFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Application], int]:
    """Applications the actor may see, first come first served, one page at a time."""
    conditions: list[ColumnElement[bool]] = []
    if actor.office_id is not None:
        conditions.append(col(Application.office_id) == actor.office_id)
    department = queue_department(actor)
    if department is not None:
        conditions.append(col(Application.department) == department)
    if filters.state:
        conditions.append(col(Application.state) == filters.state)
    if filters.permit_type:
        permit_type(filters.permit_type)  # unknown type: a clear 422
        conditions.append(col(Application.permit_type) == filters.permit_type)
    if filters.turn:
        conditions.append(col(Application.turn) == filters.turn)
    if filters.open_only and not filters.state:
        conditions.append(col(Application.outcome).is_(None))
    if filters.overdue is True:
        conditions.append(overdue_clause(today))
    elif filters.overdue is False:
        conditions.append(~overdue_clause(today))
    total = session.exec(select(func.count()).select_from(Application).where(*conditions)).one()
    rows = session.exec(
        select(Application)
        .where(*conditions)
        .order_by(col(Application.submitted_at), col(Application.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), int(total)


@dataclass(frozen=True)
class AvailableEvent:
    event: str
    kind: str
    target: str
    label: dict[str, str]
    allowed: bool
    blocked_by: list[dict[str, Any]]
    needs_reason: bool
    needs_ground: bool
    needs_deadline: bool


def available_events(
    session: Session,
    application: Application,
    permit: PermitType,
    actor: Actor,
    today: date,
    history: list[ApplicationEvent],
    statuses: dict[str, str],
) -> list[AvailableEvent]:
    """Every event of the current step, whether ``actor`` could fire it now, and if not, why."""
    found = []
    for rule in permit.transitions:
        if rule.source != application.state:
            continue
        ctx = rules.context(
            session, application, permit, rule, actor, today, history=history, statuses=statuses
        )
        blocked = [error.as_dict() for error in rules.blockers(ctx)]
        cannot_act = refusal(actor, application.department, act=True)
        if cannot_act is not None:
            blocked.insert(0, cannot_act.as_dict())
        found.append(
            AvailableEvent(
                event=rule.event,
                kind=rule.kind.value,
                target=rule.target,
                label=rule.label.model_dump(),
                allowed=not blocked,
                blocked_by=blocked,
                needs_reason=rules.reason_given(ctx) is not None,
                needs_ground=rule.kind is TransitionKind.refuse,
                needs_deadline=rule.kind is TransitionKind.deficiency_request,
            )
        )
    return found


def event_view(event: ApplicationEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        "role": event.role,
        "event": event.event,
        "source": event.source,
        "target": event.target,
        "transition_kind": event.transition_kind,
        "reason": event.reason,
        "ground": event.ground,
        "out_of_turn": event.out_of_turn,
        "data": json.loads(event.data or "{}"),
        "hash": event.hash,
    }


def application_detail(
    session: Session, application_id: int, actor: Actor, today: date
) -> dict[str, Any]:
    """One application for staff: details, checklist, trail and the events available now."""
    application = application_for(session, application_id, actor, act=False)
    assert application.id is not None
    permit = permit_type(application.permit_type)
    step = permit.step(application.state)
    entries = session.exec(
        select(ChecklistEntry)
        .where(col(ChecklistEntry.application_id) == application.id)
        .order_by(col(ChecklistEntry.id))
    ).all()
    items = {item.id: item for item in permit.items()}
    history = rules.load_history(session, application.id)
    statuses = {e.item_id: e.status for e in entries}
    return {
        "application": application,
        "permit": permit,
        "step": step,
        "overdue": is_overdue(application, today),
        "checklist": [
            {
                "id": e.item_id,
                "step": e.step,
                "kind": items[e.item_id].kind.value if e.item_id in items else "document",
                "label": items[e.item_id].label.model_dump() if e.item_id in items else {},
                "required": e.required,
                "status": e.status,
                "note": e.note,
                "updated_by": e.updated_by,
                "updated_at": e.updated_at,
            }
            for e in entries
        ],
        "trail": [event_view(e) for e in history],
        "delay_notices": [
            {
                "number": n.number,
                "issued_on": n.issued_on,
                "reason": {"th": n.reason_th, "en": n.reason_en},
                "copy_to_opdc": n.copy_to_opdc,
            }
            for n in session.exec(
                select(DelayNotice)
                .where(col(DelayNotice.application_id) == application.id)
                .order_by(col(DelayNotice.seq))
            ).all()
        ],
        "events": available_events(session, application, permit, actor, today, history, statuses),
    }


def receipt_view(session: Session, application_id: int, actor: Actor) -> dict[str, Any]:
    """What the printed receipt shows: the intake documents and the s.8 deficiency record."""
    application = application_for(session, application_id, actor, act=False)
    assert application.id is not None
    permit = permit_type(application.permit_type)
    items = {item.id: item for item in permit.items()}
    intake_items = {item.id for item in permit.initial_step.checklist}
    entries = session.exec(
        select(ChecklistEntry)
        .where(col(ChecklistEntry.application_id) == application.id)
        .order_by(col(ChecklistEntry.id))
    ).all()
    history = rules.load_history(session, application.id)
    request = next(
        (e for e in history if e.transition_kind == TransitionKind.deficiency_request.value),
        None,
    )
    deficiency = None
    if request is not None:
        data = json.loads(request.data or "{}")
        deficiency = {
            "items": [items[i].label for i in data.get("missing_items", []) if i in items],
            "deadline": date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
        }
    intake = next((e for e in history if e.kind == "intake"), None)
    return {
        "application": application,
        "permit": permit,
        "documents": [
            {"label": items[e.item_id].label, "status": e.status, "note": e.note}
            for e in entries
            if e.item_id in intake_items and e.item_id in items
        ],
        "deficiency": deficiency,
        "clerk": intake.actor if intake else "",
        "office": session.get(Office, application.office_id),
    }
