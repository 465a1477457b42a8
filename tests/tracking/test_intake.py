"""Intake's checks of the applicant and the subject: names and addresses need text to read,
digits of any script are ASCII before the checks, details store as they are."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlmodel import Session, func, select

from tracking.clock import FIRST_DAY, LAST_DAY
from tracking.errors import InvalidInput
from tracking.models import Application
from tracking.reads.selection import Filters
from tracking.workflow.intake import (
    Applicant,
    Subject,
    ascii_digits,
    normalise_applicant,
    normalise_subject,
    thai_id_valid,
    visible_text,
)

from ..factories import make_application

ID = "1101700123456"


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
