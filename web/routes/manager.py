"""Managers: the compliance dashboard, its JSON, the monthly report; and the public statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from checklists.loader import default_catalogue
from tracking import clock, dates
from tracking.access import Actor, authorise_manager
from tracking.clock import bangkok_date
from tracking.errors import InvalidInput
from tracking.models import Office, utcnow
from tracking.reads import compliance, reports, selection
from tracking.reads.staff import department_label, holders
from tracking.reads.staff.labels import ground_label
from web import i18n
from web.deps import ReaderActor, ReadSessionDep, SessionDep, StaffActor
from web.pages import HTML, page_router, render, request_office
from web.routes.public import page_meta
from web.routes.staff.common import staff_page
from web.schemas import ErrorOut

api = APIRouter(tags=["manager"])
pages = page_router(tags=["manager"])
Lang = Annotated[str | None, Query(pattern="^(th|en)$")]


def manager_actor(actor: ReaderActor) -> Actor:
    authorise_manager(actor)
    return actor


def manager_page(actor: StaffActor) -> Actor:
    """The signed-in manager behind a page (else off to sign in, or the 403 page)."""
    authorise_manager(actor)
    return actor


# The API's reads take the bearer token or the browser's session: the dashboard links to them.
ManagerActor = Annotated[Actor, Depends(manager_actor)]
ManagerPage = Annotated[Actor, Depends(manager_page)]


DAY = (
    f"A Bangkok date (inclusive) from {clock.FIRST_DAY.isoformat()} to"
    f" {clock.LAST_DAY.isoformat()}, YYYY-MM-DD; blank: no limit on that side"
)
# Loose here, so a blank or mistyped field reaches ``parse_filters``, which names it in Thai
# and English (a form always sends every field, blank or not).
FilterText = Annotated[str | None, Query(max_length=200)]
Day = Annotated[str | None, Query(max_length=200, description=DAY)]


class FilterQuery:
    """The filter fields as sent, for the form to show again."""

    def __init__(
        self,
        date_from: Day = None,
        date_to: Day = None,
        department: FilterText = None,
        permit_type: FilterText = None,
        officer: FilterText = None,
    ) -> None:
        self.fields = {
            "date_from": date_from,
            "date_to": date_to,
            "department": department,
            "permit_type": permit_type,
            "officer": officer,
        }

    def parse(self, actor: Actor, **defaults: str) -> compliance.Filters:
        """The filters (blank: all), within the manager's office; ``defaults`` for the fields
        not sent at all. Raises ``InvalidInput`` naming the field."""
        sent = {k: defaults.get(k) if v is None else v for k, v in self.fields.items()}
        return selection.parse_filters(**sent, office_id=actor.office_id)


FilterFields = Annotated[FilterQuery, Depends()]


@api.get(
    "/api/v1/compliance/summary",
    summary="Compliance with the discretion guidelines and the Licensing Facilitation Act",
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def summary_json(session: ReadSessionDep, actor: ManagerActor, query: FilterFields) -> JSONResponse:
    data = compliance.summary(session, query.parse(actor), bangkok_date(utcnow()))
    return JSONResponse(data)


@api.get(
    "/api/v1/reports/monthly",
    summary="Monthly report per permit type and department, with totals and the office"
    " (CSV or Excel with Thai headers, or JSON)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, reports.XLSX: {}, "application/json": {}}},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
def monthly_report(
    session: SessionDep,
    actor: ManagerActor,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    format: Literal["csv", "xlsx", "json"] = "xlsx",  # noqa: A002
) -> Response:
    period = reports.Month.parse(month)
    rows = reports.monthly(session, period, actor.office_id)
    office = session.get(Office, actor.office_id) if actor.office_id is not None else None
    if format == "json":
        return JSONResponse(reports.to_json(rows, period, office))
    if format == "csv":
        body, media = reports.to_csv(rows, period, office), "text/csv; charset=utf-8"
    else:
        body, media = reports.to_xlsx(rows, period, office), reports.XLSX
    name = f"tidtam-{month}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _bar_chart(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """On-time rate per permit type as bars, laid out here so the page needs no script: each
    bar has its permit type's full name and its value as text, and a width (0 to 100)."""
    catalogue = default_catalogue()
    bars = []
    for row in rows:
        permit = catalogue.types.get(row["permit_type"])
        rate = row["on_time_rate"] or 0.0
        bars.append(
            {
                "label": getattr(permit.name, lang) if permit else row["permit_type"],
                "width": round(rate * 100, 1),
                "value": f"{rate:.0%} · n = {row['decided']}",
            }
        )
    return {"bars": bars}


