"""The text scorer: valence, intensity and stakes of customer text, in vectorised batches.

Texts are tokenised with Arrow compute kernels (one pass over all texts, no Python
loop over words); tokens and their 2- to 5-word phrases are looked up in the merged
lexicon (see :mod:`carlzon.detect.lexicon`); negation, intensifiers, capitals,
contrast ("but"), concession ("although"), sarcasm ("love waiting on hold") and
politeness ("kindly", "please help": not praise) are applied with shifted NumPy
arrays, and every text is summed with ``np.bincount``. The evidence of a text is
built only when asked for.

Example:
    >>> from carlzon.detect.text import TextScorer
    >>> res = TextScorer().score(["They lost my bag and nobody called back", "No problems at all!"])
    >>> [round(float(s), 2) > 0 for s in res.score]
    [False, True]
    >>> res.stakes[0], res.events(0)
    ('high', ['lost_item', 'ignored'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carlzon.detect.lexicon import (
    CONTROL_CATEGORIES,
    NOT_EVENTS,
    STAKES,
    category_label,
    load_service_lexicon,
    load_vader_lexicon,
)
from carlzon.errors import DetectError
from carlzon.schema import Evidence

__all__ = ["TextScorer", "TextScores", "tokenize"]

MAX_NGRAM = 5
NEGATION_WINDOW = 3
SARCASM_WINDOW = 5
NEGATED_POSITIVE = -0.7  # "not helpful": a negated praise is a complaint
NEGATED_NEGATIVE = -0.5  # "not rude": a negated complaint is mild relief
UN_SCALE = (
    -0.7
)  # "uncourteous" = -0.7 x "courteous" (VADER's own pairs: unfriendly / friendly -0.68, unkind / kind -0.67)
_NOT_UN_ANTONYMS = frozenset({"unlike", "unless", "until", "unto", "under", "united", "union", "unit", "unique"})
CAPS_BOOST = 1.5
EXCLAIM_BOOST = 0.29  # per '!' (at most 4), towards the sign of the text
NORMALISE_ALPHA = 15.0  # score = S / sqrt(S^2 + alpha), as VADER
HEDGED = 0.5  # praise before a wish word in its clause ("friendly if a bit slow") weighs half
QUESTION_COMPLAINT = 2.0
_COMPARATIVES = pa.array(
    ["better", "nicer", "cleaner", "faster", "quicker", "friendlier", "fresher", "warmer", "improved", "bigger"]
)  # in a question, only words at least this strong (a complaint) count
DEFAULT_THRESHOLD = 0.05

_DETERMINERS = ["my", "our", "the", "a", "an", "your", "his", "her", "their", "its"]
_NUMBER_WORDS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "several",
    "few",
    "couple",
    "many",
    "multiple",
]
_FLAGS = {
    "negation": 1,
    "contrast": 2,
    "concession": 3,
    "sarcasm_cue": 4,
    "thanks": 5,
    "irrealis": 6,
    "politeness": 7,
    "scare": 8,
}
_SCARE_QUOTES = r"[\"“]\s*((?:[\w'’-]+\s+){0,2}[\w'’-]+)\s*[\"”]"  # a quoted word or two: 'their "service"'
_NOT_EVENTS = NOT_EVENTS

_EMOTICONS = [  # (pattern, token); run only on texts that have an emoticon character
    (r"<3+", " emo_heart "),
    (r"(?:^|\s)(?:[:=;]-?['’]|>:-?)\(|[:=]-?[(\[]+|(?:^|\s)[:=]-?[/\\@](?:\s|$)", " emo_frown "),
    (r"[:=]-?[)\]]+|;-?[)\]]+|[:=;]-?[dDpP]\b|\b[xX][dD]\b|\^_+\^", " emo_smile "),
]
_EMOTICON_HINT = r"[:;=<^]|\b[xX][dD]\b"
_SCARE_MARK = "scarequote"  # put before a quoted word or two; the lexicon's `scare` entry
_SHOWN = {"emo_heart": "<3", "emo_frown": ":(", "emo_smile": ":)", _SCARE_MARK: '"'}
_EMOJI_CLASS = r"\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}\x{2B00}-\x{2BFF}\x{2300}-\x{23FF}"
_EMOJI = f"[{_EMOJI_CLASS}]"


def _on_subset(arr: pa.Array, mask: pa.Array, fn) -> pa.Array:
    """Apply fn only to the texts where mask is true (rare patterns stay cheap)."""
    share = pc.mean(pc.cast(mask, pa.int8())).as_py() or 0.0
    if share == 0.0:
        return arr
    if share > 0.5:
        return fn(arr)
    return pc.replace_with_mask(arr, mask, fn(arr.filter(mask)))


def _emoticons(s: pa.Array) -> pa.Array:
    for pattern, token in _EMOTICONS:
        s = pc.replace_substring_regex(s, pattern, token)
    return s


def _unicode(s: pa.Array) -> pa.Array:
    s = pc.replace_substring_regex(s, r"[’‘´]", "'")
    s = pc.replace_substring_regex(s, r"[\x{FE0F}\x{200D}\x{1F3FB}-\x{1F3FF}]", "")
    return pc.replace_substring_regex(s, _EMOJI, r" \0 ")


def _prepare(arr: pa.Array) -> pa.ListArray:
    """Texts -> lists of raw tokens (case kept); ',' and '?' tokens end a clause."""
    s = _on_subset(
        arr,
        pc.match_substring_regex(arr, r"http|www\.|@|&"),
        lambda x: pc.replace_substring_regex(x, r"https?://\S+|www\.\S+|@\w+|&#?\w{1,6};", " "),
    )
    # '#NeverAgain' -> 'Never Again'
    s = _on_subset(
        s, pc.match_substring(s, "#"), lambda x: pc.replace_substring_regex(x, r"(\p{Ll})(\p{Lu})", r"\1 \2")
    )
    s = _on_subset(s, pc.match_substring_regex(s, _EMOTICON_HINT), _emoticons)
    s = _on_subset(s, pc.invert(pc.string_is_ascii(s)), _unicode)
    # a quoted word or two is its own clause, marked: praise in scare quotes is sarcasm
    s = _on_subset(
        s,
        pc.match_substring_regex(s, '["“”]'),
        lambda x: pc.replace_substring_regex(x, _SCARE_QUOTES, rf" , {_SCARE_MARK} \1 , "),
    )
    s = pc.replace_substring_regex(s, r"(\?)\?*|[.,;:!()\[\]{}\"“”…–—]+", r" \1 , ")
    s = pc.replace_substring_regex(s, rf"[^\p{{L}}\p{{N}}\p{{M}}'_,?\s{_EMOJI_CLASS}]+|(?:^|\s)'+|'+(?:\s|$)", " ")
    return pc.ascii_split_whitespace(s)


def _as_array(texts: Any) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if isinstance(texts, pa.Array):
        if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
            raise DetectError(f"texts have type {texts.type}", fix="pass strings (cast the column to string)")
        return pc.fill_null(texts.cast(pa.string()), "")
    if isinstance(texts, str):
        raise DetectError("texts is one string", fix="pass a list of texts, e.g. score([text])")
    try:
        arr = pa.array(texts, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
        raise DetectError(
            f"texts must be strings or None ({exc})", fix="convert the text column with .astype(str)"
        ) from None
    return pc.fill_null(arr, "")


def tokenize(texts: Sequence[str | None] | pa.Array) -> list[list[str]]:
    """Tokens as the scorer sees them (lower-cased), one list per text.

    >>> tokenize(["Lost my bag :( #fail"])
    [['lost', 'my', 'bag', 'emo_frown', 'fail']]
    """
    lists = _prepare(_as_array(texts))
    out = []
    for toks in lists.to_pylist():
        toks = [t.lower().strip("'") for t in toks]
        out.append([t for t in toks if t])
    return out


@dataclass
class _Table:
    """The compiled lexicon: per-entry arrays, the vocabulary and the phrase codes."""

    phrases: list[str]
    category: np.ndarray  # object
    valence: np.ndarray
    intensity: np.ndarray
    stakes: np.ndarray  # int8 index into STAKES
    boost: np.ndarray
    flags: np.ndarray  # int8 code of the steering categories (_FLAGS), 0 otherwise
    is_event: np.ndarray  # bool: a service event (not a control word, emoji or plain word)
    version: str
    vocab: pa.Array  # every word the lexicon knows (single words and words of phrases)
    uni_entry: np.ndarray  # vocab id -> entry id of the single word, -1 if none
    word_pid: np.ndarray  # vocab id -> phrase-word id (determiners as 'my'), -1 if in no phrase
    zero_vid: int  # vocab id of '0' (numbers)
    base: int  # number of phrase words
    codes: dict[int, np.ndarray]  # n -> sorted int64 codes of the n-word phrases
    code_ids: dict[int, np.ndarray]  # n -> entry id of each code


def _phrase_key(token: str) -> str:
    if token in _DETERMINERS:
        return "my"
    return "0" if token.isdigit() or token in _NUMBER_WORDS else token


def industry_lexicon(industry: str | None) -> str | None:
    """The path of the built-in lexicon of an industry's own words (``industry_<industry>.tsv``: "SWIFT" and
    "freeze" at a bank, a guest's own "I arrived late" at a hotel), or None when it has none."""
    import re
    from importlib import resources

    if not industry:
        return None
    slug = re.sub(r"[^a-z0-9]+", "_", str(industry).lower()).strip("_")
    f = resources.files("carlzon.detect").joinpath(f"industry_{slug}.tsv")
    return str(f) if f.is_file() else None


