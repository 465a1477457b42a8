"""Security headers on every response, the hot paths included (this layer is outermost).

A strict Content-Security-Policy (the pages use no inline script or style), no framing, no
MIME sniffing, the referrer kept on this site, HSTS when the base URL is https, and
``Cache-Control: no-store`` on everything staff see and everything that carries personal data
(a route may already have said so; the public lookups do).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
HSTS = "max-age=31536000; includeSubDomains"
# Paths whose answers name applicants or staff: never kept by a browser or a proxy.
PRIVATE = (
    "/staff",
    "/applications",
    "/manager",
    "/api/v1/applications",
    "/api/v1/auth",
    "/api/v1/compliance",
    "/api/v1/reports",
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = str(scope["path"]).startswith(PRIVATE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    headers.setdefault(name, value)
                if self.https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
