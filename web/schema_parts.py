"""Small parts of the staff API's response bodies: bilingual text, and a file's result notice
(how and when its order reached the applicant, and the appeal deadline that runs from then).
``web.schemas`` builds the bodies from them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tracking.reads.notices import ResultNoticeView


class Bilingual(BaseModel):
    th: str
    en: str


class DeliveryOut(BaseModel):
    """How and when the file's order reached the applicant (``tracking.delivery``)."""

    model_config = ConfigDict(from_attributes=True)

    order: str
    method: str
    sent_on: date | None
    delivered_on: date | None
    notified_on: date
    deemed: bool


class AppealOut(BaseModel):
    """The appeal route the order names; ``deadline`` once the delivery is recorded."""

    model_config = ConfigDict(from_attributes=True)

    order: str
    to: Bilingual
    days: int
    legal_basis: str
    confirmed: bool
    deadline: date | None


class ResultNoticeOut(BaseModel):
    order: str | None
    awaiting_sending: bool
    delivery: DeliveryOut | None
    appeal: AppealOut | None

    @classmethod
    def of(cls, found: ResultNoticeView) -> ResultNoticeOut:
        """The view ``tracking.reads.notices.result_notice_view`` gives, as the API shows it."""
        appeal = found.appeal
        return cls(
            order=found.order,
            awaiting_sending=found.awaiting_sending,
            delivery=DeliveryOut.model_validate(found.delivery) if found.delivery else None,
            appeal=AppealOut(
                order=appeal.order,
                to=Bilingual(th=appeal.to.th, en=appeal.to.en),
                days=appeal.days,
                legal_basis=appeal.legal_basis,
                confirmed=appeal.confirmed,
                deadline=appeal.deadline,
            )
            if appeal
            else None,
        )
