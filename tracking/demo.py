"""Demo data: applications of every permit type, walked through their real workflows.

Nothing here bypasses the rules: every application is taken in by ``submit_application`` and
moved by ``fire`` and ``record_checklist_item``, as staff would, so the demo trail verifies.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from checklists.appeals import DeliveryMethod, OrderKind
from checklists.fields import FieldType
from checklists.loader import default_catalogue
from checklists.offices import default_offices
from checklists.schema import Outcome, PermitType, Transition, TransitionKind
from checklists.taxes import BE_OFFSET
from tracking import auth, delivery, offices
from tracking.access import Actor, item_roles
from tracking.clock import bangkok_date
from tracking.models import SATISFIED, Application, ChecklistStatus, utcnow
from tracking.offices import office_by_slug
from tracking.workflow.intake import Applicant, Subject, submit_application
from tracking.workflow.result_notice import record_result_notice
from tracking.workflow.rules import checklist_statuses, load_history
from tracking.workflow.transitions import fire, record_checklist_item

DEFICIENCY_DAYS = timedelta(days=7)

FIRST_NAMES = ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ประเสริฐ", "กนกวรรณ", "ธนากร", "พรทิพย์"]
LAST_NAMES = ["ใจดี", "รักไทย", "ศรีสุข", "บุญมา", "ทองคำ", "วงศ์สวัสดิ์", "แก้วมณี", "สุขสันต์"]
STREETS = ["ถนนพระราม 1", "ถนนพญาไท", "ถนนบรรทัดทอง", "ถนนเพลินจิต", "ถนนราชดำริ", "ซอยจุฬา 42"]


DEMO_PASSWORD = "tidtam-demo-2568"
DEPARTMENTAL_ROLES = ("clerk", "officer", "approver")


CITY_USERNAME = "city"


def demo_username(role: str, department: str | None, prefix: str = "") -> str:
    """A demo account's name: ``clerk.public-works``, ``manager``; at a second office, its
    slug first (``bangrak.clerk.public-works``)."""
    name = f"{role}.{department}" if department else role
    return f"{prefix}.{name}" if prefix else name


def demo_actor(role: str, department: str, office_id: int | None = None, prefix: str = "") -> Actor:
    return Actor(demo_username(role, department, prefix), role, department, office_id)


def seed_staff(session: Session, office_slug: str, prefix: str = "") -> list[tuple[str, str]]:
    """One demo account per role for every department the catalogue uses, at the office
    ``office_slug`` (usernames after ``prefix``, see ``demo_username``); returns
    ``(username, role)`` for those created (existing usernames are left alone)."""
    departments = sorted({p.department for p in default_catalogue().values()})
    wanted: list[tuple[str, str | None]] = [
        (role, d) for d in departments for role in DEPARTMENTAL_ROLES
    ]
    wanted += [("manager", None), ("admin", None)]
    created = []
    for role, department in wanted:
        username = demo_username(role, department, prefix)
        if auth.staff_by_username(session, username) is None:
            auth.create_staff(
                session,
                username=username,
                role=role,
                department=department,
                password=DEMO_PASSWORD,
                office_slug=office_slug,
            )
            created.append((username, role))
    return created


def seed_city_auditor(session: Session) -> list[tuple[str, str]]:
    """The demo account of the city's auditors (role ``city``, every office), if not there."""
    if auth.staff_by_username(session, CITY_USERNAME) is not None:
        return []
    auth.create_staff(
        session,
        username=CITY_USERNAME,
        role="city",
        department=None,
        password=DEMO_PASSWORD,
        office_slug=None,
    )
    return [(CITY_USERNAME, "city")]


def demo_offices(session: Session, count: int, first: str) -> list[tuple[str, str]]:
    """The ``count`` offices of a demo, ``first`` (the deployment's) then the others of
    ``checklists/districts`` in BMA code order, each added from its file if not here yet; each
    as ``(slug, prefix of its demo usernames)``, the first with none."""
    files = default_offices()
    order = [first, *(slug for slug in files if slug != first)][:count]
    here = {line.slug for line in offices.lines(session)}
    for slug in order:
        if slug not in here:
            offices.add(session, files[slug])
    return [(slug, "" if slug == first else slug) for slug in order]


