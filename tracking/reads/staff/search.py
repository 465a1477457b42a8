"""Search in the work queue: what a staff member types, as conditions on ``Application``.

One box takes three kinds of key. A tracking code in any spelling (case, dashes, spaces, Thai
digits) and a 13-digit ID number (dashes, spaces, Thai digits) match their column exactly;
anything else is up to five words, each found in the applicant's name or the subject's address.
The conditions join the queue's own (office, department), so a search never widens the scope.

The words are looked up through indexes migration 0014 makes: on SQLite an FTS5 trigram table
(``application_fts``, kept in step by triggers), on PostgreSQL trigram GIN indexes on
``lower(...)`` of both columns. Words of three characters or more are what a trigram index can
answer, hence the minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, column, func, or_, table, text
from sqlmodel import Session, col, select

from tracking import codes
from tracking.errors import InvalidInput
from tracking.models import Application
from tracking.workflow.text import ascii_digits

MAX_LENGTH = 100
MAX_WORDS = 5
MIN_WORD = 3
ID_NUMBER_LENGTH = 13
# A search counts its matches no further than this (the page says "1000+").
COUNT_CAP = 1000
FTS_TABLE = "application_fts"
FTS_TRIGGERS = ("application_fts_insert", "application_fts_delete", "application_fts_update")
TRIGRAM_INDEXES = ("ix_application_name_trgm", "ix_application_address_trgm")
_SEPARATORS = " -\t"


@dataclass(frozen=True)
class SearchTerms:
    """What a query asks for: exactly one of a code, an ID number, or words."""

    code: str | None = None
    id_number: str | None = None
    words: tuple[str, ...] = ()


def parse_query(query: str) -> SearchTerms | None:
    """The keys in ``query``; None when there is nothing to search for (blank).

    Raises ``InvalidInput`` (422) for a query over ``MAX_LENGTH`` characters, of more than
    ``MAX_WORDS`` words, or with a word shorter than ``MIN_WORD`` characters.
    """
    stripped = query.strip()
    if not stripped:
        return None
    if len(stripped) > MAX_LENGTH:
        raise InvalidInput(
            f"คำค้นยาวเกิน {MAX_LENGTH} ตัวอักษร",
            f"The search is longer than {MAX_LENGTH} characters",
            field="q",
        )
    digits = ascii_digits(stripped)
    code = codes.normalise(digits)
    if codes.is_valid(code):
        return SearchTerms(code=code)
    number = "".join(ch for ch in digits if ch not in _SEPARATORS)
    if len(number) == ID_NUMBER_LENGTH and number.isascii() and number.isdigit():
        return SearchTerms(id_number=number)
    words = tuple(stripped.split())
    if len(words) > MAX_WORDS:
        raise InvalidInput(
            f"ค้นได้ไม่เกิน {MAX_WORDS} คำ",
            f"Search for at most {MAX_WORDS} words",
            field="q",
        )
    short = [w for w in words if len(w) < MIN_WORD]
    if short:
        raise InvalidInput(
            f"แต่ละคำต้องยาวอย่างน้อย {MIN_WORD} ตัวอักษร: {' '.join(short)}",
            f"Each word needs at least {MIN_WORD} characters: {' '.join(short)}",
            field="q",
        )
    return SearchTerms(words=words)


def search_conditions(terms: SearchTerms, dialect: str) -> list[ColumnElement[bool]]:
    """Conditions on ``Application`` that every match meets, for the database ``dialect``
    (``session.get_bind().dialect.name``)."""
    if terms.code is not None:
        return [col(Application.tracking_code) == terms.code]
    if terms.id_number is not None:
        return [col(Application.applicant_id_number) == terms.id_number]
    if dialect == "sqlite":
        return [_fts_match(terms.words)]
    return [_contains_any(word) for word in terms.words]


def first_matches(
    session: Session, terms: SearchTerms, conditions: Sequence[ColumnElement[bool]]
) -> list[tuple[int, datetime]]:
    """The id and intake time of the matches that also meet ``conditions``, the first
    ``COUNT_CAP + 1`` of them in the order the index gives them (on SQLite, the oldest taken in
    first). The lookup stops there, so a word in every other address costs no more than a
    rare one: the caller sorts and pages these, and says "1000+" past the cap."""
    columns = (col(Application.id), col(Application.submitted_at))
    if terms.words and session.get_bind().dialect.name == "sqlite":
        # The FTS table drives the join, so its lookup stops at the cap instead of
        # gathering every match first.
        statement = (
            select(*columns)
            .select_from(_FTS.join(Application, col(Application.id) == _FTS.c.rowid))
            .where(text(f"{FTS_TABLE} MATCH :fts_query"), *conditions)
            .params(fts_query=fts_expression(terms.words))
        )
    else:
        statement = select(*columns).where(
            *conditions, *search_conditions(terms, session.get_bind().dialect.name)
        )
    return [(int(i or 0), at) for i, at in session.exec(statement.limit(COUNT_CAP + 1)).all()]


def fts_expression(words: Sequence[str]) -> str:
    """An FTS5 query asking for every word as a phrase (quotes doubled): nothing in a word
    is an operator."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


_FTS = table(FTS_TABLE, column("rowid", Integer))


def _fts_match(words: Sequence[str]) -> ColumnElement[bool]:
    rowids = (
        text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
        .bindparams(fts_query=fts_expression(words))
        .columns(column("rowid", Integer))
    )
    return col(Application.id).in_(rowids)


def like_pattern(word: str) -> str:
    """``%word%`` in lower case, with LIKE's wildcards and its escape character escaped."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains_any(word: str) -> ColumnElement[bool]:
    pattern = like_pattern(word)
    return or_(
        func.lower(col(Application.applicant_name)).like(pattern, escape="\\"),
        func.lower(col(Application.subject_address)).like(pattern, escape="\\"),
    )


def modelled(name: str | None, type_: str, parents: object) -> bool:
    """Alembic ``include_name``: False for the search machinery the migrations make beside the
    models (the FTS5 table and its shadow tables, the trigram indexes)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "index":
        return name not in TRIGRAM_INDEXES
    return True
