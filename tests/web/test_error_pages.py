"""One error handler, two answers: a route whose answer is a page answers its invalid
parameters, refusals and HTTP errors with the error page (the message in the page's language,
never cached); the API keeps answering JSON. And one sign-in guard for every staff page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .conftest import PASSWORD, Staff

INVALID_TH = "ข้อมูลไม่ถูกต้อง"
INVALID_EN = "The data sent is not valid"


def _sign_in(client: TestClient, username: str) -> None:
    signed = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def _message(html: str) -> str:
    found = re.search(r'<div class="alert" role="alert"><p>(.*?)</p></div>', html, re.S)
    assert found, "not the error page"
    return found.group(1)


def _is_error_page(response: object, status: int) -> str:
    assert response.status_code == status  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-store"
    return _message(response.text)  # type: ignore[attr-defined]


def test_an_invalid_dashboard_filter_is_an_html_422(staff: Staff, client: TestClient) -> None:
    # The dashboard's own form again, saying what is wrong in the page's language (its
    # tests: tests/web/test_manager_session.py); what was typed is shown escaped.
    staff("manager")
    _sign_in(client, "manager-office-a")
    thai = client.get("/manager", params={"date_from": "bad"})
    assert thai.status_code == 422
    assert thai.headers["content-type"].startswith("text/html")
    assert thai.headers["cache-control"] == "no-store"
    assert '<html lang="th">' in thai.text
    assert "วันที่ไม่ถูกต้อง" in thai.text
    english = client.get("/manager", params={"officer": "<b>x</b>", "lang": "en"})
    assert english.status_code == 422
    assert "An officer&#39;s username has only letters" in english.text
    assert "<b>x</b>" not in english.text
    assert "&lt;b&gt;x&lt;/b&gt;" in english.text
    assert client.get("/manager", params={"date_from": "2026-03-01"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/staff/applications/abc",
        "/staff/applications/0",
        "/applications/abc/receipt",
        "/applications/1/receipt?lang=fr",
        "/staff/login?next=" + "x" * 501,
    ],
)
def test_invalid_page_parameters_are_an_html_422(
    staff: Staff, client: TestClient, url: str
) -> None:
    _sign_in(client, staff.for_type("food-premises", "clerk").username)
    assert _is_error_page(client.get(url), 422) == INVALID_TH
    accept_english = client.get(url, headers={"Accept-Language": "en"})
    assert _is_error_page(accept_english, 422) == INVALID_EN


def test_refusals_and_http_errors_on_pages_are_html(staff: Staff, client: TestClient) -> None:
    _sign_in(client, staff.for_type("food-premises", "clerk").username)
    # A refusal of the domain: the dashboard is for managers (tracking.access).
    refused = client.get("/manager?lang=en")
    assert _is_error_page(refused, 403) == "Only managers can see compliance figures"
    # An HTTP error of the framework: a method the page does not have.
    wrong_method = client.put("/staff")
    assert _is_error_page(wrong_method, 405) == "ไม่รองรับวิธีการเรียกนี้"
    assert "GET" in wrong_method.headers["allow"]
    # The office of the signed-in staff member heads the page, as on their other pages.
    assert "สำนักงานเขตปทุมวัน" in wrong_method.text.split("</header>", 1)[0]


def test_the_api_keeps_answering_json(staff: Staff, client: TestClient) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    bad_query = clerk.get("/api/v1/applications", params={"page": "0"})
    assert bad_query.status_code == 422
    assert bad_query.headers["content-type"] == "application/json"
    body = bad_query.json()
    assert body["error"] == "invalid_input"
    assert body["message"] == {"th": INVALID_TH, "en": INVALID_EN}
    assert body["problems"][0]["field"] == "query.page"
    bad_path = clerk.get("/api/v1/applications/abc")
    assert bad_path.status_code == 422
    assert bad_path.json()["problems"][0]["field"] == "path.application_id"
    manager = staff("manager")
    bad_date = manager.get("/api/v1/compliance/summary", params={"date_from": "bad"})
    assert bad_date.status_code == 422
    assert bad_date.json()["error"] == "invalid_input"
    assert clerk.get("/api/v1/compliance/summary").json()["error"] == "not_permitted"
    wrong_method = clerk.client.put("/api/v1/applications")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    unknown = client.get("/staff/nowhere")  # no route: no page to speak of
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"


def test_the_schema_documents_page_errors_as_html(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/manager", "get"),
        ("/staff/applications/{application_id}", "get"),
        ("/applications/{application_id}/receipt", "get"),
        ("/staff/applications/{application_id}/transitions", "post"),
    ]:
        assert list(paths[path][method]["responses"]["422"]["content"]) == ["text/html"], path
    api = paths["/api/v1/applications/{application_id}"]["get"]["responses"]["422"]
    assert list(api["content"]) == ["application/json"]


def _page_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every operation the schema documents as a page: its errors are HTML."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "text/html" in operation["responses"].get("422", {}).get("content", {})
    ]


def test_every_staff_page_and_form_asks_a_signed_out_visitor_to_sign_in(
    client: TestClient,
) -> None:
    open_to_all = {"/staff/login", "/staff/logout"}
    staff_pages = ("/staff", "/applications", "/manager")
    routes = [
        (m, p)
        for m, p in _page_routes(client)
        if p.startswith(staff_pages) and p not in open_to_all
    ]
    assert {p for _, p in routes} >= {
        "/staff",
        "/staff/applications/new",
        "/staff/applications/{application_id}",
        "/staff/applications/{application_id}/checklist",
        "/staff/applications/{application_id}/checklist/{item_id}",
        "/staff/applications/{application_id}/transitions",
        "/applications/{application_id}/receipt",
        "/manager",
    }
    # A page comes back to itself; a form on an application's page, to that page.
    forms = {
        "/staff/applications/{application_id}/checklist",
        "/staff/applications/{application_id}/checklist/{item_id}",
        "/staff/applications/{application_id}/transitions",
        "/staff/applications/{application_id}/result-notice",
        "/staff/applications/{application_id}/extensions",
        "/staff/applications/{application_id}/assignment",
    }
    for method, path in routes:
        url = path.format(application_id=7, item_id="site_map", seq=2)
        response = client.request(method, url, follow_redirects=False)
        assert response.status_code == 303, (method, path)
        # The queue's form, back to the queue.
        back = {"/staff/assignments": "/staff"}
        target = "/staff/applications/7" if path in forms else back.get(path, url)
        assert response.headers["location"] == f"/staff/login?next={target}", (method, path)


def test_every_form_refuses_another_site_before_anything_else(client: TestClient) -> None:
    posts = [p for m, p in _page_routes(client) if m == "POST"]
    assert len(posts) >= 5
    for path in posts:
        url = path.format(application_id=7, item_id="site_map")
        response = client.post(url, headers={"Origin": "https://evil.example"})
        assert _is_error_page(response, 403).startswith("คำขอนี้ส่งมาจากเว็บไซต์อื่น"), path
