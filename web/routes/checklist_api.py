"""The checklist batch API: several items of a file recorded at once, all or nothing, under
one version (the single item's route is in ``web.routes.staff_api``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tracking.reads import staff as queries
from tracking.workflow import transitions
from tracking.workflow.machines import permit_type
from web.checklist_schemas import ChecklistBatchUpdate, ChecklistBatchUpdated
from web.deps import ApplicationId, CurrentActor, SessionDep
from web.routes.staff_api import IdempotencyKey, _errors, _idempotent

router = APIRouter(prefix="/api/v1", tags=["staff"])


@router.patch(
    "/applications/{application_id}/checklist",
    summary="Record several checklist items at once, all or nothing, under one version",
    response_model=ChecklistBatchUpdated,
    responses=_errors(400, 401, 403, 404, 409, 413, 422),
)
def record_items(
    application_id: ApplicationId,
    body: ChecklistBatchUpdate,
    session: SessionDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def perform() -> ChecklistBatchUpdated:
        entries = body.record(session, application_id, actor).entries
        application = transitions.as_left(session, application_id)
        items = {i.id: i for i in permit_type(application.permit_type).items()}
        return ChecklistBatchUpdated(
            items=[queries.checklist_item(e, items) for e in entries],
            version=application.version,
        )

    operation = f"PATCH /applications/{application_id}/checklist"
    return _idempotent(session, actor, idempotency_key, operation, body, 200, perform)
