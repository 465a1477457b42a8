"""Intake's checks of the applicant and the subject: names and addresses need text to read,
digits of any script are ASCII before the checks, details store as they are."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from checklists.loader import default_catalogue
from tracking import offices, verification
from tracking.access import Actor
from tracking.clock import FIRST_DAY, LAST_DAY
from tracking.db import unit_of_work
from tracking.errors import InvalidInput, NotPermitted
from tracking.models import Application, ChecklistEntry
from tracking.reads.selection import Filters
from tracking.workflow import intake
from tracking.workflow.intake import (
    Applicant,
    Subject,
    ascii_digits,
    normalise_applicant,
    normalise_subject,
    read_subject_fields,
    thai_id_valid,
    visible_text,
)
from tracking.workflow.rules import load_history

from ..factories import actor, make_application

ID = "1101700123456"
FOOD = "food-premises"


def _refused(excinfo: pytest.ExceptionInfo[InvalidInput]) -> str:
    error = excinfo.value
    assert error.th
    assert error.en
    return str(error.detail["field"])


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("สมชาย ใจดี", "สมชาย ใจดี"),
        ("  \u200bสมชาย\u200bใจดี\u2060\ufeff ", "สมชาย\u200bใจดี"),  # kept inside, not at the ends
        ("7-Eleven", "7-Eleven"),
        ("99", "99"),
        ("", ""),
        ("\u200b", ""),
        (" \t\n\u00a0\u2003\u3000", ""),
        ("\u200c\u200d\u2060\ufeff\u00ad\u202e\u061c", ""),
        ("\u3164\u115f\u1160\uffa0\u2800", ""),
        ("\ue000", ""),  # private use
        ("\u0e31\u0e48", ""),  # marks alone
        ("...", ""),
    ],
)
def test_visible_text(text: str, visible: str) -> None:
    assert visible_text(text) == visible


def test_ascii_digits() -> None:
    assert ascii_digits("๑๑๐๑๗๐๐๑๒๓๔๕๖") == ID
    assert ascii_digits("１１０１７００１２３４５６") == ID  # full-width
    assert ascii_digits("AB๑๒-๓") == "AB12-3"
    assert ascii_digits("²") == "²"  # a superscript is no decimal digit


def test_thai_id_check_digit_wants_ascii_digits() -> None:
    assert thai_id_valid(ID)
    assert not thai_id_valid("1101700123457")
    assert not thai_id_valid("๑๑๐๑๗๐๐๑๒๓๔๕๖")
    assert not thai_id_valid("110170012345\u00b2")


def test_thai_digits_are_the_same_id_and_phone() -> None:
    applicant = normalise_applicant(
        Applicant(name="สมชาย", id_number="๑-๑๐๑๗-๐๐๑๒๓-๔๕-๖", phone="+๖๖ ๘๑ ๒๓๔ ๕๖๗๘")
    )
    assert applicant.id_number == ID
    assert applicant.phone == "0812345678"
    passport = normalise_applicant(Applicant(name="John Smith", id_number="aa๑๒๓๔๕๖"))
    assert passport.id_number == "AA123456"


@pytest.mark.parametrize(
    ("id_number", "phone", "field"),
    [
        ("๑๑๐๑๗๐๐๑๒๓๔๕๗", "", "applicant.id_number"),  # check digit wrong, in Thai digits
        ("110170012345\u00b2", "", "applicant.id_number"),
        (ID, "๐๘๑๒๓", "applicant.phone"),
        (ID, "08123456\u00b2\u00b3", "applicant.phone"),
    ],
)
def test_bad_numbers_in_other_digits_are_refused(id_number: str, phone: str, field: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        normalise_applicant(Applicant(name="สมชาย", id_number=id_number, phone=phone))
    assert _refused(excinfo) == field


@pytest.mark.parametrize("name", ["", "   ", "\u200b", "\u200b \u2060", "\u3164"])
def test_a_name_with_nothing_to_read_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        normalise_applicant(Applicant(name=name, id_number=ID))
    assert _refused(excinfo) == "applicant.name"


def test_the_name_is_trimmed_of_invisible_ends() -> None:
    assert normalise_applicant(Applicant(name="\u200b สมชาย ใจดี\ufeff", id_number=ID)).name == (
        "สมชาย ใจดี"
    )


@pytest.mark.parametrize("address", ["", "\u200b\u200b", "\u00a0", "\u2800"])
def test_an_address_with_nothing_to_read_is_refused(address: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        normalise_subject(Subject(address=address))
    assert _refused(excinfo) == "subject.address"


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf, float("1e400")])
def test_non_finite_details_are_refused(number: float) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        normalise_subject(Subject(address="99 ถนนพญาไท", details={"area_sqm": number}))
    assert _refused(excinfo) == "subject.area_sqm"


def test_finite_details_are_kept() -> None:
    details = {"area_sqm": 350.5, "floors": 2, "corner": True, "note": "ชั้นล่าง", "none": None}
    subject = normalise_subject(Subject(address=" 99 ถนนพญาไท ", details=details))
    assert subject.address == "99 ถนนพญาไท"
    assert subject.details == details


def test_submit_application_stores_nothing_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        make_application(session, applicant_name="\u200b")
    assert _refused(excinfo) == "applicant.name"
    with pytest.raises(InvalidInput) as excinfo:
        make_application(session, address="\u200b")
    assert _refused(excinfo) == "subject.address"
    assert session.exec(select(func.count()).select_from(Application)).one() == 0
    stored = make_application(session, id_number="๑๑๐๑๗๐๐๑๒๓๔๕๖", phone="๐๘๑๒๓๔๕๖๗๘")
    assert (stored.applicant_id_number, stored.applicant_phone) == (ID, "0812345678")


# The filters' dates (tracking.reads.selection) are checked where they are made, like intake's.


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        (date(1, 1, 1), None, "date_from"),
        (date(1956, 12, 31), None, "date_from"),
        (None, date(2601, 1, 1), "date_to"),
        (FIRST_DAY, date(9999, 12, 31), "date_to"),
    ],
)
def test_filters_refuse_dates_outside_the_range(
    date_from: date | None, date_to: date | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        Filters(date_from, date_to)
    assert _refused(excinfo) == field


def test_filters_take_the_range_s_ends() -> None:
    assert Filters(FIRST_DAY, LAST_DAY).date_to == date(2600, 12, 31)


# --- The subject fields a permit type declares (checklists/types/*.yaml: subject_fields) ----

CATALOGUE = default_catalogue()
FILED = date(2026, 3, 2)


def _read(slug: str, details: dict[str, Any], today: date = FILED) -> dict[str, Any]:
    subject = read_subject_fields(CATALOGUE[slug], Subject(address="99", details=details), today)
    return subject.details


def _refusal(slug: str, details: dict[str, Any], today: date = FILED) -> InvalidInput:
    with pytest.raises(InvalidInput) as excinfo:
        _read(slug, details, today)
    assert excinfo.value.th
    assert excinfo.value.en
    return excinfo.value


@pytest.mark.parametrize("area", [200, 150, "200", "๑๕๐", 0.5])
def test_a_food_premises_of_200_sqm_or_less_is_sent_to_the_notification(area: Any) -> None:
    error = _refusal("food-premises", {"area_sqm": area})
    assert error.detail["field"] == "subject.area_sqm"
    assert error.detail["limit"] == 200
    assert "หนังสือรับรองการแจ้ง" in error.th
    assert "หนังสือรับรองการแจ้ง" in error.en
    assert "notification" in error.en
    assert "มาตรา 38" in error.th


@pytest.mark.parametrize(
    ("area", "stored"), [(200.5, 200.5), (350, 350), ("๓๕๐", 350), ("1,200", 1200)]
)
def test_a_food_premises_over_200_sqm_is_taken_in(area: Any, stored: float) -> None:
    assert _read("food-premises", {"area_sqm": area})["area_sqm"] == stored


def test_the_area_is_optional_but_must_be_a_positive_number_when_given() -> None:
    assert "area_sqm" not in _read("food-premises", {})
    assert "area_sqm" not in _read("food-premises", {"area_sqm": " "})
    for bad in ("สองร้อย", -5, 0, True, "nan"):
        assert _refusal("food-premises", {"area_sqm": bad}).detail["field"] == "subject.area_sqm"


@pytest.mark.parametrize(
    ("slug", "area", "right"),
    [
        ("building-small", 300.5, "building-large"),
        ("building-small", 5000, "building-large"),
        ("building-large", 300, "building-small"),
        ("building-large", 120, "building-small"),
    ],
)
def test_the_wrong_building_type_for_the_area_names_the_right_one(
    slug: str, area: float, right: str
) -> None:
    error = _refusal(slug, {"area_sqm": area})
    assert error.detail["instead"] == right
    assert error.detail["limit"] == 300
    assert CATALOGUE[right].name.th in error.th
    assert CATALOGUE[right].name.en in error.en


@pytest.mark.parametrize(("slug", "area"), [("building-small", 300), ("building-large", 300.5)])
def test_a_building_on_the_right_side_of_300_sqm_is_taken_in(slug: str, area: float) -> None:
    assert _read(slug, {"area_sqm": area})["area_sqm"] == area


def test_thresholds_are_the_catalogue_s_data() -> None:
    food = CATALOGUE["food-premises"]
    spec = food.subject_fields[0]
    assert spec.above is not None
    lower = spec.model_copy(update={"above": spec.above.model_copy(update={"value": 100})})
    edited = food.model_copy(update={"subject_fields": [lower]})
    subject = Subject(address="99", details={"area_sqm": 150})
    assert read_subject_fields(edited, subject, FILED).details["area_sqm"] == 150


def test_a_renewal_needs_the_expiry_date_of_the_permit() -> None:
    error = _refusal("building-permit-renewal", {})
    assert error.detail["field"] == "subject.permit_expiry_date"
    for bad in ("01/05/2026", "2026-02-30", 20260501, "9999-12-31"):
        error = _refusal("building-permit-renewal", {"permit_expiry_date": bad})
        assert error.detail["field"] == "subject.permit_expiry_date"
    read = _read("building-permit-renewal", {"permit_expiry_date": "๒๐๒๖-๐๕-๐๑"})
    assert read["permit_expiry_date"] == "2026-05-01"
    # Filed after expiry is taken in: the refusal ground filed-after-expiry is then for the
    # approver (tracking.workflow.rules.ground_holds).
    assert _read("building-permit-renewal", {"permit_expiry_date": date(2026, 1, 1)}) == {
        "permit_expiry_date": "2026-01-01"
    }


def _period(start: str, end: str) -> dict[str, Any]:
    return {"period_start": start, "period_end": end}


def test_a_loudspeaker_permit_runs_at_most_15_days() -> None:
    assert _read("loudspeaker-advertising", _period("2026-03-02", "2026-03-16"))
    assert _read("loudspeaker-advertising", _period("2026-03-02", "2026-03-02"))
    error = _refusal("loudspeaker-advertising", _period("2026-03-02", "2026-03-17"))
    assert error.detail == {"field": "subject.period_end", "max_days": 15}
    assert "16" in error.en
    assert "15" in error.th
    limit = CATALOGUE["loudspeaker-advertising"].permit_period
    assert limit is not None
    assert limit.max_days is not None
    assert limit.max_days.confirmed is False  # the police guide's figure, not the BMA's


@pytest.mark.parametrize("slug", ["loudspeaker-advertising", "public-place-posting"])
def test_a_permit_period_must_be_given_in_order_and_not_be_over(slug: str) -> None:
    assert _refusal(slug, {"period_end": "2026-03-05"}).detail["field"] == "subject.period_start"
    assert _refusal(slug, {"period_start": "2026-03-05"}).detail["field"] == "subject.period_end"
    backwards = _refusal(slug, _period("2026-03-05", "2026-03-04"))
    assert backwards.detail["field"] == "subject.period_end"
    over = _refusal(slug, _period("2026-02-20", "2026-03-01"))
    assert over.detail["field"] == "subject.period_end"
    # Begun already but not over: the rest of it can still be permitted.
    assert _read(slug, _period("2026-02-20", "2026-03-02"))["period_start"] == "2026-02-20"


def test_a_posting_permit_has_no_maximum_and_a_removal_deadline() -> None:
    posting = CATALOGUE["public-place-posting"]
    details = _read(posting.slug, _period("2026-03-02", "2026-06-30"))
    period = posting.permit_period
    assert period is not None
    assert period.max_days is None
    assert period.days(details) == 121
    assert period.removal_by(details) == date(2026, 7, 3)
    assert period.removal_days is not None
    assert period.removal_days.days == 3
    loudspeaker = CATALOGUE["loudspeaker-advertising"].permit_period
    assert loudspeaker is not None
    assert loudspeaker.removal_by(details) is None


def test_intake_refuses_the_wrong_subject_and_stores_nothing(session: Session) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        make_application(session, "food-premises", details={"area_sqm": 180})
    assert _refused(excinfo) == "subject.area_sqm"
    with pytest.raises(InvalidInput) as excinfo:
        make_application(session, "building-permit-renewal", details={"permit_expiry_date": None})
    assert _refused(excinfo) == "subject.permit_expiry_date"
    assert session.exec(select(func.count()).select_from(Application)).one() == 0
    stored = make_application(session, "building-small", details={"area_sqm": "๒๕๐", "floors": 2})
    assert stored.subject_details == {"area_sqm": 250, "floors": 2}


# --- documents received at intake -------------------------------------------------------------


def _take_in(
    session: Session, received: list[str] | None, *, role: str = "clerk", slug: str = FOOD
) -> Application:
    clerk = actor(role, slug) if role != "admin" else Actor("admin-1", "admin")
    return intake.submit_application(
        session,
        permit_type_slug=slug,
        applicant=Applicant(name="สมชาย ใจดี", id_number=ID),
        subject=Subject(address="99 ถนนพญาไท เขตปทุมวัน"),
        actor=clerk,
        office=offices.office_by_slug(session, "pathumwan"),
        received=received,
    )


def _statuses(session: Session, application_id: int) -> dict[str, str]:
    rows = session.exec(
        select(ChecklistEntry).where(ChecklistEntry.application_id == application_id)
    ).all()
    return {row.item_id: row.status for row in rows}


def test_intake_documents_are_the_initial_step_s_document_items() -> None:
    permit = default_catalogue()[FOOD]
    documents = intake.intake_documents(permit)
    assert [item.id for item in documents] == [
        item.id for item in permit.initial_step.checklist if item.kind == "document"
    ]
    assert "deficiency_record_signed" not in {item.id for item in documents}  # a notice
    for slug in default_catalogue():
        assert intake.intake_documents(default_catalogue()[slug]), slug


def test_documents_received_at_intake_are_verified_on_the_trail(engine: Engine) -> None:
    received = ["site_map", "application_form"]  # any order: recorded in catalogue order
    with unit_of_work(engine) as session:
        application = _take_in(session, received)
        assert application.id is not None
        app_id, version = application.id, application.version
    with unit_of_work(engine) as session:
        statuses = _statuses(session, app_id)
        history = load_history(session, app_id)
    assert {item for item, status in statuses.items() if status == "verified"} == set(received)
    assert all(s == "pending" for item, s in statuses.items() if item not in received)
    # One checklist event per document, after the intake's, by the clerk, as the staff pages
    # write them; each bumped the version as any checklist change does.
    assert [(e.kind, e.event, e.source, e.target, e.actor, e.role) for e in history] == [
        ("intake", "submit", None, "intake", "clerk-1", "clerk"),
        ("checklist", "checklist:application_form", "pending", "verified", "clerk-1", "clerk"),
        ("checklist", "checklist:site_map", "pending", "verified", "clerk-1", "clerk"),
    ]
    assert version == 3
    assert verification.verify(engine).broken is None


@pytest.mark.parametrize("received", [None, []])
def test_intake_sent_no_documents_records_none(session: Session, received: Any) -> None:
    """What callers that predate the documents get: every item pending, the intake alone."""
    application = _take_in(session, received)
    assert application.id is not None
    assert set(_statuses(session, application.id).values()) == {"pending"}
    assert [e.kind for e in load_history(session, application.id)] == ["intake"]
    assert application.version == 1


@pytest.mark.parametrize("item_id", ["deficiency_record_signed", "no_such_item", "x" * 60])
def test_a_received_id_that_is_not_an_intake_document_is_refused(
    session: Session, item_id: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        _take_in(session, ["application_form", item_id])
    assert _refused(excinfo) == "received_items"
    assert "application_form" in excinfo.value.detail["allowed"]
    assert session.exec(select(func.count()).select_from(Application)).one() == 0


def test_received_documents_keep_the_checklist_s_role_rules(session: Session) -> None:
    """The admin takes in but verifies no item: with documents ticked the intake is refused
    (the caller rolls it back); without, it is taken in and a clerk checks them later."""
    with pytest.raises(NotPermitted) as excinfo:
        _take_in(session, ["application_form"], role="admin")
    assert excinfo.value.detail["allowed_roles"] == ["clerk"]
    session.rollback()
    application = _take_in(session, None, role="admin")
    assert application.state == "intake"
