"""Two district offices in one database: no read or write crosses from one to the other for
any role but the city's auditors, who read every office and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.offices import default_offices
from tracking import offices
from tracking.db import unit_of_work

from .conftest import APPLICANT, SUBJECT, Staff, User, intake

SLUG = "food-premises"
DEPARTMENT = default_catalogue()[SLUG].department
OTHER = "bangrak"
ROLES = [("clerk", DEPARTMENT), ("officer", DEPARTMENT), ("approver", DEPARTMENT)]
ROLES += [("manager", None), ("admin", None)]


@pytest.fixture
def other_office(engine: Engine) -> str:
    with unit_of_work(engine) as session:
        offices.add(session, default_offices()[OTHER])
    return OTHER


def _take_in(clerk: User, expect: int = 201) -> dict[str, Any]:
    """A new file of ``SLUG`` taken in by ``clerk`` over the API (the answer expected)."""
    answer = clerk.post(
        "/api/v1/applications",
        json={"permit_type": SLUG, "applicant": APPLICANT, "subject": SUBJECT},
    )
    assert answer.status_code == expect, answer.text
    return dict(answer.json()) if expect == 201 else {}


def _attempts(user: User, app_id: int, version: int) -> dict[str, Any]:
    """Every read and write of one file, by ``user``: each answer by name."""
    first = default_catalogue()[SLUG].initial_step
    item = first.checklist[0].id
    event = next(t.event for t in default_catalogue()[SLUG].transitions if t.source == first.id)
    return {
        "detail": user.get(f"/api/v1/applications/{app_id}"),
        "receipt": user.get(f"/applications/{app_id}/receipt"),
        "page": user.get(f"/staff/applications/{app_id}"),
        "item": user.patch(
            f"/api/v1/applications/{app_id}/checklist/{item}",
            json={"status": "received", "version": version},
        ),
        "items": user.patch(
            f"/api/v1/applications/{app_id}/checklist",
            json={"items": [{"item": item, "status": "received"}], "version": version},
        ),
        "transition": user.post(
            f"/api/v1/applications/{app_id}/transitions",
            json={"event": event, "reason": "ทดสอบ", "version": version},
        ),
        "extension": user.post(
            f"/api/v1/applications/{app_id}/extensions",
            json={"days": 5, "reason": "ทดสอบ", "version": version},
        ),
        "assignment": user.post(
            f"/api/v1/applications/{app_id}/assignment",
            json={"assignee": user.username, "reason": "ทดสอบ", "version": version},
        ),
        "assignments": user.post(
            "/api/v1/applications/assignments",
            json={
                "applications": [{"id": app_id, "version": version}],
                "assignee": user.username,
                "reason": "ทดสอบ",
            },
        ),
    }


@pytest.mark.parametrize(("role", "department"), ROLES)
def test_staff_of_another_office_neither_read_nor_change_a_file(
    staff: Staff, other_office: str, role: str, department: str | None
) -> None:
    made = intake(staff, SLUG)
    app_id, code = made["id"], made["tracking_code"]
    outsider = staff(role, department, office=other_office)
    for name, answer in _attempts(outsider, app_id, made["version"]).items():
        assert answer.status_code == 404, (name, answer.status_code, answer.text)
        assert APPLICANT["name"] not in answer.text, name
        assert code not in answer.text, name
    listed = outsider.get("/api/v1/applications", params={"q": APPLICANT["name"]})
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    assert outsider.get("/api/v1/applications").json()["items"] == []
    # Nothing was written: the file is as intake left it.
    assert staff.for_type(SLUG, "clerk").detail(app_id)["version"] == made["version"]


def test_each_office_takes_in_and_queues_only_its_own_files(
    staff: Staff, other_office: str, client: TestClient
) -> None:
    ours = intake(staff, SLUG)
    clerk = staff("clerk", DEPARTMENT, office=other_office)
    theirs = _take_in(clerk)
    assert [i["id"] for i in clerk.get("/api/v1/applications").json()["items"]] == [theirs["id"]]
    home = staff.for_type(SLUG, "clerk")
    assert [i["id"] for i in home.get("/api/v1/applications").json()["items"]] == [ours["id"]]
    # The public page names the office that holds the file.
    page = client.get(f"/track/{theirs['tracking_code']}")
    assert page.status_code == 200
    assert default_offices()[OTHER].name.th in page.text
    home_page = client.get(f"/track/{ours['tracking_code']}").text
    assert "สำนักงานเขตปทุมวัน" in home_page
    # Pathumwan's address, telephone and hours are not yet checked with it: the page says so.
    assert "ยังไม่ได้ตรวจสอบกับสำนักงานเขต" in home_page


def test_a_manager_sees_only_their_own_offices_figures(staff: Staff, other_office: str) -> None:
    intake(staff, SLUG)
    home = staff("manager").get("/api/v1/compliance/summary").json()
    away = staff("manager", office=other_office).get("/api/v1/compliance/summary").json()
    assert home["received"] == 1
    assert away["received"] == 0


def test_the_citys_auditor_reads_every_office_and_changes_nothing(
    staff: Staff, other_office: str
) -> None:
    ours = intake(staff, SLUG)
    theirs = _take_in(staff("clerk", DEPARTMENT, office=other_office))
    auditor = staff("city")
    for made in (ours, theirs):
        answers = _attempts(auditor, made["id"], made["version"])
        for name in ("detail", "receipt", "page"):
            assert answers[name].status_code == 200, (name, answers[name].text)
        for name in ("item", "items", "transition", "extension", "assignment", "assignments"):
            assert answers[name].status_code == 403, (name, answers[name].text)
    listed = {i["id"] for i in auditor.get("/api/v1/applications").json()["items"]}
    assert listed == {ours["id"], theirs["id"]}
    assert _take_in(auditor, expect=403) == {}


def test_the_citys_auditor_reads_one_offices_queue_by_naming_it(
    staff: Staff, other_office: str
) -> None:
    ours = intake(staff, SLUG)
    theirs = _take_in(staff("clerk", DEPARTMENT, office=other_office))
    auditor = staff("city")
    every = auditor.get("/staff")
    assert _codes_in(every.text, ours, theirs) == 2
    narrowed = auditor.get("/staff", params={"office": other_office, "overdue": ""})
    assert narrowed.status_code == 200
    assert _codes_in(narrowed.text, ours, theirs) == 1
    assert _shown(narrowed.text, theirs)
    assert f'name="office" value="{other_office}"' in narrowed.text
    assert auditor.get("/staff", params={"office": "atlantis"}).status_code == 404
    # A district's own staff name no other office.
    manager = staff("manager")
    assert manager.get("/staff", params={"office": other_office}).status_code == 403
    assert manager.get("/staff", params={"office": "pathumwan"}).status_code == 200


def _shown(page: str, made: dict[str, Any]) -> bool:
    from tracking import codes

    return codes.format_code(made["tracking_code"]) in page or made["tracking_code"] in page


def _codes_in(page: str, *files: dict[str, Any]) -> int:
    return sum(_shown(page, made) for made in files)
