"""The tax cycle through HTTP: an objection before the notice's delivery is recorded, or after
its 30 days, refused (422, in Thai and English, naming the law and its last day), inside them
accepted; the staff detail shows the delivery and the payment deadline it set; the tax year
taken in at intake."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from tracking.clock import bangkok_date, thai_date
from tracking.dates import written
from tracking.models import utcnow

from ..tracking.test_tax_cycle import SLUG, _signboard_notified
from .conftest import APPLICANT, Staff, fire, intake, verify_items


def _deliver(staff: Staff, app_id: int, day: date) -> None:
    clerk = staff.for_type(SLUG, "clerk")
    version = clerk.detail(app_id)["version"]
    recorded = clerk.post(
        f"/api/v1/applications/{app_id}/result-notice",
        json={"method": "in_person", "delivered_on": day.isoformat(), "version": version},
    )
    assert recorded.status_code == 200, recorded.text


def test_the_delivery_opens_the_window_and_sets_the_deadline(engine: Engine, staff: Staff) -> None:
    today = bangkok_date(utcnow())
    app_id = _signboard_notified(engine, today - timedelta(days=2))
    clerk = staff.for_type(SLUG, "clerk")
    version = verify_items(staff, SLUG, app_id, ["objection_form"])
    before = clerk.detail(app_id)
    assert (before["result_notice"]["order"], before["result_notice"]["delivery"]) == (
        "approve",
        None,
    )
    assert before["applicant_deadline"] is None
    assert not {e["event"]: e for e in before["events"]}["file_objection"]["allowed"]
    refused = fire(clerk, app_id, event="file_objection", version=version)
    assert refused.status_code == 422, refused.text
    assert "notice" in refused.json()["message"]["en"]
    assert "Signboard Tax Act B.E. 2510 s.30" in refused.json()["message"]["en"]

    handed = today - timedelta(days=1)
    _deliver(staff, app_id, handed)
    detail = clerk.detail(app_id)
    assert detail["applicant_deadline"] == (handed + timedelta(days=15)).isoformat()
    delivery = detail["result_notice"]["delivery"]
    assert (delivery["method"], delivery["notified_on"]) == ("in_person", handed.isoformat())
    landed = fire(clerk, app_id, event="file_objection", version=detail["version"])
    assert landed.status_code == 200, landed.text
    assert landed.json()["state"] == "objection_review"


def test_an_objection_after_thirty_days_is_refused(engine: Engine, staff: Staff) -> None:
    today = bangkok_date(utcnow())
    app_id = _signboard_notified(engine, today - timedelta(days=40))
    verify_items(staff, SLUG, app_id, ["objection_form"])
    _deliver(staff, app_id, today - timedelta(days=31))
    clerk = staff.for_type(SLUG, "clerk")
    refused = fire(clerk, app_id, event="file_objection", version=clerk.detail(app_id)["version"])
    assert refused.status_code == 422, refused.text
    last = today - timedelta(days=1)
    message = refused.json()["message"]
    assert written(last, "en") in message["en"]
    assert thai_date(last) in message["th"]
    assert refused.json()["deadline"] == last.isoformat()


def test_the_tax_year_at_intake(staff: Staff) -> None:
    clerk = staff.for_type(SLUG, "clerk")
    for wrong in ("2026", "abc", ""):
        response = clerk.post(
            "/api/v1/applications",
            json={
                "permit_type": SLUG,
                "applicant": APPLICANT,
                "subject": {"address": "1 ถนนพญาไท", "description": "", "tax_year": wrong},
            },
        )
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "subject.tax_year"
        assert "ปีภาษี" in response.json()["message"]["th"]
    taken = intake(staff, SLUG)
    detail = clerk.detail(int(taken["id"]))
    assert detail["subject"]["tax_year"] == bangkok_date(utcnow()).year + 543
