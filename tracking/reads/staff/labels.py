"""The catalogue's names of what staff pages show: departments, steps and other texts, each
as ``{"th": ..., "en": ...}``."""

from __future__ import annotations

from datetime import date

from checklists.fields import FieldType
from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS, PermitType, Text
from tracking.dates import written

Label = dict[str, str]
"""A text in Thai and English: ``{"th": ..., "en": ...}``."""


def label(text: Text | tuple[str, str]) -> Label:
    if isinstance(text, tuple):
        return {"th": text[0], "en": text[1]}
    return {"th": text.th, "en": text.en}


def department_label(slug: str) -> Label:
    """The department's name; its slug if the catalogue does not know it."""
    return label(DEPARTMENTS.get(slug, (slug, slug)))


def step_label(permit: PermitType, step_id: str | None) -> Label:
    """The step's name in ``permit``; its id if the type has no such step, "-" for none."""
    if not step_id:
        return {"th": "-", "en": "-"}
    try:
        return label(permit.step(step_id).label)
    except KeyError:
        return {"th": step_id, "en": step_id}


def subject_detail(permit: PermitType, field_id: str, value: object) -> tuple[Label, Label]:
    """A subject detail as staff read it: the field's name, and its value in each language (a
    date in words, a number with its unit); a field the type does not declare as stored."""
    spec = permit.subject_field(field_id)
    if spec is None:
        return {"th": field_id, "en": field_id}, {"th": str(value), "en": str(value)}
    shown = {"th": str(value), "en": str(value)}
    if spec.type is FieldType.date:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            pass
        else:
            shown = {"th": written(day, "th"), "en": written(day, "en")}
    elif spec.unit is not None:
        shown = {"th": f"{value} {spec.unit.th}", "en": f"{value} {spec.unit.en}"}
    return label(spec.label), shown


def ground_label(code: str) -> Label:
    """A refusal ground's text, from the first permit type that has ``code``; the code if none
    does (a ground an older catalogue had)."""
    for permit in default_catalogue().values():
        ground = permit.ground(code)
        if ground is not None:
            return label(ground.text)
    return {"th": code, "en": code}
