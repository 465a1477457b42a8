"""Text a person typed, as the checks read it: visible or not, digits of any script."""

from __future__ import annotations

import unicodedata

# Characters that show nothing: whitespace, controls, format characters (the zero-width space
# and joiners, bidirectional marks, the soft hyphen), unassigned and private-use code points,
# and the few letters and symbols drawn blank (the Hangul fillers, the blank Braille pattern).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs"})
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch: str) -> bool:
    return ch in BLANK or ch.isspace() or unicodedata.category(ch) in INVISIBLE_CATEGORIES


def visible_text(text: str) -> str:
    """``text`` without the invisible characters at either end, or "" when no letter or digit
    is left to read (a name of zero-width spaces, of spaces, of marks alone)."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    trimmed = text[start:end]
    readable = any(unicodedata.category(ch)[0] in "LN" and not _invisible(ch) for ch in trimmed)
    return trimmed if readable else ""


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII: Thai ``๑๒๓`` (or full-width ``１２３``) is
    ``123``. Other characters stay as they are."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