def _compile(path: str | Path | None, use_vader: bool, industry_path: str | None = None) -> _Table:
    # an industry's entries come last and so override the general ones with the same words
    entries = load_service_lexicon(path) + (load_service_lexicon(industry_path) if industry_path else [])
    rows: dict[tuple[int, str], tuple[str, float, float, int, str]] = {}
    if use_vader:
        vader = load_vader_lexicon()
        words = list(vader)
        toks = tokenize(words)
        for word, tok in zip(words, toks):
            if len(tok) != 1 or tok[0] != word:
                continue
            rows[(1, word)] = (word, vader[word], min(1.0, abs(vader[word]) / 4.0), 0, "vader")
            # the un- antonym of a positive word VADER lacks ("uncourteous", "uncaring", "unsympathetic")
            un = "un" + word
            if vader[word] > 0 and word.isalpha() and un not in vader and un not in _NOT_UN_ANTONYMS:
                v = round(UN_SCALE * vader[word], 2)
                rows[(1, un)] = (un, v, min(1.0, abs(v) / 4.0), 0, "vader")
    phrase_tokens = tokenize([e.phrase for e in entries])
    for e, tok in zip(entries, phrase_tokens):
        if not tok:
            continue
        key = tok[0] if len(tok) == 1 else " ".join(_phrase_key(t) for t in tok)
        if len(tok) > MAX_NGRAM:
            raise DetectError(
                f"phrase {e.phrase!r} has {len(tok)} words",
                where=f"service_lexicon.tsv:{e.line}",
                fix=f"use at most {MAX_NGRAM}",
            )
        rows[(len(tok), key)] = (e.phrase, e.valence, e.intensity, STAKES.index(e.stakes), e.category)
    ordered = list(rows.items())
    digest = hashlib.sha256(repr(sorted(rows.items())).encode("utf-8")).hexdigest()[:12]
    phrases = [v[0] for _, v in ordered]
    cat = np.array([v[4] for _, v in ordered], dtype=object)
    val = np.array([v[1] for _, v in ordered], dtype=np.float64)
    is_boost = np.isin(cat, ["intensifier", "dampener"])
    # one vocabulary for single words and the words of phrases; phrase words get a small id
    # so that an n-word phrase is one int64 code: sum(id_j * base ** (n - 1 - j))
    phrase_words = sorted({w for (n, k) in rows if n > 1 for w in k.split(" ")} | {"my", "0"})
    pid = {w: i for i, w in enumerate(phrase_words)}
    base = len(phrase_words)
    if base**MAX_NGRAM >= 2**63:
        raise DetectError(f"the lexicon's phrases use {base} distinct words", fix="use fewer distinct words in phrases")
    vocab = sorted({k for (n, k) in rows if n == 1} | set(phrase_words) | set(_DETERMINERS) | set(_NUMBER_WORDS))
    vid = {w: i for i, w in enumerate(vocab)}
    uni_entry = np.full(len(vocab), -1, dtype=np.int64)
    word_pid = np.full(len(vocab), -1, dtype=np.int64)
    for w, i in vid.items():
        # in phrases, determiners read as 'my' and numbers ('45', 'three') as '0'
        word_pid[i] = pid["my"] if w in _DETERMINERS else pid["0"] if w in _NUMBER_WORDS else pid.get(w, -1)
    codes: dict[int, np.ndarray] = {}
    code_ids: dict[int, np.ndarray] = {}
    for n in range(2, MAX_NGRAM + 1):
        sel = [(i, k[1]) for i, (k, _) in enumerate(ordered) if k[0] == n]
        c = np.array(
            [sum(pid[w] * base ** (n - 1 - j) for j, w in enumerate(k.split(" "))) for _, k in sel], dtype=np.int64
        )
        order = np.argsort(c, kind="stable")
        codes[n] = c[order]
        code_ids[n] = np.array([i for i, _ in sel], dtype=np.int64)[order]
    for i, (k, _) in enumerate(ordered):
        if k[0] == 1:
            uni_entry[vid[k[1]]] = i
    return _Table(
        phrases=phrases,
        category=cat,
        valence=np.where(is_boost, 0.0, val),
        intensity=np.array([v[2] for _, v in ordered], dtype=np.float64),
        stakes=np.array([v[3] for _, v in ordered], dtype=np.int8),
        boost=np.where(is_boost, val, 0.0),
        flags=np.array([_FLAGS.get(c, 0) for c in cat], dtype=np.int8),
        is_event=np.array([c not in _NOT_EVENTS for c in cat], dtype=bool),
        version=f"service-{digest}" + ("+vader" if use_vader else ""),
        vocab=pa.array(vocab, type=pa.string()),
        uni_entry=uni_entry,
        word_pid=word_pid,
        zero_vid=vid["0"],
        base=base,
        codes=codes,
        code_ids=code_ids,
    )


