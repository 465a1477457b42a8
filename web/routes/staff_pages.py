"""Staff pages in the browser: sign-in and sign-out, the work queue, one application (its
checklist, the actions of its step and its history), intake, and the printable receipt.

Routes only translate forms and pages to the same ``tracking`` calls the staff API makes; the
rules live there. Every POST refuses a request sent from another site. When a rule refuses a
change, the request's transaction is rolled back before the page is shown again with the
message, so nothing of the refused change is written.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS, PermitType, Text
from tracking import auth, codes, idempotency
from tracking.access import Actor, refusal
from tracking.clock import bangkok_date, is_overdue
from tracking.errors import Conflict, DomainError, InvalidInput, RateLimited
from tracking.models import Application, ChecklistStatus, Office, utcnow
from tracking.reads import staff as queries
from tracking.workflow import transitions
from tracking.workflow.intake import submit_application
from tracking.workflow.machines import permit_type
from web import i18n, qr
from web.deps import SESSION_COOKIE, PageActor, SessionDep, SettingsDep, oauth2
from web.pages import render
from web.schemas import ApplicationCreate, ChecklistUpdate, TransitionRequest

router = APIRouter(tags=["staff pages"])

ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Application id")]
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,47}")
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
PER_PAGE = 50
MAX_PAGE = 100_000
# Who is offered the intake form. ``submit_application`` is what enforces it; the
# page only decides whether to show a form or a 403 page.
INTAKE_ROLES = frozenset({"clerk", "admin"})
INTAKE_OPERATION = "POST /staff/applications/new"
RECORDABLE = [s.value for s in ChecklistStatus if s is not ChecklistStatus.pending]
HTML: dict[str, Any] = {"content": {"text/html": {}}}
# Success messages are chosen by a fixed word in the query, never taken from it.
DONE = {"checklist": "done_checklist", "transition": "done_transition"}

# Form fields -> the fixed message shown when the schema refuses them.
CHECKLIST_PROBLEMS = {"status": "err_status", "note": "err_note", "version": "err_form"}
TRANSITION_PROBLEMS = {
    "event": "err_form",
    "version": "err_form",
    "reason": "err_reason",
    "ground": "err_form",
    "deadline": "err_deadline",
}
# Intake: the schema's field (and the domain's ``field``) -> the form input it came from.
INTAKE_INPUTS = {
    "permit_type": "permit_type",
    "applicant.name": "applicant_name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "subject.address": "address",
    "subject.description": "description",
}
INTAKE_PROBLEMS = {
    "permit_type": "err_permit_type",
    "applicant.name": "err_name",
    "applicant.id_number": "err_id_number",
    "applicant.phone": "err_phone",
    "applicant.email": "err_email",
    "subject.address": "err_address",
    "subject.description": "err_description",
}

Model = TypeVar("Model", bound=BaseModel)


# --- helpers ---------------------------------------------------------------------------------


def _safe_next(target: str) -> str:
    # Only paths on this site: never an absolute or protocol-relative URL.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/track"
    return target


def _sign_in_first(request: Request, target: str | None = None) -> RedirectResponse:
    """Send a signed-out visitor to sign in, then back to ``target`` (default: this page)."""
    if target is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/staff/login?next={quote(target)}", status_code=303)


def _cross_site(request: Request) -> bool:
    """A POST sent from another site: its ``Origin`` names another host than the one it was
    sent to. (Browsers send ``Origin`` with every cross-origin POST; ``null`` counts as
    another site.) The session cookie is SameSite=Strict as well."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def _lang_param(request: Request) -> dict[str, str]:
    """The language asked for in the query, to carry over a redirect."""
    asked = request.query_params.get("lang")
    return {"lang": asked} if asked in i18n.LANGUAGES else {}


def _text(value: tuple[str, str] | Text | dict[str, str]) -> dict[str, str]:
    if isinstance(value, tuple):
        return {"th": value[0], "en": value[1]}
    if isinstance(value, Text):
        return {"th": value.th, "en": value.en}
    return value


def _department(slug: str) -> dict[str, str]:
    return _text(DEPARTMENTS.get(slug, (slug, slug)))


