"""Every permit type's machine, tested as data: structure, a committed snapshot, and each
transition fired on a machine bound to a real application row, as the one gate of a change:
its validators enforce the rules and its listener writes the trail."""

from __future__ import annotations

import os
from collections import deque
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from checklists.appeals import DeliveryMethod
from checklists.lapses import Start
from checklists.loader import default_catalogue
from checklists.schema import ROLES, PermitType, Transition, TransitionKind
from tracking.access import Actor
from tracking.clock import bangkok_date
from tracking.delivery import Delivery
from tracking.errors import GuardFailed, NotPermitted, TransitionNotAllowed
from tracking.models import Application, ApplicationEvent, ChecklistEntry, utcnow
from tracking.workflow import rules
from tracking.workflow.machines import build_machine, machines, transition_table

from ..factories import make_application

SNAPSHOTS = Path(__file__).parent / "snapshots"
SLUGS = sorted(default_catalogue())


def _reach(permit: PermitType, start: str, forward: bool = True) -> set[str]:
    edges: dict[str, set[str]] = {s.id: set() for s in permit.steps}
    for t in permit.transitions:
        a, b = (t.source, t.target) if forward else (t.target, t.source)
        edges[a].add(b)
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges[queue.popleft()] - seen:
            seen.add(nxt)
            queue.append(nxt)
    return seen


@pytest.mark.parametrize("slug", SLUGS)
def test_every_state_is_reachable_from_the_initial_state(slug: str) -> None:
    permit = default_catalogue()[slug]
    assert _reach(permit, permit.initial_step.id) == {s.id for s in permit.steps}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_non_final_state_can_reach_a_final_state(slug: str) -> None:
    permit = default_catalogue()[slug]
    can_finish: set[str] = set()
    for step in permit.steps:
        if step.final:
            can_finish |= _reach(permit, step.id, forward=False)
    assert {s.id for s in permit.steps} <= can_finish


@pytest.mark.parametrize("slug", SLUGS)
def test_every_guard_names_an_existing_item_and_every_role_exists(slug: str) -> None:
    permit = default_catalogue()[slug]
    items = {item.id for item in permit.items()}
    for t in permit.transitions:
        assert set(t.requires) <= items, t.event
        assert set(t.roles) <= set(ROLES) - {"manager"}, t.event
    for point in permit.discretion_guideline:
        assert set(point.decided_by) <= set(ROLES)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_type_can_be_decided_both_ways(slug: str) -> None:
    kinds = {t.kind.value for t in default_catalogue()[slug].transitions}
    assert {"approve", "refuse", "deficiency_request", "return"} <= kinds


@pytest.mark.parametrize("slug", SLUGS)
def test_transition_table_matches_snapshot(slug: str) -> None:
    table = transition_table(machines()[slug])
    snapshot = SNAPSHOTS / f"{slug}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(table, encoding="utf-8")
    assert snapshot.exists(), "run with UPDATE_SNAPSHOTS=1 to record the workflow snapshot"
    assert table == snapshot.read_text(encoding="utf-8")


def _cases() -> list[tuple[str, str, str]]:
    return [
        (slug, t.source, t.event) for slug in SLUGS for t in default_catalogue()[slug].transitions
    ]


def _at_step(
    session: Session,
    slug: str,
    state: str,
    statuses: dict[str, str] | None = None,
    **columns: Any,
) -> Application:
    """An application of ``slug`` put at ``state`` with its checklist items at ``statuses``
    (default: all verified): the set-up of one case, never committed."""
    application = make_application(session, slug)
    application.state = state
    application.turn = default_catalogue()[slug].step(state).turn.value
    for name, value in columns.items():
        setattr(application, name, value)
    entries = session.exec(
        select(ChecklistEntry).where(col(ChecklistEntry.application_id) == application.id)
    ).all()
    for entry in entries:
        entry.status = (statuses or {}).get(entry.item_id, "verified")
    session.add_all([application, *entries])
    session.flush()
    return application


def _inputs(permit: PermitType, rule: Transition) -> dict[str, Any]:
    """What the caller sends for ``rule``: a reason, a ground for a refusal, a deadline for a
    deficiency request, the fine of a settlement."""
    inputs: dict[str, Any] = {"reason": "เหตุผลตามคู่มือ"}
    if rule.kind is TransitionKind.refuse:
        inputs["ground"] = next(g.code for g in permit.refusal_grounds if not g.received_after)
    if rule.kind is TransitionKind.deficiency_request:
        inputs["deadline"] = bangkok_date(utcnow()) + timedelta(days=7)
    if rule.fine is not None:
        inputs["fine_baht"] = 500
    return inputs


