"""The audit anchors, public: one digest a day over every trail head of the office, so anyone
can keep one and later ask the office to prove nothing before it changed (no personal data)."""

from __future__ import annotations

from fastapi import APIRouter

from tracking.trail import anchors
from web.deps import SessionDep

router = APIRouter(tags=["public"])


@router.get(
    "/api/v1/audit/anchors",
    summary="Daily digests over every audit trail (public; keep one to check against later)",
)
def list_anchors(session: SessionDep) -> list[anchors.Anchor]:
    return anchors.listed(session.connection())
