"""Domain errors. Each carries the HTTP status it maps to and a message in Thai and English.

The web layer has one handler for ``DomainError``; anything else is an unexpected fault that is
logged and shown as a generic message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, th: str, en: str, **detail: Any) -> None:
        super().__init__(en)
        self.th = th
        self.en = en
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": {"th": self.th, "en": self.en}, **self.detail}


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"


class Conflict(DomainError):
    """The application changed since the caller read it (stale ``version``)."""

    status_code = 409
    code = "conflict"


class TransitionNotAllowed(DomainError):
    """The event does not exist in the application's current step."""

    status_code = 409
    code = "transition_not_allowed"


class GuardFailed(DomainError):
    """The event exists here, but a rule it depends on is not met (unmet items, missing ground)."""

    status_code = 422
    code = "guard_failed"


class CorruptState(DomainError):
    """A stored state the permit type's machine does not know: data damage, never user input."""

    status_code = 500
    code = "corrupt_state"


class RateLimited(DomainError):
    """Too many attempts from one client or for one account; ``retry_after`` in seconds."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, th: str, en: str, retry_after: int) -> None:
        super().__init__(th, en, retry_after=retry_after)
        self.retry_after = retry_after
