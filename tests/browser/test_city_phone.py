"""The city's table of every office in Chromium, in Thai and English, at phone (390x844) and
desktop (1280x900) sizes (issue 13): no wider than the window (the table scrolls inside its
own region on a desktop, each office a card on a phone), axe-core finds nothing, an office's
name opens its dashboard, and the workbook downloads with the sign-in cookie."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine, delete, text

from checklists.offices import default_offices
from checklists.schema import Outcome
from tracking import auth, offices
from tracking.access import Actor
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import Office

from ..conftest import TABLES_TO_EMPTY
from ..factories import committed_application, walk
from ..scenarios import PERMIT
from ..web.test_public import STATES, _make
from .test_manager_phone import LANGS, SIZES, _accessible, _fits, _lang
from .test_pages import ARTIFACTS, PASSWORD, browser, server

# The page tests' browser and app server: fixtures, found by these names.
FIXTURES = (browser, server)

OTHERS = ("bangrak", "khlongtoei")
AUDITOR = "browser-city-auditor"


@pytest.fixture
def auditor(engine: Engine) -> Iterator[str]:
    """Three offices with files in each, and a city account; the offices removed afterwards."""
    for kind in STATES:
        _make(engine, kind)
    start = datetime.now(UTC) - timedelta(days=20)
    with unit_of_work(engine) as session:
        added = {slug: offices.add(session, default_offices()[slug]).id for slug in OTHERS}
        auth.create_staff(
            session,
            username=AUDITOR,
            role="city",
            department=None,
            password=PASSWORD,
            office_slug=None,
        )
    for n, slug in enumerate(OTHERS):
        clerk = Actor("clerk-1", "clerk", PERMIT.department, added[slug])
        for _ in range(n + 1):
            app_id = committed_application(engine, now=start, actor=clerk)
            walk(engine, app_id, path_to(PERMIT, {Outcome.approved})[:3], now=start)
    yield AUDITOR
    with engine.begin() as connection:
        for table in TABLES_TO_EMPTY:
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(delete(Office).where(Office.slug.in_(OTHERS)))  # type: ignore[attr-defined]


def _signed_in(browser: Browser, server: str, locale: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/staff/login?next=/city")
    page.fill("#username", AUDITOR)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/city")
    return page


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_city_table_fits_and_is_accessible(
    browser: Browser,
    server: str,
    auditor: str,
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
    tmp_path: Path,
) -> None:
    page = _signed_in(browser, server, locale, viewport)
    response = page.goto(_lang(f"{server}/city", lang))
    assert response is not None
    assert response.status == 200
    assert page.locator("#offices tbody tr[id^=office-]").count() == 4  # three and the total
    _fits(page, viewport)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = "-en" if lang == "en" else ""
    page.screenshot(path=str(ARTIFACTS / f"city{suffix}-{size}.png"), full_page=True)
    _accessible(page, f"/city ({lang}, {size})")
    # The workbook, with the session cookie.
    with page.expect_download() as download:
        page.click("#city-xlsx")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet.max_row == 4 + 3 + 1
    # An office's name opens its own dashboard.
    with page.expect_navigation() as navigation:
        page.click("#office-bangrak a")
    assert navigation.value is not None
    assert navigation.value.status == 200
    assert "office=bangrak" in page.url
    assert page.locator("#office-shown").count() == 1
    _fits(page, viewport)
    page.screenshot(path=str(ARTIFACTS / f"city-office{suffix}-{size}.png"), full_page=True)
    _accessible(page, f"/manager?office=bangrak ({lang}, {size})")
    page.context.close()


@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_statistics_offer_every_office(
    browser: Browser, server: str, auditor: str, size: str, viewport: dict[str, int]
) -> None:
    page = browser.new_page(viewport=viewport, locale="th-TH")
    page.goto(f"{server}/stats")
    page.select_option("#office", "all")
    with page.expect_navigation() as navigation:
        page.click("form.office-choice button[type=submit]")
    assert navigation.value is not None
    assert navigation.value.status == 200
    assert "office=all" in page.url
    _fits(page, viewport)
    page.screenshot(path=str(ARTIFACTS / f"stats-all-{size}.png"), full_page=True)
    _accessible(page, f"/stats?office=all ({size})")
    page.close()
