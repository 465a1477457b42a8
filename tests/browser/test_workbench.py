"""The clerk's and approver's workbench in Chromium, in Thai and English, at phone (390x844)
and desktop (1280x900) sizes (issue 12): a file its own approver reviewed says who may still
decide it and is given to them from its page; the queue shows who holds each file, filters by
holder and moves several files at once; no page is wider than the phone; axe-core finds
nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import auth
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import Application

from ..factories import committed_application, walk
from .test_manager_phone import LANGS, SIZES, _accessible, _fits
from .test_pages import ARTIFACTS, PASSWORD, browser, server

# The page tests' browser and app server: fixtures, found by these names.
FIXTURES = (browser, server)
FOOD = default_catalogue()["food-premises"]
DEPT = FOOD.department


def _account(engine: Engine, username: str, role: str, name: str) -> None:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username=username,
            role=role,
            department=DEPT,
            password=PASSWORD,
            display_name=name,
            office_slug="pathumwan",
        )


def _signed_in(
    browser: Browser, server: str, username: str, locale: str, viewport: dict[str, int]
) -> Page:
    page = browser.new_context(viewport=viewport, locale=locale).new_page()
    page.goto(f"{server}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    return page


@pytest.fixture
def reviewed_by_its_approver(engine: Engine) -> int:
    """A food-premises file at its decision step, reviewed by officer-1, who has since been
    made approver; another approver may still decide it."""
    _account(engine, "officer-1", "officer", "สมศักดิ์ ตรวจดี")
    _account(engine, "approver-2", "approver", "วิไล ตัดสินใจ")
    app_id = committed_application(engine)
    road = path_to(FOOD, {Outcome.approved})
    decision = next(n for n, t in enumerate(road) if t.kind.value == "approve")
    walk(engine, app_id, road[:decision])
    with unit_of_work(engine) as session:
        staff = auth.staff_by_username(session, "officer-1")
        assert staff is not None
        staff.role = "approver"
        session.add(staff)
    return app_id


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_a_file_its_approver_reviewed_says_who_may_decide_and_moves_to_them(
    browser: Browser,
    server: str,
    engine: Engine,
    reviewed_by_its_approver: int,
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    app_id = reviewed_by_its_approver
    page = _signed_in(browser, server, "officer-1", locale, viewport)
    suffix = "" if lang == "th" else "?lang=en"
    page.goto(f"{server}/staff/applications/{app_id}{suffix}")
    box = page.locator("#deciders")
    you = "คุณเป็นผู้ตรวจสอบคำขอนี้" if lang == "th" else "You reviewed or inspected"
    assert you in box.inner_text()
    assert "วิไล ตัดสินใจ" in box.inner_text()  # who may still decide it
    assert "สมศักดิ์ ตรวจดี" in box.inner_text()  # and who may not
    _fits(page, viewport)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = f"application-four-eyes{'-en' if lang == 'en' else ''}-{size}.png"
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    _accessible(page, f"four-eyes ({lang}, {size})")
    # Give it to the approver who may decide it, with a reason.
    page.select_option("#assign-to", "approver-2")
    page.fill("#assign-reason", "ผู้ตรวจสอบตัดสินเองไม่ได้ตามหลักสี่ตา")
    with page.expect_navigation():
        page.click(".assign-form button[type=submit]")
    assert page.locator("#done").count() == 1
    assert page.locator("#assignee").inner_text() == "วิไล ตัดสินใจ"
    _accessible(page, f"after the assignment ({lang}, {size})")
    with Session(engine) as session:
        stored = session.get(Application, app_id)
        assert stored is not None
        assert stored.assignee == "approver-2"
    page.context.close()
