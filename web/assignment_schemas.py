"""Bodies and answers of the assignment API: who works a file, one file or many."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from web.schemas import EventOut, Input

Username = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(max_length=500)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]


class AssignmentRequest(Input):
    """Give one file to an officer or approver of its department, with a reason."""

    assignee: Username = Field(description="The staff member's username")
    reason: Reason
    version: Version


class AssignmentResult(BaseModel):
    id: int
    assignee: str
    version: int
    event: EventOut


class FileAtVersion(Input):
    id: int = Field(ge=1, le=2**31 - 1)
    version: Version


class BulkAssignmentRequest(Input):
    """Give several files to one person, all or nothing, with one reason."""

    applications: list[FileAtVersion] = Field(min_length=1, max_length=200)
    assignee: Username
    reason: Reason


class BulkAssigned(BaseModel):
    id: int
    version: int
    # False: the file was the assignee's already (no event).
    moved: bool


class BulkAssignmentResult(BaseModel):
    assignee: str
    moved: int
    applications: list[BulkAssigned]
