"""One place turns errors into responses, each with a message in Thai and English: JSON for
the API, and the error page for a route whose answer is a page (``web.pages.PageRoute``).
A signed-out visitor of a page is sent to sign in."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracking.errors import DomainError
from web.deps import SignInFirst
from web.pages import error_page, is_page, request_office

log = logging.getLogger("tidtam")

GENERIC: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "คำขอไม่ถูกต้อง อ่านข้อมูลที่ส่งมาไม่ได้", "The request could not be read"),
    401: ("unauthorized", "กรุณาเข้าสู่ระบบ", "Sign in first"),
    403: ("not_permitted", "ไม่มีสิทธิ์ดำเนินการนี้", "You are not permitted to do this"),
    404: ("not_found", "ไม่พบสิ่งที่ขอ", "Not found"),
    405: ("method_not_allowed", "ไม่รองรับวิธีการเรียกนี้", "This method is not allowed here"),
    406: ("not_acceptable", "ไม่รองรับรูปแบบที่ขอ", "The requested format is not available"),
    409: ("conflict", "ข้อมูลขัดแย้งกับสถานะปัจจุบัน", "The request conflicts with the current state"),
    413: ("too_large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป", "The request body is too large"),
    415: ("unsupported_media_type", "ไม่รองรับชนิดข้อมูลที่ส่งมา", "Unsupported content type"),
    422: ("invalid_input", "ข้อมูลไม่ถูกต้อง", "The data sent is not valid"),
    429: ("rate_limited", "เรียกใช้บ่อยเกินไป กรุณารอสักครู่", "Too many requests; wait a moment"),
    500: ("server_error", "ระบบขัดข้อง กรุณาลองใหม่ภายหลัง", "Something went wrong; try again later"),
}


def _generic(status: int) -> tuple[str, str, str]:
    return GENERIC.get(status, GENERIC[400] if status < 500 else GENERIC[500])


def error_body(status: int, **extra: Any) -> dict[str, Any]:
    code, th, en = _generic(status)
    return {"error": code, "message": {"th": th, "en": en}, **extra}


def _headers(status: int, retry_after: int | None = None) -> dict[str, str]:
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    problems = []
    for err in exc.errors():
        problems.append(
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
                "problem": str(err.get("msg", "invalid")),
            }
        )
    return problems


def domain_error_response(exc: DomainError) -> JSONResponse:
    retry_after = getattr(exc, "retry_after", None)
    return JSONResponse(
        exc.as_dict(),
        status_code=exc.status_code,
        headers=_headers(exc.status_code, retry_after),
    )


def _page(
    request: Request, message: tuple[str, str], status: int, headers: dict[str, str] | None = None
) -> Response:
    """The error page of a page route (in the page's language, never cached)."""
    try:
        office = request_office(request)
    except SQLAlchemyError:  # the page says what went wrong even without the database
        log.exception("error page: the office could not be read")
        office = None
    response = error_page(request, message, status, office)
    response.headers.update(headers or {})
    return response


async def page_error(
    request: Request, message: tuple[str, str], status: int, headers: dict[str, str] | None = None
) -> Response:
    # The office is read from the database: off the event loop.
    return await run_in_threadpool(_page, request, message, status, headers)


def _generic_message(status: int) -> tuple[str, str]:
    _, th, en = _generic(status)
    return th, en


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if not is_page(request):
            return domain_error_response(exc)
        headers = _headers(exc.status_code, getattr(exc, "retry_after", None))
        return await page_error(request, (exc.th, exc.en), exc.status_code, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if is_page(request):
            # Fixed text: pydantic's wording is English and may quote the input.
            return await page_error(request, _generic_message(422), 422)
        return JSONResponse(error_body(422, problems=_field_errors(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        if is_page(request):
            return await page_error(request, _generic_message(status), status, exc.headers)
        return JSONResponse(
            error_body(status),
            status_code=status,
            headers={**(exc.headers or {}), **_headers(status)},
        )

    @app.exception_handler(SignInFirst)
    async def sign_in_first(_request: Request, exc: SignInFirst) -> Response:
        return RedirectResponse(f"/staff/login?next={quote(exc.back_to)}", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if is_page(request):
            return await page_error(request, _generic_message(500), 500)
        return JSONResponse(error_body(500), status_code=500)
