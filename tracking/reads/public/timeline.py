"""The steps a file has passed, the one it is at, and the usual road still ahead of it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from checklists.loader import default_catalogue
from checklists.schema import Outcome, PermitType, Step
from tracking.clock import bangkok_date
from tracking.reads.public.status import TimelineEntry

# The outcomes the usual road leads to.
ROAD_ENDS = frozenset({Outcome.approved, Outcome.closed})


@lru_cache(maxsize=1024)
def ahead(slug: str, step_id: str) -> tuple[str, ...]:
    """The usual road from ``step_id`` to an approval: the steps still to come."""
    road = default_catalogue()[slug].road(step_id, set(ROAD_ENDS))
    return tuple(t.target for t in road)


def timeline(permit: PermitType, current: Step, moves: Sequence[Any]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for i, move in enumerate(moves):
        step = permit.step(move.target)
        entered = bangkok_date(move.occurred_at)
        completed = bangkok_date(moves[i + 1].occurred_at) if i + 1 < len(moves) else None
        is_current = i == len(moves) - 1
        entries.append(
            TimelineEntry(step, entered, completed, is_current and not step.final, False)
        )
    if not current.final:
        for step_id in ahead(permit.slug, current.id):
            entries.append(TimelineEntry(permit.step(step_id), None, None, False, True))
    return entries
