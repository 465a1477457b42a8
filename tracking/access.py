"""Who may do what: the acting staff member, the role sets, and the one check of each.

Roles are named in ``checklists.schema.ROLES`` (the catalogue validates transitions against
them); what each role may do in the office is decided here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from checklists.loader import default_catalogue
from checklists.schema import FIRING_ROLES, ROLES, PermitType
from tracking.errors import NotPermitted

# Roles that work across every department of the office, and so have no department.
OFFICE_WIDE_ROLES = frozenset({"manager", "admin"})
# Roles that read files and figures but never change a file (the catalogue gives no
# transition to them either).
READ_ONLY_ROLES = frozenset(ROLES) - FIRING_ROLES
# Roles that take in applications at the counter.
INTAKE_ROLES = frozenset({"clerk", "admin"})
# Roles that see the compliance dashboard, reports and case lists.
MANAGER_ROLES = frozenset({"manager"})
assert OFFICE_WIDE_ROLES | READ_ONLY_ROLES | INTAKE_ROLES | MANAGER_ROLES <= set(ROLES)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff username, role, department (None for office-wide roles) and office."""

    username: str
    role: str
    department: str | None = None
    office_id: int | None = None

    @property
    def office_wide(self) -> bool:
        return self.role in OFFICE_WIDE_ROLES

    @property
    def may_intake(self) -> bool:
        return self.role in INTAKE_ROLES

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES


def refusal(actor: Actor, department: str, *, act: bool) -> NotPermitted | None:
    """Why ``actor`` may not read (``act``: change) a file of ``department``, or None.

    Staff work only on their own department's files; office-wide roles read everything, and
    read-only roles change nothing."""
    if act and actor.role in READ_ONLY_ROLES:
        return NotPermitted(
            "ผู้บริหารดูข้อมูลได้แต่ไม่ดำเนินการกับคำขอ",
            "Managers can read applications but cannot act on them",
        )
    if actor.office_wide or actor.department == department:
        return None
    return NotPermitted(
        "คำขอนี้อยู่ในความรับผิดชอบของฝ่ายอื่น",
        "This application belongs to another department",
    )


def authorise(actor: Actor, department: str, *, act: bool) -> None:
    """Raise ``NotPermitted`` unless ``actor`` may read (``act``: change) the file."""
    error = refusal(actor, department, act=act)
    if error is not None:
        raise error


def authorise_intake(actor: Actor, department: str) -> None:
    """Raise ``NotPermitted`` unless ``actor`` may take in an application of ``department``."""
    authorise(actor, department, act=True)
    if not actor.may_intake:
        raise NotPermitted("รับคำขอได้เฉพาะเจ้าหน้าที่รับคำขอ", "Only clerks take in applications")


def authorise_manager(actor: Actor) -> None:
    """Raise ``NotPermitted`` unless ``actor`` may see the compliance figures."""
    if not actor.is_manager:
        raise NotPermitted("หน้านี้สำหรับผู้บริหาร", "Only managers can see compliance figures")


def queue_department(actor: Actor) -> str | None:
    """The one department whose files the actor's work queue holds; None: all of them."""
    return None if actor.office_wide else actor.department


def permits_in_scope(actor: Actor) -> list[PermitType]:
    """The permit types whose files the actor's work queue holds, in catalogue order."""
    department = queue_department(actor)
    return sorted(
        (p for p in default_catalogue().values() if department in (None, p.department)),
        key=lambda p: p.number,
    )
