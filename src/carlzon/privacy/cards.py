"""Payment card numbers, masked where they enter: every column of every row read, quarantined rows too.

A card number never needs to be kept to understand a customer, so ingest
replaces it by ``[CARD]`` before anything is stored, hashed or quarantined.
What counts as one (13 to 19 digits, with or without spaces, dashes or dots):

- any number that passes the Luhn check and starts like a card (an issuer
  prefix: Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Discover
  6011/644-649/65, JCB 35, Diners 36/38/39/300-305, UnionPay 62), whatever its
  grouping; a bare digit run without such a prefix (an 18-digit post id) stays;
- near misses a customer mistyped: digits grouped as cards are printed
  (4-4-4-4, 4-4-4-4-3, 4-4-4-3, 4-6-5, 4-6-4) with one separator throughout,
  Luhn or not; and 16 bare digits that start like a card but fail the check.

Example:
    >>> mask_cards("paid with 4111 1111 1111 1111 and 4111-1111-1111-1112")
    'paid with [CARD] and [CARD]'
    >>> mask_cards("tweet 570306133677760513, phone +46 70 123 45 67, order 2026-03-02")
    'tweet 570306133677760513, phone +46 70 123 45 67, order 2026-03-02'
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["CARD_TAG", "CANDIDATE", "find_cards", "luhn_ok", "mask_cards", "mask_table"]

CARD_TAG = "[CARD]"
CANDIDATE = r"\d(?:[ .\-]?\d){12,18}"
"""A run that may be a card number (RE2 and Python syntax): the cheap filter before the checks."""

_RUN = re.compile(r"(?<![\w.\-])\d(?:[ .\-]?\d){12,18}(?![\w]|[.\-]\d)")
_CARD_GROUPS = ((4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 2), (4, 4, 4, 4, 1))


def luhn_ok(digits: str) -> bool:
    """True when the digits pass the Luhn check payment cards carry.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    nums = [int(c) for c in digits if c.isdigit()]
    if len(nums) < 2:
        return False
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _issuer(d: str) -> bool:
    """The digits start like a card of a known issuer, with a length that issuer uses."""
    n = len(d)
    p2, p3, p4 = int(d[:2]), int(d[:3]), int(d[:4])
    return (
        (d[0] == "4" and n in (13, 16, 19))
        or (51 <= p2 <= 55 and n == 16)
        or (2221 <= p4 <= 2720 and n == 16)
        or (p2 in (34, 37) and n == 15)
        or ((p4 == 6011 or 644 <= p3 <= 649 or p2 == 65) and 16 <= n <= 19)
        or (p2 == 35 and 16 <= n <= 19)
        or ((p2 in (36, 38, 39) or 300 <= p3 <= 305) and 14 <= n <= 19)
        or (p2 == 62 and 16 <= n <= 19)
    )


def _is_card(run: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if not 13 <= len(digits) <= 19:
        return False
    seps = set(re.findall(r"\D", run))
    groups = tuple(len(g) for g in re.split(r"\D", run))
    if len(seps) == 1 and groups in _CARD_GROUPS:
        return True  # printed like a card: masked even when a digit is wrong
    if not _issuer(digits):
        return False
    return luhn_ok(digits) or (not seps and len(digits) == 16)


def find_cards(text: str) -> list[tuple[int, int]]:
    """Spans of the card numbers in ``text``.

    >>> find_cards("card 4111111111111111.")
    [(5, 21)]
    """
    if not text:
        return []
    return [(m.start(), m.end()) for m in _RUN.finditer(text) if _is_card(m.group())]


def mask_cards(text: Any) -> Any:
    """``text`` with every card number replaced by ``[CARD]`` (anything not a string comes back as it is)."""
    if not isinstance(text, str) or not text:
        return text
    spans = find_cards(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], CARD_TAG]
        last = end
    return "".join(out + [text[last:]])


def mask_column(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """A text column with card numbers masked; cells without a long digit run are not touched in Python."""
    hit = pc.fill_null(pc.match_substring_regex(arr, CANDIDATE), False)
    if not pc.any(hit).as_py():
        return arr
    values = arr.to_pylist()
    flags = hit.to_pylist()
    return pa.array([mask_cards(v) if f else v for v, f in zip(values, flags)], type=pa.string())


def mask_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` with card numbers masked."""
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            masked = mask_column(col)
            if masked is not col:
                table = table.set_column(i, name, masked)
    return table
