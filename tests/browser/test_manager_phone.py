"""The manager's dashboard and the public statistics in Chromium, in Thai and English, at
phone (390x844) and desktop (1280x900) sizes (issue 12): the filter form sent with blank
fields shows the dashboard, the report links download with the sign-in cookie, neither page is
wider than the phone, the chart's labels are whole and readable, and axe-core finds nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from tracking import auth
from tracking.db import unit_of_work

from ..web.test_public import STATES, _make
from .test_pages import ARTIFACTS, DESKTOP, PASSWORD, PHONE, _axe, _describe, browser, server

# The page tests' browser and app server: fixtures, found by these names.
FIXTURES = (browser, server)

SIZES = (("phone", PHONE), ("desktop", DESKTOP))
LANGS = (("th", "th-TH"), ("en", "en-GB"))
OFFICE_TH = "สำนักงานเขตปทุมวัน"
MANAGER = "browser-manager-phone"


@pytest.fixture
def manager(engine: Engine) -> str:
    for kind in STATES:
        _make(engine, kind)
    _make(engine, "approved", "building-small")
    _make(engine, "approved", "building-large")
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username=MANAGER,
            role="manager",
            department=None,
            password=PASSWORD,
            office_slug="pathumwan",
        )
    return MANAGER


def _signed_in(browser: Browser, server: str, locale: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale=locale, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/staff/login?next=/manager")
    page.fill("#username", MANAGER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/manager")
    return page


def _fits(page: Page, viewport: dict[str, int]) -> None:
    """Nothing to scroll sideways: the page is no wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url} is {width} px wide at {viewport['width']}"


def _accessible(page: Page, where: str) -> None:
    violations = _axe(page)
    assert violations == [], f"{where}:\n" + _describe(violations)


def _lang(url: str, lang: str) -> str:
    if lang == "th":
        return url
    return url + ("&" if "?" in url else "?") + "lang=en"


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_the_filter_form_sent_with_blanks_shows_the_dashboard(
    browser: Browser,
    server: str,
    manager: str,
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    page = _signed_in(browser, server, locale, viewport)
    page.goto(_lang(f"{server}/manager", lang))
    _fits(page, viewport)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = "-en" if lang == "en" else ""
    page.screenshot(path=str(ARTIFACTS / f"manager-dashboard{suffix}-{size}.png"), full_page=True)
    _accessible(page, f"/manager ({lang}, {size})")
    # Department chosen, the permit type and the officer left blank, as in the issue.
    page.select_option("#department", "environment-sanitation")
    assert page.input_value("#permit_type") == ""
    assert page.input_value("#officer") == ""
    with page.expect_navigation() as navigation:
        page.click("form.filters button[type=submit]")
    response = navigation.value
    assert response is not None
    assert response.status == 200
    assert "permit_type=&officer=" in page.url
    assert page.locator("#fig-received").count() == 1
    assert page.locator("[role=alert]").count() == 0
    assert page.input_value("#department") == "environment-sanitation"
    _fits(page, viewport)
    _accessible(page, f"/manager filtered ({lang}, {size})")
    # Every field blank: all of it.
    page.fill("#date_from", "")
    page.fill("#date_to", "")
    page.select_option("#department", "")
    with page.expect_navigation() as navigation:
        page.click("form.filters button[type=submit]")
    assert navigation.value is not None
    assert navigation.value.status == 200
    assert "date_from=&date_to=&department=&permit_type=&officer=" in page.url
    assert page.locator("#fig-received").count() == 1
    # A username no account could have: the page says so, the field marked.
    page.fill("#officer", "two words")
    with page.expect_navigation() as navigation:
        page.click("form.filters button[type=submit]")
    assert navigation.value is not None
    assert navigation.value.status == 422
    assert page.locator("#filter-error").count() == 1
    assert page.get_attribute("#officer", "aria-invalid") == "true"
    page.screenshot(
        path=str(ARTIFACTS / f"manager-dashboard-error{suffix}-{size}.png"), full_page=True
    )
    _fits(page, viewport)
    _accessible(page, f"/manager with a bad filter ({lang}, {size})")
    page.context.close()


def test_the_report_links_download_with_the_session(
    browser: Browser, server: str, manager: str, tmp_path: Path
) -> None:
    page = _signed_in(browser, server, "th-TH", PHONE)
    links = page.locator("ul.downloads a")
    assert links.count() == 7
    downloaded: dict[str, Path] = {}
    for index in range(links.count()):
        link = links.nth(index)
        href = link.get_attribute("href") or ""
        if "format=json" in href or "compliance" in href:
            continue
        with page.expect_download() as download:
            link.click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        downloaded[href] = target
    assert len(downloaded) == 4
    for href, path in downloaded.items():
        if "format=csv" in href:
            table = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
            assert table[0][0].endswith(OFFICE_TH)
            assert table[-1][0].startswith("รวม")
        else:
            sheet = load_workbook(path).active
            assert sheet is not None
            assert str(sheet["A1"].value).endswith(OFFICE_TH)
    # The JSON links answer the browser too (the cookie, no token).
    hrefs = [
        page.locator(selector).first.get_attribute("href")
        for selector in ('ul.downloads a[href*="format=json"]', "#figures-json")
    ]
    for href in hrefs:
        response = page.goto(f"{server}{href}")
        assert response is not None
        assert response.status == 200, href
        json.loads(page.locator("body").inner_text())
    page.context.close()
    # Signed out, the same link is refused.
    fresh = browser.new_page()
    response = fresh.goto(f"{server}{href}")
    assert response is not None
    assert response.status == 401
    fresh.close()


@pytest.mark.parametrize(("lang", "locale"), LANGS)
@pytest.mark.parametrize(("size", "viewport"), SIZES)
def test_stats_fit_the_phone_with_whole_readable_chart_labels(
    browser: Browser,
    server: str,
    manager: str,
    lang: str,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    page = browser.new_page(viewport=viewport, locale=locale)
    page.goto(_lang(f"{server}/stats", lang))
    _fits(page, viewport)
    labels = page.locator("#main .bar-label")
    names = [labels.nth(i).inner_text() for i in range(labels.count())]
    catalogue = default_catalogue()
    for slug in ("building-small", "building-large"):
        # Whole, so the two building types can be told apart.
        assert getattr(catalogue[slug].name, lang) in names
    for i in range(labels.count()):
        box = labels.nth(i).evaluate(
            "e => ({size: parseFloat(getComputedStyle(e).fontSize),"
            " clipped: e.scrollWidth > e.clientWidth + 1,"
            " right: e.getBoundingClientRect().right})"
        )
        assert box["size"] >= 14, names[i]
        assert not box["clipped"], names[i]
        assert box["right"] <= viewport["width"], names[i]
    suffix = "-en" if lang == "en" else ""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"stats{suffix}-{size}.png"), full_page=True)
    _accessible(page, f"/stats ({lang}, {size})")
    page.close()
