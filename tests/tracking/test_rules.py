"""Each rule in tracking.workflow.rules on its own, both ways, including those the shipped workflows
also make unreachable by topology (so a future permit type cannot slip past them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from checklists.loader import default_catalogue
from tracking.errors import GuardFailed, InvalidInput, NotPermitted
from tracking.models import Application, ApplicationEvent
from tracking.workflow import rules

PERMIT = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in PERMIT.transitions}
TODAY = date(2025, 3, 3)


def _event(
    seq: int,
    actor: str,
    kind: str,
    event: str,
    target: str | None = None,
    transition_kind: str | None = None,
) -> ApplicationEvent:
    return ApplicationEvent(
        application_id=1,
        seq=seq,
        kind=kind,
        occurred_at=datetime(2025, 3, 1, tzinfo=UTC),
        actor=actor,
        role="x",
        event=event,
        target=target,
        transition_kind=transition_kind,
        prev_hash="",
        hash="",
    )


def _ctx(source: str, event: str, **kw: object) -> rules.Context:
    values: dict[str, object] = {
        "application": Application(applicant_deadline=kw.pop("deadline_on", None)),
        "permit": PERMIT,
        "rule": RULES[(source, event)],
        "actor_username": "ann",
        "actor_role": RULES[(source, event)].roles[0],
        "statuses": {},
        "history": [],
        "today": TODAY,
        "older_waiting": 0,
    }
    values.update(kw)
    return rules.Context(**values)  # type: ignore[arg-type]


def test_deficiency_request_is_allowed_once() -> None:
    assert rules.deficiency_once(_ctx("intake", "request_documents")) is None
    earlier = [
        _event(
            2, "bob", "transition", "request_documents", "awaiting_documents", "deficiency_request"
        )
    ]
    error = rules.deficiency_once(_ctx("intake", "request_documents", history=earlier))
    assert isinstance(error, GuardFailed)
    assert "s.8" in error.en


def test_deficiency_request_needs_a_future_deadline() -> None:
    assert isinstance(rules.deadline_given(_ctx("intake", "request_documents")), InvalidInput)
    assert isinstance(
        rules.deadline_given(_ctx("intake", "request_documents", deadline=TODAY)), InvalidInput
    )
    assert (
        rules.deadline_given(_ctx("intake", "request_documents", deadline=date(2025, 3, 10)))
        is None
    )


def test_return_only_after_the_deadline() -> None:
    before = _ctx("awaiting_documents", "return_application", deadline_on=TODAY)
    assert isinstance(rules.return_after_deadline(before), GuardFailed)
    after = _ctx("awaiting_documents", "return_application", deadline_on=date(2025, 3, 2))
    assert rules.return_after_deadline(after) is None
    never_asked = _ctx("awaiting_documents", "return_application")
    assert isinstance(rules.return_after_deadline(never_asked), GuardFailed)


def test_four_eyes_counts_reviews_and_inspection_items_but_not_documents() -> None:
    inspected = [_event(2, "ann", "checklist", "checklist:hygiene_inspection", "verified")]
    assert isinstance(
        rules.four_eyes(_ctx("pending_decision", "approve", history=inspected)), NotPermitted
    )
    document = [_event(2, "ann", "checklist", "checklist:site_map", "verified")]
    assert rules.four_eyes(_ctx("pending_decision", "approve", history=document)) is None
    reviewed = [
        _event(2, "ann", "transition", "complete_inspection", "pending_decision", "inspection")
    ]
    assert isinstance(
        rules.four_eyes(_ctx("pending_decision", "refuse", history=reviewed)), NotPermitted
    )
    assert (
        rules.four_eyes(_ctx("pending_decision", "refuse", history=reviewed, actor_username="bea"))
        is None
    )


def test_out_of_turn_needs_a_reason_only_for_decisions() -> None:
    waiting = _ctx("pending_decision", "approve", older_waiting=2)
    assert rules.out_of_turn(waiting)
    assert isinstance(rules.reason_given(waiting), InvalidInput)
    assert (
        rules.reason_given(
            _ctx("pending_decision", "approve", older_waiting=2, reason="ลำดับก่อนรอผลตรวจซ้ำ")
        )
        is None
    )
    assert not rules.out_of_turn(_ctx("intake", "accept_application", older_waiting=5))


@pytest.mark.parametrize(
    ("source", "event"),
    [
        ("pending_decision", "refuse"),
        ("awaiting_documents", "return_application"),
        ("intake", "withdraw"),
    ],
)
def test_refusal_return_and_withdrawal_need_a_reason(source: str, event: str) -> None:
    assert isinstance(rules.reason_given(_ctx(source, event)), InvalidInput)
    assert rules.reason_given(_ctx(source, event, reason="เหตุผล")) is None


def test_approval_needs_items_of_visited_steps_only() -> None:
    required_at_intake = [i.id for i in PERMIT.step("intake").checklist if i.required]
    statuses = dict.fromkeys(required_at_intake, "verified")
    statuses.update(hygiene_inspection="verified", officer_recommendation="verified")
    history = [
        _event(2, "x", "transition", "accept_application", "site_inspection"),
        _event(3, "x", "transition", "complete_inspection", "pending_decision"),
    ]
    ok = _ctx("pending_decision", "approve", statuses=statuses, history=history)
    assert rules.approval_complete(ok) is None
    # The payment item of a later step is not yet needed; a lapsed intake document is.
    lapsed = dict(statuses, building_consent="missing")
    error = rules.approval_complete(
        _ctx("pending_decision", "approve", statuses=lapsed, history=history)
    )
    assert isinstance(error, GuardFailed)
    assert error.detail["unmet_items"] == ["building_consent"]


def test_a_deficiency_deadline_must_be_a_date_the_office_works_with() -> None:
    far = _ctx("intake", "request_documents", deadline=date(9999, 12, 31))
    error = rules.deadline_given(far)
    assert isinstance(error, InvalidInput)
    assert error.detail["field"] == "deadline"
    assert (
        rules.deadline_given(_ctx("intake", "request_documents", deadline=TODAY.replace(day=20)))
        is None
    )
