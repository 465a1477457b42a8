"""Business days for a Bangkok district office.

A business day is Monday to Friday, not a Thai public or government holiday (the ``holidays``
package, which includes substitution days and Cabinet bridge days) and not a day the office
has configured as closed. The office may also configure a day as open, which wins over
everything else. National Labour Day is left out: the package lists it, but it is observed by
the financial and private sectors, and district offices stay open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import holidays

CATEGORIES = ("public", "government")
NOT_OBSERVED_BY_OFFICES = frozenset({"National Labor Day"})
# Thailand keeps UTC+7 all year.
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")


def bangkok_date(moment: datetime) -> date:
    """The calendar date in Bangkok at ``moment`` (timezone-aware)."""
    return moment.astimezone(BANGKOK).date()


@lru_cache(maxsize=64)
def thai_holidays(year: int) -> dict[date, str]:
    """Days a government office closes in ``year``, with their Thai names."""
    english = holidays.country_holidays("TH", years=year, categories=CATEGORIES, language="en_US")
    thai = holidays.country_holidays("TH", years=year, categories=CATEGORIES, language="th")
    closed = {}
    for day in english:
        names = set(english.get_list(day))
        if names - NOT_OBSERVED_BY_OFFICES:
            closed[day] = thai.get(day) or english[day]
    return closed


class BusinessCalendar:
    """Business days, given the office's own closures and extra opening days."""

    def __init__(self, closures: Iterable[date] = (), openings: Iterable[date] = ()) -> None:
        self.closures = frozenset(closures)
        self.openings = frozenset(openings)

    def is_business_day(self, day: date) -> bool:
        if day in self.openings:
            return True
        if day.weekday() >= 5 or day in self.closures:
            return False
        return day not in thai_holidays(day.year)

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days ``d`` with ``start < d <= end``; negative when ``end`` is earlier."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def add_days(self, start: date, days: int, *, business: bool) -> date:
        return self.add_business_days(start, days) if business else start + timedelta(days=days)

    def days_between(self, start: date, end: date, *, business: bool) -> int:
        return self.business_days_between(start, end) if business else (end - start).days
