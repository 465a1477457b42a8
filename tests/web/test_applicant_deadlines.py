"""The applicant's deadlines through HTTP: the lapse of each applicant's step refused before
its deadline and allowed after it, the deadline on the staff detail and the public page, and
the fine a settlement records."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from checklists.schema import TransitionKind
from tracking.clock import bangkok_date
from tracking.dates import written
from tracking.models import utcnow

from ..tracking.test_lapses import CATALOGUE, _at_step, _cases, _expected_deadline, _lapse, _row
from .conftest import Staff, fire, verify_items


@pytest.mark.parametrize(("slug", "step_id"), _cases())
def test_each_lapse_through_the_api(engine: Engine, staff: Staff, slug: str, step_id: str) -> None:
    """Through HTTP: a file that entered the step today is refused the lapse (422, naming the
    deadline, in Thai and English); one whose deadline passed yesterday lapses."""
    permit = CATALOGUE[slug]
    lapse = _lapse(permit, step_id)
    days = _expected_deadline(permit, step_id, date(2026, 1, 1)) - date(2026, 1, 1)
    body: dict[str, Any] = {"event": lapse.event, "reason": "ผู้ยื่นคำขอไม่ดำเนินการภายในกำหนด"}
    if lapse.kind is TransitionKind.refuse:
        body["ground"] = next(g.code for g in permit.refusal_grounds if not g.received_after)
    user = staff.for_type(slug, lapse.roles[0])

    fresh = _at_step(engine, slug, step_id, utcnow())
    verify_items(staff, slug, fresh, lapse.requires)
    detail = user.detail(fresh)
    deadline = bangkok_date(utcnow()) + days
    assert detail["applicant_deadline"] == deadline.isoformat()
    offered = {e["event"]: e for e in detail["events"]}
    assert not offered[lapse.event]["allowed"]
    refused = fire(user, fresh, version=detail["version"], **body)
    assert refused.status_code == 422, refused.text
    assert written(deadline, "en") in refused.json()["message"]["en"]
    assert written(deadline, "th") in refused.json()["message"]["th"]
    assert refused.json()["deadline"] == deadline.isoformat()

    old = _at_step(engine, slug, step_id, utcnow() - days - timedelta(days=1))
    version = verify_items(staff, slug, old, lapse.requires)
    landed = fire(user, old, version=version, **body)
    assert landed.status_code == 200, landed.text
    assert landed.json()["state"] == lapse.target


def test_the_public_page_shows_the_applicants_deadline(engine: Engine, client: TestClient) -> None:
    app_id = _at_step(engine, "fine-settlement", "awaiting_payment", utcnow())
    code = _row(engine, app_id).tracking_code
    deadline = (bangkok_date(utcnow()) + timedelta(days=15)).isoformat()
    body = client.get(f"/api/v1/track/{code}").json()
    assert body["applicant_action"]["by"] == deadline
    assert "somchai" not in json.dumps(body, ensure_ascii=False)


def test_the_fine_through_the_api(engine: Engine, staff: Staff) -> None:
    app_id = _at_step(engine, "fine-settlement", "pending_decision", utcnow())
    user = staff.for_type("fine-settlement", "approver")
    version = user.detail(app_id)["version"]
    missing = fire(user, app_id, event="approve", reason="ตามแนวทาง", version=version)
    assert missing.status_code == 422
    assert "fine_baht" in missing.json()["message"]["en"]
    negative = fire(user, app_id, event="approve", version=version, fine_baht=-1)
    assert negative.status_code == 422
    landed = fire(user, app_id, event="approve", version=version, fine_baht=1500)
    assert landed.status_code == 200, landed.text
    trail = user.detail(app_id)["trail"]
    assert trail[-1]["data"]["fine_baht"] == 1500


def test_the_fine_on_the_staff_page(engine: Engine, staff: Staff) -> None:
    """The settlement's form asks for the fine; without it the form comes back (422) with the
    input marked, in Thai first; with it the settlement lands and the detail shows the
    referral refused until the deadline."""
    app_id = _at_step(engine, "fine-settlement", "pending_decision", utcnow())
    user = staff.for_type("fine-settlement", "approver")
    page = user.get(f"/staff/applications/{app_id}").text
    assert 'name="fine_baht"' in page
    version = str(user.detail(app_id)["version"])
    url = f"/staff/applications/{app_id}/transitions"
    form = {"event": "approve", "version": version}
    refused = user.post(url, data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text.split('id="fine-approve"')[1][:300]
    assert "ค่าปรับ" in refused.text
    landed = user.post(url, data={**form, "fine_baht": "1500"}, follow_redirects=False)
    assert landed.status_code == 303, landed.text
    assert _row(engine, app_id).state == "approved"
