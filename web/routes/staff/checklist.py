"""The application page's one checklist form: every item of the current step with its status
and note, saved at once under one version (``transitions.record_checklist_items``, all or
nothing), back to the page's checklist naming the items that changed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from tracking.errors import DomainError
from web.deps import ApplicationId, SessionDep
from web.routes.staff import forms
from web.routes.staff.application import FORM_ERRORS, FormActor, _detail_page
from web.routes.staff.common import see_other, staff_router

router = staff_router()
KIND = "checklist_batch"  # what a re-rendered page is told was typed into


@router.post(
    "/staff/applications/{application_id}/checklist",
    summary="Record the current step's checklist from the detail page's one form",
    response_class=Response,
    responses={303: {"description": "Recorded, or nothing changed"}, **FORM_ERRORS},
)
def record_items(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: FormActor,
    item: Annotated[list[str] | None, Form()] = None,
    status: Annotated[list[str] | None, Form()] = None,
    note: Annotated[list[str] | None, Form()] = None,
    version: Annotated[str, Form()] = "",
) -> Response:
    items, statuses, notes = item or [], status or [], note or []
    try:
        body = forms.checklist_batch(items, statuses, notes, version)
        changed = body.record(session, application_id, actor).changed if body else []
    except DomainError as exc:
        # Nothing of the batch stays; the page comes back with every field as typed.
        session.rollback()
        typed = {"kind": KIND}
        for key, values in (("status", statuses), ("note", notes)):
            typed.update({f"{key}-{i}": v for i, v in zip(items, values, strict=False)})
        return _detail_page(
            request,
            session,
            actor,
            application_id,
            status_code=exc.status_code,
            error=exc,
            form=typed,
        )
    path = f"/staff/applications/{application_id}"
    if not changed:
        return see_other(request, path, anchor="checklist", done="checklist_none")
    return see_other(
        request, path, anchor="checklist", done="checklist_saved", changed=",".join(changed)
    )
