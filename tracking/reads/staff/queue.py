"""The work queue: the applications the actor may see, first come first served, and the
filters it offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from checklists.schema import PermitType
from tracking import codes
from tracking.access import ASSIGNING_ROLES, Actor, permits_in_scope, queue_department
from tracking.clock import is_overdue, overdue_clause
from tracking.errors import InvalidInput
from tracking.models import Application
from tracking.reads.staff.holders import Holder, queue_holders
from tracking.reads.staff.labels import Label, department_label, label, step_label
from tracking.reads.staff.search import COUNT_CAP, first_matches, parse_query
from tracking.workflow.machines import permit_type

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    permit_type: str | None = None
    overdue: bool | None = None
    turn: str | None = None
    open_only: bool = True
    # Who holds the files: a username, ``NOBODY`` for files nobody holds; None: anyone.
    assignee: str | None = None
    # What was typed in the search box (tracking.reads.staff.search); None: no search.
    q: str | None = None


NOBODY = ""  # the assignee filter of the files nobody holds


def holder_filter(assignee: str | None, actor: Actor) -> str | None:
    """The assignee filter as asked (``me``, ``none``, a username) as ``QueueFilter`` takes
    it: the actor's username, ``NOBODY``, the username, or None (anyone)."""
    if assignee == "me":
        return actor.username
    if assignee == "none":
        return NOBODY
    return assignee or None


