"""Thai first, English too: choosing the language, picking texts and writing dates in each.

The strings themselves are in ``web.texts`` (``UI``, re-exported here).

Thai dates use Buddhist Era years and full month names ("25 พฤศจิกายน 2569"); English dates
use Gregorian years ("25 November 2026"). One style each, everywhere.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from markupsafe import escape
from starlette.requests import Request

from tracking.clock import BANGKOK
from tracking.dates import ENGLISH_MONTHS, written
from web.texts import UI

__all__ = [
    "ENGLISH_MONTHS",
    "LANGUAGES",
    "TEXTS",
    "TEXT_ATTRS",
    "UI",
    "format_date",
    "format_datetime",
    "language",
    "pick",
    "ui",
]

LANGUAGES = ("th", "en")


def language(request: Request) -> str:
    """``?lang=`` wins; then the browser's Accept-Language (English only if it prefers
    English to Thai); Thai otherwise."""
    query = request.scope.get("query_string", b"")
    if query:
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            return asked
    return _preferred(request.headers.get("accept-language", ""))


@lru_cache(maxsize=256)
def _preferred(header: str) -> str:
    """Thai or English from an Accept-Language header (few distinct values: cached)."""
    best: tuple[float, str] = (0.0, "th")
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and quality > best[0]:
            best = (quality, base)
    return best[1]


def format_date(day: date | None, lang: str) -> str:
    if day is None:
        return "-"
    return written(day, lang)


def format_datetime(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(BANGKOK)
    clock = local.strftime("%H.%M น.") if lang == "th" else local.strftime("%H:%M")
    return f"{format_date(local.date(), lang)} {clock}"


def pick(text: Any, lang: str) -> str:
    """The text in ``lang`` of a bilingual value (a ``Text`` model or a ``{"th", "en"}`` dict)."""
    if text is None:
        return ""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("th") or "")
    return str(getattr(text, lang, "") or getattr(text, "th", ""))


def ui(key: str, lang: str, **values: Any) -> str:
    th, en = UI[key]
    text = th if lang == "th" else en
    return text.format(**values) if values else text


TEXTS: dict[str, dict[str, str]] = {
    lang: {key: pair[i] for key, pair in UI.items()} for i, lang in enumerate(LANGUAGES)
}
"""Every UI string by language, for templates to read without a call."""

TEXT_ATTRS = {
    lang: SimpleNamespace(**{key: escape(text) for key, text in texts.items()})
    for lang, texts in TEXTS.items()
}
"""The same, escaped once, as attributes (``T.site``): the cheapest lookup in a template."""
