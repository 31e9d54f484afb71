"""Text scorers for languages other than English, where a maintained offline lexicon exists.

The one available is Danish: AFINN-da (Finn Årup Nielsen's word list, ODbL, shipped in the ``afinn``
package, whose code is GPL: so it is the optional extra ``pip install 'carlzon[lexicons]'``; without it
Danish texts are "not read" like any other language), 3,552 words and phrases rated -5..+5, read onto the scorer's -4..+4 scale
with Danish negations, intensifiers and "men" (but) added here. AFINN's repository has lists for more
languages, but its PyPI release carries Danish and English only, and no other maintained offline
lexicon installs cleanly (vaderSentiment-swedish replaces the English vaderSentiment package;
vaderSentiment-fr needs a GPL dependency). ``python bench/languages.py`` measures the Danish scorer
on labelled Danish texts beside the English scorer on the same texts.

Example (with the lexicons extra installed):
    >>> s = foreign_scorer("da")  # doctest: +SKIP
    >>> [str(v) for v in s.score(["Rigtig god service", "ikke god"]).valence()]  # doctest: +SKIP
    ['magic', 'misery']
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from carlzon.errors import MissingExtraError

__all__ = ["LEXICON_LANGUAGES", "available", "foreign_scorer"]

LEXICON_LANGUAGES = {"da": "AFINN-da-32.txt"}
"""Languages with an offline lexicon, and the AFINN file of each."""

_CONTROL = {
    "da": [
        ("ikke|aldrig|ingen|intet|hverken|uden|ej", 0, 0, "negation"),
        (
            "meget|rigtig|virkelig|helt|utrolig|utroligt|super|vildt|ekstremt|særdeles|mega|total|totalt|alt",
            0.3,
            0.2,
            "intensifier",
        ),
        ("lidt|noget|ret|temmelig", -0.3, 0, "dampener"),
        ("men|dog", 0, 0, "contrast"),
    ],
}


def available(language: str) -> bool:
    """Whether a lexicon for ``language`` is installed (the ``lexicons`` extra)."""
    if language not in LEXICON_LANGUAGES:
        return False
    import importlib.util

    return importlib.util.find_spec("afinn") is not None


def _afinn_file(name: str) -> Path:
    try:
        import afinn
    except ImportError:
        raise MissingExtraError("lexicons", "afinn") from None
    return Path(afinn.__file__).parent / "data" / name


@cache
def _lexicon_path(language: str) -> Path:
    """The language's lexicon as a carlzon lexicon TSV (written once into the temporary folder)."""
    lines = ["# built by carlzon from AFINN (ODbL) for language " + language]
    for phrase, valence, intensity, category in _CONTROL.get(language, []):
        lines.append(f"{phrase}\t{valence}\t{intensity}\tlow\t{category}")
    seen = {w for p, *_ in _CONTROL.get(language, []) for w in p.split("|")}
    for raw in _afinn_file(LEXICON_LANGUAGES[language]).read_text(encoding="utf-8").splitlines():
        if "\t" not in raw:
            continue
        word, score = raw.rsplit("\t", 1)
        word = word.strip().lower()
        if not word or word in seen or "|" in word or len(word.split()) > 4:
            continue
        seen.add(word)
        v = max(-4.0, min(4.0, float(score) * 0.8))
        lines.append(f"{word}\t{v:g}\t{min(1.0, abs(v) / 4):.2f}\tlow\tvader")
    text = "\n".join(lines) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"carlzon-lexicon-{language}-{digest}.tsv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


@cache
def foreign_scorer(language: str) -> Any:
    """A :class:`~carlzon.detect.text.TextScorer` for ``language`` (one of :data:`LEXICON_LANGUAGES`)."""
    from carlzon.detect.text import TextScorer

    scorer = TextScorer(lexicon=_lexicon_path(language), vader=False)
    scorer.languages = (language,)
    return scorer
