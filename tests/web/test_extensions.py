"""Extensions through the public interfaces: the API, the staff page's form, the printable
notice, the dashboard's count; and the rule that set the due date on the public and staff
pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

import time_machine
from fastapi.testclient import TestClient

from .conftest import Staff, intake

FOOD = "food-premises"
RECEIVED = date(2026, 4, 1)


@contextmanager
def _on(day: date, staff: Staff) -> Iterator[None]:
    """At 10:00 in Bangkok on ``day``, staff signed in afresh (a token lasts hours)."""
    with time_machine.travel(datetime.combine(day, time(3), UTC), tick=False):
        for name in list(staff.users):
            staff.users[name] = staff.sign_in(name)
        yield


def _extend(staff: Staff, app_id: int, days: int, reason: str = "รอผลตรวจตัวอย่างน้ำ") -> object:
    officer = staff.for_type(FOOD, "officer")
    version = officer.detail(app_id)["version"]
    return officer.post(
        f"/api/v1/applications/{app_id}/extensions",
        json={"days": days, "reason": reason, "version": version},
    )


def test_api_extends_before_the_end_and_refuses_after_it(staff: Staff, client: TestClient) -> None:
    with _on(RECEIVED, staff):
        created = intake(staff, FOOD)
    assert created["due_date"] == "2026-05-01"
    app_id = created["id"]
    with _on(date(2026, 4, 20), staff):
        too_many_days = _extend(staff, app_id, 16)
        done = _extend(staff, app_id, 15)
    assert too_many_days.status_code == 422  # type: ignore[attr-defined]
    assert "15" in too_many_days.text  # type: ignore[attr-defined]
    assert done.status_code == 201, done.text  # type: ignore[attr-defined]
    body = done.json()  # type: ignore[attr-defined]
    assert body["due_date"] == "2026-05-16"
    assert body["extensions"] == 1
    with _on(date(2026, 4, 20), staff):
        notice = staff.for_type(FOOD, "officer").get(body["notice_url"])
    assert notice.status_code == 200
    assert "หนังสือแจ้งขยายระยะเวลาพิจารณา" in notice.text
    assert "16 พฤษภาคม 2569" in notice.text
    assert "Public Health Act B.E. 2535 s.56" in notice.text
    with _on(date(2026, 5, 17), staff):
        late = _extend(staff, app_id, 5)
    assert late.status_code == 422  # type: ignore[attr-defined]
    message = late.json()  # type: ignore[attr-defined]
    assert "ก่อนครบกำหนด" in str(message)
    assert "before the period ends" in str(message)


def test_pages_say_which_rule_set_the_due_date(staff: Staff, client: TestClient) -> None:
    with _on(RECEIVED, staff):
        created = intake(staff, FOOD)
    app_id, code = created["id"], created["tracking_code"]
    with _on(date(2026, 4, 2), staff):
        officer = staff.for_type(FOOD, "officer")
        page = officer.get(f"/staff/applications/{app_id}")
        page_en = officer.get(f"/staff/applications/{app_id}?lang=en")
        public = client.get(f"/track/{code}")
        public_json = client.get(f"/api/v1/track/{code}").json()
    # Each page states the rule in its own language only.
    assert "ระยะเวลาที่กฎหมายกำหนด 30 วัน" in page.text
    assert "the statutory limit, 30 calendar days" not in page.text
    assert "the statutory limit, 30 calendar days" in page_en.text
    assert "ระยะเวลาที่กฎหมายกำหนด 30 วัน" not in page_en.text
    assert "ระยะเวลาที่กฎหมายกำหนด 30 วัน" in public.text
    assert public_json["due_rule"]["en"].startswith("the statutory limit")
    with _on(date(2026, 4, 2), staff):
        version = officer.detail(app_id)["version"]
        posted = officer.post(
            f"/staff/applications/{app_id}/extensions",
            data={"days": "10", "reason": "รอผลตรวจตัวอย่างน้ำ", "version": str(version)},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        page = officer.get(f"/staff/applications/{app_id}")
        public = client.get(f"/track/{code}?lang=en")
        refused = officer.post(
            f"/staff/applications/{app_id}/extensions",
            data={"days": "99", "reason": "x", "version": str(version + 1)},
            follow_redirects=False,
        )
    assert "ขยายระยะเวลาพิจารณาครั้งที่ 1" in page.text
    assert f"/applications/{app_id}/extensions/" in page.text
    assert "extension no. 1" in public.text
    assert refused.status_code == 422
    assert "1 ถึง 15 วัน" in refused.text


def test_the_dashboard_counts_extensions(staff: Staff, client: TestClient) -> None:
    with _on(RECEIVED, staff):
        app_id = intake(staff, FOOD)["id"]
    with _on(date(2026, 4, 20), staff):
        assert _extend(staff, app_id, 15).status_code == 201  # type: ignore[attr-defined]
        manager = staff("manager")
        summary = manager.get("/api/v1/compliance/summary").json()
        page = manager.get("/manager")
    assert summary["extensions"] == 1
    assert 'id="fig-extensions">1<' in page.text
