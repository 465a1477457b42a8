"""Bodies of the extension API: an extension of the period to decide, and its answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from web.schemas import EventOut, Input


class ExtensionRequest(Input):
    """An extension of the period to decide, notified to the applicant in writing."""

    days: int = Field(ge=1, le=3650, description="Days added, at most what the law gives")
    reason: Annotated[str, StringConstraints(max_length=1000)]
    version: int = Field(ge=1, le=2**31 - 1)


class ExtensionResult(BaseModel):
    id: int
    due_date: date
    extensions: int
    version: int
    notice_url: str
    event: EventOut
