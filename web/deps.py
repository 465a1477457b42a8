"""Dependencies: the request's session (committed before the response) and the signed-in staff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from tracking.access import Actor
from tracking.auth import BAD_TOKEN, Unauthorized, actor_from_token
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.models import Staff


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request. Declared with scope="function" so the commit happens
    before the response is sent, and a failed commit becomes an error response."""
    with unit_of_work(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


SESSION_COOKIE = "tidtam_session"


def current_staff(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)]
) -> tuple[Staff, Actor]:
    if not token:
        raise Unauthorized(*BAD_TOKEN)
    return actor_from_token(session, token, settings.secret_key)


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
        return current_staff(session, settings, token)[1]
    except Unauthorized:
        return None


PageActor = Annotated[Actor | None, Depends(page_actor)]


def current_actor(staff: Annotated[tuple[Staff, Actor], Depends(current_staff)]) -> Actor:
    return staff[1]


CurrentActor = Annotated[Actor, Depends(current_actor)]
