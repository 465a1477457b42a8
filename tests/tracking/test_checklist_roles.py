"""Who records which checklist item: each kind's roles, or an item's own ``recorded_by``; the
counter's check of what was brought; a waiver needs a reason; and the waivers of required
items, counted per officer as they are recorded and again when the tallies are rebuilt."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func
from sqlmodel import col, select
from typer.testing import CliRunner

from checklists.loader import TYPES_DIR, default_catalogue
from tracking.access import Actor
from tracking.cli import app as cli
from tracking.db import unit_of_work
from tracking.errors import GuardFailed, InvalidInput, NotPermitted
from tracking.models import ApplicationEvent, ChecklistStatus
from tracking.reads import compliance
from tracking.reads.staff import application_view
from tracking.trail import rebuild
from tracking.workflow import transitions
from tracking.workflow.rules import checklist_statuses, load_history

from ..factories import actor, committed_application, record_item, step

FOOD = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in FOOD.transitions}
DOCUMENTS = [i.id for i in FOOD.initial_step.checklist if i.required]
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
VERIFIED, WAIVED = ChecklistStatus.verified, ChecklistStatus.waived
RECEIVED, MISSING = ChecklistStatus.received, ChecklistStatus.missing


def _record(
    engine: Engine,
    app_id: int,
    item: str,
    status: ChecklistStatus,
    who: Actor,
    note: str = "ตรวจแล้ว",
) -> None:
    record_item(engine, app_id, item, status, who=who, when=NOW, note=note)


def _written(engine: Engine, app_id: int) -> tuple[int, int]:
    """The application's version and how many events its trail has."""
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, app_id).version
        events = session.exec(
            select(func.count()).where(col(ApplicationEvent.application_id) == app_id)
        ).one()
    return version, int(events)


def _inspecting(engine: Engine) -> int:
    """A food-premises file accepted and waiting for its site inspection."""
    app_id = committed_application(engine, now=NOW)
    step(engine, app_id, RULES[("intake", "accept_application")], now=NOW)
    return app_id


def _refused(engine: Engine, app_id: int, *args: Any) -> NotPermitted:
    before = _written(engine, app_id)
    with pytest.raises(NotPermitted) as refused:
        _record(engine, app_id, *args)
    assert refused.value.status_code == 403
    assert _written(engine, app_id) == before  # nothing written, not even the version
    return refused.value


def test_a_clerk_cannot_verify_an_inspection(engine: Engine) -> None:
    app_id = _inspecting(engine)
    refused = _refused(engine, app_id, "hygiene_inspection", VERIFIED, actor("clerk"))
    assert refused.detail["allowed_roles"] == ["officer"]
    assert "may not mark “Premises hygiene inspection report” verified" in refused.en
    _refused(engine, app_id, "hygiene_inspection", WAIVED, actor("clerk"), "ไม่ต้องตรวจ")
    _record(engine, app_id, "hygiene_inspection", VERIFIED, actor("officer"))


def test_an_approver_can_waive_neither_documents_nor_the_recommendation(engine: Engine) -> None:
    """The observed case: an approver waived the six documents and the recommendation, then
    approved. Each waiver is refused, so the approval still lacks the recommendation."""
    app_id = committed_application(engine, now=NOW)
    approver = actor("approver")
    for item in DOCUMENTS:
        refused = _refused(engine, app_id, item, WAIVED, approver, "ผู้ขอคุ้นเคยกับสำนักงาน")
        assert refused.detail["allowed_roles"] == ["clerk"]
    step(engine, app_id, RULES[("intake", "accept_application")], now=NOW)
    step(engine, app_id, RULES[("site_inspection", "complete_inspection")], now=NOW)
    refused = _refused(engine, app_id, "officer_recommendation", WAIVED, approver, "เห็นชอบเอง")
    assert refused.detail["allowed_roles"] == ["officer"]
    version, _events = _written(engine, app_id)
    with pytest.raises(GuardFailed) as unmet, unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="approve",
            actor=approver,
            version=version,
            reason="ครบถ้วน",
            now=NOW,
        )
    assert unmet.value.detail["unmet_items"] == ["officer_recommendation"]


