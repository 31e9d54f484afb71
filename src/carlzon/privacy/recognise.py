"""Personal data in customer text: find it, and replace each piece by a tag such as ``[EMAIL]``.

What is found (``bench/pii.py`` measures it on a set of realistic strings beside
the redactor carlzon had before and Microsoft Presidio's and scrubadub's recognisers):

==========  ==================================================================================
email       addresses, also written out: 'anna dot berg at gmail dot com', 'j.smith[at]mail[dot]com'
phone       international and national formats (7 to 15 digits, grouped or with a country code),
            checked with Google's libphonenumber (``phonenumbers``); dates, times, versions stay
card        card numbers, Luhn-valid or mistyped in card groups (:mod:`carlzon.privacy.cards`)
account     IBANs (mod-97 checked, any case or grouping), numbers after 'account', 'member',
            'loyalty', 'booking reference' ..., bare digit runs of 12 or more
id          passport and ID numbers after 'passport (number|no)', 'ID', 'licence'; US social
            security numbers, UK national insurance numbers, Nordic personal numbers
address     house number and street ('221B Baker Street', 'Storgatan 12', '42 rue de Rivoli'),
            postcodes (UK, Canada, the Netherlands, a ZIP after a state or 'zip', five digits
            or '114 51' before a town, anything after 'postcode')
dob         a date after 'born (on)', 'date of birth', 'DOB', 'birthday is' (other dates stay)
ip          IPv4 and IPv6 addresses
handle      @handles
name        people's names (:mod:`carlzon.privacy.names`), and the names the customer memory knows
==========  ==================================================================================

Example:
    >>> redact("I'm Sarah Jones, card 4111 1111 1111 1111, mail sarah@example.com")
    "I'm [NAME] [NAME], card [CARD], mail [EMAIL]"
    >>> redact("write to anna dot berg at gmail dot com, I live at 12 Elm St., Springfield, IL 62704")
    'write to [EMAIL], I live at [ADDRESS], Springfield, IL [POSTCODE]'
    >>> redact("Will you call me in May? Flight UA 1234 left at 14:30 from gate 12.")
    'Will you call me in May? Flight UA 1234 left at 14:30 from gate 12.'
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from collections.abc import Callable, Iterable

from carlzon.privacy.cards import find_cards, luhn_ok
from carlzon.privacy.names import find_names

__all__ = ["TAGS", "Finding", "find_personal_data", "luhn_ok", "redact"]

TAGS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "account": "[ACCOUNT]",
    "id": "[ID]",
    "address": "[ADDRESS]",
    "postcode": "[POSTCODE]",
    "dob": "[DATE_OF_BIRTH]",
    "ip": "[IP]",
    "handle": "[HANDLE]",
    "name": "[NAME]",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind (a key of :data:`TAGS`) and span."""

    kind: str
    start: int
    end: int
    text: str


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}"
    rf"\.?,?\s+\d{{4}}|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_AT = r"(?:\s*[\[(<{]\s*at\s*[\])>}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(<{]\s*dot\s*[\])>}]\s*|\s+dot\s+|\.)"
