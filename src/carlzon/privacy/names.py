"""People's names in customer text: a lexicon of many origins and the rules that find names with it.

The lexicon is Faker's person providers (first and last names of 80 locales,
Latin script: about 21,000 first names and 20,000 surnames, maintained with
Faker) plus carlzon's short list of common first names. Such a lexicon also
holds ordinary words ('Can', 'Long', 'Street', 'China'), so a word of it is
taken as a name only where the text says it is one:

- after a name context, in any case: 'my name is', "I'm", 'this is', 'call me',
  'ask for', 'spoke to', 'booked for', 'by', a title (Mr, Ms, Dr), a greeting or
  sign-off ('Hi', 'Dear', 'Thanks,', 'regards,', 'signed -'), a label ('Name:',
  'Customer:'): the next one to three words of the lexicon (or capitalised);
- as a pair of capitalised words (or one in capitals: 'JOHN SMITH') that the
  lexicon knows as first or last names, neither of them a common word;
- alone, capitalised, when it is on carlzon's list of unambiguous first names.

Example:
    >>> [f[2] for f in find_names("this is mohammed al-rashid, and Will Smith sat next to me")]
    ['mohammed', 'al-rashid', 'Will', 'Smith']
    >>> find_names("Will you call me back in May? Main Street was closed.")
    []
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from collections.abc import Iterable

__all__ = ["COMMON_WORDS", "find_names", "first_names", "last_names"]

_TOKEN = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žȘ-țḀ-ỹ]+(?:['’\-][A-Za-zÀ-ÖØ-öø-ÿĀ-žȘ-țḀ-ỹ]+)*"
_WORD = re.compile(_TOKEN)
_LATIN = re.compile(rf"^{_TOKEN}$")

COMMON_WORDS: frozenset[str] = frozenset(
    """
a an the and or but if so as at by for from in into of on onto to with without about after before over under
i me my mine we us our you your he him his she her it its they them their this that these those there here
is am are was were be been being do does did done have has had having can could will would shall should may
might must not no yes ok okay just very really too also still again even ever never always only much many
more most less least some any all every each both either neither other another such own same than then now
when where why how what which who whom whose while until since because though although however
please thanks thank hello hi hey dear sir madam team everyone guys folks customer customers service support
help staff crew agent manager driver pilot flight flights airline airlines airport gate seat bag bags luggage
hotel room rooms desk counter lounge booking ticket order delivery parcel refund payment card account app
street st road rd avenue ave lane ln drive dr way court place square park hill station city town north south
east west main high new old long best good great bad worst nice fine poor last first next late early
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december today tomorrow yesterday tonight morning evening night week month year
summer winter spring autumn fall christmas easter
china chinese japan japanese india indian paris london berlin rome madrid america american english british
german germany french france spanish spain italian italy swedish sweden turkish turkey dutch brazil mexico
canada canadian europe european africa african asia asian
love hope joy grace faith glory honor honour happy merry lucky sunny bright gold silver king queen prince
royal rich young brown white black green gray grey red blue rose lily ivy daisy
""".split()
)
"""Words that are also in name lists but far more often mean something else: never taken as a name by the
pair rule (a name context or the customer memory still takes them)."""

_FIRST = frozenset(
    """
