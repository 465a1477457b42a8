"""Who may do what: the acting staff member, the role sets, and the one check of each.

Roles are named in ``checklists.schema.ROLES`` (the catalogue validates transitions and items'
``recorded_by`` against them); what each role may do in the office is decided here and nowhere
else.

Checklist items (``record_checklist_item`` and the staff view of each item call
``item_refusal`` / ``item_statuses``):

- ``verified`` and ``waived`` satisfy an item, so only its recording roles set them: its own
  ``recorded_by`` in the catalogue, else its kind's in ``ITEM_ROLES`` (documents, payments and
  notices: clerks; inspections, reviews and opinions: officers). Approvers decide and record no
  item, so whoever approves did not also verify or waive what the approval rests on.
- ``received``, ``missing`` and ``pending`` are the counter's check of what the applicant
  brought (and the s.8 deficiency record): the document roles may set them on any item, as may
  the item's own roles; but an item already verified or waived is changed again only by its
  own roles, so a check cannot quietly undo another role's verification.
- The office-wide admin records no item unless a permit type names it in ``recorded_by``: it
  works across every department, so letting it verify or waive would let one account satisfy
  every department's inspections and reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from checklists.loader import default_catalogue
from checklists.schema import (
    FIRING_ROLES,
    ROLES,
    ChecklistItem,
    ItemKind,
    PermitType,
    role_names,
)
from tracking.errors import NotPermitted
from tracking.models import SATISFIED, ChecklistStatus

# Roles that work across every department of the office, and so have no department.
OFFICE_WIDE_ROLES = frozenset({"manager", "admin", "city"})
# Roles that read every office (the city administration's auditors), and so have no office.
CITY_WIDE_ROLES = frozenset({"city"})
# Roles that read files and figures but never change a file (the catalogue gives no
# transition to them either).
READ_ONLY_ROLES = frozenset(ROLES) - FIRING_ROLES
# Roles that take in applications at the counter.
INTAKE_ROLES = frozenset({"clerk", "admin"})
# Roles that see the compliance dashboard, reports and case lists (the city's, of any office).
MANAGER_ROLES = frozenset({"manager", "city"})
# Who moves a file to another staff member (a department's approver, the office's manager),
# and who may hold one: those who work files through (tracking.workflow.assignment).
ASSIGNING_ROLES = frozenset({"approver", "manager"})
ASSIGNEE_ROLES = frozenset({"officer", "approver"})
# Who marks a checklist item of each kind verified or waived (an item's ``recorded_by``
# replaces its kind's).
ITEM_ROLES: dict[ItemKind, tuple[str, ...]] = {
    ItemKind.document: ("clerk",),
    ItemKind.payment: ("clerk",),
    ItemKind.notice: ("clerk",),
    ItemKind.inspection: ("officer",),
    ItemKind.review: ("officer",),
    ItemKind.opinion: ("officer",),
}
# Who makes the counter's check (received, missing) of any item: the document roles.
CHECK_ROLES = ITEM_ROLES[ItemKind.document]
# Each checklist status as people read it (Thai, English): pages and messages name them so.
STATUS_NAMES: dict[str, tuple[str, str]] = {
    ChecklistStatus.pending.value: ("ยังไม่ได้รับ", "not yet received"),
    ChecklistStatus.received.value: ("ได้รับแล้ว", "received"),
    ChecklistStatus.verified.value: ("ตรวจแล้วถูกต้อง", "verified"),
    ChecklistStatus.missing.value: ("ขาด", "missing"),
    ChecklistStatus.waived.value: ("ยกเว้น", "waived"),
}
# The statuses staff set (pending is what intake starts from).
RECORDABLE = tuple(s for s in ChecklistStatus if s is not ChecklistStatus.pending)
assert OFFICE_WIDE_ROLES | READ_ONLY_ROLES | INTAKE_ROLES | MANAGER_ROLES <= set(ROLES)
assert CITY_WIDE_ROLES <= OFFICE_WIDE_ROLES & READ_ONLY_ROLES & MANAGER_ROLES
assert ASSIGNING_ROLES | ASSIGNEE_ROLES <= set(ROLES)
assert set(ITEM_ROLES) == set(ItemKind)
assert set(STATUS_NAMES) == {s.value for s in ChecklistStatus}
assert {role for roles in ITEM_ROLES.values() for role in roles} <= FIRING_ROLES


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff username, role, department (None for office-wide roles) and office
    (None: every office, as for the city-wide roles; ``in_office`` narrows them to one)."""

    username: str
    role: str
    department: str | None = None
    office_id: int | None = None

    @property
    def office_wide(self) -> bool:
        return self.role in OFFICE_WIDE_ROLES

    @property
    def city_wide(self) -> bool:
        return self.role in CITY_WIDE_ROLES

    def reads(self, office_id: int) -> bool:
        """Whether the actor may see ``office_id``'s files: their own office's; any office's
        for an actor of no office (the city-wide roles, whose accounts have none, and a
        script's actor; a signed-in account of another role always has its office)."""
        return self.office_id is None or self.office_id == office_id

    def in_office(self, office_id: int) -> Actor:
        """The actor reading ``office_id``'s files and figures: a city-wide actor narrowed to
        it; anyone else as they are (their own office is the only one they read)."""
        return replace(self, office_id=office_id) if self.city_wide else self

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
            "ผู้บริหารและผู้ตรวจสอบดูข้อมูลได้แต่ไม่ดำเนินการกับคำขอ",
            "Managers and auditors can read applications but cannot act on them",
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


