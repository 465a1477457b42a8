"""Staff pages in the browser: sign-in and sign-out, the work queue, intake, one application
(its checklist, the actions of its step and its history) and the printable receipt.

Routes only translate forms and pages to the same ``tracking`` calls the staff API makes, and
render the read models of ``tracking.reads.staff``; the rules live there. Every page is a
``web.pages.PageRoute``: a signed-out visitor is sent to sign in (``web.deps.SignedIn``), and
a refusal or an invalid parameter is answered with the error page (``web.errors``). Every form
sent from another site is refused, here, for all of them (``web.deps.same_site``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from web.deps import same_site
from web.routes.staff import (
    application,
    assignment,
    checklist,
    extension,
    intake,
    queue,
    receipt,
    result_notice,
    session,
)

router = APIRouter(dependencies=[Depends(same_site)])
router.include_router(session.router)
router.include_router(queue.router)
# Before the application's own page: "new" is not an application id.
router.include_router(intake.router)
router.include_router(application.router)
router.include_router(checklist.router)
router.include_router(result_notice.pages)
router.include_router(receipt.router)
router.include_router(extension.router)
router.include_router(assignment.router)
