"""The public status on the applicant's turn: the fee and the payment deadline at a payment
step, the items a deficiency request or an amendment order asks for and their deadline, why
a deadline is not known yet, and never the applicant's personal data (issue 12, item 9)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from checklists.fields import Fee, Text
from checklists.loader import default_catalogue
from tracking.clock import bangkok_date
from tracking.dates import written
from tracking.demo import DEMO_FINE_BAHT
from tracking.models import utcnow
from tracking.reads.public import reading
from web.views import fee_line

from ..factories import committed_application, step
from ..tracking.test_lapses import _at_step, _row
from ..tracking.test_tax_cycle import _land_and_buildings_assessed

CATALOGUE = default_catalogue()


def _bodies(client: TestClient, code: str) -> tuple[dict[str, Any], str, str]:
    data = client.get(f"/api/v1/track/{code}").json()
    return data, client.get(f"/track/{code}").text, client.get(f"/track/{code}?lang=en").text


def _no_personal_data(engine: Engine, app_id: int, *bodies: str) -> None:
    stored = _row(engine, app_id)
    assert stored.applicant_name
    assert stored.applicant_id_number
    for body in bodies:
        assert stored.applicant_name not in body
        assert stored.applicant_id_number not in re.sub(r"\D", "", body)
        assert stored.subject_address not in body


def test_a_payment_step_shows_the_fee_and_the_payment_deadline(
    engine: Engine, client: TestClient
) -> None:
    app_id = _at_step(engine, "food-premises", "awaiting_payment", utcnow())
    code = _row(engine, app_id).tracking_code
    due = bangkok_date(utcnow()) + timedelta(days=30)
    data, thai, english = _bodies(client, code)

    assert data["payment_due"] == due.isoformat()
    assert data["payment_due_reason"] is None
    assert data["applicant_deadline"] == due.isoformat()
    assert data["applicant_action"]["by"] == due.isoformat()  # the old field stays
    fee = data["fee"]
    permit = CATALOGUE["food-premises"]
    # The BMA ordinance sets it by floor area: no amount, and the reason why.
    assert (fee["amount_baht"], fee["confirmed"]) == (None, False)
    assert fee["description"]["en"] == permit.fee.description.en
    assert "assessment" in fee["text"]["en"]
    assert [i["id"] for i in data["outstanding_items"]] == ["licence_fee"]

    assert "ชำระภายในวันที่" in thai
    assert written(due, "th") in thai  # Buddhist Era
    assert f"{due.year + 543}" in thai
    assert "ค่าธรรมเนียมรายปีตามข้อบัญญัติ" in thai
    assert "Pay by" in english
    assert written(due, "en") in english
    assert "by floor area" in english
    _no_personal_data(engine, app_id, str(data), thai, english)


@pytest.mark.parametrize(
    ("fee", "th", "en"),
    [
        (
            Fee(description=Text(th="ค่าธรรมเนียม", en="Fee"), amount_baht=200, confirmed=True),
            "200 บาท",
            "200 baht",
        ),
        (
            Fee(description=Text(th="ค่าธรรมเนียม", en="Fee"), amount_baht=1250.5, confirmed=False),
            "1,250.50 บาท (ประมาณการ รอสำนักงานยืนยัน)",
            "1,250.50 baht (estimate, to be confirmed by the office)",
        ),
        (
            Fee(description=Text(th="ค่าธรรมเนียม", en="Fee"), amount_baht=0, confirmed=True),
            "ไม่มีค่าธรรมเนียม",
            "No fee",
        ),
    ],
)
def test_the_fee_in_words(fee: Fee, th: str, en: str) -> None:
    assert (fee_line(fee, "th"), fee_line(fee, "en")) == (th, en)


def test_a_known_amount_on_the_page(
    engine: Engine, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    permit = CATALOGUE["street-vending"]
    fee = permit.fee.model_copy(update={"amount_baht": 300.0, "confirmed": False})
    priced = {**CATALOGUE, "street-vending": permit.model_copy(update={"fee": fee})}
    monkeypatch.setattr(reading, "default_catalogue", lambda: priced)
    app_id = _at_step(engine, "street-vending", "awaiting_payment", utcnow())
    data, thai, english = _bodies(client, _row(engine, app_id).tracking_code)
    assert (data["fee"]["amount_baht"], data["fee"]["confirmed"]) == (300.0, False)
    assert "300 บาท (ประมาณการ รอสำนักงานยืนยัน)" in thai
    assert "300 baht (estimate, to be confirmed by the office)" in english


def test_a_deadline_from_an_undelivered_notice_says_why(engine: Engine, client: TestClient) -> None:
    app_id = _at_step(engine, "tax-assessment", "awaiting_payment", utcnow())
    data, thai, english = _bodies(client, _row(engine, app_id).tracking_code)
    assert data["payment_due"] is None
    assert data["payment_due_reason"]["code"] == "notice_not_delivered"
    assert data["fee"]["amount_baht"] == 0
    assert "ยังไม่มีบันทึกว่าส่งถึงท่านแล้ว" in thai
    assert "its delivery is not recorded yet" in english


def test_a_tax_year_deadline_without_a_tax_year_says_why(
    engine: Engine, client: TestClient
) -> None:
    app_id = _land_and_buildings_assessed(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE application SET applicant_deadline = NULL, subject_details = :d"
                " WHERE id = :i"
            ),
            {"d": "{}", "i": app_id},
        )
    data, thai, english = _bodies(client, _row(engine, app_id).tracking_code)
    assert data["payment_due"] is None
    assert data["payment_due_reason"]["code"] == "tax_year_missing"
    assert "ยังไม่ได้ระบุปีภาษี" in thai
    assert "no tax year is recorded" in english


def test_a_tax_year_deadline_is_read_from_the_tax_year(engine: Engine, client: TestClient) -> None:
    """A file that entered the step before deadlines were stored: the date of its tax year."""
    app_id = _land_and_buildings_assessed(engine)
    stored = _row(engine, app_id)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application SET applicant_deadline = NULL WHERE id = :i"), {"i": app_id}
        )
    data, thai, _ = _bodies(client, stored.tracking_code)
    assert stored.applicant_deadline == date(2027, 4, 30)
    assert data["payment_due"] == "2027-04-30"
    assert data["payment_due_reason"] is None
    assert "30 เมษายน 2570" in thai


def test_a_deficiency_request_lists_the_items_and_their_deadline(
    engine: Engine, client: TestClient
) -> None:
    permit = CATALOGUE["food-premises"]
    rules = {(t.source, t.event): t for t in permit.transitions}
    app_id = committed_application(engine, "food-premises", now=utcnow())
    step(engine, app_id, rules[("intake", "request_documents")], now=utcnow())
    stored = _row(engine, app_id)
    data, thai, english = _bodies(client, stored.tracking_code)
    items = data["outstanding_items"]
    assert items
    assert all(set(i) == {"id", "label"} for i in items)
    labels = [permit.item_labels[i["id"]] for i in items]
    assert data["applicant_deadline"] == stored.applicant_deadline.isoformat()
    assert data["fee"] is None
    assert data["payment_due"] is None
    for label in labels:
        assert label.th in thai
        assert label.en in english
    assert written(stored.applicant_deadline, "th") in thai
    assert written(stored.applicant_deadline, "en") in english
    _no_personal_data(engine, app_id, str(data), thai, english)


def test_an_amendment_order_lists_what_to_amend(engine: Engine, client: TestClient) -> None:
    """The revised plans are no required item of the intake, but the order asks for them."""
    app_id = _at_step(engine, "building-small", "awaiting_amendments", utcnow())
    due = bangkok_date(utcnow()) + timedelta(days=30)
    data, thai, english = _bodies(client, _row(engine, app_id).tracking_code)
    label = CATALOGUE["building-small"].item_labels["revised_plans"]
    assert [i["id"] for i in data["outstanding_items"]] == ["revised_plans"]
    assert data["applicant_deadline"] == due.isoformat()
    assert label.th in thai
    assert written(due, "th") in thai
    assert label.en in english
    assert written(due, "en") in english
    _no_personal_data(engine, app_id, str(data), thai, english)


def test_a_settled_fine_shows_its_amount(engine: Engine, client: TestClient) -> None:
    """No fee, but the settlement set the fine to pay: its amount and deadline."""
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", utcnow())
    due = bangkok_date(utcnow()) + timedelta(days=15)
    data, thai, english = _bodies(client, _row(engine, app_id).tracking_code)
    assert data["amount_due"]["amount_baht"] == DEMO_FINE_BAHT
    assert data["payment_due"] == due.isoformat()
    assert "2,000 บาท" in thai
    assert "2,000 baht" in english
    assert written(due, "th") in thai
    _no_personal_data(engine, app_id, str(data), thai, english)
