"""The printable letter of a file's order: a refusal names its ground and the appeal route of
its law, a return lists what the s.8 record asked for and by when; the last day to appeal
appears once the delivery is recorded; no order, no letter; other departments cannot read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.references import legal_reference
from checklists.schema import Outcome
from tracking.clock import thai_date
from tracking.dates import written

from ..factories import committed_application, walk
from .conftest import Staff
from .test_result_notice import _post, _refused, _row

FOOD = default_catalogue()["food-premises"]


def test_a_refusal_letter_names_its_ground_and_appeal(engine: Engine, staff: Staff) -> None:
    app_id = _refused(engine)
    clerk = staff.for_type("food-premises", "clerk")
    page = clerk.get(f"/applications/{app_id}/order")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "หนังสือแจ้งคำสั่งไม่อนุญาต" in text
    ground = FOOD.refusal_grounds[0]
    assert ground.text.th in text
    assert legal_reference(ground.legal_basis, "th") in text
    appeal = FOOD.appeal
    assert legal_reference(appeal.legal_basis, "th") in text
    assert f"ภายใน {appeal.days} วันนับแต่วันที่ได้รับหนังสือนี้" in text
    assert "อุทธรณ์ได้ถึงวันที่" not in text  # no day of receipt yet

    decided = _row(engine, app_id).decided_on
    assert _post(staff, app_id, method="in_person", delivered_on=str(decided)).status_code == 200
    after = clerk.get(f"/applications/{app_id}/order").text
    assert f"อุทธรณ์ได้ถึงวันที่ {thai_date(decided + timedelta(days=appeal.days))}" in after
    english = clerk.get(f"/applications/{app_id}/order?lang=en").text
    assert "Notice of refusal" in english
    assert written(decided + timedelta(days=appeal.days), "en") in english
    detail = clerk.get(f"/staff/applications/{app_id}").text
    assert f'href="/applications/{app_id}/order"' in detail


def test_a_return_letter_lists_what_was_asked_for(engine: Engine, staff: Staff) -> None:
    start = datetime.now(UTC) - timedelta(days=30)
    app_id = committed_application(engine, "food-premises", now=start)
    path = FOOD.road(FOOD.initial_step.id, {Outcome.returned})
    walk(engine, app_id, path[:1], now=start)
    walk(engine, app_id, path[1:], now=start + timedelta(days=20))
    page = staff.for_type("food-premises", "clerk").get(f"/applications/{app_id}/order")
    assert page.status_code == 200, page.text
    assert "หนังสือแจ้งคืนคำขอ" in page.text
    assert "มาตรา 8" in page.text
    first = FOOD.initial_step.checklist[0]
    assert first.label.th in page.text
    assert "พระราชบัญญัติวิธีปฏิบัติราชการทางปกครอง พ.ศ. 2539 มาตรา 44" in page.text


def test_no_order_no_letter_and_no_other_department(engine: Engine, staff: Staff) -> None:
    fresh = committed_application(engine, "food-premises")
    clerk = staff.for_type("food-premises", "clerk")
    assert clerk.get(f"/applications/{fresh}/order").status_code == 404
    refused = _refused(engine)
    other = staff.for_type("building-small", "clerk")
    assert other.get(f"/applications/{refused}/order").status_code == 403
