"""The pydantic schema of one permit-type file in ``checklists/types/``.

A permit type is described once, as data: its steps (the states of its workflow), the checklist
items of each step, the transitions between steps with who may fire them and what must be
verified first, the refusal grounds and the discretion guideline officers apply. The schema
checks each file's shape; ``PermitType``'s model validator checks that the parts refer to each
other correctly, so a broken file is rejected before any machine is built from it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import cached_property
from typing import Self

from pydantic import Field, model_validator

# The vocabulary and the values of a file (and its subject fields) are in checklists.fields;
# they stay importable from here.
from checklists.appeals import RETURN_ORDER_APPEAL, OrderAppeals, OrderKind
from checklists.clocks import Clock, clock_problems
from checklists.fields import DECISIONS as DECISIONS
from checklists.fields import (
    Appeal,
    Fee,
    Identifier,
    LegalBasis,
    Note,
    PermitPeriod,
    Slug,
    Strict,
    SubjectField,
    subject_problems,
)
from checklists.fields import DayUnit as DayUnit
from checklists.fields import ItemKind as ItemKind
from checklists.fields import Outcome as Outcome
from checklists.fields import Text as Text
from checklists.fields import TransitionKind as TransitionKind
from checklists.fields import Turn as Turn
from checklists.lapses import FineAmount, StepDeadline, Window, lapse_problems
from checklists.taxes import TaxCalendar, tax_calendar_problems

ROLES = ("clerk", "officer", "approver", "manager", "admin", "city")
"""Staff roles. Managers read and audit their office, the city's auditors every office; neither
fires events."""

FIRING_ROLES = frozenset({"clerk", "officer", "approver", "admin"})
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "clerk": ("เจ้าหน้าที่รับคำขอ", "clerk"),
    "officer": ("เจ้าหน้าที่ผู้ตรวจสอบ", "officer"),
    "approver": ("ผู้มีอำนาจอนุญาต", "approver"),
    "manager": ("ผู้บริหาร", "manager"),
    "admin": ("ผู้ดูแลระบบ", "administrator"),
    "city": ("ผู้ตรวจสอบของกรุงเทพมหานคร", "city auditor"),
}
"""Each role as people read it (Thai, English): pages and messages name roles by these."""
assert set(ROLE_NAMES) == set(ROLES)


def role_names(roles: Iterable[str], lang: str = "th") -> str:
    """``roles`` as people read them, joined: "เจ้าหน้าที่ผู้ตรวจสอบ, ผู้มีอำนาจอนุญาต"."""
    i = 0 if lang == "th" else 1
    return ", ".join(ROLE_NAMES[r][i] if r in ROLE_NAMES else r for r in roles) or "-"


DEPARTMENTS: dict[str, tuple[str, str]] = {
    "public-works": ("ฝ่ายโยธา", "Public Works Section"),
    "environment-sanitation": (
        "ฝ่ายสิ่งแวดล้อมและสุขาภิบาล",
        "Environment and Sanitation Section",
    ),
    "city-law-enforcement": ("ฝ่ายเทศกิจ", "City Law Enforcement Section"),
    "revenue": ("ฝ่ายรายได้", "Revenue Section"),
    "administration": ("ฝ่ายปกครอง", "Administration Section"),
    "registration": ("ฝ่ายทะเบียน", "Civil Registration Section"),
    "finance": ("ฝ่ายการคลัง", "Finance Section"),
}


class ChecklistItem(Strict):
    id: Identifier
    kind: ItemKind
    label: Text
    required: bool
    confirmed: bool = True
    # The roles that mark this item verified or waived, in place of its kind's
    # (``tracking.access.ITEM_ROLES``); None: its kind's.
    recorded_by: list[str] | None = Field(default=None, min_length=1)
    # The Licensing Facilitation Act s.8 record of deficiencies, signed by the official and
    # the applicant: verified (never waived) before the deficiency request.
    deficiency_record: bool = False


class Step(Strict):
    id: Identifier
    label: Text
    description: Text
    turn: Turn
    initial: bool = False
    final: bool = False
    outcome: Outcome | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list)
    deadline: StepDeadline | None = None  # the applicant's, on the applicant's turn

    @model_validator(mode="after")
    def _final_steps(self) -> Self:
        if self.final and self.outcome is None:
            raise ValueError("a final step needs an outcome")
        if not self.final and self.outcome is not None:
            raise ValueError("only a final step has an outcome")
        if self.final and self.turn is not Turn.none:
            raise ValueError("a final step is nobody's turn (turn: none)")
        if not self.final and self.turn is Turn.none:
            raise ValueError("a step that is not final is someone's turn")
        return self


class Transition(Strict):
    event: Identifier
    source: Identifier
    target: Identifier
    label: Text
    kind: TransitionKind = TransitionKind.progress
    roles: list[str] = Field(min_length=1)
    requires: list[Identifier] = Field(default_factory=list)
    fine: FineAmount | None = None  # the transition sets a fine, recorded in its event
    window: Window | None = None  # when it may be fired, counted from a start


class RefusalGround(Strict):
    code: Slug
    text: Text
    legal_basis: str
    # A ground about documents the applicant did not supply has no lawful use: they are asked
    # for once (Licensing Facilitation Act s.8) and, not supplied by the deadline, the
    # application is returned (s.8; Public Health Act s.56), not refused. Kept as a flag so an
    # office's copy of the catalogue that still carries one is told why it is refused.
    missing_documents: bool = False
    # The ground holds only for an application received after this date field of the subject
    # (a renewal filed after the permit's expiry date).
    received_after: Identifier | None = None

    @model_validator(mode="after")
    def _no_refusal_for_missing_documents(self) -> Self:
        if self.missing_documents:
            raise ValueError(
                "documents not supplied are no refusal ground: the application is returned"
                " (Licensing Facilitation Act s.8, Public Health Act s.56)"
            )
        return self


class DiscretionPoint(Strict):
    """One decision an officer takes with discretion, and the criteria that bound it."""

    event: Identifier
    criteria: list[Text] = Field(min_length=1)
    decided_by: list[str] = Field(min_length=1)
    review: Text


class PermitType(Strict):
    slug: Slug
    number: int = Field(ge=1)
    version: int = Field(ge=1)
    name: Text
    department: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    service_time: Clock
    statutory_limit: Clock | None
    fee: Fee
    validity: Note
    appeal: Appeal
    order_appeals: OrderAppeals = Field(default_factory=OrderAppeals)
    steps: list[Step] = Field(min_length=2)
    transitions: list[Transition] = Field(min_length=1)
    refusal_grounds: list[RefusalGround] = Field(min_length=1)
    discretion_guideline: list[DiscretionPoint] = Field(min_length=1)
    subject_fields: list[SubjectField] = Field(default_factory=list)
    permit_period: PermitPeriod | None = None
    tax_calendar: TaxCalendar | None = None  # the dates of a tax year (tax types)

    # The shape is checked by pydantic; how the parts refer to each other is checked by
    # cross_reference_problems(), which the loader runs so each problem gets its own line.
    @property
    def initial_step(self) -> Step:
        return next(step for step in self.steps if step.initial)

    @cached_property
    def _steps_by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}

    def step(self, step_id: str) -> Step:
        """The step ``step_id``; raises ``KeyError``. (Types are loaded once and read on
        every request, so lookups are indexed.)"""
        return self._steps_by_id[step_id]

    @cached_property
    def _items(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for step in self.steps for item in step.checklist)

    def items(self) -> list[ChecklistItem]:
        return list(self._items)

    @cached_property
    def _items_by_id(self) -> dict[str, ChecklistItem]:
        return {item.id: item for item in self._items}

    def item(self, item_id: str) -> ChecklistItem | None:
        """The checklist item ``item_id`` of any step; None if the type has none."""
        return self._items_by_id.get(item_id)

    @cached_property
    def item_labels(self) -> dict[str, Text]:
        return {item.id: item.label for item in self._items}

    def item_step(self) -> dict[str, str]:
        return {item.id: step.id for step in self.steps for item in step.checklist}

    def appeal_of(self, order: str) -> Appeal | None:
        """The appeal route an order of ``order`` kind names (``checklists.appeals``)."""
        if order == OrderKind.refuse:
            return self.order_appeals.refusal or self.appeal
        if order == OrderKind.return_:
            return self.order_appeals.return_order or RETURN_ORDER_APPEAL
        return None

    def ground(self, code: str) -> RefusalGround | None:
        return next((g for g in self.refusal_grounds if g.code == code), None)

    def subject_field(self, field_id: str) -> SubjectField | None:
        return next((f for f in self.subject_fields if f.id == field_id), None)

    @cached_property
    def deficiency_record(self) -> ChecklistItem | None:
        """The item recording that the s.8 record of deficiencies was signed, if any."""
        return next((item for item in self._items if item.deficiency_record), None)

    def road(self, start: str, outcomes: set[Outcome]) -> list[Transition]:
        """The shortest run of transitions from step ``start`` to a final step with one of
        ``outcomes`` (the first declared wins a tie); empty if there is none."""
        previous: dict[str, Transition | None] = {start: None}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            step = self.step(here)
            if step.final and step.outcome in outcomes:
                road: list[Transition] = []
                while (t := previous[here]) is not None:
                    road.append(t)
                    here = t.source
                return road[::-1]
            for t in self.transitions:
                if t.source == here and t.target not in previous:
                    previous[t.target] = t
                    queue.append(t.target)
        return []


def cross_reference_problems(permit: PermitType) -> list[tuple[str, str]]:
    """Every way the parts of ``permit`` fail to fit together, as ``(field, problem)`` pairs."""
    problems: list[tuple[str, str]] = []
    if permit.department not in DEPARTMENTS:
        problems.append(("department", f"unknown department {permit.department!r}"))

    step_ids: set[str] = set()
    for i, step in enumerate(permit.steps):
        if step.id in step_ids:
            problems.append((f"steps.{i}.id", f"duplicate step {step.id!r}"))
        step_ids.add(step.id)
    initials = [step.id for step in permit.steps if step.initial]
    if len(initials) != 1:
        problems.append(("steps", f"exactly one step must be initial, found {len(initials)}"))

    item_ids: set[str] = set()
    for i, step in enumerate(permit.steps):
        for j, item in enumerate(step.checklist):
            if item.id in item_ids:
                problems.append((f"steps.{i}.checklist.{j}.id", f"duplicate item {item.id!r}"))
            item_ids.add(item.id)
            for role in item.recorded_by or []:
                if role not in FIRING_ROLES:
                    problems.append(
                        (
                            f"steps.{i}.checklist.{j}.recorded_by",
                            f"role {role!r} cannot record checklist items",
                        )
                    )

    seen: set[tuple[str, str]] = set()
    final_ids = {step.id for step in permit.steps if step.final}
    for i, t in enumerate(permit.transitions):
        where = f"transitions.{i}"
        if t.source not in step_ids:
            problems.append((f"{where}.source", f"unknown step {t.source!r}"))
        elif t.source in final_ids:
            problems.append((f"{where}.source", f"step {t.source!r} is final"))
        if t.target not in step_ids:
            problems.append((f"{where}.target", f"unknown step {t.target!r}"))
        if (t.event, t.source) in seen:
            problems.append((f"{where}.event", f"duplicate event {t.event!r} from {t.source!r}"))
        seen.add((t.event, t.source))
        for role in t.roles:
            if role not in FIRING_ROLES:
                problems.append((f"{where}.roles", f"role {role!r} cannot fire events"))
        for required in t.requires:
            if required not in item_ids:
                problems.append((f"{where}.requires", f"unknown checklist item {required!r}"))
        if (
            t.kind is TransitionKind.refuse
            and t.target in step_ids
            and permit.step(t.target).outcome is not Outcome.refused
        ):
            problems.append(
                (f"{where}.target", "a refusal must end in a step with outcome refused")
            )
    kinds_of_event: dict[str, set[TransitionKind]] = {}
    for t in permit.transitions:
        kinds_of_event.setdefault(t.event, set()).add(t.kind)
    for event, kinds in kinds_of_event.items():
        if len(kinds) > 1:
            problems.append(("transitions", f"event {event!r} has more than one kind"))

    events = set(kinds_of_event)
    for i, point in enumerate(permit.discretion_guideline):
        if point.event not in events:
            problems.append((f"discretion_guideline.{i}.event", f"unknown event {point.event!r}"))
        for role in point.decided_by:
            if role not in ROLES:
                problems.append((f"discretion_guideline.{i}.decided_by", f"unknown role {role!r}"))
    codes = [g.code for g in permit.refusal_grounds]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(("refusal_grounds", f"duplicate ground {code!r}"))

    problems.extend(_deficiency_record_problems(permit))
    turns = {step.id: step.turn.value for step in permit.steps}
    problems.extend(clock_problems(permit.service_time, permit.statutory_limit, turns))
    problems.extend(lapse_problems(permit))
    dated = [
        (i, g.received_after) for i, g in enumerate(permit.refusal_grounds) if g.received_after
    ]
    problems.extend(subject_problems(permit.subject_fields, permit.permit_period, dated))
    problems.extend(tax_calendar_problems(permit.tax_calendar, permit.subject_fields))
    if not problems and len(initials) == 1:
        problems.extend(_structure_problems(permit, initials[0]))
    return problems


def _deficiency_record_problems(permit: PermitType) -> list[tuple[str, str]]:
    """A type that requests documents (s.8) has one record item: required by each request,
    not by an approval (it is needed only when documents are requested)."""
    records = [item for item in permit.items() if item.deficiency_record]
    kind = TransitionKind.deficiency_request
    requests = [i for i, t in enumerate(permit.transitions) if t.kind is kind]
    if len(records) > 1 or (requests and not records):
        return [("steps", f"one s.8 record item is needed, found {len(records)}")]
    problems = [
        ("steps", f"s.8 record {r.id!r} must not be required") for r in records if r.required
    ]
    for record in records:
        for i in requests:
            if record.id not in permit.transitions[i].requires:
                problems.append((f"transitions.{i}.requires", f"must include {record.id!r}"))
    return problems


def _structure_problems(permit: PermitType, initial: str) -> list[tuple[str, str]]:
    forward: dict[str, set[str]] = {step.id: set() for step in permit.steps}
    backward: dict[str, set[str]] = {step.id: set() for step in permit.steps}
    for t in permit.transitions:
        forward[t.source].add(t.target)
        backward[t.target].add(t.source)
    reachable = _closure(initial, forward)
    finals = {step.id for step in permit.steps if step.final}
    can_finish: set[str] = set()
    for final in finals:
        can_finish |= _closure(final, backward)
    problems = []
    for i, step in enumerate(permit.steps):
        if step.id not in reachable:
            problems.append((f"steps.{i}", f"step {step.id!r} cannot be reached"))
        elif step.id not in can_finish:
            problems.append((f"steps.{i}", f"step {step.id!r} cannot reach a final step"))
    return problems


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
