from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from checklists.loader import default_catalogue
from tracking.clock import BusinessCalendar, is_overdue, standing, thai_holidays
from tracking.db import unit_of_work
from tracking.models import OfficeDay
from tracking.workflow import intake, transitions

from ..factories import OFFICE, committed_application, step

cal = BusinessCalendar()


def test_songkran_2024_is_closed_including_the_substitution_day() -> None:
    for day in (12, 13, 14, 15, 16):  # 12th: Cabinet bridge day; 16th: in lieu of the 14th
        assert not cal.is_business_day(date(2024, 4, day))
    assert cal.is_business_day(date(2024, 4, 11))
    assert cal.is_business_day(date(2024, 4, 17))
    # Thursday 11 April + 1 business day skips the bridge day, Songkran and its substitute.
    assert cal.add_business_days(date(2024, 4, 11), 1) == date(2024, 4, 17)


def test_substitution_day_for_a_holiday_on_a_weekend() -> None:
    # Coronation Day fell on Sunday 4 May 2025; Monday 5 May was the substitute.
    assert not cal.is_business_day(date(2025, 5, 5))
    assert cal.add_business_days(date(2025, 5, 2), 1) == date(2025, 5, 6)


def test_cabinet_bridge_day() -> None:
    assert "พิเศษ" in thai_holidays(2024)[date(2024, 12, 30)]
    assert not cal.is_business_day(date(2024, 12, 30))


def test_year_boundary() -> None:
    # Fri 27 Dec 2024 + 3: Mon 30 (bridge), Tue 31, Wed 1 Jan closed -> Thu 2, Fri 3, Mon 6.
    assert cal.add_business_days(date(2024, 12, 27), 3) == date(2025, 1, 6)
    assert cal.business_days_between(date(2024, 12, 27), date(2025, 1, 6)) == 3


def test_labour_day_is_a_working_day_for_district_offices() -> None:
    assert cal.is_business_day(date(2024, 5, 1))


def test_royal_ploughing_day_is_a_government_holiday() -> None:
    assert not cal.is_business_day(date(2025, 5, 9))


def test_office_closures_and_openings() -> None:
    office = BusinessCalendar(closures=[date(2024, 6, 5)], openings=[date(2024, 6, 8)])
    assert not office.is_business_day(date(2024, 6, 5))
    assert office.is_business_day(date(2024, 6, 8))  # a Saturday the office opens
    assert office.add_business_days(date(2024, 6, 4), 2) == date(2024, 6, 7)


def test_between_is_antisymmetric_and_rejects_negative_counts() -> None:
    assert cal.business_days_between(date(2025, 1, 6), date(2024, 12, 27)) == -3
    with pytest.raises(ValueError, match="negative"):
        cal.add_business_days(date(2025, 1, 6), -1)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def test_due_date_counts_business_days_and_office_closures(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        office = intake.office_by_slug(session, OFFICE)
        session.add(OfficeDay(office_id=office.id, day=date(2024, 4, 18), note="ปิดซ่อมอาคาร"))
    try:
        app_id = committed_application(engine, now=_at(date(2024, 4, 11)))
        with unit_of_work(engine) as session:
            application = transitions.get_application(session, app_id)
            days = default_catalogue()["food-premises"].service_time.days
            expected = BusinessCalendar(closures=[date(2024, 4, 18)]).add_business_days(
                date(2024, 4, 11), days
            )
            assert application.submitted_on == date(2024, 4, 11)
            assert application.due_date == expected
    finally:
        with unit_of_work(engine) as session:
            for row in session.exec(select(OfficeDay)).all():
                session.delete(row)


def test_clock_pauses_while_the_applicant_holds_the_file(engine: Engine) -> None:
    permit = default_catalogue()["food-premises"]
    app_id = committed_application(engine, now=_at(date(2024, 6, 3)))
    with unit_of_work(engine) as session:
        due_before = transitions.get_application(session, app_id).due_date
    rules = {t.event: t for t in permit.transitions if t.source in {"intake", "awaiting_documents"}}
    step(engine, app_id, rules["request_documents"], now=_at(date(2024, 6, 4)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.turn == "applicant"
        assert application.clock_paused_on == date(2024, 6, 4)
    # Held by the applicant from Tue 4 to Tue 11 June: 5 business days (Mon 3 June is
    # Queen Suthida's Birthday, already behind us).
    step(engine, app_id, rules["documents_supplied"], now=_at(date(2024, 6, 11)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.turn == "authority"
        assert application.clock_paused_on is None
        assert application.due_date == cal.add_business_days(due_before, 5)


def test_standing_agrees_with_overdue_on_a_weekend_after_the_due_date() -> None:
    """Due on Friday 6 March 2026: on the Saturday no working day has passed, yet the file is
    overdue, and the days-left count says so rather than 'due today'."""
    permit = default_catalogue()["food-premises"]
    calendar = BusinessCalendar()
    due = date(2026, 3, 6)
    assert standing(calendar, permit, due, None, due) == (0, None)
    assert standing(calendar, permit, due, None, date(2026, 3, 7)) == (None, 1)
    assert standing(calendar, permit, due, None, date(2026, 3, 10)) == (None, 2)
    assert standing(calendar, permit, due, None, date(2026, 3, 4)) == (2, None)
    # Stopped in time, the file is not overdue while the applicant holds it.
    assert standing(calendar, permit, due, date(2026, 3, 5), date(2026, 3, 20)) == (1, None)
    for today in (date(2026, 3, 6), date(2026, 3, 7)):
        row = SimpleNamespace(decided_on=None, outcome=None, due_date=due, clock_paused_on=None)
        assert is_overdue(row, today) == (
            standing(calendar, permit, due, None, today)[1] is not None
        )