aaron abdul abigail adam adrian ahmed aiden aisha alan albert alex alexander alexandra ali alice alicia alison
amanda amelia amy ana andrea andrew angela anita ann anna anne annie anthony antonio archie arthur ashley
barbara ben benjamin beth betty brandon brenda brian bruce bryan caitlin carl carlos caroline carmen catherine
charles charlie charlotte chloe chris christian christina christine christopher cindy claire clara colin connor
craig cynthia daniel danielle david debbie deborah denise dennis derek diana diane donald donna dorothy douglas
dylan edward elaine eleanor elena elizabeth ella ellie emily emma eric erik erin ethan eva evelyn fatima fiona
francesca freya gary george georgia gerald gloria gordon gregory hannah harold harry helen henry howard ian
isaac isabel isabella isla jacob james jamie jane janet janice jason jeffrey jennifer jeremy jessica joan
joanna joel john johnny jonathan jordan jose joseph joshua joyce juan judith julia julie justin karen katherine
kathleen kathryn katie keith kelly kenneth kevin kimberly kyle laura lauren leah leo liam linda lisa logan
lorraine louis louise lucas lucy luis luke madison maria marie marilyn martha martin mary matthew megan melissa
mia michael michelle mohammed muhammad nancy natalie nathan nicholas nicola noah oliver olivia oscar pamela
patricia patrick paul peter philip rachel raymond rebecca richard robert roger ronald ruth ryan samantha samuel
sandra sara sarah scott sean sharon shirley simon sophia sophie stephanie stephen steven susan teresa theresa
thomas timothy tyler victoria vincent walter wayne william zoe anders astrid bjorn björn erik ingrid johan karin
lars magnus nils olof sven giulia marco matteo pierre sofia camille hugo jan jens klaus lena lukas mateo pablo
priya raj rahul wei yuki oskar oluwaseun chidi ngozi kwame kofi amara aditya arjun ananya deepak sanjay sunita
vikram mei ling hiroshi kenji haruto sakura yusuf omar layla hassan mustafa zainab aleksandr dmitri olga
svetlana ivan katarzyna piotr agnieszka tomasz siobhan niamh aoife ciara seamus mateusz joão thiago gabriela
""".split()
)
"""Common first names, lower-case: taken alone, when capitalised, anywhere."""

_FUNCTION = frozenset(
    """a an the and or but if so to of in on at by for from with as i me my we our you your he
his she her it its they their this that these those there here is are was were be do does did have has had
not no yes""".split()
)

_CONTEXT = re.compile(
    r"(?i)(?:my name is|my name's|name\s*:|customer\s*:|passenger\s*:|i'?m\b|i’m\b|i am\b|this is\b|call me\b|"
    r"ask for\b|spoke (?:to|with)\b|talked to\b|booked (?:for|by)\b|raised by\b|submitted by\b|"
    r"(?:mr|mrs|ms|miss|dr|mx)\b\.?|(?:hi|hello|hey|dear)\b,?|"
    r"(?:thanks|thank you|cheers|regards|best regards|kind regards|signed|sincerely|yours)\b\s*[,:\-–—]?)\s*"
)
"""A name context, matched where a word starts (see :func:`_contexts`)."""
_CONTEXT_FIRST = frozenset(
    """my name customer passenger i i'm i’m im this call ask spoke talked booked raised
submitted mr mrs ms miss dr mx hi hello hey dear thanks thank cheers regards best kind signed sincerely
yours""".split()
)
_SALUTATION = frozenset(("hi", "hello", "hey", "dear"))
_TITLE = re.compile(r"(?i)\b(?:mr|mrs|ms|miss|dr|mx)\b\.?\s*$")
_NOT_AFTER_CONTEXT = COMMON_WORDS | frozenset(
    """here there sorry so not going writing calling trying waiting still
again ridiculous terrible awful unacceptable disappointed furious angry upset done back home booked travelling
flying stuck""".split()
)


_GREETING = re.compile(
    r"(?i)\W*(?:hi|hello|hey|dear|thanks|thank you|cheers|regards|best regards|kind regards|"
    r"signed|sincerely|yours)\b"
)
_NOT_NAMES_AT_END = frozenset(
    """team everyone everybody all guys folks again so much you anyway again there
