"""Read models for staff: the work queue, one application in full, what may be taken in, and
the printed receipt.

Each is a typed view a page or the API renders without deciding anything: which permit types
and steps a queue covers, which checklist items are needed now, whether the actor may act or
record checklist items, and every label, come from here and from the one rule of each in
``tracking.access`` and ``tracking.workflow``. Labels are ``{"th": ..., "en": ...}`` dicts.
"""

from tracking.reads.staff.application import (
    ApplicationView,
    AvailableEvent,
    ChecklistItem,
    DelayNoticeView,
    StepItems,
    TrailEvent,
    application_view,
    available_events,
    by_need,
    checklist_item,
    event_view,
    trail_event,
)
from tracking.reads.staff.intake import (
    Deficiency,
    IntakeField,
    ReceiptDocument,
    ReceiptView,
    intake_choices,
    intake_fields,
    receipt_view,
)
from tracking.reads.staff.labels import Label, department_label, label, step_label
from tracking.reads.staff.queue import (
    MAX_PER_PAGE,
    QueueFilter,
    QueueRow,
    QueueView,
    count_shown,
    holder_filter,
    queue_row,
    queue_view,
    step_choices,
    work_queue,
)
from tracking.reads.staff.search import COUNT_CAP, SearchTerms, parse_query, search_conditions

__all__ = [
    "MAX_PER_PAGE",
    "COUNT_CAP",
    "ApplicationView",
    "AvailableEvent",
    "ChecklistItem",
    "Deficiency",
    "DelayNoticeView",
    "Label",
    "QueueFilter",
    "QueueRow",
    "QueueView",
    "holder_filter",
    "SearchTerms",
    "ReceiptDocument",
    "ReceiptView",
    "StepItems",
    "TrailEvent",
    "application_view",
    "available_events",
    "by_need",
    "count_shown",
    "checklist_item",
    "department_label",
    "event_view",
    "IntakeField",
    "intake_choices",
    "intake_fields",
    "label",
    "parse_query",
    "queue_row",
    "queue_view",
    "receipt_view",
    "search_conditions",
    "step_choices",
    "step_label",
    "trail_event",
    "work_queue",
]
