"""The rules an event must satisfy beyond the machine's topology: each written once, here.

Each rule is a small function of a ``Context`` that returns the error it would raise, or None.
Every one of them is a validator on every transition of the permit types' machines
(``tracking.workflow.machines``), which raise the first; the staff detail view lists them all,
so a clerk sees why an event is not available. Two kinds are kept apart: *blockers* depend on
the state of the file (role, checklist, four-eyes, the s.8 deficiency record and its deadline),
*inputs* on what the caller sends (reason, a ground that holds, deadline).

What a rule sees is in ``context``; the s.8 deficiency rules are in ``deficiency``; the
applicant's deadlines, their lapses and the fine a settlement sets are in ``lapses``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from checklists.schema import (
    DECISIONS,
    ItemKind,
    PermitType,
    Transition,
    TransitionKind,
    role_names,
)
from tracking.errors import DomainError, GuardFailed, InvalidInput, NotPermitted
from tracking.models import SATISFIED, ApplicationEvent, EventKind
from tracking.workflow.rules.context import (
    Context,
    Rule,
    checklist_statuses,
    context,
    labels,
    load_history,
    older_waiting,
)
from tracking.workflow.rules.deficiency import (
    deadline_given,
    deficiency_names_missing_items,
    deficiency_once,
    deficiency_record_signed,
    missing_items,
    return_after_deadline,
    supplied_by_deadline,
)
from tracking.workflow.rules.lapses import (
    current_deadline,
    deadline_on_delivery,
    deadline_on_entry,
    fine_given,
    lapse_after_deadline,
    lapse_of,
    window_end,
    window_start,
    within_window,
)

__all__ = [
    "BLOCKERS",
    "Context",
    "FourEyes",
    "INPUTS",
    "REVIEW_ITEMS",
    "REVIEW_KINDS",
    "RULES",
    "Rule",
    "approval_complete",
    "blockers",
    "checklist_statuses",
    "context",
    "current_deadline",
    "deadline_given",
    "deadline_on_delivery",
    "deadline_on_entry",
    "decided_by_reviewer",
    "deciding_roles",
    "deficiency_names_missing_items",
    "deficiency_once",
    "deficiency_record_signed",
    "fine_given",
    "four_eyes",
    "verifying_bars",
    "ground_given",
    "ground_holds",
    "items_error",
    "items_verified",
    "labels",
    "lapse_after_deadline",
    "lapse_of",
    "load_history",
    "missing_items",
    "older_waiting",
    "out_of_turn",
    "reason_given",
    "return_after_deadline",
    "reviewers",
    "role_allowed",
    "role_error",
    "supplied_by_deadline",
    "unmet_items",
    "visited_steps",
    "window_end",
    "window_start",
    "within_window",
]


REVIEW_KINDS = frozenset({TransitionKind.review.value, TransitionKind.inspection.value})


REVIEW_ITEMS = frozenset({ItemKind.inspection, ItemKind.review, ItemKind.opinion})


class FourEyes(NotPermitted):
    code = "four_eyes"


def role_error(rule: Transition, role: str) -> DomainError | None:
    if role in rule.roles:
        return None
    return NotPermitted(
        f"{role_names([role])} ไม่มีสิทธิ์ดำเนินการ “{rule.label.th}”"
        f" (ดำเนินการได้โดย: {role_names(rule.roles)})",
        f"The {role_names([role], 'en')} role may not {rule.label.en.lower()}"
        f" (it is done by: {role_names(rule.roles, 'en')})",
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
    th, en = labels(permit, unmet)
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
    """An approval needs every required item of every step the file has been through (those
    the transition itself requires are ``items_verified``'s, so a page states each once)."""
    if ctx.kind is not TransitionKind.approve:
        return None
    visited = visited_steps(ctx.permit, ctx.history)
    # The transition's own items are ``items_verified``'s: named there, not twice.
    own = set(ctx.rule.requires)
    required = [
        item.id
        for step in ctx.permit.steps
        if step.id in visited
        for item in step.checklist
        if item.required and item.id not in own
    ]
    unmet = unmet_items(required, ctx.statuses)
    if not unmet:
        return None
    th, en = labels(ctx.permit, unmet)
    return GuardFailed(
        "อนุญาตไม่ได้ เพราะรายการที่ต้องมียังไม่ได้ตรวจหรือยกเว้น: " + th,
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


def deciding_roles(permit: PermitType, state: str | None = None) -> frozenset[str]:
    """The roles that fire a decision (approve, refuse) of ``permit``: at step ``state``, or
    at any step."""
    return frozenset(
        role
        for t in permit.transitions
        if t.kind in DECISIONS and state in (None, t.source)
        for role in t.roles
    )


def verifying_bars(permit: PermitType, item_id: str, role: str) -> bool:
    """Whether verifying item ``item_id`` makes someone of ``role`` one of the file's
    reviewers (``reviewers``) while the role decides files of the type: four-eyes would then
    bar them from deciding it."""
    kinds = {item.id: item.kind for item in permit.items()}
    return kinds.get(item_id) in REVIEW_ITEMS and role in deciding_roles(permit)


def four_eyes(ctx: Context) -> DomainError | None:
    if not decided_by_reviewer(ctx.permit, ctx.history, ctx.actor_username, ctx.kind.value):
        return None
    return FourEyes(
        "ผู้ตรวจสอบหรือผู้ตรวจสถานที่ของคำขอนี้ไม่อาจเป็นผู้อนุญาตหรือไม่อนุญาตเอง (หลักสี่ตา)",
        "Whoever reviewed or inspected this application may not also decide it (four-eyes)",
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
    lapse_after_deadline,
    within_window,
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


INPUTS: tuple[Rule, ...] = (reason_given, ground_given, ground_holds, deadline_given, fine_given)


RULES: tuple[Rule, ...] = BLOCKERS + INPUTS
"""Every rule, in the order the machines check them."""


def blockers(ctx: Context) -> list[DomainError]:
    return [error for rule in BLOCKERS if (error := rule(ctx)) is not None]
