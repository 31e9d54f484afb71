"""Mentions: each text cut into clauses, with their character spans, touchpoints and scores.

A text is split into sentences by ``sentencex`` (a maintained, rule-based segmenter that
knows abbreviations such as "Dr." and "approx."), and each sentence into **fragments** at
commas, semicolons, dashes and the words that join clauses ("but", "although", "though",
"however", "whereas", "while", "yet", "and", "plus", "except"; the word stays with the
clause it opens, so the text scorer still sees "but" and "although"). All fragments of a
batch are scored in one vectorised pass of :class:`~carlzon.detect.text.TextScorer` and
matched to touchpoints in one pass of :class:`~carlzon.detect.touchpoints.TouchpointMatcher`.

Fragments are then joined into **mentions**, sentence by sentence, left to right: a fragment
that names a touchpoint other than the current mention's opens a new mention once the
current one has both a touchpoint and something said about it; every other fragment joins the
current mention. So "Coffee amazing, service terrible" gives two mentions, "Great, another
delay" stays one (and its sarcasm is read as a whole), and "The room and the bathroom were
dirty" is one mention of two touchpoints. A sentence that names no touchpoint and opens with a
pronoun ("It was filthy.") speaks of the previous sentence's touchpoints. Mentions made of
several fragments are scored again as a whole, in one more batch.

Example:
    >>> from carlzon.journey import load_journey
    >>> from carlzon.detect.touchpoints import TouchpointMatcher
    >>> m = find_mentions(["Coffee amazing, service terrible"], TouchpointMatcher(load_journey("coffee_shop")))
    >>> [(int(s), int(e)) for s, e in zip(m.start, m.end)], [sorted(t) for t in m.touchpoints]
    ([(0, 14), (16, 32)], [['drink_quality'], ['barista']])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Mentions", "find_mentions", "split_clauses"]

_FRAGMENT = re.compile(
    r"\s*(?:[,;:()]|\s[-\u2013\u2014]+\s)\s*"
    r"|\s+(?=(?:but|although|though|however|whereas|while|yet|and|plus|except)\b)",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"^\W*(?:it|its|it's|they|they're|them|their|this|that|these|those|he|she|which|also|even)\b", re.IGNORECASE
)
_WORD = re.compile(r"\w")
_ABSENT = re.compile(
    r"\b(?:no|without|not any|lack of|lacks|there was no|there were no|did not have|didn't have|had no"
    r"|does not have|doesn't have|do not have|don't have|not have any|does not offer|doesn't offer|did not offer"
    r"|didn't offer|no longer have|no longer has|no longer any|nor any|absence of)\s+",
    re.IGNORECASE,
)
_NOT_MISSED = frozenset(
    {
        "queue",
        "queues",
        "line",
        "lines",
        "wait",
        "waiting",
        "delay",
        "delays",
        "noise",
        "crowd",
        "crowds",
        "fuss",
        "hassle",
        "problem",
        "problems",
        "issue",
        "issues",
        "charge",
        "charges",
        "fee",
        "fees",
        "smell",
        "dirt",
        "stain",
        "stains",
        "complaint",
        "complaints",
        "crowded",
        "dirty",
        "rude",
    }
)
CARRY_WORDS = 4  # a sentence of at most this many words without a touchpoint is a verdict on the previous one
ABSENT_SUM = -1.5  # "no toilets", "no wine at all": something customers expect was not there
NORMALISE_ALPHA = 15.0  # as the text scorer: score = S / sqrt(S^2 + alpha)


def split_clauses(
    texts: Sequence[str | None], language: str = "en"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fragments of each text: ``(row, start, end, sentence)`` arrays, spans in characters of the text.

    >>> row, start, end, sent = split_clauses(["Great food but slow service. Will return!"])
    >>> t = "Great food but slow service. Will return!"
    >>> [t[s:e] for s, e in zip(start, end)], sent.tolist()
    (['Great food', 'but slow service.', 'Will return!'], [0, 0, 1])
    """
    from sentencex import get_sentence_boundaries

    rows: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    sents: list[int] = []
    sid = 0
    finditer, has_word = _FRAGMENT.finditer, _WORD.search
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            continue
        for b in get_sentence_boundaries(language, text):
            s0, s1 = b["start_index"], b["end_index"]
            pos = s0
            # the pattern has no anchor and no look-behind: searching text[s0:s1] in place finds the same cuts
            cuts = [m.span() for m in finditer(text, s0, s1)]
            cuts.append((s1, s1))
            added = False
            for a, z in cuts:
                piece = text[pos:a]
                if has_word(piece):
                    rows.append(i)
                    starts.append(pos + len(piece) - len(piece.lstrip()))
                    ends.append(pos + len(piece.rstrip()))
                    sents.append(sid)
                    added = True
                pos = z
            if added:
                sid += 1
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(starts, dtype=np.int64),
        np.asarray(ends, dtype=np.int64),
        np.asarray(sents, dtype=np.int64),
    )


