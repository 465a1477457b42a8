"""The clocks a permit file declares (``checklists/clocks.py``), checked against the facts:
Public Health Act s.56 types count 30 calendar days with two extensions of 15; Building
Control Act types 45 days with two extensions of 45 and the s.27 restart; the readings the
facts file marks unconfirmed say so."""

from __future__ import annotations

import pytest

from checklists.clocks import Clock, clock_problems
from checklists.loader import default_catalogue

PHA = ("food-premises", "health-hazard-business", "street-vending")
BCA = ("building-small", "building-large")


@pytest.mark.parametrize("slug", PHA)
def test_public_health_act_s56(slug: str) -> None:
    law = default_catalogue()[slug].statutory_limit
    assert law is not None
    assert (law.days, law.unit.value, law.confirmed) == (30, "calendar", True)
    assert law.extensions is not None
    assert (law.extensions.times, law.extensions.days) == (2, 15)
    assert "s.56" in law.extensions.legal_basis
    assert law.restart is None
    manual = default_catalogue()[slug].service_time
    assert (manual.unit.value, manual.confirmed) == ("calendar", False)


@pytest.mark.parametrize("slug", BCA)
def test_building_control_act_s25_and_s27(slug: str) -> None:
    law = default_catalogue()[slug].statutory_limit
    assert law is not None
    assert (law.days, law.unit.value) == (45, "calendar")
    assert law.extensions is not None
    assert (law.extensions.times, law.extensions.days) == (2, 45)
    assert law.restart is not None
    assert (law.restart.starts.value, law.restart.step, law.restart.days) == (
        "amended_plans",
        "awaiting_amendments",
        30,
    )


@pytest.mark.parametrize("slug", sorted(default_catalogue()))
def test_every_clock_says_what_starts_and_pauses_it(slug: str) -> None:
    permit = default_catalogue()[slug]
    for found in (permit.service_time, permit.statutory_limit):
        if found is None:
            continue
        assert found.starts.value == "complete_application"
        assert [p.value for p in found.pauses] == ["applicant_turn"]
        # The day of receipt is not counted: a reading, not read in a statute.
        assert found.counted.first_day.value == "day_after_start"
        assert found.counted.confirmed is False
    if permit.statutory_limit is None:
        assert permit.service_time.extensions is None


def test_clocks_that_do_not_fit_are_refused() -> None:
    permit = default_catalogue()["food-premises"]
    law = permit.statutory_limit
    assert law is not None
    business = Clock.model_validate({**law.model_dump(), "unit": "business"})
    turns = {step.id: step.turn.value for step in permit.steps}
    assert clock_problems(permit.service_time, business, turns) == [
        ("statutory_limit.unit", "the two clocks must count in one unit")
    ]
    large = default_catalogue()["building-large"]
    assert large.statutory_limit is not None
    assert large.statutory_limit.restart is not None
    restart = large.statutory_limit.restart.model_copy(update={"step": "intake"})
    moved = large.statutory_limit.model_copy(update={"restart": restart})
    large_turns = {step.id: step.turn.value for step in large.steps}
    assert clock_problems(large.service_time, moved, large_turns) == [
        ("statutory_limit.restart.step", "a restart follows an applicant's step")
    ]
    extended = permit.service_time.model_copy(update={"extensions": law.extensions})
    assert ("service_time", "extensions and restarts are the law's: statutory_limit") in (
        clock_problems(extended, law, turns)
    )
