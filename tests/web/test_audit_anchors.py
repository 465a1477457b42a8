"""The public list of audit anchors: what `tidtam audit anchor` recorded, and nothing personal."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tracking.trail import anchors

from .conftest import APPLICANT, Staff, intake

PATHUMWAN = 1  # the office the migrations add


def test_anchors_are_listed_publicly_without_personal_data(
    engine: Engine, client: TestClient, staff: Staff
) -> None:
    assert client.get("/api/v1/audit/anchors").json() == []
    intake(staff, "food-premises")
    with engine.begin() as connection:
        first = anchors.anchor(connection, date(2026, 12, 1), PATHUMWAN)
    intake(staff, "street-vending")
    with engine.begin() as connection:
        second = anchors.anchor(connection, date(2026, 12, 2), PATHUMWAN)
    answer = client.get("/api/v1/audit/anchors")
    assert answer.status_code == 200
    listed = answer.json()
    assert [(a["day"], a["digest"], a["heads"]) for a in listed] == [
        ("2026-12-01", first.digest, 1),
        ("2026-12-02", second.digest, 1),
    ]
    assert listed[1]["prev_digest"] == first.digest
    for value in APPLICANT.values():
        assert str(value) not in answer.text
