"""Dependencies: the request's session (committed before the response), the signed-in staff
(API: bearer token; pages: the cookie too, else off to sign in), and the refusal of a form
sent from another site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from tracking.access import Actor
from tracking.auth import BAD_TOKEN, Unauthorized, actor_for_token, actor_from_token
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.errors import NotPermitted
from tracking.models import Staff
from tracking.replica import read_session
from web import i18n


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request. Declared with scope="function" so the commit happens
    before the response is sent, and a failed commit becomes an error response. A POST,
    PUT, PATCH or DELETE is a writer's (``tracking.db.writer``)."""
    writes = request.method in UNSAFE_METHODS
    with unit_of_work(request.app.state.engine, writes=writes) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only session on the read replica (the primary when none is set), for the
    dashboards: figures a moment old are fine there; sign-in checks stay on the primary."""
    with read_session(request.app.state.read_engine) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


async def get_settings(request: Request) -> Settings:
    """The app's settings. A coroutine, as it does no I/O: FastAPI then runs it on the event
    loop instead of handing it to a worker thread and back (a thread hop per request)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Application id")]
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
ItemId = Annotated[str, Path(max_length=48, pattern=IDENTIFIER)]

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


SESSION_COOKIE = "tidtam_session"


def current_staff(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)]
) -> tuple[Staff, Actor]:
    if not token:
        raise Unauthorized(*BAD_TOKEN)
    return actor_from_token(session, token, settings.secret_key, settings.previous_secret_keys)


def page_actor(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Actor | None:
    """The staff member behind a browser page: bearer token or the sign-in cookie; None if
    neither is valid (the page then sends them to sign in)."""
    token = token or request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return actor_for_token(session, token, settings.secret_key, settings.previous_secret_keys)
    except Unauthorized:
        return None


class SignInFirst(Exception):
    """A page asked for by someone not signed in: ``web.errors`` sends them to sign in, and
    from there back to ``back_to``."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class SignedIn:
    """The staff member behind a page, or ``SignInFirst``. A page comes back to itself after
    signing in; a form (``back_to``, with the route's path parameters) to the page it is on.
    """

    def __init__(self, back_to: str | None = None) -> None:
        self.back_to = back_to

    def __call__(
        self, request: Request, actor: Annotated[Actor | None, Depends(page_actor)]
    ) -> Actor:
        if actor is None:
            if self.back_to is not None:
                raise SignInFirst(self.back_to.format_map(request.path_params))
            query = request.url.query
            raise SignInFirst(request.url.path + (f"?{query}" if query else ""))
        request.state.actor = actor  # the error page shows the staff member's office
        return actor


StaffActor = Annotated[Actor, Depends(SignedIn())]


class CrossSite(NotPermitted):
    code = "cross_site"

    def __init__(self) -> None:
        super().__init__(*i18n.UI["cross_site"])


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_site(request: Request) -> None:
    """Refuse (``CrossSite``) a form sent from another site: its ``Origin`` names another host
    than the one it was sent to. (Browsers send ``Origin`` with every cross-origin POST;
    ``null`` counts as another site.) The session cookie is SameSite=Strict as well."""
    origin = request.headers.get("origin")
    if request.method not in UNSAFE_METHODS or origin is None:
        return
    if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise CrossSite()


def current_actor(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)]
) -> Actor:
    """The staff member behind a bearer token (``tracking.auth.actor_for_token``: one query),
    else ``Unauthorized``."""
    if not token:
        raise Unauthorized(*BAD_TOKEN)
    return actor_for_token(session, token, settings.secret_key, settings.previous_secret_keys)


CurrentActor = Annotated[Actor, Depends(current_actor)]


def reader_actor(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Actor:
    """The staff member behind a read of the API (GET only: a report, the figures): the
    bearer token, else the browser's sign-in cookie, so a signed-in page's download links
    work. Nothing is changed by such a read, and the cookie is SameSite=Strict, so another
    site's link arrives without it. ``Unauthorized`` when neither is valid."""
    if not token and request.method in ("GET", "HEAD"):
        token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized(*BAD_TOKEN)
    return actor_for_token(session, token, settings.secret_key, settings.previous_secret_keys)


ReaderActor = Annotated[Actor, Depends(reader_actor)]


def tracking_url(settings: Settings, code: str, version: int | None = None) -> str:
    """The public status page of a formatted tracking code; with ``version``, the marker of
    what a printed receipt showed (``?v=N``: see ``tracking.replica``)."""
    marker = f"?v={version}" if version is not None else ""
    return f"{settings.base_url.rstrip('/')}/track/{code}{marker}"


def canonical_url(settings: Settings, path: str, lang: str) -> str:
    """The one address of a public page in a language, for search engines: the Thai page
    plain, the English one with ``?lang=en``."""
    return f"{settings.base_url.rstrip('/')}{path}" + ("?lang=en" if lang == "en" else "")
