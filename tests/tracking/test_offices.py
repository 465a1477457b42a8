"""Offices in the database: added and updated from their files, the permit types each runs
(offered or not, its own service time), staff of one office or (the city's) of none, and the
commands that manage them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.offices import OfficeFile, default_offices
from tracking import auth, offices, periods
from tracking.access import Actor
from tracking.calendars import office_calendar
from tracking.db import unit_of_work
from tracking.errors import InvalidInput, NotPermitted
from tracking.models import Office, Staff
from tracking.workflow.intake import Applicant, Subject, submit_application

from ..factories import make_application

runner = CliRunner()
SLUG = "street-vending"
PERMIT = default_catalogue()[SLUG]
NOW = datetime.fromisoformat("2026-11-02T03:00:00+00:00")
REASON = {"th": "ตามคู่มือของสำนักงานเขต", "en": "as the office's own manual says"}


def _profile(slug: str = "bangrak", **settings: dict[str, object]) -> OfficeFile:
    return default_offices()[slug].model_copy(update={"permit_types": dict(settings)})


def _with(office: Office, **settings: dict[str, object]) -> None:
    office.permit_settings = {
        slug: {**value, "reason": REASON, "confirmed": False} for slug, value in settings.items()
    }


def test_an_office_is_added_once_and_updated_from_its_file(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        added = offices.add(session, default_offices()["bangrak"])
        assert added.bma_code == "1004"
        assert added.name_en == "Bang Rak District Office"
        with pytest.raises(InvalidInput, match="already here"):
            offices.add(session, default_offices()["bangrak"])
    edited = default_offices()["bangrak"].model_copy(
        update={"phone": default_offices()["bangrak"].phone.model_copy(update={"number": "1555"})}
    )
    with unit_of_work(engine) as session:
        assert offices.update(session, edited) == ["phone"]
        assert offices.update(session, edited) == []
        assert offices.office_by_slug(session, "bangrak").phone == "1555"


def test_intake_refuses_a_type_the_office_does_not_offer(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        office = offices.office_by_slug(session, "pathumwan")
        _with(office, **{SLUG: {"offered": False}})
        session.add(office)
    with unit_of_work(engine) as session, pytest.raises(InvalidInput) as refused:
        make_application(session, SLUG, now=NOW)
    assert refused.value.detail["field"] == "permit_type"
    assert "ไม่รับคำขอ" in refused.value.th
    assert "does not take applications" in refused.value.en
    assert REASON["en"] in refused.value.en
    with unit_of_work(engine) as session:  # the other types still come in
        make_application(session, "food-premises", now=NOW)
        (line,) = offices.lines(session)
        assert line.not_offered == (SLUG,)


def test_an_office_s_shorter_service_time_sets_the_due_date(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        usual = make_application(session, SLUG, now=NOW).due_date
        office = offices.office_by_slug(session, "pathumwan")
        _with(office, **{SLUG: {"service_days": 10}})
        session.add(office)
    with unit_of_work(engine) as session:
        shorter = make_application(session, SLUG, now=NOW)
        calendar = office_calendar(session, shorter.office_id)
        received = date(2026, 11, 2)
        expected = calendar.add_days(received, 10, business=periods.business(PERMIT))
        assert shorter.due_date == expected < usual
        assert offices.permit_at(office, PERMIT).service_time.days == 10
        assert PERMIT.service_time.days != 10  # the catalogue's own stays as it was


def test_staff_take_in_files_only_at_their_own_office(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        other = offices.add(session, default_offices()["bangrak"])
        home = offices.office_by_slug(session, "pathumwan")
        clerk = Actor("clerk-1", "clerk", PERMIT.department, home.id)
        with pytest.raises(NotPermitted):
            submit_application(
                session,
                permit_type_slug=SLUG,
                applicant=Applicant("สมชาย ใจดี", "1101700123456", "0812345678", ""),
                subject=Subject("1 ถนนสีลม เขตบางรัก", "แผงลอย", {}),
                actor=clerk,
                office=other,
                now=NOW,
            )


def _account(session: Any, username: str, role: str, office: str | None) -> Staff:
    return auth.create_staff(
        session,
        username=username,
        role=role,
        department=None,
        password="a long enough password",
        office_slug=office,
    )


def test_city_auditors_belong_to_no_office_and_everyone_else_to_one(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        city = _account(session, "auditor", "city", None)
        assert city.office_id is None
        with pytest.raises(InvalidInput, match="give no office"):
            _account(session, "auditor2", "city", "pathumwan")
        with pytest.raises(InvalidInput, match="Give the office"):
            _account(session, "boss", "manager", None)
    # The database holds to it too, whatever writes the row.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE staff SET office_id = 1 WHERE username = 'auditor'"))
    with unit_of_work(engine) as session:
        assert session.get(Staff, city.id).office_id is None  # type: ignore[union-attr]


def test_the_office_commands_list_add_and_update(engine: Engine, env_database: str) -> None:
    from tracking.cli import app

    listed = runner.invoke(app, ["office", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[0].startswith("pathumwan\t1007\t")
    added = runner.invoke(app, ["office", "add", "bangrak", "sathon"])
    assert added.exit_code == 0, added.output
    assert "added bangrak" in added.output
    assert "added sathon" in added.output
    again = runner.invoke(app, ["office", "add", "bangrak"])
    assert again.exit_code == 2
    assert "already here" in again.output
    unknown = runner.invoke(app, ["office", "add", "atlantis"])
    assert unknown.exit_code == 2
    assert "no office file for atlantis" in unknown.output
    updated = runner.invoke(app, ["office", "update", "bangrak"])
    assert updated.exit_code == 0
    assert "bangrak: unchanged" in updated.output
    lines = runner.invoke(app, ["office", "list"]).output.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["bangrak", "pathumwan", "sathon"]
    staff = runner.invoke(
        app,
        ["staff", "add", "br-clerk", "--role", "clerk", "--department", "public-works"]
        + ["--office", "bangrak", "--password-stdin"],
        input="a long enough password\n",
    )
    assert staff.exit_code == 0, staff.output
    city = runner.invoke(
        app, ["staff", "add", "bkk", "--role", "city", "--password-stdin"], input="x" * 20 + "\n"
    )
    assert city.exit_code == 0, city.output
    with unit_of_work(engine) as session:
        bangrak = offices.office_by_slug(session, "bangrak")
        assert auth.staff_by_username(session, "br-clerk").office_id == bangrak.id  # type: ignore[union-attr]
        assert auth.staff_by_username(session, "bkk").office_id is None  # type: ignore[union-attr]
    lines = runner.invoke(app, ["office", "list"]).output.splitlines()
    assert "staff=1" in lines[0]
