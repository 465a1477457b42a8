"""The current step's checklist as one form on the staff page and one versioned request in the
API (all or nothing), and the page's dates typed in the Buddhist Era."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape
from sqlalchemy import Engine
from sqlmodel import col, select

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking.clock import bangkok_date
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import ApplicationEvent, ChecklistEntry, utcnow
from tracking.workflow import transitions

from ..factories import committed_application, walk
from .conftest import Staff, User, intake

FOOD = "food-premises"
CHANGED = {"application_form", "site_map", "building_consent"}
LABELS = {i.id: i.label for i in default_catalogue()[FOOD].items()}
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _page_form(user: User, app_id: int, lang: str = "th") -> tuple[int, list[str]]:
    """The version and the items of the page's one checklist form."""
    html = user.get(f"/staff/applications/{app_id}" + ("?lang=en" if lang == "en" else "")).text
    form = html.split('<form class="checklist-form"', 1)[1].split("</form>", 1)[0]
    version = int(re.search(r'name="version" value="(\d+)"', form).group(1))  # type: ignore[union-attr]
    return version, re.findall(r'name="item" value="([a-z0-9_]+)"', form)


def _save(
    user: User, app_id: int, version: int, items: list[str], lang: str = "th", **chosen: Any
) -> Any:
    """Send the one form: ``chosen`` maps an item to (status, note); the others are left blank."""
    picked = [chosen.get(item, ("", "")) for item in items]
    data = {
        "version": str(version),
        "item": items,
        "status": [status for status, _ in picked],
        "note": [note for _, note in picked],
    }
    return user.post(
        f"/staff/applications/{app_id}/checklist" + ("?lang=en" if lang == "en" else ""),
        data=data,
        follow_redirects=False,
    )


def _trail(engine: Engine, app_id: int) -> list[str]:
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(ApplicationEvent)
            .where(col(ApplicationEvent.application_id) == app_id)
            .order_by(col(ApplicationEvent.seq))
        )
        return [e.event for e in rows]


def _entries(engine: Engine, app_id: int) -> dict[str, tuple[str, str]]:
    with unit_of_work(engine) as session:
        rows = session.exec(
            select(ChecklistEntry).where(col(ChecklistEntry.application_id) == app_id)
        )
        return {e.item_id: (e.status, e.note) for e in rows}


def _version(engine: Engine, app_id: int) -> int:
    with unit_of_work(engine) as session:
        return transitions.get_application(session, app_id).version