@lru_cache(maxsize=8)
def _compiled(path: str | None, use_vader: bool, industry_path: str | None = None) -> _Table:
    return _compile(path, use_vader, industry_path)


def _after_in_clause(mask: np.ndarray, clause: np.ndarray) -> np.ndarray:
    """Each word: is it at or after a word of ``mask`` in its clause (``clause``: non-decreasing clause ids)?"""
    csum = np.cumsum(mask)
    opens = np.diff(clause, prepend=-1) != 0
    before = np.maximum.accumulate(np.where(opens, csum - mask, 0))  # mask words before the word's clause
    return (csum - before) > 0


def _shift(a: np.ndarray, k: int, fill: Any = 0) -> np.ndarray:
    """a shifted right by k (k>0: value of position i-k at i) or left (k<0)."""
    out = np.full_like(a, fill)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


class TextScorer:
    """Scores customer texts: valence in [-1, 1], intensity in [0, 1], stakes, evidence.

    The lexicon is compiled once per process (``lexicon`` = path of another TSV in the
    same format; ``vader=False`` drops the VADER words; ``industry`` = a journey's industry adds that
    industry's own readings of words, see :func:`industry_lexicon`).

    >>> res = TextScorer().score(["Kindly check my booking", "Great, another delay"])
    >>> [str(v) for v in res.valence()]
    ['neutral', 'misery']
    """

    languages: tuple[str, ...] = ("en",)
    """The languages whose texts this scorer reads (a foreign lexicon's scorer sets its own)."""

    def __init__(self, *, lexicon: str | Path | None = None, vader: bool = True, industry: str | None = None) -> None:
        self.industry = industry or None
        self.table = _compiled(str(lexicon) if lexicon is not None else None, vader, industry_lexicon(industry))
        self.version = self.table.version
        """Identifies the lexicon (a hash of its entries), saved with trained models."""

    def score(self, texts: Sequence[str | None] | pa.Array | Any) -> TextScores:
        """Score a batch of texts (list, pandas Series or Arrow string array; None = empty)."""
        t = self.table
        arr = _as_array(texts)
        n = len(arr)
        raw_lists = _prepare(arr)
        offsets = np.asarray(raw_lists.offsets, dtype=np.int64)
        orig = raw_lists.flatten()
        if len(orig) != offsets[-1] - offsets[0]:
            raise DetectError("could not tokenise the texts", fix="report this input to the carlzon developers")
        offsets = offsets - offsets[0]
        lengths = np.diff(offsets)
        T = len(orig)
        text_id = np.repeat(np.arange(n, dtype=np.int64), lengths)
        lower = pc.utf8_lower(orig)

        # -- lexicon lookup: longest phrase first, then single words
        hit = np.full(T, -1, dtype=np.int64)
        hit_len = np.zeros(T, dtype=np.int64)
        covered = np.zeros(T + 1, dtype=np.int64)
        if T:
            vid = pc.index_in(lower, value_set=t.vocab).fill_null(-1).to_numpy(zero_copy_only=False)
            vid = np.where(np.asarray(pc.utf8_is_digit(lower), dtype=bool), t.zero_vid, vid)  # '45 min' -> '0 min'
            pid = np.where(vid >= 0, t.word_pid[vid], -1)
            for m in range(MAX_NGRAM, 1, -1):
                if T < m or len(t.codes[m]) == 0:
                    continue
                L = T - m + 1
                ok = text_id[:L] == text_id[m - 1 :]
                code = np.zeros(L, dtype=np.int64)
                for j in range(m):
                    part = pid[j : j + L]
                    ok &= part >= 0
                    code = code * t.base + part
                cand = np.flatnonzero(ok)
                if not len(cand):
                    continue
                where = np.searchsorted(t.codes[m], code[cand])
                where = np.minimum(where, len(t.codes[m]) - 1)
                found = t.codes[m][where] == code[cand]
                cand, where = cand[found], where[found]
                if not len(cand):
                    continue
                csum = np.concatenate([[0], np.cumsum(covered[:T] > 0)])
                free = (csum[cand + m] - csum[cand]) == 0
                pos = cand[free]
                hit[pos] = t.code_ids[m][where[free]]
                hit_len[pos] = m
                diff = np.zeros(T + 1, dtype=np.int64)
                np.add.at(diff, pos, 1)
                np.add.at(diff, pos + m, -1)
                covered[:T] += np.cumsum(diff)[:T]
            uni = (vid >= 0) & (covered[:T] == 0)
            uni &= np.where(uni, t.uni_entry[np.maximum(vid, 0)], -1) >= 0
            hit[uni] = t.uni_entry[vid[uni]]
            hit_len[uni] = 1
        is_hit = hit >= 0
        safe = np.where(is_hit, hit, 0)
        flags_e = t.flags[safe]
        is_neg, is_contrast, is_conc = [is_hit & (flags_e == _FLAGS[k]) for k in ("negation", "contrast", "concession")]
        is_boundary = (
            np.asarray(pc.is_in(lower, value_set=pa.array([",", "?"])), dtype=bool) if T else np.zeros(0, bool)
        )
        is_q = np.asarray(pc.equal(lower, "?"), dtype=bool) if T else np.zeros(0, bool)
        start = np.zeros(T, dtype=bool)
        start[offsets[:-1][lengths > 0]] = True
        seg = np.cumsum(is_boundary | is_contrast | start)  # clause ids for negation and boosters

        # -- word valence with negation, boosters, capitals
        base = np.where(is_hit, t.valence[safe], 0.0)
        energy = np.where(is_hit, t.intensity[safe], 0.0)
        negated = np.zeros(T, dtype=bool)
        neg_pos = np.full(T, -1, dtype=np.int64)
        boost = np.zeros(T)
        pos_all = np.arange(T)
        for k in range(NEGATION_WINDOW, 0, -1):
            same = _shift(seg, k, -1) == seg
            nk = _shift(is_neg, k, False) & same & (base != 0)
            negated |= nk
            neg_pos = np.where(nk, pos_all - k, neg_pos)
            if k <= 2:
                boost += _shift(np.where(is_hit, t.boost[safe], 0.0), k) * same * (1.0 if k == 1 else 0.9)
        orig_upper = (
            np.asarray(pc.utf8_is_upper(orig), dtype=bool) & (np.asarray(pc.utf8_length(orig)) >= 2) if T else negated
        )
        cased = np.asarray(pc.utf8_is_alpha(orig), dtype=bool) if T else negated
        upper_share = np.bincount(text_id, weights=orig_upper, minlength=n) / np.maximum(
            np.bincount(text_id, weights=cased, minlength=n), 1
        )
        caps = orig_upper & (base != 0) & (upper_share[text_id] < 0.8)
        mult = np.maximum(1.0 + boost, 0.2) * np.where(caps, CAPS_BOOST, 1.0)
        contrib = base * mult * np.where(negated, np.where(base > 0, NEGATED_POSITIVE, NEGATED_NEGATIVE), 1.0)
        energy = energy * mult

        # -- sarcasm: praise right before a misery event ("love waiting on hold")
        event = is_hit & (contrib < 0) & t.is_event[safe]
        ahead = np.zeros(T, dtype=bool)
        for k in range(1, SARCASM_WINDOW + 1):
            ahead |= _shift(event, -k, False) & (_shift(text_id, -k, -1) == text_id)
        sarcastic = is_hit & (flags_e == _FLAGS["sarcasm_cue"]) & (contrib > 0) & ahead
        contrib = np.where(sarcastic, -0.5 * np.abs(contrib), contrib)

        # -- contrast ("but": the clause after weighs more) and concession ("although")
        csum = np.cumsum(is_contrast)
        text_base = np.concatenate([[0], csum])[offsets[:-1]]
        seen_before = csum - is_contrast - text_base[text_id]
        total = np.concatenate([[0], csum])[offsets[1:]] - text_base
        still_to_come = total[text_id] - (csum - text_base[text_id])
        weight = np.where(still_to_come > 0, 0.5, np.where(seen_before > 0, 1.5, 1.0))
        clause = np.cumsum(_shift(is_boundary, 1, False) | start)
        n_clause = int(clause.max()) + 1 if T else 0

        def in_clause_with(mask: np.ndarray) -> np.ndarray:
            """Each word: does its clause hold a word of ``mask``?"""
            return (np.bincount(clause, weights=mask, minlength=n_clause) > 0)[clause]

        if is_conc.any():
            weight = np.where(in_clause_with(is_conc), weight * 0.5, weight)
        # praise in scare quotes is sarcasm: 'their "customer service"', 'how is this "on time"'
        is_scare = is_hit & (flags_e == _FLAGS["scare"])
        scare = np.zeros(T, dtype=bool)
        if is_scare.any():
            scare = in_clause_with(is_scare) & (contrib > 0)  # sarcastic praise is already negative
            contrib = np.where(scare, -0.5 * np.abs(contrib), contrib)
        # a question asks more than it tells: its clause weighs less
        # and a request or question is neutral unless it carries a complaint: its praise words and mild
        # negatives ("Can I accept...?", "Is there a fee...?") do not count, a complaint ("why was my card declined?") does
        if is_q.any():
            inq = in_clause_with(is_q)
            weight = np.where(
                inq, np.where((contrib > 0) | (np.abs(contrib) < QUESTION_COMPLAINT), 0.0, weight * 0.7), weight
            )
        # a wish is not praise: positive words after "would", "if", "need to" ... in their clause ("would be
        # nice if"); words before the cue still count ("nice place if you like fish", "friendly if a bit slow")
        is_irr = is_hit & (flags_e == _FLAGS["irrealis"])
        irrealis = np.zeros(T, dtype=bool)
        if is_irr.any():
            irrealis = _after_in_clause(is_irr, clause) & (contrib > 0)
            hedged = in_clause_with(is_irr) & (contrib > 0) & ~irrealis  # "would stay again if the price was right"
            weight = np.where(irrealis, 0.0, np.where(hedged, weight * HEDGED, weight))
            # a comparative after the wish word is a complaint: "could have been handled better", "would be nicer"
            wished = irrealis & np.asarray(pc.is_in(lower, value_set=_COMPARATIVES), dtype=bool)
            if wished.any():
                contrib = np.where(wished, -0.5 * np.abs(contrib), contrib)
                weight = np.where(wished, 1.0, weight)
        # a plain "thanks" closing a question or a request is politeness
        is_thanks = is_hit & (flags_e == _FLAGS["thanks"])
        if is_thanks.any():
            asks = np.bincount(text_id, weights=is_q | (is_hit & (flags_e == _FLAGS["politeness"])), minlength=n) > 0
            closing = is_thanks & asks[text_id] & ~sarcastic
            weight = np.where(closing, 0.0, weight)
            irrealis |= closing
        contrib = contrib * weight

        # -- per text
        S: np.ndarray = np.bincount(text_id, weights=contrib, minlength=n)  # float: weighted
        E = np.bincount(text_id, weights=np.abs(energy) * (contrib != 0), minlength=n)
        bangs = np.minimum(np.asarray(pc.count_substring(arr, "!"), dtype=np.float64), 4)
        S = S + np.sign(S) * EXCLAIM_BOOST * bangs
        score = S / np.sqrt(S * S + NORMALISE_ALPHA)
        stake_hit = is_hit & ~negated & (contrib <= 0)
        stakes_code = np.zeros(n, dtype=np.int64)
        if stake_hit.any():
            np.maximum.at(stakes_code, text_id[stake_hit], t.stakes[safe[stake_hit]].astype(np.int64))
        intensity = 1.0 - np.exp(-(E + 0.1 * bangs * (E > 0)))
        intensity = np.where(
            stakes_code == 2, 0.4 + 0.6 * intensity, np.where(stakes_code == 1, 0.15 + 0.85 * intensity, intensity)
        )

        hp = np.flatnonzero(is_hit)
        flags = (
            negated[hp] * 1
            + caps[hp] * 2
            + sarcastic[hp] * 4
            + (weight[hp] != 1.0) * 8
            + irrealis[hp] * 16
            + scare[hp] * 32
        )
        return TextScores(
            score=np.clip(score, -1.0, 1.0),
            intensity=np.clip(intensity, 0.0, 1.0),
            stakes=np.array(STAKES, dtype=object)[stakes_code],
            _table=t,
            _orig=orig,
            _hit_pos=hp,
            _hit_text=text_id[hp],
            _hit_entry=hit[hp],
            _hit_len=hit_len[hp],
            _hit_contrib=contrib[hp],
            _hit_flags=flags,
            _hit_neg=neg_pos[hp],
            _hit_stake=np.where(stake_hit[hp], t.stakes[hit[hp]], 0),
        )


