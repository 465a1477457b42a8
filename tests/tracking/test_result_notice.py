"""Result notices: how and when an order reached the applicant, the appeal deadline counted
from that day (not from the decision), the 7-day result-notice measure dated by it, and
`audit verify` replaying the notice events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from checklists.appeals import DeliveryMethod
from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import delivery
from tracking.clock import bangkok_date
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.errors import Conflict, InvalidInput
from tracking.models import EventKind
from tracking.reads import compliance
from tracking.trail import audit, rebuild
from tracking.verification import verify
from tracking.workflow import result_notice
from tracking.workflow.transitions import get_application

from ..factories import actor, committed_application, step, walk
from ..scenarios import _at

PERMIT = default_catalogue()["food-premises"]
DECIDED = bangkok_date(_at(4))  # Friday 6 March 2026


def _decided(engine: Engine, outcome: Outcome, slug: str = "food-premises", **kw: Any) -> int:
    app_id = committed_application(engine, slug, now=_at(0), **kw)
    walk(engine, app_id, path_to(default_catalogue()[slug], {outcome}), now=_at(4))
    return app_id


def _refused_upto_decision(engine: Engine, slug: str) -> int:
    return _decided(engine, Outcome.refused, slug)


def _notice(engine: Engine, app_id: int, now: datetime | None = None, **kw: Any) -> Any:
    kw.setdefault("method", DeliveryMethod.in_person)
    now = now or _at(10)
    with unit_of_work(engine) as session:
        version = get_application(session, app_id).version
        slug = get_application(session, app_id).permit_type
        event = result_notice.record_result_notice(
            session,
            application_id=app_id,
            actor=actor("clerk", slug),
            version=version,
            now=now,
            **kw,
        )
        return event.data


def _rebuilt_equals_counted(engine: Engine) -> None:
    with engine.connect() as connection:
        counted = rebuild.snapshot(connection)
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    with engine.connect() as connection:
        assert rebuild.snapshot(connection) == counted


# --- the days -------------------------------------------------------------------------


def test_registered_mail_is_deemed_received_seven_days_after_posting() -> None:
    posted = date(2026, 3, 9)
    assert delivery.notified_on(DeliveryMethod.registered_mail, posted, None) == date(2026, 3, 16)
    # The return receipt proves another day: that day counts.
    received = date(2026, 3, 11)
    assert delivery.notified_on(DeliveryMethod.registered_mail, posted, received) == received
    with pytest.raises(InvalidInput) as refused:
        delivery.notified_on(DeliveryMethod.in_person, posted, None)
    assert refused.value.detail["field"] == "delivered_on"


@pytest.mark.parametrize(
    ("slug", "order", "days", "law"),
    [
        ("building-small", "refuse", 30, "Building Control Act B.E. 2522 s.50(1), 52"),
        ("food-premises", "refuse", 30, "Public Health Act"),
        ("drain-connection", "refuse", 15, "Administrative Procedure Act B.E. 2539 s.44"),
        ("tax-assessment", "refuse", 15, "Administrative Procedure Act B.E. 2539 s.44"),
        ("food-premises", "return", 15, "Administrative Procedure Act B.E. 2539 s.44"),
        ("building-large", "return", 15, "Administrative Procedure Act B.E. 2539 s.44"),
    ],
)
def test_appeal_deadlines_count_from_delivery_under_each_law(
    slug: str, order: str, days: int, law: str
) -> None:
    appeal = default_catalogue()[slug].appeal_of(order)
    assert appeal is not None
    assert (appeal.days, appeal.legal_basis.startswith(law)) == (days, True)
    posted = date(2026, 3, 9)
    notified = delivery.notified_on(DeliveryMethod.registered_mail, posted, None)
    assert delivery.appeal_deadline(appeal, notified) == notified + timedelta(days=days)
    assert delivery.appeal_deadline(appeal, notified) > DECIDED + timedelta(days=days)


def test_a_rejected_tax_filing_names_apa_s44_not_the_assessment_appeal() -> None:
    tax = default_catalogue()["tax-assessment"]
    refusal = tax.appeal_of("refuse")
    assert refusal is not None
    assert refusal.days == 15
    assert "s.44" in refusal.legal_basis
    assert "Tax" not in refusal.legal_basis
    assert tax.appeal.days == 30  # the assessment's own route stays
    assert tax.appeal_of("approve") is None


# --- recording ------------------------------------------------------------------------


def test_a_refusal_notice_is_recorded_once(engine: Engine) -> None:
    app_id = _decided(engine, Outcome.refused)
    data = _notice(engine, app_id, delivered_on=DECIDED + timedelta(days=2))
    recorded = delivery.read_delivery(data)
    assert (recorded.order, recorded.notified_on, recorded.deemed) == (
        "refuse",
        DECIDED + timedelta(days=2),
        False,
    )
    with pytest.raises(Conflict) as twice:
        _notice(engine, app_id, delivered_on=DECIDED + timedelta(days=3))
    assert "twice" in twice.value.en


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"delivered_on": DECIDED - timedelta(days=1)}, "delivered_on", "before the order"),
        ({"delivered_on": bangkok_date(_at(11))}, "delivered_on", "future"),
        (
            {"method": DeliveryMethod.registered_mail, "sent_on": DECIDED - timedelta(days=1)},
            "sent_on",
            "before the order",
        ),
        (
            {
                "method": DeliveryMethod.registered_mail,
                "sent_on": DECIDED + timedelta(days=2),
                "delivered_on": DECIDED + timedelta(days=1),
            },
            "delivered_on",
            "before it was sent",
        ),
        ({}, "delivered_on", "is needed"),
    ],
)
def test_a_notice_dated_wrongly_is_refused(
    engine: Engine, kw: dict[str, Any], field: str, words: str
) -> None:
    app_id = _decided(engine, Outcome.refused)
    with pytest.raises(InvalidInput) as refused:
        _notice(engine, app_id, **kw)
    assert refused.value.detail["field"] == field
    assert words in refused.value.en
    assert refused.value.th


def test_no_notice_before_an_order_nor_of_an_approval_not_yet_sent(engine: Engine) -> None:
    opened = committed_application(engine, now=_at(0))
    with pytest.raises(InvalidInput) as early:
        _notice(engine, opened, delivered_on=bangkok_date(_at(1)))
    assert "no order" in early.value.en
    approved = committed_application(engine, now=_at(0))
    path = path_to(PERMIT, {Outcome.approved, Outcome.closed})
    walk(engine, approved, path[: [t.event for t in path].index("notify_result")], now=_at(4))
    with pytest.raises(InvalidInput) as unsent:
        _notice(engine, approved, delivered_on=DECIDED)
    assert "sending" in unsent.value.en


def test_email_only_to_an_address_the_applicant_gave(engine: Engine) -> None:
    app_id = _decided(engine, Outcome.refused, email="")
    with pytest.raises(InvalidInput) as refused:
        _notice(engine, app_id, method=DeliveryMethod.email, delivered_on=DECIDED)
    assert refused.value.detail["field"] == "method"
    other = _decided(engine, Outcome.refused)
    _notice(engine, other, method=DeliveryMethod.email, delivered_on=DECIDED)


# --- figures and verify ---------------------------------------------------------------


@pytest.mark.usefixtures("env_database")
def test_the_seven_day_measure_is_dated_by_delivery(engine: Engine) -> None:
    """A refusal counts as notified only once delivered; an approval sent in time but
    delivered late counts late; verify, the recount and the rebuild agree."""
    prompt = _decided(engine, Outcome.refused)
    _notice(engine, prompt, delivered_on=DECIDED + timedelta(days=3))
    posted = _decided(engine, Outcome.refused)  # deemed received on day 9: late
    _notice(
        engine, posted, method=DeliveryMethod.registered_mail, sent_on=DECIDED + timedelta(days=2)
    )
    _decided(engine, Outcome.refused)  # never noticed
    approved = committed_application(engine, now=_at(0))
    path = path_to(PERMIT, {Outcome.approved, Outcome.closed})
    notify = [t.event for t in path].index("notify_result")
    walk(engine, approved, path[:notify], now=_at(4))
    step(engine, approved, path[notify], now=_at(5))  # sent on day 1
    _notice(engine, approved, delivered_on=DECIDED + timedelta(days=8), now=_at(13))
    returned = committed_application(engine, now=_at(0))
    request, give_back = path_to(PERMIT, {Outcome.returned})
    step(engine, returned, request, now=_at(0))
    step(engine, returned, give_back, now=_at(8))
    _notice(engine, returned, delivered_on=bangkok_date(_at(9)))
    with unit_of_work(engine) as session:
        figures = compliance.result_notices(session, compliance.Filters(), bangkok_date(_at(30)))
    assert figures == {
        "decisions": 4,
        "notified_within_7_days": 1,
        "notified_late": 2,
        "not_notified_after_7_days": 1,
    }
    result = verify(engine)
    assert result.broken is None, str(result.broken)
    assert result.applications == 5
    _rebuilt_equals_counted(engine)


def _notice_row(engine: Engine, app_id: int) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT * FROM application_event WHERE application_id = :a AND kind = 'notice'"),
            {"a": app_id},
        ).one()


def _rewrite(engine: Engine, app_id: int, data: dict[str, Any], *, rehash: bool) -> None:
    """Change the notice's data; with ``rehash``, as a writer holding the key would (the
    notice is the trail's last event, so only its own hash and the head move)."""
    row = _notice_row(engine, app_id)
    values = dict(row._mapping, data=audit.canonical_json(data))
    digest = audit.event_hash(type("E", (), values), audit.audit_key()) if rehash else row.hash
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application_event SET data = :d, hash = :h WHERE id = :i"),
            {"d": values["data"], "h": digest, "i": row.id},
        )
        connection.execute(
            text("UPDATE application SET trail_head = :h WHERE id = :a"), {"h": digest, "a": app_id}
        )


