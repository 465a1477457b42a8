"""An app on the test database, staff accounts, and a small client that signs in as them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Transition
from tracking import auth, demo
from tracking.access import item_roles
from tracking.clock import bangkok_date
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.models import utcnow
from web.app import create_app

PASSWORD = "correct horse battery"
BASE_URL = "https://tidtam.example.org"


@pytest.fixture
def app(database_url: str, engine: Engine) -> FastAPI:
    return create_app(
        Settings(database_url=database_url, base_url=BASE_URL, secret_key="test-secret-key-0123")
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


@dataclass
class User:
    client: TestClient
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.post(url, headers={**self.headers, **(headers or {})}, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.client.patch(url, headers=self.headers, **kw)

    def detail(self, app_id: int) -> dict[str, Any]:
        response = self.get(f"/api/v1/applications/{app_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())


class Staff:
    """Creates accounts on demand: ``staff("approver", "public-works", "b")``."""

    def __init__(self, engine: Engine, client: TestClient) -> None:
        self.engine = engine
        self.client = client
        self.users: dict[str, User] = {}

    def __call__(
        self, role: str, department: str | None = None, tag: str = "a", office: str = "pathumwan"
    ) -> User:
        """The account of ``role`` (and ``department``) at ``office`` (none for the city's
        auditors), made on first use and signed in."""
        username = f"{role}-{department or 'office'}-{tag}"
        if office != "pathumwan":
            username = f"{office}-{username}"
        if username not in self.users:
            with unit_of_work(self.engine) as session:
                auth.create_staff(
                    session,
                    office_slug=None if role == "city" else office,
                    username=username,
                    role=role,
                    department=department,
                    password=PASSWORD,
                )
            self.users[username] = self.sign_in(username)
        return self.users[username]

    def sign_in(self, username: str) -> User:
        response = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return User(self.client, username, response.json()["access_token"])

    def for_type(self, slug: str, role: str, tag: str = "a") -> User:
        return self(role, default_catalogue()[slug].department, tag)


@pytest.fixture
def staff(engine: Engine, client: TestClient) -> Staff:
    return Staff(engine, client)


APPLICANT = {
    "name": "สมหญิง รักไทย",
    "id_number": "1101700123456",
    "phone": "081-234-5678",
    "email": "somying@example.org",
}
SUBJECT = {"address": "12/3 ซอยจุฬา ๔๒ แขวงวังใหม่ เขตปทุมวัน", "description": "ร้านก๋วยเตี๋ยว"}


def intake(staff: Staff, slug: str, **subject: Any) -> dict[str, Any]:
    """Take in an application of ``slug`` with the subject fields its type declares."""
    clerk = staff.for_type(slug, "clerk")
    fields = demo.sample_details(default_catalogue()[slug], bangkok_date(utcnow()))
    response = clerk.post(
        "/api/v1/applications",
        json={
            "permit_type": slug,
            "applicant": APPLICANT,
            "subject": {**SUBJECT, **fields, **subject},
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def verify_items(staff: Staff, slug: str, app_id: int, items: list[str], tag: str = "a") -> int:
    """Verify ``items``, each as the first role that records it."""
    permit = default_catalogue()[slug]
    version = staff.for_type(slug, "clerk").detail(app_id)["version"]
    for item in items:
        role = item_roles(permit.item(item))[0]
        response = staff.for_type(slug, role, tag).patch(
            f"/api/v1/applications/{app_id}/checklist/{item}",
            json={"status": "verified", "note": "ตรวจแล้วถูกต้อง", "version": version},
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]
    return version


def fire(user: User, app_id: int, **body: Any) -> Any:
    return user.post(f"/api/v1/applications/{app_id}/transitions", json=body)


def step(staff: Staff, slug: str, app_id: int, t: Transition, **extra: Any) -> dict[str, Any]:
    """Verify what ``t`` needs, then fire it as a user of its first role."""
    detail = staff.for_type(slug, "clerk").detail(app_id)
    unverified = [
        i["id"] for i in detail["checklist"] if i["id"] in t.requires and i["status"] != "verified"
    ]
    version = verify_items(staff, slug, app_id, unverified) if unverified else detail["version"]
    response = fire(
        staff.for_type(slug, t.roles[0]), app_id, event=t.event, version=version, **extra
    )
    assert response.status_code == 200, response.text
    return dict(response.json())
