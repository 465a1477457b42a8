"""The applicant's deadlines: each applicant's step declares one and its lapse; the event that
enters the step records it among its facts; the lapse is refused until the deadline has
passed, through the machine and through the API; ``notices run`` lists the lapses due; the
fine a settlement sets and the day-15 referral; food-premises' correction step."""

from __future__ import annotations

import json
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from checklists.lapses import lapse_problems, steps_without_deadline
from checklists.loader import default_catalogue
from checklists.schema import DayUnit, PermitType, Transition, TransitionKind
from tracking import migrate, notices, verification
from tracking.cli import app as cli
from tracking.clock import bangkok_date
from tracking.db import make_engine, unit_of_work
from tracking.errors import GuardFailed, InvalidInput
from tracking.models import ApplicationEvent
from tracking.workflow import transitions
from tracking.workflow.rules import load_history

from ..factories import actor, committed_application, step

runner = CliRunner()
CATALOGUE = default_catalogue()
START = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok, a Monday

# Applicant's steps without a deadline of their own: the permit period governs the posted
# items (and the removal order states its date); signboard tax in arrears gathers 2% a month
# with no end the act gives (s.25), and the payment after a ruling is due as the ruling says.
WITHOUT_DEADLINE = {
    "public-place-posting": ["permit_in_force", "removal_ordered"],
    "tax-assessment": ["arrears", "final_payment"],
}


def _path(permit: PermitType, target: str) -> list[Transition]:
    """The shortest run of transitions from intake to ``target``, without the s.8 request."""
    start = permit.initial_step.id
    previous: dict[str, Transition | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for t in permit.transitions:
            if t.source == here and t.target not in previous:
                if t.kind is TransitionKind.deficiency_request:
                    continue
                previous[t.target] = t
                queue.append(t.target)
    path: list[Transition] = []
    while (t := previous[target]) is not None:
        path.append(t)
        target = t.source
    return path[::-1]


def _cases() -> list[tuple[str, str]]:
    """Steps whose deadline counts days from entering them. (The tax cycle's steps are reached
    through windows and lapses of their own, and some count from the notice or from the tax
    year: ``test_tax_cycle`` walks them with their dates.)"""
    return [
        (slug, s.id)
        for slug, permit in CATALOGUE.items()
        for s in permit.steps
        if s.deadline is not None and s.deadline.days is not None and slug != "tax-assessment"
    ]


def _lapse(permit: PermitType, step_id: str) -> Transition:
    deadline = permit.step(step_id).deadline
    assert deadline is not None
    return next(t for t in permit.transitions if t.source == step_id and t.event == deadline.lapse)


def _at_step(engine: Engine, slug: str, step_id: str, moment: datetime) -> int:
    """A file of ``slug`` taken in and walked to ``step_id`` at ``moment``."""
    app_id = committed_application(engine, slug, now=moment)
    for t in _path(CATALOGUE[slug], step_id):
        step(engine, app_id, t, now=moment)
    return app_id


def _expected_deadline(permit: PermitType, step_id: str, entered: date) -> date:
    deadline = permit.step(step_id).deadline
    assert deadline is not None
    assert deadline.days is not None
    assert deadline.unit is DayUnit.calendar  # every period the catalogue gives today
    return entered + timedelta(days=deadline.days)


def _row(engine: Engine, app_id: int) -> Any:
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        session.expunge(application)
        return application


def _trail(engine: Engine, app_id: int) -> list[ApplicationEvent]:
    with unit_of_work(engine) as session:
        events = load_history(session, app_id)
        for event in events:
            session.expunge(event)
        return events


def test_every_applicants_step_has_a_deadline_and_a_lapse() -> None:
    for slug, permit in CATALOGUE.items():
        assert steps_without_deadline(permit) == WITHOUT_DEADLINE.get(slug, []), slug
        for s in permit.steps:
            if s.deadline is not None:
                assert _lapse(permit, s.id).roles, (slug, s.id)


def test_estimated_periods_are_marked_unconfirmed() -> None:
    """Only the s.8 record (the official's date), the s.48 fine window and the tax acts'
    periods (the list posted 30 days, payment in April or within 15 days of the signboard
    notice, seizure 90 days after the reminder) are the law's."""
    confirmed = {
        (slug, s.id)
        for slug, permit in CATALOGUE.items()
        for s in permit.steps
        if s.deadline is not None and s.deadline.confirmed
    }
    documents = {(slug, "awaiting_documents") for slug in CATALOGUE}
    taxes = {("tax-assessment", s) for s in ("list_posted", "lbt_awaiting_payment", "reminded")}
    laws = {("fine-settlement", "awaiting_payment"), ("tax-assessment", "awaiting_payment")}
    assert confirmed == documents | laws | taxes
    fine = CATALOGUE["fine-settlement"].step("awaiting_payment").deadline
    assert fine is not None
    assert (fine.days, fine.unit, fine.lapse) == (
        15,
        DayUnit.calendar,
        "refer_for_prosecution",
    )


def test_a_lapse_that_leaves_no_step_is_a_catalogue_problem() -> None:
    permit = CATALOGUE["food-premises"]
    steps = [
        s.model_copy(update={"deadline": s.deadline.model_copy(update={"lapse": "approve"})})
        if s.id == "awaiting_payment" and s.deadline
        else s
        for s in permit.steps
    ]
    broken = permit.model_copy(update={"steps": steps})
    assert any("no event 'approve' leaves" in p for _, p in lapse_problems(broken))
    assert lapse_problems(permit) == []


@pytest.mark.parametrize(("slug", "step_id"), _cases())
def test_each_lapse_is_refused_until_the_deadline_has_passed(
    engine: Engine, slug: str, step_id: str
) -> None:
    """Through the machine: the event entering the step records the deadline among its facts;
    the lapse on the deadline day is refused and leaves the file as it was; the day after, it
    lands, and the trail verifies."""
    permit = CATALOGUE[slug]
    lapse = _lapse(permit, step_id)
    app_id = _at_step(engine, slug, step_id, START)
    deadline = _expected_deadline(permit, step_id, bangkok_date(START))
    entering = _trail(engine, app_id)[-1]
    assert entering.target == step_id
    assert json.loads(entering.after)["applicant_deadline"] == deadline.isoformat()
    assert _row(engine, app_id).applicant_deadline == deadline

    on_the_day = datetime.combine(deadline, START.timetz())
    with pytest.raises(GuardFailed) as caught:
        step(engine, app_id, lapse, now=on_the_day)
    assert caught.value.detail["deadline"] == deadline.isoformat()
    assert _row(engine, app_id).state == step_id

    step(engine, app_id, lapse, now=on_the_day + timedelta(days=1))
    row = _row(engine, app_id)
    assert row.state == lapse.target
    last = _trail(engine, app_id)[-1]
    assert (last.event, last.source) == (lapse.event, step_id)
    assert verification.verify(engine).broken is None


def test_a_tampered_deadline_is_caught_by_audit_verify(engine: Engine) -> None:
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    assert verification.verify(engine).broken is None
    later = (bangkok_date(START) + timedelta(days=45)).isoformat()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application SET applicant_deadline = :d WHERE id = :a"),
            {"d": later, "a": app_id},
        )
    broken = verification.verify(engine).broken
    assert broken is not None
    assert broken.field == "applicant_deadline"
    result = runner.invoke(cli, ["audit", "verify"], env={})
    assert result.exit_code != 0


