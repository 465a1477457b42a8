"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from checklists.loader import default_catalogue
from tracking import ratelimit, replica
from tracking.config import Settings, get_settings, with_keys
from tracking.db import make_engine
from tracking.workflow.machines import machines
from web import errors
from web.hotpaths import HotPaths
from web.limits import BodyLimit
from web.pages import STATIC
from web.routes import (
    assignment_api,
    audit,
    checklist_api,
    city,
    manager,
    public,
    staff,
    staff_api,
)
from web.security import SecurityHeaders

log = logging.getLogger("tidtam")


def create_app(settings: Settings | None = None) -> FastAPI:
    # Served without `tidtam serve` (uvicorn directly), the keys are checked here all the same.
    settings = settings or with_keys(get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Fail at start-up, not on the first request, if the catalogue is broken.
        default_catalogue()
        machines()
        yield
        if app.state.read_engine is not app.state.engine:
            app.state.read_engine.dispose()
        app.state.engine.dispose()

    app = FastAPI(
        title="Tidtam (ติดตาม)",
        summary="Permit tracking for Bangkok district offices",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.read_engine = replica.read_engine(settings, app.state.engine)
    app.state.track_limiter = ratelimit.SharedLimiter(
        app.state.engine, ratelimit.Limit(hits=settings.track_rate_limit, seconds=60)
    )
    errors.install(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(HotPaths)  # the busiest reads skip everything else
    # Outermost: every response gets the security headers, the hot paths' too.
    app.add_middleware(SecurityHeaders, https=settings.base_url.startswith("https://"))

    @app.get("/livez", tags=["public"], summary="Liveness: the process answers (no database)")
    async def livez() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/healthz", tags=["public"], summary="Health: the process and its database")
    def healthz() -> JSONResponse:
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    # The public lookups are the busiest routes: matched first.
    app.include_router(public.router)
    app.include_router(staff_api.router)
    app.include_router(assignment_api.router)
    app.include_router(checklist_api.router)
    app.include_router(staff.result_notice.api)
    app.include_router(staff.router)
    app.include_router(manager.router)
    app.include_router(city.router)
    app.include_router(audit.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    return app
