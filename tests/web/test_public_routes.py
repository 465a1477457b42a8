"""One implementation of the public lookup, whichever way a request reaches it.

``web.hotpaths`` answers the plain form of ``GET /track/{code}`` and ``GET /api/v1/track/{code}``
before routing; any other form (here ``x=1`` in the query) goes through the documented routes.
Both must serve what the domain's lookup, shaped by ``web.views``, says.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import codes
from tracking.clock import bangkok_date
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.errors import DomainError
from tracking.models import utcnow
from tracking.reads import public
from tracking.workflow import transitions
from web import views
from web.app import create_app
from web.errors import domain_error_response
from web.hotpaths import HotPaths, endpoint_for

from ..factories import committed_application, walk
from .conftest import BASE_URL

KINDS = ["open", "refused", "mistyped", "unknown"]
# (query the hot path answers, the same request as only the router answers it)
QUERIES = [("", "?x=1"), ("?lang=en", "?lang=en&x=1"), ("?lang=th", "?x=1&lang=th")]


def _code(engine: Engine, kind: str) -> str:
    if kind == "unknown":
        return codes.format_code(codes.new_code())
    app_id = committed_application(engine, now=datetime.now(UTC) - timedelta(days=20))
    if kind == "refused":
        walk(engine, app_id, path_to(default_catalogue()["food-premises"], {Outcome.refused}))
    with unit_of_work(engine) as session:
        code = codes.format_code(transitions.get_application(session, app_id).tracking_code)
    if kind == "mistyped":
        plain = code.replace("-", "")
        return plain[:3] + next(c for c in codes.ALPHABET if c != plain[3]) + plain[4:]
    return code


def _expected(engine: Engine, code: str) -> tuple[int, Any]:
    """Status and JSON of the one implementation, called directly."""
    with engine.connect() as connection:
        try:
            status = public.lookup(connection, code, bangkok_date(utcnow()))
        except DomainError as exc:
            return exc.status_code, orjson.loads(domain_error_response(exc).body)
    return 200, orjson.loads(orjson.dumps(views.status_json(status)))


def _hot(path: str, query: str) -> bool:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.removeprefix("?").encode(),
    }
    return endpoint_for(scope) is not None


def _page(text: str) -> str:
    """The page without its language switch, the one link that repeats the query string."""
    return re.sub(r'class="lang" href="[^"]*"', 'class="lang" href=""', text)


@pytest.mark.parametrize("kind", KINDS)
def test_hot_path_and_routes_serve_the_one_lookup(
    engine: Engine, client: TestClient, kind: str
) -> None:
    code = _code(engine, kind)
    status, body = _expected(engine, code)
    assert status == {"open": 200, "refused": 200, "mistyped": 400, "unknown": 404}[kind]
    for hot, routed in QUERIES:
        for path in (f"/track/{code}", f"/api/v1/track/{code}"):
            assert _hot(path, hot)
            assert not _hot(path, routed)
        answers = [client.get(f"/api/v1/track/{code}{query}") for query in (hot, routed)]
        for answer in answers:
            assert answer.status_code == status
            assert answer.headers["content-type"] == "application/json"
            assert answer.json() == body
        if status == 200:
            assert all(a.headers["cache-control"] == "no-store" for a in answers)
        pages = [client.get(f"/track/{code}{query}") for query in (hot, routed)]
        for page in pages:
            assert page.status_code == status
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["content-language"] == ("en" if "en" in hot else "th")
        assert _page(pages[0].text) == _page(pages[1].text)
        assert code in pages[0].text
        lang = "en" if "en" in hot else "th"
        said = body["status"]["label"][lang] if status == 200 else body["message"][lang]
        assert str(escape(said)) in pages[0].text


def test_both_ways_in_share_the_rate_limit(database_url: str, engine: Engine) -> None:
    app = create_app(Settings(database_url=database_url, base_url=BASE_URL, track_rate_limit=2))
    code = _code(engine, "open")
    with (
        time_machine.travel(datetime(2026, 11, 26, 3, 0, 10, tzinfo=UTC), tick=False),
        TestClient(app) as client,
    ):
        assert client.get(f"/api/v1/track/{code}").status_code == 200
        assert client.get(f"/api/v1/track/{code}?x=1").status_code == 200
        hot, routed = (client.get(f"/api/v1/track/{code}{q}") for q in ("", "?x=1"))
        assert hot.status_code == routed.status_code == 429
        assert hot.json() == routed.json()
        assert hot.json()["error"] == "rate_limited"
        assert hot.headers["retry-after"] == routed.headers["retry-after"] == "50"
        pages = [client.get(f"/track/{code}{q}") for q in ("", "?x=1")]
        assert [p.status_code for p in pages] == [429, 429]
        assert [p.headers["retry-after"] for p in pages] == ["50", "50"]
        assert _page(pages[0].text) == _page(pages[1].text)


def test_routes_validate_what_the_hot_path_passes_on(client: TestClient) -> None:
    too_long = "K" * 41
    for path in (f"/track/{too_long}", f"/api/v1/track/{too_long}"):
        assert not _hot(path, "")
        assert client.get(path).status_code == 422
    assert client.get(f"/api/v1/track/{too_long}").json()["error"] == "invalid_input"
    assert not _hot("/track/K7MP2-Q9XR4", "lang=fr")
    assert client.get("/track/K7MP2-Q9XR4?lang=fr").status_code == 422
    # The pages answer with the error page, in both languages; the JSON route with JSON.
    for path in (f"/track/{too_long}", "/track/K7MP2-Q9XR4?lang=fr", "/permit-types?lang=fr"):
        page = client.get(path)
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert "ข้อมูลไม่ถูกต้อง" in page.text
    english = client.get(f"/track/{too_long}?lang=en")
    assert "The data sent is not valid" in english.text


@pytest.fixture
def hot_only(app: FastAPI) -> tuple[TestClient, list[tuple[str, str, str]]]:
    """The hot path in front of a stand-in for the router, which records what reaches it."""
    reached: list[tuple[str, str, str]] = []

    async def router(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append((scope["method"], scope["path"], scope["query_string"].decode()))
        await PlainTextResponse("router", status_code=418)(scope, receive, send)

    hot = HotPaths(router)

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app  # as Starlette sets it for its middleware
        await hot(scope, receive, send)

    return TestClient(asgi, base_url="https://testserver"), reached


def test_hot_path_answers_the_plain_urls_without_the_router(
    engine: Engine, client: TestClient, hot_only: tuple[TestClient, list[tuple[str, str, str]]]
) -> None:
    fast, reached = hot_only
    code = _code(engine, "open")
    _, body = _expected(engine, code)
    assert fast.get(f"/api/v1/track/{code}").json() == body
    assert fast.get(f"/api/v1/track/{code}?lang=en").json() == body
    page = fast.get(f"/track/{code}?lang=en")
    assert page.status_code == 200
    assert _page(page.text) == _page(client.get(f"/track/{code}?lang=en&x=1").text)
    assert fast.get(f"/track/{codes.format_code(codes.new_code())}").status_code == 404
    assert reached == []
    passed_on = [
        ("GET", f"/track/{code}", "x=1"),
        ("GET", f"/api/v1/track/{code}", "lang=en&x=1"),
        ("GET", f"/track/{code}", "lang=fr"),
        ("GET", f"/track/{code}/qr.svg", ""),
        ("GET", f"/api/v1/track/{'K' * 41}", ""),
        ("GET", "/track/", ""),
        ("GET", "/track", "code=abc"),
        ("POST", f"/api/v1/track/{code}", ""),
    ]
    for method, path, query in passed_on:
        answer = fast.request(method, f"{path}?{query}" if query else path)
        assert answer.status_code == 418, (method, path, query)
    assert reached == passed_on


def test_openapi_documents_the_two_lookups(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    page = paths["/track/{code}"]["get"]
    assert page["summary"] == "Public status page (HTML)"
    assert set(page["responses"]) >= {"200", "400", "404", "429"}
    assert "text/html" in page["responses"]["200"]["content"]
    assert {p["name"] for p in page["parameters"]} == {"code", "lang", "v"}
    data = paths["/api/v1/track/{code}"]["get"]
    assert data["summary"] == "Public status (JSON, no personal data)"
    for status in ("400", "404", "429"):
        schema = data["responses"][status]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorOut")
    code = next(p for p in data["parameters"] if p["name"] == "code")
    assert code["schema"]["maxLength"] == 40