def _ready(session: Session, slug: str, rule: Transition, **statuses: str) -> Application:
    """An application at ``rule``'s source step on which ``rule`` may fire: inside its window
    (entered long enough ago, or its notice delivered today)."""
    permit = default_catalogue()[slug]
    extra: dict[str, Any] = {}
    if rule.kind is TransitionKind.deficiency_request:
        statuses.setdefault(permit.initial_step.checklist[0].id, "missing")
    if rules.lapse_of(permit, rule.source) == rule.event:  # the return, and every lapse
        extra["applicant_deadline"] = bangkok_date(utcnow()) - timedelta(days=1)
    window = rule.window
    if window is not None and window.after is not None:
        extra["state_entered_at"] = utcnow() - timedelta(days=window.after + 1)
    application = _at_step(session, slug, rule.source, statuses, **extra)
    if window is not None and window.starts is Start.notice_delivered:
        _delivered_today(session, application)
    return application


def _delivered_today(session: Session, application: Application) -> None:
    """The file's order, its notice handed to the applicant today (as an import records it)."""
    today = bangkok_date(utcnow())
    delivered = Delivery("approve", 1, today, DeliveryMethod.in_person, None, today, today)
    _imported(
        session,
        application,
        kind="notice",
        actor="clerk-1",
        event="notice:approve",
        source=application.state,
        target=application.state,
        data=delivered.data(),
    )


def _machine(session: Session, application: Application, role: str, name: str = "") -> Any:
    actor = Actor(name or f"{role}-1", role, application.department, application.office_id)
    return machines()[application.permit_type](application, session=session, actor=actor)


def _trail(session: Session, application: Application) -> list[ApplicationEvent]:
    return rules.load_history(session, application.id or 0)


@pytest.mark.parametrize(("slug", "source", "event"), _cases())
def test_transition_rules_as_a_table(session: Session, slug: str, source: str, event: str) -> None:
    """For every transition, on a machine bound to a row: the wrong role is refused and unmet
    items are refused, each leaving the row and its trail as they were; then it lands, and the
    machine itself appended the event and moved the turn."""
    permit = default_catalogue()[slug]
    rule = machines()[slug].rule_of[(source, event)]
    inputs = _inputs(permit, rule)

    application = _ready(session, slug, rule)
    before = application.event_count  # the intake, and the notice a window counts from
    wrong_role = next(r for r in ROLES if r not in rule.roles and r != "manager")
    with pytest.raises(NotPermitted):
        _machine(session, application, wrong_role).send(event, **inputs)
    assert (application.state, application.event_count) == (source, before)

    if rule.requires:
        unmet = _ready(session, slug, rule, **{rule.requires[0]: "received"})
        with pytest.raises(GuardFailed) as caught:
            _machine(session, unmet, rule.roles[0]).send(event, **inputs)
        assert caught.value.detail["unmet_items"] == [rule.requires[0]]
        assert (unmet.state, unmet.event_count) == (source, before)

    machine = _machine(session, application, rule.roles[0])
    machine.send(event, **inputs)
    assert application.state == rule.target
    assert application.turn == permit.step(rule.target).turn.value
    last = _trail(session, application)[-1]
    assert (last.seq, last.event, last.source, last.target) == (
        before + 1,
        event,
        source,
        rule.target,
    )
    assert (last.transition_kind, last.actor) == (rule.kind.value, machine.actor.username)
    assert machine.recorded is last
    assert application.trail_head == last.hash


@pytest.mark.parametrize("slug", SLUGS)
def test_events_not_offered_at_a_step_raise(session: Session, slug: str) -> None:
    permit = default_catalogue()[slug]
    application = make_application(session, slug)
    events = {t.event for t in permit.transitions}
    for step in permit.steps:
        application.state = step.id
        here = {t.event for t in permit.transitions if t.source == step.id}
        for event in sorted(events - here):
            with pytest.raises(TransitionNotAllowed) as caught:
                _machine(session, application, "admin").send(event, reason="x")
            assert caught.value.detail["allowed_events"] == sorted(here)
            assert application.state == step.id
    assert application.event_count == 1


