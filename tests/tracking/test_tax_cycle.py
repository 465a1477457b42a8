"""The tax cycles of ``tax-assessment`` as the tax acts count them.

Land and buildings tax: the property list posted at least 30 days (s.30), payment by the tax
year's date (within April, s.46, or the date the Minister moved it to, s.14), the reminder once
it passed (s.61), seizure 90 days after the reminder (s.62), an objection within 30 days of the
notice (s.73) and deemed accepted when not decided within 60 days (s.73). Signboard tax: paid
within 15 days of the assessment notice (s.19), then in arrears at 2% a month (s.20, s.25), an
appeal within 30 days of the notice (s.30). Each date is refused on its last day and allowed the
day after (or, for a window, allowed on its last day and refused after), and the trail verifies.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from typer.testing import CliRunner

from checklists.appeals import DeliveryMethod
from checklists.lapses import Window
from checklists.loader import default_catalogue
from checklists.schema import Transition, cross_reference_problems
from checklists.taxes import TaxDate
from tracking import notices, verification
from tracking.access import item_roles
from tracking.cli import app as cli
from tracking.db import unit_of_work
from tracking.errors import GuardFailed, InvalidInput
from tracking.models import ChecklistStatus
from tracking.workflow import result_notice, transitions
from tracking.workflow.intake import Subject, read_subject_fields

from ..factories import actor, committed_application, record_item, step
from .test_lapses import _trail

TAX = default_catalogue()["tax-assessment"]
SLUG = TAX.slug


def _at(day: date) -> datetime:
    """10:00 in Bangkok on ``day``."""
    return datetime.combine(day, time(3, 0), tzinfo=UTC)


def _t(source: str, event: str) -> Transition:
    return next(t for t in TAX.transitions if (t.source, t.event) == (source, event))


def _row(engine: Engine, app_id: int) -> Any:
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        session.expunge(application)
        return application


def _open(engine: Engine, day: date, tax_year: int) -> int:
    return committed_application(engine, SLUG, now=_at(day), details={"tax_year": tax_year})


def _walk(engine: Engine, app_id: int, moves: list[tuple[str, str, date]]) -> None:
    for source, event, day in moves:
        step(engine, app_id, _t(source, event), now=_at(day))


def _notice(engine: Engine, app_id: int, now: date, **kw: Any) -> None:
    kw.setdefault("method", DeliveryMethod.in_person)
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, app_id).version
        result_notice.record_result_notice(
            session,
            application_id=app_id,
            actor=actor("clerk", SLUG),
            version=version,
            now=_at(now),
            **kw,
        )


def _refused_then_allowed(engine: Engine, app_id: int, move: Transition, last: date) -> None:
    """``move`` refused on ``last`` (its deadline or the window's last closed day) with the
    file untouched, and landing the day after."""
    before = _row(engine, app_id)
    with pytest.raises(GuardFailed) as caught:
        step(engine, app_id, move, now=_at(last))
    assert caught.value.detail["deadline"] == last.isoformat()
    assert _row(engine, app_id).version == before.version
    step(engine, app_id, move, now=_at(last + timedelta(days=1)))
    assert _row(engine, app_id).state == move.target


def _land_and_buildings_assessed(engine: Engine, tax_year: int = 2570) -> int:
    """A land and buildings file of ``tax_year`` surveyed in January 2027, its list posted on
    4 January, assessed and its notice sent on 11 February 2027."""
    app_id = _open(engine, date(2027, 1, 4), tax_year)
    _walk(
        engine,
        app_id,
        [
            ("intake", "start_survey", date(2027, 1, 4)),
            ("lbt_survey", "post_list", date(2027, 1, 4)),
            ("list_posted", "close_list", date(2027, 2, 4)),
            ("lbt_assessment", "approve", date(2027, 2, 10)),
            ("lbt_assessed", "notify_result", date(2027, 2, 11)),
        ],
    )
    return app_id


def step_item(engine: Engine, app_id: int, item: str) -> None:
    """Record ``item`` verified, as the first role that may, on 12 February 2027."""
    found = TAX.item(item)
    assert found is not None
    who = actor(item_roles(found)[0], SLUG)
    record_item(
        engine, app_id, item, ChecklistStatus.verified, who=who, when=_at(date(2027, 2, 12))
    )


# --- land and buildings tax -----------------------------------------------------------------


def test_the_list_is_posted_thirty_days_before_the_assessment(engine: Engine) -> None:
    app_id = _open(engine, date(2027, 1, 4), 2570)
    _walk(
        engine,
        app_id,
        [
            ("intake", "start_survey", date(2027, 1, 4)),
            ("lbt_survey", "post_list", date(2027, 1, 4)),
        ],
    )
    assert _row(engine, app_id).applicant_deadline == date(2027, 2, 3)
    _refused_then_allowed(engine, app_id, _t("list_posted", "close_list"), date(2027, 2, 3))
    assert verification.verify(engine).broken is None


def test_land_and_buildings_tax_is_due_in_april_then_reminded_then_seized(engine: Engine) -> None:
    app_id = _land_and_buildings_assessed(engine)
    row = _row(engine, app_id)
    assert (row.state, row.applicant_deadline) == ("lbt_awaiting_payment", date(2027, 4, 30))
    entering = _trail(engine, app_id)[-1]
    assert json.loads(entering.after)["applicant_deadline"] == "2027-04-30"

    # The reminder once April is over (s.61: in May), then 90 days to seizure (s.62).
    _refused_then_allowed(
        engine, app_id, _t("lbt_awaiting_payment", "send_reminder"), date(2027, 4, 30)
    )
    assert _row(engine, app_id).applicant_deadline == date(2027, 5, 1) + timedelta(days=90)
    with unit_of_work(engine) as session:
        due = notices.lapses_due(session, date(2027, 7, 31))
    assert [(d.step, d.event) for d in due] == [("reminded", "refer_for_seizure")]
    _refused_then_allowed(engine, app_id, _t("reminded", "refer_for_seizure"), date(2027, 7, 30))
    _walk(engine, app_id, [("seizure", "record_payment", date(2027, 8, 15))])
    assert _row(engine, app_id).state == "paid"
    assert verification.verify(engine).broken is None


def test_a_year_the_minister_moved_is_paid_by_its_own_date(engine: Engine) -> None:
    calendar = TAX.tax_calendar
    assert calendar is not None
    assert calendar.date_of(TaxDate.payment_by, 2570) == date(2027, 4, 30)
    assert calendar.date_of(TaxDate.payment_by, 2569) == date(2026, 6, 30)
    assert calendar.source_of(TaxDate.payment_by, 2569)[1] is False  # one local notice's
    assert calendar.source_of(TaxDate.payment_by, 2570)[1] is True
    app_id = _land_and_buildings_assessed(engine, tax_year=2569)
    assert _row(engine, app_id).applicant_deadline == date(2026, 6, 30)


def test_an_objection_counts_thirty_days_from_the_notice(engine: Engine) -> None:
    objection = _t("lbt_awaiting_payment", "file_objection")
    late, on_time = _land_and_buildings_assessed(engine), _land_and_buildings_assessed(engine)
    for app_id in (late, on_time):
        step_item(engine, app_id, "lbt_objection_form")
    with pytest.raises(GuardFailed) as unknown:  # no day of receipt yet: no window to count
        step(engine, on_time, objection, now=_at(date(2027, 2, 12)))
    assert "notice" in unknown.value.en
    for app_id in (late, on_time):
        _notice(engine, app_id, date(2027, 2, 16), delivered_on=date(2027, 2, 15))
    with pytest.raises(GuardFailed) as closed:
        step(engine, late, objection, now=_at(date(2027, 3, 18)))
    assert closed.value.detail["deadline"] == "2027-03-17"
    step(engine, on_time, objection, now=_at(date(2027, 3, 17)))
    assert _row(engine, on_time).state == "lbt_objection"
    assert verification.verify(engine).broken is None


def test_an_objection_not_decided_in_sixty_days_is_deemed_accepted(
    engine: Engine, env_database: str
) -> None:
    app_id = _land_and_buildings_assessed(engine)
    step_item(engine, app_id, "lbt_objection_form")
    _notice(engine, app_id, date(2027, 2, 16), delivered_on=date(2027, 2, 15))
    _walk(engine, app_id, [("lbt_awaiting_payment", "file_objection", date(2027, 3, 1))])
    deemed = _t("lbt_objection", "deem_objection_accepted")
    assert deemed.window == Window(
        starts="entered",
        after=60,
        legal_basis="Land and Buildings Tax Act B.E. 2562 s.73",
        confirmed=True,
    )
    with unit_of_work(engine) as session:
        assert notices.windows_due(session, date(2027, 4, 30)) == []
        due = notices.windows_due(session, date(2027, 5, 1))
    assert [(d.step, d.event, d.deadline) for d in due] == [
        ("lbt_objection", "deem_objection_accepted", date(2027, 4, 30))
    ]
    listed = CliRunner().invoke(cli, ["notices", "run", "--today", "2027-05-01"])
    assert listed.exit_code == 0, listed.output
    code = _row(engine, app_id).tracking_code
    assert listed.output.splitlines()[-2:] == [
        "1 deemed decisions due (code step last-day event):",
        f"  {code} lbt_objection 2027-04-30 deem_objection_accepted",
    ]
    _refused_then_allowed(engine, app_id, deemed, date(2027, 4, 30))
    assert _row(engine, app_id).state == "final_payment"
    assert verification.verify(engine).broken is None


# --- signboard tax --------------------------------------------------------------------------


def _signboard_notified(engine: Engine, day: date = date(2027, 3, 2)) -> int:
    """A signboard return taken in on ``day``, assessed and its notice sent the same day."""
    app_id = _open(engine, day, 2570)
    _walk(
        engine,
        app_id,
        [
            ("intake", "accept_application", day),
            ("survey_assessment", "complete_assessment", day),
            ("pending_decision", "approve", day),
            ("assessed", "notify_result", day),
        ],
    )
    return app_id


def test_signboard_tax_is_paid_within_fifteen_days_of_the_notice(engine: Engine) -> None:
    app_id = _signboard_notified(engine)
    arrears = _t("awaiting_payment", "mark_arrears")
    assert _row(engine, app_id).applicant_deadline is None  # counted from the delivery
    with pytest.raises(GuardFailed):
        step(engine, app_id, arrears, now=_at(date(2027, 6, 1)))
    # Posted by registered mail on 2 March: deemed received on the 9th, due on the 24th.
    _notice(
        engine,
        app_id,
        date(2027, 3, 10),
        method=DeliveryMethod.registered_mail,
        sent_on=date(2027, 3, 2),
    )
    assert _row(engine, app_id).applicant_deadline == date(2027, 3, 24)
    _refused_then_allowed(engine, app_id, arrears, date(2027, 3, 24))
    pay = _t("arrears", "record_payment")
    assert "surcharge_payment" in pay.requires
    step(engine, app_id, pay, now=_at(date(2027, 4, 20)))
    assert _row(engine, app_id).state == "paid"
    assert verification.verify(engine).broken is None


def test_a_signboard_appeal_counts_thirty_days_from_the_notice(engine: Engine) -> None:
    app_id = _signboard_notified(engine)
    step_item(engine, app_id, "objection_form")
    _notice(engine, app_id, date(2027, 3, 3), delivered_on=date(2027, 3, 3))
    with pytest.raises(GuardFailed) as closed:
        step(engine, app_id, _t("awaiting_payment", "file_objection"), now=_at(date(2027, 4, 3)))
    assert closed.value.detail["deadline"] == "2027-04-02"
    assert "Signboard Tax Act B.E. 2510 s.30" in closed.value.en


def test_the_signboard_surcharge_is_two_percent_a_month() -> None:
    """Signboard Tax Act s.25: late payment adds 2% a month; 10% (or 5%) is for a late or
    understated return, not for late payment."""
    fee = TAX.fee.description
    assert "2% a month (s.25)" in fee.en
    assert "5 or 10% plus" not in fee.en
    assert "ร้อยละ 2 ต่อเดือน (มาตรา 25)" in fee.th


# --- the data ---------------------------------------------------------------------------------


def test_the_tax_year_is_a_buddhist_era_year() -> None:
    today = date(2026, 12, 2)
    read = read_subject_fields(TAX, Subject("1 ถนนพญาไท", "", {"tax_year": "๒๕๗๐"}), today)
    assert read.details["tax_year"] == 2570
    for wrong in ("2026", "2562", "2571", "ปีนี้", True):
        with pytest.raises(InvalidInput) as refused:
            read_subject_fields(TAX, Subject("1 ถนนพญาไท", "", {"tax_year": wrong}), today)
        assert refused.value.detail["field"] == "subject.tax_year"
        assert "2563" in refused.value.en


def test_a_date_of_the_tax_year_needs_the_calendar() -> None:
    broken = TAX.model_copy(update={"tax_calendar": None})
    index = [s.id for s in TAX.steps].index("lbt_awaiting_payment")
    assert cross_reference_problems(broken) == [
        (f"steps.{index}.deadline.until", "a date of the tax year needs a tax_calendar")
    ]
    fields = [f.model_copy(update={"required": False}) for f in TAX.subject_fields]
    optional = TAX.model_copy(update={"subject_fields": fields})
    assert cross_reference_problems(optional) == [
        ("tax_calendar.year_field", "'tax_year' is no required tax_year field")
    ]
    assert cross_reference_problems(TAX) == []
    with pytest.raises(ValidationError):
        Window(starts="entered", within=30, after=60, legal_basis="s.73", confirmed=True)
