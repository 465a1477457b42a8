"""Real-browser tests (Debian Chromium driven by Playwright): accessibility with axe-core,
screenshots at phone and desktop widths, and the receipt's QR decoded and followed."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from tracking import auth
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.workflow import transitions
from web.app import create_app

from ..factories import step
from ..web.test_public import STATES, _code, _make

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TIDTAM_ARTIFACTS", "test-artifacts")) / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "browser test password"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: install Debian's chromium")
    pytest.skip("chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(database_url: str, engine: Engine) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        Settings(
            database_url=database_url,
            base_url=base,
            secret_key="browser-test-secret",
            track_rate_limit=10_000,
        )
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield base
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _page(browser: Browser, viewport: dict[str, int], locale: str = "th-TH") -> Page:
    return browser.new_page(viewport=viewport, locale=locale)


def _axe(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in violations
    )


def _check(browser: Browser, url: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = _page(browser, viewport)
        response = page.goto(url)
        assert response is not None
        assert response.status < 500
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        violations = _axe(page)
        assert violations == [], _describe(violations)
        page.close()


def test_tracking_form(browser: Browser, server: str) -> None:
    _check(browser, f"{server}/track", "track-form")
    _check(browser, f"{server}/track?code=WRONG", "track-form-error")


@pytest.mark.parametrize("kind", STATES)
def test_status_page(browser: Browser, server: str, engine: Engine, kind: str) -> None:
    code = _code(engine, _make(engine, kind))
    _check(browser, f"{server}/track/{code}", f"track-{kind}")
    _check(browser, f"{server}/track/{code}?lang=en", f"track-{kind}-en")


@pytest.mark.parametrize("slug", ["building-small", "food-premises", "fine-settlement"])
def test_permit_type_page(browser: Browser, server: str, slug: str) -> None:
    _check(browser, f"{server}/permit-types/{slug}", f"permit-type-{slug}")


def test_permit_types_index(browser: Browser, server: str) -> None:
    _check(browser, f"{server}/permit-types", "permit-types")


def test_receipt_qr_decodes_to_the_status_page(
    browser: Browser, server: str, engine: Engine
) -> None:
    app_id = _make(engine, "applicants-turn")
    code = _code(engine, app_id)
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            office_slug="pathumwan",
            username="browser-clerk",
            role="clerk",
            department="environment-sanitation",
            password=PASSWORD,
        )
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server}/applications/{app_id}/receipt")
    assert "/staff/login" in page.url
    violations = _axe(page)
    assert violations == [], _describe(violations)
    page.fill("#username", "browser-clerk")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/applications/{app_id}/receipt")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "receipt-desktop.png"), full_page=True)
    violations = _axe(page)
    assert violations == [], _describe(violations)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "receipt.pdf").write_bytes(pdf)
    # Decode the QR as a phone camera would: from the rendered page.
    image = Image.open(io.BytesIO(page.locator(".qr").screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    url = found[0].text
    # The link carries the version printed (``?v=``): the page it opens is never older.
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, app_id).version
    assert url == f"{server}/track/{code}?v={version}"
    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    response = phone.goto(url)
    assert response is not None
    assert response.status == 200
    assert code in phone.content()
    context.close()


def test_manager_dashboard_and_stats(browser: Browser, server: str, engine: Engine) -> None:
    for kind in STATES:
        _make(engine, kind)
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username="browser-manager",
            role="manager",
            department=None,
            password=PASSWORD,
            office_slug="pathumwan",
        )
    _check(browser, f"{server}/stats", "stats")
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server}/staff/login?next=/manager")
    page.fill("#username", "browser-manager")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/manager")
    page.screenshot(path=str(ARTIFACTS / "manager-desktop.png"), full_page=True)
    violations = _axe(page)
    assert violations == [], _describe(violations)
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/manager?lang=en&date_from=2020-01-01")
    page.screenshot(path=str(ARTIFACTS / "manager-phone.png"), full_page=True)
    violations = _axe(page)
    assert violations == [], _describe(violations)
    context.close()


# --- staff pages ------------------------------------------------------------------------------


def _staff_account(engine: Engine, username: str, role: str, department: str | None) -> None:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username=username,
            role=role,
            department=department,
            password=PASSWORD,
            office_slug="pathumwan",
        )


def _signed_in(browser: Browser, server: str, username: str) -> tuple[BrowserContext, Page]:
    """A browser that signed in through the form (the session cookie), on the work queue."""
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/staff")
    return context, page


def _check_signed_in(page: Page, url: str, name: str, status: int = 200) -> None:
    """``url`` in Thai and in English, at phone and desktop widths: screenshots, no axe
    violations."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang, suffix in (("th", ""), ("en", "-en")):
        target = url if lang == "th" else url + ("&" if "?" in url else "?") + "lang=en"
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            response = page.goto(target)
            assert response is not None
            assert response.status == status, target
            assert page.locator("html").get_attribute("lang") == lang
            page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}-{label}.png"), full_page=True)
            violations = _axe(page)
            assert violations == [], f"{target} at {label}:\n" + _describe(violations)


