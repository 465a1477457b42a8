"""Every permit type's machine, tested as data: structure, guards and a committed snapshot."""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

import pytest
from statemachine.exceptions import TransitionNotAllowed

from checklists.loader import default_catalogue
from checklists.schema import ROLES, PermitType
from tracking.errors import GuardFailed, NotPermitted
from tracking.machines import build_machine, machines, transition_table

SNAPSHOTS = Path(__file__).parent / "snapshots"
SLUGS = sorted(default_catalogue())


class Row:
    """A stand-in for the application row: the machine only reads and writes ``state``."""

    def __init__(self, state: str) -> None:
        self.state = state


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


@pytest.mark.parametrize(("slug", "source", "event"), _cases())
def test_transition_rules_as_a_table(slug: str, source: str, event: str) -> None:
    """For every transition: wrong role refused, unmet items refused, then it lands."""
    machine_class = machines()[slug]
    rule = machine_class.rules[(source, event)]
    all_verified = dict.fromkeys(rule.requires, "verified")

    wrong_roles = [r for r in ROLES if r not in rule.roles]
    row = Row(source)
    with pytest.raises(NotPermitted):
        machine_class(model=row, state_field="state").send(
            event, role=wrong_roles[0], checklist=all_verified
        )
    assert row.state == source

    if rule.requires:
        missing = dict(all_verified, **{rule.requires[0]: "received"})
        with pytest.raises(GuardFailed) as caught:
            machine_class(model=row, state_field="state").send(
                event, role=rule.roles[0], checklist=missing
            )
        assert caught.value.detail["unmet_items"] == [rule.requires[0]]
        assert row.state == source

    machine_class(model=row, state_field="state").send(
        event, role=rule.roles[0], checklist=all_verified
    )
    assert row.state == rule.target


@pytest.mark.parametrize("slug", SLUGS)
def test_events_not_offered_at_a_step_raise(slug: str) -> None:
    machine_class = machines()[slug]
    permit = machine_class.permit_type
    events = {t.event for t in permit.transitions}
    for step in permit.steps:
        here = {t.event for t in permit.transitions if t.source == step.id}
        for event in sorted(events - here):
            row = Row(step.id)
            with pytest.raises(TransitionNotAllowed):
                machine_class(model=row, state_field="state").send(
                    event, role="admin", checklist={}
                )
            assert row.state == step.id


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
