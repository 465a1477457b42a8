"""The one writer of the audit trail, and the machines' listener that uses it.

``record_event`` flags what the rules say about the event (a decision by someone who reviewed
the file), chains it (``tracking.trail.audit``) and counts it (``tracking.trail.tallies``).
Intake, checklist changes, every transition and the due dates the office's calendar moves go
through it; so does an import of another system's trail, which thereby gets the same flags
and counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session
from statemachine import State

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS, TransitionKind
from tracking import calendars, clock, periods
from tracking.models import Application, ApplicationEvent, EventKind
from tracking.trail import audit, tallies
from tracking.workflow import rules

DECISION_KINDS = frozenset(k.value for k in DECISIONS)


def record_event(
    session: Session,
    application: Application,
    *,
    history: Sequence[ApplicationEvent] | None = None,
    **fields: Any,
) -> ApplicationEvent:
    """Append one event to ``application``'s trail and count it, in the caller's transaction.
    ``history``: the trail so far, when the caller has it."""
    assert application.id is not None
    permit = default_catalogue().types.get(application.permit_type)
    if permit is not None and fields.get("transition_kind") in DECISION_KINDS:
        if history is None:
            history = rules.load_history(session, application.id)
        fields.setdefault(
            "four_eyes",
            rules.decided_by_reviewer(
                permit, history, fields["actor"], fields.get("transition_kind")
            ),
        )
    event = audit.append_event(session, application, **fields)
    tallies.count_event(session, application, event)
    return event


def record_at_step(
    session: Session,
    application: Application,
    *,
    kind: EventKind,
    event: str,
    actor: str,
    role: str,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    history: Sequence[ApplicationEvent] | None = None,
) -> ApplicationEvent:
    """Append an event that changes no step (a clock move, an extension, a notice's delivery,
    a change of hands): from the file's step to the same step, in the caller's transaction."""
    return record_event(
        session,
        application,
        history=history,
        kind=kind,
        occurred_at=now,
        actor=actor,
        role=role,
        event=event,
        source=application.state,
        target=application.state,
        reason=reason,
        data=data or {},
    )


class TrailListener:
    """Listens to one machine: after each transition the clock moves to the new step and one
    event joins the trail (``machine.recorded`` holds it)."""

    def setup(self, sm: Any, session: Session | None = None, **_kwargs: Any) -> None:
        assert session is not None, "a permit machine is bound to a session"
        self.machine = sm
        self.session = session

    def after_transition(
        self, ctx: rules.Context, moment: datetime, source: State, target: State
    ) -> None:
        application = ctx.application
        permit = ctx.permit
        kind = ctx.rule.kind
        recorded: dict[str, Any] = {}
        if kind is TransitionKind.deficiency_request:
            recorded.update(
                missing_items=rules.missing_items(ctx.statuses),
                deadline=ctx.deadline.isoformat() if ctx.deadline else None,
            )
        if ctx.rule.fine is not None:
            recorded["fine_baht"] = ctx.fine_baht
        calendar = calendars.office_calendar(self.session, application.office_id)
        # The applicant's deadline at the step entered is one of the event's facts; a final
        # step keeps the one that lapsed, any other step has none.
        entered = permit.step(target.id)
        if entered.deadline is not None:
            application.applicant_deadline = rules.deadline_on_entry(
                permit,
                entered,
                clock.bangkok_date(moment),
                ctx.deadline,
                calendar,
                application.subject_details,
            )
        elif not entered.final:
            application.applicant_deadline = None
        extended = sum(
            int(json.loads(e.data or "{}").get("days", 0))
            for e in ctx.history
            if e.kind == EventKind.extension
        )
        period = periods.period_days(permit) + extended
        step_days = clock.advance(
            application, calendar, permit, permit.step(target.id), kind, moment, period
        )
        if periods.restart_file(
            application, calendar, permit, source.id, permit.step(target.id), moment
        ):
            recorded[periods.DUE_RULE] = periods.RESTART
        out_of_turn = rules.out_of_turn(ctx)
        if out_of_turn:
            recorded["older_waiting"] = ctx.older_waiting
        self.session.add(application)
        self.machine.recorded = record_event(
            self.session,
            application,
            history=ctx.history,
            kind=EventKind.transition,
            occurred_at=moment,
            actor=ctx.actor_username,
            role=ctx.actor_role,
            event=ctx.rule.event,
            source=source.id,
            target=target.id,
            transition_kind=kind.value,
            reason=ctx.reason.strip(),
            ground=ctx.ground if kind is TransitionKind.refuse else None,
            out_of_turn=out_of_turn,
            step_days=step_days,
            data=recorded,
        )