def _step_label(permit: PermitType, step_id: str | None) -> dict[str, str]:
    if not step_id:
        return {"th": "-", "en": "-"}
    try:
        return _text(permit.step(step_id).label)
    except KeyError:
        return {"th": step_id, "en": step_id}


def _ui(key: str, lang: str, fallback: str) -> str:
    return i18n.ui(key, lang) if key in i18n.UI else fallback


def _message(exc: DomainError, lang: str) -> str:
    return exc.th if lang == "th" else exc.en


def _office(session: Session, actor: Actor) -> Office | None:
    return session.get(Office, actor.office_id) if actor.office_id else None


def _nav(actor: Actor, lang: str) -> dict[str, Any]:
    return {
        "username": actor.username,
        "role": _ui(f"role_{actor.role}", lang, actor.role),
        "department": i18n.pick(_department(actor.department), lang) if actor.department else "",
        "can_intake": actor.role in INTAKE_ROLES,
        "is_manager": actor.role == "manager",
    }


def _in_scope(actor: Actor) -> list[PermitType]:
    """The permit types whose files the actor's work queue holds, in catalogue order."""
    return sorted(
        (
            p
            for p in default_catalogue().values()
            if actor.department is None or p.department == actor.department
        ),
        key=lambda p: p.number,
    )


def _no_store(response: Response) -> Response:
    # Personal data: never kept by the browser or a proxy (nor shown again after sign-out).
    response.headers["Cache-Control"] = "no-store"
    return response


def _staff_footer(lang: str) -> Markup:
    # Not the public footer: that one says the page shows no personal data.
    return Markup('<p><a href="/permit-types{}">{}</a></p><p class="small">{}</p>').format(
        "?lang=en" if lang == "en" else "",
        i18n.ui("permit_types", lang),
        i18n.ui("staff_privacy", lang),
    )


def _staff_render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    office: Office | None = None,
) -> Response:
    """A page with applicants' personal data: the staff footer, and never cached."""
    lang = i18n.language(request)
    response = render(
        request,
        name,
        {"footer": _staff_footer(lang), **context},
        status_code=status_code,
        office=office,
        lang=lang,
    )
    return _no_store(response)


def _error_page(
    request: Request, message: str, status_code: int, office: Office | None = None
) -> Response:
    return _no_store(
        render(request, "error.html", {"message": message}, status_code=status_code, office=office)
    )


def _cross_site_page(request: Request) -> Response:
    return _error_page(request, i18n.ui("cross_site", i18n.language(request)), 403)


def _problems(exc: ValidationError, messages: dict[str, str]) -> list[tuple[str, str]]:
    """The schema's complaints as ``(field, message key)``, one per field, fixed texts only
    (pydantic's own wording is English and may quote the input)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ()))
        key = messages.get(field, "err_form") if field else "err_text"
        found.setdefault(field, key)
    return list(found.items())


def _parse(model: type[Model], data: dict[str, Any], messages: dict[str, str]) -> Model:
    """``data`` read by the API's own request schema; refusals become ``InvalidInput``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, key = _problems(exc, messages)[0]
        th, en = i18n.UI[key]
        raise InvalidInput(th, en, field=field or None) from None


# --- sign-in and sign-out --------------------------------------------------------------------


@router.get(
    "/staff/login", summary="Staff sign-in form", response_class=Response, responses={200: HTML}
)
def login_form(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/staff"
) -> Response:
    return render(request, "staff_login.html", {"next": _safe_next(next), "error": None})


@router.post(
    "/staff/login",
    summary="Sign in and set the session cookie",
    response_class=Response,
    responses={
        303: {"description": "Signed in"},
        401: HTML,
        403: {"content": {"text/html": {}}, "description": "Sent from another site"},
        429: HTML,
    },
)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/staff",
) -> Response:
    if _cross_site(request):
        return _cross_site_page(request)
    client = request.client.host if request.client else "unknown"
    try:
        staff = auth.login(session, username=username, password=password, client=client)
    except DomainError as exc:
        session.commit()  # keep the failed-attempt count
        lang = i18n.language(request)
        response = render(
            request,
            "staff_login.html",
            {"next": _safe_next(next), "error": _message(exc, lang)},
            status_code=exc.status_code,
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    token = auth.issue_token(staff, settings.secret_key)
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        token.access_token,
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
        max_age=int(auth.TOKEN_LIFETIME.total_seconds()),
    )
    return redirect


