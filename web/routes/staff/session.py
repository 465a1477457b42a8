"""Signing in and out of the staff pages: the session cookie."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tracking import auth
from tracking.config import Settings
from tracking.errors import DomainError, RateLimited
from web import i18n
from web.deps import SESSION_COOKIE, SessionDep, SettingsDep, oauth2
from web.pages import HTML, render
from web.routes.staff.common import message, staff_router

router = staff_router()


def _safe_next(target: str) -> str:
    # Only paths on this site: never an absolute or protocol-relative URL.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/track"
    return target


def _cookie(settings: Settings) -> dict[str, Any]:
    """How the session cookie is set and cleared: script cannot read it, no other site's
    request carries it, and over HTTPS only where the site is served so."""
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": settings.base_url.startswith("https://"),
    }


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
        403: {**HTML, "description": "Sent from another site"},
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
    client = request.client.host if request.client else "unknown"
    try:
        staff = auth.login(session, username=username, password=password, client=client)
    except DomainError as exc:
        session.commit()  # keep the failed-attempt count
        response = render(
            request,
            "staff_login.html",
            {"next": _safe_next(next), "error": message(exc, i18n.language(request))},
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
        max_age=int(auth.TOKEN_LIFETIME.total_seconds()),
        **_cookie(settings),
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
    token = token or request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            staff, _ = auth.actor_from_token(
                session, token, settings.secret_key, settings.previous_secret_keys
            )
        except DomainError:
            pass  # already invalid: nothing to end
        else:
            auth.sign_out(session, staff)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, **_cookie(settings))
    return response
