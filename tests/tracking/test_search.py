"""The work queue's search: each kind of key finds its file and only it, the queue's scope
holds, and hostile text is refused or taken literally, never as a pattern."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from tracking import codes, migrate
from tracking.access import Actor
from tracking.db import make_engine
from tracking.errors import InvalidInput
from tracking.models import Application
from tracking.reads.staff import queue, search
from tracking.reads.staff.queue import QueueFilter, queue_view, work_queue
from tracking.reads.staff.search import SearchTerms, parse_query

from ..factories import actor, make_application

TODAY = date(2026, 12, 3)
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
CODE_DATA = "K7MP2Q9XR"
CODE = CODE_DATA + codes._check_character(CODE_DATA)


def thai_id(first_twelve: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return first_twelve + str((11 - total % 11) % 10)


ID_A = thai_id("310050012345")
ID_B = thai_id("170990004321")
ID_C = thai_id("550120009876")


@pytest.fixture
def files(session: Session) -> dict[str, int]:
    """Three files: two of environment-sanitation (food-premises), one of
    city-law-enforcement (fine-settlement) whose applicant shares a word with the first."""
    a = make_application(
        session,
        applicant_name="สมชาย ใจดี",
        id_number=ID_A,
        address="99 ถนนพญาไท แขวงวังใหม่ เขตปทุมวัน",
        tracking_code=CODE,
    )
    b = make_application(
        session,
        applicant_name="Jane O'Brien",
        id_number=ID_B,
        address="12 Soi Chula 42, shop 100%_off",
    )
    c = make_application(
        session,
        "fine-settlement",
        applicant_name="สมศรี มีสุข",
        id_number=ID_C,
        address="7 ถนนพระราม 4 เขตปทุมวัน",
    )
    session.flush()
    ids = {"a": a.id, "b": b.id, "c": c.id}
    assert all(ids.values())
    return {key: value for key, value in ids.items() if value}


def found(session: Session, q: str, who: Actor | None = None) -> set[int]:
    rows, total = work_queue(session, who or actor("officer"), TODAY, QueueFilter(q=q))
    assert total == len(rows)
    return {r.id for r in rows if r.id is not None}


def manager() -> Actor:
    return Actor(username="manager-1", role="manager")


# --- reading the query ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        (codes.format_code(CODE).lower(), SearchTerms(code=CODE)),
        (CODE, SearchTerms(code=CODE)),
        (f" {codes.format_code(CODE).translate(THAI)} ", SearchTerms(code=CODE)),
        (CODE[:5].lower() + " " + CODE[5:], SearchTerms(code=CODE)),
        ("1-1017-00123-45-6", SearchTerms(id_number="1101700123456")),
        ("1 1017 00123 45 6", SearchTerms(id_number="1101700123456")),
        ("๑๑๐๑๗๐๐๑๒๓๔๕๖", SearchTerms(id_number="1101700123456")),
        ("สมชาย  ใจดี", SearchTerms(words=("สมชาย", "ใจดี"))),
        # Ten characters of the code alphabet whose check character is wrong: words.
        (CODE[:-1] + ("2" if CODE[-1] != "2" else "3"), None),
        ("   ", None),
    ],
)
def test_each_spelling_reads_as_its_key(typed: str, terms: SearchTerms | None) -> None:
    parsed = parse_query(typed)
    if typed.strip() and terms is None:
        assert parsed == SearchTerms(words=(typed,))
    else:
        assert parsed == terms


@pytest.mark.parametrize(
    ("typed", "th", "en"),
    [
        ("ก" * 101, "ยาวเกิน 100", "longer than 100"),
        ("aaa bbb ccc ddd eee fff", "ไม่เกิน 5 คำ", "at most 5 words"),
        ("สมชาย ใจ", "อย่างน้อย 3", "at least 3 characters: ใจ"),
        ("%", "อย่างน้อย 3", "at least 3"),
        ('"', "อย่างน้อย 3", "at least 3"),
        ("' OR 1=1 --", "อย่างน้อย 3", "at least 3"),
    ],
)
def test_a_query_the_rules_refuse_says_why_in_both_languages(typed: str, th: str, en: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_query(typed)
    assert raised.value.status_code == 422
    assert th in raised.value.th
    assert en in raised.value.en
    assert raised.value.detail == {"field": "q"}


def test_a_hundred_characters_and_five_words_are_allowed() -> None:
    assert parse_query("ก" * 100) == SearchTerms(words=("ก" * 100,))
    assert parse_query("aaa bbb ccc ddd eee") is not None


def test_words_are_quoted_for_fts() -> None:
    words = ['a"b', "AND", "x*"]
    assert search.fts_expression(words) == (
        '{applicant_name subject_address address_parts} : ("a""b"* AND "AND"* AND "x*"*)'
    )
    assert search.fts_expression(["abc"], 3, "public-works").endswith(
        ' AND scope : "o3" AND scope : "dpublicworks"'
    )


# --- finding files ----------------------------------------------------------------------------


def test_a_tracking_code_in_any_spelling_finds_its_file(
    session: Session, files: dict[str, int]
) -> None:
    for typed in (
        codes.format_code(CODE).lower(),
        CODE,
        codes.format_code(CODE).translate(THAI),
    ):
        assert found(session, typed) == {files["a"]}, typed


def test_an_id_number_finds_its_file(session: Session, files: dict[str, int]) -> None:
    dashed = f"{ID_B[0]}-{ID_B[1:5]}-{ID_B[5:10]}-{ID_B[10:12]}-{ID_B[12]}"
    assert found(session, dashed) == {files["b"]}
    assert found(session, ID_A.translate(THAI)) == {files["a"]}


def test_words_find_the_name_or_the_address(session: Session, files: dict[str, int]) -> None:
    assert found(session, "สมชาย") == {files["a"]}
    assert found(session, "ใจด") == {files["a"]}  # part of a Thai name
    assert found(session, "พญาไท") == {files["a"]}  # a word of the address
    assert found(session, "jane o'brien") == {files["b"]}  # any case
    assert found(session, "CHULA") == {files["b"]}
    assert found(session, "สมชาย วังใหม่") == {files["a"]}  # one in the name, one in the address
    # Every word must be found in the same file.
    assert found(session, "สมชาย Chula") == set()
    assert found(session, "ปทุมวัน") == {files["a"]}  # file c is another department's
    assert found(session, "ปทุมวัน", manager()) == {files["a"], files["c"]}


def test_the_queue_scope_holds_for_every_key(session: Session, files: dict[str, int]) -> None:
    officer = actor("officer")  # environment-sanitation
    for typed in ("สมศรี", ID_C):
        assert found(session, typed, officer) == set()
        assert found(session, typed, manager()) == {files["c"]}
    other_office = Actor(username="o", role="officer", department=officer.department, office_id=999)
    assert found(session, CODE, other_office) == set()
    assert found(session, CODE, officer) == {files["a"]}


@pytest.mark.parametrize(
    "typed", ["%%%", "___", "%_%", "\\\\\\", '"""', "'''", "*** AND ***", "NEAR(aaa bbb)"]
)
def test_hostile_words_are_taken_literally(
    session: Session, files: dict[str, int], typed: str
) -> None:
    assert found(session, typed, manager()) == set()