@router.post(
    "/staff/logout",
    summary="Sign out: clear the session cookie",
    response_class=Response,
    responses={303: {"description": "Signed out"}, 403: HTML},
)
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Response:
    if _cross_site(request):
        return _cross_site_page(request)
    token = token or request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            staff, _ = auth.actor_from_token(session, token, settings.secret_key)
        except DomainError:
            pass  # already invalid: nothing to end
        else:
            auth.sign_out(session, staff)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
    )
    return response


# --- work queue ------------------------------------------------------------------------------


def _queue_row(application: Application, today: date) -> dict[str, Any]:
    permit = permit_type(application.permit_type)
    return {
        "id": application.id,
        "code": codes.format_code(application.tracking_code),
        "permit": _text(permit.name),
        "department": _department(application.department),
        "step": _step_label(permit, application.state),
        "turn": application.turn,
        "submitted_at": application.submitted_at,
        "due_date": application.due_date,
        "overdue": is_overdue(application, today),
    }


def _step_options(permits: list[PermitType]) -> list[tuple[str, dict[str, str]]]:
    """Each step id of ``permits`` once, labelled with every wording those types give it."""
    labels: dict[str, dict[str, list[str]]] = {}
    for permit in permits:
        for step in permit.steps:
            entry = labels.setdefault(step.id, {"th": [], "en": []})
            for lang in i18n.LANGUAGES:
                text = getattr(step.label, lang)
                if text not in entry[lang]:
                    entry[lang].append(text)
    return [
        (step_id, {k: " / ".join(v) for k, v in names.items()}) for step_id, names in labels.items()
    ]


