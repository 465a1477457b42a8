"""One place turns errors into responses, each with a message in Thai and English."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracking.errors import DomainError

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


def error_body(status: int, **extra: Any) -> dict[str, Any]:
    code, th, en = GENERIC.get(status, GENERIC[400] if status < 500 else GENERIC[500])
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


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(422, problems=_field_errors(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(exc.status_code),
            status_code=exc.status_code,
            headers={**(exc.headers or {}), **_headers(exc.status_code)},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500), status_code=500)
