"""The district offices, as data: one file per office in ``checklists/districts/``.

A file gives the office's names, address, telephone, opening hours and complaint channel, each
fact with ``confirmed`` (false: taken from a secondary source or estimated, to be checked with
the office), and how the office runs the catalogue's permit types: a type it does not offer
(with the reason), or a shorter service time in its own citizens' manual. The Licensing
Facilitation Act B.E. 2558 s.7 has each authority publish its own manual and service times;
what the law fixes does not move: an office's service time may be shorter than the
catalogue's, never longer than the statutory limit (nor, for a type without one, than the
catalogue's manual time), and it counts in the type's unit.

``check_offices`` reports every problem as ``(file, field, problem)`` like the catalogue check;
``load_offices`` raises ``CatalogueError``. The database holds the offices it serves (rows
written from these files by ``tidtam office add|update``); pages and rules read the rows.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from checklists.fields import Slug, Strict, Text
from checklists.loader import (
    CatalogueError,
    Problem,
    data_files,
    default_catalogue,
    parse_file,
)
from checklists.schema import PermitType

DISTRICTS_DIR = Path(__file__).parent / "districts"

# The BMA's district code: 10 (Bangkok) and the district's number, 01 to 50.
BmaCode = Annotated[str, StringConstraints(pattern=r"^10(0[1-9]|[1-4][0-9]|50)$")]
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^[0-9][0-9 -]{4,30}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=500)]


class Fact(Text):
    """A fact about the office in Thai and English, and whether it was checked."""

    confirmed: bool


class Phone(Strict):
    number: PhoneNumber
    confirmed: bool


class Channel(Strict):
    """Where citizens complain (and report suspected corruption), and give feedback."""

    text: Text
    complaint_url: Url
    feedback_url: Url
    confirmed: bool


class PermitSetting(Strict):
    """How the office runs one permit type: not offered, or a service time of its own."""

    offered: bool = True
    service_days: int | None = Field(default=None, ge=1, le=3650)
    reason: Text | None = None
    confirmed: bool

    @model_validator(mode="after")
    def _says_why(self) -> PermitSetting:
        if not self.offered and self.service_days is not None:
            raise ValueError("a type the office does not offer has no service time")
        if self.reason is None:
            raise ValueError("give the reason (th, en) the office runs the type this way")
        return self


class OfficeFile(Strict):
    slug: Slug
    bma_code: BmaCode
    name: Text
    address: Fact
    phone: Phone
    hours: Fact
    complaint: Channel
    permit_types: dict[Slug, PermitSetting] = Field(default_factory=dict)

    @property
    def unconfirmed(self) -> list[str]:
        """The facts not yet checked with the office, by name."""
        facts = {
            "address": self.address.confirmed,
            "phone": self.phone.confirmed,
            "hours": self.hours.confirmed,
            "complaint": self.complaint.confirmed,
        }
        return [name for name, confirmed in facts.items() if not confirmed]

    def row(self) -> dict[str, Any]:
        """The office's columns in the database (``tracking.models.Office``)."""
        return {
            "slug": self.slug,
            "bma_code": self.bma_code,
            "name_th": self.name.th,
            "name_en": self.name.en,
            "address_th": self.address.th,
            "address_en": self.address.en,
            "phone": self.phone.number,
            "hours_th": self.hours.th,
            "hours_en": self.hours.en,
            "complaint_th": self.complaint.text.th,
            "complaint_en": self.complaint.text.en,
            "complaint_url": self.complaint.complaint_url,
            "feedback_url": self.complaint.feedback_url,
            "permit_settings": {
                slug: setting.model_dump(mode="json", exclude_none=True)
                for slug, setting in sorted(self.permit_types.items())
            },
            "unconfirmed": self.unconfirmed,
        }


def setting_problems(
    settings: Mapping[str, PermitSetting], catalogue: Mapping[str, PermitType]
) -> list[tuple[str, str]]:
    """How an office's permit settings fail the catalogue and the law."""
    problems: list[tuple[str, str]] = []
    for slug, setting in settings.items():
        where = f"permit_types.{slug}"
        permit = catalogue.get(slug)
        if permit is None:
            problems.append((where, f"{slug!r} is not a permit type of the catalogue"))
            continue
        if setting.service_days is None:
            continue
        bound = service_bound(permit)
        if setting.service_days > bound:
            law = "the statutory limit" if permit.statutory_limit else "the catalogue's manual time"
            problems.append(
                (
                    f"{where}.service_days",
                    f"{setting.service_days} days is longer than {law} ({bound}"
                    f" {permit.service_time.unit.value} days); an office may only shorten it",
                )
            )
    return problems


def service_bound(permit: PermitType) -> int:
    """The longest service time an office may publish for ``permit``, in the type's unit."""
    law = permit.statutory_limit
    return law.days if law is not None else permit.service_time.days


def _parse(
    file: Path, catalogue: Mapping[str, PermitType]
) -> tuple[OfficeFile | None, list[Problem]]:
    return parse_file(
        file, OfficeFile.model_validate, lambda o: setting_problems(o.permit_types, catalogue)
    )


def check_offices(
    path: Path = DISTRICTS_DIR, catalogue: Mapping[str, PermitType] | None = None
) -> tuple[dict[str, OfficeFile], list[Problem]]:
    """Parse every office file under ``path``; the valid offices and every problem found
    (a slug or BMA code given twice among them is one)."""
    catalogue = default_catalogue() if catalogue is None else catalogue
    files = data_files(path)
    if not files:
        return {}, [Problem(str(path), "-", "no office files found")]
    offices: dict[str, OfficeFile] = {}
    problems: list[Problem] = []
    codes: dict[str, str] = {}
    for file in files:
        office, found = _parse(file, catalogue)
        problems.extend(found)
        if office is None:
            continue
        if office.bma_code in codes:
            problems.append(
                Problem(
                    file.name, "bma_code", f"{office.bma_code} is also {codes[office.bma_code]}"
                )
            )
        codes[office.bma_code] = office.slug
        offices[office.slug] = office
    return offices, problems


def load_offices(path: Path = DISTRICTS_DIR) -> dict[str, OfficeFile]:
    """The valid offices at ``path``, by slug, in BMA code order; raises ``CatalogueError``."""
    offices, problems = check_offices(path)
    if problems:
        raise CatalogueError(problems)
    return dict(sorted(offices.items(), key=lambda item: item[1].bma_code))


def districts_dir() -> Path:
    """Where the office files live: ``TIDTAM_DISTRICTS_DIR``, or those shipped here."""
    return Path(os.environ.get("TIDTAM_DISTRICTS_DIR") or DISTRICTS_DIR)


@cache
def default_offices() -> dict[str, OfficeFile]:
    """The configured office files, loaded once per process."""
    return load_offices(districts_dir())