def test_a_file_that_entered_its_step_before_deadlines_counts_from_that_day(
    engine: Engine,
) -> None:
    """A stored file with no deadline on its row (it entered the step before steps had one):
    the lapse counts from the day it entered the step."""
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        application.applicant_deadline = None
        session.add(application)
    refer = _lapse(CATALOGUE["fine-settlement"], "awaiting_payment")
    with pytest.raises(GuardFailed):
        step(engine, app_id, refer, now=START + timedelta(days=15))
    with unit_of_work(engine) as session:
        due = notices.lapses_due(session, bangkok_date(START) + timedelta(days=16))
    assert [(d.step, d.deadline) for d in due] == [
        ("awaiting_payment", bangkok_date(START) + timedelta(days=15))
    ]


def test_notices_run_lists_the_lapses_due(engine: Engine, env_database: str) -> None:
    paying = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    correcting = _at_step(engine, "food-premises", "awaiting_corrections", START)
    _at_step(engine, "food-premises", "pending_decision", START)  # the office's turn
    codes = {i: _row(engine, i).tracking_code for i in (paying, correcting)}
    fine_due = bangkok_date(START) + timedelta(days=15)
    food_due = bangkok_date(START) + timedelta(days=30)

    def run(day: date) -> list[str]:
        result = runner.invoke(cli, ["notices", "run", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    on_the_day = run(fine_due)
    assert "0 lapses due (code step deadline event):" in on_the_day
    after = run(fine_due + timedelta(days=1))
    assert "1 lapses due (code step deadline event):" in after
    assert f"  {codes[paying]} awaiting_payment {fine_due} refer_for_prosecution" in after
    both = run(food_due + timedelta(days=1))
    assert both[-3:] == [
        f"  {codes[paying]} awaiting_payment {fine_due} refer_for_prosecution",
        f"  {codes[correcting]} awaiting_corrections {food_due} deadline_lapsed",
        "0 deemed decisions due (code step last-day event):",
    ]


# --- fine-settlement ---------------------------------------------------------------------


def test_a_settlement_records_its_fine_and_refuses_none(engine: Engine) -> None:
    permit = CATALOGUE["fine-settlement"]
    app_id = _at_step(engine, "fine-settlement", "pending_decision", START)
    approver = actor("approver", "fine-settlement")
    for amount in (None, 0, -5):
        with unit_of_work(engine) as session, pytest.raises(InvalidInput) as caught:
            transitions.fire(
                session,
                application_id=app_id,
                event="approve",
                actor=approver,
                version=_row(engine, app_id).version,
                reason="ตามแนวทาง",
                fine_baht=amount,
                now=START,
            )
        assert caught.value.detail["field"] == "fine_baht"
    settle = next(t for t in permit.transitions if t.event == "approve")
    step(engine, app_id, settle, now=START)  # the demo's 2,000 baht
    last = _trail(engine, app_id)[-1]
    assert (last.event, json.loads(last.data)["fine_baht"]) == ("approve", 2000)


def test_referral_only_after_the_fifteen_days(engine: Engine) -> None:
    """Notified on 1 June, the fine may be paid to 16 June; referral from 17 June."""
    permit = CATALOGUE["fine-settlement"]
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    refer = _lapse(permit, "awaiting_payment")
    assert refer.event == "refer_for_prosecution"
    for day in (1, 14, 15):
        with pytest.raises(GuardFailed):
            step(engine, app_id, refer, now=START + timedelta(days=day))
    step(engine, app_id, refer, now=START + timedelta(days=16))
    assert _row(engine, app_id).outcome == "prosecuted"


def test_an_offender_who_declines_is_referred_at_once(engine: Engine) -> None:
    """Declining the settlement, on record and signed, sends the case on within the 15 days;
    without the record it does not."""
    permit = CATALOGUE["fine-settlement"]
    declines = next(t for t in permit.transitions if t.event == "offender_declines")
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        with pytest.raises(GuardFailed) as unmet:
            transitions.fire(
                session,
                application_id=app_id,
                event="offender_declines",
                actor=actor("clerk", "fine-settlement"),
                version=application.version,
                now=START + timedelta(days=2),
            )
    assert unmet.value.detail["unmet_items"] == ["settlement_declined"]
    step(engine, app_id, declines, now=START + timedelta(days=2))
    row = _row(engine, app_id)
    assert (row.state, row.outcome) == ("referred_for_prosecution", "prosecuted")
    assert verification.verify(engine).broken is None


# --- food-premises' correction step ----------------------------------------------------------


def test_food_premises_defects_are_ordered_corrected_with_a_deadline(engine: Engine) -> None:
    permit = CATALOGUE["food-premises"]
    by_event = {(t.source, t.event): t for t in permit.transitions}
    order = by_event[("site_inspection", "order_corrections")]
    assert order.requires == ["hygiene_inspection", "correction_order"]
    app_id = _at_step(engine, "food-premises", "awaiting_corrections", START)
    row = _row(engine, app_id)
    assert (row.turn, row.clock_paused_on) == ("applicant", bangkok_date(START))
    assert row.applicant_deadline == bangkok_date(START) + timedelta(days=30)
    # Reported corrected: back to inspection, the clock runs again, no deadline left.
    step(engine, app_id, by_event[("awaiting_corrections", "corrections_reported")], now=START)
    row = _row(engine, app_id)
    assert (row.state, row.turn, row.applicant_deadline) == ("site_inspection", "authority", None)
    assert verification.verify(engine).broken is None


def test_drain_connection_amendment_order_is_an_item_with_a_deadline() -> None:
    permit = CATALOGUE["drain-connection"]
    order = next(t for t in permit.transitions if t.event == "order_amendments")
    assert "amendment_order" in order.requires
    assert permit.item("amendment_order") is not None
    deadline = permit.step("awaiting_amendments").deadline
    assert deadline is not None
    assert deadline.lapse == "complete_review"
    for slug in ("building-small", "building-large"):
        amendments = CATALOGUE[slug].step("awaiting_amendments").deadline
        assert amendments is not None
        assert amendments.lapse == "refuse"


# --- migration 0012 ------------------------------------------------------------------------


def test_migration_gives_existing_files_the_order_items(tmp_path: Path) -> None:
    """0012: a food-premises file taken in before its type had the correction order gets the
    item, pending, and its trail still verifies."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)
    app_id = committed_application(engine, now=START)
    with engine.begin() as connection:  # as intake left it before the item existed
        connection.execute(
            text(
                "DELETE FROM checklist_entry WHERE application_id = :a"
                " AND item_id = 'correction_order'"
            ),
            {"a": app_id},
        )
    assert verification.verify(engine).broken is not None
    migrate.downgrade(engine, "0010")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        status = connection.execute(
            text(
                "SELECT status FROM checklist_entry WHERE application_id = :a"
                " AND item_id = 'correction_order'"
            ),
            {"a": app_id},
        ).scalar_one()
    assert status == "pending"
    assert verification.verify(engine).broken is None
    engine.dispose()


def test_audit_verify_finds_a_lapse_before_its_deadline(engine: Engine) -> None:
    """A lapse written into the trail without the rules (an import of another system's
    trail), on a day the deadline had not passed: the replay names it."""
    from tracking.workflow.recording import record_event

    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", START)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        application.state = "referred_for_prosecution"
        record_event(
            session,
            application,
            kind="transition",
            occurred_at=START + timedelta(days=3),
            actor="officer-1",
            role="officer",
            event="refer_for_prosecution",
            source="awaiting_payment",
            target="referred_for_prosecution",
            transition_kind=TransitionKind.progress.value,
        )
    broken = verification.verify(engine).broken
    assert broken is not None
    assert broken.field == "event"
    assert "not yet passed" in broken.problem
