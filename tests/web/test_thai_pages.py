"""Thai pages are Thai throughout (issue 12, item 6): every Thai page a citizen or the staff
reach, on demo data with its dates set, writes dates with Buddhist Era years in words, Arabic
digits only, and Thai names for roles and refusal grounds, never their codes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select

from checklists.loader import default_catalogue
from tracking import codes, demo
from tracking.db import unit_of_work
from tracking.models import Application

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OFFICE = "pathumwan"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
GREGORIAN_YEAR = re.compile(r"(?<![\d,.])20\d{2}(?![\d,.])")
THAI_DIGITS = re.compile(r"[๐-๙]")
ENGLISH_LAW = re.compile(r"\b(?:[A-Z][a-z]+ )+(?:Act|Code|Ordinance)\b")
# Usernames ("officer.public-works") are names, not role codes.
ROLE_CODES = re.compile(r"(?<![\w.-])(officer|approver)(?![\w.-])", re.I)
# Attributes a reader sees or hears: checked like the text.
SHOWN = re.compile(r'\s(?:placeholder|title|aria-label|alt)="([^"]*)"')
HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def visible(page: str) -> str:
    """The page as a reader sees it: its text and the attributes that are read out."""
    page = HIDDEN.sub(" ", page)
    shown = " ".join(SHOWN.findall(page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + shown)


def _ground_codes() -> set[str]:
    return {
        ground.code
        for permit in default_catalogue().values()
        for ground in getattr(permit, "refusal_grounds", ()) or ()
    }


def problems(page: str) -> list[str]:
    text = visible(page)
    found = [f"ISO date {m!r}" for m in ISO_DATE.findall(text)]
    found += [f"Gregorian year {m!r}" for m in GREGORIAN_YEAR.findall(text)]
    found += [f"Thai digit {m!r}" for m in THAI_DIGITS.findall(text)]
    found += [f"role code {m!r}" for m in ROLE_CODES.findall(text)]
    found += [f"English law {m!r}" for m in ENGLISH_LAW.findall(text)]
    found += [f"ground code {g!r}" for g in _ground_codes() if re.search(rf"\b{g}\b", text)]
    found += [f"decision verb {m!r}" for m in re.findall(r"อนุมัติ", text)]
    return sorted(set(found))


@pytest.fixture
def seeded(engine: Engine) -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        with unit_of_work(engine) as session:
            demo.seed_staff(session, OFFICE)
            demo.seed(session, OFFICE, per_type=3, now=NOW)
        yield


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    signed = client.post(
        "/staff/login",
        data={"username": username, "password": demo.DEMO_PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[:300]


def _applications(engine: Engine) -> list[Application]:
    with unit_of_work(engine) as session:
        rows = session.exec(select(Application).order_by(col(Application.id))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def _check(client: TestClient, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code} {page.text[:300]}"
    assert 'lang="th"' in page.text, url
    return [f"{url}: {p}" for p in problems(page.text)]


def test_public_pages_are_thai_throughout(engine: Engine, client: TestClient, seeded: None) -> None:
    urls = ["/track", "/permit-types", "/stats"]
    urls += [f"/permit-types/{slug}" for slug in default_catalogue()]
    assert client.get("/", follow_redirects=False).status_code in {200, 302, 303, 307}
    found = [p for url in urls for p in _check(client, url)]
    assert not found, "\n".join(found)


def test_status_pages_are_thai_throughout(engine: Engine, client: TestClient, seeded: None) -> None:
    urls = [f"/track/{codes.format_code(a.tracking_code)}" for a in _applications(engine)]
    found = [p for url in urls for p in _check(client, url)]
    assert not found, "\n".join(found)


def test_staff_pages_are_thai_throughout(engine: Engine, client: TestClient, seeded: None) -> None:
    found: list[str] = []
    applications = _applications(engine)
    catalogue = default_catalogue()
    for role in ("clerk", "officer", "approver"):
        for department in sorted({catalogue[a.permit_type].department for a in applications}):
            _sign_in(client, demo.demo_username(role, department))
            found += _check(client, "/staff")
            for a in applications:
                if catalogue[a.permit_type].department == department:
                    found += _check(client, f"/staff/applications/{a.id}")
                    if role == "clerk":
                        found += _check(client, f"/applications/{a.id}/receipt")
    _sign_in(client, demo.demo_username("manager", None))
    found += _check(client, "/manager")
    found += _check(client, "/manager?date_from=&date_to=")
    assert not found, "\n".join(sorted(set(found)))


def test_the_checks_find_what_the_bug_report_saw() -> None:
    assert "ISO date '2026-10-07'" in problems("<p>ครบกำหนด 2026-10-07</p>")
    assert problems("<p>ปี 2026</p>") == ["Gregorian year '2026'"]
    assert problems("<p>(Public Health Act s.56)</p>") == ["English law 'Public Health Act'"]
    assert problems("<p>บทบาท officer</p>") == ["role code 'officer'"]
    assert problems("<p>มาตรา ๘</p>") == ["Thai digit '๘'"]
    assert problems('<input type="date" value="2026-10-07"><p>7 ตุลาคม 2569</p>') == []
