from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from tracking import codes
from tracking.db import unit_of_work
from tracking.models import Application
from tracking.workflow import transitions

from ..factories import committed_application

SAMPLE = 3000


@pytest.fixture(scope="module")
def sample() -> list[str]:
    return [codes.new_code() for _ in range(SAMPLE)]


def test_codes_carry_at_least_40_random_bits() -> None:
    assert codes.DATA_LENGTH * math.log2(len(codes.ALPHABET)) >= 40


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("0O1IL") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)


def test_fresh_codes_are_valid_and_distinct(sample: list[str]) -> None:
    assert all(codes.is_valid(c) for c in sample)
    assert len(set(sample)) == len(sample)


def test_every_single_substitution_is_rejected(sample: list[str]) -> None:
    checked = 0
    for code in sample:
        for i, original in enumerate(code):
            for replacement in codes.ALPHABET:
                if replacement != original:
                    assert not codes.is_valid(code[:i] + replacement + code[i + 1 :])
                    checked += 1
    assert checked == SAMPLE * codes.LENGTH * (len(codes.ALPHABET) - 1)


def test_every_adjacent_transposition_is_rejected(sample: list[str]) -> None:
    checked = 0
    for code in sample:
        for i in range(codes.LENGTH - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert not codes.is_valid(swapped)
                checked += 1
    assert checked > SAMPLE * (codes.LENGTH - 1) * 0.9


def test_parse_ignores_case_spaces_and_dashes(sample: list[str]) -> None:
    code = sample[0]
    shown = codes.format_code(code)
    assert shown == f"{code[:5]}-{code[5:]}"
    for variant in (shown, shown.lower(), f" {code[:3]} {code[3:7]}-{code[7:]} ", code):
        assert codes.parse(variant) == code


@pytest.mark.parametrize(
    ("text", "message"),
    [("ABC", "10 characters"), ("0OIL1ABCDE", "not used"), ("", "10 characters")],
)
def test_parse_rejects_malformed_text(text: str, message: str) -> None:
    with pytest.raises(codes.InvalidCode, match=message):
        codes.parse(text)


def test_parse_rejects_a_wrong_check_character(sample: list[str]) -> None:
    code = sample[1]
    wrong = code[:-1] + random.choice([c for c in codes.ALPHABET if c != code[-1]])
    with pytest.raises(codes.InvalidCode, match="check character"):
        codes.parse(wrong)


def test_the_database_enforces_unique_codes_and_intake_draws_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = committed_application(engine)
    with unit_of_work(engine) as session:
        taken = transitions.get_application(session, first).tracking_code
    fresh = codes.new_code()
    draws = iter([taken, fresh])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    second = committed_application(engine)
    with unit_of_work(engine) as session:
        assert transitions.get_application(session, second).tracking_code == fresh
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        session.execute(
            update(Application).where(col(Application.id) == second).values(tracking_code=taken)
        )
