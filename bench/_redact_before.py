"""The redactor carlzon had before issue 20 (carlzon.loop.privacy), frozen here as the anchor of bench/pii.py.

Personal-data removal: e-mails, phones, card and account numbers, handles, names.

Used before real moments of misery become role-play cards or leave the
store in any other shareable form. Each kind is replaced by a tag such as
``[EMAIL]``; :func:`find_personal_data` says what was found and where.

What is removed:

- e-mail addresses;
- phone numbers in international and national formats (``+44 20 7946 0958``,
  ``(555) 123-4567``, ``070-123 45 67``, ``850.266.3576``): 7 to 15 digits; dates,
  times, version numbers and IP addresses are left alone;
- card numbers: 13 to 19 digits, with spaces or dashes, that pass the Luhn check;
- IBANs, numbers after words such as 'account', 'acct', 'member number',
  'booking reference', and bare digit runs of 12 or more;
- @handles;
- names: the names the customer memory already knows (``names=``), the words
  after 'my name is' / 'call me' / Mr, Mrs, Ms, Dr, a greeting ('Hi Anna,') or
  in a signature ('Thanks, Anna', '- Anna', '^AB'), and capitalised first names
  from a built-in list (plus a capitalised surname right after one).

The trade-off: first names that are also ordinary English words or brands
('Will', 'May', 'Bill', 'Mark', 'Rose', 'Grace', 'Chase', 'Star', ...) are
removed only in a name context (greeting, signature, 'my name is', a title)
or when the customer memory knows them, never on their own, so 'Will you
call me?', 'May I ask' and 'Star Wars' stay intact while 'Thanks, Will'
loses the name. A bare 'Will Smith' that really is a name is missed; we
accept that rather than damaging ordinary sentences. After a greeting only
one capitalised word is taken ('Hello, Chase Online' keeps 'Online') unless
it is a known first name ('Hi Sarah Jones').

Example:
    >>> redact("I'm Sarah Jones, card 4111 1111 1111 1111, mail sarah@example.com")
    "I'm [NAME] [NAME], card [CARD], mail [EMAIL]"
    >>> redact("Will you call me in May?")
    'Will you call me in May?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable

__all__ = ["AMBIGUOUS_NAMES", "FIRST_NAMES", "Finding", "find_personal_data", "luhn_ok", "redact"]

FIRST_NAMES: frozenset[str] = frozenset(
    """
