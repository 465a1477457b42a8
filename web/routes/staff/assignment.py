"""Assignment from the browser: the form on an application's page gives it to someone (the
queue's form, which gives several, is in ``web.routes.staff.queue``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from tracking.workflow import assignment
from web.assignment_schemas import AssignmentRequest
from web.deps import ApplicationId, SessionDep
from web.routes.staff import forms
from web.routes.staff.application import FORM_ERRORS, FormActor, _submitted
from web.routes.staff.common import staff_router

router = staff_router()
ASSIGNMENT_PROBLEMS = {"assignee": "err_form", "reason": "err_reason", "version": "err_form"}


@router.post(
    "/staff/applications/{application_id}/assignment",
    summary="Give the application to someone, from its page's form (approver, manager)",
    response_class=Response,
    responses={303: {"description": "Assigned"}, **FORM_ERRORS},
)
def assign(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: FormActor,
    assignee: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        body = forms._parse(
            AssignmentRequest,
            {"assignee": assignee, "reason": reason, "version": version},
            ASSIGNMENT_PROBLEMS,
        )
        assignment.assign(
            session,
            application_id=application_id,
            assignee=body.assignee,
            actor=actor,
            reason=body.reason,
            version=body.version,
        )

    form = {"kind": "assignment", "assignee": assignee, "reason": reason}
    return _submitted(request, session, actor, application_id, form, change)
