"""The clerk's and approver's workbench in Chromium, in Thai and English, at phone (390x844)
and desktop (1280x900) sizes (issue 12): a file its own approver reviewed says who may still
decide it and is given to them from its page; the queue shows who holds each file, filters by
holder, moves several files at once, and its search finds a file by each key; no page is
wider than the phone; axe-core finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import auth
from tracking.codes import format_code
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


@pytest.fixture
def three_files(engine: Engine) -> list[int]:
    """Three food-premises files, given by intake to two officers in turn, and their approver."""
    _account(engine, "officer-a", "officer", "อรุณ ขยันงาน")
    _account(engine, "officer-b", "officer", "บุญมี ใจเย็น")
    _account(engine, "approver-1", "approver", "ประเสริฐ ผู้อนุญาต")
    return [committed_application(engine) for _ in range(3)]


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_queue_moves_the_ticked_files_to_one_person(
    browser: Browser,
    server: str,
    engine: Engine,
    three_files: list[int],
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    page = _signed_in(browser, server, "approver-1", locale, viewport)
    english = "&lang=en" if lang == "en" else ""
    page.goto(f"{server}/staff?assignee=officer-a{english}")
    assert page.locator(".assignee").all_inner_texts() == ["อรุณ ขยันงาน"] * 2
    _fits(page, viewport)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = "-en" if lang == "en" else ""
    page.screenshot(path=str(ARTIFACTS / f"queue-assignee{suffix}-{size}.png"), full_page=True)
    _accessible(page, f"queue by holder ({lang}, {size})")
    for box in page.locator("input[name=applications]").all():
        box.check()
    page.select_option("#bulk-assignee", "officer-b")
    # No reason: refused, nothing moves, the ticks and the choice stay.
    page.locator("#bulk-reason").evaluate("e => e.removeAttribute('required')")
    with page.expect_navigation() as refused:
        page.click("#bulk button[type=submit]")
    assert refused.value is not None
    assert refused.value.status == 422
    assert page.locator("#queue-error").count() == 1
    assert page.locator("input[name=applications]:checked").count() == 2
    assert page.input_value("#bulk-assignee") == "officer-b"
    _accessible(page, f"queue form refused ({lang}, {size})")
    page.fill("#bulk-reason", "อรุณลาพักร้อน")
    with page.expect_navigation():
        page.click("#bulk button[type=submit]")
    assert page.locator("#done").count() == 1
    assert page.locator(".assignee").count() == 0  # officer-a holds nothing now
    with Session(engine) as session:
        held = {session.get(Application, i).assignee for i in three_files}  # type: ignore[union-attr]
    assert held == {"officer-b"}
    _fits(page, viewport)
    page.context.close()


def _thai_id(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


@pytest.fixture
def searchable(engine: Engine) -> dict[str, Application]:
    """Two files with their own applicant and address, and one of another name, held by two
    officers."""
    _account(engine, "officer-a", "officer", "อรุณ ขยันงาน")
    _account(engine, "officer-b", "officer", "บุญมี ใจเย็น")
    _account(engine, "approver-1", "approver", "ประเสริฐ ผู้อนุญาต")
    made = {
        "wanted": committed_application(
            engine, applicant_name="วิไลวรรณ ศรีสุข", id_number=_thai_id("310050012345"),
            address="45/7 ซอยจุฬาลงกรณ์ 12 แขวงวังใหม่ เขตปทุมวัน",
        ),
        "other": committed_application(
            engine, applicant_name="ธนากร มั่นคง", id_number=_thai_id("110170099887"),
            address="9 ถนนพระราม 4 แขวงรองเมือง เขตปทุมวัน",
        ),
    }  # fmt: skip
    with Session(engine) as session:
        files = {k: session.get(Application, i) for k, i in made.items()}
    return {k: v for k, v in files.items() if v is not None}


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_queue_search_finds_a_file_by_each_key(
    browser: Browser,
    server: str,
    searchable: dict[str, Application],
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    wanted = searchable["wanted"]
    code = format_code(wanted.tracking_code)
    number = wanted.applicant_id_number
    keys = {
        "code": code.lower().replace("-", ""),
        "id": f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}",
        "name": "วิไลวรรณ",
        "surname": "ศรีสุ",
        "address": "จุฬาลงกรณ์ วังใหม่",
    }
    page = _signed_in(browser, server, "approver-1", locale, viewport)
    english = "?lang=en" if lang == "en" else ""
    page.goto(f"{server}/staff{english}")
    suffix = "-en" if lang == "en" else ""
    for kind, typed in keys.items():
        page.fill("#f-q", typed)
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        codes_shown = page.locator(".queue-head .code").all_inner_texts()
        assert codes_shown == [code], (kind, typed, codes_shown)
        assert page.locator(".queue-applicant").inner_text() == "วิไลวรรณ ศรีสุข"
        assert page.input_value("#f-q") == typed  # kept as typed
        if kind == "name":
            _fits(page, viewport)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = f"queue-search-assignee{suffix}-{size}.png"
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            _accessible(page, f"queue search ({lang}, {size})")
            assert page.locator(".assignee").inner_text() in {"อรุณ ขยันงาน", "บุญมี ใจเย็น"}
    # Too short a word: refused, said why, nothing listed.
    page.fill("#f-q", "วิ")
    with page.expect_navigation() as refused:
        page.click("form.filters button[type=submit]")
    assert refused.value is not None
    assert refused.value.status == 422
    assert page.locator("#search-error").count() == 1
    assert page.locator(".queue-head").count() == 0
    _accessible(page, f"queue search refused ({lang}, {size})")
    page.context.close()
