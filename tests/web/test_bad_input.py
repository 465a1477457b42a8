"""Input an attacker might send: dates outside the supported range in every filter, numbers
JSON cannot carry, names and addresses with nothing visible, digits of another script. Each is
refused with a 422 naming the field (JSON for the API, the error page for a page) and stores
nothing; Thai digits are the same number as ASCII ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from tracking.clock import FIRST_DAY, LAST_DAY
from tracking.db import unit_of_work
from tracking.models import Application

from .conftest import APPLICANT, SUBJECT, Staff

FOOD = "food-premises"
OUT_OF_RANGE = [
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_from": "1956-12-31"},
    {"date_to": "2601-01-01"},
    {"date_from": "2026-01-01", "date_to": "9999-12-31"},
]


def _stored(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        return int(session.exec(select(func.count()).select_from(Application)).one())


def _named_fields(body: dict[str, Any]) -> set[str]:
    """The fields a 422 names: a rule's ``field``, or the schema's ``problems``."""
    named = {p["field"] for p in body.get("problems", [])}
    return named | ({body["field"]} if "field" in body else set())


def _intake(staff: Staff, applicant: dict[str, Any], subject: dict[str, Any]) -> Any:
    return staff.for_type(FOOD, "clerk").post(
        "/api/v1/applications",
        json={"permit_type": FOOD, "applicant": applicant, "subject": subject},
    )


def _raw_intake(staff: Staff, subject_json: str) -> Any:
    """An intake whose subject is written as raw JSON text (``NaN`` is no JSON of Python's
    json.dumps by default, so the body is spelt out)."""
    body = (
        f'{{"permit_type": "{FOOD}", "applicant": {{"name": "สมหญิง รักไทย",'
        f' "id_number": "1101700123456"}}, "subject": {subject_json}}}'
    )
    return staff.for_type(FOOD, "clerk").post(
        "/api/v1/applications",
        content=body.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/json"},
    )


# --- dates outside the supported range ---------------------------------------------------------


@pytest.mark.parametrize("dates", OUT_OF_RANGE)
def test_summary_refuses_dates_outside_the_range(staff: Staff, dates: dict[str, str]) -> None:
    response = staff("manager").get("/api/v1/compliance/summary", params=dates)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["field"] in dates
    assert "1 January 1957" in body["message"]["en"]
    assert "31 December 2600" in body["message"]["en"]
    assert "2500" in body["message"]["th"]
    assert "3143" in body["message"]["th"]


def test_summary_takes_the_range_s_own_ends(staff: Staff) -> None:
    dates = {"date_from": FIRST_DAY.isoformat(), "date_to": LAST_DAY.isoformat()}
    response = staff("manager").get("/api/v1/compliance/summary", params=dates)
    assert response.status_code == 200, response.text
    assert response.json()["filters"]["date_to"] == "2600-12-31"


@pytest.mark.parametrize("dates", OUT_OF_RANGE)
def test_dashboard_refuses_dates_outside_the_range(staff: Staff, dates: dict[str, str]) -> None:
    manager = staff("manager")
    response = manager.get("/manager", params={**dates, "lang": "en"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "The date must be from 1 January 1957 to 31 December 2600" in response.text
    thai = manager.get("/manager", params={**dates, "lang": "th"})
    assert thai.status_code == 422
    assert "วันที่ต้องอยู่ระหว่าง 1 มกราคม 2500 ถึง 31 ธันวาคม 3143" in thai.text


def test_dashboard_takes_the_range_s_own_ends(staff: Staff) -> None:
    dates = {"date_from": FIRST_DAY.isoformat(), "date_to": LAST_DAY.isoformat()}
    response = staff("manager").get("/manager", params=dates)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12"])
def test_monthly_report_refuses_months_outside_the_range(staff: Staff, month: str) -> None:
    response = staff("manager").get(
        "/api/v1/reports/monthly", params={"month": month, "format": "csv"}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "month"
    assert body["message"]["th"]
    assert body["message"]["en"]


# --- numbers JSON cannot carry, text no database stores ----------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        '{"address": "99 ถนนพญาไท", "area_sqm": NaN}',
        '{"address": "99 ถนนพญาไท", "area_sqm": Infinity}',
        '{"address": "99 ถนนพญาไท", "area_sqm": -Infinity}',
        '{"address": "99 ถนนพญาไท", "area_sqm": 1e400}',
        '{"address": "99 ถนนพญาไท", "note": "\\ud800"}',
    ],
)
def test_unstorable_subject_details_are_refused(staff: Staff, engine: Engine, subject: str) -> None:
    response = _raw_intake(staff, subject)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["message"]["th"]
    assert body["message"]["en"]
    assert re.search(r"subject\.(area_sqm|note)", body["problems"][0]["problem"])
    assert _stored(engine) == 0


def test_a_large_finite_number_is_still_taken(staff: Staff, engine: Engine) -> None:
    response = _raw_intake(staff, '{"address": "99 ถนนพญาไท", "area_sqm": 1e308}')
    assert response.status_code == 201, response.text
    assert _stored(engine) == 1


# --- names and addresses with nothing to read ---------------------------------------------------

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width (non-)joiners, word joiner, BOM
    "\u00a0\u3000",  # no-break and ideographic spaces
    "\u3164\u115f",  # Hangul fillers: letters drawn blank
    "\u2800",  # blank Braille pattern
    "\u202e\u00ad",  # right-to-left override, soft hyphen
    "\u0e31\u0e34",  # Thai vowel marks with no consonant to sit on
    "- . -",  # punctuation alone
]


@pytest.mark.parametrize("name", INVISIBLE)
def test_an_invisible_name_is_refused(staff: Staff, engine: Engine, name: str) -> None:
    response = _intake(staff, {**APPLICANT, "name": name}, SUBJECT)
    assert response.status_code == 422, response.text
    assert _named_fields(response.json()) == {"applicant.name"}
    assert _stored(engine) == 0


@pytest.mark.parametrize("address", INVISIBLE)
def test_an_invisible_address_is_refused(staff: Staff, engine: Engine, address: str) -> None:
    response = _intake(staff, APPLICANT, {**SUBJECT, "address": address})
    assert response.status_code == 422, response.text
    assert _named_fields(response.json()) == {"subject.address"}
    assert _stored(engine) == 0


def test_the_intake_form_names_the_invisible_name(staff: Staff, engine: Engine) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    form = {
        "permit_type": FOOD,
        "applicant_name": "\u200b\u200b",
        "id_number": "1101700123456",
        "address": "99 ถนนพญาไท",
    }
    response = clerk.post("/staff/applications/new?lang=en", data=form, follow_redirects=False)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="applicant_name-error">(.*?)</p>', response.text)
    assert error
    assert "applicant&#39;s name is required" in error.group(1)
    assert _stored(engine) == 0


def test_invisible_characters_around_a_name_are_trimmed(staff: Staff) -> None:
    created = _intake(
        staff,
        {**APPLICANT, "name": "\u200bสมหญิง รักไทย\u2060 "},
        {**SUBJECT, "address": "\ufeff99 ถนนพญาไท\u200b"},
    )
    assert created.status_code == 201, created.text
    detail = staff.for_type(FOOD, "clerk").detail(created.json()["id"])
    assert detail["applicant"]["name"] == "สมหญิง รักไทย"
    assert detail["subject"]["address"] == "99 ถนนพญาไท"


# --- Thai digits --------------------------------------------------------------------------------


def test_thai_digits_in_id_and_phone_are_stored_as_ascii(staff: Staff) -> None:
    applicant = {**APPLICANT, "id_number": "๑-๑๐๑๗-๐๐๑๒๓-๔๕-๖", "phone": "๐๘๑-๒๓๔-๕๖๗๘"}
    created = _intake(staff, applicant, SUBJECT)
    assert created.status_code == 201, created.text
    detail = staff.for_type(FOOD, "clerk").detail(created.json()["id"])
    assert detail["applicant"]["id_number"] == "1101700123456"
    assert detail["applicant"]["phone"] == "0812345678"


@pytest.mark.parametrize(
    ("id_number", "problem"),
    [
        ("๑๑๐๑๗๐๐๑๒๓๔๕๗", "check digit does not match"),  # the Thai spelling of a bad number
        ("110170012345\u00b2", "13-digit Thai ID number or a passport number"),  # superscript
    ],
)
def test_a_bad_id_number_in_other_digits_is_refused(
    staff: Staff, engine: Engine, id_number: str, problem: str
) -> None:
    response = _intake(staff, {**APPLICANT, "id_number": id_number}, SUBJECT)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "applicant.id_number"
    assert problem in body["message"]["en"]
    assert _stored(engine) == 0
