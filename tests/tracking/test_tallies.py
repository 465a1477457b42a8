"""The compliance tallies: what each appended event adds, and that rebuilding them from the
trail (migrations, bulk imports) gives exactly what was counted event by event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import select

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import demo, migrate, notices, verification
from tracking.clock import bangkok_date, is_overdue
from tracking.config import Settings
from tracking.db import make_engine, unit_of_work
from tracking.models import Application, ApplicationEvent, DelayNotice, EventKind
from tracking.reads import compliance
from tracking.trail import rebuild
from tracking.workflow import recording, transitions

from ..factories import OFFICE, committed_application, make_application, step, walk
from ..scenarios import _at

PERMIT = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in PERMIT.transitions}
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


Snapshot = tuple[list[tuple[Any, ...]], ...]


def _snapshot(engine: Engine) -> Snapshot:
    """Tallies, cases and open-file counts (buckets emptied again count as absent)."""
    with engine.connect() as connection:
        return rebuild.snapshot(connection)


def _rebuilt(engine: Engine) -> Snapshot:
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    return _snapshot(engine)


def _seed_demo(engine: Engine) -> None:
    """The demo office, plus a refusal of every type walked to its end."""
    with unit_of_work(engine) as session:
        demo.seed_staff(session, OFFICE)
        demo.seed(session, OFFICE, per_type=6, now=NOW)
    for slug, permit in default_catalogue().items():
        app_id = committed_application(engine, slug, now=NOW - timedelta(days=40))
        walk(engine, app_id, demo.path_to(permit, {Outcome.refused}), now=NOW)


def _import(engine: Engine, app_id: int, **fields: Any) -> None:
    """An event imported from a previous system: chained, but past no workflow rule."""
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        recording.record_event(session, application, kind=EventKind.transition, **fields)
        session.add(application)


def test_rebuilding_the_scenario_gives_what_was_counted(
    engine: Engine, scenario: dict[str, Any]
) -> None:
    counted = _snapshot(engine)
    assert counted[0]
    assert counted[1]
    with unit_of_work(engine) as session:
        before = compliance.summary(session, compliance.Filters(), scenario["today"])
    assert _rebuilt(engine) == counted
    with unit_of_work(engine) as session:
        assert compliance.summary(session, compliance.Filters(), scenario["today"]) == before


def test_rebuilding_walked_workflows_gives_what_was_counted(engine: Engine) -> None:
    _seed_demo(engine)
    counted = _snapshot(engine)
    measures = {row[0] for row in counted[0]}
    # Every measure appears, so the comparison covers each one.
    assert measures == {
        "received",
        "step",
        "approve",
        "refuse",
        "decided",
        "result_notice",
        "deficiency_request",
        "return",
        "required_item",
    }
    # Required items both verified and waived (the demo waives some at the counter).
    assert {bool(row[9]) for row in counted[0] if row[0] == "required_item"} == {False, True}
    assert _rebuilt(engine) == counted


def test_what_one_decision_adds(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    walk(engine, app_id, demo.path_to(PERMIT, {Outcome.approved})[:-1], now=_at(3))
    rows = [r for r in _snapshot(engine)[0] if r[1] == "d"]
    day = bangkok_date(_at(3))
    decided = [r for r in rows if r[0] == "decided"]
    approve = [r for r in rows if r[0] == "approve"]
    assert len(decided) == 1
    assert len(approve) == 1
    _measure, _grain, on, _office, dept, permit, who, key, days, on_time, count = decided[0]
    assert (str(on), dept, permit, who, key, bool(on_time), count) == (
        day.isoformat(),
        PERMIT.department,
        "food-premises",
        "",
        "approve",
        True,
        1,
    )
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert days == application.days_to_decision
    assert approve[0][6] == "approver-1"


def test_a_second_deficiency_request_imported_is_counted(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    step(engine, app_id, RULES[("intake", "request_documents")], now=_at(0))
    # The workflow refuses a second request; an import can still carry one, and it shows.
    _import(
        engine,
        app_id,
        occurred_at=_at(2),
        actor="clerk-2",
        role="clerk",
        event="request_documents",
        source="awaiting_documents",
        target="awaiting_documents",
        transition_kind="deficiency_request",
    )
    with unit_of_work(engine) as session:
        data = compliance.deficiency(session, compliance.Filters())
        mine = compliance.deficiency(session, compliance.Filters(officer="clerk-2"))
        before = compliance.deficiency(session, compliance.Filters(date_to=date(2026, 3, 2)))
    assert (data["requests"], data["applications_with_more_than_one_request"]) == (2, 1)
    assert (mine["requests"], mine["applications_with_more_than_one_request"]) == (1, 1)
    # By 2 March only the workflow's own request, made on the day of filing.
    assert (before["requests"], before["applications_with_more_than_one_request"]) == (1, 0)
    assert _rebuilt(engine) == _snapshot(engine)


def test_returns_are_counted_with_their_reasons(engine: Engine) -> None:
    path = demo.path_to(PERMIT, {Outcome.returned})
    for _ in range(2):
        app_id = committed_application(engine, now=_at(0))
        walk(engine, app_id, path[:-1], now=_at(0))  # the s.8 request: on the day of filing
        step(engine, app_id, path[-1], now=_at(30))
    with unit_of_work(engine) as session:
        data = compliance.deficiency(session, compliance.Filters())
    assert data["returned"] == 2
    assert data["returned_reasons"] == [{"reason": "ผู้ยื่นไม่ส่งเอกสารภายในกำหนด", "count": 2}]


def test_result_notices_within_late_and_missing(engine: Engine) -> None:
    path = demo.path_to(PERMIT, {Outcome.approved, Outcome.closed})
    notify = next(i for i, t in enumerate(path) if t.event == "notify_result")
    prompt, slow, silent = (committed_application(engine, now=_at(0)) for _ in range(3))
    for app_id in (prompt, slow, silent):
        walk(engine, app_id, path[:notify], now=_at(5))
    step(engine, prompt, path[notify], now=_at(9))
    step(engine, slow, path[notify], now=_at(20))
    decided = bangkok_date(_at(5))
    with unit_of_work(engine) as session:

        def figures(today: date) -> dict[str, int]:
            return compliance.result_notices(session, compliance.Filters(), today)

        assert figures(decided + timedelta(days=7)) == {
            "decisions": 3,
            "notified_within_7_days": 1,
            "notified_late": 1,
            "not_notified_after_7_days": 0,  # the silent one still has a day
        }
        assert figures(decided + timedelta(days=8))["not_notified_after_7_days"] == 1
    assert _rebuilt(engine) == _snapshot(engine)


def test_migration_fills_the_tallies_from_an_existing_trail(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)
    _seed_demo(engine)
    counted = _snapshot(engine)
    migrate.downgrade(engine, "0005")
    migrate.upgrade(engine)
    assert counted[0]
    assert _snapshot(engine) == counted
    engine.dispose()


def test_migration_flags_four_eyes_decisions_of_an_existing_trail(tmp_path: Path) -> None:
    """0007 flags a decision by the file's own inspector in a trail imported before it; the
    trail still verifies after the migrations (0008 chains it again under the key)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)
    app_id = committed_application(engine, now=_at(0))
    moves = [
        ("clerk-1", "clerk", "accept_application", "intake", "site_inspection", "progress"),
        (
            "pat",
            "officer",
            "complete_inspection",
            "site_inspection",
            "pending_decision",
            "inspection",
        ),
        ("pat", "approver", "approve", "pending_decision", "approved", "approve"),
    ]
    for day, (who, role, event, source, target, kind) in enumerate(moves, start=1):
        _import(
            engine,
            app_id,
            occurred_at=_at(day),
            actor=who,
            role=role,
            event=event,
            source=source,
            target=target,
            transition_kind=kind,
            reason="",
        )
    counted = _snapshot(engine)

    def flagged() -> list[bool]:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT four_eyes FROM application_event ORDER BY seq")
            ).all()
        return [bool(r[0]) for r in rows]

    def verified() -> bool:
        return verification.verify(engine).broken is None

    assert flagged() == [False, False, False, True]
    assert verified()
    migrate.downgrade(engine, "0006")
    migrate.upgrade(engine)
    assert flagged() == [False, False, False, True]
    assert verified()
    assert _snapshot(engine) == counted
    engine.dispose()