aaron abdul abigail adam adrian ahmed aiden aisha alan albert alex alexander alexandra alfie ali alice alicia
alison amanda amelia amy ana andrea andrew angela anita ann anna anne annie anthony antonio archie arthur ashley
barbara ben benjamin beth betty beverly brandon brenda brian bruce bryan caitlin carl carlos caroline carmen
catherine charles charlie charlotte chloe chris christian christina christine christopher cindy claire clara
colin connor craig cynthia daniel danielle david debbie deborah denise dennis derek diana diane donald donna
dorothy douglas dylan edward elaine eleanor elena elizabeth ella ellie emily emma eric erik erin ethan eva evelyn
fatima fiona francesca freya gary george georgia gerald gloria gordon gregory hannah harold harry helen henry
howard ian isaac isabel isabella isla jacob james jamie jane janet janice jason jeffrey jennifer jeremy jessica
joan joanna joel john johnny jonathan jordan jose joseph joshua joyce juan judith julia julie justin karen
katherine kathleen kathryn katie keith kelly kenneth kevin kimberly kyle laura lauren leah leo liam linda lisa
logan lorraine louis louise lucas lucy luis luke madison maria marie marilyn martha martin mary matthew megan
melissa mia michael michelle mohammed muhammad nancy natalie nathan nicholas nicola noah oliver olivia oscar
pamela patricia patrick paul peter philip rachel raymond rebecca richard robert roger ronald ruth ryan samantha
samuel sandra sara sarah scott sean sharon shirley simon sophia sophie stephanie stephen steven susan teresa
theresa thomas timothy tyler victoria vincent walter wayne william zoe
anders astrid bjorn erik ingrid johan karin lars magnus nils olof sven
giulia marco matteo pierre sofia camille hugo jan jens klaus lena lukas mateo pablo priya raj rahul wei yuki
""".split()
)
"""Common first names, lower-case; removed wherever they appear capitalised."""

AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    """
will may bill mark rose grace june april august joy hope faith art jack sue pat rob don gene ray dawn summer
hunter chase drew frank guy iris jade lily max miles sandy rich ruby amber penny robin carol holly ivy jean bob
nick sky crystal destiny harmony heather dean earl cliff dale glen hazel olive pearl daisy angel star sunny
wade reed ward king sage river rain autumn winter alexa siri apple virgin delta
""".split()
)
"""First names that are also ordinary words: removed only in a name context (see the module docstring)."""

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{1,30}")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_ACCOUNT = re.compile(
    r"(?i)\b(?:account|acct|a/c|iban|member(?:ship)?|loyalty|frequent flyer|customer|booking|confirmation|card ending)"
    r"(?:\s+(?:number|no\.?|num|#|id|ref(?:erence)?|code|in))?\s*[:#]?\s*(\d[\d -]{3,}\d|[A-Z0-9]{6,})"
)
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")
_PHONE = re.compile(r"(?<![\w+.])(?:\+|00)?\(?\d{1,4}\)?(?:[ .\-]?\(?\d{1,5}\)?){1,6}(?![\w.]\d)(?!\w)")
_DATE_LIKE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)$"
)
_NAME_TOKEN = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_NAME_CONTEXT = re.compile(
    r"(?:\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame:|[Cc]all me|[Tt]his is|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Mx\.?)"
    r"|(?:^|[.!?]\s+|\n)(?:Hi|Hello|Hey|Dear|Thanks|Thank you|Cheers|Regards|Best|Kind regards|Best regards)[, ]+(?:(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+)?)"
    rf"\s*({_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?)"
)
_SIGNATURE = re.compile(rf"(?:(?<=\s)|^)(?:[-–—~]\s?|\^)({_NAME_TOKEN}|[A-Z]{{1,3}})\s*$", re.MULTILINE)
_WORD = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind ('email', 'phone', 'card', 'account', 'handle', 'name') and span."""

    kind: str
    start: int
    end: int
    text: str