def work_queue(
    session: Session,
    actor: Actor,
    today: date,
    filters: QueueFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Application], int]:
    """Applications the actor may see, first come first served, one page at a time, and how
    many there are: a search counts no further than ``COUNT_CAP + 1`` (see ``count_shown``).

    Raises ``InvalidInput`` (422) for a search the rules refuse (``search.parse_query``).
    """
    terms = parse_query(filters.q) if filters.q else None
    conditions: list[ColumnElement[bool]] = []
    if actor.office_id is not None:
        conditions.append(col(Application.office_id) == actor.office_id)
    department = queue_department(actor)
    if department is not None:
        conditions.append(col(Application.department) == department)
    if filters.state:
        conditions.append(col(Application.state) == filters.state)
    if filters.permit_type:
        permit_type(filters.permit_type)  # unknown type: a clear 422
        conditions.append(col(Application.permit_type) == filters.permit_type)
    if filters.turn:
        conditions.append(col(Application.turn) == filters.turn)
    if filters.assignee == NOBODY:
        conditions.append(col(Application.assignee).is_(None))
    elif filters.assignee is not None:
        conditions.append(col(Application.assignee) == filters.assignee)
    if filters.open_only and not filters.state:
        conditions.append(col(Application.outcome).is_(None))
    if filters.overdue is True:
        conditions.append(overdue_clause(today))
    elif filters.overdue is False:
        conditions.append(~overdue_clause(today))
    if terms is not None:
        # At most COUNT_CAP + 1 matches, sorted here: first come first served among them.
        matches = first_matches(
            session, terms, conditions, office_id=actor.office_id, department=department
        )
        found = sorted(matches, key=lambda m: (m[1], m[0]))
        shown = [i for i, _ in found[(page - 1) * per_page : page * per_page]]
        rows = session.exec(
            select(Application)
            .where(col(Application.id).in_(shown))
            .order_by(col(Application.submitted_at), col(Application.id))
        ).all()
        return list(rows), len(found)
    total = session.exec(select(func.count()).select_from(Application).where(*conditions)).one()
    rows = session.exec(
        select(Application)
        .where(*conditions)
        .order_by(col(Application.submitted_at), col(Application.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), int(total)


def count_shown(total: int) -> tuple[int, str]:
    """``total`` from ``work_queue`` as a number no greater than ``COUNT_CAP`` and as read:
    ``"200+"`` when it stands for more."""
    if total > COUNT_CAP:
        return COUNT_CAP, f"{COUNT_CAP}+"
    return total, str(total)


@dataclass(frozen=True)
class QueueRow:
    id: int
    code: str
    applicant_name: str
    permit: Label
    department: Label
    step: Label
    turn: str
    submitted_at: datetime
    due_date: date
    overdue: bool
    version: int = 1
    assignee: str | None = None


@dataclass(frozen=True)
class QueueView:
    """One page of the actor's work queue, with the filters it offers and those it applied."""

    rows: list[QueueRow]
    # Up to COUNT_CAP + 1 when searching: ``total_text`` reads "200+".
    total: int
    page: int
    per_page: int
    applied: QueueFilter
    # Some filters asked for were not valid (not in the queue's scope) and were left out.
    rejected: bool
    permits: list[tuple[str, Label]]
    steps: list[tuple[str, Label]]
    # The one department the queue holds; None: every department.
    department: Label | None
    # Who the files may be filtered by and given to, and whether the actor may give them.
    holders: list[Holder] = field(default_factory=list)
    may_assign: bool = False
    # The assignee filter as the page sends it: "me", "none", a username, or "".
    assignee_choice: str = ""

    def holder_name(self, username: str | None) -> str | None:
        return next((h.name for h in self.holders if h.username == username), username)

    # The search typed, as typed, and why it was not run (None: it was, or there was none).
    query: str = ""
    search_error: Label | None = None

    @property
    def total_text(self) -> str:
        return count_shown(self.total)[1]

    @property
    def pages(self) -> int:
        return max(1, -(-count_shown(self.total)[0] // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1


def step_choices(permits: Sequence[PermitType]) -> list[tuple[str, Label]]:
    """Each step id of ``permits`` once, labelled with every wording those types give it."""
    wordings: dict[str, dict[str, list[str]]] = {}
    for permit in permits:
        for step in permit.steps:
            entry = wordings.setdefault(step.id, {"th": [], "en": []})
            for lang, text in (("th", step.label.th), ("en", step.label.en)):
                if text not in entry[lang]:
                    entry[lang].append(text)
    return [
        (step_id, {lang: " / ".join(texts) for lang, texts in names.items()})
        for step_id, names in wordings.items()
    ]


def queue_row(application: Application, today: date) -> QueueRow:
    permit = permit_type(application.permit_type)
    assert application.id is not None
    return QueueRow(
        id=application.id,
        code=codes.format_code(application.tracking_code),
        applicant_name=application.applicant_name,
        permit=label(permit.name),
        department=department_label(application.department),
        step=step_label(permit, application.state),
        turn=application.turn,
        submitted_at=application.submitted_at,
        due_date=application.due_date,
        overdue=is_overdue(application, today),
        version=application.version,
        assignee=application.assignee,
    )


def queue_view(
    session: Session,
    actor: Actor,
    today: date,
    *,
    permit_type: str | None = None,
    state: str | None = None,
    overdue: bool = False,
    assignee: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> QueueView:
    """The actor's queue filtered by a permit type and a step of those it covers, and searched
    for ``q``; a filter outside them is left out (and said to be), and so is a search the rules
    refuse (with their message in ``search_error``, and no rows)."""
    permits = permits_in_scope(actor)
    rejected = False
    if permit_type and permit_type not in {p.slug for p in permits}:
        permit_type, rejected = None, True
    steps = step_choices([p for p in permits if not permit_type or p.slug == permit_type])
    if state and state not in {step_id for step_id, _ in steps}:
        state, rejected = None, True
    people = queue_holders(session, actor)
    held_by = holder_filter(assignee, actor)
    if held_by and held_by != actor.username and held_by not in {h.username for h in people}:
        assignee, held_by, rejected = None, None, True
    typed, search_error = (q or "")[:500], None
    try:
        parse_query(q or "")
    except InvalidInput as error:
        q, search_error = None, {"th": error.th, "en": error.en}
    applied = QueueFilter(
        state=state or None,
        permit_type=permit_type or None,
        overdue=True if overdue else None,
        assignee=held_by,
        q=q.strip() if q and q.strip() else None,
    )
    # A refused search shows no files: the queue unsearched would read as its result.
    rows, total = (
        ([], 0)
        if search_error
        else work_queue(session, actor, today, applied, page=page, per_page=per_page)
    )
    department = queue_department(actor)
    return QueueView(
        rows=[queue_row(a, today) for a in rows],
        total=total,
        page=page,
        per_page=per_page,
        applied=applied,
        rejected=rejected,
        permits=[(p.slug, label(p.name)) for p in permits],
        steps=steps,
        department=department_label(department) if department else None,
        holders=people,
        may_assign=actor.role in ASSIGNING_ROLES,
        assignee_choice=assignee or "",
        query=typed,
        search_error=search_error,
    )
