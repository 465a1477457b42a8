"""Each rule in tracking.workflow.rules on its own, both ways, including those the shipped workflows
also make unreachable by topology (so a future permit type cannot slip past them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Outcome, PermitType, TransitionKind
from tracking.access import item_roles
from tracking.db import unit_of_work
from tracking.errors import GuardFailed, InvalidInput, NotPermitted
from tracking.models import Application, ApplicationEvent, ChecklistStatus
from tracking.workflow import rules, transitions

from ..factories import actor, committed_application, record_item, walk

PERMIT = default_catalogue()["food-premises"]
RENEWAL = default_catalogue()["building-permit-renewal"]
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
    permit = kw.pop("permit", PERMIT)
    assert isinstance(permit, PermitType)
    rule = next(t for t in permit.transitions if (t.source, t.event) == (source, event))
    values: dict[str, object] = {
        "application": Application(
            applicant_deadline=kw.pop("deadline_on", None),
            submitted_on=kw.pop("filed_on", TODAY),
            subject_details=kw.pop("details", {}),
        ),
        "permit": permit,
        "rule": rule,
        "actor_username": "ann",
        "actor_role": rule.roles[0],
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


# --- Licensing Facilitation Act s.8: the one request, on the day of filing, signed by both ----


def test_deficiency_request_only_on_the_day_of_filing() -> None:
    assert rules.deficiency_once(_ctx("intake", "request_documents")) is None
    late = _ctx("intake", "request_documents", filed_on=date(2025, 3, 2))
    error = rules.deficiency_once(late)
    assert isinstance(error, GuardFailed)
    assert error.detail["filed_on"] == "2025-03-02"
    assert "s.8" in error.en
    assert "มาตรา 8" in error.th
    # Any other event of the file is no deficiency request.
    assert (
        rules.deficiency_once(_ctx("intake", "accept_application", filed_on=date(2025, 1, 1)))
        is None
    )


@pytest.mark.parametrize(
    ("status", "refused"),
    [("verified", False), ("waived", True), ("received", True), ("pending", True), (None, True)],
)
def test_deficiency_request_needs_the_s8_record_signed(status: str | None, refused: bool) -> None:
    record = PERMIT.deficiency_record
    assert record is not None
    assert not record.required
    statuses = {} if status is None else {record.id: status}
    error = rules.deficiency_record_signed(_ctx("intake", "request_documents", statuses=statuses))
    assert isinstance(error, GuardFailed) is refused
    if error is not None:
        assert error.detail["unmet_items"] == [record.id]
        assert error.th
        assert error.en
    assert rules.deficiency_record_signed(_ctx("intake", "accept_application")) is None


def test_documents_supplied_only_by_the_deadline() -> None:
    on_the_day = _ctx("awaiting_documents", "documents_supplied", deadline_on=TODAY)
    assert rules.supplied_by_deadline(on_the_day) is None
    late = _ctx("awaiting_documents", "documents_supplied", deadline_on=date(2025, 3, 2))
    error = rules.supplied_by_deadline(late)
    assert isinstance(error, GuardFailed)
    assert error.detail["deadline"] == "2025-03-02"
    assert "returned" in error.en
    assert "คืนคำขอ" in error.th
    # A file imported without a deadline is not held up; a return is judged by its own rule.
    assert rules.supplied_by_deadline(_ctx("awaiting_documents", "documents_supplied")) is None
    assert (
        rules.supplied_by_deadline(
            _ctx("awaiting_documents", "return_application", deadline_on=date(2025, 3, 2))
        )
        is None
    )


# --- A renewal refused as filed after expiry needs the expiry date before the filing -------


@pytest.mark.parametrize(
    ("expiry", "refused"),
    [("2025-03-02", False), ("2025-03-03", True), ("2025-04-01", True), (None, True)],
)
def test_filed_after_expiry_needs_the_application_received_after_the_expiry(
    expiry: str | None, refused: bool
) -> None:
    details = {} if expiry is None else {"permit_expiry_date": expiry}
    ctx = _ctx(
        "pending_decision", "refuse", permit=RENEWAL, ground="filed-after-expiry", details=details
    )
    error = rules.ground_holds(ctx)
    assert isinstance(error, GuardFailed) is refused
    if error is not None:
        assert error.detail["field"] == "ground"
        assert "2025-03-03" in error.en
        assert "2025-03-03" in error.th
        assert "filed-after-expiry" in error.en


def test_grounds_without_a_date_hold_whatever_the_dates() -> None:
    other = _ctx("pending_decision", "refuse", permit=RENEWAL, ground="non-compliant-works")
    assert rules.ground_holds(other) is None
    assert rules.ground_holds(_ctx("pending_decision", "refuse", ground="no-such-ground")) is None


# --- The same rules through the workflow: tracking.workflow.transitions, on stored files ------

FILED = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Bangkok


def _record(
    engine: Engine,
    app_id: int,
    item: str,
    status: ChecklistStatus,
    when: datetime,
    permit: PermitType = PERMIT,
) -> None:
    """Record ``item`` as the first role that records it."""
    role = item_roles(permit.item(item))[0]
    record_item(engine, app_id, item, status, who=actor(role, permit.slug), when=when)


def _fire(engine: Engine, app_id: int, event: str, role: str, when: datetime, **kw: Any) -> str:
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, app_id).version
        transitions.fire(
            session,
            application_id=app_id,
            event=event,
            actor=actor(role, kw.pop("permit_type", "food-premises")),
            version=version,
            now=when,
            **kw,
        )
        return transitions.get_application(session, app_id).state


def _ready_to_request(engine: Engine, record: ChecklistStatus = ChecklistStatus.verified) -> int:
    app_id = committed_application(engine, now=FILED)
    _record(engine, app_id, "application_form", ChecklistStatus.missing, FILED)
    _record(engine, app_id, "deficiency_record_signed", record, FILED)
    return app_id


def test_documents_are_requested_on_the_day_of_filing_only(engine: Engine) -> None:
    app_id = _ready_to_request(engine)
    with pytest.raises(GuardFailed) as caught:
        _fire(
            engine,
            app_id,
            "request_documents",
            "clerk",
            FILED + timedelta(days=1),
            deadline=date(2026, 3, 10),
        )
    assert caught.value.detail["filed_on"] == "2026-03-02"
    later_that_day = FILED + timedelta(hours=6)  # 16:00 in Bangkok
    deadline = date(2026, 3, 9)
    assert (
        _fire(engine, app_id, "request_documents", "clerk", later_that_day, deadline=deadline)
        == "awaiting_documents"
    )


def test_a_waived_s8_record_is_no_signature(engine: Engine) -> None:
    app_id = _ready_to_request(engine, ChecklistStatus.waived)
    with pytest.raises(GuardFailed) as caught:
        _fire(engine, app_id, "request_documents", "clerk", FILED, deadline=date(2026, 3, 9))
    assert caught.value.detail["unmet_items"] == ["deficiency_record_signed"]
    _record(engine, app_id, "deficiency_record_signed", ChecklistStatus.verified, FILED)
    assert (
        _fire(engine, app_id, "request_documents", "clerk", FILED, deadline=date(2026, 3, 9))
        == "awaiting_documents"
    )


def test_documents_after_the_deadline_mean_the_file_is_returned(engine: Engine) -> None:
    app_id = _ready_to_request(engine)
    _fire(engine, app_id, "request_documents", "clerk", FILED, deadline=date(2026, 3, 9))
    intake_documents = [i.id for i in PERMIT.initial_step.checklist if i.required]
    for item in intake_documents:
        _record(engine, app_id, item, ChecklistStatus.verified, FILED + timedelta(days=8))
    day_after = FILED + timedelta(days=8)  # Tuesday 10 March, the day after the deadline
    with pytest.raises(GuardFailed) as caught:
        _fire(engine, app_id, "documents_supplied", "clerk", day_after)
    assert caught.value.detail["deadline"] == "2026-03-09"
    returned = _fire(
        engine,
        app_id,
        "return_application",
        "clerk",
        day_after,
        reason="ไม่ส่งเอกสารตามบันทึกความบกพร่องภายในกำหนด",
    )
    assert returned == "returned"


def test_documents_on_the_deadline_day_are_in_time(engine: Engine) -> None:
    app_id = _ready_to_request(engine)
    _fire(engine, app_id, "request_documents", "clerk", FILED, deadline=date(2026, 3, 9))
    for item in [i.id for i in PERMIT.initial_step.checklist if i.required]:
        _record(engine, app_id, item, ChecklistStatus.verified, FILED + timedelta(days=7))
    assert (
        _fire(engine, app_id, "documents_supplied", "clerk", FILED + timedelta(days=7))
        == "site_inspection"
    )


@pytest.mark.parametrize(("expiry", "state"), [("2026-03-01", "refused"), ("2026-03-02", None)])
def test_a_renewal_is_refused_as_late_only_when_filed_after_expiry(
    engine: Engine, expiry: str, state: str | None
) -> None:
    app_id = committed_application(
        engine, "building-permit-renewal", now=FILED, details={"permit_expiry_date": expiry}
    )
    road = RENEWAL.road("intake", {Outcome.refused})
    walk(engine, app_id, road[:-1], now=FILED + timedelta(days=1))
    refuse = road[-1]
    assert refuse.kind is TransitionKind.refuse
    when = FILED + timedelta(days=2)
    for item in refuse.requires:
        _record(engine, app_id, item, ChecklistStatus.verified, when, RENEWAL)

    def refuse_as_late() -> str:
        return _fire(
            engine,
            app_id,
            "refuse",
            "approver",
            when,
            permit_type=RENEWAL.slug,
            ground="filed-after-expiry",
            reason="ยื่นหลังใบอนุญาตสิ้นอายุ",
        )

    if state is None:
        with pytest.raises(GuardFailed) as caught:
            refuse_as_late()
        assert caught.value.detail["field"] == "ground"
        assert "2026-03-02" in caught.value.en
    else:
        assert refuse_as_late() == state
