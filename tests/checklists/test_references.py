"""Every legal reference in the catalogue has a Thai reading: Thai act titles, พ.ศ. years,
มาตรา numbers, and no English words left."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from checklists.appeals import RETURN_ORDER_APPEAL
from checklists.loader import default_catalogue
from checklists.references import is_thai, legal_reference


def _references(found: set[str], value: Any) -> set[str]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            field = getattr(value, name)
            if name == "legal_basis" and isinstance(field, str):
                found.add(field)
            _references(found, field)
    elif isinstance(value, list | tuple):
        for each in value:
            _references(found, each)
    return found


REFERENCES = sorted(_references(set(), [*default_catalogue().values(), RETURN_ORDER_APPEAL]))


@pytest.mark.parametrize("text", REFERENCES)
def test_every_reference_reads_in_thai(text: str) -> None:
    assert is_thai(text), legal_reference(text, "th")


def test_acts_years_sections_and_paragraphs() -> None:
    assert legal_reference("Public Health Act B.E. 2535 s.56", "th") == (
        "พระราชบัญญัติการสาธารณสุข พ.ศ. 2535 มาตรา 56"
    )
    assert legal_reference("Public Health Act s.54 para 2", "th") == (
        "พระราชบัญญัติการสาธารณสุข มาตรา 54 วรรคสอง"
    )
    assert legal_reference("Public Health Act s.56", "en") == "Public Health Act s.56"
    assert legal_reference("Something unknown", "th") == "Something unknown"
