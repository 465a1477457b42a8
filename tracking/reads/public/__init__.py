"""What a citizen sees for a tracking code: status, whose turn, what is missing, deadlines,
the fee where they pay, the timeline, delay notices and the decision. Never the applicant's
name, ID number, phone, e-mail or exact address.

The lookup is the public hot path: every query goes as plain SQL straight to the driver
(``sql``); the office and its calendar are cached (``offices``); what the applicant's turn
needs is read only on their turn (``turn``). The response shapes (JSON, HTML) are the web
layer's; this package says what is true.
"""

from __future__ import annotations

from tracking import codes
from tracking.reads.public.offices import OFFICE_CACHE_SECONDS, _offices
from tracking.reads.public.reading import lookup, lookup_at_least
from tracking.reads.public.status import (
    DECISION_OUTCOMES,
    CodeMistyped,
    DeadlineGap,
    Notice,
    OutstandingItem,
    PublicStatus,
    TimelineEntry,
    parse_code,
    unknown_code,
)

__all__ = [
    "DECISION_OUTCOMES",
    "OFFICE_CACHE_SECONDS",
    "CodeMistyped",
    "DeadlineGap",
    "Notice",
    "OutstandingItem",
    "PublicStatus",
    "TimelineEntry",
    "_offices",
    "codes",
    "lookup",
    "lookup_at_least",
    "parse_code",
    "unknown_code",
]