def luhn_ok(digits: str) -> bool:
    """True when the digits pass the Luhn check used by payment cards.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112")
    (True, False)
    """
    nums = [int(c) for c in digits if c.isdigit()]
    if len(nums) < 2:
        return False
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def find_personal_data(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """All personal data found in ``text``, earliest first, without overlaps.

    ``names`` are names already known for this customer (from the customer
    memory); they are removed wherever they appear, ambiguous or not.
    """
    if not text:
        return []
    found: list[Finding] = []
    taken = [False] * len(text)

    def add(kind: str, start: int, end: int) -> bool:
        if start >= end or any(taken[start:end]):
            return False
        for i in range(start, end):
            taken[i] = True
        found.append(Finding(kind, start, end, text[start:end]))
        return True

    for m in _EMAIL.finditer(text):
        add("email", m.start(), m.end())
    for m in _HANDLE.finditer(text):
        add("handle", m.start(), m.end())
    for m in _IBAN.finditer(text):
        if _digits(m.group()) >= 8:
            add("account", m.start(), m.end())
    for m in _CARD.finditer(text):
        if 13 <= _digits(m.group()) <= 19 and luhn_ok(m.group()):
            add("card", m.start(), m.end())
    for m in _ACCOUNT.finditer(text):
        value = m.group(1).strip()
        if _digits(value) >= 4 or (value.isupper() and any(c.isdigit() for c in value)):
            add("account", m.start(1), m.start(1) + len(value))
    for m in _PHONE.finditer(text):
        s = m.group().strip()
        n = _digits(s)
        if not 7 <= n <= 15 or _DATE_LIKE.match(s):
            continue
        if "." in s and not re.search(r"[ \-()]", s.lstrip("+")):
            # dots only: a phone is 3.3.4 (after an optional country code); versions and IP addresses are not
            groups = [len(g) for g in s.lstrip("+").split(".")]
            if groups[-3:] != [3, 3, 4] or len(groups) > 4:
                continue
        grouped = bool(re.search(r"[ .\-()]", s)) or s.startswith(("+", "00"))
        if grouped or n >= 10:
            add("phone", m.start(), m.start() + len(s))
    for m in _LONG_DIGITS.finditer(text):
        add("account", m.start(), m.end())
    _find_names(text, {n.strip().lower() for n in names if n and n.strip()}, add)
    return sorted(found, key=lambda f: f.start)


def _find_names(text: str, known: set[str], add) -> bool:
    known_parts = {part for n in known for part in n.split()}
    greeting = re.compile(
        r"^\W*(hi|hello|hey|dear|thanks|thank you|cheers|regards|best|kind regards|best regards)\b", re.I
    )
    for m in _NAME_CONTEXT.finditer(text):
        parts = list(re.finditer(_NAME_TOKEN, m.group(1)))
        lead = m.group(0).lstrip().lower()
        titled = re.search(r"\b(mr|mrs|ms|miss|dr|mx)\.?\s*$", m.group(0)[: m.start(1) - m.start(0)], re.I)
        if greeting.match(lead) and not titled and parts and parts[0].group().lower() not in FIRST_NAMES | known_parts:
            parts = parts[:1]  # 'Hello, Chase Online': one word after a greeting, unless it is a known first name
        for part in parts:
            word = part.group().lower()
            # 'This is Terrible' / 'Thanks Team': a context word followed by a non-name stays.
            if lead.startswith("this is") and word not in FIRST_NAMES | AMBIGUOUS_NAMES:
                break
            if word in _NOT_NAMES:
                break
            add("name", m.start(1) + part.start(), m.start(1) + part.end())
    for m in _SIGNATURE.finditer(text):
        word = m.group(1)
        if word.lower() in _NOT_NAMES:
            continue
        add("name", m.start(1), m.end(1))
    words = [w for w in _WORD.finditer(text) if not (w.start() and text[w.start() - 1] in "@#")]
    for i, m in enumerate(words):
        w = m.group().lower()
        if not (w in known_parts or w in FIRST_NAMES):
            continue  # ambiguous first names ('Will', 'May', 'Chase') only in a name context, above
        if not add("name", m.start(), m.end()):
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        if (
            nxt is not None
            and text[m.end() : nxt.start()] == " "
            and nxt.group().lower() not in _NOT_NAMES
            and nxt.group().lower() not in AMBIGUOUS_NAMES | _COMMON_CAPITALISED
        ):
            add("name", nxt.start(), nxt.end())
    for name in known:
        for m in re.finditer(rf"(?i)\b{re.escape(name)}\b", text):
            add("name", m.start(), m.end())
    return True


# Capitalised words that follow a name context but are not names ('Hi Team', 'This is Ridiculous').
_NOT_NAMES = frozenset(
    """
team there all everyone guys folks again so sir madam i the a an it this that we you they my our your
not just very really absolutely ridiculous terrible awful unacceptable great amazing insane crazy
airline airlines airport flight support service customer customers help care desk
monday tuesday wednesday thursday friday saturday sunday january february march july september october
november december today tomorrow yesterday tonight please thanks thank hello hi hey dear
mr mrs ms miss dr mx happy merry
""".split()
)

# Capitalised words that often follow a first name without being a surname ('Paul Is here' is rare, 'Sarah Online' rarer).
_COMMON_CAPITALISED = frozenset(
    """is are was can could will would yes no ok okay online support team here and or but
i im i'm the a an at in on of to from for with please thanks""".split()
)

_TAGS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "account": "[ACCOUNT]",
    "handle": "[HANDLE]",
    "name": "[NAME]",
}


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with every piece of personal data replaced by its tag ([EMAIL], [PHONE], [CARD], ...)."""
    if not text:
        return text
    out, last = [], 0
    for f in find_personal_data(text, names=names):
        out.append(text[last : f.start])
        out.append(_TAGS[f.kind])
        last = f.end
    out.append(text[last:])
    return "".join(out)
