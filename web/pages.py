"""Rendering HTML pages: one Jinja2 environment (autoescaped), the view helpers templates may
use, and the mark of a route whose answer is a page (its errors are pages too). Templates
receive view data; they never query."""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from checklists.references import legal_reference
from checklists.schema import PermitType, Text, role_names
from tracking.models import Office
from tracking.reads.staff import department_label
from web import i18n

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.auto_reload = False  # templates ship with the code; no stat() per render
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
STATIC_VERSION = hashlib.sha256((STATIC / "site.css").read_bytes()).hexdigest()[:10]
# An HTML answer, as the OpenAPI schema documents it.
HTML: dict[str, Any] = {"content": {"text/html": {}}}


class PageRoute(APIRoute):
    """A route whose answer is an HTML page: ``web.errors`` answers its refusals, invalid
    parameters and HTTP errors with the error page rather than JSON."""


def page_router(**kwargs: Any) -> APIRouter:
    """A router of pages; an invalid parameter is documented as an HTML 422."""
    return APIRouter(route_class=PageRoute, responses={422: HTML}, **kwargs)


def is_page(request: Request) -> bool:
    return isinstance(request.scope.get("route"), PageRoute)


def no_store(response: Response) -> Response:
    """Personal data: never kept by the browser or a proxy (nor shown again after sign-out)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def department(permit: PermitType) -> dict[str, str]:
    return department_label(permit.department)


def transition_label(permit: PermitType, event: str) -> Text:
    return next(t.label for t in permit.transitions if t.event == event)


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language: the same path and query, ``lang`` replaced."""
    query = request.scope.get("query_string", b"")
    if not query or query in (b"lang=th", b"lang=en"):
        return f"{request.scope['path']}?lang={lang}"
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.scope['path']}?{urlencode(params)}"


_footers: dict[tuple[str, tuple[str, ...]], Markup] = {}


def footer(lang: str, office: Any) -> Markup:
    """The footer (catalogue link, complaint channel, feedback): the same on every page of
    an office in a language, so rendered once."""
    fields = ()
    if office is not None:
        fields = (
            office.complaint_th,
            office.complaint_en,
            office.complaint_url,
            office.feedback_url,
        )
    key = (lang, fields)
    if key not in _footers:
        _footers[key] = Markup(
            templates.get_template("footer.html").render(
                lang=lang,
                T=i18n.TEXT_ATTRS[lang],
                office=office,
                lang_query="?lang=en" if lang == "en" else "",
            )
        )
    return _footers[key]


def _ui_or(key: str, fallback: str, lang: str) -> str:
    """The UI text ``key``, or ``fallback`` where there is none (a value the texts do not
    name, shown as it is)."""
    return i18n.ui(key, lang) if key in i18n.UI else fallback


def request_office(request: Request) -> Office | None:
    """The office a page is shown for: the signed-in staff member's (``request.state.actor``,
    set by ``web.deps.SignedIn``), else the one this deployment serves."""
    actor = getattr(request.state, "actor", None)
    with Session(request.app.state.engine) as session:
        if actor is not None and actor.office_id is not None:
            return session.get(Office, actor.office_id)
        slug = request.app.state.settings.office
        return session.exec(select(Office).where(Office.slug == slug)).first()


def error_page(
    request: Request, message: tuple[str, str], status_code: int, office: Office | None = None
) -> Response:
    """The error page: ``message`` (Thai, English) in the page's language; never cached."""
    lang = i18n.language(request)
    text = message[0] if lang == "th" else message[1]
    response = render(
        request, "error.html", {"message": text}, status_code=status_code, office=office, lang=lang
    )
    return no_store(response)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    office: Any = None,
    lang: str | None = None,
) -> HTMLResponse:
    lang = lang or i18n.language(request)
    other = "en" if lang == "th" else "th"
    office_name = i18n.ui("bangkok", lang)  # a page of no one office: all of Bangkok's
    if office is not None:
        office_name = office.name_th if lang == "th" else office.name_en
    base = {
        "lang": lang,
        "other_lang": other,
        "T": i18n.TEXT_ATTRS[lang],
        "t": partial(i18n.ui, lang=lang),
        "t_or": partial(_ui_or, lang=lang),
        "pick": partial(i18n.pick, lang=lang),
        "date": partial(i18n.format_date, lang=lang),
        "datetime": partial(i18n.format_datetime, lang=lang),
        "lang_query": "?lang=en" if lang == "en" else "",
        "switch_url": switch_url(request, other),
        "office": office,
        "office_name": office_name,
        "footer": footer(lang, office),
        "static_version": STATIC_VERSION,
        "department": department,
        "transition_label": transition_label,
        "law": partial(legal_reference, lang=lang),
        "roles": partial(role_names, lang=lang),
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Language"] = lang
    return response
