"""Extensions of the period to decide: the form on the application's page and the printable
A4 notice of each extension to the applicant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from tracking.clock import thai_date
from tracking.models import Office
from tracking.workflow import extensions
from tracking.workflow.transitions import application_for
from web.deps import ApplicationId, SessionDep, SettingsDep, StaffActor
from web.extension_schemas import ExtensionRequest
from web.pages import HTML, no_store, render
from web.routes.staff import forms
from web.routes.staff.application import FORM_ERRORS, FormActor, _submitted
from web.routes.staff.common import staff_router

router = staff_router()
EXTENSION_PROBLEMS = {"days": "err_days", "reason": "err_reason", "version": "err_form"}


@router.post(
    "/staff/applications/{application_id}/extensions",
    summary="Extend the period to decide from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Extended"}, **FORM_ERRORS},
)
def extend(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    settings: SettingsDep,
    actor: FormActor,
    days: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        body = forms._parse(
            ExtensionRequest,
            {"days": days, "reason": reason, "version": version},
            EXTENSION_PROBLEMS,
        )
        extensions.extend(
            session,
            application_id=application_id,
            actor=actor,
            days=body.days,
            reason=body.reason,
            version=body.version,
            email=bool(settings.smtp_host),
        )

    form = {"kind": "extension", "days": days, "reason": reason}
    return _submitted(request, session, actor, application_id, form, change)


@router.get(
    "/applications/{application_id}/extensions/{seq}",
    summary="Printable A4 notice of an extension of the period to decide",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML, 404: HTML},
)
def notice(
    request: Request,
    application_id: ApplicationId,
    seq: int,
    session: SessionDep,
    actor: StaffActor,
) -> Response:
    found, office = _notice(session, application_id, seq, actor)
    context = {
        "n": found,
        "due_before_th": thai_date(found.due_before),
        "due_th": thai_date(found.due_date),
    }
    return no_store(render(request, "extension_notice.html", context, office=office))


def _notice(
    session: Session, application_id: int, seq: int, actor: StaffActor
) -> tuple[extensions.ExtensionNotice, Office | None]:
    application = application_for(session, application_id, actor, act=False)
    return extensions.notice(session, application, seq), session.get(Office, application.office_id)