def test_staff_pages_are_accessible(browser: Browser, server: str, engine: Engine) -> None:
    intake_id = _make(engine, "applicants-turn")
    overdue_id = _make(engine, "overdue")
    refused_id = _make(engine, "refused")
    _staff_account(engine, "browser-clerk", "clerk", "environment-sanitation")
    _staff_account(engine, "browser-manager", "manager", None)
    context, page = _signed_in(browser, server, "browser-clerk")
    _check_signed_in(page, f"{server}/staff", "staff-queue")
    _check_signed_in(
        page, f"{server}/staff?overdue=1&permit_type=food-premises", "staff-queue-overdue"
    )
    _check_signed_in(page, f"{server}/staff/applications/{intake_id}", "staff-application")
    _check_signed_in(page, f"{server}/staff/applications/{overdue_id}", "staff-application-overdue")
    _check_signed_in(page, f"{server}/staff/applications/{refused_id}", "staff-application-refused")
    _check_signed_in(page, f"{server}/staff/applications/new", "staff-intake")
    _check_signed_in(page, f"{server}/staff?state=nowhere", "staff-queue-bad-filter", status=422)

    # The refused form: the page again with the message, the field marked.
    for lang, locale_query in (("th", ""), ("en", "?lang=en")):
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            page.goto(f"{server}/staff/applications/new{locale_query}")
            page.select_option("#permit_type", "food-premises")
            page.fill("#applicant_name", "สมศรี ทดสอบ")
            page.fill("#id_number", "1101700123457")  # wrong check digit
            page.fill("#address", "1 ถนนพระราม ๑ เขตปทุมวัน")
            with page.expect_navigation() as navigation:
                page.click("form.stack button[type=submit]")
            response = navigation.value
            assert response is not None
            assert response.status == 422
            assert page.locator("#id_number").get_attribute("aria-invalid") == "true"
            assert page.input_value("#applicant_name") == "สมศรี ทดสอบ"
            suffix = "-en" if lang == "en" else ""
            page.screenshot(
                path=str(ARTIFACTS / f"staff-intake-error{suffix}-{label}.png"), full_page=True
            )
            violations = _axe(page)
            assert violations == [], _describe(violations)

            # A stale form: someone else changed the application after the page was read.
            page.goto(f"{server}/staff/applications/{overdue_id}{locale_query}")
            with unit_of_work(engine) as session:
                transitions.get_application(session, overdue_id).version += 1
            page.select_option("#status-hygiene_inspection", "received")
            its_form = page.locator("form", has=page.locator("#status-hygiene_inspection"))
            with page.expect_navigation() as navigation:
                its_form.locator("button[type=submit]").click()
            response = navigation.value
            assert response is not None
            assert response.status == 409
            assert page.locator("[role=alert]").count() == 1
            page.screenshot(
                path=str(ARTIFACTS / f"staff-application-conflict{suffix}-{label}.png"),
                full_page=True,
            )
            violations = _axe(page)
            assert violations == [], _describe(violations)
    context.close()

    context, page = _signed_in(browser, server, "browser-manager")
    _check_signed_in(page, f"{server}/staff", "staff-queue-manager")
    _check_signed_in(page, f"{server}/staff/applications/{overdue_id}", "staff-application-manager")
    _check_signed_in(page, f"{server}/staff/applications/new", "staff-intake-forbidden", 403)
    context.close()


