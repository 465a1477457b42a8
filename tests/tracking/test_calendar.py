from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import holidays
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from checklists.loader import default_catalogue
from checklists.schema import PermitType, TransitionKind
from tracking import clock, offices
from tracking.clock import BusinessCalendar, holidays_of, is_overdue, standing
from tracking.db import unit_of_work
from tracking.models import ApplicationEvent, EventKind, OfficeDay
from tracking.verification import verify
from tracking.workflow import office_days, transitions

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
    assert "พิเศษ" in holidays_of(2024)[date(2024, 12, 30)][0]
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
        office = offices.office_by_slug(session, OFFICE)
        session.add(OfficeDay(office_id=office.id, day=date(2024, 4, 18), note="ปิดซ่อมอาคาร"))
    try:
        app_id = committed_application(engine, "drain-connection", now=_at(date(2024, 4, 11)))
        with unit_of_work(engine) as session:
            application = transitions.get_application(session, app_id)
            days = default_catalogue()["drain-connection"].service_time.days
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
    permit = default_catalogue()["drain-connection"]
    app_id = committed_application(engine, "drain-connection", now=_at(date(2024, 6, 4)))
    with unit_of_work(engine) as session:
        due_before = transitions.get_application(session, app_id).due_date
    rules = {t.event: t for t in permit.transitions if t.source in {"intake", "awaiting_documents"}}
    # The s.8 record is made on the day of filing.
    step(engine, app_id, rules["request_documents"], now=_at(date(2024, 6, 4)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.turn == "applicant"
        assert application.clock_paused_on == date(2024, 6, 4)
    # Held by the applicant from Tue 4 to Tue 11 June: 5 business days (Wed 5 to Tue 11), or
    # 7 calendar days.
    step(engine, app_id, rules["documents_supplied"], now=_at(date(2024, 6, 11)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.turn == "authority"
        assert application.clock_paused_on is None
        assert application.due_date == cal.add_days(due_before, 5, business=clock.business(permit))


def test_standing_agrees_with_overdue_on_a_weekend_after_the_due_date() -> None:
    """Due on Friday 6 March 2026: on the Saturday no working day has passed, yet the file is
    overdue, and the days-left count says so rather than 'due today'."""
    permit = default_catalogue()["drain-connection"]
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


# --- Substitution days, the years checked, and why a day is open or closed -----------------


@pytest.mark.parametrize("day", [date(2027, 5, 3), date(2032, 5, 3), date(2033, 5, 2)])
def test_labour_day_substitution_is_a_working_day(day: date) -> None:
    """Labour Day fell on a weekend: its Monday substitute is no more a district-office
    holiday than Labour Day itself."""
    assert day.weekday() == 0
    assert cal.is_business_day(day)
    assert clock.explain_day(cal, day).open
    assert cal.add_business_days(day - timedelta(days=3), 1) == day  # from the Friday before


def test_songkran_2026_and_other_substitution_days_stay_closed() -> None:
    for day in (13, 14, 15):
        assert not cal.is_business_day(date(2026, 4, day))
    for day in (date(2024, 4, 16), date(2025, 4, 16), date(2025, 5, 5), date(2025, 4, 7)):
        assert not cal.is_business_day(day), day
    # Every other substitution day the package gives, 2024-2033, closes the office.
    for year in range(2024, 2034):
        english = holidays.country_holidays(
            "TH", years=year, categories=clock.CATEGORIES, language="en_US"
        )
        for day in english:
            names = english.get_list(day)
            if any("(in lieu)" in n and "Labor" not in n for n in names):
                assert not cal.is_business_day(day), (day, names)


def test_the_calendar_is_checked_for_next_year() -> None:
    next_year = date.today().year + 1
    assert next_year <= clock.CALENDAR_CHECKED_THROUGH, (
        f"The office calendar is checked only through {clock.CALENDAR_CHECKED_THROUGH}. Check the"
        f" Cabinet's announcements of holidays, substitution and bridge days for {next_year},"
        " add what the `holidays` package lacks with `tidtam calendar closure add` (or pin a"
        " release that has them, `uv lock`), then raise tracking.clock.CALENDAR_CHECKED_THROUGH."
    )
    for year in range(date.today().year, clock.CALENDAR_CHECKED_THROUGH + 1):
        assert date(year, 4, 13) in holidays_of(year), f"holidays has no Songkran {year}"


def test_a_day_is_explained_by_the_rule_that_counts_it() -> None:
    office = BusinessCalendar(
        closures=[date(2026, 6, 5), date(2026, 6, 6)], openings=[date(2026, 6, 13)]
    )
    office.notes = {date(2026, 6, 5): "ปิดซ่อมอาคาร", date(2026, 6, 13): "เปิดรับคำขอวันเสาร์"}
    day = date(2025, 12, 1)
    while day < date(2027, 12, 31):
        assert clock.explain_day(office, day).open == office.is_business_day(day), day
        day += timedelta(days=1)
    assert clock.explain_day(office, date(2026, 4, 13)) == (
        False,
        (("วันสงกรานต์", "Songkran Festival"),),
    )
    assert clock.explain_day(office, date(2026, 6, 5)).reasons == (
        ("สำนักงานปิดทำการ: ปิดซ่อมอาคาร", "office closure: ปิดซ่อมอาคาร"),
    )
    saturday = clock.explain_day(office, date(2026, 6, 6))
    assert not saturday.open
    assert saturday.reasons[0] == ("วันเสาร์", "Saturday")
    opened = clock.explain_day(office, date(2026, 6, 13))
    assert opened.open
    assert opened.reasons[0][1] == "extra working day: เปิดรับคำขอวันเสาร์"
    labour = clock.explain_day(office, date(2027, 5, 3))
    assert labour.reasons[0][1] == "National Labor Day (in lieu): district offices stay open"
    assert labour.reasons[0][0].startswith("ชดเชยวันแรงงานแห่งชาติ")
    assert clock.explain_day(office, date(2026, 6, 9)) == (True, (("วันทำการ", "working day"),))


# --- A closure added once files are running -------------------------------------------------


def _permit(counts_business_days: bool) -> PermitType:
    """A type counting business days (or calendar days) whose file may pass to the applicant
    at intake (a deficiency request) and come back."""
    return next(
        p
        for p in sorted(default_catalogue().values(), key=lambda p: p.slug != "drain-connection")
        if clock.business(p) is counts_business_days
        and {TransitionKind.deficiency_request, TransitionKind.documents_supplied}
        <= {t.kind for t in p.transitions}
    )


BUSINESS = _permit(True)
N = BUSINESS.service_time.days
RECEIVED = date(2026, 6, 9)  # a Tuesday


def _rule(permit: PermitType, kind: TransitionKind) -> Any:
    return next(t for t in permit.transitions if t.kind is kind)


def _close(engine: Engine, day: date, today: date) -> list[office_days.DueDateMoved]:
    with unit_of_work(engine) as session:
        office = offices.office_by_slug(session, OFFICE)
        assert office.id is not None
        return office_days.add_office_day(
            session, office.id, day, open=False, reason="ปิดสำนักงานกรณีพิเศษ", now=_at(today)
        )


def _due(engine: Engine, app_id: int) -> date:
    with unit_of_work(engine) as session:
        return transitions.get_application(session, app_id).due_date


def test_a_closure_moves_the_due_dates_of_the_open_files_it_falls_in(engine: Engine) -> None:
    running = committed_application(engine, BUSINESS.slug, now=_at(RECEIVED))
    withdrawn = committed_application(engine, BUSINESS.slug, now=_at(RECEIVED))
    step(engine, withdrawn, _rule(BUSINESS, TransitionKind.withdraw), now=_at(RECEIVED))
    calendar_days = _permit(False)
    by_date = committed_application(engine, calendar_days.slug, now=_at(RECEIVED))
    due, other = _due(engine, running), _due(engine, by_date)
    assert due == cal.add_business_days(RECEIVED, N)

    closure = cal.add_business_days(RECEIVED, 2)  # announced the day before
    moved = _close(engine, closure, closure - timedelta(days=1))
    assert [m.application.id for m in moved] == [running]
    recomputed = BusinessCalendar(closures=[closure]).add_business_days(RECEIVED, N)
    assert (moved[0].before, moved[0].after) == (due, recomputed)
    assert (_due(engine, running), _due(engine, by_date)) == (recomputed, other)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, running)
        event = session.exec(
            select(ApplicationEvent).where(
                ApplicationEvent.application_id == running, ApplicationEvent.seq == 2
            )
        ).one()
        assert application.version == 2
    assert (event.kind, event.event, event.reason) == (
        EventKind.clock,
        "calendar:closure",
        "ปิดสำนักงานกรณีพิเศษ",
    )
    assert event.source == event.target == application.state

    # Days outside the period, or no working day anyway, move nothing.
    saturday = RECEIVED + timedelta(days=4)
    after_due = cal.add_business_days(recomputed, 1)
    for day in (RECEIVED, saturday, after_due):
        assert _close(engine, day, RECEIVED) == [], day
    # The due date itself is in the period.
    (last,) = _close(engine, recomputed, RECEIVED)
    assert last.after == BusinessCalendar(
        closures=[closure, recomputed, after_due]
    ).add_business_days(RECEIVED, N)
    assert verify(engine).broken is None


def test_a_stopped_clock_restarts_from_a_due_date_that_carries_the_closure(
    engine: Engine,
) -> None:
    app_id = committed_application(engine, BUSINESS.slug, now=_at(RECEIVED))
    step(engine, app_id, _rule(BUSINESS, TransitionKind.deficiency_request), now=_at(RECEIVED))
    closure = RECEIVED + timedelta(days=3)  # Friday, while the applicant holds the file
    assert cal.is_business_day(closure)
    (moved,) = _close(engine, closure, RECEIVED + timedelta(days=1))
    assert moved.after == cal.add_business_days(moved.before, 1)
    back = RECEIVED + timedelta(days=7)  # the next Tuesday
    step(engine, app_id, _rule(BUSINESS, TransitionKind.documents_supplied), now=_at(back))
    # The office's N business days run from the day the file came back (none ran before: the
    # file went to the applicant on the day of filing), the closure not among them.
    closed = BusinessCalendar(closures=[closure])
    assert _due(engine, app_id) == closed.add_business_days(back, N)
    assert verify(engine).broken is None


def test_a_closure_in_a_stretch_the_applicant_held_moves_nothing(engine: Engine) -> None:
    app_id = committed_application(engine, BUSINESS.slug, now=_at(RECEIVED))
    step(engine, app_id, _rule(BUSINESS, TransitionKind.deficiency_request), now=_at(RECEIVED))
    back = RECEIVED + timedelta(days=7)
    step(engine, app_id, _rule(BUSINESS, TransitionKind.documents_supplied), now=_at(back))
    due = _due(engine, app_id)
    held = RECEIVED + timedelta(days=3)  # recorded afterwards, inside the held stretch
    assert _close(engine, held, back + timedelta(days=1)) == []
    assert due == BusinessCalendar(closures=[held]).add_business_days(back, N)
    worked = cal.add_business_days(back, 1)  # recorded afterwards, in the office's time
    (moved,) = _close(engine, worked, worked + timedelta(days=1))
    assert moved.after == BusinessCalendar(closures=[held, worked]).add_business_days(back, N)
    assert verify(engine).broken is None
