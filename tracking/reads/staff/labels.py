"""The catalogue's names of what staff pages show: departments, steps and other texts, each
as ``{"th": ..., "en": ...}``."""

from __future__ import annotations

from checklists.schema import DEPARTMENTS, PermitType, Text

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
