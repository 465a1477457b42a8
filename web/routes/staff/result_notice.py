"""Recording how and when an order reached the applicant: the staff API
(``POST /api/v1/applications/{id}/result-notice``) and the form on the application's page,
and the order itself as the printable A4 letter (``GET /applications/{id}/order``).

Both call ``tracking.workflow.result_notice.record_result_notice``; the rules live there.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from sqlmodel import Session

from checklists.appeals import DeliveryMethod
from tracking.access import Actor
from tracking.clock import thai_date
from tracking.errors import InvalidInput
from tracking.models import Office
from tracking.reads.notices import result_notice_view
from tracking.reads.orders import order_letter
from tracking.workflow import result_notice, transitions
from tracking.workflow.transitions import application_for
from web import i18n
from web.deps import ApplicationId, CurrentActor, SessionDep, StaffActor
from web.pages import HTML, no_store, render
from web.routes.staff.application import FORM_ERRORS, FormActor, submitted
from web.routes.staff.common import staff_router
from web.routes.staff.forms import form_day
from web.schema_parts import AppealOut, DeliveryOut, appeal_out, delivery_out
from web.schemas import ErrorOut, Input


class ResultNoticeRequest(Input):
    """How the order reached the applicant. ``delivered_on``: the day received (the return
    receipt's, for registered mail); for registered mail without one, ``sent_on`` (the day
    posted) and the law deems the day of receipt."""

    method: DeliveryMethod
    delivered_on: date | None = None
    sent_on: date | None = None
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    version: int = Field(ge=1, le=2**31 - 1)

    def record(self, session: Session, application_id: int, actor: Actor) -> Any:
        return result_notice.record_result_notice(
            session,
            application_id=application_id,
            actor=actor,
            version=self.version,
            method=self.method,
            delivered_on=self.delivered_on,
            sent_on=self.sent_on,
            note=self.note,
        )


class ResultNoticeResult(BaseModel):
    id: int
    version: int
    delivery: DeliveryOut
    appeal: AppealOut | None


api = APIRouter(prefix="/api/v1", tags=["staff"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorOut} for c in (400, 401, 403, 404, 409, 413, 422)
}


@api.post(
    "/applications/{application_id}/result-notice",
    summary="Record how and when the order (approval, refusal, return) reached the applicant",
    response_model=ResultNoticeResult,
    responses=_ERRORS,
)
def record(
    application_id: ApplicationId,
    body: ResultNoticeRequest,
    session: SessionDep,
    actor: CurrentActor,
) -> Any:
    body.record(session, application_id, actor)
    application = transitions.get_application(session, application_id)
    view = result_notice_view(session, application)
    assert view.delivery is not None
    return ResultNoticeResult(
        id=application_id,
        version=application.version,
        delivery=delivery_out(view.delivery),
        appeal=appeal_out(view.appeal),
    )


pages = staff_router()


def _form_request(method: str, delivered_on: str, sent_on: str, note: str, version: str) -> Any:
    data = {
        "method": method,
        "delivered_on": form_day(delivered_on, "delivered_on"),
        "sent_on": form_day(sent_on, "sent_on"),
        "note": note,
        "version": version,
    }
    try:
        return ResultNoticeRequest.model_validate(data)
    except ValidationError as exc:
        field = str(exc.errors()[0].get("loc", ("",))[0])
        key = "err_deadline" if field in ("delivered_on", "sent_on") else "err_form"
        th, en = i18n.UI[key]
        raise InvalidInput(th, en, field=field) from None


@pages.post(
    "/staff/applications/{application_id}/result-notice",
    summary="Record the delivery of the order from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Recorded"}, **FORM_ERRORS},
)
def record_from_form(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: FormActor,
    method: Annotated[str, Form()] = "",
    delivered_on: Annotated[str, Form()] = "",
    sent_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    def change() -> None:
        _form_request(method, delivered_on, sent_on, note, version).record(
            session, application_id, actor
        )

    form = {
        "kind": "result_notice",
        "method": method,
        "delivered_on": delivered_on,
        "sent_on": sent_on,
        "note": note,
    }
    return submitted(request, session, actor, application_id, form, change)


@pages.get(
    "/applications/{application_id}/order",
    summary="Printable A4 letter of the file's order (refusal, return or approval) with its"
    " appeal route",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML, 404: HTML},
)
def order(
    request: Request, application_id: ApplicationId, session: SessionDep, actor: StaffActor
) -> Response:
    application = application_for(session, application_id, actor, act=False)
    letter = order_letter(session, application)
    appeal = letter.appeal
    context = {
        "o": letter,
        "decided_th": thai_date(letter.decided_on),
        "asked_by_th": thai_date(letter.asked_by) if letter.asked_by else "",
        "notified_th": thai_date(appeal.notified_on) if appeal and appeal.notified_on else "",
        "deadline_th": thai_date(appeal.deadline) if appeal and appeal.deadline else "",
    }
    office = session.get(Office, application.office_id)
    return no_store(render(request, "order_letter.html", context, office=office))
