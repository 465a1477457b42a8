"""The audit anchors, public: one digest a day over every trail head of each office, so anyone
can keep one and later ask the office to prove nothing before it changed (no personal data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tracking import offices
from tracking.trail import anchors
from web.deps import SessionDep
from web.schemas import ErrorOut

router = APIRouter(tags=["public"])


@router.get(
    "/api/v1/audit/anchors",
    summary="Daily digests over every audit trail (public; keep one to check against later)",
    responses={404: {"model": ErrorOut, "description": "No such office"}},
)
def list_anchors(
    session: SessionDep,
    office: Annotated[
        str | None, Query(max_length=64, description="An office's slug; none: every office")
    ] = None,
) -> list[anchors.Anchor]:
    office_id = offices.office_by_slug(session, office).id if office else None
    return anchors.listed(session.connection(), office_id)
