"""The offices a database serves, and how each runs the catalogue's permit types.

An office's row is written from its file (``checklists.offices``) by ``add`` and ``update``;
nothing else writes it, and every app server reads the same rows, so a change applies to all
of them at once. How the office runs a permit type is one rule here: whether it offers the type
(``offers``; intake refuses a type the office does not offer) and the type as that office runs
it (``permit_at``: the catalogue's type with the office's own, shorter, service time), which
intake's due date, the published manual time and the dashboards read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from checklists.offices import OfficeFile, PermitSetting
from checklists.schema import PermitType
from tracking.errors import InvalidInput, NotFound
from tracking.models import Application, Office, Staff


def office_by_slug(session: Session, slug: str) -> Office:
    office = session.exec(select(Office).where(Office.slug == slug)).first()
    if office is None:
        raise NotFound(f"ไม่พบสำนักงานเขต {slug!r}", f"No office {slug!r}")
    return office


def add(session: Session, profile: OfficeFile) -> Office:
    """The office of ``profile``, added. Raises ``InvalidInput`` when its slug or BMA code
    is already an office of the database."""
    taken = session.exec(
        select(Office).where(
            (col(Office.slug) == profile.slug) | (col(Office.bma_code) == profile.bma_code)
        )
    ).first()
    if taken is not None:
        raise InvalidInput(
            f"มีสำนักงานเขต {taken.slug} (รหัส {taken.bma_code}) อยู่แล้ว",
            f"The office {taken.slug} (code {taken.bma_code}) is already here;"
            " use `tidtam office update` to change it",
            field="slug",
        )
    office = Office(**profile.row())
    session.add(office)
    session.flush()
    return office


def update(session: Session, profile: OfficeFile) -> list[str]:
    """Write ``profile`` over its office's row; the names of the columns that changed.
    Raises ``NotFound`` when the office is not in the database."""
    office = office_by_slug(session, profile.slug)
    changed = []
    for column, value in profile.row().items():
        if getattr(office, column) != value:
            setattr(office, column, value)
            changed.append(column)
    session.add(office)
    session.flush()
    return changed


def setting(office: Office, permit_slug: str) -> PermitSetting | None:
    """How ``office`` runs the permit type, when its file says (None: as the catalogue)."""
    found = (office.permit_settings or {}).get(permit_slug)
    return PermitSetting.model_validate(found) if found is not None else None


def offers(office: Office, permit_slug: str) -> bool:
    found = setting(office, permit_slug)
    return found is None or found.offered


def refuse_unoffered(office: Office, permit: PermitType) -> None:
    """Raise ``InvalidInput`` unless ``office`` takes in applications of ``permit``."""
    found = setting(office, permit.slug)
    if found is None or found.offered:
        return
    why = found.reason
    raise InvalidInput(
        f"{office.name_th} ไม่รับคำขอ “{permit.name.th}”" + (f": {why.th}" if why else ""),
        f"{office.name_en} does not take applications for “{permit.name.en}”"
        + (f": {why.en}" if why else ""),
        field="permit_type",
    )


def permit_at(office: Office | None, permit: PermitType) -> PermitType:
    """``permit`` as ``office`` runs it: with the office's own service time, if it has one
    (the office file's check keeps it within what the law allows)."""
    found = setting(office, permit.slug) if office is not None else None
    if found is None or found.service_days is None:
        return permit
    manual = permit.service_time.model_copy(update={"days": found.service_days})
    return permit.model_copy(update={"service_time": manual})


@dataclass(frozen=True)
class OfficeLine:
    """One office of the database, for ``tidtam office list``."""

    slug: str
    bma_code: str
    name_th: str
    name_en: str
    staff: int
    open_files: int
    not_offered: tuple[str, ...]
    unconfirmed: tuple[str, ...]


def lines(session: Session) -> list[OfficeLine]:
    """Every office of the database, in BMA code order, with its active staff and open files."""
    staff = dict(
        session.exec(
            select(Staff.office_id, func.count())
            .where(col(Staff.active).is_(True), col(Staff.office_id).is_not(None))
            .group_by(col(Staff.office_id))
        ).all()
    )
    open_files = dict(
        session.exec(
            select(Application.office_id, func.count())
            .where(col(Application.outcome).is_(None))
            .group_by(col(Application.office_id))
        ).all()
    )
    found = []
    for office in session.exec(select(Office).order_by(col(Office.bma_code))).all():
        assert office.id is not None
        found.append(
            OfficeLine(
                slug=office.slug,
                bma_code=office.bma_code,
                name_th=office.name_th,
                name_en=office.name_en,
                staff=staff.get(office.id, 0),
                open_files=open_files.get(office.id, 0),
                not_offered=tuple(s for s in office.permit_settings or {} if not offers(office, s)),
                unconfirmed=tuple(office.unconfirmed or ()),
            )
        )
    return found
