"""Managers: the compliance dashboard, its JSON, the monthly report; and the public statistics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS
from tracking import clock
from tracking.access import Actor, authorise_manager
from tracking.clock import bangkok_date
from tracking.models import utcnow
from tracking.reads import compliance, reports
from tracking.reads.staff import department_label
from web import i18n
from web.deps import CurrentActor, SessionDep, StaffActor
from web.pages import HTML, page_router, render
from web.schemas import ErrorOut

api = APIRouter(tags=["manager"])
pages = page_router(tags=["manager"])
SLUG = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
Lang = Annotated[str | None, Query(pattern="^(th|en)$")]


def manager_actor(actor: CurrentActor) -> Actor:
    authorise_manager(actor)
    return actor


def manager_page(actor: StaffActor) -> Actor:
    """The signed-in manager behind a page (else off to sign in, or the 403 page)."""
    authorise_manager(actor)
    return actor


ManagerActor = Annotated[Actor, Depends(manager_actor)]
ManagerPage = Annotated[Actor, Depends(manager_page)]


DAY = (
    f"A Bangkok date (inclusive) from {clock.FIRST_DAY.isoformat()} to {clock.LAST_DAY.isoformat()}"
)


def filter_params(
    date_from: Annotated[date | None, Query(description=DAY)] = None,
    date_to: Annotated[date | None, Query(description=DAY)] = None,
    department: Annotated[str | None, Query(max_length=64, pattern=SLUG)] = None,
    permit_type: Annotated[str | None, Query(max_length=64, pattern=SLUG)] = None,
    officer: Annotated[str | None, Query(max_length=64, pattern=r"^[\w.\-@]+$")] = None,
) -> compliance.Filters:
    """The filters asked for (``InvalidInput`` for a date outside the supported range)."""
    return compliance.Filters(
        date_from, date_to, department or None, permit_type or None, officer or None
    )


Filters = Annotated[compliance.Filters, Depends(filter_params)]


@api.get(
    "/api/v1/compliance/summary",
    summary="Compliance with the discretion guidelines and the Licensing Facilitation Act",
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def summary_json(session: SessionDep, actor: ManagerActor, filters: Filters) -> JSONResponse:
    data = compliance.summary(session, filters, bangkok_date(utcnow()))
    return JSONResponse(data)


@api.get(
    "/api/v1/reports/monthly",
    summary="Monthly report per permit type and department (CSV or Excel, Thai headers)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, reports.XLSX: {}}},
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
def monthly_report(
    session: SessionDep,
    actor: ManagerActor,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    format: Literal["csv", "xlsx"] = "xlsx",  # noqa: A002
) -> Response:
    period = reports.Month.parse(month)
    rows = reports.monthly(session, period)
    if format == "csv":
        body, media = reports.to_csv(rows, period), "text/csv; charset=utf-8"
    else:
        body, media = reports.to_xlsx(rows, period), reports.XLSX
    name = f"tidtam-{month}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _bar_chart(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """On-time rate per permit type as horizontal bars, laid out here so the SVG needs no
    script: each bar has its text label and value."""
    catalogue = default_catalogue()
    bars = []
    for i, row in enumerate(rows):
        permit = catalogue.types.get(row["permit_type"])
        rate = row["on_time_rate"] or 0.0
        bars.append(
            {
                "y": 8 + i * 34,
                "label": (getattr(permit.name, lang) if permit else row["permit_type"])[:60],
                "width": round(rate * 300, 1),
                "value": f"{rate:.0%} · n = {row['decided']}",
            }
        )
    return {"bars": bars, "height": 16 + len(bars) * 34}


def _department(slug: str, lang: str) -> str:
    return i18n.pick(department_label(slug), lang)


@pages.get(
    "/manager",
    summary="Compliance dashboard (managers)",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in"}, 403: HTML},
)
def dashboard(
    request: Request, session: SessionDep, actor: ManagerPage, filters: Filters, lang: Lang = None
) -> Response:
    language = i18n.language(request)
    today = bangkok_date(utcnow())
    if filters.date_from is None and filters.date_to is None:
        filters = compliance.Filters(
            today.replace(day=1), today, filters.department, filters.permit_type, filters.officer
        )
    data = compliance.summary(session, filters, today)
    catalogue = default_catalogue()
    names = {slug: getattr(p.name, language) for slug, p in catalogue.items()}
    query = urlencode({k: v for k, v in data["filters"].items() if v})
    return render(
        request,
        "manager.html",
        {
            "d": data,
            "chart": _bar_chart(data["by_permit_type"], language),
            "names": names,
            "dept": lambda slug: _department(slug, language),
            "departments": [(slug, _department(slug, language)) for slug in DEPARTMENTS],
            "permits": sorted(
                ((p.slug, names[p.slug]) for p in catalogue.values()), key=lambda x: x[1]
            ),
            "query": query,
            "month": today.strftime("%Y-%m"),
        },
    )


@pages.get(
    "/stats",
    summary="Public processing-time statistics (last 12 months)",
    response_class=Response,
    responses={200: HTML},
)
def stats_page(request: Request, session: SessionDep, lang: Lang = None) -> Response:
    today = bangkok_date(utcnow())
    rows = reports.public_stats(session, today)
    language = i18n.language(request)
    return render(
        request,
        "stats.html",
        {
            "rows": rows,
            "since": i18n.format_date(today - timedelta(days=365), language),
            "until": i18n.format_date(today, language),
            "chart": _bar_chart([r for r in rows if r["decided"]], language),
        },
    )


@api.get(
    "/stats.csv",
    summary="Public processing-time statistics (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def stats_csv(session: SessionDep) -> Response:
    rows = reports.public_stats(session, bangkok_date(utcnow()))
    return Response(
        reports.stats_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tidtam-stats.csv"'},
    )


@api.get("/api/v1/stats", summary="Public processing-time statistics (JSON)")
def stats_json(session: SessionDep) -> JSONResponse:
    return JSONResponse(reports.public_stats(session, bangkok_date(utcnow())))


router = APIRouter()
router.include_router(api)
router.include_router(pages)
