"""Compliance measures, each produced by a scenario built with frozen time, asserted exactly."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import demo, notices
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.errors import TransitionNotAllowed
from tracking.reads import compliance, reports
from tracking.workflow import transitions

from ..factories import actor, committed_application, step, walk
from ..scenarios import _at

PERMIT = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in PERMIT.transitions}


def test_summary_figures(engine: Engine, scenario: dict[str, Any]) -> None:
    today = scenario["today"]
    with unit_of_work(engine) as session:
        data = compliance.summary(session, compliance.Filters(), today)
    food = next(t for t in data["by_permit_type"] if t["permit_type"] == "food-premises")
    # Walked decisions carry days_to_decision; of the two, one was within 30 business days.
    assert food["decided"] == 2
    assert food["on_time"] == 1
    assert food["on_time_rate"] == 0.5
    assert food["median_days"] is not None
    assert food["p90_days"] is not None
    assert food["p90_days"] > PERMIT.service_time.days
    # The legal clock (PHA s.56, 30 calendar days from the day after receipt): the files of
    # 2 and 3 March are due on 1 and 2 April, not mid-April as under 30 business days.
    assert (food["median_days"], food["p90_days"]) == (5, 60)
    assert food["day_unit"] == "calendar"
    assert data["extensions"] == 0

    overdue = data["overdue"]
    row = next(r for r in overdue["oldest"] if r["id"] == scenario["overdue"])
    assert row["letters_due"] == 3
    assert row["letters_sent"] == 2
    assert row["days_overdue"] == 15
    assert row["due_date"] == "2026-04-02"
    assert today == date(2026, 4, 17)
    # The legacy decisions (imports, undated) are still open files, due 4 and 5 April.
    assert (overdue["count"], overdue["letters_due"], overdue["letters_sent"]) == (23, 47, 2)

    assert data["out_of_turn"]["decisions_out_of_turn"] == 1
    assert data["out_of_turn"]["without_reason"] == 1
    assert data["out_of_turn"]["with_reason"] == 0
    assert data["four_eyes"]["breaches"] == 1
    assert data["four_eyes"]["cases"][0]["id"] == scenario["breach"]
    assert data["refusals"]["without_ground"] == 0
    assert data["refusals"]["by_ground"]["hygiene-criteria-not-met"] == 8 + 1
    assert data["deficiency"]["applications_with_more_than_one_request"] == 0

    peers = {r["officer"]: r for r in data["officers"] if r["officer"].startswith("peer-")}
    assert peers["peer-4"]["approval_rate"] == 1.0
    assert peers["peer-4"]["flagged"] is True
    assert peers["peer-4"]["flags"][0]["measure"] == "approval_rate"
    assert all(not peers[f"peer-{n}"]["flagged"] for n in range(4))
    assert all(peers[f"peer-{n}"]["approval_rate"] == 0.5 for n in range(4))


def test_filters_narrow_every_measure(engine: Engine, scenario: dict[str, Any]) -> None:
    today = scenario["today"]
    with unit_of_work(engine) as session:
        works = compliance.summary(session, compliance.Filters(department="public-works"), today)
        one = compliance.summary(session, compliance.Filters(officer="approver-y"), today)
        window = compliance.summary(
            session, compliance.Filters(date_from=_at(11).date(), date_to=_at(13).date()), today
        )
    assert works["decided"] == 0
    assert works["overdue"]["count"] == 0
    assert one["four_eyes"]["breaches"] == 1
    assert one["out_of_turn"]["decisions_out_of_turn"] == 0
    assert [o["officer"] for o in one["officers"]] == ["approver-y"]
    assert window["refusals"]["total"] == 8
    assert window["four_eyes"]["breaches"] == 0


def test_a_second_deficiency_request_is_refused(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    step(engine, app_id, RULES[("intake", "request_documents")], now=_at(0))
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, app_id).version
    with pytest.raises(TransitionNotAllowed), unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="request_documents",
            actor=actor("clerk"),
            version=version,
            deadline=date(2026, 4, 1),
        )
    with unit_of_work(engine) as session:
        data = compliance.deficiency(session, compliance.Filters())
    assert data["requests"] == 1
    assert data["applications_with_more_than_one_request"] == 0


def test_notices_run_twice_creates_nothing_the_second_time(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    with unit_of_work(engine) as session:
        due = transitions.get_application(session, app_id).due_date
    settings = Settings(smtp_host="")
    assert notices.run(engine, settings, due).created == 0  # not yet overdue
    first = notices.run(engine, settings, due + timedelta(days=3))
    again = notices.run(engine, settings, due + timedelta(days=3))
    assert (first.created, again.created) == (1, 0)
    assert notices.run(engine, settings, due + timedelta(days=8)).created == 1


def test_monthly_overdue_counts_files_open_at_the_months_end(engine: Engine) -> None:
    """Past due on 31 May and not yet decided or closed then: still open today, decided in
    June, withdrawn in June. Decided or withdrawn within May does not count."""
    approve = demo.path_to(PERMIT, {Outcome.approved})
    withdraw = RULES[("intake", "withdraw")]
    files = {name: committed_application(engine, now=_at(0)) for name in "ABCDE"}
    walk(engine, files["B"], approve, now=_at(100))  # 10 June
    step(engine, files["C"], withdraw, now=_at(95))  # 5 June
    step(engine, files["D"], withdraw, now=_at(69))  # 10 May
    walk(engine, files["E"], approve, now=_at(79))  # 20 May
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, files["A"]).due_date < date(2026, 5, 31)
        rows = reports.monthly(session, reports.Month(2026, 5))
    food = next(r for r in rows if r["permit_type"] == "food-premises")
    assert food["overdue"] == 3
    assert food["decided"] == 1  # E, in May