@router.get(
    "/staff",
    summary="Work queue (HTML): the signed-in staff member's applications, oldest first",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 422: HTML},
)
def work_queue(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    permit_type: str | None = None,
    state: str | None = None,
    overdue: str | None = None,
    page: str | None = None,
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    lang = i18n.language(request)
    permits = _in_scope(actor)
    slugs = {p.slug for p in permits}
    bad_filter = False
    if permit_type and permit_type not in slugs:
        permit_type, bad_filter = None, True
    steps = _step_options([p for p in permits if not permit_type or p.slug == permit_type])
    if state and state not in {step_id for step_id, _ in steps}:
        state, bad_filter = None, True
    only_overdue = overdue in {"1", "true", "on"}
    number = int(page) if page and page.isdigit() and 1 <= int(page) <= MAX_PAGE else 1
    today = bangkok_date(utcnow())
    error = i18n.ui("bad_filter", lang) if bad_filter else None
    try:
        rows, total = queries.work_queue(
            session,
            actor,
            today,
            queries.QueueFilter(
                state=state or None,
                permit_type=permit_type or None,
                overdue=True if only_overdue else None,
            ),
            page=number,
            per_page=PER_PAGE,
        )
    except DomainError as exc:
        rows, total, error = [], 0, _message(exc, lang)
        bad_filter = True
    filters = {"permit_type": permit_type or "", "state": state or "", "overdue": only_overdue}
    query = {k: v for k, v in filters.items() if v and k != "overdue"}
    if only_overdue:
        query["overdue"] = "1"
    query.update(_lang_param(request))
    pages = max(1, -(-total // PER_PAGE))

    def page_url(n: int) -> str:
        return "/staff?" + urlencode({**query, "page": str(n)})

    scope = (
        i18n.ui("queue_scope", lang, dept=i18n.pick(_department(actor.department), lang))
        if actor.department and actor.role not in {"manager", "admin"}
        else i18n.ui("queue_scope_all", lang)
    )
    return _staff_render(
        request,
        "staff_queue.html",
        {
            "staff": _nav(actor, lang),
            "nav_current": "queue",
            "rows": [_queue_row(a, today) for a in rows],
            "total": total,
            "page": number,
            "pages": pages,
            "first": (number - 1) * PER_PAGE + 1,
            "previous_url": page_url(number - 1) if number > 1 else None,
            "next_url": page_url(number + 1) if number < pages else None,
            "filters": filters,
            "filtered": bool(permit_type or state or only_overdue),
            "permits": [(p.slug, _text(p.name)) for p in permits],
            "steps": steps,
            "show_department": actor.department is None,
            "scope": scope,
            "error": error,
        },
        status_code=422 if bad_filter else 200,
        office=_office(session, actor),
    )


# --- intake ----------------------------------------------------------------------------------


def _intake_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = i18n.language(request)
    return _staff_render(
        request,
        "staff_intake.html",
        {
            "staff": _nav(actor, lang),
            "nav_current": "intake",
            "permits": [(p.slug, _text(p.name)) for p in _in_scope(actor)],
            "values": values,
            "errors": errors or {},
            "general": general or [],
        },
        status_code=status_code,
        office=_office(session, actor),
    )


def _new_form_key() -> str:
    return secrets.token_urlsafe(24)


@router.get(
    "/staff/applications/new",
    summary="Intake form (clerks)",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML},
)
def intake_form(request: Request, session: SessionDep, actor: PageActor) -> Response:
    if actor is None:
        return _sign_in_first(request)
    if actor.role not in INTAKE_ROLES:
        lang = i18n.language(request)
        return _error_page(
            request, i18n.ui("intake_only_clerks", lang), 403, _office(session, actor)
        )
    values = {"form_key": _new_form_key()}
    return _intake_page(request, session, actor, values=values)


@router.post(
    "/staff/applications/new",
    summary="Take in a new application from the intake form, then show its receipt",
    response_class=Response,
    responses={
        303: {"description": "Created: on to the receipt (or sign in first)"},
        403: HTML,
        409: HTML,
        422: HTML,
    },
)
def intake(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    form_key: Annotated[str, Form()] = "",
    permit_type: Annotated[str, Form()] = "",
    applicant_name: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    if _cross_site(request):
        return _cross_site_page(request)
    if actor is None:
        return _sign_in_first(request, "/staff/applications/new")
    lang = i18n.language(request)
    if actor.role not in INTAKE_ROLES:
        return _error_page(
            request, i18n.ui("intake_only_clerks", lang), 403, _office(session, actor)
        )
    key = form_key if FORM_KEY.fullmatch(form_key) else _new_form_key()
    typed = {
        "permit_type": permit_type,
        "applicant_name": applicant_name,
        "id_number": id_number,
        "phone": phone,
        "email": email,
        "address": address,
        "description": description,
    }
    # Shown again as typed, less NUL characters (the schema refuses them; HTML cannot hold them).
    values = {"form_key": key, **{k: v.replace("\x00", "") for k, v in typed.items()}}
    try:
        body = ApplicationCreate.model_validate(
            {
                "permit_type": permit_type,
                "applicant": {
                    "name": applicant_name,
                    "id_number": id_number,
                    "phone": phone,
                    "email": email.strip() or None,
                },
                "subject": {"address": address, "description": description},
            }
        )
    except ValidationError as exc:
        errors: dict[str, str] = {}
        general: list[str] = []
        for field, message_key in _problems(exc, INTAKE_PROBLEMS):
            if field in INTAKE_INPUTS:
                errors[INTAKE_INPUTS[field]] = i18n.ui(message_key, lang)
            else:
                general.append(i18n.ui(message_key, lang))
        return _intake_page(
            request, session, actor, values=values, errors=errors, general=general, status_code=422
        )
    # The same form sent twice (a double click, a reload) takes in one application: the key
    # was made when the form was shown and is remembered with what it created.
    fingerprint = idempotency.fingerprint(INTAKE_OPERATION, body.model_dump(mode="json"))
    remembered = f"intake-form:{key}"
    stored = _recall(session, actor, remembered, fingerprint)
    if stored is False:  # sent again with other values: a new application, not a repeat
        remembered = ""
    elif stored is not None:
        return _to_receipt(request, int(stored.body["id"]))
    try:
        applicant, subject = body.domain()
        application = submit_application(
            session,
            permit_type_slug=body.permit_type,
            applicant=applicant,
            subject=subject,
            actor=actor,
        )
        assert application.id is not None
        if remembered:
            idempotency.remember(
                session, actor.username, remembered, fingerprint, 303, {"id": application.id}
            )
    except DomainError as exc:
        session.rollback()  # nothing of a refused intake is kept
        if isinstance(exc, Conflict) and remembered:
            # The same form sent twice at once: the other request took it in first.
            stored = _recall(session, actor, remembered, fingerprint)
            if isinstance(stored, idempotency.Stored):
                return _to_receipt(request, int(stored.body["id"]))
        field = str(exc.detail.get("field") or "")
        if field in INTAKE_INPUTS:
            errors, general = {INTAKE_INPUTS[field]: _message(exc, lang)}, []
        else:
            errors, general = {}, [_message(exc, lang)]
        return _intake_page(
            request,
            session,
            actor,
            values=values,
            errors=errors,
            general=general,
            status_code=exc.status_code,
        )
    return _to_receipt(request, application.id)


def _recall(
    session: Session, actor: Actor, key: str, fingerprint: str
) -> idempotency.Stored | Literal[False] | None:
    """What this intake form created when it was sent before; False if it was sent before
    with other values; None the first time."""
    try:
        return idempotency.recall(session, actor.username, key, fingerprint)
    except InvalidInput:
        return False


def _to_receipt(request: Request, application_id: int) -> RedirectResponse:
    query = urlencode(_lang_param(request))
    url = f"/applications/{application_id}/receipt" + (f"?{query}" if query else "")
    return RedirectResponse(url, status_code=303)


# --- one application -------------------------------------------------------------------------


def _trail_entry(event: dict[str, Any], permit: PermitType, lang: str) -> dict[str, Any]:
    kind = event["kind"]
    moved = ""
    if kind == "intake":
        what = i18n.ui("trail_intake", lang)
    elif kind == "checklist":
        item_id = str(event["event"]).removeprefix("checklist:")
        label = permit.item_labels.get(item_id)
        status = str(event["target"] or "")
        what = f"{i18n.pick(label, lang) if label else item_id}: " + _ui(
            f"status_{status}", lang, status
        )
    else:
        rule = next(
            (
                t
                for t in permit.transitions
                if t.event == event["event"] and t.source == event["source"]
            ),
            None,
        )
        what = i18n.pick(rule.label, lang) if rule else str(event["event"])
        moved = (
            f"{i18n.pick(_step_label(permit, event['source']), lang)}"
            f" → {i18n.pick(_step_label(permit, event['target']), lang)}"
        )
    ground = permit.ground(event["ground"]) if event["ground"] else None
    return {
        "what": what,
        "moved": moved,
        "when": event["occurred_at"],
        "actor": event["actor"],
        "role": _ui(f"role_{event['role']}", lang, str(event["role"])),
        "reason": event["reason"],
        "reason_label": "note" if kind == "checklist" else "reason",
        "ground": i18n.pick(ground.text, lang) if ground else event["ground"] or "",
        "out_of_turn": event["out_of_turn"],
    }


def _item(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        **entry,
        "label": entry["label"] or {"th": entry["id"], "en": entry["id"]},
        "status_text": _ui(f"status_{entry['status']}", lang, str(entry["status"])),
    }


def _detail_page(
    request: Request,
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    status_code: int = 200,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    done: str | None = None,
) -> Response:
    """The application as staff see it; after a refused change, with the message, the HTTP
    status of the refusal and what was typed into the form that was refused."""
    lang = i18n.language(request)
    office = _office(session, actor)
    try:
        view = queries.application_detail(session, application_id, actor, bangkok_date(utcnow()))
    except DomainError as exc:
        return _error_page(request, _message(exc, lang), exc.status_code, office)
    a: Application = view["application"]
    permit: PermitType = view["permit"]
    refused = refusal(actor, a.department, act=True)
    cannot_act = _message(refused, lang) if refused else ""
    order = {step.id: n for n, step in enumerate(permit.steps)}
    items = [_item(entry, lang) for entry in view["checklist"]]
    # This step's items, and those its events need verified first (often an earlier step's).
    needed = {i for t in permit.transitions if t.source == a.state for i in t.requires}
    here = [item for item in items if item["step"] == a.state or item["id"] in needed]
    others: list[dict[str, Any]] = []
    for item in sorted((i for i in items if i not in here), key=lambda i: order.get(i["step"], 99)):
        if not others or others[-1]["step"] != item["step"]:
            others.append(
                {"step": item["step"], "label": _step_label(permit, item["step"]), "items": []}
            )
        others[-1]["items"].append(item)
    events = [
        {
            "event": e.event,
            "label": e.label,
            "target": _step_label(permit, e.target),
            "allowed": e.allowed,
            "blocked": [i18n.pick(b.get("message"), lang) for b in e.blocked_by],
            "needs_reason": e.needs_reason,
            "needs_ground": e.needs_ground,
            "needs_deadline": e.needs_deadline,
        }
        for e in view["events"]
    ]
    field = str(error.detail.get("field") or "") if error else ""
    return _staff_render(
        request,
        "staff_application.html",
        {
            "staff": _nav(actor, lang),
            "nav_current": "",
            "app": {
                "id": a.id,
                "version": a.version,
                "code": codes.format_code(a.tracking_code),
                "state": a.state,
                "turn": _ui(f"staff_turn_{a.turn}", lang, a.turn),
                "outcome": _ui(a.outcome, lang, a.outcome) if a.outcome else "",
                "submitted_at": a.submitted_at,
                "due_date": a.due_date,
                "overdue": view["overdue"],
                "clock_paused_on": a.clock_paused_on,
                "applicant_deadline": a.applicant_deadline,
                "decided_on": a.decided_on,
                "department": _department(a.department),
                "applicant_name": a.applicant_name,
                "applicant_id_number": a.applicant_id_number,
                "applicant_phone": a.applicant_phone,
                "applicant_email": a.applicant_email,
                "address": a.subject_address,
                "description": a.subject_description,
                "details": [(str(k), str(v)) for k, v in (a.subject_details or {}).items()],
            },
            "permit_name": _text(permit.name),
            "step": _step_label(permit, a.state),
            "here": here,
            "others": others,
            # A closed file's checklist no longer changes (the service refuses it too).
            "can_record": not cannot_act and a.outcome is None,
            "cannot_act": cannot_act,
            "statuses": RECORDABLE,
            "events": events,
            "grounds": [(g.code, _text(g.text)) for g in permit.refusal_grounds],
            "trail": [_trail_entry(e, permit, lang) for e in view["trail"]],
            "notices": view["delay_notices"],
            "done": i18n.ui(DONE[done], lang) if done in DONE else "",
            "error": _message(error, lang) if error else "",
            "form": form or {},
            "field": field,
        },
        status_code=status_code,
        office=office,
    )


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    application_id: int,
    exc: DomainError,
    form: dict[str, str],
) -> Response:
    """A form the rules refused: nothing it did stays (the version it claimed is given back),
    and the page shows why, with what was typed."""
    session.rollback()
    return _detail_page(
        request,
        session,
        actor,
        application_id,
        status_code=exc.status_code,
        error=exc,
        form=form,
    )


def _back_to_detail(request: Request, application_id: int, done: str) -> RedirectResponse:
    query = urlencode({"done": done, **_lang_param(request)})
    return RedirectResponse(f"/staff/applications/{application_id}?{query}", status_code=303)


@router.get(
    "/staff/applications/{application_id}",
    summary="One application (HTML): checklist, the actions of its step, history",
    response_class=Response,
    responses={200: HTML, 303: {"description": "Sign in first"}, 403: HTML, 404: HTML},
)
def application_page(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: PageActor,
    done: str | None = None,
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    return _detail_page(request, session, actor, application_id, done=done)


@router.post(
    "/staff/applications/{application_id}/checklist/{item_id}",
    summary="Record a checklist item from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Recorded"}, 403: HTML, 404: HTML, 409: HTML, 422: HTML},
)
def record_item(
    request: Request,
    application_id: ApplicationId,
    item_id: Annotated[str, Path(max_length=48, pattern=r"^[a-z][a-z0-9_]*$")],
    session: SessionDep,
    actor: PageActor,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    if _cross_site(request):
        return _cross_site_page(request)
    if actor is None:
        return _sign_in_first(request, f"/staff/applications/{application_id}")
    try:
        body = _parse(
            ChecklistUpdate,
            {"status": status, "note": note, "version": version},
            CHECKLIST_PROBLEMS,
        )
        transitions.record_checklist_item(
            session,
            application_id=application_id,
            item_id=item_id,
            status=ChecklistStatus(body.status),
            actor=actor,
            version=body.version,
            note=body.note,
        )
    except DomainError as exc:
        form = {"kind": "checklist", "item": item_id, "status": status, "note": note}
        return _refused(request, session, actor, application_id, exc, form)
    return _back_to_detail(request, application_id, "checklist")


@router.post(
    "/staff/applications/{application_id}/transitions",
    summary="Fire a workflow event from the detail page's form",
    response_class=Response,
    responses={303: {"description": "Done"}, 403: HTML, 404: HTML, 409: HTML, 422: HTML},
)
def fire_event(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    actor: PageActor,
    event: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    ground: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
) -> Response:
    if _cross_site(request):
        return _cross_site_page(request)
    if actor is None:
        return _sign_in_first(request, f"/staff/applications/{application_id}")
    try:
        if not IDENTIFIER.fullmatch(event):
            th, en = i18n.UI["err_form"]
            raise InvalidInput(th, en, field="event")
        body = _parse(
            TransitionRequest,
            {
                "event": event,
                "version": version,
                "reason": reason,
                "ground": ground or None,
                "deadline": deadline or None,
            },
            TRANSITION_PROBLEMS,
        )
        transitions.fire(
            session,
            application_id=application_id,
            event=body.event,
            actor=actor,
            version=body.version,
            reason=body.reason,
            ground=body.ground,
            deadline=body.deadline,
        )
    except DomainError as exc:
        form = {
            "kind": "transition",
            "event": event,
            "reason": reason,
            "ground": ground,
            "deadline": deadline,
        }
        return _refused(request, session, actor, application_id, exc, form)
    return _back_to_detail(request, application_id, "transition")


# --- receipt ---------------------------------------------------------------------------------


@router.get(
    "/applications/{application_id}/receipt",
    summary="Printable A4 receipt with tracking code, QR and the s.8 deficiency record",
    response_class=Response,
    responses={
        200: HTML,
        303: {"description": "Sign in first"},
        403: HTML,
        404: HTML,
    },
)
def receipt(
    request: Request,
    application_id: ApplicationId,
    session: SessionDep,
    settings: SettingsDep,
    actor: PageActor,
    lang: Annotated[str | None, Query(pattern="^(th|en)$")] = None,
) -> Response:
    if actor is None:
        return _sign_in_first(request)
    try:
        view = queries.receipt_view(session, application_id, actor)
    except DomainError as exc:
        return _error_page(request, _message(exc, i18n.language(request)), exc.status_code)
    application = view["application"]
    permit = view["permit"]
    code = codes.format_code(application.tracking_code)
    track_url = f"{settings.base_url.rstrip('/')}/track/{code}"
    svg = qr.svg(track_url).decode()
    svg = svg[svg.index("<svg") :]  # inline: drop the XML declaration
    response = render(
        request,
        "receipt.html",
        {
            "code": code,
            "track_url": track_url,
            "qr_svg": Markup(svg),  # noqa: S704 - generated by the qrcode library, no input
            "permit": permit,
            "applicant_name": application.applicant_name,
            "submitted_at": application.submitted_at,
            "due_date": application.due_date,
            "business": permit.service_time.unit.value == "business",
            "documents": view["documents"],
            "deficiency": view["deficiency"],
            "clerk": view["clerk"],
        },
        office=view["office"],
    )
    return _no_store(response)
