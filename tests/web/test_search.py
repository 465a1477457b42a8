"""The work queue's search on the staff page (``/staff?q=``) and in the API
(``GET /api/v1/applications?q=``): each key finds its file, the scope holds, and a query the
rules refuse says why (a page with the message, or 422 JSON), never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from checklists.loader import default_catalogue
from tracking import codes, demo
from tracking.clock import bangkok_date
from tracking.models import utcnow
from tracking.reads.staff import queue as queue_reads
from web.routes.staff import queue as queue_page

from .conftest import Staff

FOOD = "food-premises"  # environment-sanitation
FINE = "fine-settlement"  # city-law-enforcement
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
ID_A = "3100500123451"
ID_B = "1709900043211"


def _thai_id(first_twelve: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return first_twelve + str((11 - total % 11) % 10)


def _take_in(staff: Staff, slug: str, name: str, id_number: str, address: str) -> dict[str, Any]:
    fields = demo.sample_details(default_catalogue()[slug], bangkok_date(utcnow()))
    response = staff.for_type(slug, "clerk").post(
        "/api/v1/applications",
        json={
            "permit_type": slug,
            "applicant": {"name": name, "id_number": _thai_id(id_number[:12])},
            "subject": {"address": address, **fields},
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def files(staff: Staff) -> dict[str, dict[str, Any]]:
    return {
        "a": _take_in(staff, FOOD, "สมชาย ใจดี", ID_A, "99 ถนนพญาไท เขตปทุมวัน"),
        "b": _take_in(staff, FOOD, "Jane O'Brien", ID_B, "12 Soi Chula 42"),
        "c": _take_in(staff, FINE, "สมศรี มีสุข", "550120009876", "7 ถนนพระราม 4 เขตปทุมวัน"),
    }


def _codes_in(html: str, files: dict[str, dict[str, Any]]) -> set[str]:
    listing = html.split('id="queue-total"', 1)[1]
    return {key for key, f in files.items() if f["tracking_code"] in listing}


def _api(staff: Staff, q: str, slug: str = FOOD) -> Any:
    return staff.for_type(slug, "officer").get("/api/v1/applications", params={"q": q})


def _alert(html: str) -> str:
    found = re.search(r'<div class="alert" role="alert" id="search-error">(.*?)</div>', html, re.S)
    assert found, "no search alert on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_each_key_finds_its_file_on_the_page(
    staff: Staff, files: dict[str, dict[str, Any]]
) -> None:
    officer = staff.for_type(FOOD, "officer")
    code = files["a"]["tracking_code"]
    id_a = _thai_id(ID_A[:12])
    for typed in (
        code.lower(),
        code.replace("-", ""),
        code.translate(THAI),
        f"{id_a[:1]}-{id_a[1:5]}-{id_a[5:10]}-{id_a[10:12]}-{id_a[12:]}",
        "ใจด",
        "พญาไท",
    ):
        page = officer.get("/staff", params={"q": typed})
        assert page.status_code == 200, typed
        assert _codes_in(page.text, files) == {"a"}, typed
        assert 'name="q" value="' + typed + '"' in page.text  # what was typed stays
        assert "พบ 1 รายการ" in page.text
    assert "สมชาย ใจดี" in page.text  # the applicant's name is in the row
    assert _codes_in(officer.get("/staff", params={"q": "chula"}).text, files) == {"b"}
    # Unsearched, the queue holds both of the department's files.
    assert _codes_in(officer.get("/staff").text, files) == {"a", "b"}


def test_the_search_box_is_labelled_and_explained(staff: Staff) -> None:
    html = staff.for_type(FOOD, "officer").get("/staff", params={"lang": "en"}).text
    assert '<label for="f-q">Search</label>' in html
    assert 'aria-describedby="f-q-hint"' in html
    assert "a 13-digit ID number" in html
    assert "ค้นหา" in staff.for_type(FOOD, "officer").get("/staff").text


def test_each_key_finds_its_file_in_the_api(staff: Staff, files: dict[str, dict[str, Any]]) -> None:
    code = files["b"]["tracking_code"]
    for typed in (code.lower(), codes.normalise(code).translate(THAI), "o'brien", "SOI chula"):
        body = _api(staff, typed).json()
        assert [i["tracking_code"] for i in body["items"]] == [code], typed
        assert body["items"][0]["applicant_name"] == "Jane O'Brien"
        assert (body["total"], body["total_text"]) == (1, "1")


def test_another_departments_file_is_not_found(
    staff: Staff, files: dict[str, dict[str, Any]]
) -> None:
    code = files["c"]["tracking_code"]
    for typed in ("สมศรี", code, _thai_id("550120009876"[:12])):
        assert _api(staff, typed).json()["items"] == [], typed
        page = staff.for_type(FOOD, "officer").get("/staff", params={"q": typed})
        assert _codes_in(page.text, files) == set()
        assert [i["tracking_code"] for i in _api(staff, typed, FINE).json()["items"]] == [code]
    manager = staff("manager").get("/staff", params={"q": "ปทุมวัน"}).text
    assert _codes_in(manager, files) == {"a", "c"}


@pytest.mark.parametrize("typed", ["%%%", "___", "%_%", '"""', "'''", "a'b OR 1=1", "*** AND ***"])
def test_hostile_words_find_nothing(
    staff: Staff, files: dict[str, dict[str, Any]], typed: str
) -> None:
    response = _api(staff, typed)
    if len(typed.split()) and all(len(w) >= 3 for w in typed.split()):
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
        page = staff.for_type(FOOD, "officer").get("/staff", params={"q": typed})
        assert page.status_code == 200
        assert _codes_in(page.text, files) == set()
    else:
        assert response.status_code == 422


@pytest.mark.parametrize(
    ("typed", "th", "en"),
    [
        ("x" * 101, "ยาวเกิน 100 ตัวอักษร", "longer than 100 characters"),
        ("aaa bbb ccc ddd eee fff", "ไม่เกิน 5 คำ", "at most 5 words"),
        ("สมชาย ใจ", "อย่างน้อย 3 ตัวอักษร: ใจ", "at least 3 characters: ใจ"),
        ("%", "อย่างน้อย 3", "at least 3"),
        ('"', "อย่างน้อย 3", "at least 3"),
    ],
)
def test_a_refused_search_says_why(
    staff: Staff, files: dict[str, dict[str, Any]], typed: str, th: str, en: str
) -> None:
    response = _api(staff, typed)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert th in body["message"]["th"]
    assert en in body["message"]["en"]

    officer = staff.for_type(FOOD, "officer")
    page = officer.get("/staff", params={"q": typed})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert th in _alert(page.text)
    assert 'aria-invalid="true"' in page.text
    assert _codes_in(page.text, files) == set()  # not the whole queue, as if it matched
    english = officer.get("/staff", params={"q": typed, "lang": "en"})
    assert en in _alert(english.text)


def test_pages_of_a_search_keep_it_and_a_long_count_reads_as_capped(
    staff: Staff, files: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_page, "PER_PAGE", 1)
    manager = staff("manager")
    first = manager.get("/staff", params={"q": "ปทุมวัน"}).text
    assert 'href="/staff?q=%E0%B8%9B' in first  # the next page's link searches again
    monkeypatch.setattr(queue_reads, "COUNT_CAP", 1)
    capped = manager.get("/staff", params={"q": "ปทุมวัน"}).text
    assert "พบ 1+ รายการ" in capped
    body = manager.get("/api/v1/applications", params={"q": "ปทุมวัน"}).json()
    assert (body["total"], body["total_text"], len(body["items"])) == (1, "1+", 2)