@dataclass
class TextScores:
    """Scores of a batch: arrays ``score``, ``intensity``, ``stakes``; evidence per text on demand."""

    score: np.ndarray
    intensity: np.ndarray
    stakes: np.ndarray
    _table: _Table
    _orig: pa.Array
    _hit_pos: np.ndarray
    _hit_text: np.ndarray
    _hit_entry: np.ndarray
    _hit_len: np.ndarray
    _hit_contrib: np.ndarray
    _hit_flags: np.ndarray
    _hit_neg: np.ndarray
    _hit_stake: np.ndarray

    def __len__(self) -> int:
        return len(self.score)

    @property
    def n_events(self) -> np.ndarray:
        """Number of service-event phrases (not negated) in each text, without building the evidence."""
        t = self._table
        ok = t.is_event[self._hit_entry] & ((self._hit_flags & 1) == 0)
        ok &= (t.valence[self._hit_entry] != 0) | (t.stakes[self._hit_entry] > 0)
        return np.bincount(self._hit_text[ok], minlength=len(self.score))

    def valence(self, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
        """'magic' above +threshold, 'misery' below -threshold, else 'neutral'."""
        return np.where(
            self.score >= threshold, "magic", np.where(self.score <= -threshold, "misery", "neutral")
        ).astype(object)

    def to_frame(self, threshold: float = DEFAULT_THRESHOLD):
        """A DataFrame with score, intensity, valence and stakes."""
        import pandas as pd

        return pd.DataFrame(
            {
                "score": self.score,
                "intensity": self.intensity,
                "valence": self.valence(threshold),
                "stakes": self.stakes,
            }
        )

    def _lists(self) -> dict[str, Any]:
        """The hits as Python lists and each text's first hit, built once (evidence reads them often)."""
        c = self.__dict__.get("_as_lists")
        if c is None:
            bounds = np.searchsorted(self._hit_text, np.arange(len(self.score) + 1))
            c = {
                "bounds": bounds.tolist(),
                "entry": self._hit_entry.tolist(),
                "pos": self._hit_pos.tolist(),
                "len": self._hit_len.tolist(),
                "contrib": self._hit_contrib.tolist(),
                "flags": self._hit_flags.tolist(),
                "neg": self._hit_neg.tolist(),
                "stake": self._hit_stake.tolist(),
            }
            self.__dict__["_as_lists"] = c
        return c

    def _hits(self, i: int) -> range:
        if not 0 <= i < len(self.score):
            raise IndexError(f"text {i} is out of range (0..{len(self.score) - 1})")
        b = self._lists()["bounds"]
        return range(b[i], b[i + 1])

    def _span(self, a: int, b: int) -> str:
        tokens = self.__dict__.get("_tokens")
        if tokens is None:
            tokens = self.__dict__["_tokens"] = self._orig.to_pylist()
        return " ".join([_SHOWN.get(w, w) for w in tokens[a:b]])

    def events(self, i: int) -> list[str]:
        """Service events found in text ``i``, in order, e.g. ``['lost_item']`` (negated ones left out)."""
        out: list[str] = []
        for h in self._hits(i):
            c = self._table.category[self._hit_entry[h]]
            if c in _NOT_EVENTS or self._hit_flags[h] & 1:
                continue
            e = self._hit_entry[h]
            if (c == "sarcasm" or self._table.valence[e] != 0 or self._table.stakes[e] > 0) and c not in out:
                out.append(c)
        return out

    def event_hits(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every service event found in the batch, negated ones left out, in text order: the text's index,
        the category (``delay``, ``hold``, ...) and the hit's index for :meth:`hit_words`.

        >>> res = TextScorer().score(["ok", "on hold for an hour, then they hung up"])
        >>> rows, cats, h = res.event_hits()
        >>> rows.tolist(), cats.tolist(), [res.hit_words(k) for k in h]
        ([1, 1, 1], ['hold', 'waiting', 'ignored'], ['on hold for', 'for an hour', 'hung up'])
        """
        t, e = self._table, self._hit_entry
        ok = t.is_event[e] & ((self._hit_flags & 1) == 0) & ((t.valence[e] != 0) | (t.stakes[e] > 0))
        h = np.flatnonzero(ok)
        return self._hit_text[h], t.category[e[h]], h

    def hit_words(self, h: int) -> str:
        """The words of hit ``h`` (an index from :meth:`event_hits`) as the text has them."""
        pos = int(self._hit_pos[h])
        return self._span(pos, pos + int(self._hit_len[h]))

    def evidence(self, i: int, limit: int = 8) -> list[Evidence]:
        """The reasons behind text ``i``'s score, strongest first."""
        t = self._table
        items: list[tuple[float, Evidence]] = []
        contrast_seen = False
        hl = self._lists()
        for h in self._hits(i):
            e, pos, ln, w, f = hl["entry"][h], hl["pos"][h], hl["len"][h], hl["contrib"][h], hl["flags"][h]
            c = t.category[e]
            phrase = self._span(pos, pos + ln)
            if c in ("contrast", "concession"):
                if not contrast_seen:
                    after = "the clause after it weighs more" if c == "contrast" else "its own clause weighs less"
                    items.append((0.01, Evidence("contrast", f'"{phrase}": {after}', phrase=phrase, value=c)))
                    contrast_seen = True
                continue
            if c == "politeness" and t.valence[e] == 0:
                items.append(
                    (
                        0.0,
                        Evidence(
                            "politeness", f'"{phrase}" = politeness, not praise', phrase=phrase, value=c, weight=0.0
                        ),
                    )
                )
                continue
            if c in CONTROL_CATEGORIES:
                continue
            stake = STAKES[hl["stake"][h]]
            if w == 0 and stake == "low" and not f & 16:
                continue
            label = category_label(c, t.valence[e])
            extra = f", {stake} stakes" if stake != "low" else ""
            if f & 2:
                extra += ", in capitals"
            if f & 1:
                npos = hl["neg"][h]
                phrase = self._span(npos, pos + ln)
                rule, sentence = "negation", f'"{phrase}" = negated {label}'
            elif f & 32:
                rule, sentence = "sarcasm", f'"{phrase}" in scare quotes = sarcasm, not praise'
            elif f & 4:
                rule, sentence = "sarcasm", f'"{phrase}" before a complaint = sarcasm, not praise'
            elif f & 16 and c == "thanks":
                rule, sentence = "politeness", f'"{phrase}" closing a question or request = politeness, not praise'
            elif f & 16:
                rule, sentence = "lexicon", f'"{phrase}" = {label}, in a wish or request (weighs less)'
            elif c == "emoji":
                rule, sentence = "emoji", f'"{phrase}" = {"positive" if w > 0 else "negative"} emoji'
            elif c == "sarcasm":
                rule, sentence = "sarcasm", f'"{phrase}" = sarcasm'
            elif w == 0:
                rule, sentence = "stakes", f'"{phrase}" = {label}'
            else:
                rule, sentence = "lexicon", f'"{phrase}" = {label}'
            ev = Evidence(
                rule, sentence + extra, phrase=phrase, value=c if c != "vader" else None, weight=round(w / 4.0, 3)
            )
            items.append((abs(w) + (1.0 if stake == "high" else 0.0), ev))
        items.sort(key=lambda x: -x[0])
        return [ev for _, ev in items[:limit]]