_EMAIL_SPELLED = re.compile(
    rf"(?i)\b[a-z0-9][a-z0-9_%+'-]*(?:{_DOT}[a-z0-9_%+'-]+)*{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}"
    r"(?:com|net|org|edu|gov|io|co|uk|de|se|fr|es|it|nl|no|dk|fi|pl|ch|at|be|ie|in|au|ca|br|jp|cn|ru|info|biz|me)\b"
)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{1,30}")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_IBAN = re.compile(r"(?i)\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
_ACCOUNT = re.compile(
    r"(?i)\b(?:account|acct|a/c|member(?:ship)?|loyalty|frequent flyer|customer|booking|confirmation|card ending|"
    r"reference|ref)(?:\s+(?:number|no\.?|num|#|id|ref(?:erence)?|code|in))?\s*(?:is\s+)?[:#]?\s*"
    r"(\d[\d -]{3,}\d|(?=[A-Z0-9]*\d)[A-Z0-9]{6,})"
)
_ID_CONTEXT = re.compile(
    r"(?i)\b(?:passport|id card|identity card|national id|id|driver'?s? licen[cs]e|licen[cs]e|ssn|social security|"
    r"personnummer|tax id)(?:\s+(?:number|no\.?|num|#))?\s*(?:is|was|:)?\s*[:#]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{5,14})\b"
)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_NI = re.compile(r"(?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_NI_CONTEXT = re.compile(
    r"(?i)\b(?:ni|national insurance)(?:\s+(?:number|no\.?))?\s*[:#]?\s*"
    r"([A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])\b"
)
_PERSONAL_NO = re.compile(r"\b(?:19|20)?\d{6}[-+]\d{4}\b")
_DOB = re.compile(
    rf"(?i)\b(?:born(?:\s+on)?|date of birth|birth ?date|d\.?o\.?b\.?|birthday(?:\s+is)?)\s*[:\-]?\s*"
    rf"(?:is\s+|was\s+|on\s+)?({_DATE})"
)
_STREET_WORDS = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Square|"
    r"Sq|Terrace|Close|Crescent|Highway|Hwy|Parkway|Pkwy|Row|Mews|Gardens|Grove)"
)
_STREET_EN = re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'’\-]*\.?\s+){{1,3}}{_STREET_WORDS}\b\.?")
_STREET_ROMANCE = re.compile(
    r"(?i)\b\d{1,5}[a-z]?,?\s+(?:rue|avenue|boulevard|bd|place|chemin|via|viale|piazza|calle|"
    r"avenida|rua|travessa|plaza)\s+(?:(?:de|du|des|della|del|di|la|le|da|do|dos)\s+)*"
    r"[A-ZÀ-Ý][\w'’\-]+"
)
_STREET_ROMANCE_AFTER = re.compile(
    r"\b(?:[Rr]ue|[Aa]venue|[Vv]ia|[Cc]alle|[Aa]venida|[Rr]ua)\s+(?:(?:de|du|des|della|"
    r"del|di|la|le|da|do)\s+)*[A-ZÀ-Ý][\w'’\-]+,?\s+\d{1,5}[a-z]?\b"
)
_STREET_COMPOUND = re.compile(
    r"\b[A-ZÄÖÅÆØÜ][a-zäöåæøüß]+(?:gatan|gata|vägen|väg|gränd|torget|straße|strasse|str\.|gasse|"
    r"weg|allee|platz|laan|straat|gracht|plein|kade|gade|vej|katu|tie|veien|gaten|vegen)"
    r"\s?\d{1,4}[a-z]?\b"
)
_POSTCODE_UK = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b")
_POSTCODE_CA = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d\b")
_POSTCODE_NL = re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}(?=\s+[A-Z][a-z])")
_POSTCODE_BEFORE_TOWN = re.compile(r"(?<![\d.,])\b(?:\d{5}|\d{3}\s\d{2})\b(?=\s+[A-ZÀ-Ý][a-zà-ÿ]+)")
_ZIP = re.compile(
    r"\b(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|"
    r"T[NX]|UT|V[TA]|W[AVIY])\s+(\d{5}(?:-\d{4})?)\b"
)
_POSTCODE_CONTEXT = re.compile(
    r"(?i)\b(?:post ?code|postal code|zip(?: code)?|postnummer|plz)\s*(?:is\s+)?[:#]?\s*"
    r"([A-Z0-9]{2,5}(?:[ \-][A-Z0-9]{2,4})?)\b"
)
_PHONE = re.compile(r"(?<![\w+.])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-/]?\(?\d{1,5}\)?){1,6}(?![\w.]\d)(?!\w)")
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)$"
)
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")


