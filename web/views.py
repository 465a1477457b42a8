"""The public status as each response shows it.

``track_view``: the view data of the status page, every string resolved for one language
and HTML-escaped here, in Python, so the template only places ready text (the busiest page
renders without per-value escaping; see track.html). ``status_json``: the JSON body of
``GET /api/v1/track/{code}``. What is true of the file (decided, overdue, whose turn) comes
from ``PublicStatus``; this module only words and shapes it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from markupsafe import escape

from checklists.fields import Fee
from checklists.references import legal_reference
from checklists.schema import Text
from tracking.clock import business
from tracking.reads.public import DeadlineGap, PublicStatus
from web.i18n import TEXTS, format_date, format_datetime


def _pick(text: Any, lang: str) -> str:
    return "" if text is None else str(getattr(text, lang))


def _escaped(value: Any) -> Any:
    """Every string, in lists and namespaces too, as escaped Markup."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{k: _escaped(v) for k, v in vars(value).items()})
    return value


def _baht(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def fee_line(fee: Fee, lang: str) -> str:
    """The fee as the page says it: its amount in baht (or no fee), marked as an estimate
    while the office has not confirmed it; or, with no amount, that the office sets it."""
    T = TEXTS[lang]
    if fee.amount_baht is None:
        return T["fee_unknown"]
    amount = fee.amount_baht
    line = T["fee_amount"].format(amount=_baht(amount)) if amount else T["fee_none"]
    return line if fee.confirmed else f"{line} ({T['fee_estimate']})"


def _gap(gap: DeadlineGap | None, lang: str) -> str:
    return TEXTS[lang]["gap_" + gap.value] if gap else ""


def track_view(s: PublicStatus, lang: str) -> SimpleNamespace:
    T = TEXTS[lang]
    th = lang == "th"
    counted = business(s.permit)
    office = s.office
    due_note = late = ""
    if s.clock_paused_on:
        due_note = T["paused"].format(d=format_date(s.clock_paused_on, lang))
    elif s.overdue:
        late = T["overdue" if counted else "overdue_cal"].format(n=s.business_days_overdue)
    elif s.business_days_left == 0:
        due_note = T["due_today"]
    elif s.business_days_left is not None:
        due_note = T["days_left" if counted else "days_left_cal"].format(n=s.business_days_left)
    timeline = []
    upcoming = 0
    for entry in s.timeline:
        if entry.completed_on:
            when, css = T["done_on"].format(d=format_date(entry.completed_on, lang)), "done"
        elif entry.current:
            since = T["since"].format(d=format_date(entry.entered_on, lang))
            when, css = f"{T['now']} · {since}", "current"
        elif entry.upcoming:
            # Only the first step to come is "next"; the rest are named and marked as later.
            when, css = T["later" if upcoming else "next"], "upcoming"
            upcoming += 1
        else:
            when, css = format_date(entry.entered_on, lang), "done"
        timeline.append(
            {
                "name": _pick(entry.step.label, lang),
                "when": when,
                "css": css,
                "current": entry.current,
            }
        )
    appeal = ""
    if s.appeal:
        right, deadline, notified = s.appeal, s.appeal.deadline, s.appeal.notified_on
        appeal = T["appeal_text" if deadline else "appeal_undelivered"].format(
            to=_pick(right.to, lang),
            days=right.days,
            law=legal_reference(right.legal_basis, lang),
            n=format_date(notified, lang) if notified else "",
            d=format_date(deadline, lang) if deadline else "",
        )
    return _escaped(
        SimpleNamespace(
            **{
                "code": s.code,
                "permit_name": _pick(s.permit.name, lang),
                "permit_slug": s.permit.slug,
                "label": _pick(s.step.label, lang),
                "description": _pick(s.step.description, lang),
                "turn_css": s.step.turn.value,
                "outcome_css": f" outcome-{s.outcome}" if s.outcome else "",
                "turn": T["turn_" + s.step.turn.value],
                "applicants_turn": s.applicants_turn,
                "missing": [_pick(item, lang) for item in s.missing],
                "deadline": format_date(s.applicant_deadline, lang) if s.applicant_deadline else "",
                "deadline_gap": _gap(s.deadline_gap, lang),
                "pays": s.payment_step,
                "fee": fee_line(s.fee, lang) if s.fee else "",
                "fee_note": _pick(s.fee.description, lang) if s.fee else "",
                "sum_label": _pick(s.sum_due[0], lang) if s.sum_due else "",
                "sum": TEXTS[lang]["fee_amount"].format(amount=_baht(s.sum_due[1]))
                if s.sum_due
                else "",
                "department": _pick(s.department, lang),
                "office_name": office.name_th if th else office.name_en,
                "office_address": office.address_th if th else office.address_en,
                "office_hours": office.hours_th if th else office.hours_en,
                "office_phone": office.phone,
                "phone_link": office.phone.replace(" ", ""),
                "contact_unconfirmed": bool(
                    set(office.unconfirmed or ()) & {"address", "phone", "hours"}
                ),
                "submitted": format_date(s.submitted_on, lang),
                "undecided": s.undecided,
                "due": format_date(s.due_date, lang),
                "due_note": due_note,
                "due_rule": _pick(s.due_rule, lang) if s.due_rule else "",
                "late": late,
                "final": s.step.final,
                "at_step": T["at_step"].format(n=s.days_at_step),
                "updated": format_datetime(s.updated_at, lang),
                "show_delay": s.overdue or bool(s.notices),
                "overdue": s.overdue,
                "delay_count": T["delay_count"].format(sent=len(s.notices), due=s.notices_due),
                "notices": [
                    f"{n.number} · {format_date(n.issued_on, lang)} · {_pick(n.reason, lang)}"
                    for n in s.notices
                ],
                "decided": s.decided,
                "result": T[s.result] if s.result else "",
                "decided_on": format_date(s.decided_on, lang) if s.decided_on else "",
                "ground": _pick(s.ground, lang) if s.ground else "",
                "appeal": appeal,
                "timeline": timeline,
            }
        )
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text(value: Text | None) -> dict[str, str] | None:
    return None if value is None else {"th": value.th, "en": value.en}


def _reason(gap: DeadlineGap | None) -> dict[str, str] | None:
    if gap is None:
        return None
    return {"code": gap.value, "th": _gap(gap, "th"), "en": _gap(gap, "en")}


def _fee(fee: Fee | None) -> dict[str, object] | None:
    if fee is None:
        return None
    return {
        "amount_baht": fee.amount_baht,
        "confirmed": fee.confirmed,
        "text": {"th": fee_line(fee, "th"), "en": fee_line(fee, "en")},
        "description": _text(fee.description),
    }


def status_json(s: PublicStatus) -> dict[str, object]:
    """The JSON body of a public lookup: both languages, ISO dates, no personal data."""
    return {
        "tracking_code": s.code,
        "permit_type": {"slug": s.permit.slug, "name": _text(s.permit.name)},
        "status": {
            "step": s.step.id,
            "label": _text(s.step.label),
            "description": _text(s.step.description),
            "turn": s.step.turn.value,
            "final": s.step.final,
            "outcome": s.outcome,
        },
        "applicant_action": (
            {
                "bring": [_text(item) for item in s.missing],
                "by": s.applicant_deadline.isoformat() if s.applicant_deadline else None,
                "where": {
                    "th": f"{s.department.th}, {s.office.name_th}, {s.office.address_th}",
                    "en": f"{s.department.en}, {s.office.name_en}, {s.office.address_en}",
                },
            }
            if s.applicants_turn
            else None
        ),
        # On the applicant's turn: what is owed (catalogue labels only), by when or why
        # that is not known yet; at a payment step, the fee and the payment deadline.
        "outstanding_items": [{"id": i.id, "label": _text(i.label)} for i in s.outstanding],
        "applicant_deadline": _iso(s.applicant_deadline),
        "applicant_deadline_reason": _reason(s.deadline_gap),
        "fee": _fee(s.fee),
        "payment_due": _iso(s.payment_due),
        "amount_due": (
            {"label": _text(s.sum_due[0]), "amount_baht": s.sum_due[1]} if s.sum_due else None
        ),
        "payment_due_reason": _reason(s.deadline_gap) if s.payment_step else None,
        "submitted_on": s.submitted_on.isoformat(),
        "due_date": s.due_date.isoformat(),
        "due_rule": _text(s.due_rule),
        "business_days_left": s.business_days_left,
        "business_days_overdue": s.business_days_overdue,
        "day_unit": s.permit.service_time.unit.value,
        "clock_paused_on": s.clock_paused_on.isoformat() if s.clock_paused_on else None,
        "days_at_current_step": s.days_at_step,
        "timeline": [
            {
                "step": e.step.id,
                "label": _text(e.step.label),
                "entered_on": e.entered_on.isoformat() if e.entered_on else None,
                "completed_on": e.completed_on.isoformat() if e.completed_on else None,
                "current": e.current,
                "upcoming": e.upcoming,
            }
            for e in s.timeline
        ],
        "delay_notices": {
            "due": s.notices_due,
            "sent": [
                {
                    "number": n.number,
                    "issued_on": n.issued_on.isoformat(),
                    "reason": _text(n.reason),
                }
                for n in s.notices
            ],
        },
        "decision": (
            {
                "decided_on": s.decided_on.isoformat() if s.decided_on else None,
                "outcome": s.outcome,
                "ground": _text(s.ground),
                "appeal": (
                    {
                        "to": _text(s.appeal.to),
                        "days": s.appeal.days,
                        "legal_basis": s.appeal.legal_basis,
                        # The period runs from the delivery: no deadline until it is recorded.
                        "counted_from": "delivery",
                        "notified_on": _iso(s.appeal.notified_on),
                        "deadline": _iso(s.appeal.deadline),
                    }
                    if s.appeal
                    else None
                ),
                "result_notified_on": (
                    s.result_notified_on.isoformat() if s.result_notified_on else None
                ),
            }
            if s.decided_on or s.step.final
            else None
        ),
        "contact": {
            "department": _text(s.department),
            "office": {"th": s.office.name_th, "en": s.office.name_en},
            "phone": s.office.phone,
            "hours": {"th": s.office.hours_th, "en": s.office.hours_en},
            "complaint": {
                "th": s.office.complaint_th,
                "en": s.office.complaint_en,
                "url": s.office.complaint_url,
            },
            "feedback_url": s.office.feedback_url,
        },
        "updated_at": s.updated_at.isoformat(),
    }