def _alert(html: str) -> str:
    found = re.search(r'<div class="alert" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no alert on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _control(html: str, element_id: str) -> str:
    return re.search(rf'<(?:select|input) id="{element_id}"[^>]*>', html).group(0)  # type: ignore[union-attr]


# --- the page's one form ----------------------------------------------------------------------


def test_several_items_are_saved_at_once_under_one_version(engine: Engine, staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id)
    assert {"application_form", "site_map", "building_consent"} <= set(items)
    response = _save(
        clerk,
        app_id,
        version,
        items,
        application_form=("verified", "ตรวจกับต้นฉบับแล้ว"),
        site_map=("missing", "ยังไม่ได้ยื่น"),
        building_consent=("received", ""),
    )
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert location.path == f"/staff/applications/{app_id}"
    assert location.fragment == "checklist"
    query = parse_qs(location.query)
    assert query["done"] == ["checklist_saved"]
    assert set(query["changed"][0].split(",")) == CHANGED
    # One version step, one event per changed item, in the order of the form.
    assert _version(engine, app_id) == version + 1
    assert _trail(engine, app_id)[-3:] == [f"checklist:{i}" for i in items if i in CHANGED]
    stored = _entries(engine, app_id)
    assert stored["application_form"] == ("verified", "ตรวจกับต้นฉบับแล้ว")
    assert stored["site_map"] == ("missing", "ยังไม่ได้ยื่น")
    assert stored["applicant_id_card"] == ("pending", "")
    # The confirmation, beside the checklist, names the items by their catalogue labels.
    page = clerk.get(response.headers["location"].split("#")[0]).text
    checklist = page.split('id="checklist"', 1)[1].split("</section>", 1)[0]
    done = re.search(r'<div class="success" role="status" id="done"><p>(.*?)</p>', checklist, re.S)
    assert done, "no confirmation in the checklist"
    text = done.group(1)
    assert text.startswith("บันทึกรายการตรวจสอบแล้ว")
    for item in ("application_form", "site_map", "building_consent"):
        assert LABELS[item].th in text
    assert LABELS["applicant_id_card"].th not in text
    # The form now shows what is recorded: the same form sent again changes nothing.
    version, items = _page_form(clerk, app_id)
    html = clerk.get(f"/staff/applications/{app_id}").text
    assert 'value="ตรวจกับต้นฉบับแล้ว"' in _control(html, "note-application_form")
    again = _save(
        clerk,
        app_id,
        version,
        items,
        application_form=("verified", "ตรวจกับต้นฉบับแล้ว"),
        site_map=("missing", "ยังไม่ได้ยื่น"),
        building_consent=("received", ""),
    )
    assert again.status_code == 303
    assert "done=checklist_none" in again.headers["location"]
    assert _trail(engine, app_id)[-3:] == [f"checklist:{i}" for i in items if i in CHANGED]
    english = clerk.get(f"/staff/applications/{app_id}?done=checklist_none&lang=en").text
    assert "Nothing changed, so nothing was recorded" in english


def test_the_english_page_names_the_items_in_english(staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id, "en")
    response = _save(clerk, app_id, version, items, "en", site_map=("verified", ""))
    assert response.status_code == 303
    assert response.headers["location"].endswith("&lang=en#checklist")
    page = clerk.get(response.headers["location"].split("#")[0]).text
    assert f"Checklist saved: {escape(LABELS['site_map'].en)}" in page
    # Only the file's own items are named, never text taken from the query.
    forged = clerk.get(f"/staff/applications/{app_id}?done=checklist_saved&changed=<b>x</b>")
    assert "<b>x</b>" not in forged.text


def test_a_refused_waiver_keeps_every_typed_field_and_stores_nothing(
    engine: Engine, staff: Staff
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id)
    before = _trail(engine, app_id)
    response = _save(
        clerk,
        app_id,
        version,
        items,
        application_form=("verified", "ตรวจกับต้นฉบับแล้ว"),
        site_map=("missing", "ผู้ยื่นจะนำมาส่งภายหลัง"),
        company_certificate=("waived", "   "),
    )
    assert response.status_code == 422
    html = response.text
    assert f"การยกเว้น “{LABELS['company_certificate'].th}” ต้องระบุเหตุผล" in _alert(html)
    # Nothing is stored, not even the items that were fine.
    assert _trail(engine, app_id) == before
    assert _version(engine, app_id) == version
    assert _entries(engine, app_id)["application_form"] == ("pending", "")
    # What was typed comes back in every field; the refused one is marked and described.
    assert 'value="ตรวจกับต้นฉบับแล้ว"' in _control(html, "note-application_form")
    assert 'value="ผู้ยื่นจะนำมาส่งภายหลัง"' in _control(html, "note-site_map")
    selected = html.split('id="status-site_map"', 1)[1].split("</select>", 1)[0]
    assert '<option value="missing" selected>' in selected
    note = _control(html, "note-company_certificate")
    assert 'aria-invalid="true"' in note
    assert 'aria-describedby="item-error-company_certificate"' in note
    assert 'id="item-error-company_certificate"' in html
    assert 'aria-invalid="true"' not in _control(html, "note-site_map")
    # A note typed for an item left without a result is refused, not lost.
    lost = _save(clerk, app_id, version, items, site_map=("", "ส่งทางไปรษณีย์"))
    assert lost.status_code == 422
    assert "เลือกผลการตรวจของรายการนี้ก่อนบันทึกหมายเหตุ" in _alert(lost.text)
    assert 'aria-invalid="true"' in _control(lost.text, "status-site_map")
    assert _trail(engine, app_id) == before


def test_a_stale_version_is_a_conflict_and_keeps_what_was_typed(
    engine: Engine, staff: Staff
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id)
    assert _save(clerk, app_id, version, items, site_map=("received", "")).status_code == 303
    stale = _save(clerk, app_id, version, items, application_form=("verified", "ดูต้นฉบับแล้ว"))
    assert stale.status_code == 409
    assert "ถูกแก้ไขโดยผู้อื่นแล้ว กรุณาโหลดข้อมูลใหม่" in _alert(stale.text)
    assert 'value="ดูต้นฉบับแล้ว"' in _control(stale.text, "note-application_form")
    assert f'name="version" value="{version + 1}"' in stale.text
    assert _entries(engine, app_id)["application_form"] == ("pending", "")


def test_an_item_the_role_may_not_record_is_refused_naming_it(engine: Engine, staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    officer = staff.for_type(FOOD, "officer")
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id)
    # The officer's page offers no document of intake; a form sent anyway is refused.
    response = _save(officer, app_id, version, ["site_map"], site_map=("verified", ""))
    assert response.status_code == 403
    assert LABELS["site_map"].th in _alert(response.text)
    assert _entries(engine, app_id)["site_map"] == ("pending", "")


# --- the API ----------------------------------------------------------------------------------


def _patch(user: User, app_id: int, body: dict[str, Any], **headers: str) -> Any:
    return user.client.patch(
        f"/api/v1/applications/{app_id}/checklist",
        json=body,
        headers={**user.headers, **headers},
    )


def test_the_api_records_a_batch_under_one_version(engine: Engine, staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    body = {
        "version": 1,
        "items": [
            {"item": "application_form", "status": "verified", "note": "ครบ"},
            {"item": "site_map", "status": "missing"},
        ],
    }
    response = _patch(clerk, app_id, body, **{"Idempotency-Key": "batch-0001-abcdefgh"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["version"] == 2
    assert [(i["id"], i["status"], i["note"]) for i in answer["items"]] == [
        ("application_form", "verified", "ครบ"),
        ("site_map", "missing", ""),
    ]
    assert _trail(engine, app_id)[-2:] == ["checklist:application_form", "checklist:site_map"]
    # The same key and body again: the stored answer, nothing written twice.
    replay = _patch(clerk, app_id, body, **{"Idempotency-Key": "batch-0001-abcdefgh"})
    assert replay.status_code == 200
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json() == answer
    assert _version(engine, app_id) == 2
    # Without a key, the old version is stale.
    stale = _patch(clerk, app_id, body)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_the_api_refuses_a_bad_batch_naming_the_item_and_writes_nothing(
    engine: Engine, staff: Staff
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    before = _trail(engine, app_id)
    ok = {"item": "application_form", "status": "verified"}

    def refused(*items: dict[str, Any]) -> dict[str, Any]:
        response = _patch(clerk, app_id, {"version": 1, "items": [ok, *items]})
        assert response.status_code == 422, response.text
        return dict(response.json())

    twice = refused({"item": "application_form", "status": "missing"})
    assert twice["item"] == "application_form"
    unknown = refused({"item": "no_such_item", "status": "verified"})
    assert unknown["item"] == "no_such_item"
    waiver = refused({"item": "company_certificate", "status": "waived", "note": " "})
    assert waiver["item"] == "company_certificate"
    assert LABELS["company_certificate"].en in waiver["message"]["en"]
    refused({"item": "site_map", "status": "pending"})  # not a status one records
    assert _patch(clerk, app_id, {"version": 1, "items": []}).status_code == 422
    assert _trail(engine, app_id) == before
    assert _version(engine, app_id) == 1


# --- dates typed in the Buddhist Era -----------------------------------------------------------


def _asking_documents(engine: Engine, staff: Staff) -> tuple[int, User, int]:
    """A file whose deficiency request may be made: a document missing, the record signed."""
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version, items = _page_form(clerk, app_id)
    response = _save(
        clerk,
        app_id,
        version,
        items,
        application_form=("missing", "ไม่มีแบบคำขอ"),
        deficiency_record_signed=("verified", ""),
    )
    assert response.status_code == 303, response.text
    return app_id, clerk, version + 1


def test_a_be_deadline_typed_in_thai_digits_is_stored_as_its_gregorian_date(
    engine: Engine, staff: Staff
) -> None:
    app_id, clerk, version = _asking_documents(engine, staff)
    page = clerk.get(f"/staff/applications/{app_id}").text
    field = _control(page, "deadline-request_documents")
    assert 'type="text"' in field
    assert 'aria-describedby="deadline-request_documents-hint"' in field
    assert "วว/ดด/ปปปป พ.ศ." in page.split('id="deadline-request_documents-hint"', 1)[1][:200]
    due = bangkok_date(utcnow()) + timedelta(days=10)
    typed = f"{due.day:02d}/{due.month:02d}/{due.year + 543}".translate(THAI_DIGITS)
    response = clerk.post(
        f"/staff/applications/{app_id}/transitions",
        data={"event": "request_documents", "version": str(version), "deadline": typed},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, app_id).applicant_deadline == due


def test_an_impossible_be_date_is_refused_with_a_clear_message(
    engine: Engine, staff: Staff
) -> None:
    app_id, clerk, version = _asking_documents(engine, staff)
    before = _trail(engine, app_id)
    response = clerk.post(
        f"/staff/applications/{app_id}/transitions",
        data={"event": "request_documents", "version": str(version), "deadline": "30/02/2569"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "ไม่มีวันที่นี้ในปฏิทิน" in _alert(response.text)
    field = _control(response.text, "deadline-request_documents")
    assert 'aria-invalid="true"' in field
    assert 'value="30/02/2569"' in field
    assert "action-error" in field
    assert _trail(engine, app_id) == before


def test_the_delivery_of_the_order_takes_a_be_date(engine: Engine, staff: Staff) -> None:
    start = datetime.now(UTC) - timedelta(days=20)
    app_id = committed_application(engine, FOOD, now=start)
    walk(engine, app_id, path_to(default_catalogue()[FOOD], {Outcome.refused}), now=start)
    clerk = staff.for_type(FOOD, "clerk")
    page = clerk.get(f"/staff/applications/{app_id}").text
    for name in ("notice-sent-on", "notice-delivered-on"):
        field = _control(page, name)
        assert 'type="text"' in field
        assert "notice-date-hint" in field
    with unit_of_work(engine) as session:
        refused = transitions.get_application(session, app_id)
        decided, version = refused.decided_on, str(refused.version)
    assert decided is not None
    typed = f"{decided.day}/{decided.month}/{decided.year + 543}"
    response = clerk.post(
        f"/staff/applications/{app_id}/result-notice",
        data={"method": "in_person", "delivered_on": typed, "version": version},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    detail = clerk.detail(app_id)
    assert detail["result_notice"]["delivery"]["delivered_on"] == decided.isoformat()
