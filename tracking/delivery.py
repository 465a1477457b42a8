"""When an order reached the applicant, and the appeal deadline that runs from that day.

A result notice (an approval, a refusal or the return of an application) is delivered in
person, by registered mail, by e-mail where the applicant gave an address for notices, or by
posting at the applicant's address. The day it is taken to have reached the applicant (the
``notified_on`` day) is the day it was delivered, or for registered mail, where no proof of
the day of receipt is kept, the day the Administrative Procedure Act deems it received.
Appeal periods (BCA s.52, PHA s.66, APA s.44) run from that day, never from the decision.

The Act's rules of notification (s.69-73) are not in the project's facts file: each rule below
is an estimate and says so (``confirmed`` false).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from checklists.appeals import DeliveryMethod, OrderKind
from checklists.fields import Appeal, Text
from checklists.schema import PermitType
from tracking import clock
from tracking.dates import written
from tracking.errors import InvalidInput

ORDER_KINDS = frozenset(k.value for k in OrderKind)
# The event whose day the result was sent on, for an approval (its own notice is a step).
RESULT_SENT = "result_notice"


@dataclass(frozen=True)
class DeliveryRule:
    """How one method of delivery dates the notice."""

    label: Text
    # Days after posting the notice is deemed received, when no day of receipt is proven;
    # None: the day of delivery must be given.
    deemed_days: int | None
    legal_basis: str
    confirmed: bool


RULES: dict[DeliveryMethod, DeliveryRule] = {
    DeliveryMethod.in_person: DeliveryRule(
        Text(th="ส่งมอบให้ผู้ยื่นคำขอโดยตรง", en="handed to the applicant"),
        None,
        "Administrative Procedure Act B.E. 2539 s.69, 70",
        False,
    ),
    # s.71: deemed received on the 7th day after posting (in the Kingdom), unless the
    # applicant's receipt is proven earlier or later (the return receipt).
    DeliveryMethod.registered_mail: DeliveryRule(
        Text(th="ไปรษณีย์ลงทะเบียนตอบรับ", en="registered mail"),
        7,
        "Administrative Procedure Act B.E. 2539 s.71",
        False,
    ),
    DeliveryMethod.email: DeliveryRule(
        Text(
            th="จดหมายอิเล็กทรอนิกส์ตามที่อยู่ที่ผู้ยื่นคำขอให้ไว้",
            en="e-mail to the address the applicant gave",
        ),
        None,
        "Administrative Procedure Act B.E. 2539 s.69 (as amended B.E. 2562)",
        False,
    ),
    # s.70: left at, or posted on, the applicant's address before an official witness when
    # the applicant cannot be found or refuses it: received on that day.
    DeliveryMethod.posting: DeliveryRule(
        Text(
            th="ปิดหนังสือไว้ ณ ภูมิลำเนาของผู้ยื่นคำขอต่อหน้าพยาน",
            en="posted at the applicant's address before a witness",
        ),
        None,
        "Administrative Procedure Act B.E. 2539 s.70",
        False,
    ),
}


@dataclass(frozen=True)
class Delivery:
    """A recorded delivery: how, when sent and received, and the day the notice counts from."""

    order: str
    order_seq: int
    decided_on: date
    method: DeliveryMethod
    sent_on: date | None
    delivered_on: date | None
    notified_on: date
    # The result was sent (the approval's own step) on this day; None for a refusal or return.
    result_sent_on: date | None = None

    @property
    def deemed(self) -> bool:
        """Whether ``notified_on`` is the day the law deems, not a day of receipt proven."""
        return self.delivered_on is None

    @property
    def rule(self) -> DeliveryRule:
        return RULES[self.method]

    def data(self) -> dict[str, Any]:
        """What the trail's ``notice`` event records."""
        return {
            "order": self.order,
            "order_seq": self.order_seq,
            "decided_on": self.decided_on.isoformat(),
            "method": self.method.value,
            "sent_on": _iso(self.sent_on),
            "delivered_on": _iso(self.delivered_on),
            "notified_on": self.notified_on.isoformat(),
            "deemed": self.deemed,
            "legal_basis": self.rule.legal_basis,
            "result_sent_on": _iso(self.result_sent_on),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def read_delivery(data: str | dict[str, Any]) -> Delivery:
    """The delivery a ``notice`` event's data records. Raises ``ValueError``, ``KeyError`` or
    ``TypeError`` on data no writer stores."""
    found = orjson.loads(data) if isinstance(data, str) else data
    delivery = Delivery(
        order=str(found["order"]),
        order_seq=int(found["order_seq"]),
        decided_on=date.fromisoformat(found["decided_on"]),
        method=DeliveryMethod(found["method"]),
        sent_on=_day(found.get("sent_on")),
        delivered_on=_day(found.get("delivered_on")),
        notified_on=date.fromisoformat(found["notified_on"]),
        result_sent_on=_day(found.get("result_sent_on")),
    )
    # The rule's citation as it then read is kept, not held to today's wording.
    if {**delivery.data(), "legal_basis": found.get("legal_basis")} != found:
        raise ValueError("the notice's data is not as the workflow writes it")
    return delivery


def notified_on(method: DeliveryMethod, sent_on: date | None, delivered_on: date | None) -> date:
    """The day a notice sent by ``method`` counts as received: the day of delivery when it is
    known, else the day the law deems (registered mail). Raises ``InvalidInput``."""
    rule = RULES[method]
    if delivered_on is not None:
        return delivered_on
    if rule.deemed_days is None or sent_on is None:
        raise InvalidInput(
            "ต้องระบุวันที่ผู้ยื่นคำขอได้รับหนังสือ"
            + ("" if rule.deemed_days is None else " หรือวันที่ส่งทางไปรษณีย์"),
            "The day the applicant received the notice is needed"
            + ("" if rule.deemed_days is None else ", or the day it was posted"),
            field="delivered_on",
        )
    return sent_on + timedelta(days=rule.deemed_days)


def delivery_problem(
    delivery: Delivery, today: date, applicant_email: str | None = None
) -> InvalidInput | None:
    """Why ``delivery`` cannot be recorded on ``today``, or None: a day before the order, a
    day still to come, received before it was sent, e-mail to an applicant who gave none
    (``applicant_email``; None: not checked)."""
    decided = delivery.decided_on
    for name, day in (("sent_on", delivery.sent_on), ("delivered_on", delivery.delivered_on)):
        if day is None:
            continue
        clock.supported_day(day, name)
        if day < decided:
            return InvalidInput(
                f"วันที่ต้องไม่ก่อนวันที่มีคำสั่ง ({written(decided, 'th')})",
                f"The date cannot be before the order was made ({written(decided, 'en')})",
                field=name,
            )
        if day > today:
            return InvalidInput(
                "วันที่ต้องไม่เป็นวันในอนาคต", "The date cannot be in the future", field=name
            )
    if delivery.sent_on and delivery.delivered_on and delivery.delivered_on < delivery.sent_on:
        return InvalidInput(
            "วันที่ได้รับต้องไม่ก่อนวันที่ส่ง",
            "The notice cannot be received before it was sent",
            field="delivered_on",
        )
    if delivery.method is DeliveryMethod.email and applicant_email == "":
        return InvalidInput(
            "ผู้ยื่นคำขอไม่ได้ให้ที่อยู่อีเมลสำหรับรับหนังสือ จึงแจ้งทางอีเมลไม่ได้",
            "The applicant gave no e-mail address for notices, so it cannot go by e-mail",
            field="method",
        )
    return None


def appeal_deadline(appeal: Appeal, notified: date) -> date:
    """The last day to appeal: ``appeal.days`` days counted from the day after notification
    (the day of notification itself is not counted)."""
    return notified + timedelta(days=appeal.days)


def order_event(events: Sequence[Any]) -> Any | None:
    """The order a result notice carries: the trail's decision or return, if any."""
    return next((e for e in events if e.transition_kind in ORDER_KINDS), None)


def result_sent(events: Sequence[Any]) -> Any | None:
    """The first event that sent an approval's result, if any."""
    return next((e for e in events if e.transition_kind == RESULT_SENT), None)


def deliveries(events: Sequence[Any]) -> list[Delivery]:
    """The deliveries a trail records, in order."""
    return [read_delivery(e.data) for e in events if e.kind == "notice"]


def replay_problem(earlier: Sequence[Any], event: Any, day: date) -> str | None:
    """What is wrong with the ``notice`` event ``event`` (recorded on ``day``) after the
    events ``earlier``, or None: the order it names must be the trail's, noticed once, dated
    as the trail dates it, and not delivered before the order nor after the day it was
    recorded. (The row's facts do not change: the notice is held to the trail alone.)"""
    delivery = read_delivery(event.data)
    order = order_event(earlier)
    if order is None or (order.seq, order.transition_kind) != (delivery.order_seq, delivery.order):
        return f"it names order {delivery.order!r} (seq {delivery.order_seq}), not the trail's"
    if any(e.kind == "notice" for e in earlier):
        return "the order was noticed already"
    if event_day(order) != delivery.decided_on:
        return f"it dates the order {delivery.decided_on}, the trail does not"
    sent = result_sent(earlier)
    sent_day = event_day(sent) if sent is not None else None
    if delivery.result_sent_on != (sent_day if delivery.order == OrderKind.approve else None):
        return f"it says the result was sent on {delivery.result_sent_on}, the trail does not"
    if delivery.notified_on != notified_on(
        delivery.method, delivery.sent_on, delivery.delivered_on
    ):
        return f"notified on {delivery.notified_on} does not follow from its dates"
    problem = delivery_problem(delivery, day)
    return problem.en if problem is not None else None


def event_day(event: Any) -> date:
    """An event's Bangkok date (a trail row read for ``audit verify`` carries it as ``day``)."""
    day = getattr(event, "day", None)
    if isinstance(day, date):
        return day
    moment = event.occurred_at
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return clock.bangkok_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


@dataclass(frozen=True)
class AppealRight:
    """The appeal route an order names and, once its delivery is recorded, the deadline."""

    order: str
    to: Text
    days: int
    legal_basis: str
    confirmed: bool
    delivery: Delivery | None

    @property
    def notified_on(self) -> date | None:
        return self.delivery.notified_on if self.delivery else None

    @property
    def deadline(self) -> date | None:
        """The last day to appeal; None until the delivery is recorded (the period runs
        from it, so no day can be given before)."""
        if self.delivery is None:
            return None
        return self.delivery.notified_on + timedelta(days=self.days)  # as ``appeal_deadline``


def appeal_right(permit: PermitType, events: Sequence[Any]) -> AppealRight | None:
    """The appeal right of the file's order (a refusal or a return), from its trail; None when
    there is no such order."""
    order = order_event(events)
    appeal = permit.appeal_of(order.transition_kind) if order is not None else None
    if order is None or appeal is None:
        return None
    delivered = next(iter(deliveries(events)), None)
    return AppealRight(
        str(order.transition_kind),
        appeal.to,
        appeal.days,
        appeal.legal_basis,
        appeal.confirmed,
        delivered,
    )
