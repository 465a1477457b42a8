"""The two busiest public reads, answered before the framework's routing.

`GET /api/v1/track/{code}` and `GET /track/{code}` are what every citizen's phone asks for.
This ASGI layer recognises exactly those two paths and calls the same response functions the
documented routes use, skipping route matching and dependency injection (about half the
cost of a lookup). Anything else, including any malformed variant, goes on to the app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tracking.errors import DomainError
from web.errors import domain_error_response
from web.routes.public import track_json_response, track_page_response

MAX_CODE = 40
JSON_PREFIX = "/api/v1/track/"
PAGE_PREFIX = "/track/"


class HotPaths:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(JSON_PREFIX):
                code = path[len(JSON_PREFIX) :]
                if 0 < len(code) <= MAX_CODE and "/" not in code:
                    try:
                        response = track_json_response(Request(scope, receive), code)
                    except DomainError as exc:
                        response = domain_error_response(exc)
                    await response(scope, receive, send)
                    return
            elif path.startswith(PAGE_PREFIX):
                code = path[len(PAGE_PREFIX) :]
                query = scope.get("query_string", b"")
                simple_query = query in (b"", b"lang=th", b"lang=en")
                if 0 < len(code) <= MAX_CODE and "/" not in code and simple_query:
                    response = track_page_response(Request(scope, receive), code)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
