"""Tracking codes: the reference a citizen reads off the receipt or says over the phone.

Nine random characters (31**9, about 44.6 bits) and one check character, printed as
``XXXXX-XXXXX``. The alphabet leaves out the look-alikes 0/O and 1/I/L, which leaves 31
symbols; 31 is prime, so a weighted sum modulo 31 with distinct non-zero weights catches every
single-character substitution (the sum moves by w·(a-b), never 0 mod 31) and every adjacent
transposition (it moves by (a-b)·(w_i - w_j), and adjacent weights differ by 1).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)
DATA_LENGTH = 9
LENGTH = DATA_LENGTH + 1
GROUP = 5
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Weights 1..10 by position, all distinct and non-zero modulo 31.
_WEIGHTS = tuple(range(LENGTH, 0, -1))

assert BASE == 31


class InvalidCode(ValueError):
    """A string that cannot be a tracking code (wrong characters, length or check character)."""


def _check_character(data: str) -> str:
    # Choose c so that sum(w_i * v_i) over all ten positions is 0 modulo 31; the check
    # character's weight is 1.
    total = sum(w * _VALUE[ch] for w, ch in zip(_WEIGHTS, data, strict=False))
    return ALPHABET[(-total) % BASE]


def new_code() -> str:
    """A fresh random code in canonical form (no separators)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + _check_character(data)


def is_valid(canonical: str) -> bool:
    if len(canonical) != LENGTH or any(ch not in _VALUE for ch in canonical):
        return False
    return sum(w * _VALUE[ch] for w, ch in zip(_WEIGHTS, canonical, strict=True)) % BASE == 0


def normalise(text: str) -> str:
    """Upper-case ``text`` and drop spaces and dashes; no validation."""
    return "".join(ch for ch in text.upper() if ch not in " -\t\u2010\u2011\u2012\u2013")


def parse(text: str) -> str:
    """The canonical code in ``text``; raises ``InvalidCode`` when it cannot be one.

    Case, spaces and dashes are ignored, so ``k7mp2-q9xr4`` and ``K7MP2 Q9XR4`` are one code.
    """
    canonical = normalise(text)
    if len(canonical) != LENGTH:
        raise InvalidCode(f"a tracking code has {LENGTH} characters")
    bad = sorted({ch for ch in canonical if ch not in _VALUE})
    if bad:
        raise InvalidCode(f"characters not used in tracking codes: {''.join(bad)}")
    if not is_valid(canonical):
        raise InvalidCode("check character does not match")
    return canonical


def format_code(canonical: str) -> str:
    """Grouped for reading aloud: ``K7MP2-Q9XR4``."""
    return "-".join(canonical[i : i + GROUP] for i in range(0, len(canonical), GROUP))
