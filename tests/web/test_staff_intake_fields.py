"""The intake form asks for the facts the chosen permit type declares (its subject fields), with
no script: the clerk chooses the type and asks for its fields, and what was typed is kept."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import select

from tracking.db import unit_of_work
from tracking.models import Application

from .conftest import Staff
from .test_staff_pages import GOOD, _intake_form

RENEWAL = "building-permit-renewal"
EXPIRY = "detail_permit_expiry_date"


def test_the_types_own_fields_are_asked_for_and_stored(staff: Staff, engine: Engine) -> None:
    clerk = staff.for_type(RENEWAL, "clerk")
    html, key = _intake_form(clerk)
    assert EXPIRY not in html  # no type chosen yet
    typed = {**GOOD, "permit_type": RENEWAL, "form_key": key}
    shown = clerk.post("/staff/applications/new", data={**typed, "action": "fields"})
    assert shown.status_code == 200
    assert f'name="{EXPIRY}"' in shown.text
    assert 'value="12/3 ซอยจุฬา ๔๒ แขวงวังใหม่ เขตปทุมวัน"' not in shown.text  # a textarea
    assert "12/3 ซอยจุฬา ๔๒ แขวงวังใหม่ เขตปทุมวัน" in shown.text  # what was typed is kept
    with unit_of_work(engine) as session:
        assert session.exec(select(Application)).first() is None  # nothing taken in yet

    missing = clerk.post("/staff/applications/new", data=typed, follow_redirects=False)
    assert missing.status_code == 422
    error = re.search(rf'<p class="field-error" id="{EXPIRY}-error">(.*?)</p>', missing.text, re.S)
    assert error, missing.text
    assert f'href="#{EXPIRY}"' in missing.text  # listed at the top too

    done = clerk.post(
        "/staff/applications/new",
        data={**typed, EXPIRY: "๒๐๒๗-๐๑-๓๑"},  # Thai digits, as a clerk may type them
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with unit_of_work(engine) as session:
        stored = session.exec(select(Application)).one()
        assert stored.subject_details["permit_expiry_date"] == "2027-01-31"


def test_a_bad_value_is_named_at_its_input(staff: Staff) -> None:
    clerk = staff.for_type(RENEWAL, "clerk")
    _, key = _intake_form(clerk)
    typed = {**GOOD, "permit_type": RENEWAL, "form_key": key, EXPIRY: "31/02/2570"}
    refused = clerk.post("/staff/applications/new", data=typed, follow_redirects=False)
    assert refused.status_code == 422  # no 31 February
    assert f'id="{EXPIRY}-error"' in refused.text
    assert 'value="31/02/2570"' in refused.text


def test_a_date_is_typed_in_the_buddhist_era(staff: Staff, engine: Engine) -> None:
    clerk = staff.for_type(RENEWAL, "clerk")
    page, key = _intake_form(clerk)
    typed = {**GOOD, "permit_type": RENEWAL, "form_key": key, EXPIRY: "31/01/2570"}
    done = clerk.post("/staff/applications/new", data=typed, follow_redirects=False)
    assert done.status_code == 303, done.text
    with unit_of_work(engine) as session:
        stored = session.exec(select(Application)).one()
        assert stored.subject_details["permit_expiry_date"] == "2027-01-31"


def test_a_type_chosen_by_link_shows_its_fields(staff: Staff) -> None:
    clerk = staff.for_type(RENEWAL, "clerk")
    page = clerk.get(f"/staff/applications/new?permit_type={RENEWAL}")
    assert page.status_code == 200
    assert f'name="{EXPIRY}"' in page.text
    other = clerk.get("/staff/applications/new?permit_type=food-premises")  # not the clerk's
    assert "detail_" not in other.text
