"""One application as staff see it: details, the checklist split into what is needed now
and the rest, the events of its step (and why each is blocked), the trail with the
catalogue's names, delay notices, and whether the actor may act or record checklist items
(each item says which statuses the actor may give it, from ``tracking.access``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from checklists.schema import ChecklistItem as ItemSpec
from checklists.schema import ItemKind, PermitType, Step, TransitionKind
from tracking import codes
from tracking.access import Actor, item_roles, item_statuses, refusal
from tracking.clock import is_overdue
from tracking.errors import DomainError, NotPermitted
from tracking.models import SATISFIED, Application, ApplicationEvent, ChecklistEntry, DelayNotice
from tracking.reads import clocks
from tracking.reads.staff.holders import Hands, hands
from tracking.reads.staff.labels import (
    Label,
    department_label,
    label,
    step_label,
    subject_detail,
)
from tracking.workflow import rules
from tracking.workflow.machines import permit_type
from tracking.workflow.transitions import application_for, checklist_refusal


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    step: str
    kind: str
    label: Label  # empty for an item the permit type no longer has
    required: bool
    status: str
    note: str
    updated_by: str | None
    updated_at: datetime | None
    # The roles that mark the item verified or waived...
    recorded_by: tuple[str, ...] = ()
    # ...and the statuses the actor may give it now (none: no form).
    statuses: tuple[str, ...] = ()

    @property
    def title(self) -> Label:
        return self.label or {"th": self.id, "en": self.id}

    @property
    def signs_off(self) -> bool:
        """Whether the actor may verify or waive the item now."""
        return any(s in SATISFIED for s in self.statuses)


def checklist_item(
    entry: ChecklistEntry, items: Mapping[str, ItemSpec], recorder: Actor | None = None
) -> ChecklistItem:
    """One item as recorded; with ``recorder``, someone who may record the file's checklist
    now, the statuses they may give the item."""
    spec = items.get(entry.item_id)
    return ChecklistItem(
        id=entry.item_id,
        step=entry.step,
        kind=spec.kind.value if spec else ItemKind.document.value,
        label=label(spec.label) if spec else {},
        required=entry.required,
        status=entry.status,
        note=entry.note,
        updated_by=entry.updated_by,
        updated_at=entry.updated_at,
        recorded_by=item_roles(spec),
        statuses=item_statuses(recorder, spec, entry.status) if recorder else (),
    )


@dataclass(frozen=True)
class StepItems:
    step: str
    label: Label
    items: list[ChecklistItem]


@dataclass(frozen=True)
class AvailableEvent:
    event: str
    kind: str
    target: str
    label: Label
    allowed: bool
    blocked_by: list[dict[str, Any]]
    needs_reason: bool
    needs_ground: bool
    needs_deadline: bool
    target_label: Label
    needs_fine: bool = False


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
    cannot_act = refusal(actor, application.department, act=True)
    found = []
    for rule in permit.transitions:
        if rule.source != application.state:
            continue
        ctx = rules.context(
            session, application, permit, rule, actor, today, history=history, statuses=statuses
        )
        found_blockers = rules.blockers(ctx)
        if cannot_act is not None:
            # Who may not act here is said once: not again as "this role may not ...".
            others = [e for e in found_blockers if not isinstance(e, NotPermitted)]
            found_blockers = [cannot_act, *others]
        blocked = [error.as_dict() for error in found_blockers]
        found.append(
            AvailableEvent(
                event=rule.event,
                kind=rule.kind.value,
                target=rule.target,
                label=label(rule.label),
                allowed=not blocked,
                blocked_by=blocked,
                needs_reason=rules.reason_given(ctx) is not None,
                needs_ground=rule.kind is TransitionKind.refuse,
                needs_deadline=rule.kind is TransitionKind.deficiency_request,
                target_label=step_label(permit, rule.target),
                needs_fine=rule.fine is not None,
            )
        )
    return found


def event_view(event: ApplicationEvent) -> dict[str, Any]:
    """One event of the trail as recorded."""
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


@dataclass(frozen=True)
class TrailEvent:
    """An event of the trail as recorded, with the catalogue's names for what it did."""

    seq: int
    kind: str
    occurred_at: datetime
    actor: str
    role: str
    event: str
    source: str | None
    target: str | None
    transition_kind: str | None
    reason: str
    ground: str | None
    out_of_turn: bool
    data: dict[str, Any]
    hash: str
    # A checklist event: the item's name; a transition: the event's; intake: None.
    what: Label | None
    source_label: Label | None
    target_label: Label | None
    ground_label: Label | None


EVENT_LABELS: dict[str, dict[str, Label]] = {
    "clock": {
        "calendar:closure": {
            "th": "วันปิดทำการของสำนักงาน: เลื่อนวันครบกำหนด",
            "en": "Office closure: due date moved",
        },
        "": {"th": "คำนวณวันครบกำหนดใหม่", "en": "Due date recomputed"},
    },
    "extension": {"": {"th": "ขยายระยะเวลาพิจารณา", "en": "Period extended"}},
}


