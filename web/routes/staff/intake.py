"""Intake at the counter: the form, and taking in the application it describes."""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from tracking import idempotency
from tracking.access import Actor
from tracking.errors import Conflict, DomainError, InvalidInput
from tracking.reads import staff as queries
from tracking.reads.staff.intake import intake_document_choices
from web import i18n
from web.deps import SessionDep, SignedIn, StaffActor
from web.pages import HTML
from web.routes.staff import forms
from web.routes.staff.common import see_other, staff_page, staff_router

router = staff_router()

INTAKE_OPERATION = "POST /staff/applications/new"
IntakeActor = Annotated[Actor, Depends(SignedIn("/staff/applications/new"))]


def _intake_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    choices: list[tuple[str, queries.Label]],
    values: dict[str, str],
    received: list[str] | None = None,
    refused: forms.IntakeRefused | None = None,
    status_code: int = 200,
) -> Response:
    """The form; ``received``: the documents ticked as sent (None: the required ones)."""
    slug = values.get("permit_type", "")
    documents = intake_document_choices(actor, choices, slug)
    ticked = {d.id for d in documents if d.required} if received is None else set(received)
    return staff_page(
        request,
        session,
        actor,
        "staff_intake.html",
        {
            "permits": choices,
            "fields": queries.intake_fields(choices, slug),
            "documents": documents,
            "ticked": ticked,
            "detail": forms.DETAIL,
            "values": values,
            "errors": refused.errors if refused else {},
            "general": refused.general if refused else [],
        },
        current="intake",
        status_code=status_code,
    )


async def _details(request: Request) -> dict[str, str]:
    """The type's own subject fields the form sent (inputs ``detail_<field>``)."""
    form = await request.form()
    return {
        name.removeprefix(forms.DETAIL): value[:200]
        for name, value in form.items()
        if name.startswith(forms.DETAIL) and isinstance(value, str) and len(name) <= 64
    }


def _new_form_key() -> str:
    return secrets.token_urlsafe(24)


@router.get(
    "/staff/applications/new",
    summary="Intake form (clerks)",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML},
)
def intake_form(
    request: Request, session: SessionDep, actor: StaffActor, permit_type: str = ""
) -> Response:
    """The form; with ``permit_type`` (the type chosen first), that type's own subject
    fields too."""
    choices = queries.intake_choices(actor)  # NotPermitted: the error page
    values = {"form_key": _new_form_key(), "permit_type": permit_type[:64]}
    return _intake_page(request, session, actor, choices=choices, values=values)


@router.post(
    "/staff/applications/new",
    summary="Take in a new application from the intake form, then show its receipt",
    response_class=Response,
    responses={
        303: {"description": "Created: on to the receipt (or sign in first)"},
        403: HTML,
        409: HTML,
        422: HTML,
    },
)
def intake(
    request: Request,
    session: SessionDep,
    actor: IntakeActor,
    form_key: Annotated[str, Form()] = "",
    permit_type: Annotated[str, Form()] = "",
    applicant_name: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    documents_for: Annotated[str, Form(max_length=64)] = "",
    received: Annotated[list[str], Form(max_length=100)] = [],  # noqa: B006 (FastAPI copies it)
    details: Annotated[dict[str, str], Depends(_details)] = {},  # noqa: B006 (FastAPI fills it)
) -> Response:
    """Takes the application in. The documents ticked count only with ``documents_for``
    naming the type chosen: a form sent without the list (the type never shown, an older
    form) records no documents, all stay pending, as the API does when sent none; a list
    shown for another type is shown again for this one and nothing is taken in."""
    choices = queries.intake_choices(actor)
    lang = i18n.language(request)
    key = form_key if forms.FORM_KEY.fullmatch(form_key) else _new_form_key()
    typed = {
        "permit_type": permit_type,
        "applicant_name": applicant_name,
        "id_number": id_number,
        "phone": phone,
        "email": email,
        "address": address,
        "description": description,
    }
    # Shown again as typed, less NUL characters (the schema refuses them; HTML cannot hold them).
    shown = {**typed, **{forms.DETAIL + k: v for k, v in details.items()}}
    values = {"form_key": key, **{k: v.replace("\x00", "") for k, v in shown.items()}}

    listed = documents_for == permit_type and bool(permit_type)
    ticked = received if listed else None

    def shown_again(refused: forms.IntakeRefused | None, status_code: int) -> Response:
        return _intake_page(
            request,
            session,
            actor,
            choices=choices,
            values=values,
            received=ticked,
            refused=refused,
            status_code=status_code,
        )

    if action == "fields":  # the type chosen: the form again with its fields, nothing taken in
        return shown_again(None, 200)
    if documents_for and not listed:
        return shown_again(forms.IntakeRefused({}, [i18n.ui("err_documents_for", lang)]), 422)
    try:
        body = forms.intake_request(typed, details, ticked, lang)
    except forms.IntakeRefused as refused:
        return shown_again(refused, 422)
    # The same form sent twice (a double click, a reload) takes in one application: the key
    # was made when the form was shown and is remembered with what it created.
    fingerprint = idempotency.fingerprint(INTAKE_OPERATION, body.model_dump(mode="json"))
    remembered = f"intake-form:{key}"
    stored = _recall(session, actor, remembered, fingerprint)
    if stored is False:  # sent again with other values: a new application, not a repeat
        remembered = ""
    elif stored is not None:
        return _to_receipt(request, int(stored.body["id"]))
    try:
        application = body.submit(session, actor)
        assert application.id is not None
        if remembered:
            idempotency.remember(
                session, actor.username, remembered, fingerprint, 303, {"id": application.id}
            )
    except DomainError as exc:
        session.rollback()  # nothing of a refused intake is kept
        if isinstance(exc, Conflict) and remembered:
            # The same form sent twice at once: the other request took it in first.
            stored = _recall(session, actor, remembered, fingerprint)
            if isinstance(stored, idempotency.Stored):
                return _to_receipt(request, int(stored.body["id"]))
        return shown_again(forms.intake_refusal(exc, lang), exc.status_code)
    return _to_receipt(request, application.id)


def _recall(
    session: Session, actor: Actor, key: str, fingerprint: str
) -> idempotency.Stored | Literal[False] | None:
    """What this intake form created when it was sent before; False if it was sent before
    with other values; None the first time."""
    try:
        return idempotency.recall(session, actor.username, key, fingerprint)
    except InvalidInput:
        return False


def _to_receipt(request: Request, application_id: int) -> RedirectResponse:
    return see_other(request, f"/applications/{application_id}/receipt")
