"""Public pages and JSON: tracking lookups, QR codes and the published permit catalogue.

No login and no personal data. Lookups are rate-limited per client with counters in the
database, so the limit holds across every app process.

``track_page`` and ``track_json`` are the one implementation of the two busiest reads. The
router calls them for the URLs documented here; ``web.hotpaths`` calls the same functions
for the plain form of those URLs before routing, to skip route matching and dependency
injection. Each turns its own errors into a response, so the two ways in answer alike.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from checklists.loader import default_catalogue
from tracking import periods, ratelimit
from tracking.clock import bangkok_date
from tracking.errors import DomainError, NotFound, RateLimited
from tracking.models import utcnow
from tracking.reads import public
from web import i18n, qr, views
from web.deps import canonical_url, tracking_url
from web.errors import domain_error_response
from web.pages import HTML, page_router, render, request_office
from web.schemas import ErrorOut

# Pages answer their refusals and invalid parameters with the error page; the JSON routes and
# the images with JSON.
pages = page_router(tags=["public"])
api = APIRouter(tags=["public"])
CODE_MAX = 40
CodeText = Annotated[str, Path(max_length=CODE_MAX, description="Tracking code, e.g. K7MP2-Q9XR4")]
Lang = Annotated[str | None, Query(pattern="^(th|en)$")]
# The version a printed receipt showed: the page is never older (``tracking.replica``).
Seen = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Version printed on the receipt")
]
LOOKUP_ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut} for s in (400, 404, 429)}


def _image(media: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a QR code route."""
    return {200: {"content": {media: {}}}, 304: {"description": "Cached"}, **LOOKUP_ERRORS}


SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _lookup(request: Request, code: str, seen: int | None = None) -> public.PublicStatus:
    """Count the lookup against the client's limit (shared by all processes), then read the
    status: from the read replica, unless it is older than version ``seen`` (the receipt's
    ``?v=``; ``tracking.replica``). Raises ``RateLimited``, ``CodeMistyped`` or ``NotFound``."""
    limiter: ratelimit.SharedLimiter = request.app.state.track_limiter
    decision = limiter.hit(f"track:{_client(request)}")
    if not decision.allowed:
        raise RateLimited(
            "ตรวจสอบบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่",
            "Too many lookups; please wait a moment and try again",
            retry_after=decision.retry_after,
        )
    state = request.app.state
    today = bangkok_date(utcnow())
    return public.lookup_at_least(state.engine, state.read_engine, code, today, seen)


def page_meta(request: Request, path: str, key: str, office: Any, **values: str) -> dict[str, Any]:
    """What a published page tells search engines: a description (UI text ``key``, naming
    the office so a search for the permit and the district finds it), its canonical address
    in this language, and the address of each language's version."""
    lang = i18n.language(request)
    settings = request.app.state.settings
    name = (office.name_th if lang == "th" else office.name_en) if office is not None else ""
    return {
        "description": i18n.ui(key, lang, office=name or i18n.ui("site", lang), **values),
        "canonical": canonical_url(settings, path, lang),
        "alternates": [(other, canonical_url(settings, path, other)) for other in i18n.LANGUAGES],
    }


def _error_page(request: Request, exc: DomainError, code: str = "") -> Response:
    lang = i18n.language(request)
    context = {"error": exc.th if lang == "th" else exc.en, "code": code}
    response = render(
        request,
        "track_form.html",
        context,
        status_code=exc.status_code,
        office=request_office(request),
        lang=lang,
    )
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@pages.get("/", include_in_schema=False)
def home(request: Request) -> RedirectResponse:
    query = "?lang=en" if request.query_params.get("lang") == "en" else ""
    return RedirectResponse(f"/track{query}", status_code=307)


@pages.get(
    "/track",
    summary="Tracking form (also accepts ?code=)",
    response_class=Response,
    responses={200: HTML, 303: {"description": "To the page"}, 400: HTML},
)
def track_form(
    request: Request,
    code: Annotated[str | None, Query(max_length=CODE_MAX)] = None,
    lang: Lang = None,
) -> Response:
    if code:
        try:
            canonical = public.parse_code(code)
        except DomainError as exc:
            return _error_page(request, exc, code)
        query = "?lang=en" if i18n.language(request) == "en" else ""
        return RedirectResponse(
            f"/track/{public.codes.format_code(canonical)}{query}", status_code=303
        )
    office = request_office(request)
    meta = page_meta(request, "/track", "meta_track", office)
    return render(
        request, "track_form.html", {"error": None, "code": "", "meta": meta}, office=office
    )


