"""What the write path keeps between requests is dropped the moment it changes: the office's
calendar when a day is added or removed, a token once its account signs out or is deactivated
(each change made outside the app, as another app server sharing the database would)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from tracking import auth, calendars, clock
from tracking.db import unit_of_work
from tracking.models import Staff, utcnow
from tracking.offices import office_by_slug
from tracking.workflow import office_days

from .conftest import Staff as StaffAccounts
from .conftest import intake

BUSINESS_DAYS_TYPE = "drain-connection"


def _next_business_day(engine: Engine, office_id: int) -> date:
    with unit_of_work(engine, writes=False) as session:
        calendar = calendars.office_calendar(session, office_id)
    return calendar.add_business_days(clock.bangkok_date(utcnow()), 1)


def _change_account(engine: Engine, username: str, *, sign_out: bool) -> None:
    with unit_of_work(engine) as session:
        account = session.exec(select(Staff).where(Staff.username == username)).one()
        if sign_out:
            auth.sign_out(session, account)
        else:
            account.active = False
            session.add(account)


def test_a_closure_added_is_seen_by_the_next_intakes_due_date(
    engine: Engine, staff: StaffAccounts
) -> None:
    before = date.fromisoformat(intake(staff, BUSINESS_DAYS_TYPE)["due_date"])
    again = date.fromisoformat(intake(staff, BUSINESS_DAYS_TYPE)["due_date"])
    assert again == before  # the calendar now built, and reused
    with unit_of_work(engine, writes=False) as session:
        office_id = office_by_slug(session, "pathumwan").id
    assert office_id is not None
    closed = _next_business_day(engine, office_id)
    with unit_of_work(engine) as session:
        office_days.add_office_day(
            session, office_id, closed, open=False, reason="น้ำท่วม", now=utcnow()
        )
    after = date.fromisoformat(intake(staff, BUSINESS_DAYS_TYPE)["due_date"])
    with unit_of_work(engine, writes=False) as session:
        calendar = calendars.office_calendar(session, office_id)
    assert after == calendar.add_business_days(before, 1)
    with unit_of_work(engine) as session:
        office_days.remove_office_day(session, office_id, closed, open=False)
    # Removed, and another day added in its place (SQLite may give it the same id).
    with unit_of_work(engine) as session:
        office_days.add_office_day(
            session, office_id, closed + timedelta(days=400), open=False, reason="x", now=utcnow()
        )
    assert date.fromisoformat(intake(staff, BUSINESS_DAYS_TYPE)["due_date"]) == before


def test_a_signed_out_token_is_refused_on_the_next_request(
    engine: Engine, staff: StaffAccounts
) -> None:
    clerk = staff("clerk", "environment-sanitation")
    for _ in range(3):  # the token checked and its account read: everything warm
        assert clerk.get("/api/v1/applications").status_code == 200
    _change_account(engine, clerk.username, sign_out=True)
    assert clerk.get("/api/v1/applications").status_code == 401
    assert clerk.post("/api/v1/applications", json={}).status_code == 401
    assert staff.sign_in(clerk.username).get("/api/v1/applications").status_code == 200


def test_a_deactivated_account_is_refused_on_the_next_request(
    engine: Engine, staff: StaffAccounts
) -> None:
    officer = staff("officer", "environment-sanitation")
    assert officer.get("/api/v1/applications").status_code == 200
    _change_account(engine, officer.username, sign_out=False)
    assert officer.get("/api/v1/applications").status_code == 401
