"""The staff API: sign-in, intake, work queue, detail, checklist and transitions.

Routes only translate HTTP to ``tracking`` calls and back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from tracking import auth, codes, idempotency
from tracking.access import Actor
from tracking.clock import bangkok_date, is_overdue
from tracking.config import Settings
from tracking.errors import DomainError
from tracking.models import Application, utcnow
from tracking.reads import staff as queries
from tracking.reads.notices import result_notice_view
from tracking.workflow import extensions, transitions
from tracking.workflow.machines import permit_type
from web.deps import (
    IDENTIFIER,
    ApplicationId,
    CurrentActor,
    ItemId,
    SessionDep,
    SettingsDep,
    tracking_url,
)
from web.extension_schemas import ExtensionRequest, ExtensionResult
from web.schemas import (
    ApplicationCreate,
    ApplicationCreated,
    ApplicationDetail,
    Bilingual,
    ChecklistUpdate,
    ChecklistUpdated,
    ErrorOut,
    QueueItem,
    QueuePage,
    ResultNoticeOut,
    StepLabel,
    TokenOut,
    TransitionRequest,
    TransitionResult,
)


def _errors(*codes_: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "The body could not be read (bad JSON, bad encoding)",
        401: "No token, or a bad or expired one",
        403: "Wrong role or department, or a four-eyes breach",
        404: "No such application or checklist item",
        409: "Stale version, or an event the current step does not offer",
        413: "Body larger than 64 KiB",
        422: "Invalid body, a rule not met (unmet items listed), or reason/ground missing",
        429: "Too many attempts",
    }
    return {c: {"model": ErrorOut, "description": described[c]} for c in codes_}


router = APIRouter(prefix="/api/v1", tags=["staff"])
SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Repeat a POST safely: same key and body, same result, nothing created twice",
        max_length=200,
    ),
]


def _step(application: Application) -> StepLabel:
    step = permit_type(application.permit_type).step(application.state)
    return StepLabel(id=step.id, label=step.label.model_dump(), turn=step.turn.value)


@router.post(
    "/auth/token",
    tags=["auth"],
    summary="Sign in (OAuth2 password form) and get a bearer token",
    response_model=TokenOut,
    responses=_errors(401, 422, 429),
)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut:
    client = request.client.host if request.client else "unknown"
    try:
        staff = auth.login(session, username=form.username, password=form.password, client=client)
    except DomainError:
        session.commit()  # keep the failed-attempt count that slows guessing
        raise
    token = auth.issue_token(staff, settings.secret_key)
    return TokenOut(access_token=token.access_token, expires_at=token.expires_at)


def _idempotent(
    session: SessionDep,
    actor: Actor,
    key: str | None,
    operation: str,
    body: BaseModel,
    status_code: int,
    perform: Callable[[], BaseModel],
) -> Any:
    """Run ``perform`` once per ``Idempotency-Key``: a repeat with the same body gets the
    stored response back (and changes nothing); the same key with another body is refused."""
    if key is None:
        return perform()
    print_ = idempotency.fingerprint(operation, body.model_dump(mode="json"))
    stored = idempotency.recall(session, actor.username, key, print_)
    if stored:
        return JSONResponse(
            stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"}
        )
    result = perform()
    idempotency.remember(
        session, actor.username, key, print_, status_code, result.model_dump(mode="json")
    )
    return result


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Take in a new application (clerk of the responsible department)",
    response_model=ApplicationCreated,
    responses=_errors(400, 401, 403, 409, 413, 422),
)
def intake(
    body: ApplicationCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> ApplicationCreated:
        application = body.submit(session, actor)
        assert application.id is not None
        return ApplicationCreated(
            id=application.id,
            tracking_code=codes.format_code(application.tracking_code),
            tracking_url=tracking_url(settings, codes.format_code(application.tracking_code)),
            state=application.state,
            due_date=application.due_date,
            version=application.version,
        )

    return _idempotent(session, actor, idempotency_key, "POST /applications", body, 201, perform)


@router.get(
    "/applications",
    summary="Work queue: first come, first served",
    response_model=QueuePage,
    responses=_errors(401, 422),
)
def work_queue(
    session: SessionDep,
    actor: CurrentActor,
    state: Annotated[str | None, Query(max_length=48, pattern=IDENTIFIER)] = None,
    permit_type: Annotated[str | None, Query(max_length=64, pattern=SLUG)] = None,
    overdue: bool | None = None,
    turn: Annotated[str | None, Query(pattern="^(authority|applicant|none)$")] = None,
    include_closed: bool = False,
    assignee: Annotated[
        str | None,
        Query(max_length=64, description="me, none (nobody holds it), or a username"),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="A tracking code, a 13-digit ID number, or up to 5 words (3 characters"
            " or more each) of the applicant's name or the address; 422 otherwise",
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=queries.MAX_PER_PAGE)] = 50,
) -> QueuePage:
    today = bangkok_date(utcnow())
    rows, total = queries.work_queue(
        session,
        actor,
        today,
        queries.QueueFilter(
            state=state,
            permit_type=permit_type,
            overdue=overdue,
            turn=turn,
            open_only=not include_closed,
            assignee=queries.holder_filter(assignee, actor),
            q=q,
        ),
        page=page,
        per_page=per_page,
    )
    items = [
        QueueItem(
            id=a.id or 0,
            tracking_code=codes.format_code(a.tracking_code),
            applicant_name=a.applicant_name,
            permit_type=a.permit_type,
            department=a.department,
            state=a.state,
            step=_step(a),
            turn=a.turn,
            submitted_at=a.submitted_at,
            due_date=a.due_date,
            overdue=is_overdue(a, today),
            version=a.version,
            assignee=a.assignee,
        )
        for a in rows
    ]
    shown, text = queries.count_shown(total)
    return QueuePage(
        items=items,
        total=shown,
        total_text=text,
        page=page,
        per_page=per_page,
    )


def _detail(session: SessionDep, application_id: int, actor: Actor, settings: Settings) -> Any:
    view = queries.application_view(session, application_id, actor, bangkok_date(utcnow()))
    a = view.application
    return ApplicationDetail(
        id=a.id or 0,
        tracking_code=view.code,
        tracking_url=tracking_url(settings, view.code),
        permit_type=a.permit_type,
        permit_type_name=queries.label(view.permit.name),
        department=a.department,
        state=a.state,
        step=_step(a),
        turn=a.turn,
        outcome=a.outcome,
        applicant={
            "name": a.applicant_name,
            "id_number": a.applicant_id_number,
            "phone": a.applicant_phone,
            "email": a.applicant_email,
        },
        subject={
            "address": a.subject_address,
            "description": a.subject_description,
            **(a.subject_details or {}),
        },
        submitted_at=a.submitted_at,
        due_date=a.due_date,
        overdue=view.overdue,
        clock_paused_on=a.clock_paused_on,
        applicant_deadline=a.applicant_deadline,
        decided_on=a.decided_on,
        updated_at=a.updated_at,
        version=a.version,
        checklist=view.checklist,
        trail=view.trail,
        delay_notices=view.delay_notices,
        events=view.events,
        result_notice=ResultNoticeOut.of(result_notice_view(session, a)),
        due_rule=Bilingual(th=view.due_rule[0], en=view.due_rule[1]),
        assignee=a.assignee,
        may_decide=view.hands.deciders.may if view.hands and view.hands.deciders else None,
    )


@router.get(
    "/applications/{application_id}",
    summary="One application: checklist, audit trail and the events available now",
    response_model=ApplicationDetail,
    responses=_errors(401, 403, 404, 422),
)
def detail(
    application_id: ApplicationId,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> Any:
    return _detail(session, application_id, actor, settings)


@router.patch(
    "/applications/{application_id}/checklist/{item_id}",
    summary="Record a checklist item: received, verified, missing or waived (with a note)",
    response_model=ChecklistUpdated,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def record_item(
    application_id: ApplicationId,
    item_id: ItemId,
    body: ChecklistUpdate,
    session: SessionDep,
    actor: CurrentActor,
) -> Any:
    entry = body.record(session, application_id, item_id, actor)
    application = transitions.as_left(session, application_id)
    items = {i.id: i for i in permit_type(application.permit_type).items()}
    return ChecklistUpdated(item=queries.checklist_item(entry, items), version=application.version)


@router.post(
    "/applications/{application_id}/transitions",
    summary="Fire a workflow event through the permit type's state machine",
    response_model=TransitionResult,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def transition(
    application_id: ApplicationId,
    body: TransitionRequest,
    session: SessionDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> TransitionResult:
        event = body.fire(session, application_id, actor)
        application = transitions.as_left(session, application_id)
        return TransitionResult(
            id=application_id,
            state=application.state,
            step=_step(application),
            turn=application.turn,
            outcome=application.outcome,
            due_date=application.due_date,
            version=application.version,
            event=queries.event_view(event),
        )

    operation = f"POST /applications/{application_id}/transitions"
    return _idempotent(session, actor, idempotency_key, operation, body, 200, perform)


@router.post(
    "/applications/{application_id}/extensions",
    summary="Extend the period to decide, by written notice to the applicant",
    response_model=ExtensionResult,
    status_code=status.HTTP_201_CREATED,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def extension(
    application_id: ApplicationId,
    body: ExtensionRequest,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> ExtensionResult:
        event = extensions.extend(
            session,
            application_id=application_id,
            actor=actor,
            days=body.days,
            reason=body.reason,
            version=body.version,
            email=bool(settings.smtp_host),
        )
        application = transitions.as_left(session, application_id)
        return ExtensionResult(
            id=application_id,
            due_date=application.due_date,
            extensions=len(extensions.extensions_of(session, application_id)),
            version=application.version,
            notice_url=f"/applications/{application_id}/extensions/{event.seq}",
            event=queries.event_view(event),
        )

    operation = f"POST /applications/{application_id}/extensions"
    return _idempotent(session, actor, idempotency_key, operation, body, 201, perform)
