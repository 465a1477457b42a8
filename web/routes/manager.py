"""Managers: the compliance dashboard, its JSON, the monthly report (of the manager's office,
or for the city's auditors of the office ``office=SLUG`` names); and the public statistics
(of the deployment's office, another named, or ``office=all``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from checklists.loader import default_catalogue
from tracking import clock, dates, offices
from tracking.access import Actor, authorise_manager
from tracking.clock import bangkok_date
from tracking.errors import InvalidInput
from tracking.models import Office, utcnow
from tracking.reads import city, compliance, reports, selection
from tracking.reads.staff import department_label, holders
from tracking.reads.staff.labels import ground_label
from web import i18n
from web.deps import ReaderActor, ReadSessionDep, SessionDep, StaffActor, canonical_url
from web.pages import HTML, page_router, render, request_office
from web.routes.public import page_meta
from web.routes.staff.common import refused_filters_page, see_other, staff_page
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
OfficeSlug = Annotated[
    str | None,
    Query(
        max_length=64,
        description="The office's slug (the city's auditors: any office; a district manager:"
        " only their own); blank: the signed-in manager's office",
    ),
]


class FilterQuery:
    """The filter fields as sent, for the form to show again."""

    def __init__(
        self,
        date_from: Day = None,
        date_to: Day = None,
        department: FilterText = None,
        permit_type: FilterText = None,
        officer: FilterText = None,
        office: OfficeSlug = None,
    ) -> None:
        self.office = office
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

    def reader(self, session: SessionDep, actor: Actor) -> tuple[Actor, Office | None]:
        """The actor reading the office asked for, and that office (``city.reading``)."""
        return city.reading(session, actor, self.office)


FilterFields = Annotated[FilterQuery, Depends()]


@api.get(
    "/api/v1/compliance/summary",
    summary="Compliance with the discretion guidelines and the Licensing Facilitation Act",
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
def summary_json(session: ReadSessionDep, actor: ManagerActor, query: FilterFields) -> JSONResponse:
    reader, _ = query.reader(session, actor)
    data = compliance.summary(session, query.parse(reader), bangkok_date(utcnow()))
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
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
def monthly_report(
    session: SessionDep,
    actor: ManagerActor,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    format: Literal["csv", "xlsx", "json"] = "xlsx",  # noqa: A002
    office: OfficeSlug = None,
) -> Response:
    period = reports.Month.parse(month)
    reader, office_row = city.reading(session, actor, office)
    rows = reports.monthly(session, period, reader.office_id)
    if format == "json":
        return JSONResponse(reports.to_json(rows, period, office_row))
    if format == "csv":
        body, media = reports.to_csv(rows, period, office_row), "text/csv; charset=utf-8"
    else:
        body, media = reports.to_xlsx(rows, period, office_row), reports.XLSX
    prefix = f"tidtam-{office_row.slug}" if office_row is not None and office else "tidtam"
    name = f"{prefix}-{month}.{format}"
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
    responses={
        200: HTML,
        303: {"description": "Sign in; the city's auditors naming no office: on to /city"},
        403: HTML,
        404: HTML,
    },
)
def dashboard(
    request: Request,
    session: SessionDep,
    reads: ReadSessionDep,  # the figures: from the read replica, if there is one
    actor: ManagerPage,
    query: FilterFields,
    lang: Lang = None,
) -> Response:
    if actor.city_wide and not (query.office or "").strip():
        return see_other(request, "/city")  # the city's auditors read one office at a time
    actor, office = query.reader(session, actor)
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
        # The office named in every link of a city auditor's page (a manager's is their own).
        "office_slug": office.slug if actor.city_wide and office is not None else "",
    }
    try:
        no_dates = query.fields["date_from"] is None and query.fields["date_to"] is None
        filters = query.parse(actor, **(selection.default_period(today) if no_dates else {}))
    except InvalidInput as exc:
        return refused_filters_page(
            request, session, actor, "manager.html", context, exc, current="manager"
        )
    data = compliance.summary(reads, filters, today)
    # The filters as links carry them: a blank date stays blank (no limit), not the default.
    shown = {k: v or "" for k, v in data["filters"].items() if v or k.startswith("date_")}
    if context["office_slug"]:
        shown["office"] = context["office_slug"]
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


StatsOffice = Annotated[
    str | None,
    Query(
        max_length=64,
        description="An office's slug, or `all` for every office of Bangkok together;"
        " blank: the office this deployment serves (`TIDTAM_OFFICE`)",
    ),
]


def _stats_office(request: Request, session: Session, office: str | None) -> Office | None:
    """The office the statistics are of (None: all of Bangkok). ``NotFound`` for an office
    the database does not have."""
    slug = (office or "").strip() or request.app.state.settings.office
    if slug == city.ALL_OFFICES:
        return None
    return offices.office_by_slug(session, slug)


def _office_addresses(request: Request, slug: str, lang: str) -> dict[str, Any]:
    """The canonical and alternate addresses of another office's statistics (each office's
    figures are a page of their own; the deployment's own are plain ``/stats``)."""
    base = canonical_url(request.app.state.settings, "/stats", "th")

    def address(language: str) -> str:
        return (
            f"{base}?{urlencode({'office': slug, **({'lang': 'en'} if language == 'en' else {})})}"
        )

    return {
        "canonical": address(lang),
        "alternates": [(other, address(other)) for other in i18n.LANGUAGES],
    }