def raw_sum(score: np.ndarray) -> np.ndarray:
    """The scorer's unnormalised sum behind a score in (-1, 1) (so mentions' scores add up)."""
    s = np.clip(np.asarray(score, dtype="float64"), -0.9999, 0.9999)
    return s * np.sqrt(NORMALISE_ALPHA / (1.0 - s * s))


def normalise(total: np.ndarray) -> np.ndarray:
    return total / np.sqrt(total * total + NORMALISE_ALPHA)


@dataclass
class Mentions:
    """The mentions of a batch, one entry each (arrays aligned), in text order.

    ``row``: the text's index in the batch; ``start`` / ``end``: the span; ``touchpoints``: the
    touchpoint ids it speaks of (a tuple, empty when none); ``confidence``: per touchpoint;
    ``score`` / ``intensity`` / ``stakes`` (0 low, 1 medium, 2 high): the scorer's, on the span;
    ``scores`` and ``index``: the :class:`~carlzon.detect.text.TextScores` holding the mention's
    evidence and its index there; ``hits``: the words that point to each touchpoint.
    """

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    touchpoints: list[tuple[str, ...]]
    confidence: list[tuple[float, ...]]
    score: np.ndarray
    intensity: np.ndarray
    stakes: np.ndarray
    scores: list[Any]
    index: np.ndarray
    words: list[list[str]]
    inherited: np.ndarray
    absent: np.ndarray  # bool: says something expected was not there ("no toilets")

    def __len__(self) -> int:
        return len(self.row)

    def evidence(self, k: int, limit: int = 4) -> list[Any]:
        """The text evidence of mention ``k`` (strongest first), each with the mention's span."""
        items = self.scores[k].evidence(int(self.index[k]))[:limit]
        span = [int(self.start[k]), int(self.end[k])]
        for e in items:
            e.span = span
        if self.absent[k]:
            from carlzon.schema import Evidence

            items.insert(
                0,
                Evidence(
                    rule="lexicon",
                    text=f'"{" / ".join(self.words[k][:2])}" not there = not available',
                    phrase=self.words[k][0] if self.words[k] else None,
                    value="unavailable",
                    weight=round(ABSENT_SUM / 4.0, 3),
                    span=span,
                ),
            )
        return items


