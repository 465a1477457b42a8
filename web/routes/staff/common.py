"""What the staff pages share: the staff member's menu, the staff footer, and rendering a page
that holds applicants' personal data (never cached)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from tracking.access import Actor
from tracking.errors import DomainError
from tracking.models import Office
from tracking.reads.staff import department_label
from web import i18n
from web.pages import no_store, page_router, render


def staff_router() -> APIRouter:
    return page_router(tags=["staff pages"])


def message(exc: DomainError, lang: str) -> str:
    return exc.th if lang == "th" else exc.en


def lang_param(request: Request) -> dict[str, str]:
    """The language asked for in the query, to carry over a redirect."""
    asked = request.query_params.get("lang")
    return {"lang": asked} if asked in i18n.LANGUAGES else {}


def see_other(request: Request, path: str, anchor: str = "", **query: str) -> RedirectResponse:
    """On to ``path`` (303; at ``#anchor``, if given), in the language this request asked for."""
    params = urlencode({**query, **lang_param(request)})
    fragment = f"#{anchor}" if anchor else ""
    return RedirectResponse(path + (f"?{params}" if params else "") + fragment, status_code=303)


def office(session: Session, actor: Actor) -> Office | None:
    return session.get(Office, actor.office_id) if actor.office_id else None


def nav(actor: Actor) -> dict[str, Any]:
    """The staff menu: who is signed in, and the pages their role opens."""
    return {
        "username": actor.username,
        "role": actor.role,
        "department": department_label(actor.department) if actor.department else None,
        "can_intake": actor.may_intake,
        "is_manager": actor.is_manager,
        "is_city": actor.city_wide,
    }


def _staff_footer(lang: str) -> Markup:
    # Not the public footer: that one says the page shows no personal data.
    return Markup('<p><a href="/permit-types{}">{}</a></p><p class="small">{}</p>').format(
        "?lang=en" if lang == "en" else "",
        i18n.ui("permit_types", lang),
        i18n.ui("staff_privacy", lang),
    )


def staff_page(
    request: Request,
    session: Session,
    actor: Actor,
    name: str,
    context: dict[str, Any],
    *,
    current: str = "",
    status_code: int = 200,
) -> Response:
    """A page of the staff menu (``current``: the menu entry it is) with applicants' personal
    data: the staff footer, and never cached."""
    lang = i18n.language(request)
    response = render(
        request,
        name,
        {"footer": _staff_footer(lang), "staff": nav(actor), "nav_current": current, **context},
        status_code=status_code,
        office=office(session, actor),
        lang=lang,
    )
    return no_store(response)


def refused_filters_page(
    request: Request,
    session: Session,
    actor: Actor,
    name: str,
    context: dict[str, Any],
    exc: DomainError,
    *,
    current: str,
) -> Response:
    """A page of figures whose filters were refused: the message (Thai or English) beside the
    field it names, nothing computed."""
    lang = i18n.language(request)
    context.update(error=exc.th if lang == "th" else exc.en, error_field=exc.detail.get("field"))
    return staff_page(
        request, session, actor, name, context, current=current, status_code=exc.status_code
    )