@pages.get(
    "/track/{code}",
    summary="Public status page (HTML)",
    response_class=Response,
    responses={200: HTML, 400: HTML, 404: HTML, 429: HTML},
)
async def track_page(
    request: Request, code: CodeText, lang: Lang = None, v: Seen = None
) -> Response:
    # The status page, or the form again with the 400/404/429 explanation. ``web.hotpaths``
    # calls this too, without ``lang`` or ``v``: the language is read from the request either
    # way, and a plain lookup may read the replica as it is.
    try:
        status = _lookup(request, code, v)
    except DomainError as exc:
        return _error_page(request, exc, code)
    language = i18n.language(request)
    response = render(
        request,
        "track.html",
        {"v": views.track_view(status, language)},
        office=status.office,
        lang=language,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@api.get(
    "/api/v1/track/{code}",
    summary="Public status (JSON, no personal data)",
    responses=LOOKUP_ERRORS,
)
async def track_json(request: Request, code: CodeText, v: Seen = None) -> Response:
    # The public status, or the 400/404/429 error body. ``web.hotpaths`` calls this too.
    try:
        status = _lookup(request, code, v)
    except DomainError as exc:
        return domain_error_response(exc)
    return Response(
        orjson.dumps(views.status_json(status)),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _qr_response(request: Request, code: str, kind: str, seen: int | None) -> Response:
    # A QR only for a real application's code: the lookup also counts against the limit.
    # With ``v`` (a receipt's), the QR's link carries it on to the page.
    status = _lookup(request, code, seen)
    url = tracking_url(request.app.state.settings, status.code, seen)
    tag = qr.etag(url, kind)
    headers = {"ETag": tag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    body, media = (qr.svg(url), "image/svg+xml") if kind == "svg" else (qr.png(url), "image/png")
    return Response(body, media_type=media, headers=headers)


@api.get(
    "/track/{code}/qr.svg",
    summary="QR code of the tracking URL (SVG)",
    response_class=Response,
    responses=_image("image/svg+xml"),
)
def qr_svg(request: Request, code: CodeText, v: Seen = None) -> Response:
    return _qr_response(request, code, "svg", v)


@api.get(
    "/track/{code}/qr.png",
    summary="QR code of the tracking URL (PNG)",
    response_class=Response,
    responses=_image("image/png"),
)
def qr_png(request: Request, code: CodeText, v: Seen = None) -> Response:
    return _qr_response(request, code, "png", v)


def _permit(slug: str) -> Any:
    try:
        return default_catalogue()[slug]
    except KeyError:
        raise NotFound(f"ไม่พบประเภทคำขอ {slug!r}", f"No permit type {slug!r}") from None


@pages.get(
    "/permit-types",
    summary="Published checklists (HTML)",
    response_class=Response,
    responses={200: HTML},
)
def permit_types_page(request: Request, lang: Lang = None) -> Response:
    permits = sorted(default_catalogue().values(), key=lambda p: p.number)
    office = request_office(request)
    meta = page_meta(request, "/permit-types", "meta_permit_types", office)
    return render(request, "permit_types.html", {"permits": permits, "meta": meta}, office=office)


@pages.get(
    "/permit-types/{slug}",
    summary="One permit type's checklist and guideline (HTML)",
    response_class=Response,
    responses={200: HTML, 404: HTML},
)
def permit_type_page(
    request: Request,
    slug: Annotated[str, Path(max_length=64)],
    lang: Lang = None,
) -> Response:
    try:
        permit = _permit(slug)
    except NotFound as exc:
        return render(
            request,
            "error.html",
            {"message": exc.th if i18n.language(request) == "th" else exc.en},
            status_code=404,
            office=request_office(request),
        )
    office = request_office(request)
    due = None
    if office is not None and office.id is not None:  # by this office's calendar, from today
        with Session(_engine(request)) as session:
            due = periods.due_at_office(session, office.id, permit, bangkok_date(utcnow()))
    lang = i18n.language(request)
    unit = "business_days" if permit.service_time.unit.value == "business" else "calendar_days"
    meta = page_meta(
        request,
        f"/permit-types/{permit.slug}",
        "meta_permit_type",
        office,
        name=i18n.pick(permit.name, lang),
        days=i18n.ui(unit, lang, n=permit.service_time.days),
    )
    return render(
        request, "permit_type.html", {"p": permit, "due": due, "meta": meta}, office=office
    )


@api.get("/api/v1/permit-types", summary="Published catalogue (JSON)")
def permit_types_json() -> JSONResponse:
    permits = sorted(default_catalogue().values(), key=lambda p: p.number)
    return JSONResponse([p.model_dump(mode="json") for p in permits])


@api.get(
    "/api/v1/permit-types/{slug}",
    summary="One permit type (JSON)",
    responses={404: {"model": ErrorOut}},
)
def permit_type_json(slug: Annotated[str, Path(max_length=64)]) -> JSONResponse:
    return JSONResponse(_permit(slug).model_dump(mode="json"))


router = APIRouter()
router.include_router(pages)
router.include_router(api)