def find_mentions(
    texts: Sequence[str | None], matcher: Any, scorer: Any = None, *, language: str = "en", touchpoint_model: Any = None
) -> Mentions:
    """Split, score and assign the touchpoints of every text of a batch (see the module docstring).

    With a ``touchpoint_model`` (:mod:`carlzon.detect.learn`) each clause's touchpoint is the learned,
    calibrated answer where the model knows the clause's words, else the journey's phrases."""
    from carlzon.detect.text import TextScorer
    from carlzon.detect.touchpoints import UNKNOWN

    scorer = scorer if scorer is not None else TextScorer()
    row, start, end, sent = split_clauses(texts, language)
    frag_texts = [texts[r][s:e] for r, s, e in zip(row.tolist(), start.tolist(), end.tolist())]
    res = scorer.score(frag_texts)
    f_score = np.asarray(res.score, dtype="float64")
    f_int = np.asarray(res.intensity, dtype="float64")
    f_stakes = np.array([{"low": 0, "medium": 1, "high": 2}.get(str(s), 0) for s in res.stakes], dtype=np.int64)
    min_conf = getattr(matcher, "min_confidence", 0.35)
    if getattr(matcher, "journey", None) is not None and len(frag_texts):
        tpr = matcher.match(frag_texts, None, scores=res)
        if touchpoint_model is not None:  # learned touchpoints, per clause, in the context of its text
            whole = [t if isinstance(t, str) else "" for t in texts]
            context = touchpoint_model.predict_proba(whole, matcher)[row]
            tpr = touchpoint_model.apply(tpr, frag_texts, matcher=matcher, min_confidence=min_conf, context=context)
        tied = {k: v for k, v in tpr.tied.items() if tpr.method[k] not in ("model", "unsure")}
        f_tp = [
            _concrete(tied.get(k) or (t,)) if (t != UNKNOWN and c >= min_conf) else ()
            for k, (t, c) in enumerate(zip(tpr.touchpoint.tolist(), tpr.confidence.tolist()))
        ]
        f_conf = tpr.confidence.tolist()
        f_words = [_words(tpr, k) if f_tp[k] else [] for k in range(len(frag_texts))]
    else:
        f_tp, f_conf, f_words = [()] * len(frag_texts), [0.0] * len(frag_texts), [[] for _ in frag_texts]
    absent = np.zeros(len(frag_texts), dtype=bool)
    f_score_l = f_score.tolist()
    for k in range(len(frag_texts)):
        if f_tp[k] and f_score_l[k] == 0 and _is_absent(frag_texts[k], f_words[k]):
            absent[k] = True
    if absent.any():
        f_score = f_score.copy()
        f_score[absent] = normalise(raw_sum(f_score[absent]) + ABSENT_SUM)
        f_int[absent] = np.maximum(f_int[absent], 0.3)
    said = (np.abs(f_score) > 0) | (f_stakes > 0)

    # join fragments into mentions, sentence by sentence (one pass over the fragments)
    groups: list[list[int]] = []
    g_tp: list[dict[str, float]] = []
    g_words: list[list[str]] = []
    inherited: list[bool] = []
    sent_l, said_l, row_l = sent.tolist(), said.tolist(), row.tolist()
    cur: list[int] = []
    cur_tp: dict[str, float] = {}
    cur_said = False
    first_of_sentence = 0  # index into groups of the current sentence's first mention

    def close() -> None:
        if groups and len(groups) > first_of_sentence and cur_tp and not any(said_l[k] for k in cur):
            groups[-1].extend(cur)  # "Poor selection of food | and drink": the drink is as poor
            for t, c in cur_tp.items():
                g_tp[-1][t] = max(g_tp[-1].get(t, 0.0), c)
            g_words[-1].extend(w for k in cur for w in f_words[k])
            return
        groups.append(cur)
        g_tp.append(cur_tp)
        g_words.append([w for k in cur for w in f_words[k]])
        inherited.append(False)

    for k in range(len(frag_texts)):
        new_sentence = k == 0 or sent_l[k] != sent_l[k - 1]
        if new_sentence:
            if cur:
                close()
                _inherit(groups, g_tp, inherited, first_of_sentence, row_l, frag_texts, said_l)
            first_of_sentence = len(groups)
            cur, cur_tp, cur_said = [], {}, False
        tps = f_tp[k]
        if tps and cur and cur_tp and cur_said and not set(tps) <= set(cur_tp):
            close()
            cur, cur_tp, cur_said = [], {}, False
        cur.append(k)
        for tp in tps:
            cur_tp[tp] = max(cur_tp.get(tp, 0.0), float(f_conf[k]))
        cur_said = cur_said or said_l[k]
    if cur:
        close()
        _inherit(groups, g_tp, inherited, first_of_sentence, row_l, frag_texts, said_l)

    n = len(groups)
    start_l, end_l, absent_l = start.tolist(), end.tolist(), absent.tolist()
    m_row = np.array([row_l[g[0]] for g in groups], dtype=np.int64)
    m_start = np.array([start_l[g[0]] for g in groups], dtype=np.int64)
    m_end = np.array([end_l[g[-1]] for g in groups], dtype=np.int64)
    m_score = np.zeros(n)
    m_int = np.zeros(n)
    m_stakes = np.zeros(n, dtype=np.int64)
    m_scores: list[Any] = [res] * n
    m_index = np.zeros(n, dtype=np.int64)
    single = np.array([len(g) == 1 for g in groups], dtype=bool)
    first = np.array([g[0] for g in groups], dtype=np.int64)
    m_score[single], m_int[single], m_stakes[single] = (
        f_score[first[single]],
        f_int[first[single]],
        f_stakes[first[single]],
    )
    m_index[single] = first[single]
    multi = np.flatnonzero(~single)
    if len(multi):  # mentions of several fragments: scored again as a whole, in one batch
        m_row_l, m_start_l, m_end_l = m_row.tolist(), m_start.tolist(), m_end.tolist()
        again = scorer.score([texts[m_row_l[k]][m_start_l[k] : m_end_l[k]] for k in multi.tolist()])
        m_score[multi] = np.asarray(again.score, dtype="float64")
        m_int[multi] = np.asarray(again.intensity, dtype="float64")
        m_stakes[multi] = [{"low": 0, "medium": 1, "high": 2}.get(str(s), 0) for s in again.stakes]
        m_index[multi] = np.arange(len(multi))
        for k in multi.tolist():
            m_scores[k] = again
        gone = np.array([any(absent_l[j] for j in groups[k]) for k in multi.tolist()], dtype=bool)
        if gone.any():
            mk = multi[gone]
            m_score[mk] = normalise(raw_sum(m_score[mk]) + ABSENT_SUM)
    m_absent = np.array([any(absent_l[j] for j in g) for g in groups], dtype=bool)
    return Mentions(
        row=m_row,
        start=m_start,
        end=m_end,
        touchpoints=[tuple(t) for t in g_tp],
        confidence=[tuple(round(c, 4) for c in t.values()) for t in g_tp],
        score=m_score,
        intensity=m_int,
        stakes=m_stakes,
        scores=m_scores,
        index=m_index,
        words=g_words,
        inherited=np.asarray(inherited, dtype=bool),
        absent=m_absent,
    )