def test_date_ranges_count_each_day_once(engine: Engine) -> None:
    """Whole months come from the monthly rows and the ends from the daily ones: every range
    gives what counting the trail's intakes day by day gives."""
    _seed_demo(engine)
    with unit_of_work(engine) as session:
        intakes = [
            bangkok_date(e.occurred_at)
            for e in session.exec(select(ApplicationEvent).where(ApplicationEvent.kind == "intake"))
        ]
        first, last = min(intakes), max(intakes)
        ranges = [
            (None, None),
            (first, None),
            (None, last),
            (first + timedelta(days=3), first + timedelta(days=5)),  # inside a month
            (first.replace(day=1), None),
            (None, date(2026, 4, 30)),
            (date(2026, 4, 1), date(2026, 4, 30)),
            (date(2026, 4, 1), date(2026, 5, 31)),
            (date(2026, 4, 15), date(2026, 5, 20)),
            (date(2026, 3, 31), date(2026, 6, 1)),
            (date(2026, 5, 20), date(2026, 5, 19)),  # empty
        ]
        for date_from, date_to in ranges:
            expected = sum(
                1
                for day in intakes
                if (date_from is None or day >= date_from) and (date_to is None or day <= date_to)
            )
            got = compliance.received(session, compliance.Filters(date_from, date_to))
            assert got == expected, (date_from, date_to)
    assert first < date(2026, 4, 15) < date(2026, 5, 20) < last


