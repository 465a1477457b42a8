"""Small parts of the staff API's response bodies: bilingual text, and a file's result notice
(how and when its order reached the applicant, and the appeal deadline that runs from then),
as the result-notice endpoint answers and the application's detail shows it. ``web.schemas``
builds the bodies from them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tracking.delivery import AppealRight, Delivery
from tracking.reads.notices import ResultNoticeView


class Bilingual(BaseModel):
    th: str
    en: str


class DeliveryOut(BaseModel):
    order: str
    method: str
    sent_on: date | None
    delivered_on: date | None
    notified_on: date
    deemed: bool
    legal_basis: str


class AppealOut(BaseModel):
    to: dict[str, str]
    days: int
    legal_basis: str
    confirmed: bool
    notified_on: date | None
    deadline: date | None


class ResultNoticeOut(BaseModel):
    """The file's order, whether its result still waits to be sent, its delivery and appeal."""

    order: str | None
    awaiting_sending: bool
    delivery: DeliveryOut | None
    appeal: AppealOut | None

    @classmethod
    def of(cls, found: ResultNoticeView) -> ResultNoticeOut:
        """The view ``tracking.reads.notices.result_notice_view`` gives, as the API shows it."""
        return cls(
            order=found.order,
            awaiting_sending=found.awaiting_sending,
            delivery=delivery_out(found.delivery) if found.delivery else None,
            appeal=appeal_out(found.appeal),
        )


def delivery_out(found: Delivery) -> DeliveryOut:
    return DeliveryOut(
        order=found.order,
        method=found.method.value,
        sent_on=found.sent_on,
        delivered_on=found.delivered_on,
        notified_on=found.notified_on,
        deemed=found.deemed,
        legal_basis=found.rule.legal_basis,
    )


def appeal_out(right: AppealRight | None) -> AppealOut | None:
    if right is None:
        return None
    return AppealOut(
        to={"th": right.to.th, "en": right.to.en},
        days=right.days,
        legal_basis=right.legal_basis,
        confirmed=right.confirmed,
        notified_on=right.notified_on,
        deadline=right.deadline,
    )
