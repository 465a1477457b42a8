"""`tidtam calendar`: why a day is open or closed, when a file is due, and the office's own
closures and extra working days, with the due dates a closure moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from tracking import clock, periods
from tracking.cli import app
from tracking.clock import BusinessCalendar
from tracking.db import unit_of_work
from tracking.models import ApplicationEvent, OfficeDay
from tracking.reads import compliance, public
from tracking.reads.staff.application import trail_event
from tracking.verification import verify
from tracking.workflow import transitions

from ..factories import committed_application

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("env_database")
BUSINESS = next(
    p
    for p in sorted(default_catalogue().values(), key=lambda p: p.slug != "drain-connection")
    if clock.business(p)
)
cal = BusinessCalendar()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["calendar", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _at(day: date) -> datetime:
    return datetime.combine(day, time(3), UTC)  # 10:00 in Bangkok


def _closures(engine: Engine) -> list[tuple[date, bool, str]]:
    with unit_of_work(engine) as session:
        rows = session.exec(select(OfficeDay).order_by(OfficeDay.day)).all()  # type: ignore[arg-type]
        return [(r.day, r.open, r.note) for r in rows]


@pytest.mark.parametrize(
    ("day", "first", "names"),
    [
        ("2027-05-03", "open", ("ชดเชยวันแรงงานแห่งชาติ", "National Labor Day (in lieu)")),
        ("2032-05-03", "open", ("ชดเชยวันแรงงานแห่งชาติ", "National Labor Day (in lieu)")),
        ("2033-05-02", "open", ("ชดเชยวันแรงงานแห่งชาติ", "National Labor Day (in lieu)")),
        ("2026-04-13", "closed", ("วันสงกรานต์", "Songkran Festival")),
        ("2025-04-16", "closed", ("ชดเชยวันสงกรานต์", "Songkran Festival (in lieu)")),
        ("2025-05-05", "closed", ("ชดเชยวันฉัตรมงคล", "Coronation Day (in lieu)")),
        ("2026-04-18", "closed", ("วันเสาร์", "Saturday")),
        ("2026-06-09", "open", ("วันทำการ", "working day")),
    ],
)
def test_day_says_open_or_closed_first_then_why(
    engine: Engine, day: str, first: str, names: tuple[str, str]
) -> None:
    code, output = _run("day", day)
    assert code == 0, output
    assert output.split(":")[0] == first
    assert day in output.splitlines()[0]
    thai, english = names
    assert thai in output
    assert english in output


def test_day_names_the_offices_own_days_and_unchecked_years(engine: Engine) -> None:
    assert _run("closure", "add", "2026-06-10", "--reason", "ปิดซ่อมอาคาร")[0] == 0
    assert _run("opening", "add", "2026-06-13", "--reason", "รับคำขอวันเสาร์")[0] == 0
    code, output = _run("day", "2026-06-10")
    assert (code, output.split(":")[0]) == (0, "closed")
    assert "office closure: ปิดซ่อมอาคาร" in output
    code, output = _run("day", "2026-06-13")
    assert (code, output.split(":")[0]) == (0, "open")
    assert "extra working day: รับคำขอวันเสาร์" in output
    assert "Saturday" in output
    later = clock.CALENDAR_CHECKED_THROUGH + 1
    assert "not been checked" in _run("day", f"{later}-03-03")[1]
    assert "not been checked" not in _run("day", "2026-03-03")[1]


@pytest.mark.parametrize(
    "args",
    [
        ["day", "2027-02-30"],
        ["day", "tomorrow"],
        ["day", "20270503"],
        ["day", "1900-01-01"],
        ["due", "no-such-type", "--received", "2026-04-01"],
        ["due", BUSINESS.slug, "--received", "1/4/2026"],
        ["due", BUSINESS.slug, "--received", "2601-01-01"],
        ["closure", "add", "not-a-date", "--reason", "x"],
        ["closure", "add", "2601-01-01", "--reason", "x"],
        ["closure", "add", "2026-06-10", "--reason", "   "],
        ["closure", "add", "2026-06-10", "--reason", "\u200b"],
        ["closure", "add", "2026-06-10", "--reason", "x" * 201],
        ["closure", "remove", "2026-06-10"],
        ["opening", "remove", "2026-06-13"],
        ["closure", "list", "--year", "99999"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(engine: Engine, args: list[str]) -> None:
    code, output = _run(*args)
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1, output
    assert _closures(engine) == []


def test_due_prints_the_date_the_days_and_the_rule(engine: Engine) -> None:
    received = date(2026, 4, 1)
    code, output = _run("due", BUSINESS.slug, "--received", received.isoformat())
    assert code == 0, output
    due = periods.due_at_intake(cal, BUSINESS, received)
    period = BUSINESS.service_time
    assert output.splitlines()[0] == f"due: {due.isoformat()} ({clock.thai_date(due)})"
    assert f"{period.days} business days after 2026-04-01 (1 เมษายน 2569)" in output
    assert "rule: the citizens' manual service time" in output
    assert BUSINESS.legal_basis[0].act.en in output
    # The office's closures count.
    closure = cal.add_business_days(received, 1)
    assert _run("closure", "add", closure.isoformat(), "--reason", "ปิดกรณีพิเศษ")[0] == 0
    later = BusinessCalendar(closures=[closure]).add_business_days(received, period.days)
    assert f"due: {later.isoformat()}" in _run("due", BUSINESS.slug, "--received", "2026-04-01")[1]


def test_closures_and_openings_are_added_listed_and_removed(engine: Engine) -> None:
    for kind, day, reason in (
        ("closure", "2026-06-10", "ปิดซ่อมอาคาร [ห้องประชุม]"),
        ("closure", "2027-01-04", "วันหยุดพิเศษตามมติคณะรัฐมนตรี"),
        ("opening", "2026-06-13", "รับคำขอวันเสาร์"),
    ):
        code, output = _run(kind, "add", day, "--reason", f"  {reason} ")
        assert code == 0, output
        assert day in output
    assert _closures(engine) == [
        (date(2026, 6, 10), False, "ปิดซ่อมอาคาร [ห้องประชุม]"),
        (date(2026, 6, 13), True, "รับคำขอวันเสาร์"),
        (date(2027, 1, 4), False, "วันหยุดพิเศษตามมติคณะรัฐมนตรี"),
    ]
    code, output = _run("closure", "add", "2026-06-10", "--reason", "อีกครั้ง")
    assert code == 2
    assert "already a closure of the office: ปิดซ่อมอาคาร" in output
    code, output = _run("opening", "add", "2026-06-10", "--reason", "เปิด")
    assert code == 2
    assert "already a closure" in output

    code, output = _run("closure", "list")
    assert code == 0, output
    for text in ("2026-06-10", "10 มิถุนายน 2569", "ปิดซ่อมอาคาร [ห้องประชุม]", "4 มกราคม 2570"):
        assert text in output
    assert "2026-06-13" not in output
    code, output = _run("closure", "list", "--year", "2027")
    assert "2027-01-04" in output
    assert "2026-06-10" not in output
    code, output = _run("opening", "list")
    assert "13 มิถุนายน 2569" in output
    assert "รับคำขอวันเสาร์" in output

    assert _run("closure", "remove", "2026-06-13")[0] == 2  # an opening, not a closure
    assert _run("opening", "remove", "2026-06-13")[0] == 0
    assert _run("closure", "remove", "2026-06-10")[0] == 0
    assert _closures(engine) == [(date(2027, 1, 4), False, "วันหยุดพิเศษตามมติคณะรัฐมนตรี")]
    assert "none" in _run("opening", "list")[1]


def test_a_closure_moves_open_files_in_their_trail_and_removing_it_does_not(
    engine: Engine,
) -> None:
    received = date(2026, 6, 9)
    due = cal.add_business_days(received, BUSINESS.service_time.days)
    today = cal.add_business_days(due, 1)  # the file is one day overdue
    app_id = committed_application(engine, BUSINESS.slug, now=_at(received))
    with unit_of_work(engine) as session:
        before = compliance.summary(session, compliance.Filters(), today)["overdue"]
    assert before["count"] == 1
    assert [r["id"] for r in before["oldest"]] == [app_id]

    with time_machine.travel(_at(today), tick=False):
        code, output = _run("closure", "add", due.isoformat(), "--reason", "น้ำท่วมสำนักงาน")
    assert code == 0, output
    assert "moved the due dates of 1 open files" in output
    assert f"{due.isoformat()} -> {today.isoformat()}" in output
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert (application.due_date, application.version) == (today, 2)
        event = session.exec(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == app_id)
            .order_by(ApplicationEvent.seq.desc())  # type: ignore[attr-defined]
        ).first()
        after = compliance.summary(session, compliance.Filters(), today)["overdue"]
    assert event is not None
    assert (event.kind, event.reason, event.source, event.target) == (
        "clock",
        "น้ำท่วมสำนักงาน",
        application.state,
        application.state,
    )
    assert after["count"] == 0
    with engine.connect() as connection:  # the citizen sees each step once
        status = public.lookup(connection, application.tracking_code, today)
    steps = [entry.step.id for entry in status.timeline if not entry.upcoming]
    assert len(steps) == len(set(steps)), steps
    staff = trail_event(event, default_catalogue()[BUSINESS.slug]).what
    assert staff == {
        "th": "วันปิดทำการของสำนักงาน: เลื่อนวันครบกำหนด",
        "en": "Office closure: due date moved",
    }
    assert verify(engine).broken is None
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output

    assert (
        "do not move back" in runner.invoke(app, ["calendar", "closure", "remove", "--help"]).output
    )
    assert _run("closure", "remove", due.isoformat())[0] == 0
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, app_id).due_date == today
    assert verify(engine).broken is None