def test_clerk_takes_in_checks_and_accepts_in_the_browser(
    browser: Browser, server: str, engine: Engine
) -> None:
    slug = "fine-settlement"
    permit = default_catalogue()[slug]
    accept = next(t for t in permit.transitions if t.event == "accept_application")
    _staff_account(engine, "browser-clerk-cle", "clerk", permit.department)
    context, page = _signed_in(browser, server, "browser-clerk-cle")

    page.click('a[href="/staff/applications/new"]')
    page.select_option("#permit_type", slug)
    page.fill("#applicant_name", "สมปอง ทดสอบระบบ")
    page.fill("#id_number", "1101700123456")
    page.fill("#phone", "081-234-5678")
    page.fill("#address", "99 ถนนพญาไท แขวงวังใหม่ เขตปทุมวัน")
    page.fill("#description", "จอดรถบนทางเท้า")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/applications/*/receipt")
    app_id = int(page.url.split("/applications/", 1)[1].split("/", 1)[0])
    code = _code(engine, app_id)
    assert code in page.content()

    page.goto(f"{server}/staff")
    page.click(f'a[href="/staff/applications/{app_id}"]')
    page.wait_for_url(f"**/staff/applications/{app_id}")
    assert page.inner_text("#current-step") == permit.initial_step.label.th
    assert page.locator("#event-accept_application form").count() == 0  # not yet

    # The step's items in one form, saved at once, back at the checklist.
    for item in accept.requires:
        page.select_option(f"#status-{item}", "verified")
        page.fill(f"#note-{item}", "ตรวจกับต้นฉบับแล้ว")
    page.click("form.checklist-form button[type=submit]")
    page.wait_for_url(f"**/staff/applications/{app_id}?done=checklist_saved*#checklist")
    done = page.inner_text("#checklist [role=status]")
    assert done.startswith("บันทึกรายการตรวจสอบแล้ว: ")
    for item in accept.requires:
        assert permit.item(item).label.th in done
        assert "ตรวจแล้วถูกต้อง" in page.inner_text(f"#item-{item}")

    page.click("#event-accept_application button[type=submit]")
    page.wait_for_url(f"**/staff/applications/{app_id}?done=transition")
    assert page.inner_text("#current-step") == permit.step(accept.target).label.th
    page.screenshot(path=str(ARTIFACTS / "staff-flow-accepted-desktop.png"), full_page=True)
    violations = _axe(page)
    assert violations == [], _describe(violations)
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, app_id).state == accept.target

    page.click("button.link-button")  # sign out
    page.wait_for_url("**/staff/login")
    page.goto(f"{server}/staff")
    assert "/staff/login" in page.url
    context.close()


def test_the_order_letter_prints_on_one_a4_page(
    browser: Browser, server: str, engine: Engine
) -> None:
    """A refusal's and a return's letter: one A4 page each in Thai and English, no axe
    violations, the signatures on the page with the letter."""
    refused_id = _make(engine, "refused")
    returned_id = _make(engine, "applicants-turn")  # the s.8 request, then its deadline lapses
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, returned_id)
        application.applicant_deadline = application.submitted_on
    food = default_catalogue()["food-premises"]
    ret = next(t for t in food.transitions if t.event == "return_application")
    step(engine, returned_id, ret)
    _staff_account(engine, "browser-letters", "clerk", "environment-sanitation")
    context, page = _signed_in(browser, server, "browser-letters")
    for app_id, name in ((refused_id, "order-refusal"), (returned_id, "order-return")):
        url = f"{server}/applications/{app_id}/order"
        _check_signed_in(page, url, name)
        for query in ("", "?lang=en"):
            page.goto(url + query)
            assert _pages(page.pdf(format="A4")) == 1, (name, query)
    context.close()


def _pages(pdf: bytes) -> int:
    """The pages of a PDF Chromium printed: its page objects, which its page tree counts."""
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    assert re.findall(rb"/Count (\d+)", pdf) == [str(pages).encode()]
    return pages
