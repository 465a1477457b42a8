"""Rendering HTML pages: one Jinja2 environment (autoescaped) and the view helpers templates
may use. Templates receive view data; they never query."""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from checklists.schema import DEPARTMENTS, PermitType, Text
from web import i18n

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.auto_reload = False  # templates ship with the code; no stat() per render
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
STATIC_VERSION = hashlib.sha256((STATIC / "site.css").read_bytes()).hexdigest()[:10]


def department(permit: PermitType) -> Text:
    th, en = DEPARTMENTS[permit.department]
    return Text(th=th, en=en)


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
    office_name = ""
    if office is not None:
        office_name = office.name_th if lang == "th" else office.name_en
    base = {
        "lang": lang,
        "other_lang": other,
        "T": i18n.TEXT_ATTRS[lang],
        "t": partial(i18n.ui, lang=lang),
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
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Language"] = lang
    return response
