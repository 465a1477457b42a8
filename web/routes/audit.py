"""The audit anchors, public: one digest a day over every trail head of the office, so anyone
can keep one and later ask the office to prove nothing before it changed (no personal data)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from tracking.trail import anchors
from web.deps import SessionDep

router = APIRouter(tags=["public"])


class AnchorOut(BaseModel):
    day: date
    digest: str
    prev_digest: str
    last_event_id: int
    heads: int
    created_at: datetime


@router.get(
    "/api/v1/audit/anchors",
    summary="Daily digests over every audit trail (public; keep one to check against later)",
)
def list_anchors(session: SessionDep) -> list[AnchorOut]:
    return [AnchorOut(**vars(a)) for a in anchors.listed(session.connection())]
