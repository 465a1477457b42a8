"""Due dates as the law counts them (``tracking.periods``): per permit type, the manual and the
statutory clock, across Songkran 2026, the Labour Day substitution of 2027, a year end and an
office closure added after intake; and migration 0011 on files taken in under the old rule."""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from checklists.loader import default_catalogue
from checklists.schema import PermitType, Transition
from tracking import migrate, periods, verification
from tracking.clock import BusinessCalendar
from tracking.db import make_engine, unit_of_work
from tracking.models import ApplicationEvent, EventKind, OfficeDay
from tracking.workflow import office_days, transitions

from ..factories import committed_application, step

cal = BusinessCalendar()
MANUAL, LAW = periods.SERVICE_TIME, periods.STATUTORY_LIMIT


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def _ends(permit: PermitType, received: date, calendar: BusinessCalendar = cal) -> dict[str, date]:
    return {
        name: calendar.add_days(received, c.days, business=c.unit.value == "business")
        for name, c in periods.clocks(permit)
    }


# (type, received, manual end, statutory end or None, the due date, the rule that set it)
TABLE = [
    # Public Health Act s.56: 30 calendar days from the day after receipt, the law setting it.
    ("food-premises", date(2026, 4, 1), date(2026, 5, 1), date(2026, 5, 1), LAW),
    ("food-premises", date(2026, 4, 10), date(2026, 5, 10), date(2026, 5, 10), LAW),
    ("food-premises", date(2026, 12, 15), date(2027, 1, 14), date(2027, 1, 14), LAW),
    ("health-hazard-business", date(2026, 4, 1), date(2026, 5, 1), date(2026, 5, 1), LAW),
    ("street-vending", date(2027, 4, 3), date(2027, 5, 3), date(2027, 5, 3), LAW),
    # Building Control Act s.25: 45 days; the manual's 15 days end first for a small building.
    ("building-small", date(2026, 4, 1), date(2026, 4, 16), date(2026, 5, 16), MANUAL),
    ("building-small", date(2026, 12, 20), date(2027, 1, 4), date(2027, 2, 3), MANUAL),
    ("building-large", date(2026, 4, 1), date(2026, 5, 16), date(2026, 5, 16), LAW),
    # Business-day clocks (no statutory limit): Songkran 13-15 April 2026 closes the office,
    # Labour Day substitute Monday 3 May 2027 does not, nor does 1 May.
    ("drain-connection", date(2026, 4, 8), date(2026, 5, 5), None, MANUAL),
    ("drain-connection", date(2027, 4, 27), date(2027, 5, 19), None, MANUAL),
    ("building-permit-renewal", date(2026, 4, 10), date(2026, 4, 24), None, MANUAL),
    ("building-permit-renewal", date(2027, 4, 29), date(2027, 5, 11), None, MANUAL),
    ("public-place-posting", date(2026, 12, 29), date(2027, 1, 5), None, MANUAL),
    ("loudspeaker-advertising", date(2027, 4, 30), date(2027, 5, 3), None, MANUAL),
    ("fine-settlement", date(2026, 4, 10), date(2026, 4, 16), None, MANUAL),
    ("tax-assessment", date(2026, 4, 1), date(2026, 4, 28), None, MANUAL),
]


@pytest.mark.parametrize(("slug", "received", "manual", "law", "rule"), TABLE)
def test_due_date_is_the_earliest_end(
    slug: str, received: date, manual: date, law: date | None, rule: str
) -> None:
    permit = default_catalogue()[slug]
    ends = _ends(permit, received)
    assert ends[MANUAL] == manual
    assert ends.get(LAW) == law
    period = periods.at_intake(cal, permit, received)
    assert period.due == min(d for d in (manual, law) if d is not None)
    assert period.rule == rule
    assert periods.due_at_intake(cal, permit, received) == period.due


def test_every_type_is_in_the_table() -> None:
    assert {row[0] for row in TABLE} == set(default_catalogue().types)


def test_labour_day_substitution_2027_is_counted_as_a_working_day() -> None:
    # Fri 30 April 2027 + 1 business day: Monday 3 May, Labour Day's substitute, is open.
    assert cal.add_business_days(date(2027, 4, 30), 1) == date(2027, 5, 3)


def test_the_acceptance_case_names_the_law() -> None:
    permit = default_catalogue()["food-premises"]
    period = periods.at_intake(cal, permit, date(2026, 4, 1))
    assert period.due == date(2026, 5, 1)
    th, en = periods.describe(permit, period.rule)
    assert "s.56" in en
    assert "30 calendar days" in en
    assert th.startswith("ระยะเวลาที่กฎหมายกำหนด")


@pytest.mark.parametrize(
    ("slug", "business_clock"),
    [("drain-connection", True), ("food-premises", False), ("building-large", False)],
)
def test_a_closure_added_after_intake(engine: Engine, slug: str, business_clock: bool) -> None:
    """A closure of the office moves a business-day clock by a day; a calendar-day clock
    (the statutory limit) counts the closed day like any other."""
    received = date(2026, 4, 1)
    app_id = committed_application(engine, slug, now=_at(received))
    closure = date(2026, 4, 8)
    try:
        with unit_of_work(engine) as session:
            before = transitions.get_application(session, app_id).due_date
            office = transitions.get_application(session, app_id).office_id
            office_days.add_office_day(
                session, office, closure, open=False, reason="ปิดซ่อมอาคาร", now=_at(received)
            )
        with unit_of_work(engine) as session:
            after = transitions.get_application(session, app_id).due_date
        permit = default_catalogue()[slug]
        if business_clock:
            assert after == BusinessCalendar(closures=[closure]).add_business_days(
                received, permit.service_time.days
            )
            assert after > before
        else:
            assert after == before
        assert verification.verify(engine).broken is None
    finally:
        with unit_of_work(engine) as session:
            for row in session.exec(select(OfficeDay)).all():
                session.delete(row)


