"""The two busiest public reads, answered before the framework's routing.

`GET /api/v1/track/{code}` and `GET /track/{code}` are what every citizen's phone asks for.
This ASGI layer recognises the plain form of exactly those two URLs (no query, or only
``lang=th``/``lang=en``) and calls the endpoint functions of the documented routes,
``track_json`` and ``track_page``, itself: the same code the router would run, without route
matching and dependency injection (about half the cost of a lookup). It has no logic of its
own. Anything else, including any query string or path it does not know, goes on to the
app, whose router validates it and calls the same functions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from web.routes.public import CODE_MAX, track_json, track_page

Endpoint = Callable[[Request, str], Awaitable[Response]]
ENDPOINTS: tuple[tuple[str, Endpoint], ...] = (
    ("/api/v1/track/", track_json),
    ("/track/", track_page),
)
PLAIN_QUERIES = frozenset({b"", b"lang=th", b"lang=en"})


def endpoint_for(scope: Scope) -> tuple[Endpoint, str] | None:
    """The endpoint and tracking code of a request the hot path answers, else None."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    if scope.get("query_string", b"") not in PLAIN_QUERIES:
        return None
    path: str = scope["path"]
    for prefix, endpoint in ENDPOINTS:
        if path.startswith(prefix):
            code = path[len(prefix) :]
            if 0 < len(code) <= CODE_MAX and "/" not in code:
                return endpoint, code
            return None
    return None


class HotPaths:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = endpoint_for(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        endpoint, code = found
        response = await endpoint(Request(scope, receive), code)
        await response(scope, receive, send)
