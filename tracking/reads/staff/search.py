"""Search in the work queue: what a staff member types, as conditions on ``Application``.

One box takes three kinds of key. A tracking code in any spelling (case, dashes, spaces, Thai
digits) and a 13-digit ID number (dashes, spaces, Thai digits) match their column exactly;
anything else is up to five words, each the start of a word of the applicant's name or of the
subject's address. An address word counts from its start and also after the marker it begins
with (``ADDRESS_MARKERS``): "วังใหม่" finds "แขวงวังใหม่", "พญาไท" finds "ถนนพญาไท". The
conditions join the queue's own (office, department), so a search never widens the scope.

The words are looked up through an index of whole words, made by migration 0014: on SQLite
an FTS5 table (``application_fts``, ASCII tokenizer: every non-ASCII character is part of a
word, so Thai words stay whole) over a view that adds the words after the markers and the
file's office and department, kept in step by triggers; on PostgreSQL a GIN index of the same
words and their beginnings as a ``tsvector`` (``SEARCH_DOCUMENT``). A word common to many
files costs no more than a rare one: each is one list of files in the index, not one per three
letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, column, false, func, literal_column, table, text
from sqlmodel import Session, col, select

from tracking import codes
from tracking.errors import InvalidInput
from tracking.models import Application
from tracking.workflow.text import ascii_digits

MAX_LENGTH = 100
MAX_WORDS = 5
MIN_WORD = 3
ID_NUMBER_LENGTH = 13
# A search counts its matches no further than this (the page says "200+": narrow it down).
COUNT_CAP = 200
FTS_TABLE = "application_fts"
FTS_VIEW = "application_search_text"
FTS_TRIGGERS = ("application_fts_insert", "application_fts_delete", "application_fts_update")
WORD_INDEX = "ix_application_search_words"
# The words a Thai address's parts begin with: each part is found from its start and after it.
ADDRESS_MARKERS = ("จังหวัด", "อำเภอ", "ตำบล", "แขวง", "ถนน", "ซอย", "เขต")
# PostgreSQL: the words of a file the index holds, each also as its beginnings of three
# letters or more, so that a word typed matches a stored one exactly (no prefix scan of the
# index). The migration makes the function and indexes this very expression.
SEARCH_FUNCTION = "tidtam_search_words"
SEARCH_DOCUMENT = f"{SEARCH_FUNCTION}(applicant_name, subject_address, department, office_id)"
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


def search_conditions(
    terms: SearchTerms,
    dialect: str,
    office_id: int | None = None,
    department: str | None = None,
) -> list[ColumnElement[bool]]:
    """Conditions on ``Application`` that every match meets, for the database ``dialect``
    (``session.get_bind().dialect.name``); the queue's ``office_id`` and ``department``, when
    given, are asked of the word index too (they are among its words)."""
    if terms.code is not None:
        return [col(Application.tracking_code) == terms.code]
    if terms.id_number is not None:
        return [col(Application.applicant_id_number) == terms.id_number]
    if not all(map(searchable, terms.words)):
        return [false()]
    if dialect == "sqlite":
        rowids = (
            text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query")
            .bindparams(fts_query=fts_expression(terms.words))
            .columns(column("rowid", Integer))
        )
        return [col(Application.id).in_(rowids)]
    # plainto_tsquery: the words as they are, every one required, nothing an operator.
    simple: ColumnElement[str] = literal_column("'simple'::regconfig")
    scope = [scope_word(k, v) for k, v in (("o", office_id), ("d", department)) if v is not None]
    query = func.plainto_tsquery(simple, " ".join([*terms.words, *scope]))
    return [literal_column(SEARCH_DOCUMENT).bool_op("@@")(query)]


def searchable(word: str) -> bool:
    """Whether ``word`` has a letter or digit an index of words holds (a word of punctuation
    alone is in no file)."""
    return any(ch.isalnum() or not ch.isascii() for ch in word)


def first_matches(
    session: Session,
    terms: SearchTerms,
    conditions: Sequence[ColumnElement[bool]],
    *,
    office_id: int | None = None,
    department: str | None = None,
) -> list[tuple[int, datetime]]:
    """The id and intake time of the matches that also meet ``conditions`` (which hold the
    queue's ``office_id`` and ``department``, if any), the first ``COUNT_CAP + 1`` of them in
    the order the index gives them (on SQLite, the oldest taken in first). The lookup stops
    there: the caller sorts and pages these, and says "200+" past the cap."""
    columns = (col(Application.id), col(Application.submitted_at))
    dialect = session.get_bind().dialect.name
    if terms.words and dialect == "sqlite" and all(map(searchable, terms.words)):
        # The FTS table drives the join and holds the scope too, so its lookup stops at the
        # cap instead of gathering every match first.
        statement = (
            select(*columns)
            .select_from(_FTS.join(Application, col(Application.id) == _FTS.c.rowid))
            .where(text(f"{FTS_TABLE} MATCH :fts_query"), *conditions)
            .params(fts_query=fts_expression(terms.words, office_id, department))
        )
    else:
        found = search_conditions(terms, dialect, office_id, department)
        statement = select(*columns).where(*conditions, *found)
    return [(int(i or 0), at) for i, at in session.exec(statement.limit(COUNT_CAP + 1)).all()]


def scope_word(kind: str, value: object) -> str:
    """The word the FTS table's ``scope`` column holds for an office (``o``) or a department
    (``d``): letters and digits only, so the tokenizer keeps it whole."""
    return kind + "".join(ch for ch in str(value) if ch.isascii() and ch.isalnum())


def fts_expression(
    words: Sequence[str], office_id: int | None = None, department: str | None = None
) -> str:
    """An FTS5 query asking for every word as the start of a word of the name, the address or
    the address's parts (each quoted, quotes doubled: nothing in a word is an operator), and
    for the office and department when given."""
    phrases = " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)
    query = f"{{applicant_name subject_address address_parts}} : ({phrases})"
    for kind, value in (("o", office_id), ("d", department)):
        if value is not None:
            query += f' AND scope : "{scope_word(kind, value)}"'
    return query


_FTS = table(FTS_TABLE, column("rowid", Integer))


def modelled(name: str | None, type_: str, parents: object) -> bool:
    """Alembic ``include_name``: False for the search machinery the migrations make beside the
    models (the FTS5 table, its shadow tables and view, the word index)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith((FTS_TABLE, FTS_VIEW))
    if type_ == "index":
        return name != WORD_INDEX
    return True