def test_amended_plans_restart_the_statutory_clock(engine: Engine) -> None:
    """Building Control Act s.27: once the plans are amended as ordered, the permit within 30
    days; that end, earlier than the resumed 45 days, becomes the due date."""
    permit = default_catalogue()["building-large"]
    received = date(2026, 4, 1)
    app_id = committed_application(engine, "building-large", now=_at(received))
    by_event = {t.event: t for t in permit.transitions}
    order = by_event["order_amendments"]
    path = _path_to(permit, order.source)
    for t in path:
        step(engine, app_id, t, now=_at(date(2026, 4, 2)))
    step(engine, app_id, order, now=_at(date(2026, 4, 3)))
    step(engine, app_id, by_event["amendments_supplied"], now=_at(date(2026, 4, 10)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.due_date == date(2026, 5, 10)  # 10 April + 30 days
        last = session.exec(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == app_id)
            .order_by(ApplicationEvent.seq.desc())  # type: ignore[attr-defined]
        ).first()
        assert last is not None
        assert periods.DUE_RULE in (last.data or "")
    assert verification.verify(engine).broken is None


def _path_to(permit: PermitType, target: str) -> list[Transition]:
    """The shortest run of transitions from the initial step to ``target``."""
    previous: dict[str, Transition | None] = {permit.initial_step.id: None}
    queue = deque([permit.initial_step.id])
    while queue:
        here = queue.popleft()
        if here == target:
            break
        for t in permit.transitions:
            if t.source == here and t.target not in previous and not permit.step(t.target).final:
                previous[t.target] = t
                queue.append(t.target)
    path = []
    here = target
    while (t := previous[here]) is not None:
        path.append(t)
        here = t.source
    return path[::-1]


def test_migration_0011_recomputes_open_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A food-premises file received on 1 April 2026 under the old rule (30 business days, due
    21 May) is due on 1 May 2026 after the migration, with a clock event saying so, and its
    trail still verifies; a decided file keeps its date."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)

    def old_rule(calendar: BusinessCalendar, permit: PermitType, received: date) -> periods.Period:
        due = calendar.add_business_days(received, permit.service_time.days)
        return periods.Period(due, permit.service_time.days, True, periods.SERVICE_TIME)

    with monkeypatch.context() as patch:
        patch.setattr(periods, "at_intake", old_rule)
        app_id = committed_application(engine, now=_at(date(2026, 4, 1)))
        drain = committed_application(engine, "drain-connection", now=_at(date(2026, 4, 1)))
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, app_id).due_date == date(2026, 5, 21)
        drain_due = transitions.get_application(session, drain).due_date
    assert verification.verify(engine).broken is None
    migrate.downgrade(engine, "0010")
    migrate.upgrade(engine)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.due_date == date(2026, 5, 1)
        assert transitions.get_application(session, drain).due_date == drain_due
        events = session.exec(
            select(ApplicationEvent).where(ApplicationEvent.application_id == app_id)
        ).all()
        assert events[-1].kind == EventKind.clock
        assert '"due_date_before":"2026-05-21"' in events[-1].data
    assert verification.verify(engine).broken is None
    engine.dispose()


@pytest.mark.usefixtures("env_database")
@pytest.mark.parametrize("slug", ["food-premises", "health-hazard-business", "street-vending"])
def test_s10_letters_are_due_on_files_on_time_under_the_old_clock(
    engine: Engine, slug: str
) -> None:
    """Received 1 April 2026: under 30 business days the file was on time until 21 May; under
    the 30 calendar days of s.56 it is late from 2 May, and ``tidtam notices run`` writes the
    delay letter of the week then current."""
    from typer.testing import CliRunner

    from tracking.cli import app
    from tracking.models import DelayNotice

    app_id = committed_application(engine, slug, now=_at(date(2026, 4, 1)))
    old_due = BusinessCalendar().add_business_days(date(2026, 4, 1), 30)
    assert old_due == date(2026, 5, 21)
    runner = CliRunner()
    on_the_day = runner.invoke(app, ["notices", "run", "--today", "2026-05-01"])
    assert on_the_day.exit_code == 0, on_the_day.output
    late = runner.invoke(app, ["notices", "run", "--today", "2026-05-10"])
    assert late.exit_code == 0, late.output
    with unit_of_work(engine) as session:
        letters = session.exec(
            select(DelayNotice).where(DelayNotice.application_id == app_id)
        ).all()
        assert [n.seq for n in letters] == [2]  # 9 days late: the second 7-day period
        assert transitions.get_application(session, app_id).delay_notices_sent == 1
    assert verification.verify(engine).broken is None


@pytest.mark.usefixtures("env_database")
def test_calendar_due_prints_the_rule_that_set_the_date() -> None:
    from typer.testing import CliRunner

    from tracking.cli import app

    done = CliRunner().invoke(app, ["calendar", "due", "food-premises", "--received", "2026-04-01"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "due: 2026-05-01 (1 พฤษภาคม 2569)"
    assert lines[1].startswith("days: 30 calendar days after 2026-04-01")
    assert "the statutory limit, 30 calendar days (Public Health Act B.E. 2535 s.56)" in lines[2]
    small = CliRunner().invoke(
        app, ["calendar", "due", "building-small", "--received", "2026-04-01"]
    )
    assert small.output.splitlines()[0] == "due: 2026-04-16 (16 เมษายน 2569)"
    assert "the citizens' manual service time, 15 calendar days" in small.output
