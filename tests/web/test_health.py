from __future__ import annotations

from fastapi.testclient import TestClient

from tracking.config import Settings
from web.app import create_app


def test_healthz_reports_the_database(database_url: str, engine: object) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