def trail_event(event: ApplicationEvent, permit: PermitType) -> TrailEvent:
    what = source = target = None
    if event.kind == "checklist":
        item = event.event.removeprefix("checklist:")
        known = permit.item_labels.get(item)
        what = label(known) if known else {"th": item, "en": item}
    elif event.kind in EVENT_LABELS:  # the due date moved at the same step
        what = EVENT_LABELS[event.kind].get(event.event) or EVENT_LABELS[event.kind][""]
    elif event.kind == "notice":  # the order reached the applicant (tracking.delivery)
        what = {"th": "แจ้งคำสั่งแก่ผู้ยื่นคำขอ", "en": "Order delivered to the applicant"}
    elif event.kind != "intake":
        rule = next(
            (t for t in permit.transitions if t.event == event.event and t.source == event.source),
            None,
        )
        what = label(rule.label) if rule else {"th": event.event, "en": event.event}
        source, target = step_label(permit, event.source), step_label(permit, event.target)
    ground = permit.ground(event.ground) if event.ground else None
    return TrailEvent(
        **event_view(event),
        what=what,
        source_label=source,
        target_label=target,
        ground_label=label(ground.text) if ground else None,
    )


@dataclass(frozen=True)
class DelayNoticeView:
    number: str
    issued_on: date
    reason: Label
    copy_to_opdc: bool


@dataclass(frozen=True)
class ApplicationView:
    """One application as staff see it."""

    application: Application
    permit: PermitType
    step: Step
    code: str
    department: Label
    overdue: bool
    # Every item, in the order the file took them in.
    checklist: list[ChecklistItem]
    # This step's items and those its events need first (often an earlier step's)...
    needed_now: list[ChecklistItem]
    # ...and the rest, by step in the type's order.
    other_steps: list[StepItems]
    trail: list[TrailEvent]
    delay_notices: list[DelayNoticeView]
    events: list[AvailableEvent]
    # Why the actor may not change the file, or record its checklist now (None: they may;
    # each item then says which statuses they may give it).
    cannot_act: DomainError | None
    cannot_record: DomainError | None
    grounds: list[tuple[str, Label]]
    details: list[tuple[Label, Label]]
    # The rule that set the due date (Thai, English), and the file's extensions.
    due_rule: tuple[str, str] = ("", "")
    extensions: clocks.ExtensionsView | None = None
    # Who works the file, who it may go to, and who may still decide it (four-eyes).
    hands: Hands | None = None
    # The items that, verified by the actor, would bar them from deciding (four-eyes).
    barring: frozenset[str] = frozenset()


def by_need(
    permit: PermitType, state: str, checklist: list[ChecklistItem]
) -> tuple[list[ChecklistItem], list[StepItems]]:
    """The items needed now: step ``state``'s own and those its events require (often an
    earlier step's); then the others, by step in the type's order."""
    required = {item for t in permit.transitions if t.source == state for item in t.requires}
    here = [item for item in checklist if item.step == state or item.id in required]
    shown = {item.id for item in here}
    order = {step.id: n for n, step in enumerate(permit.steps)}
    others: list[StepItems] = []
    rest = sorted((i for i in checklist if i.id not in shown), key=lambda i: order.get(i.step, 99))
    for item in rest:
        if not others or others[-1].step != item.step:
            others.append(StepItems(item.step, step_label(permit, item.step), []))
        others[-1].items.append(item)
    return here, others


def entries(session: Session, application_id: int) -> list[ChecklistEntry]:
    return list(
        session.exec(
            select(ChecklistEntry)
            .where(col(ChecklistEntry.application_id) == application_id)
            .order_by(col(ChecklistEntry.id))
        ).all()
    )


def application_view(
    session: Session, application_id: int, actor: Actor, today: date
) -> ApplicationView:
    """One application for staff: details, checklist, trail and the events available now.
    Raises ``NotFound`` and ``NotPermitted`` (another office or department)."""
    application = application_for(session, application_id, actor, act=False)
    assert application.id is not None
    permit = permit_type(application.permit_type)
    rows = entries(session, application.id)
    items = {item.id: item for item in permit.items()}
    cannot_record = checklist_refusal(actor, application)
    recorder = actor if cannot_record is None else None
    checklist = [checklist_item(e, items, recorder) for e in rows]
    here, others = by_need(permit, application.state, checklist)
    history = rules.load_history(session, application.id)
    statuses = {e.item_id: e.status for e in rows}
    notices = session.exec(
        select(DelayNotice)
        .where(col(DelayNotice.application_id) == application.id)
        .order_by(col(DelayNotice.seq))
    ).all()
    return ApplicationView(
        application=application,
        permit=permit,
        step=permit.step(application.state),
        code=codes.format_code(application.tracking_code),
        department=department_label(application.department),
        overdue=is_overdue(application, today),
        checklist=checklist,
        needed_now=here,
        other_steps=others,
        trail=[trail_event(e, permit) for e in history],
        delay_notices=[
            DelayNoticeView(
                n.number, n.issued_on, {"th": n.reason_th, "en": n.reason_en}, n.copy_to_opdc
            )
            for n in notices
        ],
        events=available_events(session, application, permit, actor, today, history, statuses),
        cannot_act=refusal(actor, application.department, act=True),
        cannot_record=cannot_record,
        grounds=[(g.code, label(g.text)) for g in permit.refusal_grounds],
        details=[
            subject_detail(permit, str(k), v)
            for k, v in (application.subject_details or {}).items()
        ],
        due_rule=clocks.due_rule(session, application, permit),
        extensions=clocks.extensions_view(session, application, permit, today),
        hands=hands(session, application, permit, history, actor),
        barring=frozenset(
            item.id
            for item in checklist
            if "verified" in item.statuses and rules.verifying_bars(permit, item.id, actor.role)
        ),
    )