def _department(slug: str, lang: str) -> str:
    return i18n.pick(department_label(slug), lang)


def _report_months(today: date, lang: str) -> list[dict[str, str]]:
    """The months the dashboard offers the report of: last month, then this month so far."""
    this = today.replace(day=1)
    months = []
    for first in ((this - timedelta(days=1)).replace(day=1), this):
        name = reports.Month(first.year, first.month).thai
        if lang == "en":
            name = f"{i18n.ENGLISH_MONTHS[first.month - 1]} {first.year}"
        if first == this:
            name = f"{name} ({i18n.ui('to_date', lang)})"
        months.append({"value": first.strftime("%Y-%m"), "name": name})
    return months


@pages.get(
    "/manager",
    summary="Compliance dashboard (managers)",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in"}, 403: HTML},
)
def dashboard(
    request: Request,
    session: SessionDep,
    reads: ReadSessionDep,  # the figures: from the read replica, if there is one
    actor: ManagerPage,
    query: FilterFields,
    lang: Lang = None,
) -> Response:
    language = i18n.language(request)
    today = bangkok_date(utcnow())
    context: dict[str, Any] = {
        "form": {k: v or "" for k, v in query.fields.items()},
        "departments": [(s, _department(s, language)) for s in selection.departments_with_types()],
        "permits": sorted(
            ((p.slug, getattr(p.name, language)) for p in default_catalogue().values()),
            key=lambda x: x[1],
        ),
        "months": _report_months(today, language),
        "d": None,
        "error": None,
        "error_field": None,
    }
    try:
        no_dates = query.fields["date_from"] is None and query.fields["date_to"] is None
        filters = query.parse(actor, **(selection.default_period(today) if no_dates else {}))
    except InvalidInput as exc:
        context.update(
            error=exc.th if language == "th" else exc.en, error_field=exc.detail.get("field")
        )
        return staff_page(
            request,
            session,
            actor,
            "manager.html",
            context,
            current="manager",
            status_code=exc.status_code,
        )
    data = compliance.summary(reads, filters, today)
    # The filters as links carry them: a blank date stays blank (no limit), not the default.
    shown = {k: v or "" for k, v in data["filters"].items() if v or k.startswith("date_")}
    english = {"lang": "en"} if language == "en" else {}

    def day(value: date | None) -> str:
        return i18n.format_date(value, language) if value else i18n.ui("period_open", language)

    context.update(
        d=data,
        form={
            **{k: v or "" for k, v in data["filters"].items()},
            "date_from": dates.typed(filters.date_from, language),
            "date_to": dates.typed(filters.date_to, language),
        },
        chart=_bar_chart(data["by_permit_type"], language),
        names={slug: getattr(p.name, language) for slug, p in default_catalogue().items()},
        dept=lambda slug: _department(slug, language),
        ground=lambda code: i18n.pick(ground_label(code), language),
        iso_day=lambda text: i18n.format_date(date.fromisoformat(text), language),
        since=day(filters.date_from),
        until=day(filters.date_to),
        query=urlencode(shown),
        narrow=lambda **changes: "/manager?" + urlencode({**shown, **changes, **english}),
        caseload=holders.caseloads(reads, actor, actor.office_id or 0, today, filters.department),
    )
    return staff_page(request, session, actor, "manager.html", context, current="manager")


@pages.get(
    "/stats",
    summary="Public processing-time statistics (last 12 months)",
    response_class=Response,
    responses={200: HTML},
)
def stats_page(request: Request, session: ReadSessionDep, lang: Lang = None) -> Response:
    today = bangkok_date(utcnow())
    rows = reports.public_stats(session, today)
    language = i18n.language(request)
    office = request_office(request)
    return render(
        request,
        "stats.html",
        {
            "rows": rows,
            "since": i18n.format_date(today - timedelta(days=365), language),
            "until": i18n.format_date(today, language),
            "chart": _bar_chart([r for r in rows if r["decided"]], language),
            "meta": page_meta(request, "/stats", "meta_stats", office),
        },
        office=office,
    )


@api.get(
    "/stats.csv",
    summary="Public processing-time statistics (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def stats_csv(session: ReadSessionDep) -> Response:
    rows = reports.public_stats(session, bangkok_date(utcnow()))
    return Response(
        reports.stats_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tidtam-stats.csv"'},
    )


@api.get("/api/v1/stats", summary="Public processing-time statistics (JSON)")
def stats_json(session: ReadSessionDep) -> JSONResponse:
    return JSONResponse(reports.public_stats(session, bangkok_date(utcnow())))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
