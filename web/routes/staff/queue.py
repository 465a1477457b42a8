"""The work queue: the signed-in staff member's applications, oldest first, and the form
that gives the files ticked in it to one person."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from tracking.access import Actor
from tracking.clock import bangkok_date
from tracking.errors import DomainError, InvalidInput
from tracking.models import utcnow
from tracking.reads import city
from tracking.reads import staff as queries
from tracking.workflow import assignment
from web import i18n
from web.deps import SessionDep, SignedIn, StaffActor
from web.pages import HTML
from web.routes.staff.common import lang_param, message, see_other, staff_page, staff_router

router = staff_router()

PER_PAGE = 50
MAX_PAGE = 100_000
CHECKED = frozenset({"1", "true", "on"})
FILTERS = ("permit_type", "state", "overdue", "assignee", "q", "page")
QueueActor = Annotated[Actor, Depends(SignedIn("/staff"))]


def _queue_page(
    request: Request,
    session: Session,
    actor: Actor,
    params: dict[str, str | None],
    *,
    error: DomainError | None = None,
    done: str = "",
    form: dict[str, object] | None = None,
) -> Response:
    """Filters outside the queue's scope are left out and said to be (422), never echoed; a
    search the rules refuse is not run and the page says why (422), keeping what was typed; a
    page number out of range shows the first page. After a refused form, its message and
    what was typed."""
    lang = i18n.language(request)
    page = params.get("page")
    number = int(page) if page and page.isdigit() and 1 <= int(page) <= MAX_PAGE else 1
    view = queries.queue_view(
        session,
        actor,
        bangkok_date(utcnow()),
        permit_type=params.get("permit_type"),
        state=params.get("state"),
        overdue=params.get("overdue") in CHECKED,
        assignee=params.get("assignee"),
        q=params.get("q"),
        page=number,
        per_page=PER_PAGE,
    )
    applied = view.applied
    query = {k: v for k, v in (("permit_type", applied.permit_type), ("state", applied.state)) if v}
    if applied.overdue:
        query["overdue"] = "1"
    if view.assignee_choice:
        query["assignee"] = view.assignee_choice
    if applied.q:
        query["q"] = applied.q
    if actor.city_wide and params.get("office"):
        query["office"] = str(params["office"]).strip()
    here = urlencode({**query, "page": str(number)})
    query.update(lang_param(request))

    def page_url(n: int) -> str:
        return "/staff?" + urlencode({**query, "page": str(n)})

    scope = (
        i18n.ui("queue_scope", lang, dept=i18n.pick(view.department, lang))
        if view.department
        else i18n.ui("queue_scope_all", lang)
    )
    problem = message(error, lang) if error else None
    refused = view.rejected or view.search_error
    status_code = error.status_code if error else 422 if refused else 200
    return staff_page(
        request,
        session,
        actor,
        "staff_queue.html",
        {
            "view": view,
            "office_slug": query.get("office", ""),
            "previous_url": page_url(number - 1) if number > 1 else None,
            "next_url": page_url(number + 1) if number < view.pages else None,
            "filtered": bool(query.keys() - {"lang"}) or bool(view.query),
            "scope": scope,
            "error": problem or (i18n.ui("bad_filter", lang) if view.rejected else None),
            "search_error": (
                i18n.ui("search_refused", lang, why=i18n.pick(view.search_error, lang))
                if view.search_error
                else None
            ),
            "field": str(error.detail.get("field") or "") if error else "",
            "done": done,
            "here": here,
            "form": form or {},
        },
        current="queue",
        status_code=status_code,
    )


@router.get(
    "/staff",
    summary="Work queue (HTML): the signed-in staff member's applications, oldest first",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML, 404: HTML, 422: HTML},
)
def work_queue(
    request: Request,
    session: SessionDep,
    actor: StaffActor,
    permit_type: str | None = None,
    state: str | None = None,
    overdue: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
    page: str | None = None,
    moved: str | None = None,
    office: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    lang = i18n.language(request)
    done = ""
    if moved is not None and moved.isascii() and moved.isdigit() and len(moved) <= 4:
        done = i18n.ui("done_assignments", lang, n=int(moved))
    params = {
        "permit_type": permit_type,
        "state": state,
        "overdue": overdue,
        "assignee": assignee,
        "q": q,
        "page": page,
        "office": office,
    }
    # The city's auditors read one office's queue when they name it (``city.reading``).
    actor, _ = city.reading(session, actor, office)
    return _queue_page(request, session, actor, params, done=done)


def _moves(ticked: list[str]) -> list[assignment.Move]:
    """The queue's ticked boxes, each ``id:version``. Raises ``InvalidInput``."""
    moves = []
    for value in ticked:
        file, _, version = value.partition(":")
        numbers = (file, version)
        if not all(n.isascii() and n.isdigit() and len(n) <= 9 for n in numbers):
            raise InvalidInput("แบบฟอร์มไม่ถูกต้อง", "The form is not valid", field="applications")
        moves.append(assignment.Move(int(file), int(version)))
    return moves


@router.post(
    "/staff/assignments",
    summary="Give the files ticked in the queue to one person, all or nothing",
    response_class=Response,
    responses={303: {"description": "Assigned"}, 403: HTML, 404: HTML, 409: HTML, 422: HTML},
)
def assign_many(
    request: Request,
    session: SessionDep,
    actor: QueueActor,
    applications: Annotated[list[str] | None, Form()] = None,
    assignee: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    given = parse_qs(back[:500])
    params = {name: given[name][0] for name in FILTERS if given.get(name)}
    ticked = applications or []
    try:
        events = assignment.assign_many(
            session, moves=_moves(ticked), assignee=assignee[:64], actor=actor, reason=reason
        )
    except DomainError as exc:
        session.rollback()
        form = {"applications": set(ticked), "assignee": assignee, "reason": reason}
        return _queue_page(request, session, actor, dict(params), error=exc, form=form)
    moved = sum(event is not None for event in events)
    return see_other(request, "/staff", **params, moved=str(moved))