def _stats(session: Session, office: Office | None) -> list[dict[str, Any]]:
    return reports.public_stats(
        session, bangkok_date(utcnow()), office.id if office is not None else None
    )


@pages.get(
    "/stats",
    summary="Public processing-time statistics (last 12 months), of an office or all Bangkok",
    response_class=Response,
    responses={200: HTML, 404: HTML},
)
def stats_page(
    request: Request, session: ReadSessionDep, office: StatsOffice = None, lang: Lang = None
) -> Response:
    today = bangkok_date(utcnow())
    chosen = _stats_office(request, session, office)
    rows = _stats(session, chosen)
    language = i18n.language(request)
    shown = chosen or request_office(request)
    slug = chosen.slug if chosen is not None else city.ALL_OFFICES
    meta = page_meta(request, "/stats", "meta_stats", chosen)
    if slug != request.app.state.settings.office:
        meta.update(_office_addresses(request, slug, language))
    of = i18n.ui("stats_all_offices", language)
    if chosen is not None:
        of = chosen.name_th if language == "th" else chosen.name_en
    return render(
        request,
        "stats.html",
        {
            "rows": rows,
            "since": i18n.format_date(today - timedelta(days=365), language),
            "until": i18n.format_date(today, language),
            "chart": _bar_chart([r for r in rows if r["decided"]], language),
            "meta": meta,
            "offices": [
                (o.slug, o.name_th if language == "th" else o.name_en)
                for o in city.offices(session)
            ],
            "chosen": slug,
            "all_offices": city.ALL_OFFICES,
            "stats_of": of,
            "csv_url": "/stats.csv?" + urlencode({"office": slug}),
        },
        office=shown,
    )


@api.get(
    "/stats.csv",
    summary="Public processing-time statistics (CSV), of an office or all Bangkok",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 404: {"model": ErrorOut}},
)
def stats_csv(request: Request, session: ReadSessionDep, office: StatsOffice = None) -> Response:
    chosen = _stats_office(request, session, office)
    slug = chosen.slug if chosen is not None else city.ALL_OFFICES
    return Response(
        reports.stats_csv(_stats(session, chosen)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="tidtam-stats-{slug}.csv"'},
    )


@api.get(
    "/api/v1/stats",
    summary="Public processing-time statistics (JSON), of an office or all Bangkok",
    responses={404: {"model": ErrorOut}},
)
def stats_json(
    request: Request, session: ReadSessionDep, office: StatsOffice = None
) -> JSONResponse:
    return JSONResponse(_stats(session, _stats_office(request, session, office)))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
