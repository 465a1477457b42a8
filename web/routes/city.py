"""The city administration's auditors (role ``city``): every office side by side on the
district dashboard's measures, worst first, as a page, JSON or an Excel workbook."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from checklists.loader import default_catalogue
from tracking import dates
from tracking.access import Actor, authorise_city
from tracking.clock import bangkok_date
from tracking.errors import InvalidInput
from tracking.models import utcnow
from tracking.reads import city, reports, selection
from tracking.reads.staff import department_label
from web import i18n
from web.deps import ReaderActor, SessionDep, StaffActor
from web.errors import domain_error_response
from web.pages import HTML, page_router
from web.routes.manager import Day, FilterText, Lang
from web.routes.staff.common import refused_filters_page, staff_page
from web.schemas import ErrorOut

api = APIRouter(tags=["city"])
pages = page_router(tags=["city"])


def city_actor(actor: ReaderActor) -> Actor:
    authorise_city(actor)
    return actor


def city_page(actor: StaffActor) -> Actor:
    """The signed-in auditor behind the page (else off to sign in, or the 403 page)."""
    authorise_city(actor)
    return actor


CityActor = Annotated[Actor, Depends(city_actor)]
CityPage = Annotated[Actor, Depends(city_page)]


class CityQuery:
    """The table's filters as sent: the dashboard's, less the officer (and the office)."""

    def __init__(
        self,
        date_from: Day = None,
        date_to: Day = None,
        department: FilterText = None,
        permit_type: FilterText = None,
    ) -> None:
        self.fields = {
            "date_from": date_from,
            "date_to": date_to,
            "department": department,
            "permit_type": permit_type,
        }

    def parse(self, **defaults: str) -> selection.Filters:
        """The filters over every office (blank: all); ``defaults`` for the fields not sent
        at all. Raises ``InvalidInput`` naming the field."""
        sent = {k: defaults.get(k) if v is None else v for k, v in self.fields.items()}
        return selection.parse_filters(**sent)


CityFields = Annotated[CityQuery, Depends()]


@api.get(
    "/api/v1/city",
    summary="Every office on the compliance measures, worst first (the city's auditors)",
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def city_json(session: SessionDep, actor: CityActor, query: CityFields) -> JSONResponse:
    today = bangkok_date(utcnow())
    return JSONResponse(city.comparison(session, query.parse(), today))


@pages.get(
    "/city",
    summary="Every office side by side (the city's auditors); format=json|xlsx for the data",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/json": {}, reports.XLSX: {}}},
        303: {"description": "Sign in"},
        403: HTML,
    },
)
def city_table(
    request: Request,
    session: SessionDep,
    actor: CityPage,
    query: CityFields,
    format: Literal["html", "json", "xlsx"] = "html",  # noqa: A002
    lang: Lang = None,
) -> Response:
    language = i18n.language(request)
    today = bangkok_date(utcnow())
    context: dict[str, Any] = {
        "form": {k: v or "" for k, v in query.fields.items()},
        "departments": [
            (slug, i18n.pick(department_label(slug), language))
            for slug in selection.departments_with_types()
        ],
        "permits": sorted(
            ((p.slug, getattr(p.name, language)) for p in default_catalogue().values()),
            key=lambda x: x[1],
        ),
        "d": None,
        "error": None,
        "error_field": None,
    }
    no_dates = query.fields["date_from"] is None and query.fields["date_to"] is None
    try:
        filters = query.parse(**(selection.default_period(today) if no_dates else {}))
    except InvalidInput as exc:
        if format != "html":
            return domain_error_response(exc)
        return refused_filters_page(
            request, session, actor, "city.html", context, exc, current="city"
        )
    data = city.comparison(session, filters, today)
    shown = {k: v or "" for k, v in data["filters"].items() if v or k.startswith("date_")}
    if format == "json":
        return JSONResponse(data)
    if format == "xlsx":
        span = f"{shown['date_from'] or 'start'}-{shown['date_to'] or 'today'}"
        return Response(
            city.to_xlsx(data),
            media_type=reports.XLSX,
            headers={"Content-Disposition": f'attachment; filename="tidtam-city-{span}.xlsx"'},
        )

    def day(value: date | None) -> str:
        return i18n.format_date(value, language) if value else i18n.ui("period_open", language)

    english = {"lang": "en"} if language == "en" else {}
    context.update(
        d=data,
        form={
            **{k: v or "" for k, v in data["filters"].items()},
            "date_from": dates.typed(filters.date_from, language),
            "date_to": dates.typed(filters.date_to, language),
        },
        since=day(filters.date_from),
        until=day(filters.date_to),
        office_link=lambda slug: "/manager?" + urlencode({"office": slug, **shown, **english}),
        download=lambda kind: "/city?" + urlencode({**shown, "format": kind}),
    )
    return staff_page(request, session, actor, "city.html", context, current="city")


router = APIRouter()
router.include_router(api)
router.include_router(pages)
