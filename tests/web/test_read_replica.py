"""A real streaming replica (``tests.clusters``): the public lookups and the dashboards read
it, and a lookup carrying a receipt's ``?v=`` is never older than that receipt, falling back
to the primary while the replica lags (``tracking.replica``). PostgreSQL runs only."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, text

from checklists.loader import default_catalogue
from tracking import codes, migrate
from tracking.config import Settings
from tracking.db import make_engine, unit_of_work
from tracking.workflow import transitions
from web.app import create_app

from ..clusters import Pair, caught_up, replay_paused
from ..conftest import TABLES_TO_EMPTY
from ..factories import committed_application, step
from .conftest import BASE_URL, Staff

SLUG = "food-premises"
ACCEPT = next(t for t in default_catalogue()[SLUG].transitions if t.event == "accept_application")


@pytest.fixture(scope="module")
def primary(replicated: Pair) -> Iterator[Engine]:
    engine = make_engine(replicated.primary_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def replica(replicated: Pair, primary: Engine) -> Iterator[Engine]:
    engine = make_engine(replicated.replica_url)
    caught_up(primary, engine)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty(primary: Engine, replica: Engine) -> Iterator[None]:
    yield
    with primary.begin() as connection:
        for table in TABLES_TO_EMPTY:
            connection.execute(text(f"DELETE FROM {table}"))
    caught_up(primary, replica)


@pytest.fixture
def app(replicated: Pair, primary: Engine) -> FastAPI:
    return create_app(
        Settings(
            database_url=replicated.primary_url,
            read_database_url=replicated.replica_url,
            base_url=BASE_URL,
            secret_key="test-secret-key-0123",
        )
    )


@pytest.fixture
def staff(primary: Engine, client: TestClient) -> Staff:
    return Staff(primary, client)


def _code(engine: Engine, app_id: int) -> str:
    with unit_of_work(engine) as session:
        return codes.format_code(transitions.get_application(session, app_id).tracking_code)


def _receipt_marker(staff: Staff, app_id: int, code: str) -> int:
    """The version the receipt prints in its tracking link."""
    page = staff.for_type(SLUG, "clerk").get(f"/applications/{app_id}/receipt")
    assert page.status_code == 200, page.text
    found = re.search(rf"{re.escape(BASE_URL)}/track/{code}\?v=(\d+)", page.text)
    assert found, "the receipt prints no versioned tracking link"
    return int(found.group(1))


def _step_of(client: TestClient, code: str, query: str = "") -> Any:
    response = client.get(f"/api/v1/track/{code}{query}")
    assert response.status_code == 200, response.text
    return response.json()["status"]["step"]


def test_a_write_on_the_primary_appears_on_the_replica(primary: Engine, replica: Engine) -> None:
    app_id = committed_application(primary, SLUG)
    caught_up(primary, replica)
    with replica.connect() as connection:
        state = connection.execute(
            text("SELECT state FROM application WHERE id = :id"), {"id": app_id}
        ).scalar_one()
        assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
    assert state == "intake"


def test_a_lagging_replica_never_shows_less_than_the_receipt(
    client: TestClient, staff: Staff, primary: Engine, replica: Engine
) -> None:
    app_id = committed_application(primary, SLUG)
    code = _code(primary, app_id)
    caught_up(primary, replica)
    printed_first = _receipt_marker(staff, app_id, code)
    with replay_paused(replica):
        step(primary, app_id, ACCEPT)
        printed_after = _receipt_marker(staff, app_id, code)
        assert printed_after > printed_first

        # The receipt printed after the change: the replica is older, the primary answers.
        assert _step_of(client, code, f"?v={printed_after}") == ACCEPT.target
        page = client.get(f"/track/{code}?v={printed_after}")
        assert page.status_code == 200, page.text
        assert default_catalogue()[SLUG].step(ACCEPT.target).label.th in page.text
        # Its QR code carries the marker on to the page it opens.
        png = client.get(f"/track/{code}/qr.png?v={printed_after}")
        assert png.status_code == 200, png.text
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
        assert [qr.text for qr in found] == [f"{BASE_URL}/track/{code}?v={printed_after}"]

        # The first receipt, and a plain lookup: the replica as it is (still at intake),
        # which is no older than the first receipt.
        assert _step_of(client, code, f"?v={printed_first}") == "intake"
        assert _step_of(client, code) == "intake"
        assert client.get(f"/track/{code}").status_code == 200

        # A file the replica has not seen yet is found on the primary, marker or not.
        new_code = _code(primary, committed_application(primary, SLUG))
        assert _step_of(client, new_code) == "intake"
        assert _step_of(client, new_code, "?v=1") == "intake"
    caught_up(primary, replica)
    assert _step_of(client, code) == ACCEPT.target


def test_a_marker_newer_than_the_file_reads_the_primary(
    client: TestClient, primary: Engine, replica: Engine
) -> None:
    code = _code(primary, committed_application(primary, SLUG))
    caught_up(primary, replica)
    assert _step_of(client, code, "?v=99") == "intake"
    assert client.get(f"/api/v1/track/{code}?v=0").status_code == 422


def _figures(client: TestClient, manager: Any) -> dict[str, Any]:
    summary = manager.get("/api/v1/compliance/summary")
    assert summary.status_code == 200, summary.text
    page = manager.get("/manager")
    assert page.status_code == 200, page.text
    shown = re.search(r'id="fig-received">(\d+)<', page.text)
    assert shown, "the dashboard shows no received figure"
    stats = client.get("/api/v1/stats").json()
    return {
        "summary": summary.json()["received"],
        "manager": int(shown.group(1)),
        "stats": sum(row["received"] for row in stats),
        "stats_csv": client.get("/stats.csv").text,
    }


def test_dashboards_read_the_replica(
    client: TestClient, staff: Staff, primary: Engine, replica: Engine
) -> None:
    manager = staff("manager")
    committed_application(primary, SLUG)
    caught_up(primary, replica)
    before = _figures(client, manager)
    assert before["summary"] == before["manager"] == before["stats"] == 1
    with replay_paused(replica):
        committed_application(primary, SLUG)
        with primary.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM application")).scalar() == 2
        assert _figures(client, manager) == before  # the replica has not replayed it yet
        # Signing in and the session check read the primary, never the lagging replica.
        assert staff("manager", tag="b").get("/api/v1/compliance/summary").status_code == 200
    caught_up(primary, replica)
    after = _figures(client, manager)
    assert after["summary"] == after["manager"] == after["stats"] == 2
