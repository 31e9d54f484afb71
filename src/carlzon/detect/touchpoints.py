"""Touchpoint assignment: an explicit column first, then journey phrases, then similarity.

The chain, first hit wins:

1. **column**: the row's ``touchpoint`` value, matched to a journey touchpoint
   by id or name (``"Check-in"`` -> ``check_in``), confidence 1.0. An id the
   journey does not know is kept as given, with confidence 0.5 and a flag in
   the evidence.
2. **phrase**: whole-word / whole-phrase matches of each touchpoint's phrases
   (and its id written as words) in the lower-cased text, with one compiled regex
   for the journey (a trie of its phrases: hundreds of them cost little); the last word of a phrase may be plural ("gate agent" finds
   "gate agents", "delivery" finds "deliveries"); longer phrases win over the words
   inside them ("lost bag" over "bag"). Each match weighs its number of words times
   the touchpoint's stakes factor (low 1, medium 1.5, high 2). The **service events**
   the text scorer finds (:meth:`~carlzon.detect.text.TextScores.event_hits`: "on hold
   for", "never called back", "lost my bag"; negated ones left out) add one more word's
   weight, times the stakes factor, to each touchpoint whose ``events:`` lists their
   category. So when a text names several touchpoints the moment goes to what it is
   *about*: the one with the problem or the praise, and more at stake ("the gate agent
   said the flight is delayed": delays, not the gate). The touchpoint with the largest
   total wins with confidence ``share * (1 - 0.5 ** (best + 1))`` where ``share`` is its
   part of all matched weight and ``best`` its weight (one single-word match at a
   low-stakes touchpoint alone: 0.75; a two-word phrase there: 0.875; two low-stakes
   touchpoints tied on one word each: 0.375). The evidence quotes the text's words
   and names the event: ``"on hold for" (hold), "call" points to Customer service``.
3. **measure**: a measure judged against a touchpoint's expectation
   (see :mod:`carlzon.detect.expectations`), confidence 0.8.
4. **learned** (weak supervision from the batch itself): when a batch has at least
   ``learn_min_rows`` texts whose touchpoint is sure (a column, or phrases with confidence at
   least ``learn_confidence``), those become pseudo-labels for a multinomial naive Bayes on
   word 1-2 gram TF-IDF fitted on the batch; it answers the rows still unsure when its
   probability is at least ``learn_min_probability`` and above the phrase confidence (the
   confidence is that probability). This is the one step whose answer depends on the rest of
   the batch (pass ``learn=False`` for row-by-row answers); no human touchpoint labels are used.
5. **similarity**: cosine between the text and each touchpoint's name,
   description and phrases, as TF-IDF of words and word pairs (English stop
   words left out) fitted on the journey alone (so one row's answer never depends on the rest
   of the batch); confidence ``min(1, best / 0.5) * (best - second) / best``.

Below ``min_confidence`` the answer is ``'unknown'`` rather than a forced guess.

Example:
    >>> from carlzon.journey import load_journey
    >>> m = TouchpointMatcher(load_journey("airline"))
    >>> r = m.assign(["They lost my bag at the carousel", "hello"], explicit=[None, "Check-in"])
    >>> list(r.touchpoint), r.confidence.round(2).tolist()
    (['baggage_claim', 'check_in'], [0.99, 1.0])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carlzon.journey import Journey
from carlzon.schema import Evidence

__all__ = ["UNKNOWN", "TouchpointMatcher", "TouchpointResult"]

UNKNOWN = "unknown"
MEASURE_CONFIDENCE = 0.8
UNKNOWN_ID_CONFIDENCE = 0.5
STAKES_FACTOR = {"low": 1.0, "medium": 1.5, "high": 2.0}
EVENT_WEIGHT = 1.0  # a service event the journey ties to a touchpoint weighs as one more word there
EVENT_KEY = "@"  # hits of events are kept as (words, "@" + category)


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower()).strip("_")


def _plurals(phrase: str) -> list[str]:
    """The phrase with its last word in its regular English plural too: agent(s), bus(es), deliver(y|ies), sales(man|men).

    >>> _plurals("gate agent"), _plurals("delivery"), _plurals("tv")
    (['gate agent', 'gate agents'], ['delivery', 'deliveries'], ['tv'])
    """
    head, _, word = phrase.rpartition(" ")
    head = head + " " if head else ""
    if len(word) < 3 or not word[-1].isalpha():
        return [phrase]
    if word.endswith("man"):
        plural = word[:-3] + "men"
    elif word.endswith("y") and word[-2] not in "aeiou":
        plural = word[:-1] + "ies"
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        plural = word + "es"
    else:
        plural = word + "s"
    return [phrase, head + plural]


def _trie(strings: Sequence[str]) -> str:
    """One regex for many literal strings, as a trie of their characters (a space matches any run of
    whitespace); it finds the longest string at each place, and runs many times faster than a
    plain alternation of hundreds of phrases."""
    root: dict[str, Any] = {}
    for w in strings:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in node.items() if ch]
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})" if alts else ""
        return f"(?:{body})?" if "" in node and body else body

    return emit(root)


def _missing(v: Any) -> bool:
    if isinstance(v, str):
        return not v.strip()
    return v is None or bool(pd.isna(v))


@dataclass
class TouchpointResult:
    """Per-row touchpoint, confidence, the method that decided and what it saw."""

    touchpoint: np.ndarray  # object: touchpoint id or 'unknown'
    confidence: np.ndarray  # float in [0, 1]
    method: np.ndarray  # object: column / phrase / measure / learned / similarity / unsure / none
    hits: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # row -> (words as written, phrase)
    phrase_tps: dict[str, list[str]] = field(default_factory=dict)
    flagged: np.ndarray | None = None  # bool: explicit id unknown to the journey
    names: dict[str, str] = field(default_factory=dict)
    guess: np.ndarray | None = None  # the best guess behind an 'unknown'
    learned_from: int = 0  # pseudo-labelled rows behind the 'learned' step (0: step not run)
    tied: dict[int, tuple[str, ...]] = field(
        default_factory=dict
    )  # row -> every touchpoint tied with the best (phrase step)

    def _found(self, i: int) -> dict[str, str]:
        """Words of row ``i``'s text that point to its touchpoint -> the phrase or ``@event`` behind them."""
        tid = self.touchpoint[i]
        return dict(
            (" ".join(w.split()), p) for w, p in reversed(self.hits.get(i, ())) if tid in self.phrase_tps.get(p, ())
        )

    def matched(self, i: int) -> list[str]:
        """The words of row ``i``'s text that point to its touchpoint (phrases and events), in order, without repeats."""
        return list(reversed(self._found(i)))

    def evidence(self, i: int) -> list[Evidence]:
        tp, conf, method = self.touchpoint[i], float(self.confidence[i]), self.method[i]
        name = self.names.get(tp, tp)
        c = round(conf, 2)
        if method == "column":
            if self.flagged is not None and self.flagged[i]:
                return [
                    Evidence(
                        rule="touchpoint",
                        text=f"touchpoint {tp!r} given by the source is not in the journey",
                        value=tp,
                        weight=c,
                    )
                ]
            return [Evidence(rule="touchpoint", text=f"touchpoint {name} given by the source", value=tp, weight=c)]
        if method == "phrase":
            from carlzon.detect.lexicon import category_label

            found = list(reversed(self._found(i).items()))
            ph = [w for w, _ in found]
            quoted = ", ".join(
                f'"{w}"' + (f" ({category_label(k[1:])})" if k.startswith(EVENT_KEY) else "") for w, k in found[:3]
            )
            return [
                Evidence(
                    rule="touchpoint",
                    text=f"{quoted} points to {name}",
                    phrase=ph[0] if ph else None,
                    value=tp,
                    weight=c,
                )
            ]
        if method == "measure":
            return [Evidence(rule="touchpoint", text=f"touchpoint {name} from its measure", value=tp, weight=c)]
        if method == "learned":
            return [
                Evidence(
                    rule="touchpoint",
                    text=f"reads like other texts about {name} in this batch "
                    f"(learned from n={self.learned_from} phrase matches, confidence {c})",
                    value=tp,
                    weight=c,
                )
            ]
        if method == "similarity":
            return [Evidence(rule="touchpoint", text=f"reads like {name} (similarity {c})", value=tp, weight=c)]
        if method == "unsure":
            g = self.guess[i] if self.guess is not None else None
            if g is None or conf < 0.1:
                return [Evidence(rule="touchpoint", text="touchpoint unclear", value=UNKNOWN, weight=c)]
            return [
                Evidence(
                    rule="touchpoint",
                    text=f"touchpoint unclear (best guess {self.names.get(g, g)}, confidence {c})",
                    value=UNKNOWN,
                    weight=c,
                )
            ]
        return []


