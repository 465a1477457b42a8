"""The documents taken in at the counter: the intake form lists the chosen type's documents
(the required ones ticked), each ticked one is verified on the trail, the API takes the same
list, and the receipt's s.8 box names exactly what the list above it shows as still to supply."""

from __future__ import annotations

import html as markup
import re
from typing import Any

from sqlalchemy import Engine

from checklists.loader import default_catalogue
from tracking import auth
from tracking.db import unit_of_work
from tracking.workflow.intake import intake_documents

from .conftest import APPLICANT, PASSWORD, SUBJECT, Staff, User
from .test_staff_pages import GOOD, _intake_form

FOOD = "food-premises"
PERMIT = default_catalogue()[FOOD]
DOCUMENTS = intake_documents(PERMIT)
REQUIRED = [d.id for d in DOCUMENTS if d.required]
OPTIONAL = [d.id for d in DOCUMENTS if not d.required]
LABEL = {d.id: d.label for d in DOCUMENTS}
COMPLETE_TH = "เอกสารครบถ้วนตามคู่มือ ไม่มีรายการที่ต้องยื่นเพิ่มเติม"


def _text(fragment: str) -> str:
    return markup.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _receipt(user: User, app_id: int, lang: str = "th") -> dict[str, Any]:
    """The receipt as read: each row of the list (label, status, marked to supply), and the
    s.8 box's text and the items it names."""
    page = user.get(f"/applications/{app_id}/receipt?lang={lang}")
    assert page.status_code == 200, page.text
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for label, status in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", body, re.S):
        label = re.sub(r'\s*<span class="small">.*?</span>', "", label)
        to_supply = ("ต้องยื่นเพิ่มเติม" if lang == "th" else "to be supplied") in status
        rows.append((_text(label), _text(status), to_supply))
    box = page.text.split('<section class="deficiency"', 1)[1].split("</section>", 1)[0]
    named = re.search(r'<ol class="missing">(.*?)</ol>', box, re.S)
    items = re.findall(r"<li>(.*?)</li>", named.group(1), re.S) if named else []
    return {"html": page.text, "rows": rows, "box": _text(box), "named": [_text(i) for i in items]}


def _consistent(receipt: dict[str, Any]) -> list[str]:
    """The s.8 box says what the list says: the rows marked to supply are the items it names,
    in order; with none, it says the application is complete."""
    to_supply = [label for label, _, marked in receipt["rows"] if marked]
    assert receipt["named"] == to_supply
    assert (COMPLETE_TH in receipt["box"]) == (not to_supply)
    return to_supply


