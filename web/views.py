"""View data for the public status page: every string resolved for one language and
HTML-escaped here, in Python, so the template only places ready text (the busiest page
renders without per-value escaping; see track.html)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import escape

from tracking.reads.public import PublicStatus
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


def track_view(s: PublicStatus, lang: str) -> SimpleNamespace:
    T = TEXTS[lang]
    th = lang == "th"
    business = s.permit.service_time.unit.value == "business"
    office = s.office
    due_note = late = ""
    if s.clock_paused_on:
        due_note = T["paused"].format(d=format_date(s.clock_paused_on, lang))
    elif s.overdue:
        late = T["overdue" if business else "overdue_cal"].format(n=s.business_days_overdue)
    elif s.business_days_left == 0:
        due_note = T["due_today"]
    elif s.business_days_left is not None:
        due_note = T["days_left" if business else "days_left_cal"].format(n=s.business_days_left)
    timeline = []
    for entry in s.timeline:
        if entry.completed_on:
            when, css = T["done_on"].format(d=format_date(entry.completed_on, lang)), "done"
        elif entry.current:
            since = T["since"].format(d=format_date(entry.entered_on, lang))
            when, css = f"{T['now']} · {since}", "current"
        elif entry.upcoming:
            when, css = T["next"], "upcoming"
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
    decided = s.outcome in {"approved", "refused", "closed", "prosecuted"} or bool(s.decided_on)
    if s.outcome:
        result = T[s.outcome]
    else:
        result = T["refused"] if s.ground else T["approved"]
    appeal = ""
    if s.appeal:
        appeal = T["appeal_text"].format(
            to=_pick(s.appeal.to, lang), days=s.appeal.days, d=format_date(s.appeal.deadline, lang)
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
                "department": _pick(s.department, lang),
                "office_name": office.name_th if th else office.name_en,
                "office_address": office.address_th if th else office.address_en,
                "office_hours": office.hours_th if th else office.hours_en,
                "office_phone": office.phone,
                "phone_link": office.phone.replace(" ", ""),
                "submitted": format_date(s.submitted_on, lang),
                "undecided": not s.decided_on and not s.outcome,
                "due": format_date(s.due_date, lang),
                "due_note": due_note,
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
                "decided": decided,
                "result": result,
                "decided_on": format_date(s.decided_on, lang) if s.decided_on else "",
                "ground": _pick(s.ground, lang) if s.ground else "",
                "appeal": appeal,
                "timeline": timeline,
            }
        )
    )
