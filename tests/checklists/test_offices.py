"""The office files: all fifty Bangkok districts, each valid, and what the check refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checklists.loader import default_catalogue
from checklists.offices import DISTRICTS_DIR, check_offices, load_offices, service_bound


def test_all_fifty_districts_are_there_once_each_with_valid_files() -> None:
    offices, problems = check_offices()
    assert problems == []
    assert sorted(o.bma_code for o in offices.values()) == [f"10{n:02d}" for n in range(1, 51)]
    assert len({o.name.th for o in offices.values()}) == 50
    assert all(o.name.th.startswith("สำนักงานเขต") for o in offices.values())
    pathumwan = offices["pathumwan"]
    assert pathumwan.bma_code == "1007"
    assert pathumwan.complaint.complaint_url == "https://webportal.bangkok.go.th/pathumwan"


def test_the_offices_are_loaded_in_bma_code_order() -> None:
    codes = [o.bma_code for o in load_offices().values()]
    assert codes == sorted(codes)


def test_unchecked_facts_are_named_from_their_flags() -> None:
    office = load_offices()["pathumwan"]
    assert office.unconfirmed == ["address", "phone", "hours"]
    assert office.row()["unconfirmed"] == ["address", "phone", "hours"]


def _write(folder: Path, name: str = "pathumwan", **change: object) -> Path:
    """Pathumwan's file, changed, as ``name``.yaml in ``folder``."""
    data = yaml.safe_load((DISTRICTS_DIR / "pathumwan.yaml").read_text(encoding="utf-8"))
    data.update(change)
    file = folder / f"{name}.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    return [f"{p.field}: {p.problem}" for p in check_offices(folder)[1]]


def test_an_office_may_shorten_a_service_time_but_not_go_past_the_law(tmp_path: Path) -> None:
    permit = default_catalogue()["street-vending"]
    bound = service_bound(permit)
    assert permit.statutory_limit is not None
    assert bound == permit.statutory_limit.days
    reason = {"th": "คู่มือของสำนักงานเขตกำหนดไว้", "en": "the office's own manual"}
    shorter = {"street-vending": {"service_days": bound - 5, "reason": reason, "confirmed": False}}
    assert _problems(_write(tmp_path, permit_types=shorter)) == []
    longer = {"street-vending": {"service_days": bound + 1, "reason": reason, "confirmed": False}}
    (problem,) = _problems(_write(tmp_path, permit_types=longer))
    assert problem.startswith("permit_types.street-vending.service_days:")
    assert "an office may only shorten it" in problem


def test_the_check_refuses_unknown_types_mismatched_names_and_settings_without_reasons(
    tmp_path: Path,
) -> None:
    unknown = {
        "kite-flying": {"offered": False, "reason": {"th": "ไม่มี", "en": "none"}, "confirmed": True}
    }
    assert any("kite-flying" in p for p in _problems(_write(tmp_path, permit_types=unknown)))
    (tmp_path / "pathumwan.yaml").unlink()
    assert any(p.startswith("slug:") for p in _problems(_write(tmp_path, name="wrong-name")))
    (tmp_path / "wrong-name.yaml").unlink()
    silent = {"street-vending": {"offered": False, "confirmed": True}}
    assert any("reason" in p for p in _problems(_write(tmp_path, permit_types=silent)))


def test_two_files_may_not_claim_one_bma_code(tmp_path: Path) -> None:
    _write(tmp_path)
    _write(tmp_path, name="pathumwan-copy", slug="pathumwan-copy")
    assert [p for p in _problems(tmp_path) if p.startswith("bma_code:")]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bma_code", "1051"),
        ("bma_code", "0007"),
        ("phone", {"number": "call us", "confirmed": True}),
    ],
)
def test_malformed_facts_are_refused(tmp_path: Path, field: str, value: object) -> None:
    assert any(p.startswith(field) for p in _problems(_write(tmp_path, **{field: value})))