def _concrete(tps: tuple[str, ...]) -> tuple[str, ...]:
    """Of touchpoints tied in one clause, a touchpoint named after an aspect (``price_value``) gives way to the
    others: "parking cost a fortune" is a moment at parking (its aspect price and value)."""
    if len(tps) < 2:
        return tps
    from carlzon.detect.aspects import ASPECTS

    kept = tuple(t for t in tps if t not in ASPECTS)
    return kept or tps


def _words(tpr: Any, k: int) -> list[str]:
    """The words of fragment ``k`` that point to its touchpoints (ties included); a service event's with its
    name: 'on hold for (hold)'."""
    from carlzon.detect.lexicon import category_label
    from carlzon.detect.touchpoints import EVENT_KEY

    tps = set(tpr.tied.get(k) or (tpr.touchpoint[k],))
    out: dict[Any, Any] = {}
    phrase_tps = tpr.phrase_tps
    for w, p in tpr.hits.get(k, ()):
        if not tps.isdisjoint(phrase_tps.get(p, ())):
            w = " ".join(w.split())
            out.setdefault(w, f"{w} ({category_label(p[1:])})" if p.startswith(EVENT_KEY) else w)
    return list(out.values())


def _is_absent(text: str, words: list[str]) -> bool:
    """Does ``text`` say one of the touchpoint ``words`` was not there ("no toilets", "without wifi")?"""
    low = text.lower()
    for m in _ABSENT.finditer(low):
        tail = " " + " ".join(re.findall(r"[\w'-]+", low[m.end() : m.end() + 60])[:4])
        for w in words:
            w = w.lower()
            if (
                w not in _NOT_MISSED
                and (" " + w) in tail[: len(w) + 1 + tail.find(" " + w) + 1]
                and tail.find(" " + w) <= 25
            ):
                return True
    return False


def _inherit(
    groups: list[list[int]],
    g_tp: list[dict[str, float]],
    inherited: list[bool],
    first: int,
    row: list[int],
    frag_texts: list[str],
    said: list[bool] | None = None,
) -> None:
    """A sentence that names no touchpoint speaks of the previous sentence's when it opens with a pronoun
    ("It was filthy."), is a short verdict ("Very disappointing."), or follows a sentence that named the
    touchpoint and said nothing of it ("The buffet was a tray of crisps. Poor for a flagship.")."""
    if first == 0 or any(g_tp[k] for k in range(first, len(groups))):
        return
    prev = first - 1
    if row[groups[prev][0]] != row[groups[first][0]] or not g_tp[prev]:
        return
    if not _ANAPHOR.match(frag_texts[groups[first][0]]):
        frags = [j for k in range(first, len(groups)) for j in groups[k]]
        if said is None or not any(said[j] for j in frags):
            return
        short = sum(len(frag_texts[j].split()) for j in frags) <= CARRY_WORDS
        if not short and any(said[j] for j in groups[prev]):
            return
    for k in range(first, len(groups)):
        g_tp[k] = {t: round(0.8 * c, 4) for t, c in g_tp[prev].items()}
        inherited[k] = True
