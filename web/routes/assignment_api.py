"""The assignment API: a department's approver or the office's manager gives files to an
officer or approver, one or many at a time, with a reason (each change a trail event)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from tracking.reads import staff as queries
from tracking.workflow import assignment, transitions
from web.assignment_schemas import (
    AssignmentRequest,
    AssignmentResult,
    BulkAssigned,
    BulkAssignmentRequest,
    BulkAssignmentResult,
)
from web.deps import ApplicationId, CurrentActor, SessionDep
from web.routes.staff_api import IdempotencyKey, _errors, _idempotent

router = APIRouter(prefix="/api/v1", tags=["staff"])


@router.post(
    "/applications/{application_id}/assignment",
    summary="Give the file to an officer or approver of its department (approver, manager)",
    response_model=AssignmentResult,
    status_code=status.HTTP_201_CREATED,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def assign(
    application_id: ApplicationId,
    body: AssignmentRequest,
    session: SessionDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> AssignmentResult:
        event = assignment.assign(
            session,
            application_id=application_id,
            assignee=body.assignee,
            actor=actor,
            reason=body.reason,
            version=body.version,
        )
        application = transitions.as_left(session, application_id)
        return AssignmentResult(
            id=application_id,
            assignee=application.assignee or "",
            version=application.version,
            event=queries.event_view(event),
        )

    operation = f"POST /applications/{application_id}/assignment"
    return _idempotent(session, actor, idempotency_key, operation, body, 201, perform)


@router.post(
    "/applications/assignments",
    summary="Give several files to one person, all or nothing (approver, manager)",
    response_model=BulkAssignmentResult,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def assign_many(
    body: BulkAssignmentRequest,
    session: SessionDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> BulkAssignmentResult:
        moves = [assignment.Move(a.id, a.version) for a in body.applications]
        events = assignment.assign_many(
            session, moves=moves, assignee=body.assignee, actor=actor, reason=body.reason
        )
        rows = [
            BulkAssigned(
                id=move.application_id,
                version=move.version + (event is not None),
                moved=event is not None,
            )
            for move, event in zip(moves, events, strict=True)
        ]
        return BulkAssignmentResult(
            assignee=body.assignee, moved=sum(r.moved for r in rows), applications=rows
        )

    return _idempotent(
        session, actor, idempotency_key, "POST /applications/assignments", body, 200, perform
    )
