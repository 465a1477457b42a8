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


def test_each_office_keeps_its_own_chain_of_anchors(
    engine: Engine, client: TestClient, staff: Staff
) -> None:
    from checklists.offices import default_offices
    from tracking import offices
    from tracking.db import unit_of_work
    from tracking.verification import verify

    with unit_of_work(engine) as session:
        other = offices.add(session, default_offices()["bangrak"]).id
    intake(staff, "food-premises")
    with engine.begin() as connection:
        made = {a.office: a for a in anchors.anchor_every_office(connection, date(2026, 12, 1))}
    assert (made["pathumwan"].heads, made["bangrak"].heads) == (1, 0)
    listed = client.get("/api/v1/audit/anchors", params={"office": "bangrak"}).json()
    assert [(a["office"], a["digest"]) for a in listed] == [("bangrak", made["bangrak"].digest)]
    assert len(client.get("/api/v1/audit/anchors").json()) == 2
    assert client.get("/api/v1/audit/anchors", params={"office": "atlantis"}).status_code == 404
    # The second office's next anchor chains to its own first, not to Pathumwan's.
    with engine.begin() as connection:
        later = anchors.anchor(connection, date(2026, 12, 2), other)  # type: ignore[arg-type]
    assert later.prev_digest == made["bangrak"].digest
    kept = made["pathumwan"].digest
    assert verify(engine, anchor=kept).broken is None
    with engine.begin() as connection:  # rewriting the other office's anchor is found
        connection.exec_driver_sql(
            f"UPDATE audit_anchor SET last_event_id = last_event_id + 1 WHERE office_id = {other}"
        )
    found = verify(engine, anchor=kept).broken
    assert found is not None
    assert found.field == "anchor"
