"""What the pages say of a file's clock: the rule that set its due date (Thai, English) and,
for staff, its extensions and whether one more may be given."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from checklists.schema import PermitType
from tracking import clock, offices, periods
from tracking.models import Application, ApplicationEvent, EventKind, Office
from tracking.workflow import extensions


def due_rule(session: Session, application: Application, permit: PermitType) -> tuple[str, str]:
    """The rule that set the file's due date, in Thai and English: the last event that named
    one (an extension, a new period on amended plans, a recomputation), else the clock that
    governs at intake."""
    E = ApplicationEvent
    found = session.exec(
        select(col(E.kind), col(E.data))
        .where(col(E.application_id) == application.id, col(E.data).contains(periods.DUE_RULE))
        .order_by(col(E.seq))
    ).all()
    rule = periods.rule_of(json.loads(data or "{}") for _, data in found)
    count = sum(1 for kind, _ in found if kind == EventKind.extension.value)
    permit = offices.permit_at(session.get(Office, application.office_id), permit)
    return periods.describe(permit, rule, count)


@dataclass
class ExtensionsView:
    """The file's extension notices, and how many more days and times the law still gives."""

    notices: list[extensions.ExtensionNotice] = field(default_factory=list)
    may_extend: bool = False
    max_days: int = 0
    times_left: int = 0
    legal_basis: str = ""


def extensions_view(
    session: Session, application: Application, permit: PermitType, today: date
) -> ExtensionsView:
    law = extensions.allowance(permit)
    if law is None:
        return ExtensionsView()
    notices = list(extensions.notices(session, application))
    left = law.times - len(notices)
    open_file = clock.undecided(application.decided_on, application.outcome)
    in_time = not clock.late(application.due_date, application.clock_paused_on, today)
    return ExtensionsView(
        notices=notices,
        may_extend=open_file and in_time and left > 0,
        max_days=law.days,
        times_left=max(0, left),
        legal_basis=law.legal_basis,
    )