# --- The machine is the gate: each rule, as one of its validators ---------------------------

FOOD = default_catalogue()["food-premises"]
FIRST_DOCUMENT = FOOD.initial_step.checklist[0].id
GROUND = FOOD.refusal_grounds[0].code
LATER = bangkok_date(utcnow()) + timedelta(days=7)


def _imported(session: Session, application: Application, **fields: Any) -> None:
    """An earlier event of the file, as an import of another system's trail records it."""
    from tracking.workflow.recording import record_event

    record_event(session, application, occurred_at=utcnow(), role="officer", **fields)
    session.flush()


Case = tuple[Application, str, str, str, dict[str, Any]]


def _case(
    application: Application, event: str, inputs: dict[str, Any], role: str = "", name: str = ""
) -> Case:
    """(application, role, actor name, event, inputs); the role defaults to the event's own."""
    role = role or next(t.roles[0] for t in FOOD.transitions if t.event == event)
    return application, role, name or f"{role}-1", event, inputs


def _four_eyes(session: Session) -> Case:
    application = _at_step(session, "food-premises", "pending_decision")
    _imported(
        session,
        application,
        kind="transition",
        actor="pat",
        event="complete_inspection",
        source="site_inspection",
        target="pending_decision",
        transition_kind=TransitionKind.inspection.value,
    )
    return _case(application, "approve", {"reason": "ok"}, name="pat")


def _second_request(session: Session) -> Case:
    application = _at_step(session, "food-premises", "intake", {FIRST_DOCUMENT: "missing"})
    _imported(
        session,
        application,
        kind="transition",
        actor="clerk-1",
        event="request_documents",
        source="intake",
        target="awaiting_documents",
        transition_kind=TransitionKind.deficiency_request.value,
    )
    return _case(application, "request_documents", {"deadline": LATER})


def _late_request(session: Session) -> Case:
    """A deficiency request the day after filing, its record signed."""
    yesterday = bangkok_date(utcnow()) - timedelta(days=1)
    application = _at_step(
        session, "food-premises", "intake", {FIRST_DOCUMENT: "missing"}, submitted_on=yesterday
    )
    return _case(application, "request_documents", {"deadline": LATER})


def _renewal_refused_as_late(session: Session) -> Case:
    """A renewal received before its permit's expiry date, refused as filed after expiry."""
    application = _at_step(session, "building-permit-renewal", "pending_decision")
    return _case(
        application,
        "refuse",
        {"ground": "filed-after-expiry", "reason": "ยื่นหลังใบอนุญาตสิ้นอายุ"},
        role="approver",
    )


# rule -> a case that only this rule refuses.
VIOLATIONS: dict[str, Any] = {
    "role_allowed": lambda s: _case(
        _at_step(s, "food-premises", "intake"), "accept_application", {}, role="officer"
    ),
    "items_verified": lambda s: _case(
        _at_step(s, "food-premises", "intake", {FIRST_DOCUMENT: "received"}),
        "accept_application",
        {},
    ),
    "approval_complete": lambda s: _case(
        _at_step(s, "food-premises", "pending_decision", {FIRST_DOCUMENT: "received"}),
        "approve",
        {"reason": "ok"},
    ),
    "four_eyes": _four_eyes,
    "deficiency_once": _second_request,
    "deficiency_record_signed": lambda s: _case(
        _at_step(
            s,
            "food-premises",
            "intake",
            {FIRST_DOCUMENT: "missing", "deficiency_record_signed": "waived"},
        ),
        "request_documents",
        {"deadline": LATER},
    ),
    "supplied_by_deadline": lambda s: _case(
        _at_step(
            s,
            "food-premises",
            "awaiting_documents",
            applicant_deadline=bangkok_date(utcnow()) - timedelta(days=1),
        ),
        "documents_supplied",
        {},
    ),
    "deficiency_names_missing_items": lambda s: _case(
        _at_step(s, "food-premises", "intake"), "request_documents", {"deadline": LATER}
    ),
    "return_after_deadline": lambda s: _case(
        _at_step(s, "food-premises", "awaiting_documents", applicant_deadline=LATER),
        "return_application",
        {"reason": "ไม่ส่งเอกสาร"},
    ),
    "reason_given": lambda s: _case(
        _at_step(s, "food-premises", "pending_decision"), "refuse", {"ground": GROUND}
    ),
    "ground_given": lambda s: _case(
        _at_step(s, "food-premises", "pending_decision"), "refuse", {"reason": "ไม่ผ่านเกณฑ์"}
    ),
    "ground_holds": _renewal_refused_as_late,
    "deadline_given": lambda s: _case(
        _at_step(s, "food-premises", "intake", {FIRST_DOCUMENT: "missing"}),
        "request_documents",
        {},
    ),
    "lapse_after_deadline": lambda s: _case(
        _at_step(s, "food-premises", "awaiting_corrections", applicant_deadline=LATER),
        "deadline_lapsed",
        {},
    ),
    "within_window": lambda s: _case(
        _at_step(s, "tax-assessment", "lbt_objection"),
        "deem_objection_accepted",
        {},
        role="clerk",
    ),
    "fine_given": lambda s: _case(
        _at_step(s, "fine-settlement", "pending_decision"), "approve", {}, role="approver"
    ),
}


