"""The body of a checklist batch (``PATCH /api/v1/applications/{id}/checklist``): several items
recorded under one version, all or nothing, for the API and the staff page's one form alike."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from sqlmodel import Session

from tracking.access import Actor
from tracking.errors import InvalidInput, NotFound
from tracking.models import ChecklistStatus
from tracking.workflow import transitions
from tracking.workflow.transitions import ItemChange
from web.deps import IDENTIFIER
from web.schemas import ChecklistItemOut, Input

MAX_ITEMS = 100  # more than any permit type's checklist


class ChecklistItemUpdate(Input):
    """One item of a batch: as ``ChecklistUpdate``, naming its item, without a version."""

    item: Annotated[str, StringConstraints(max_length=48, pattern=IDENTIFIER)]
    status: Literal["received", "verified", "missing", "waived"]
    note: Annotated[str, StringConstraints(max_length=1000)] = ""


class ChecklistBatchUpdate(Input):
    version: int = Field(ge=1, le=2**31 - 1)
    items: list[ChecklistItemUpdate] = Field(min_length=1, max_length=MAX_ITEMS)

    def record(
        self, session: Session, application_id: int, actor: Actor, now: datetime | None = None
    ) -> transitions.RecordedItems:
        """Record the items (``transitions.record_checklist_items``). An item the file does
        not have is a fault of the body here (422), not a missing resource."""
        try:
            return transitions.record_checklist_items(
                session,
                application_id=application_id,
                changes=[ItemChange(i.item, ChecklistStatus(i.status), i.note) for i in self.items],
                actor=actor,
                version=self.version,
                now=now,
            )
        except NotFound as exc:
            if "item" not in exc.detail:
                raise
            raise InvalidInput(exc.th, exc.en, **exc.detail) from None


class ChecklistBatchUpdated(BaseModel):
    """The items of the batch as now recorded, and the application's new version."""

    items: list[ChecklistItemOut]
    version: int
