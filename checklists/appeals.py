"""Which appeal route each order of a permit type names, and how a result notice may reach
the applicant.

A permit type's ``appeal`` block is the route against its refusal (BCA s.52, PHA s.66, or the
Administrative Procedure Act s.44 where the permit law has none). ``order_appeals`` overrides
it for one kind of order: a refusal whose route is not the type's (a rejected tax filing is an
administrative order under APA s.44, not the assessment appeal), and the return of an
application under the Licensing Facilitation Act s.8, which no permit law provides for, so
APA s.44 applies unless the file says otherwise (``RETURN_ORDER_APPEAL``).
"""

from __future__ import annotations

from enum import StrEnum

from checklists.fields import Appeal, Strict, Text

# APA s.44: in writing, to the official who issued the order, within 15 days of being notified.
# That a return under LFA s.8 carries the right of appeal is an estimate (the Act's wording of
# the return rule is not confirmed), hence confirmed false.
RETURN_ORDER_APPEAL = Appeal(
    to=Text(
        th="เจ้าหน้าที่ผู้ออกคำสั่งคืนคำขอ (ยื่นอุทธรณ์เป็นหนังสือ)",
        en="the official who issued the return order (in writing)",
    ),
    days=15,
    legal_basis="Administrative Procedure Act B.E. 2539 s.44",
    confirmed=False,
)


class OrderKind(StrEnum):
    """The orders a result notice carries to the applicant."""

    approve = "approve"
    refuse = "refuse"
    return_ = "return"


class OrderAppeals(Strict):
    """Appeal routes of particular orders, where they differ from the type's ``appeal``."""

    refusal: Appeal | None = None
    return_order: Appeal | None = None


class DeliveryMethod(StrEnum):
    """How a notice reached the applicant (Administrative Procedure Act s.68-73)."""

    in_person = "in_person"
    registered_mail = "registered_mail"
    email = "email"
    posting = "posting"