def test_waiving_a_required_item_needs_a_reason(engine: Engine) -> None:
    app_id = _inspecting(engine)
    officer = actor("officer")
    before = _written(engine, app_id)
    with pytest.raises(InvalidInput) as refused:
        _record(engine, app_id, "hygiene_inspection", WAIVED, officer, note="   ")
    assert refused.value.detail["field"] == "note"
    assert _written(engine, app_id) == before
    _record(engine, app_id, "hygiene_inspection", WAIVED, officer, note="ตรวจเมื่อเดือนก่อนแล้ว")
    with unit_of_work(engine) as session:
        assert checklist_statuses(session, app_id)["hygiene_inspection"] == "waived"
        last = load_history(session, app_id)[-1]
    assert (last.actor, last.target, last.reason) == ("officer-1", "waived", "ตรวจเมื่อเดือนก่อนแล้ว")


def test_the_counter_checks_any_item_but_undoes_no_other_roles_verification(
    engine: Engine,
) -> None:
    """Received and missing are the counter's check: clerks set them on any item (officers
    on their own items too), until the item is verified or waived by its own roles."""
    app_id = _inspecting(engine)
    clerk, officer = actor("clerk"), actor("officer")
    _record(engine, app_id, "hygiene_inspection", RECEIVED, clerk, "รับรายงานจากผู้ตรวจแล้ว")
    _record(engine, app_id, "hygiene_inspection", VERIFIED, officer)
    _refused(engine, app_id, "hygiene_inspection", MISSING, clerk, "ไม่พบรายงาน")
    _record(engine, app_id, "hygiene_inspection", MISSING, officer, "รายงานฉบับนี้ไม่ถูกต้อง")
    # Officers do not make the document check.
    _refused(engine, app_id, "site_map", MISSING, officer, "ไม่มี")


def test_admins_and_managers_record_no_item(engine: Engine) -> None:
    app_id = committed_application(engine, now=NOW)
    admin = Actor("admin", "admin", None)
    for status in (VERIFIED, WAIVED, RECEIVED, MISSING):
        _refused(engine, app_id, "application_form", status, admin, "ผู้ดูแลระบบ")
    _refused(engine, app_id, "application_form", VERIFIED, Actor("director", "manager", None))


def test_an_items_own_recorded_by_replaces_its_kinds_roles(engine: Engine) -> None:
    """Notices are the clerks' (the result notice), but the amendment order is an
    officer's order, and its ``recorded_by: [officer]`` says so."""
    works = "building-small"
    assert default_catalogue()[works].item("amendment_order").recorded_by == ["officer"]
    app_id = committed_application(engine, works, now=NOW)
    clerk, officer = actor("clerk", works), actor("officer", works)
    refused = _refused(engine, app_id, "amendment_order", VERIFIED, clerk)
    assert refused.detail["allowed_roles"] == ["officer"]
    _record(engine, app_id, "amendment_order", VERIFIED, officer)
    refused = _refused(engine, app_id, "result_notice", VERIFIED, officer)
    assert refused.detail["allowed_roles"] == ["clerk"]
    _record(engine, app_id, "result_notice", VERIFIED, clerk)