def _take_in(clerk: User, received: list[str] | None, lang: str = "th") -> int:
    """The intake form sent with ``received`` ticked (None: a form without the list)."""
    _, key = _intake_form(clerk, lang)
    data: dict[str, Any] = {**GOOD, "form_key": key}
    if received is not None:
        data |= {"documents_for": FOOD, "received": received}
    response = clerk.post(f"/staff/applications/new?lang={lang}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.match(r"/applications/(\d+)/receipt", response.headers["location"])
    assert found
    return int(found.group(1))


def test_the_form_lists_the_type_s_documents_with_the_required_ones_ticked(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    html, _ = _intake_form(clerk)
    assert 'name="received"' not in html  # no type chosen yet: it says how to get the list
    assert "แสดงช่องข้อมูลของประเภทนี้" in html
    page = clerk.get(f"/staff/applications/new?permit_type={FOOD}").text
    assert f'name="documents_for" value="{FOOD}"' in page
    boxes = re.findall(r'<input type="checkbox" id="received-(\w+)" name="received"[^>]*>', page)
    assert boxes == [d.id for d in DOCUMENTS]
    for item in REQUIRED:
        assert re.search(rf'value="{item}" checked>', page), item
    for item in OPTIONAL:
        assert re.search(rf'value="{item}">', page), item
    assert "deficiency_record_signed" not in page  # the s.8 record is not a document


def test_ticked_documents_are_verified_on_the_trail(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    received = REQUIRED[:2]
    app_id = _take_in(clerk, received)
    detail = clerk.detail(app_id)
    statuses = {item["id"]: item["status"] for item in detail["checklist"]}
    assert [i for i, s in statuses.items() if s == "verified"] == received
    assert all(statuses[i] == "pending" for i in statuses if i not in received)
    trail = [(e["kind"], e["event"], e["target"], e["actor"]) for e in detail["trail"]]
    assert trail == [
        ("intake", "submit", "intake", clerk.username),
        *[("checklist", f"checklist:{i}", "verified", clerk.username) for i in received],
    ]
    assert detail["version"] == 1 + len(received)


def test_an_unticked_required_document_is_named_in_the_s8_box(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    left_out = REQUIRED[1]
    app_id = _take_in(clerk, [i for i in REQUIRED if i != left_out])
    receipt = _receipt(clerk, app_id)
    assert _consistent(receipt) == [LABEL[left_out].th]
    assert COMPLETE_TH not in receipt["html"]
    # Optional documents not brought are listed as not received, not asked for.
    not_received = [d.label.th for d in DOCUMENTS if d.id == left_out or not d.required]
    rows = receipt["rows"]
    assert [label for label, status, _ in rows if status.startswith("ยังไม่ได้รับ")] == not_received
    english = _receipt(clerk, app_id, "en")
    assert _consistent(english) == [LABEL[left_out].en]
    assert "No deadline recorded yet" in english["box"]


def test_every_required_document_ticked_makes_the_receipt_say_complete(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    app_id = _take_in(clerk, REQUIRED)
    receipt = _receipt(clerk, app_id)
    assert _consistent(receipt) == []
    assert COMPLETE_TH in receipt["box"]
    statuses = {label: status for label, status, _ in receipt["rows"]}
    assert {statuses[LABEL[i].th] for i in REQUIRED} == {"ตรวจแล้วถูกต้อง"}
    assert {statuses[LABEL[i].th] for i in OPTIONAL} == {"ยังไม่ได้รับ"}


def test_a_form_without_the_list_records_nothing_and_the_receipt_says_so(staff: Staff) -> None:
    """The receipt that said "complete" above eight "not yet received": no longer."""
    clerk = staff.for_type(FOOD, "clerk")
    app_id = _take_in(clerk, None)
    assert {i["status"] for i in clerk.detail(app_id)["checklist"]} == {"pending"}
    receipt = _receipt(clerk, app_id)
    assert _consistent(receipt) == [LABEL[i].th for i in REQUIRED]
    ticked_none = _take_in(clerk, [])  # the list shown, nothing ticked: the same
    assert _consistent(_receipt(clerk, ticked_none)) == [LABEL[i].th for i in REQUIRED]


def test_a_list_shown_for_another_type_is_shown_again_for_this_one(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    _, key = _intake_form(clerk)
    other = "health-hazard-business"  # same department, other documents
    assert default_catalogue()[other].department == PERMIT.department
    data = {**GOOD, "form_key": key, "permit_type": other, "documents_for": FOOD}
    response = clerk.post(
        "/staff/applications/new?lang=en", data={**data, "received": REQUIRED[:1]}
    )
    assert response.status_code == 422
    assert "The permit type changed" in response.text
    assert f'name="documents_for" value="{other}"' in response.text
    assert clerk.get("/api/v1/applications").json()["total"] == 0


def test_the_api_takes_the_received_items_and_without_them_records_none(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    body = {"permit_type": FOOD, "applicant": APPLICANT, "subject": SUBJECT}
    created = clerk.post("/api/v1/applications", json={**body, "received_items": REQUIRED})
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1 + len(REQUIRED)
    detail = clerk.detail(created.json()["id"])
    verified = [i["id"] for i in detail["checklist"] if i["status"] == "verified"]
    assert verified == REQUIRED
    assert _consistent(_receipt(clerk, created.json()["id"])) == []
    # An existing caller sends no list: taken in as before, every item pending.
    plain = clerk.post("/api/v1/applications", json=body)
    assert plain.status_code == 201
    assert plain.json()["version"] == 1
    assert {i["status"] for i in clerk.detail(plain.json()["id"])["checklist"]} == {"pending"}
    for bad in (["deficiency_record_signed"], ["no_such_item"], ["x" * 49], "application_form"):
        refused = clerk.post("/api/v1/applications", json={**body, "received_items": bad})
        assert refused.status_code == 422, bad
    admin = staff("admin")
    refused = admin.post("/api/v1/applications", json={**body, "received_items": REQUIRED})
    assert refused.status_code == 403  # documents are a clerk's to verify
    assert clerk.get("/api/v1/applications").json()["total"] == 2


def test_the_receipt_names_the_clerk_and_offers_print_and_back(
    staff: Staff, engine: Engine
) -> None:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            office_slug="pathumwan",
            username="clerk-somjai",
            role="clerk",
            department=PERMIT.department,
            password=PASSWORD,
            display_name="สมใจ รับเรื่องดี",
        )
    clerk = staff.sign_in("clerk-somjai")
    app_id = _take_in(clerk, REQUIRED)
    html = _receipt(clerk, app_id)["html"]
    signatures = html.split('<div class="signatures">', 1)[1]
    assert "สมใจ รับเรื่องดี" in signatures
    assert "clerk-somjai" not in html
    assert f'<a href="/staff/applications/{app_id}">กลับไปที่คำขอ</a>' in html
    assert '<button type="button" id="print-receipt" hidden>' in html  # the script shows it
    assert '<script src="/static/receipt.js' in html
    assert "Ctrl+P" in html  # without the script
    english = _receipt(clerk, app_id, "en")["html"]
    assert f'<a href="/staff/applications/{app_id}?lang=en">Back to the application</a>' in english
    script = staff.client.get("/static/receipt.js")
    assert script.status_code == 200
    assert "window.print()" in script.text