class TouchpointMatcher:
    """Assign journey touchpoints to texts (see the module docstring for the chain)."""

    def __init__(
        self,
        journey: Journey | None,
        *,
        min_confidence: float = 0.35,
        learn: bool = True,
        learn_min_rows: int = 200,
        learn_confidence: float = 0.7,
        learn_min_probability: float = 0.6,
    ) -> None:
        self.journey = journey
        self.min_confidence = float(min_confidence)
        self.learn = bool(learn)
        self.learn_min_rows = int(learn_min_rows)
        self.learn_confidence = float(learn_confidence)
        self.learn_min_probability = float(learn_min_probability)
        self._sim: tuple[Any, Any] | None = None  # (fitted TfidfVectorizer, the touchpoints' vectors)
        self.names: dict[str, str] = {}
        self._by_key: dict[str, str] = {}
        self._phrase_tps: dict[str, list[str]] = {}
        self._regex: re.Pattern[str] | None = None
        if journey is None:
            return
        self.ids = [tp.id for tp in journey.touchpoints]
        for tp in journey.touchpoints:
            self.names[tp.id] = tp.name
            self._by_key[_norm(tp.id)] = tp.id
            self._by_key.setdefault(_norm(tp.name), tp.id)
            for p in {*tp.phrases, tp.id.replace("_", " ")}:
                p = " ".join(p.lower().split())
                if p and tp.id not in self._phrase_tps.setdefault(p, []):
                    self._phrase_tps[p].append(tp.id)
        # one compiled regex over all phrases, longest first (so "lost bag" wins over "bag"), run on
        # lower-cased texts; hits are summed into a (texts x touchpoints) matrix with one sparse product
        phrases = sorted(self._phrase_tps, key=lambda p: (-len(p), p))
        self._phrase_id = {p: k for k, p in enumerate(phrases)}
        self._weight = np.zeros((len(phrases), len(self.ids)))
        col = {t: j for j, t in enumerate(self.ids)}
        for p, k in self._phrase_id.items():
            for t in self._phrase_tps[p]:
                self._weight[k, col[t]] = len(p.replace("-", " ").split()) * STAKES_FACTOR[journey.touchpoint(t).stakes]
        self._canon: dict[str, str] = {p: p for p in phrases}  # words as matched -> phrase ("agents" -> "agent")
        for p in phrases:
            for v in _plurals(p)[1:]:
                self._canon.setdefault(v, p)
        # service events of the text lexicon that the journey ties to touchpoints (``events:``)
        self._event_weight: dict[str, np.ndarray] = {}
        for tp in journey.touchpoints:
            for e in tp.events:
                self._event_weight.setdefault(e, np.zeros(len(self.ids)))[col[tp.id]] = (
                    EVENT_WEIGHT * STAKES_FACTOR[tp.stakes]
                )
                self._phrase_tps.setdefault(EVENT_KEY + e, []).append(tp.id)
        if phrases:
            self._regex = re.compile(rf"(?<![\w-]){_trie(list(self._canon))}(?![\w-])")

    def _phrase_of(self, words: str) -> str:
        """The journey phrase behind a match ("gate\n agents" -> "gate agent")."""
        p = self._canon.get(words)
        if p is None:
            p = self._canon[" ".join(words.split())]
            self._canon[words] = p
        return p

    def _phrase_weights(self, texts: Sequence[str | None]) -> tuple[np.ndarray, list[list[tuple[str, str]]]]:
        """Matched phrase weight of each touchpoint in each text (rows: texts, columns: touchpoints), and the hits
        of each text as (words as written, phrase of the journey)."""
        from scipy import sparse

        assert self._regex is not None
        findall, phrase_of = self._regex.findall, self._phrase_of
        hits = [[(w, phrase_of(w)) for w in findall(t.lower())] if isinstance(t, str) else [] for t in texts]
        lens = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        pid = self._phrase_id
        ids = np.fromiter((pid[p] for row in hits for _, p in row), dtype=np.int64, count=int(lens.sum()))
        rows = np.repeat(np.arange(len(texts)), lens)
        counts = sparse.csr_matrix((np.ones(len(ids)), (rows, ids)), shape=(len(texts), len(pid)))
        return np.asarray(counts @ self._weight), hits

    def _add_events(
        self,
        weights: np.ndarray,
        found: list[list[tuple[str, str]]],
        texts: Sequence[str | None],
        todo: np.ndarray,
        scores: Any,
    ) -> None:
        """Add the weight of the service events found in the texts ``todo`` (rows of ``weights``), in place."""
        if scores is None or not hasattr(scores, "event_hits"):
            from carlzon.detect.text import TextScorer

            scores = TextScorer().score([t if isinstance(t, str) else None for t in texts])
        row_of = np.full(len(texts), -1, dtype=np.int64)
        row_of[todo] = np.arange(len(todo))
        text_ids, cats, hit_ids = scores.event_hits()
        for t, c, h in zip(text_ids.tolist(), cats.tolist(), hit_ids.tolist()):
            w = self._event_weight.get(c)
            if w is not None and row_of[t] >= 0:
                weights[row_of[t]] += w
                found[row_of[t]].append((scores.hit_words(h), EVENT_KEY + c))

    # -- the chain -------------------------------------------------------------------------
    def assign(
        self,
        texts: Sequence[str | None],
        explicit: Sequence[Any] | None = None,
        measure_touchpoint: Sequence[str | None] | None = None,
        *,
        scores: Any = None,
    ) -> TouchpointResult:
        """Run the whole chain on a batch (all arguments aligned by row)."""
        res = self.match(texts, explicit, scores=scores)
        return self.finish(res, texts, measure_touchpoint)

    def match(
        self, texts: Sequence[str | None], explicit: Sequence[Any] | None = None, *, scores: Any = None
    ) -> TouchpointResult:
        """Steps 1 and 2: explicit column, then phrases and service events.

        ``scores``: the :class:`~carlzon.detect.text.TextScores` of the same texts when already computed
        (the Detector passes its own); otherwise the texts are scored here when the journey has ``events``.
        """
        n = len(texts)
        tp = np.full(n, UNKNOWN, dtype=object)
        conf = np.zeros(n)
        method = np.full(n, "none", dtype=object)
        flagged = np.zeros(n, dtype=bool)
        if explicit is not None:
            for i, v in enumerate(explicit):
                if _missing(v):
                    continue
                key = _norm(v)
                if self.journey is None:
                    tp[i], conf[i], method[i] = str(v).strip(), 1.0, "column"
                elif key in self._by_key:
                    tp[i], conf[i], method[i] = self._by_key[key], 1.0, "column"
                else:
                    tp[i], conf[i], method[i], flagged[i] = str(v).strip(), UNKNOWN_ID_CONFIDENCE, "column", True
        todo = np.flatnonzero(method == "none")
        hits: dict[int, list[tuple[str, str]]] = {}
        if self._regex is not None and len(todo):
            weights, found = self._phrase_weights([texts[i] for i in todo.tolist()])  # (len(todo), n_touchpoints)
            if self._event_weight:
                self._add_events(weights, found, texts, todo, scores)
            hits = {int(i): h for i, h in zip(todo, found) if h}
            total = weights.sum(axis=1)
            hit = total > 0
            best_k = weights.argmax(axis=1)  # ties: earlier in the journey
            best = weights[np.arange(len(todo)), best_k]
            with np.errstate(invalid="ignore", divide="ignore"):
                c = np.where(hit, best / np.maximum(total, 1e-9) * (1 - 0.5 ** (best + 1)), 0.0)
            rows = todo[hit]
            tp[rows] = np.asarray(self.ids, dtype=object)[best_k[hit]]
            conf[rows], method[rows] = c[hit], "phrase"
            tie_rows = np.flatnonzero(
                hit
                & ((weights >= best[:, None] - 1e-9) & (weights > 0)).sum(axis=1).astype(bool)
                & (((weights >= best[:, None] - 1e-9) & (weights > 0)).sum(axis=1) > 1)
            )
            tied = {
                int(todo[r]): tuple(np.asarray(self.ids, dtype=object)[np.flatnonzero(weights[r] >= best[r] - 1e-9)])
                for r in tie_rows.tolist()
            }
        else:
            tied = {}
        return TouchpointResult(
            tp, conf, method, flagged=flagged, names=self.names, hits=hits, phrase_tps=self._phrase_tps, tied=tied
        )

    def finish(
        self,
        res: TouchpointResult,
        texts: Sequence[str | None],
        measure_touchpoint: Sequence[str | None] | np.ndarray | None = None,
    ) -> TouchpointResult:
        """Steps 3 to 5: measures, learned, similarity; then 'unknown' below the minimum confidence."""
        tp, conf, method = res.touchpoint, res.confidence, res.method
        weak = (method == "none") | ((method == "phrase") & (conf < self.min_confidence))
        if measure_touchpoint is not None:
            mt = np.asarray(list(measure_touchpoint), dtype=object)
            sel = weak & np.array([m is not None for m in mt], dtype=bool)
            tp[sel], conf[sel], method[sel] = mt[sel], MEASURE_CONFIDENCE, "measure"
            weak &= ~sel
        if self.learn and self.journey is not None and weak.any():
            self._learned(res, texts, weak)
            weak &= res.method != "learned"
        idx = np.flatnonzero(weak)
        if len(idx) and self.journey is not None:
            sub = [t if isinstance(t, str) else "" for t in (texts[i] for i in idx.tolist())]
            s_tp, s_conf = self.similarity(sub)
            better = s_conf > conf[idx]
            j = idx[better]
            tp[j], conf[j], method[j] = s_tp[better], s_conf[better], "similarity"
        low = (method != "column") & (method != "measure") & (conf < self.min_confidence)
        res.guess = tp.copy()
        method[low & (conf > 0)] = "unsure"
        method[low & (conf <= 0)] = "none"
        tp[low] = UNKNOWN
        return res

    # -- learned from the batch ----------------------------------------------------------------
    def _learned(self, res: TouchpointResult, texts: Sequence[str | None], weak: np.ndarray) -> None:
        """Step 4 in place: pseudo-labels from sure rows, naive Bayes on the weak ones."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.naive_bayes import MultinomialNB

        tp, conf, method = res.touchpoint, res.confidence, res.method
        has = np.array([isinstance(t, str) and bool(t.strip()) for t in texts], dtype=bool)
        known = np.isin(tp, self.ids)
        sure = has & known & ((method == "column") | ((method == "phrase") & (conf >= self.learn_confidence)))
        todo = np.flatnonzero(weak & has)
        if sure.sum() < self.learn_min_rows or not len(todo):
            return
        labels, counts = np.unique(tp[sure].astype(str), return_counts=True)
        if (counts >= 5).sum() < 2:
            return
        use = sure & np.isin(tp, labels[counts >= 5])
        docs = [t.lower() if isinstance(t, str) and h else "" for t, h in zip(texts, has)]
        vec = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2,
            stop_words="english",
            token_pattern=r"(?u)\b[^\W\d_][\w']+\b",
        )
        try:
            X = vec.fit_transform(docs)
        except ValueError:  # nothing left after min_df and stop words
            return
        clf = MultinomialNB(alpha=0.1).fit(X[np.flatnonzero(use)], tp[use].astype(str))
        P = clf.predict_proba(X[todo])
        top, lab = P.max(axis=1), clf.classes_[P.argmax(axis=1)]
        ok = (top >= self.learn_min_probability) & (top > conf[todo])
        j = todo[ok]
        tp[j], conf[j], method[j] = lab[ok].astype(object), np.round(top[ok], 4), "learned"
        res.learned_from = int(use.sum())

    # -- similarity ---------------------------------------------------------------------------
    def _fit_similarity(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        assert self.journey is not None
        docs = [
            " ".join([tp.name, tp.id.replace("_", " "), tp.description, *tp.phrases]) for tp in self.journey.touchpoints
        ]
        word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, stop_words="english").fit(docs)
        self._sim = (word, word.transform(docs))

    def similarity(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Best touchpoint by TF-IDF cosine, and its confidence, for each text."""
        n = len(texts)
        if self.journey is None or n == 0:
            return np.full(n, UNKNOWN, dtype=object), np.zeros(n)
        if self._sim is None:
            self._fit_similarity()
        assert self._sim is not None
        word, wdocs = self._sim
        sims = (word.transform(texts) @ wdocs.T).toarray()
        if sims.shape[1] == 1:
            best = sims[:, 0]
            return np.array([self.ids[0]] * n, dtype=object), np.clip(best / 0.5, 0, 1)
        top2 = np.sort(sims, axis=1)[:, -2:]
        best, second = top2[:, 1], top2[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            conf = np.where(best > 0, np.minimum(1.0, best / 0.5) * (best - second) / best, 0.0)
        ids = np.asarray(self.ids, dtype=object)[sims.argmax(axis=1)]
        return ids, np.clip(conf, 0.0, 1.0)
