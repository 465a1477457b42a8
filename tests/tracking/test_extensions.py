"""Extensions of the period to decide (``tracking.workflow.extensions``): each rule, the event
and its facts, the notice and its e-mail, the tally, and ``audit verify`` over them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from checklists.loader import default_catalogue
from tracking import periods, verification
from tracking.db import unit_of_work
from tracking.derived import ComplianceTally
from tracking.errors import DomainError, GuardFailed, InvalidInput
from tracking.models import ApplicationEvent, EventKind, OutboxMessage
from tracking.trail import rebuild
from tracking.workflow import extensions, transitions

from ..factories import actor, committed_application

RECEIVED = date(2026, 4, 1)  # food-premises: due 1 May 2026 (PHA s.56, 30 calendar days)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def _extend(
    engine: Engine, app_id: int, days: int, on: date, role: str = "officer", **kw: object
) -> ApplicationEvent:
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        slug = application.permit_type
        return extensions.extend(
            session,
            application_id=app_id,
            actor=actor(role, slug),
            days=days,
            reason="รอผลตรวจตัวอย่างน้ำจากห้องปฏิบัติการ",
            version=application.version,
            now=_at(on),
            **kw,  # type: ignore[arg-type]
        )


def _due(engine: Engine, app_id: int) -> date:
    with unit_of_work(engine) as session:
        return transitions.get_application(session, app_id).due_date


def _snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    with engine.connect() as connection:
        return rebuild.snapshot(connection)


def test_allowed_before_the_period_ends_and_on_its_last_day(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(RECEIVED))
    assert _due(engine, app_id) == date(2026, 5, 1)
    event = _extend(engine, app_id, 15, date(2026, 4, 20))
    assert event.kind == EventKind.extension
    assert event.source == event.target
    assert _due(engine, app_id) == date(2026, 5, 16)
    assert '"due_date":"2026-05-16"' in event.after  # the due date it set is among its facts
    _extend(engine, app_id, 10, date(2026, 5, 16))  # the last day of the extended period
    assert _due(engine, app_id) == date(2026, 5, 26)
    assert verification.verify(engine).broken is None
    with unit_of_work(engine) as session:
        counted = session.exec(
            select(ComplianceTally).where(
                col(ComplianceTally.measure) == "extension", col(ComplianceTally.grain) == "d"
            )
        ).all()
        assert sum(t.count for t in counted) == 2
    live = _snapshot(engine)
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    assert _snapshot(engine) == live


def test_refused_after_the_period_ended(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(RECEIVED))
    with pytest.raises(GuardFailed, match="before the period ends"):
        _extend(engine, app_id, 15, date(2026, 5, 2))
    assert _due(engine, app_id) == date(2026, 5, 1)


def test_refused_beyond_the_legal_count(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(RECEIVED))
    _extend(engine, app_id, 15, date(2026, 4, 20))
    _extend(engine, app_id, 15, date(2026, 4, 21))
    with pytest.raises(GuardFailed, match="at most 2 times"):
        _extend(engine, app_id, 1, date(2026, 4, 22))
    assert _due(engine, app_id) == date(2026, 5, 31)


@pytest.mark.parametrize(("slug", "days"), [("food-premises", 16), ("building-large", 46)])
def test_refused_beyond_the_legal_days(engine: Engine, slug: str, days: int) -> None:
    app_id = committed_application(engine, slug, now=_at(RECEIVED))
    with pytest.raises(InvalidInput) as refused:
        _extend(engine, app_id, days, date(2026, 4, 2))
    assert refused.value.detail.get("field") == "days"
    _extend(engine, app_id, days - 1, date(2026, 4, 2))  # the law's most is allowed


@pytest.mark.parametrize(
    ("slug", "role", "error"),
    [
        ("drain-connection", "officer", "gives no extension"),  # no statutory limit
        ("food-premises", "clerk", "officer or an approver"),
    ],
)
def test_refused_where_the_law_or_the_role_does_not_allow_it(
    engine: Engine, slug: str, role: str, error: str
) -> None:
    app_id = committed_application(engine, slug, now=_at(RECEIVED))
    with pytest.raises(DomainError, match=error):
        _extend(engine, app_id, 5, date(2026, 4, 2), role=role)


def test_a_reason_is_needed(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(RECEIVED))
    with unit_of_work(engine) as session, pytest.raises(InvalidInput, match="reason"):
        extensions.extend(
            session,
            application_id=app_id,
            actor=actor("officer"),
            days=5,
            reason="   ",
            version=transitions.get_application(session, app_id).version,
            now=_at(date(2026, 4, 2)),
        )


def test_the_notice_is_written_and_e_mailed(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(RECEIVED))
    event = _extend(engine, app_id, 15, date(2026, 4, 20), email=True)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        notice = extensions.notice(session, application, event.seq)
        assert (notice.days, notice.due_before, notice.due_date) == (
            15,
            date(2026, 5, 1),
            date(2026, 5, 16),
        )
        assert notice.legal_basis == "Public Health Act B.E. 2535 s.56"
        mail = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.application_id) == app_id)
        ).one()
        assert mail.recipient == application.applicant_email
        assert "16 พฤษภาคม 2569" in mail.body
        assert notice.number in mail.subject
        th, en = periods.describe(default_catalogue()["food-premises"], periods.EXTENSION, 1)
        assert "s.56" in en
        assert th.startswith("ขยายระยะเวลาพิจารณาครั้งที่ 1")


def test_days_to_decision_count_the_extension(engine: Engine) -> None:
    """Decided on day 40 of a period extended by 15 days: 40 days taken, on time."""
    from checklists.schema import Outcome
    from tracking.demo import path_to

    from ..factories import walk

    permit = default_catalogue()["food-premises"]
    app_id = committed_application(engine, now=_at(RECEIVED))
    _extend(engine, app_id, 15, date(2026, 4, 20))
    walk(engine, app_id, path_to(permit, {Outcome.approved})[:3], now=_at(date(2026, 5, 11)))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.decided_on == date(2026, 5, 11)
        assert application.days_to_decision == 40
    assert verification.verify(engine).broken is None


def test_verify_refuses_an_extension_beyond_the_law(engine: Engine) -> None:
    """An extension no rule let through (an import of another system's trail) is caught."""
    from tracking.workflow.recording import record_event

    app_id = committed_application(engine, "drain-connection", now=_at(RECEIVED))
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        record_event(
            session,
            application,
            kind=EventKind.extension,
            occurred_at=_at(date(2026, 4, 2)),
            actor="officer-1",
            role="officer",
            event="extension",
            source=application.state,
            target=application.state,
            reason="x",
        )
        session.add(application)
    broken = verification.verify(engine).broken
    assert broken is not None
    assert "where the law gives 0" in broken.problem