def test_every_rule_has_a_violation_case() -> None:
    assert set(VIOLATIONS) == {rule.__name__ for rule in rules.RULES}


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.__name__)
def test_each_rule_is_enforced_by_the_machine_itself(session: Session, rule: rules.Rule) -> None:
    """Fired on the machine directly, each case is refused by its rule with the state and
    trail untouched; a machine built without that one rule lets the same case through."""
    application, role, name, event, inputs = VIOLATIONS[rule.__name__](session)
    _refused_only_by(session, rule, application, role, name, event, inputs)


# Cases a rule refuses beyond the one of its row in VIOLATIONS.
MORE_VIOLATIONS: list[tuple[rules.Rule, Any]] = [(rules.deficiency_once, _late_request)]


@pytest.mark.parametrize(
    ("rule", "make"), MORE_VIOLATIONS, ids=lambda r: getattr(r, "__name__", "")
)
def test_more_cases_each_refused_by_one_rule(session: Session, rule: rules.Rule, make: Any) -> None:
    _refused_only_by(session, rule, *make(session))


def _refused_only_by(
    session: Session,
    rule: rules.Rule,
    application: Application,
    role: str,
    name: str,
    event: str,
    inputs: dict[str, Any],
) -> None:
    """Fired on the machine, the case is refused by ``rule`` with the state and trail as they
    were; a machine of the same type built without ``rule`` lets it through."""
    before = (application.state, application.event_count)
    machine = _machine(session, application, role, name)
    permit = machine.permit_type
    expected = rule(
        rules.context(
            session,
            application,
            permit,
            machine.rule_of[(application.state, event)],
            machine.actor,
            bangkok_date(utcnow()),
            reason=inputs.get("reason", ""),
            ground=inputs.get("ground"),
            deadline=inputs.get("deadline"),
            fine_baht=inputs.get("fine_baht"),
        )
    )
    assert expected is not None, "the case must break the rule"
    with pytest.raises(type(expected)) as caught:
        machine.send(event, **inputs)
    assert (caught.value.th, caught.value.en) == (expected.th, expected.en)
    assert (application.state, application.event_count) == before

    without = build_machine(permit, [r for r in rules.RULES if r is not rule])
    lenient = without(application, session=session, actor=machine.actor)
    lenient.send(event, **inputs)
    assert application.state != before[0]
    assert application.event_count == before[1] + 1


def test_a_machine_fired_directly_moves_the_clock_and_writes_the_trail(session: Session) -> None:
    application = _at_step(session, "food-premises", "intake", {FIRST_DOCUMENT: "missing"})
    machine = _machine(session, application, "clerk")
    machine.send("request_documents", deadline=LATER)
    assert application.state == "awaiting_documents"
    assert application.applicant_deadline == LATER
    assert application.clock_paused_on == bangkok_date(utcnow())
    event = _trail(session, application)[-1]
    assert event.transition_kind == "deficiency_request"
    assert '"missing_items":["' + FIRST_DOCUMENT + '"]' in event.data
    assert event.prev_hash == _trail(session, application)[-2].hash


def test_reserved_names_are_refused() -> None:
    permit = default_catalogue()["food-premises"]
    broken = permit.model_copy(
        update={
            "transitions": [
                t.model_copy(update={"event": "send"}) if t.event == "approve" else t
                for t in permit.transitions
            ]
        }
    )
    with pytest.raises(ValueError, match="reserved"):
        build_machine(broken)
