"""Plain factory functions for tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from checklists.loader import default_catalogue
from checklists.schema import Transition
from tracking import demo, offices
from tracking.access import Actor
from tracking.clock import bangkok_date
from tracking.db import unit_of_work
from tracking.models import Application, utcnow
from tracking.workflow import intake, transitions
from tracking.workflow.intake import Applicant, Subject

OFFICE = "pathumwan"  # the office the migrations create


def actor(role: str, permit_type: str = "food-premises", name: str | None = None) -> Actor:
    department = default_catalogue()[permit_type].department
    return Actor(username=name or f"{role}-1", role=role, department=department)


def make_application(
    session: Session,
    permit_type: str = "food-premises",
    *,
    now: datetime | None = None,
    **overrides: Any,
) -> Application:
    applicant = Applicant(
        name=overrides.pop("applicant_name", "สมชาย ใจดี"),
        id_number=overrides.pop("id_number", "1101700123456"),
        phone=overrides.pop("phone", "0812345678"),
        email=overrides.pop("email", "somchai@example.org"),
    )
    # The subject fields the type declares, filled in for the day of filing; ``details``
    # replaces some (a key set to None leaves it out).
    permit = default_catalogue().types.get(permit_type)
    details = demo.sample_details(permit, bangkok_date(now or utcnow())) if permit else {}
    details.update(overrides.pop("details", {}))
    subject = Subject(
        address=overrides.pop("address", "99 ถนนพญาไท เขตปทุมวัน"),
        description=overrides.pop("description", "ร้านอาหาร"),
        details={k: v for k, v in details.items() if v is not None},
    )
    clerk = overrides.pop("actor", None) or actor("clerk", permit_type)
    application = intake.submit_application(
        session,
        permit_type_slug=permit_type,
        applicant=applicant,
        subject=subject,
        actor=clerk,
        office=None if clerk.office_id else offices.office_by_slug(session, OFFICE),
        now=now,
    )
    for key, value in overrides.items():
        setattr(application, key, value)
    return application


def committed_application(engine: Engine, permit_type: str = "food-premises", **kw: Any) -> int:
    with unit_of_work(engine) as session:
        application = make_application(session, permit_type, **kw)
        assert application.id is not None
        return application.id


def step(engine: Engine, application_id: int, transition: Transition, **kw: Any) -> None:
    """Verify what ``transition`` needs and fire it, in its own committed transaction."""
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, application_id)
        department = application.department
        demo.step_through(
            session,
            application,
            transition,
            actor_for=lambda role: Actor(f"{role}-1", role, department),
            **kw,
        )


def walk(engine: Engine, application_id: int, path: list[Transition], **kw: Any) -> None:
    for transition in path:
        step(engine, application_id, transition, **kw)


def permit_types() -> list[str]:
    return sorted(default_catalogue())


def record_item(
    engine: Engine,
    application_id: int,
    item: str,
    status: str,
    *,
    who: Actor,
    when: datetime,
    note: str = "ตรวจแล้ว",
) -> None:
    """Record checklist ``item`` of a committed application as ``who``, at its current version."""
    with unit_of_work(engine) as session:
        version = transitions.get_application(session, application_id).version
        transitions.record_checklist_item(
            session,
            application_id=application_id,
            item_id=item,
            status=status,
            actor=who,
            version=version,
            note=note,
            now=when,
        )