def _iban_ok(text: str) -> bool:
    s = re.sub(r"\s", "", text).upper()
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _phone_ok(s: str) -> bool:
    """A run of digits that reads as a phone number, not a date, a time, a version or an amount."""
    n = _digits(s)
    if not 7 <= n <= 15 or _DATE_LIKE.match(s):
        return False
    if "." in s and not re.search(r"[ \-()]", s.lstrip("+")):
        groups = [len(g) for g in s.lstrip("+").split(".")]
        return groups[-3:] == [3, 3, 4] and len(groups) <= 4
    if s.startswith(("+", "00")):
        return _valid_number(s)
    return bool(re.search(r"[ .\-()/]", s)) or n >= 10


def _valid_number(s: str) -> bool:
    """An international number that libphonenumber can parse into a possible number of its country."""
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + s[2:] if s.startswith("00") else s, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(number)


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """All personal data found in ``text``, earliest first, without overlaps.

    ``names`` are names already known for this customer (from the customer memory); they are
    removed wherever they appear, ambiguous or not.
    """
    if not text:
        return []
    found: list[Finding] = []
    taken = [False] * len(text)

    def add(kind: str, start: int, end: int) -> bool:
        while end > start and text[end - 1] in " ,;":
            end -= 1
        if start >= end or any(taken[start:end]):
            return False
        for i in range(start, end):
            taken[i] = True
        found.append(Finding(kind, start, end, text[start:end]))
        return True

    def each(kind: str, pattern: re.Pattern, group: int = 0, ok: Callable[[str], bool] = lambda s: True) -> None:
        for m in pattern.finditer(text):
            if ok(m.group(group)):
                add(kind, m.start(group), m.end(group))

    lower = text.lower()
    if "@" in text:
        each("email", _EMAIL)
        each("handle", _HANDLE)
    if "at" in lower and ("dot" in lower or "." in text):
        each("email", _EMAIL_SPELLED, ok=lambda s: bool(re.search(r"(?i)@|\bat\b|\[at\]|\(at\)", s)))
    if not any(c.isdigit() for c in text):  # everything below but names has digits
        for start, end, _ in find_names(text, known=names):
            add("name", start, end)
        return sorted(found, key=lambda f: f.start)
    each("ip", _IPV4)
    each("ip", _IPV6, ok=_is_ipv6)
    each("account", _IBAN, ok=_iban_ok)
    for start, end in find_cards(text):
        add("card", start, end)
    each("id", _SSN)
    each("id", _NI)
    each("id", _NI_CONTEXT, 1)
    each("id", _PERSONAL_NO)
    each("dob", _DOB, 1)
    each("id", _ID_CONTEXT, 1)
    each("account", _ACCOUNT, 1, ok=lambda v: _digits(v) >= 4 or (v.isupper() and any(c.isdigit() for c in v)))
    for pattern in (_STREET_EN, _STREET_ROMANCE, _STREET_ROMANCE_AFTER, _STREET_COMPOUND):
        each("address", pattern)
    each("postcode", _POSTCODE_CONTEXT, 1, ok=lambda v: any(c.isdigit() for c in v))
    each("postcode", _ZIP, 1)
    for pattern in (_POSTCODE_UK, _POSTCODE_CA, _POSTCODE_NL, _POSTCODE_BEFORE_TOWN):
        each("postcode", pattern)
    for m in _PHONE.finditer(text):
        s = m.group().strip()
        if _phone_ok(s):
            add("phone", m.start(), m.start() + len(s))
    each("account", _LONG_DIGITS)
    for start, end, _ in find_names(text, known=names):
        add("name", start, end)
    return sorted(found, key=lambda f: f.start)


def _is_ipv6(s: str) -> bool:
    if s.count(":") < 2 or not re.search(r"[0-9A-Fa-f]{3}", s):
        return False
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return True


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with every piece of personal data replaced by its tag ([EMAIL], [PHONE], [CARD], ...)."""
    if not text:
        return text
    out, last = [], 0
    for f in find_personal_data(text, names=names):
        out.append(text[last : f.start])
        out.append(TAGS[f.kind])
        last = f.end
    out.append(text[last:])
    return "".join(out)
