from __future__ import annotations

import shutil
from pathlib import Path

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
    data["transitions"][1]["requires"] = ["ghost"]
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
