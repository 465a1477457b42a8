from datetime import date

import pytest

from tracking.dates import parse_day, typed, written
from tracking.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15/02/2570", date(2027, 2, 15)),
        ("๑๕/๐๒/๒๕๗๐", date(2027, 2, 15)),
        ("29/02/2567", date(2024, 2, 29)),
        ("2027-02-15", date(2027, 2, 15)),
        (" 1/1/2569 ", date(2026, 1, 1)),
    ],
)
def test_reads_buddhist_era_thai_digits_and_iso(text: str, day: date) -> None:
    assert parse_day(text, "deadline") == day


@pytest.mark.parametrize("text", ["29/02/2568", "31/04/2570", "2027-02-30", "00/01/2570"])
def test_refuses_impossible_days(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_day(text, "deadline")
    assert caught.value.detail["field"] == "deadline"
    assert "ไม่มีวันที่นี้" in caught.value.th


@pytest.mark.parametrize("text", ["15/02/70", "27-02-15"])
def test_refuses_two_digit_years(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_day(text, "sent_on")
    assert "4" in caught.value.th
    assert "4 digits" in caught.value.en


@pytest.mark.parametrize("text", ["", "tomorrow", "15.02.2570", "2570/02/15"])
def test_refuses_other_shapes(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_day(text, "date_from")


def test_writes_each_language() -> None:
    day = date(2027, 2, 15)
    assert written(day, "th") == "15 กุมภาพันธ์ 2570"
    assert written(day, "en") == "15 February 2027"
    assert typed(day, "th") == "15/02/2570"
    assert typed(day, "en") == "2027-02-15"
    assert typed(None, "th") == ""
