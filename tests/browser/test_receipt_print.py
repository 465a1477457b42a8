"""The intake receipt in a real browser (Debian Chromium): taken in through the form, printed
to A4 PDF on exactly one page, in Thai and English, with all documents and with one missing;
its s.8 box names what the list above it shows still to supply; axe-core finds nothing on
the intake form or the receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from tracking import auth, demo, offices
from tracking.access import Actor
from tracking.clock import bangkok_date
from tracking.db import unit_of_work
from tracking.models import utcnow
from tracking.workflow import intake

from . import test_pages  # skips this module too where Chromium is missing
from .test_pages import ARTIFACTS, DESKTOP, PASSWORD, PHONE, _axe, _describe, _pages

# This module's own server and browser, made as test_pages makes its own.
server = test_pages.server
browser = test_pages.browser

FOOD = "food-premises"
PERMIT = default_catalogue()[FOOD]
DOCUMENTS = intake.intake_documents(PERMIT)
LEFT_OUT = next(d for d in DOCUMENTS if d.required and d.id != DOCUMENTS[0].id)
CLERK_NAME = "สมใจ รับเรื่องดี"
TO_SUPPLY = {"th": "ต้องยื่นเพิ่มเติม", "en": "to be supplied"}
COMPLETE = {
    "th": "เอกสารครบถ้วนตามคู่มือ ไม่มีรายการที่ต้องยื่นเพิ่มเติม",
    "en": "The documents match the published checklist; nothing more is needed.",
}


def _account(engine: Engine, username: str, role: str, department: str | None) -> None:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            office_slug="pathumwan",
            username=username,
            role=role,
            department=department,
            password=PASSWORD,
            display_name=CLERK_NAME,
        )


def _sign_in(browser: Browser, server: str, username: str, locale: str) -> Page:
    page = browser.new_context(viewport=DESKTOP, locale=locale).new_page()
    page.goto(f"{server}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/staff")
    return page


def _no_violations(page: Page, where: str) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        violations = _axe(page)
        assert violations == [], f"{where} at {viewport['width']}px:\n" + _describe(violations)


def _s8_matches_the_list(page: Page, lang: str) -> list[str]:
    """The rows marked to supply are what the s.8 box names, in order; none: it says complete."""
    rows = page.locator("table tbody tr")
    marked = []
    for i in range(rows.count()):
        label, status = rows.nth(i).locator("td").all_inner_texts()
        if TO_SUPPLY[lang] in status:
            marked.append(re.sub(r"\s*\((ไม่บังคับ|optional)\)$", "", label.strip()))
    named = [t.strip() for t in page.locator(".deficiency ol.missing li").all_inner_texts()]
    assert named == marked
    assert (COMPLETE[lang] in page.inner_text(".deficiency")) == (not marked)
    return marked


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("case", ["complete", "missing"])
def test_the_receipt_prints_on_one_a4_page_and_its_s8_box_matches_the_list(
    browser: Browser, server: str, engine: Engine, lang: str, case: str
) -> None:
    _account(engine, "print-clerk", "clerk", PERMIT.department)
    page = _sign_in(browser, server, "print-clerk", "th-TH" if lang == "th" else "en-GB")
    query = "&lang=en" if lang == "en" else ""
    page.goto(f"{server}/staff/applications/new?permit_type={FOOD}{query}")
    for document in DOCUMENTS:  # the required ones ticked for the clerk
        assert page.is_checked(f"#received-{document.id}") == document.required
    _no_violations(page, "the intake form")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = f"staff-intake-documents{'-en' if lang == 'en' else ''}-{case}-desktop.png"
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    page.fill("#applicant_name", "นางสาวสมศรี ทดสอบพิมพ์")
    page.fill("#id_number", "1101700123456")
    page.fill("#address", "99 ถนนพญาไท แขวงวังใหม่ เขตปทุมวัน")
    if case == "missing":
        page.uncheck(f"#received-{LEFT_OUT.id}")
    page.click("form.stack button[type=submit] >> nth=0")
    page.wait_for_url("**/applications/*/receipt*")
    app_id = int(page.url.split("/applications/", 1)[1].split("/", 1)[0])

    named = _s8_matches_the_list(page, lang)
    assert named == ([getattr(LEFT_OUT.label, lang)] if case == "missing" else [])
    assert CLERK_NAME in page.inner_text(".signatures")
    assert page.evaluate(
        "[...document.querySelectorAll('.signatures > div')]"
        ".every(d => getComputedStyle(d).breakInside === 'avoid')"
    )
    _no_violations(page, "the receipt")
    suffix = f"{case}{'-en' if lang == 'en' else ''}"
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"receipt-{suffix}-{label}.png"), full_page=True)

    pdf = page.pdf(format="A4")
    (ARTIFACTS / f"receipt-{suffix}.pdf").write_bytes(pdf)
    assert _pages(pdf) == 1

    # The print button is the script's (no inline script under the CSP); it prints.
    assert page.is_visible("#print-receipt")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("#print-receipt")
    assert page.evaluate("window.printed") is True
    page.click(f'a[href^="/staff/applications/{app_id}"]')
    page.wait_for_url(f"**/staff/applications/{app_id}*")
    page.context.close()


def test_every_type_s_longest_receipt_fits_one_a4_page(
    browser: Browser, server: str, engine: Engine
) -> None:
    """Nothing received (every required document named in the s.8 box too) and everything
    received, for every permit type, in both languages."""
    receipts = []
    with unit_of_work(engine) as session:
        office = offices.office_by_slug(session, "pathumwan")
        for permit in default_catalogue().values():
            clerk = Actor("clerk-print", "clerk", permit.department, office.id)
            documents = [d.id for d in intake.intake_documents(permit)]
            for received in ([], documents):
                application = intake.submit_application(
                    session,
                    permit_type_slug=permit.slug,
                    applicant=intake.Applicant(
                        name="นางสาวสมศรีสวัสดิ์ ทดสอบการพิมพ์ใบรับคำขอที่มีชื่อยาวมาก",
                        id_number="1101700123456",
                    ),
                    subject=intake.Subject(
                        address="99/999 ถนนพญาไท แขวงวังใหม่ เขตปทุมวัน กรุงเทพมหานคร",
                        details=demo.sample_details(permit, bangkok_date(utcnow())),
                    ),
                    actor=clerk,
                    received=received,
                )
                receipts.append((permit.slug, bool(received), application.id))
    _account(engine, "print-admin", "admin", None)
    page = _sign_in(browser, server, "print-admin", "th-TH")
    for slug, complete, app_id in receipts:
        for lang in ("th", "en"):
            page.goto(f"{server}/applications/{app_id}/receipt?lang={lang}")
            assert bool(_s8_matches_the_list(page, lang)) != complete
            assert _pages(page.pdf(format="A4")) == 1, (slug, complete, lang)
    page.context.close()