def test_the_catalogue_check_names_each_role_that_cannot_record(tmp_path: Path) -> None:
    folder = tmp_path / "types"
    folder.mkdir()
    data = yaml.safe_load((TYPES_DIR / "food-premises.yaml").read_text(encoding="utf-8"))
    items = data["steps"][0]["checklist"]
    items[0]["recorded_by"] = ["manager"]
    items[1]["recorded_by"] = ["janitor"]
    items[2]["recorded_by"] = ["officer"]  # a role that can act: fine
    (folder / "food-premises.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["catalogue", "check", str(folder)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert lines == [
        "food-premises.yaml: steps.0.checklist.0.recorded_by:"
        " role 'manager' cannot record checklist items",
        "food-premises.yaml: steps.0.checklist.1.recorded_by:"
        " role 'janitor' cannot record checklist items",
    ]
    items[2]["recorded_by"] = []
    (folder / "food-premises.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["catalogue", "check", str(folder)])
    assert result.exit_code != 0
    assert "steps.0.checklist.2.recorded_by" in result.output


def test_the_staff_view_says_what_each_role_may_record(engine: Engine) -> None:
    app_id = _inspecting(engine)
    every = ("received", "verified", "missing", "waived")

    def offered(role: str) -> dict[str, tuple[str, ...]]:
        with unit_of_work(engine) as session:
            view = application_view(session, app_id, actor(role), NOW.date())
        return {item.id: item.statuses for item in view.checklist}

    clerk, officer, approver = offered("clerk"), offered("officer"), offered("approver")
    # The documents were verified at intake: the clerks' to change, nobody else's.
    assert clerk["site_map"] == every
    assert officer["site_map"] == approver["site_map"] == ()
    # The inspection is the officers'; the counter may only say it came in or is missing.
    assert officer["hygiene_inspection"] == every
    assert clerk["hygiene_inspection"] == ("received", "missing")
    assert approver["hygiene_inspection"] == ()
    assert clerk["licence_fee"] == every  # payments are taken at the counter
    with unit_of_work(engine) as session:
        view = application_view(session, app_id, actor("clerk"), NOW.date())
    roles = {item.id: item.recorded_by for item in view.checklist}
    assert (roles["hygiene_inspection"], roles["site_map"]) == (("officer",), ("clerk",))


def test_waivers_of_required_items_are_counted_per_officer_and_rebuilt(engine: Engine) -> None:
    app_id = committed_application(engine, now=NOW)
    clerk = actor("clerk")
    _record(engine, app_id, "site_map", WAIVED, clerk, "ผังอยู่ในแบบคำขอแล้ว")
    _record(engine, app_id, "company_certificate", WAIVED, clerk, "ผู้ขอเป็นบุคคลธรรมดา")
    step(engine, app_id, RULES[("intake", "accept_application")], now=NOW)  # verifies 5 more
    _record(engine, app_id, "hygiene_inspection", WAIVED, actor("officer", name="officer-2"), "x")
    with unit_of_work(engine) as session:
        data = compliance.summary(session, compliance.Filters(), NOW.date())
        mine = compliance.waivers(session, compliance.Filters(officer="officer-2"))
    department = FOOD.department
    # The optional company certificate is not counted; the six required documents are.
    assert data["waivers"] == {
        "required_items_waived": 2,
        "required_items_signed_off": 7,
        "by_officer": [
            {
                "department": department,
                "officer": "clerk-1",
                "waived": 1,
                "signed_off": 6,
                "waiver_rate": round(1 / 6, 4),
            },
            {
                "department": department,
                "officer": "officer-2",
                "waived": 1,
                "signed_off": 1,
                "waiver_rate": 1.0,
            },
        ],
    }
    assert [r["officer"] for r in mine["by_officer"]] == ["officer-2"]
    people = {r["officer"]: r for r in data["officers"]}
    assert (people["clerk-1"]["waivers"], people["clerk-1"]["signoffs"]) == (1, 6)
    with engine.connect() as connection:
        counted = rebuild.snapshot(connection)
    signed = sorted(
        (r[6], r[7], bool(r[9]), r[10])
        for r in counted[0]
        if r[0] == "required_item" and r[1] == "d"
    )
    assert signed == [
        ("clerk-1", "clerk", False, 5),
        ("clerk-1", "clerk", True, 1),
        ("officer-2", "officer", True, 1),
    ]
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    with engine.connect() as connection:
        assert rebuild.snapshot(connection) == counted
