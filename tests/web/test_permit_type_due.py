"""Each permit type's page tells a citizen when a decision is due on a file filed today, by the
office's own calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from tracking import clock, periods
from tracking.clock import BusinessCalendar
from tracking.db import unit_of_work
from tracking.models import OfficeDay
from tracking.offices import office_by_slug
from web.i18n import format_date

TODAY = date(2026, 4, 8)  # a Wednesday, the week before Songkran


@pytest.mark.parametrize("slug", sorted(default_catalogue()))
def test_the_page_gives_the_due_date_of_a_file_filed_today(
    client: TestClient, engine: Engine, slug: str
) -> None:
    permit = default_catalogue()[slug]
    closure = BusinessCalendar().add_business_days(TODAY, 1)
    with unit_of_work(engine) as session:
        office = office_by_slug(session, "pathumwan")
        assert office.id is not None
        session.add(OfficeDay(office_id=office.id, day=closure, note="ปิดกรณีพิเศษ"))
    due = periods.due_at_intake(BusinessCalendar(closures=[closure]), permit, TODAY)
    if clock.business(permit) and permit.service_time.days:
        assert due != periods.due_at_intake(BusinessCalendar(), permit, TODAY)
    with time_machine.travel(datetime.combine(TODAY, time(3), UTC), tick=False):
        thai = client.get(f"/permit-types/{slug}")
        english = client.get(f"/permit-types/{slug}?lang=en")
    assert thai.status_code == english.status_code == 200
    assert f"ยื่นวันนี้ ควรได้รับผลภายใน {format_date(due, 'th')}" in thai.text
    assert str(due.year + 543) in format_date(due, "th")
    assert f"Applied today, decision due by {format_date(due, 'en')}" in english.text
