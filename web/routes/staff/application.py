"""One application as staff see it (its checklist, the actions of its step, its history) and
two forms on it: record an item of another step, fire an event (the current step's one
checklist form is ``web.routes.staff.checklist``).

When a rule refuses a form, the request's transaction is rolled back before the page is shown
again with the message, so nothing of the refused change is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from tracking.access import Actor
from tracking.clock import bangkok_date
from tracking.errors import DomainError
from tracking.models import utcnow
from tracking.reads import staff as queries
from tracking.reads.notices import result_notice_view
from web import i18n
from web.deps import ApplicationId, ItemId, SessionDep, SignedIn, StaffActor
from web.pages import HTML
from web.routes.staff import forms
from web.routes.staff.common import message, see_other, staff_page, staff_router

router = staff_router()

# A form on the page sends a signed-out visitor back to the page once signed in.
FormActor = Annotated[Actor, Depends(SignedIn("/staff/applications/{application_id}"))]
# Success messages are chosen by a fixed word in the query (the kind of form that
# succeeded), never taken from it.
DONE = {
    "checklist": "done_checklist",
    "transition": "done_transition",
    "extension": "done_extension",
    "result_notice": "done_result_notice",
    "assignment": "done_assignment",
    "checklist_saved": "done_checklist_saved",
    "checklist_none": "done_checklist_none",
}
# The confirmations shown beside the checklist (the one form's redirect lands there).
AT_CHECKLIST = {"checklist_saved", "checklist_none"}
FORM_ERRORS = {403: HTML, 404: HTML, 409: HTML, 422: HTML}


def _detail_page(
    request: Request,
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    status_code: int = 200,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
    changed: str = "",
) -> Response:
    """The application as staff see it; after a refused change, with the message, the HTTP
    status of the refusal and what was typed into the form that was refused."""
    lang = i18n.language(request)
    view = queries.application_view(session, application_id, actor, bangkok_date(utcnow()))
    error_item = str(error.detail.get("item") or "") if error else ""
    return staff_page(
        request,
        session,
        actor,
        "staff_application.html",
        {
            "view": view,
            "a": view.application,
            "cannot_act": message(view.cannot_act, lang) if view.cannot_act else "",
            "done": _confirmation(view, done, changed, lang),
            "done_at_checklist": done in AT_CHECKLIST,
            "error_item": error_item,
            "error": message(error, lang) if error else "",
            "form": form or {},
            "field": str(error.detail.get("field") or "") if error else "",
            "notice": result_notice_view(session, view.application),
        },
        status_code=status_code,
    )


def _submitted(
    request: Request,
    session: Session,
    actor: Actor,
    application_id: int,
    form: dict[str, str],
    change: Callable[[], object],
) -> Response:
    """Make the ``change`` a form asks for, then back to the page with the fixed word of its
    success (``form["kind"]``). If a rule refuses it, nothing it did stays (the version it
    claimed is given back), and the page shows why, with what was typed."""
    try:
        change()
    except DomainError as exc:
        session.rollback()
        return _detail_page(
            request,
            session,
            actor,
            application_id,
            status_code=exc.status_code,
            error=exc,
            form=form,
        )
    return see_other(request, f"/staff/applications/{application_id}", done=form["kind"])


def _confirmation(view: queries.ApplicationView, done: str | None, changed: str, lang: str) -> str:
    """The fixed text of the form that succeeded; for the checklist, naming the items that
    changed by their labels (ids in ``changed`` the file does not have are ignored, so no
    text of the query is shown)."""
    if done not in DONE:
        return ""
    if done != "checklist_saved":
        return i18n.ui(DONE[done], lang)
    ids = set(changed.split(","))
    names = [i18n.pick(item.title, lang) for item in view.checklist if item.id in ids]
    if not names:
        return i18n.ui("done_checklist", lang)
    return i18n.ui(DONE[done], lang, items=", ".join(names))


# The other forms on this page (``web.routes.staff.result_notice``) answer the same way.
submitted = _submitted


@router.get(
    "/staff/applications/{application_id}",
    summary="One application (HTML): checklist, the actions of its step, history",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML, 404: HTML},
)
def application_page(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: StaffActor,
    done: str | None = None,
    changed: str = "",
) -> Response:
    return _detail_page(request, session, actor, application_id, done=done, changed=changed[:2000])


@router.post(
    "/staff/applications/{application_id}/checklist/{item_id}",
    summary="Record a checklist item from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Recorded"}, **FORM_ERRORS},
)
def record_item(
    request: Request,
    application_id: ApplicationId,
    item_id: ItemId,
    session: SessionDep,
    actor: FormActor,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        body = forms.checklist_update(status, note, version)
        body.record(session, application_id, item_id, actor)

    form = {"kind": "checklist", "item": item_id, "status": status, "note": note}
    return _submitted(request, session, actor, application_id, form, change)


@router.post(
    "/staff/applications/{application_id}/transitions",
    summary="Fire a workflow event from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Done"}, **FORM_ERRORS},
)
def fire_event(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: FormActor,
    event: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    ground: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    fine_baht: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        body = forms.transition_request(event, version, reason, ground, deadline, fine_baht)
        body.fire(session, application_id, actor)

    form = {
        "kind": "transition",
        "event": event,
        "reason": reason,
        "ground": ground,
        "deadline": deadline,
        "fine_baht": fine_baht,
    }
    return _submitted(request, session, actor, application_id, form, change)