def test_punctuation_in_a_word_only_separates(session: Session, files: dict[str, int]) -> None:
    assert found(session, 'สมชาย"', manager()) == {files["a"]}  # a quote is no operator
    assert found(session, "(สมชาย)", manager()) == {files["a"]}


def test_wildcards_match_only_themselves(session: Session, files: dict[str, int]) -> None:
    assert found(session, "100%_off") == {files["b"]}
    assert found(session, "1_0") == set()  # not "1, any letter, 0": "1" and "0" as words
    assert found(session, "0%_off") == set()  # a word counts from its start


def test_the_index_follows_changes_to_the_name_and_address(
    session: Session, files: dict[str, int]
) -> None:
    application = session.get(Application, files["b"])
    assert application is not None
    application.applicant_phone = "0899999999"  # another column: the index keeps its words
    session.flush()
    assert found(session, "O'Brien") == {files["b"]}
    application.applicant_name = "Janet Smith"
    application.subject_address = "1 Silom Road"
    session.flush()
    assert found(session, "Janet") == {files["b"]}
    assert found(session, "Silom") == {files["b"]}
    assert found(session, "O'Brien") == set()
    assert found(session, "Chula") == set()


def test_a_search_counts_no_further_than_the_cap(
    session: Session, files: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "COUNT_CAP", 1)
    who = manager()
    rows, total = work_queue(session, who, TODAY, QueueFilter(q="ปทุมวัน"))
    assert (len(rows), total) == (2, 2)
    view = queue_view(session, who, TODAY, q="ปทุมวัน")
    assert view.total_text == "1+"
    assert queue_view(session, who, TODAY, q="สมชาย").total_text == "1"
    # Without a search the count is exact.
    assert work_queue(session, who, TODAY, QueueFilter())[1] == 3


def test_a_refused_search_is_not_run_and_says_why(session: Session, files: dict[str, int]) -> None:
    view = queue_view(session, actor("officer"), TODAY, q="ab cd")
    assert view.search_error is not None
    assert "ab cd" in view.search_error["en"]
    assert view.applied.q is None
    assert view.query == "ab cd"
    assert (view.rows, view.total) == ([], 0)  # not the queue unsearched, as if it matched
    with pytest.raises(InvalidInput):
        work_queue(session, actor("officer"), TODAY, QueueFilter(q="ab"))


def test_the_migration_steps_back_cleanly(tmp_path: Path) -> None:
    """On a database of its own (SQLite), whatever the suite runs on: 0014 down and up again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'steps.db'}")

    def search_objects() -> set[str]:
        with engine.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'application_fts%'"
                " OR name IN ('ix_application_applicant_id_number', 'application_search_text')"
            )
            return {row[0] for row in names}

    migrate.upgrade(engine)
    made = search_objects()
    assert {search.FTS_TABLE, search.FTS_VIEW, *search.FTS_TRIGGERS} <= made
    migrate.downgrade(engine, "0013")
    assert search_objects() == set()
    migrate.upgrade(engine)
    assert search_objects() == made
    engine.dispose()
