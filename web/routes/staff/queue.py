"""The work queue: the signed-in staff member's applications, oldest first."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from tracking.clock import bangkok_date
from tracking.models import utcnow
from tracking.reads import staff as queries
from web import i18n
from web.deps import SessionDep, StaffActor
from web.pages import HTML
from web.routes.staff.common import lang_param, staff_page, staff_router

router = staff_router()

PER_PAGE = 50
MAX_PAGE = 100_000
CHECKED = frozenset({"1", "true", "on"})


@router.get(
    "/staff",
    summary="Work queue (HTML): the signed-in staff member's applications, oldest first",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 422: HTML},
)
def work_queue(
    request: Request,
    session: SessionDep,
    actor: StaffActor,
    permit_type: str | None = None,
    state: str | None = None,
    overdue: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    """Filters outside the queue's scope are left out and said to be (422), never echoed; a
    search the rules refuse is not run and the page says why (422), keeping what was typed; a
    page number out of range shows the first page."""
    lang = i18n.language(request)
    number = int(page) if page and page.isdigit() and 1 <= int(page) <= MAX_PAGE else 1
    view = queries.queue_view(
        session,
        actor,
        bangkok_date(utcnow()),
        permit_type=permit_type,
        state=state,
        overdue=overdue in CHECKED,
        q=q,
        page=number,
        per_page=PER_PAGE,
    )
    applied = view.applied
    query = {k: v for k, v in (("permit_type", applied.permit_type), ("state", applied.state)) if v}
    if applied.overdue:
        query["overdue"] = "1"
    if applied.q:
        query["q"] = applied.q
    query.update(lang_param(request))

    def page_url(n: int) -> str:
        return "/staff?" + urlencode({**query, "page": str(n)})

    scope = (
        i18n.ui("queue_scope", lang, dept=i18n.pick(view.department, lang))
        if view.department
        else i18n.ui("queue_scope_all", lang)
    )
    return staff_page(
        request,
        session,
        actor,
        "staff_queue.html",
        {
            "view": view,
            "previous_url": page_url(number - 1) if number > 1 else None,
            "next_url": page_url(number + 1) if number < view.pages else None,
            "filtered": bool(applied.permit_type or applied.state or applied.overdue or view.query),
            "scope": scope,
            "error": i18n.ui("bad_filter", lang) if view.rejected else None,
            "search_error": (
                i18n.ui("search_refused", lang, why=i18n.pick(view.search_error, lang))
                if view.search_error
                else None
            ),
        },
        current="queue",
        status_code=422 if view.rejected or view.search_error else 200,
    )
