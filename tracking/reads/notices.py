"""A file's result notice as staff see it: the order to notify, whether its delivery can be
recorded now, the delivery recorded and the appeal deadline it starts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from checklists.appeals import DeliveryMethod, OrderKind
from checklists.loader import default_catalogue
from checklists.schema import Text
from tracking import delivery
from tracking.delivery import AppealRight, Delivery
from tracking.models import Application
from tracking.workflow import rules


@dataclass(frozen=True)
class ResultNoticeView:
    order: str | None
    # The approval's result must be sent (its own step) before its delivery is recorded.
    awaiting_sending: bool
    delivery: Delivery | None
    appeal: AppealRight | None
    methods: tuple[tuple[str, Text], ...]

    @property
    def can_record(self) -> bool:
        return self.order is not None and self.delivery is None and not self.awaiting_sending


METHODS = tuple((m.value, delivery.RULES[m].label) for m in DeliveryMethod)


def result_notice_view(session: Session, application: Application) -> ResultNoticeView:
    assert application.id is not None
    history = rules.load_history(session, application.id)
    order = delivery.order_event(history)
    kind = str(order.transition_kind) if order is not None else None
    recorded = delivery.deliveries(history)
    return ResultNoticeView(
        order=kind,
        awaiting_sending=kind == OrderKind.approve and delivery.result_sent(history) is None,
        delivery=recorded[0] if recorded else None,
        appeal=delivery.appeal_right(default_catalogue()[application.permit_type], history),
        methods=METHODS,
    )
