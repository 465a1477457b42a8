from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from checklists.loader import TYPES_DIR, CatalogueError, check_catalogue, load_catalogue
from tracking.cli import app

ARCHITECTURE_SLUGS = {
    "building-small": 1,
    "drain-connection": 2,
    "building-large": 3,
    "building-permit-renewal": 4,
    "food-premises": 5,
    "health-hazard-business": 6,
    "street-vending": 7,
    "loudspeaker-advertising": 8,
    "tax-assessment": 9,
    "public-place-posting": 10,
    "fine-settlement": 11,
}

runner = CliRunner()


def test_shipped_catalogue_has_the_eleven_types_and_checks_clean() -> None:
    result = runner.invoke(app, ["catalogue", "check"])
    assert result.exit_code == 0, result.output
    catalogue = load_catalogue()
    assert {slug: p.number for slug, p in catalogue.items()} == ARCHITECTURE_SLUGS


def _copy(tmp_path: Path, slug: str = "food-premises") -> tuple[Path, dict]:
    folder = tmp_path / "types"
    folder.mkdir()
    target = folder / f"{slug}.yaml"
    shutil.copy(TYPES_DIR / f"{slug}.yaml", target)
    return target, yaml.safe_load(target.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _check(path: Path) -> list[str]:
    result = runner.invoke(app, ["catalogue", "check", str(path)])
    assert result.exit_code != 0
    return result.output.strip().splitlines()


def test_missing_field_is_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    del data["service_time"]
    _write(path, data)
    assert "food-premises.yaml: service_time: Field required" in _check(path.parent)


def test_transition_to_unknown_state_is_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["transitions"][0]["target"] = "nowhere"
    _write(path, data)
    assert "food-premises.yaml: transitions.0.target: unknown step 'nowhere'" in _check(path)


def test_guard_naming_unknown_item_is_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["transitions"][0]["requires"].append("unicorn_certificate")
    _write(path, data)
    assert (
        "food-premises.yaml: transitions.0.requires: unknown checklist item 'unicorn_certificate'"
        in _check(path)
    )


def test_duplicate_event_is_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    duplicate = dict(data["transitions"][0], target="withdrawn")
    data["transitions"].append(duplicate)
    _write(path, data)
    last = len(data["transitions"]) - 1
    assert (
        f"food-premises.yaml: transitions.{last}.event: duplicate event 'accept_application'"
        " from 'intake'" in _check(path)
    )


def test_unknown_role_is_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["transitions"][0]["roles"] = ["janitor"]
    _write(path, data)
    assert "food-premises.yaml: transitions.0.roles: role 'janitor' cannot fire events" in _check(
        path
    )


def test_several_problems_each_get_a_line(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["transitions"][0]["target"] = "nowhere"
    data["transitions"][2]["requires"] = ["ghost"]
    data["department"] = "ministry-of-magic"
    _write(path, data)
    lines = _check(path)
    assert len(lines) == 3
    assert all(line.startswith("food-premises.yaml: ") for line in lines)


def test_unreachable_and_trapped_steps_are_reported(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["steps"].append(
        {
            "id": "limbo",
            "turn": "authority",
            "label": {"th": "ค้าง", "en": "Limbo"},
            "description": {"th": "ค้าง", "en": "Limbo"},
        }
    )
    _write(path, data)
    assert any("step 'limbo' cannot be reached" in line for line in _check(path))
    data["transitions"].append(
        {
            "event": "to_limbo",
            "source": "intake",
            "target": "limbo",
            "roles": ["clerk"],
            "label": {"th": "ค้าง", "en": "Limbo"},
        }
    )
    _write(path, data)
    assert any("step 'limbo' cannot reach a final step" in line for line in _check(path))


def test_yaml_object_tags_are_refused(tmp_path: Path) -> None:
    path, _ = _copy(tmp_path)
    path.write_text("slug: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    (line,) = _check(path)
    assert line.startswith("food-premises.yaml: line 1: invalid YAML")


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path, _ = _copy(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "\nslug: food-premises\n", encoding="utf-8")
    assert any("duplicate key 'slug'" in line for line in _check(path))


def test_file_name_must_match_slug(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    path.rename(path.with_name("other.yaml"))
    assert "other.yaml: slug: slug 'food-premises' must match the file name" in _check(path.parent)


def test_loader_raises_with_every_problem(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["transitions"][0]["target"] = "nowhere"
    _write(path, data)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path.parent)
    assert [p.field for p in caught.value.problems] == ["transitions.0.target"]


def test_estimates_stay_flagged_as_unconfirmed() -> None:
    # The facts file read no BMA citizens' manual in full, so every manual service time is an
    # estimate the office must be able to find and correct; statutory limits come from the
    # statute text and are confirmed.
    for permit in load_catalogue().values():
        assert permit.service_time.confirmed is False, permit.slug
        if permit.statutory_limit is not None:
            assert permit.statutory_limit.confirmed is True, permit.slug
    # The food-premises form exists, but its food-handler certificate item is an estimate.
    items = {i.id: i for i in load_catalogue()["food-premises"].items()}
    assert items["application_form"].confirmed is True
    assert items["food_handler_certificates"].confirmed is False


@pytest.mark.parametrize("slug", sorted(ARCHITECTURE_SLUGS))
def test_each_file_checks_clean_on_its_own(slug: str) -> None:
    _, problems = check_catalogue(TYPES_DIR / f"{slug}.yaml")
    assert problems == []


# --- Issue 11's smaller legal fixes, held in the data -----------------------------------------


def test_no_type_refuses_for_documents_not_supplied() -> None:
    # LFA s.8 and PHA s.56: documents not supplied by the deadline mean a return, not a refusal.
    for permit in load_catalogue().values():
        for ground in permit.refusal_grounds:
            assert not ground.missing_documents, (permit.slug, ground.code)
            assert ground.code != "deficiencies-not-cured", permit.slug


def test_a_missing_documents_ground_is_refused_with_the_reason(tmp_path: Path) -> None:
    path, data = _copy(tmp_path)
    data["refusal_grounds"].append(
        {
            "code": "deficiencies-not-cured",
            "text": {"th": "ผู้ขอไม่แก้ไขข้อบกพร่องตามที่ได้รับแจ้ง", "en": "Deficiencies not cured"},
            "legal_basis": "Public Health Act s.56",
            "missing_documents": True,
        }
    )
    _write(path, data)
    last = len(data["refusal_grounds"]) - 1
    (line,) = [line for line in _check(path) if f"refusal_grounds.{last}" in line]
    assert "the application is returned" in line
    assert "s.8" in line


def test_every_s8_request_needs_the_signed_record(tmp_path: Path) -> None:
    for permit in load_catalogue().values():
        record = permit.deficiency_record
        assert record is not None, permit.slug
        assert not record.required, permit.slug
        for t in permit.transitions:
            if t.kind.value == "deficiency_request":
                assert record.id in t.requires, permit.slug
    path, data = _copy(tmp_path)
    request = next(t for t in data["transitions"] if t.get("kind") == "deficiency_request")
    request["requires"] = []
    _write(path, data)
    index = data["transitions"].index(request)
    assert (
        f"food-premises.yaml: transitions.{index}.requires: must include 'deficiency_record_signed'"
        in _check(path)
    )
    for item in data["steps"][0]["checklist"]:
        item.pop("deficiency_record", None)
    _write(path, data)
    assert "food-premises.yaml: steps: one s.8 record item is needed, found 0" in _check(path)


def test_the_withdrawal_is_the_applicant_s_own_request() -> None:
    # "ผู้ยื่นคำขอขอยกเลิกคำขอ": the one who filed (ผู้ยื่นคำขอ) asks (ขอ) to cancel the request.
    for permit in load_catalogue().values():
        texts = [t.label.th for t in permit.transitions] + [s.description.th for s in permit.steps]
        assert not any("ผู้ยื่นขอยกเลิก" in text for text in texts), permit.slug
        tax = permit.slug == "tax-assessment"
        wanted = "ผู้ยื่นแบบขอยกเลิกการยื่นแบบ" if tax else "ผู้ยื่นคำขอขอยกเลิกคำขอ"
        for t in permit.transitions:
            if t.kind.value == "withdraw":
                assert t.label.th == wanted, (permit.slug, t.source)


def test_the_thresholds_and_dates_a_type_takes_in_are_data() -> None:
    catalogue = load_catalogue()
    food = catalogue["food-premises"].subject_field("area_sqm")
    assert food is not None
    assert food.above is not None
    assert (food.above.value, food.above.confirmed) == (200, True)
    small = catalogue["building-small"].subject_field("area_sqm")
    large = catalogue["building-large"].subject_field("area_sqm")
    assert small is not None
    assert large is not None
    assert small.at_most is not None
    assert large.above is not None
    assert (small.at_most.value, small.at_most.instead) == (300, "building-large")
    assert (large.above.value, large.above.instead) == (300, "building-small")
    assert large.above.confirmed is False  # the two titles overlap at exactly 300 m²
    renewal = catalogue["building-permit-renewal"]
    expiry = renewal.subject_field("permit_expiry_date")
    assert expiry is not None
    assert expiry.required
    ground = renewal.ground("filed-after-expiry")
    assert ground is not None
    assert ground.received_after == "permit_expiry_date"
    for slug in ("loudspeaker-advertising", "public-place-posting"):
        period = catalogue[slug].permit_period
        assert period is not None
        assert (period.start, period.end) == ("period_start", "period_end")


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda d: d["permit_period"].update(end="closing_day"),
            "loudspeaker-advertising.yaml: permit_period.end: 'closing_day' is not a required"
            " date subject field",
        ),
        (
            lambda d: d["subject_fields"].append(dict(d["subject_fields"][0])),
            "loudspeaker-advertising.yaml: subject_fields.2.id: duplicate subject field"
            " 'period_start'",
        ),
        (
            lambda d: d["subject_fields"][0].update(id="address"),
            "loudspeaker-advertising.yaml: subject_fields.0.id: 'address' is the subject's own key",
        ),
        (
            lambda d: d["subject_fields"][0].update(unit={"th": "วัน", "en": "days"}),
            "loudspeaker-advertising.yaml: subject_fields.0: Value error, only a number field"
            " has a unit or thresholds",
        ),
        (
            lambda d: d["refusal_grounds"][0].update(received_after="period_middle"),
            "loudspeaker-advertising.yaml: refusal_grounds.0.received_after: 'period_middle' is"
            " not a date subject field",
        ),
    ],
)
def test_subject_fields_that_do_not_fit_are_reported(
    tmp_path: Path, edit: Any, problem: str
) -> None:
    path, data = _copy(tmp_path, "loudspeaker-advertising")
    edit(data)
    _write(path, data)
    assert problem in _check(path)


def test_a_threshold_must_send_to_another_type_of_the_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "types"
    shutil.copytree(TYPES_DIR, folder)
    path = folder / "building-small.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["subject_fields"][0]["at_most"]["instead"] = "building-huge"
    _write(path, data)
    assert (
        "building-small.yaml: subject_fields.0.at_most.instead: 'building-huge' is not another"
        " type of the catalogue" in _check(folder)
    )
