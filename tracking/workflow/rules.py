"""The rules an event must satisfy beyond the machine's topology: each written once, here.

Each rule is a small function of a ``Context`` that returns the error it would raise, or None.
Every one of them is a validator on every transition of the permit types' machines
(``tracking.workflow.machines``), which raise the first; the staff detail view lists them all,
so a clerk sees why an event is not available. Two kinds are kept apart: *blockers* depend on
the state of the file (role, checklist, four-eyes, the s.8 deficiency record and its deadline),
*inputs* on what the caller sends (reason, a ground that holds, deadline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, or_, select

from checklists.schema import DECISIONS, ItemKind, PermitType, Transition, TransitionKind
from tracking.access import Actor
from tracking.clock import supported_day
from tracking.errors import DomainError, GuardFailed, InvalidInput, NotPermitted
from tracking.models import SATISFIED, Application, ApplicationEvent, ChecklistEntry, EventKind

REVIEW_KINDS = frozenset({TransitionKind.review.value, TransitionKind.inspection.value})
REVIEW_ITEMS = frozenset({ItemKind.inspection, ItemKind.review, ItemKind.opinion})


class FourEyes(NotPermitted):
    code = "four_eyes"


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

    @property
    def kind(self) -> TransitionKind:
        return self.rule.kind


Rule = Callable[[Context], DomainError | None]


def _labels(permit: PermitType, items: list[str]) -> tuple[str, str]:
    labels = {item.id: item.label for item in permit.items()}
    return ", ".join(labels[i].th for i in items), ", ".join(labels[i].en for i in items)


def role_error(rule: Transition, role: str) -> DomainError | None:
    if role in rule.roles:
        return None
    return NotPermitted(
        f"บทบาท {role or '-'} ไม่มีสิทธิ์ดำเนินการ “{rule.label.th}”",
        f"Role {role or '-'} may not {rule.label.en.lower()}",
        allowed_roles=list(rule.roles),
    )


def unmet_items(items: Sequence[str], statuses: Mapping[str, str]) -> list[str]:
    return [item for item in items if statuses.get(item) not in SATISFIED]


def items_error(
    permit: PermitType, rule: Transition, statuses: Mapping[str, str]
) -> DomainError | None:
    unmet = unmet_items(rule.requires, statuses)
    if not unmet:
        return None
    th, en = _labels(permit, unmet)
    return GuardFailed(
        "ยังตรวจรายการต่อไปนี้ไม่ครบ: " + th,
        "These checklist items are not yet verified or waived: " + en,
        unmet_items=unmet,
    )


def role_allowed(ctx: Context) -> DomainError | None:
    return role_error(ctx.rule, ctx.actor_role)


def items_verified(ctx: Context) -> DomainError | None:
    return items_error(ctx.permit, ctx.rule, ctx.statuses)


def visited_steps(permit: PermitType, history: Sequence[ApplicationEvent]) -> set[str]:
    steps = {permit.initial_step.id}
    steps.update(e.target for e in history if e.kind == EventKind.transition and e.target)
    return steps


def approval_complete(ctx: Context) -> DomainError | None:
    """An approval needs every required item of every step the file has been through."""
    if ctx.kind is not TransitionKind.approve:
        return None
    visited = visited_steps(ctx.permit, ctx.history)
    required = [
        item.id
        for step in ctx.permit.steps
        if step.id in visited
        for item in step.checklist
        if item.required
    ]
    unmet = unmet_items(required, ctx.statuses)
    if not unmet:
        return None
    th, en = _labels(ctx.permit, unmet)
    return GuardFailed(
        "อนุมัติไม่ได้ เพราะรายการที่ต้องมียังไม่ได้ตรวจหรือยกเว้น: " + th,
        "Cannot approve: required items are neither verified nor waived: " + en,
        unmet_items=unmet,
    )


def reviewers(permit: PermitType, history: Sequence[ApplicationEvent]) -> set[str]:
    """Everyone who reviewed or inspected the file: fired a review or inspection, or verified
    an inspection, review or opinion item."""
    kinds = {item.id: item.kind for item in permit.items()}
    people = {e.actor for e in history if e.transition_kind in REVIEW_KINDS}
    for e in history:
        if e.kind == EventKind.checklist and e.target == "verified":
            item = e.event.removeprefix("checklist:")
            if kinds.get(item) in REVIEW_ITEMS:
                people.add(e.actor)
    return people


def decided_by_reviewer(
    permit: PermitType, history: Sequence[ApplicationEvent], actor: str, kind: str | None
) -> bool:
    """A decision (``kind``) by someone who reviewed or inspected the file: the four-eyes
    breach that ``four_eyes`` refuses, and that an imported trail may still carry."""
    decides = kind in {k.value for k in DECISIONS}
    return decides and actor in reviewers(permit, history)


def four_eyes(ctx: Context) -> DomainError | None:
    if not decided_by_reviewer(ctx.permit, ctx.history, ctx.actor_username, ctx.kind.value):
        return None
    return FourEyes(
        "ผู้ตรวจสอบหรือผู้ตรวจสถานที่ของคำขอนี้ไม่อาจเป็นผู้อนุญาตหรือไม่อนุญาตเอง (หลักสี่ตา)",
        "Whoever reviewed or inspected this application may not also decide it (four-eyes)",
    )


def deficiency_once(ctx: Context) -> DomainError | None:
    """Documents are requested once (s.8), and on the day of filing: the record of deficiencies
    is made then, with the applicant there to sign it."""
    if ctx.kind is not TransitionKind.deficiency_request:
        return None
    kind = TransitionKind.deficiency_request.value
    if any(e.transition_kind == kind for e in ctx.history):
        return GuardFailed(
            "ขอเอกสารเพิ่มเติมได้เพียงครั้งเดียว (พ.ร.บ.การอำนวยความสะดวกฯ มาตรา ๘)",
            "Documents may be requested only once (Licensing Facilitation Act s.8)",
        )
    filed = ctx.application.submitted_on
    if ctx.today <= filed:
        return None
    return GuardFailed(
        f"ขอเอกสารเพิ่มได้เฉพาะในวันที่ยื่นคำขอ ({filed}) (พ.ร.บ.การอำนวยความสะดวกฯ มาตรา ๘)",
        f"Documents may be requested only on the day of filing, {filed}"
        " (Licensing Facilitation Act s.8)",
        filed_on=filed.isoformat(),
    )


def deficiency_names_missing_items(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.deficiency_request or missing_items(ctx.statuses):
        return None
    return GuardFailed(
        "ต้องระบุรายการเอกสารที่ขาดในรายการตรวจสอบ (สถานะ missing) ก่อนขอเอกสารเพิ่ม",
        "Mark the missing items in the checklist (status missing) before requesting them",
    )


def deficiency_record_signed(ctx: Context) -> DomainError | None:
    """The official and the applicant sign the s.8 record: its item is verified, not waived."""
    record = ctx.permit.deficiency_record if ctx.kind is TransitionKind.deficiency_request else None
    if record is None or ctx.statuses.get(record.id) == "verified":
        return None
    return GuardFailed(
        f"ต้องตรวจรายการ “{record.label.th}” ก่อน (การลงนามยกเว้นไม่ได้)",
        f"Verify “{record.label.en}” first (signatures cannot be waived)",
        unmet_items=[record.id],
    )


def supplied_by_deadline(ctx: Context) -> DomainError | None:
    """Documents after the s.8 deadline do not save the application: it is returned."""
    deadline = ctx.application.applicant_deadline
    if ctx.kind is not TransitionKind.documents_supplied or not deadline or ctx.today <= deadline:
        return None
    return GuardFailed(
        f"พ้นกำหนดส่งเอกสาร ({deadline}) แล้ว ต้องคืนคำขอ ผู้ยื่นคำขอยื่นใหม่ได้ (มาตรา ๘)",
        f"The document deadline ({deadline}) has passed: the application is returned, and"
        " the applicant may apply again (Licensing Facilitation Act s.8)",
        deadline=deadline.isoformat(),
    )


def missing_items(statuses: dict[str, str]) -> list[str]:
    return sorted(item for item, status in statuses.items() if status == "missing")


def return_after_deadline(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.return_:
        return None
    deadline = ctx.application.applicant_deadline
    if deadline is not None and ctx.today > deadline:
        return None
    when = deadline.isoformat() if deadline else "-"
    return GuardFailed(
        f"คืนคำขอได้เมื่อพ้นกำหนดส่งเอกสาร ({when}) แล้วเท่านั้น",
        f"The application can be returned only after the document deadline ({when}) has passed",
        deadline=deadline.isoformat() if deadline else None,
    )


BLOCKERS: tuple[Rule, ...] = (
    role_allowed,
    items_verified,
    approval_complete,
    four_eyes,
    deficiency_once,
    deficiency_record_signed,
    deficiency_names_missing_items,
    supplied_by_deadline,
    return_after_deadline,
)


def _needs_reason(ctx: Context) -> bool:
    kinds = {TransitionKind.refuse, TransitionKind.return_, TransitionKind.withdraw}
    return ctx.kind in kinds or out_of_turn(ctx)


def out_of_turn(ctx: Context) -> bool:
    return ctx.kind in DECISIONS and ctx.older_waiting > 0


def reason_given(ctx: Context) -> DomainError | None:
    if not _needs_reason(ctx) or ctx.reason.strip():
        return None
    if out_of_turn(ctx):
        return InvalidInput(
            f"มีคำขอที่ยื่นก่อน {ctx.older_waiting} รายการรอในขั้นตอนนี้ การพิจารณาข้ามลำดับต้องบันทึกเหตุผล",
            f"{ctx.older_waiting} older application(s) of this type wait at this step; deciding"
            " out of turn needs a written reason",
            field="reason",
            older_waiting=ctx.older_waiting,
        )
    return InvalidInput(
        f"“{ctx.rule.label.th}” ต้องระบุเหตุผลเป็นลายลักษณ์อักษร",
        f"{ctx.rule.label.en} needs a written reason",
        field="reason",
    )


def ground_given(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.refuse or ctx.permit.ground(ctx.ground or ""):
        return None
    codes = [g.code for g in ctx.permit.refusal_grounds]
    return InvalidInput(
        "การไม่อนุญาตต้องอ้างเหตุตามแนวทางการใช้ดุลยพินิจ: " + ", ".join(codes),
        "A refusal must cite one of this permit type's refusal grounds: " + ", ".join(codes),
        field="ground",
        grounds=codes,
    )


def ground_holds(ctx: Context) -> DomainError | None:
    """A ground tied to a subject's date holds only for a file received after it (BCA s.35)."""
    ground = ctx.permit.ground(ctx.ground or "") if ctx.kind is TransitionKind.refuse else None
    spec = ctx.permit.subject_field(ground.received_after or "") if ground else None
    if ground is None or spec is None:
        return None
    day = str((ctx.application.subject_details or {}).get(spec.id) or "-")
    received = ctx.application.submitted_on.isoformat()
    if day != "-" and received > day:  # ISO dates: text order is date order
        return None
    return GuardFailed(
        f"อ้างเหตุ {ground.code} ไม่ได้: ได้รับคำขอ {received} ไม่หลัง{spec.label.th} ({day})",
        f"{ground.code} does not hold: the application was received on {received}, not after"
        f" the {spec.label.en.lower()} ({day})",
        field="ground",
    )


def deadline_given(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.deficiency_request:
        return None
    if ctx.deadline is not None and ctx.deadline > ctx.today:
        try:
            supported_day(ctx.deadline, "deadline")
        except InvalidInput as exc:
            return exc
        return None
    return InvalidInput(
        "การขอเอกสารเพิ่มต้องกำหนดวันส่งเอกสาร (deadline) ที่อยู่หลังวันนี้",
        "A deficiency request needs a deadline after today for the missing documents",
        field="deadline",
    )


INPUTS: tuple[Rule, ...] = (reason_given, ground_given, ground_holds, deadline_given)


RULES: tuple[Rule, ...] = BLOCKERS + INPUTS
"""Every rule, in the order the machines check them."""


def blockers(ctx: Context) -> list[DomainError]:
    return [error for rule in BLOCKERS if (error := rule(ctx)) is not None]


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
    )