def path_to(permit: PermitType, outcomes: set[Outcome]) -> list[Transition]:
    """The shortest transition path from the initial step to a final step with one of
    ``outcomes``, through no lapse of an applicant's deadline but the s.8 return where
    another road exists (a lapse waits for its deadline); empty if there is none."""
    start = permit.initial_step.id
    kept = [t for t in permit.transitions if not _lapse(permit, t)]
    road = permit.model_copy(update={"transitions": kept}).road(start, outcomes)
    return road or permit.road(start, outcomes)


def _lapse(permit: PermitType, t: Transition) -> bool:
    deadline = permit.step(t.source).deadline
    lapse = deadline is not None and deadline.lapse == t.event
    return lapse and t.kind is not TransitionKind.return_


DEMO_FINE_BAHT = 2000  # a footpath offence's fine, well within the 5,000-baht maximum (s.17)


def step_through(
    session: Session,
    application: Application,
    transition: Transition,
    *,
    actor_for: Callable[[str], Actor],
    now: datetime | None = None,
) -> None:
    """Verify what ``transition`` requires (unless verified or waived already), then fire
    it, as staff of the right roles: each item by the first role that records it."""
    assert application.id is not None
    now = now or utcnow()
    statuses = checklist_statuses(session, application.id)
    permit = default_catalogue()[application.permit_type]
    for item in transition.requires:
        if statuses.get(item) not in SATISFIED:
            record_checklist_item(
                session,
                application_id=application.id,
                item_id=item,
                status=ChecklistStatus.verified,
                actor=actor_for(item_roles(permit.item(item))[0]),
                version=application.version,
                note="ตรวจแล้ว",
                now=now,
            )
    reason, ground, deadline = "", None, None
    kind = transition.kind
    if kind is TransitionKind.refuse:
        ground = next(g.code for g in permit.refusal_grounds if g.received_after is None)
        reason = "ไม่เป็นไปตามหลักเกณฑ์ตามที่ระบุในเหตุผลประกอบคำสั่ง"
    elif kind is TransitionKind.approve:
        reason = "เป็นไปตามหลักเกณฑ์ครบถ้วน"
    elif kind is TransitionKind.withdraw:
        reason = "ผู้ยื่นคำขอขอยกเลิกคำขอ"
    elif kind is TransitionKind.return_:
        reason = "ผู้ยื่นไม่ส่งเอกสารภายในกำหนด"
    elif kind is TransitionKind.deficiency_request:
        record_checklist_item(
            session,
            application_id=application.id,
            item_id=_first_required_document(permit),
            status=ChecklistStatus.missing,
            actor=actor_for("clerk"),
            version=application.version,
            note="ยังไม่ได้ยื่น",
            now=now,
        )
        deadline = bangkok_date(now) + DEFICIENCY_DAYS
    fire(
        session,
        application_id=application.id,
        event=transition.event,
        actor=actor_for(transition.roles[0]),
        version=application.version,
        reason=reason,
        ground=ground,
        deadline=deadline,
        now=now,
        fine_baht=DEMO_FINE_BAHT if transition.fine else None,
    )


def sample_details(permit: PermitType, today: date) -> dict[str, Any]:
    """Subject details ``permit`` takes in on ``today``: every declared field, a number within
    its thresholds, the permit period from today for as long as allowed (at most 5 days), any
    other date a month ahead (a permit to renew that is still valid)."""
    details: dict[str, Any] = {}
    for spec in permit.subject_fields:
        if spec.type is FieldType.number:
            low = spec.above.value if spec.above else 0
            details[spec.id] = low + ((spec.at_most.value - low) / 2 if spec.at_most else 50)
        elif spec.type is FieldType.tax_year:
            details[spec.id] = today.year + BE_OFFSET
        else:
            details[spec.id] = (today + timedelta(days=30)).isoformat()
    period = permit.permit_period
    if period is not None:
        days = min(5, period.max_days.days if period.max_days else 5)
        details[period.start] = today.isoformat()
        details[period.end] = (today + timedelta(days=days - 1)).isoformat()
    return details


def _first_required_document(permit: PermitType) -> str:
    return next(i.id for i in permit.initial_step.checklist if i.required)


def _waive_a_document(
    session: Session,
    application: Application,
    *,
    actor_for: Callable[[str], Actor],
    now: datetime,
) -> None:
    """Waive the last required document of the first step, with a reason, as its role does:
    the discretion the dashboard counts per officer."""
    assert application.id is not None
    permit = default_catalogue()[application.permit_type]
    item = [i for i in permit.initial_step.checklist if i.required][-1]
    record_checklist_item(
        session,
        application_id=application.id,
        item_id=item.id,
        status=ChecklistStatus.waived,
        actor=actor_for(item_roles(item)[0]),
        version=application.version,
        note="สำนักงานมีสำเนาเอกสารนี้ในแฟ้มแล้ว",
        now=now,
    )


