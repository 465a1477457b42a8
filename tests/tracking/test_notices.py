"""Delay notices: idempotent runs, and e-mail delivery through a local SMTP server (aiosmtpd),
including a server that fails and a later run that retries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import select

from tracking import clock, notices
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.models import DelayNotice, OutboxMessage
from tracking.workflow import transitions

from ..factories import committed_application


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.failing = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.failing:
            return "451 4.3.0 mailbox temporarily unavailable"
        self.messages.append(envelope)
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def _overdue(engine: Engine) -> tuple[int, date]:
    app_id = committed_application(engine)
    with unit_of_work(engine) as session:
        return app_id, transitions.get_application(session, app_id).due_date


def test_notice_is_recorded_and_emailed_once(engine: Engine, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    app_id, due = _overdue(engine)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port)
    day = due + timedelta(days=2)
    first = notices.run(engine, settings, day)
    second = notices.run(engine, settings, day)
    assert (first.created, first.queued, first.sent) == (1, 1, 1)
    assert (second.created, second.queued, second.sent) == (0, 0, 0)
    assert len(box.messages) == 1
    envelope = box.messages[0]
    assert envelope.rcpt_tos == ["somchai@example.org"]
    assert "Delay notice" in envelope.content.decode("utf-8", "replace")
    with unit_of_work(engine) as session:
        (notice,) = session.exec(select(DelayNotice)).all()
        assert notice.application_id == app_id
        assert notice.copy_to_opdc is True
        assert notice.issued_on == day
        assert notice.number.startswith(f"1007/{day.year + 543}/")


def test_failed_delivery_is_recorded_and_retried(
    engine: Engine, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _, due = _overdue(engine)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port)
    box.failing = True
    day = due + timedelta(days=1)
    failed = notices.run(engine, settings, day)
    assert (failed.created, failed.sent, failed.failed) == (1, 0, 1)
    with unit_of_work(engine) as session:
        (message,) = session.exec(select(OutboxMessage)).all()
        assert message.status == "pending"
        assert message.attempts == 1
        assert "451" in message.last_error
    box.failing = False
    retried = notices.run(engine, settings, day + timedelta(days=1))
    assert (retried.created, retried.sent, retried.failed) == (0, 1, 0)
    with unit_of_work(engine) as session:
        (message,) = session.exec(select(OutboxMessage)).all()
        assert message.status == "sent"
        assert message.attempts == 2
    assert len(box.messages) == 1


def test_unreachable_server_gives_up_after_max_attempts(engine: Engine) -> None:
    _, due = _overdue(engine)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=_port())  # nothing listens
    day = due + timedelta(days=1)
    for _ in range(notices.MAX_ATTEMPTS):
        notices.run(engine, settings, day)
    with unit_of_work(engine) as session:
        (message,) = session.exec(select(OutboxMessage)).all()
        assert message.status == "failed"
        assert message.attempts == notices.MAX_ATTEMPTS
        assert "Connection" in message.last_error
    assert notices.run(engine, settings, day).failed == 0  # given up: not retried again


def test_periods() -> None:
    due = date(2026, 5, 1)
    assert [clock.letters_due(due, due + timedelta(days=d)) for d in (0, 1, 7, 8, 14, 15)] == [
        0,
        1,
        1,
        2,
        2,
        3,
    ]


def test_cli_notices_run(engine: Engine, env_database: str) -> None:
    from typer.testing import CliRunner

    from tracking.cli import app

    _, due = _overdue(engine)
    runner = CliRunner()
    day = (due + timedelta(days=1)).isoformat()
    first = runner.invoke(app, ["notices", "run", "--today", day])
    assert first.exit_code == 0, first.output
    assert "created 1 notices" in first.output
    again = runner.invoke(app, ["notices", "run", "--today", day])
    assert "created 0 notices" in again.output
    bad = runner.invoke(app, ["notices", "run", "--today", "26/11/2569"])
    assert bad.exit_code == 2