def authorise_city(actor: Actor) -> None:
    """Raise ``NotPermitted`` unless ``actor`` is one of the city's auditors (role ``city``)."""
    if not actor.city_wide:
        raise NotPermitted(
            "หน้านี้สำหรับผู้ตรวจสอบของกรุงเทพมหานครเท่านั้น ผู้บริหารสำนักงานเขตดูได้เฉพาะสำนักงานของตน",
            "Only the city administration's auditors see every office;"
            " a district manager sees their own office",
        )


def authorise_assignment(actor: Actor, department: str) -> None:
    """Raise ``NotPermitted`` unless ``actor`` may give a file of ``department`` to someone:
    its department's approver, or the office's manager (who acts on no file otherwise)."""
    if actor.role not in ASSIGNING_ROLES:
        raise NotPermitted(
            "มอบหมายคำขอได้เฉพาะผู้มีอำนาจอนุญาตของฝ่ายหรือผู้บริหาร",
            "Only the department's approver or a manager may assign applications",
        )
    if not (actor.office_wide or actor.department == department):
        raise NotPermitted(
            "คำขอนี้อยู่ในความรับผิดชอบของฝ่ายอื่น",
            "This application belongs to another department",
        )


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


def item_roles(item: ChecklistItem | None) -> tuple[str, ...]:
    """The roles that mark ``item`` verified or waived: its ``recorded_by``, else its kind's.
    An item its permit type no longer has counts as a document."""
    if item is None:
        return ITEM_ROLES[ItemKind.document]
    return tuple(item.recorded_by) if item.recorded_by else ITEM_ROLES[item.kind]


def recording_roles(item: ChecklistItem | None, status: str, current: str) -> tuple[str, ...]:
    """The roles that may give ``item`` (now ``current``) the ``status``: its own roles, and
    for the counter's check of an item not yet verified or waived, the document roles too."""
    roles = item_roles(item)
    if status in SATISFIED or current in SATISFIED:
        return roles
    return tuple(dict.fromkeys([*roles, *CHECK_ROLES]))


def item_statuses(actor: Actor, item: ChecklistItem | None, current: str) -> tuple[str, ...]:
    """The statuses ``actor`` may give ``item`` (now ``current``), in ``RECORDABLE`` order."""
    return tuple(s.value for s in RECORDABLE if actor.role in recording_roles(item, s, current))


def item_refusal(
    actor: Actor, item: ChecklistItem | None, item_id: str, status: str, current: str
) -> NotPermitted | None:
    """Why ``actor`` may not mark ``item`` (``item_id``, now ``current``) ``status``, or None."""
    roles = recording_roles(item, status, current)
    if actor.role in roles:
        return None
    th, en = (item.label.th, item.label.en) if item else (item_id, item_id)
    return NotPermitted(
        f"{role_names([actor.role])} บันทึกสถานะ “{STATUS_NAMES.get(status, (status,))[0]}”"
        f" ของรายการ “{th}” ไม่ได้"
        f" (บันทึกได้โดย: {role_names(roles)})",
        f"The {role_names([actor.role], 'en')} role may not mark “{en}” {status};"
        f" it is recorded by: {role_names(roles, 'en')}",
        allowed_roles=list(roles),
    )