@pytest.mark.usefixtures("env_database")
def test_a_changed_delivery_date_is_found(engine: Engine) -> None:
    app_id = _decided(engine, Outcome.refused)
    data = _notice(engine, app_id, delivered_on=DECIDED + timedelta(days=2))
    assert verify(engine).broken is None
    later = {**delivery.read_delivery(data).data()}
    later.update(delivered_on="2026-03-20", notified_on="2026-03-20")
    _rewrite(engine, app_id, later, rehash=False)
    found = verify(engine).broken
    assert found is not None
    assert found.field == "hash"


@pytest.mark.usefixtures("env_database")
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"delivered_on": "2026-03-05", "notified_on": "2026-03-05"}, "before the order"),
        ({"notified_on": "2026-03-30"}, "does not follow"),
        ({"order": "approve"}, "not the trail's"),
        ({"decided_on": "2026-03-07"}, "dates the order"),
    ],
)
def test_a_notice_no_workflow_writes_is_named_by_the_replay(
    engine: Engine, change: dict[str, Any], words: str
) -> None:
    app_id = _decided(engine, Outcome.refused)
    data = _notice(engine, app_id, delivered_on=DECIDED + timedelta(days=2))
    _rewrite(engine, app_id, {**delivery.read_delivery(data).data(), **change}, rehash=True)
    found = verify(engine).broken
    assert found is not None
    assert found.field == "notice", str(found)
    assert words in found.problem


def test_the_notice_event_changes_no_step(engine: Engine) -> None:
    app_id = _decided(engine, Outcome.refused)
    _notice(engine, app_id, delivered_on=DECIDED)
    row = _notice_row(engine, app_id)
    assert (row.kind, row.source, row.target, row.transition_kind) == (
        EventKind.notice.value,
        "refused",
        "refused",
        None,
    )