def _people(rng: random.Random, district: str) -> Iterator[tuple[Applicant, Subject]]:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        stem = "1" + "".join(str(rng.randrange(10)) for _ in range(11))
        check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(stem)) % 11) % 10
        id_number = f"{stem}{check}"
        phone = "08" + "".join(str(rng.randrange(10)) for _ in range(8))
        address = f"{rng.randrange(1, 999)} {rng.choice(STREETS)} {district} กรุงเทพมหานคร"
        yield (
            Applicant(name=name, id_number=id_number, phone=phone, email=""),
            Subject(address=address, description="ข้อมูลตัวอย่างสำหรับสาธิตระบบ"),
        )


def seed(
    session: Session,
    office_slug: str,
    *,
    per_type: int = 4,
    seed: int = 2568,
    now: datetime | None = None,
    prefix: str = "",
    pace: int = 1,
    first: int = 0,
) -> int:
    """Add ``per_type`` applications of every type the office ``office_slug`` offers, stopped
    at varied points of their workflows (some finished approved, refused or returned; one in
    four with a required document waived), worked by its demo staff (``prefix``) with ``pace``
    times the usual days between steps (a slower office has more files late). ``first``: the
    number of this batch's first file of each type (which path it takes and whether it runs to
    its end follow from it), when a demo is added in batches. Returns how many were added."""
    rng = random.Random(seed)
    now = now or utcnow()
    office = office_by_slug(session, office_slug)
    people = _people(rng, office.name_th.removeprefix("สำนักงาน"))
    added = 0
    for permit in default_catalogue().values():
        if not offices.offers(office, permit.slug):
            continue
        paths = [
            path_to(permit, {Outcome.approved, Outcome.closed}),
            path_to(permit, {Outcome.refused}),
            path_to(permit, {Outcome.returned}),
        ]
        for n in range(first, first + per_type):
            applicant, subject = next(people)
            path = [p for p in paths if p][n % len([p for p in paths if p])]
            # Stop part-way for most; let every third run to its end.
            stop = len(path) if n % 3 == 2 else rng.randrange(0, len(path))
            moment = now - timedelta(days=rng.randrange(10, 60), hours=rng.randrange(0, 8))
            clerk = demo_actor("clerk", permit.department, office.id, prefix)
            details = sample_details(permit, bangkok_date(moment))
            application = submit_application(
                session,
                permit_type_slug=permit.slug,
                applicant=applicant,
                subject=Subject(subject.address, subject.description, details),
                actor=clerk,
                office=office,
                now=moment,
            )

            def actor_for(role: str, department: str = permit.department) -> Actor:
                return demo_actor(role, department, office.id, prefix)

            if n % 4 == 1:  # some files have a document waived at the counter
                _waive_a_document(session, application, actor_for=actor_for, now=moment)
            for transition in path[:stop]:
                gap = rng.randrange(1, 5) * pace
                if transition.kind is TransitionKind.deficiency_request:
                    gap = 0  # the s.8 record is made on the day of filing
                elif transition.kind is TransitionKind.return_:
                    gap += DEFICIENCY_DAYS.days  # returned only once the deadline has passed
                moment += timedelta(days=gap)
                if moment > now:
                    break
                step_through(
                    session,
                    application,
                    transition,
                    actor_for=actor_for,
                    now=moment,
                )
            _hand_over_the_order(session, application, actor_for("clerk"), moment, now)
            added += 1
    return added


def _hand_over_the_order(
    session: Session, application: Application, clerk: Actor, last: datetime, now: datetime
) -> None:
    """The file's order (its decision or return), once ready to notify, handed to the
    applicant in person the day after the file's last step, if that day has come."""
    assert application.id is not None
    handed = last + timedelta(days=1)
    history = load_history(session, application.id)
    order = delivery.order_event(history)
    if order is None or handed > now or delivery.deliveries(history):
        return
    if order.transition_kind == OrderKind.approve and delivery.result_sent(history) is None:
        return
    record_result_notice(
        session,
        application_id=application.id,
        actor=clerk,
        version=application.version,
        method=DeliveryMethod.in_person,
        delivered_on=bangkok_date(handed),
        now=handed,
    )


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Application)).one() == 0
