"""Every response carries the security headers, the hot paths' too; everything staff see, and
everything naming applicants, is never cached."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tracking.config import Settings
from web.app import create_app
from web.security import CSP

from .conftest import PASSWORD, Staff, intake

EXPECTED = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _secure(response: object, *, https: bool = True) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (name, headers)
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert ("strict-transport-security" in headers) is https


def test_public_staff_and_manager_responses_carry_the_headers(
    client: TestClient, staff: Staff
) -> None:
    code = intake(staff, "food-premises")["tracking_code"]
    for path in (f"/track/{code}", f"/api/v1/track/{code}", "/track", "/permit-types"):
        response = client.get(path)
        assert response.status_code == 200, path
        _secure(response)
    assert client.get("/track/K7MP2-Q9XR4").status_code == 400  # errors too
    _secure(client.get("/track/K7MP2-Q9XR4"))
    # Signed out, then signed in by the cookie.
    _secure(client.get("/staff", follow_redirects=False))
    staff("manager")
    client.post("/staff/login", data={"username": "manager-office-a", "password": PASSWORD})
    for path in ("/staff", "/manager", "/api/v1/applications"):
        response = client.get(path)
        assert response.status_code in (200, 401), path
        _secure(response)
        assert response.headers["cache-control"] == "no-store", path
    token = staff.users["manager-office-a"].token
    detail = client.get("/api/v1/compliance/summary", headers={"Authorization": f"Bearer {token}"})
    assert detail.headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("engine")
def test_no_hsts_over_plain_http(database_url: str) -> None:
    app = create_app(
        Settings(
            database_url=database_url,
            base_url="http://127.0.0.1:8000",
            secret_key="test-secret-key-0123456789-0123456789",
        )
    )
    with TestClient(app) as client:
        _secure(client.get("/track"), https=False)
        _secure(client.get("/track/K7MP2-Q9XR4"), https=False)