def test_overdue_counts_match_the_open_files(engine: Engine) -> None:
    """The open-file counts give what judging each application one by one gives, as files
    are paused, decided and sent delay notices."""
    _seed_demo(engine)
    settings = Settings(smtp_host="")
    for days in (0, 9, 20):
        today = bangkok_date(NOW) + timedelta(days=days)
        notices.run(engine, settings, today)
        with unit_of_work(engine) as session:
            late = [a for a in session.exec(select(Application)).all() if is_overdue(a, today)]
            sent = {n.application_id: 0 for n in session.exec(select(DelayNotice)).all()}
            for n in session.exec(select(DelayNotice)).all():
                sent[n.application_id] += 1
            figures = compliance.overdue(session, compliance.Filters(), today)
        assert figures["count"] == len(late)
        assert figures["letters_sent"] == sum(sent.get(a.id, 0) for a in late if a.id)
        assert figures["letters_due"] == sum(((today - a.due_date).days - 1) // 7 + 1 for a in late)
        assert figures["letters_sent"] > 0
    assert _rebuilt(engine) == _snapshot(engine)


def test_migration_gives_existing_files_the_checklist_items_added(tmp_path: Path) -> None:
    """0010: a file taken in before its type gained the s.8 signature item gets it, pending,
    and its trail still verifies."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)
    app_id = committed_application(engine, now=_at(0))
    with engine.begin() as connection:  # as intake left it before the item existed
        connection.execute(
            text(
                "DELETE FROM checklist_entry WHERE application_id = :a"
                " AND item_id = 'deficiency_record_signed'"
            ),
            {"a": app_id},
        )
    assert verification.verify(engine).broken is not None
    migrate.downgrade(engine, "0009")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        status = connection.execute(
            text(
                "SELECT status FROM checklist_entry WHERE application_id = :a"
                " AND item_id = 'deficiency_record_signed'"
            ),
            {"a": app_id},
        ).scalar_one()
    assert status == "pending"
    assert verification.verify(engine).broken is None
    engine.dispose()


def test_counts_are_written_with_the_commit_and_only_with_it(engine: Engine) -> None:
    """The tallies go to the database in the transaction's last statements (on PostgreSQL
    with its COMMIT, in one query string): a savepoint released within the transaction ends
    nothing, a rolled-back transaction leaves neither the file nor its counts, and a committed
    one leaves both, as the trail says."""
    before = _snapshot(engine)

    class Abandoned(Exception):
        pass

    try:
        with unit_of_work(engine) as session:
            with session.begin_nested():
                make_application(session, "food-premises", now=NOW)
            raise Abandoned
    except Abandoned:
        pass
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM application")).scalar_one() == 0
    assert _snapshot(engine) == before

    committed_application(engine, "food-premises", now=NOW)
    with unit_of_work(engine) as session:
        session.exec(select(Application)).one()  # the session goes on after its commit
    after = _snapshot(engine)
    assert after != before
    assert after == _rebuilt(engine)
