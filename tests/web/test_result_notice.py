"""Recording the delivery of an order through the staff API and the staff page's form, and the
appeal deadline it starts on the public page (Thai first, Buddhist Era dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import codes
from tracking.clock import bangkok_date, thai_date
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import utcnow
from tracking.workflow import transitions

from ..factories import committed_application, walk
from .conftest import Staff


def _refused(engine: Engine, slug: str = "food-premises", days_ago: int = 20) -> int:
    start = datetime.now(UTC) - timedelta(days=days_ago)
    app_id = committed_application(engine, slug, now=start)
    walk(engine, app_id, path_to(default_catalogue()[slug], {Outcome.refused}), now=start)
    return app_id


def _row(engine: Engine, app_id: int) -> Any:
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        session.expunge(application)
        return application


def _post(staff: Staff, app_id: int, slug: str = "food-premises", **body: Any) -> Any:
    clerk = staff.for_type(slug, "clerk")
    body.setdefault("version", _row(staff.engine, app_id).version)
    return clerk.post(f"/api/v1/applications/{app_id}/result-notice", json=body)


def test_the_api_records_registered_mail_and_the_deadline_runs_from_it(
    engine: Engine, staff: Staff, client: TestClient
) -> None:
    app_id = _refused(engine)
    decided = _row(engine, app_id).decided_on
    posted = decided + timedelta(days=1)
    response = _post(staff, app_id, method="registered_mail", sent_on=posted.isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    deemed = posted + timedelta(days=7)  # APA s.71, no return receipt
    assert body["delivery"]["notified_on"] == deemed.isoformat()
    assert body["delivery"]["deemed"] is True
    assert body["appeal"]["deadline"] == (deemed + timedelta(days=30)).isoformat()
    assert body["appeal"]["legal_basis"].startswith("Public Health Act")

    code = codes.format_code(_row(engine, app_id).tracking_code)
    appeal = client.get(f"/api/v1/track/{code}").json()["decision"]["appeal"]
    assert appeal["deadline"] == (deemed + timedelta(days=30)).isoformat()
    assert appeal["deadline"] != (decided + timedelta(days=30)).isoformat()
    page = client.get(f"/track/{code}").text
    assert thai_date(deemed + timedelta(days=30)).split()[-1] in page  # the BE year
    assert "อุทธรณ์ได้ถึงวันที่" in page

    again = _post(staff, app_id, method="in_person", delivered_on=decided.isoformat())
    assert again.status_code == 409
    assert again.json()["message"]["th"]
    assert "twice" in again.json()["message"]["en"]


def test_the_api_refuses_dates_before_the_decision_or_in_the_future(
    engine: Engine, staff: Staff
) -> None:
    app_id = _refused(engine)
    decided = _row(engine, app_id).decided_on
    early = _post(staff, app_id, method="in_person", delivered_on=str(decided - timedelta(1)))
    assert early.status_code == 422
    assert "before the order" in early.json()["message"]["en"]
    today = bangkok_date(utcnow())
    future = _post(staff, app_id, method="in_person", delivered_on=str(today + timedelta(1)))
    assert future.status_code == 422
    assert "future" in future.json()["message"]["en"]
    unknown = _post(staff, app_id, method="pigeon", delivered_on=str(today))
    assert unknown.status_code == 422
    manager = staff("manager").post(
        f"/api/v1/applications/{app_id}/result-notice",
        json={"method": "in_person", "delivered_on": str(today), "version": 1},
    )
    assert manager.status_code == 403


def test_a_return_order_names_apa_s44_from_delivery(engine: Engine, staff: Staff) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    app_id = committed_application(engine, now=start)
    request, give_back = path_to(default_catalogue()["food-premises"], {Outcome.returned})
    walk(engine, app_id, [request], now=start)
    walk(engine, app_id, [give_back], now=start + timedelta(days=20))
    delivered = bangkok_date(start + timedelta(days=21))
    response = _post(staff, app_id, method="in_person", delivered_on=delivered.isoformat())
    assert response.status_code == 200, response.text
    appeal = response.json()["appeal"]
    assert appeal["days"] == 15
    assert "s.44" in appeal["legal_basis"]
    assert appeal["deadline"] == (delivered + timedelta(days=15)).isoformat()
    code = codes.format_code(_row(engine, app_id).tracking_code)
    page = staff.client.get(f"/track/{code}?lang=en").text
    assert "Administrative Procedure Act B.E. 2539 s.44" in page
    assert "within 15 days" in page


def test_the_staff_form_records_the_delivery_and_shows_the_deadline(
    engine: Engine, staff: Staff
) -> None:
    app_id = _refused(engine)
    clerk = staff.for_type("food-premises", "clerk")
    url = f"/staff/applications/{app_id}"
    before = clerk.get(url)
    assert before.status_code == 200
    assert f'action="/staff/applications/{app_id}/result-notice' in before.text
    assert "นับจากวันที่ผู้ยื่นคำขอได้รับแจ้ง" in before.text
    decided: date = _row(engine, app_id).decided_on
    version = str(_row(engine, app_id).version)
    early = str(decided - timedelta(1))
    wrong = clerk.post(
        f"{url}/result-notice",
        data={"method": "in_person", "delivered_on": early, "version": version},
        follow_redirects=False,
    )
    assert wrong.status_code == 422
    assert "วันที่ต้องไม่ก่อนวันที่มีคำสั่ง" in wrong.text
    unreadable = clerk.post(
        f"{url}/result-notice",
        data={"method": "in_person", "delivered_on": "31/02/2569", "version": version},
        follow_redirects=False,
    )
    assert unreadable.status_code == 422
    done = clerk.post(
        f"{url}/result-notice",
        data={"method": "in_person", "delivered_on": decided.isoformat(), "version": version},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    after = clerk.get(done.headers["location"]).text
    assert "บันทึกการแจ้งคำสั่งแล้ว" in after
    assert thai_date(decided + timedelta(days=30)) in after
    assert f'action="/staff/applications/{app_id}/result-notice' not in after


def test_a_rejected_tax_filing_shows_the_apa_route_on_the_public_page(
    engine: Engine, staff: Staff, client: TestClient
) -> None:
    app_id = _refused(engine, "tax-assessment")
    code = codes.format_code(_row(engine, app_id).tracking_code)
    appeal = client.get(f"/api/v1/track/{code}").json()["decision"]["appeal"]
    assert (appeal["days"], appeal["deadline"]) == (15, None)
    assert "Administrative Procedure Act" in appeal["legal_basis"]
    assert "Tax" not in appeal["legal_basis"]
    decided = _row(engine, app_id).decided_on
    response = _post(staff, app_id, "tax-assessment", method="in_person", delivered_on=str(decided))
    assert response.status_code == 200, response.text
    appeal = client.get(f"/api/v1/track/{code}").json()["decision"]["appeal"]
    assert appeal["deadline"] == (decided + timedelta(days=15)).isoformat()
    assert "within 15 days" in client.get(f"/track/{code}?lang=en").text