sir madam""".split()
)
_SIGNATURE = re.compile(
    r"(?:(?<=\s)|^)(?:[-–—~]\s?|\^)([A-Z][a-zà-ÿ]+(?:[-'][A-Z]?[a-zà-ÿ]+)?|[A-Z]{1,3})\s*$", re.MULTILINE
)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names), lower-case, from Faker's person providers and carlzon's list."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    firsts: set[str] = set(_FIRST)
    lasts: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        for attr in dir(provider):
            if not attr.startswith(("first_name", "last_name", "first_romanized", "last_romanized")):
                continue
            value = getattr(provider, attr, None)
            if isinstance(value, dict):
                value = list(value)
            if not isinstance(value, (list, tuple, set, frozenset)):
                continue
            words = {w.lower() for w in value if isinstance(w, str) and _LATIN.match(w)}
            (firsts if attr.startswith("first") else lasts).update(words)
    return frozenset(firsts), frozenset(lasts)


def first_names() -> frozenset[str]:
    """Every first name of the lexicon (lower-case)."""
    return _lexicon()[0]


def last_names() -> frozenset[str]:
    """Every last name of the lexicon (lower-case)."""
    return _lexicon()[1]


def _is_name(word: str) -> bool:
    w = word.lower()
    firsts, lasts = _lexicon()
    return w in firsts or w in lasts or any(p in firsts or p in lasts for p in re.split(r"['’\-]", w) if len(p) > 2)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or word.isupper() or bool(re.search(r"['’\-]", word)))


def _contexts(text: str, words: list[re.Match]) -> list[re.Match]:
    """The name contexts of ``text``: tried only where a word that can start one starts (fast on long text);
    a salutation ('Hi', 'Dear') only at the start of a sentence."""
    out = []
    for w in words:
        low = w.group().lower()
        if low not in _CONTEXT_FIRST:
            continue
        if low in _SALUTATION and text[: w.start()].rstrip(" \t")[-1:] not in ("", ".", "!", "?", "\n"):
            continue
        m = _CONTEXT.match(text, w.start())
        if m:
            out.append(m)
    return out


def find_names(text: str, *, known: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """Spans ``(start, end, word)`` of the names in ``text``; ``known``: names of this customer, found anywhere."""
    out: list[tuple[int, int, str]] = []
    taken: set[int] = set()

    def add(m: re.Match, group: int = 0) -> None:
        if m.start(group) not in taken:
            taken.add(m.start(group))
            out.append((m.start(group), m.end(group), m.group(group)))

    words = list(_WORD.finditer(text))
    starts = [w.start() for w in words]
    # 1. after a name context: up to three words of the lexicon (any case) or capitalised
    for c in _contexts(text, words):
        titled = bool(_TITLE.search(c.group()))
        greets = bool(_GREETING.match(c.group()))
        first = bisect_left(starts, c.end())
        after = words[first : first + 3]
        for k, w in enumerate(after):
            gap = text[(after[k - 1].end() if k else c.end()) : w.start()]
            if k and not re.fullmatch(r"\s+", gap):
                break
            low = w.group().lower()
            at_end = bool(re.fullmatch(r"[\s.!,;:)]*", text[w.end() :].split("\n")[0]))
            if (
                k == 0
                and greets
                and _capitalised(w.group())
                and low not in _NOT_NAMES_AT_END
                and (at_end or text[w.end() : w.end() + 1] in (",", ".", "!"))
            ):
                add(w)  # 'Thanks, Will.', 'Hi Bill,': the word a greeting or sign-off names is a name
                break
            if low in _NOT_AFTER_CONTEXT or not (
                _is_name(low)
                or (k and at_end)  # 'regards, anna kowalski'
                or (_capitalised(w.group()) and (titled or k))
            ):
                break
            add(w)
    # 2. pairs of capitalised lexicon words
    firsts, lasts = _lexicon()
    for a, b in zip(words, words[1:]):
        wa, wb = a.group(), b.group()
        if not (wa[0].isupper() and wb[0].isupper()):
            continue
        gap = text[a.end() : b.start()]
        if not gap or gap.strip(" "):
            continue
        if not (_capitalised(wa) and _capitalised(wb)) or wb.lower() in COMMON_WORDS or wa.lower() in _FUNCTION:
            continue
        known_a, known_b = _is_name(wa), _is_name(wb)
        if wa.lower() in COMMON_WORDS:  # 'Will Smith', 'Grace Kelly': a first name that is a word, then a surname
            hit = wa.lower() in firsts and wb.lower() in lasts
        else:
            surname = any(p in lasts for p in re.split(r"['’\-]", wb.lower()) if len(p) > 2)
            hit = (known_a and known_b) or (surname and len(wa) > 2) or (known_a and wa.lower() in _FIRST)
        if hit:
            add(a)
            add(b)
    # 3. a signature: '- Anna', '^JK' at the end of a line
    for m in _SIGNATURE.finditer(text):
        if m.group(1).lower() not in _NOT_NAMES_AT_END:
            add(m, 1)
    # 4. unambiguous first names alone; the customer's own names anywhere
    for w in words:
        if w.group().lower() in _FIRST and _capitalised(w.group()):
            add(w)
    for name in {n.strip() for n in known if n and n.strip()}:
        for m in re.finditer(rf"(?i)\b{re.escape(name)}\b", text):
            add(m)
        for part in name.split():
            if len(part) > 2:
                for m in re.finditer(rf"(?i)\b{re.escape(part)}\b", text):
                    add(m)
    return sorted(out)
