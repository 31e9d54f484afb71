"""Touchpoint assignment: an explicit column first, then journey phrases, then similarity.

The chain, first hit wins:

1. **column**: the row's ``touchpoint`` value, matched to a journey touchpoint
   by id or name (``"Check-in"`` -> ``check_in``), confidence 1.0. An id the
   journey does not know is kept as given, with confidence 0.5 and a flag in
   the evidence.
2. **phrase**: whole-word / whole-phrase matches of each touchpoint's phrases
   (and its id written as words) in the text, with one compiled regex for the
   journey; longer phrases win over the words inside them ("lost bag" over
   "bag"). Each match weighs its number of words; the touchpoint with the
   largest total wins with confidence ``share * (1 - 0.5 ** (best + 1))``
   where ``share`` is its part of all matched weight and ``best`` its weight
   (one single-word match alone: 0.75; a two-word phrase: 0.875; two
   touchpoints tied on one word each: 0.375).
3. **measure**: a measure judged against a touchpoint's expectation
   (see :mod:`carlzon.detect.expectations`), confidence 0.8.
4. **similarity**: cosine between the text and each touchpoint's name,
   description and phrases, as TF-IDF of words and of character 3-5 grams
   fitted on the journey alone (so one row's answer never depends on the rest
   of the batch); confidence ``min(1, best / 0.5) * (best - second) / best``.

Below ``min_confidence`` the answer is ``'unknown'`` rather than a forced guess.

Example:
    >>> from carlzon.journey import load_journey
    >>> m = TouchpointMatcher(load_journey("airline"))
    >>> r = m.assign(["They lost my bag at the carousel", "hello"], explicit=[None, "Check-in"])
    >>> list(r.touchpoint), r.confidence.round(2).tolist()
    (['baggage_claim', 'check_in'], [0.88, 1.0])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from carlzon.journey import Journey
from carlzon.schema import Evidence

__all__ = ["TouchpointMatcher", "TouchpointResult", "UNKNOWN"]

UNKNOWN = "unknown"
MEASURE_CONFIDENCE = 0.8
UNKNOWN_ID_CONFIDENCE = 0.5


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower()).strip("_")


def _missing(v: Any) -> bool:
    if isinstance(v, str):
        return not v.strip()
    return v is None or bool(pd.isna(v))


@dataclass
class TouchpointResult:
    """Per-row touchpoint, confidence, the method that decided and what it saw."""

    touchpoint: np.ndarray  # object: touchpoint id or 'unknown'
    confidence: np.ndarray  # float in [0, 1]
    method: np.ndarray  # object: column / phrase / measure / similarity / none
    texts: list[Any] = field(default_factory=list)
    phrase_regex: dict[str, re.Pattern[str]] = field(default_factory=dict)
    flagged: np.ndarray | None = None  # bool: explicit id unknown to the journey
    names: dict[str, str] = field(default_factory=dict)
    guess: np.ndarray | None = None  # the best guess behind an 'unknown'

    def matched(self, i: int) -> list[str]:
        """The phrases of row ``i``'s touchpoint found in its text, in order, without repeats."""
        rx = self.phrase_regex.get(self.touchpoint[i])
        t = self.texts[i] if i < len(self.texts) else None
        if rx is None or not isinstance(t, str):
            return []
        return list(dict.fromkeys(" ".join(h.lower().split()) for h in rx.findall(t)))

    def evidence(self, i: int) -> list[Evidence]:
        tp, conf, method = self.touchpoint[i], float(self.confidence[i]), self.method[i]
        name = self.names.get(tp, tp)
        c = round(conf, 2)
        if method == "column":
            if self.flagged is not None and self.flagged[i]:
                return [Evidence(rule="touchpoint", text=f"touchpoint {tp!r} given by the source is not in the journey",
                                 value=tp, weight=c)]
            return [Evidence(rule="touchpoint", text=f"touchpoint {name} given by the source", value=tp, weight=c)]
        if method == "phrase":
            ph = self.matched(i)
            quoted = ", ".join(f'"{p}"' for p in ph[:3])
            return [Evidence(rule="touchpoint", text=f"{quoted} points to {name}", phrase=ph[0] if ph else None,
                             value=tp, weight=c)]
        if method == "measure":
            return [Evidence(rule="touchpoint", text=f"touchpoint {name} from its measure", value=tp, weight=c)]
        if method == "similarity":
            return [Evidence(rule="touchpoint", text=f"reads like {name} (similarity {c})", value=tp, weight=c)]
        if method == "unsure":
            g = self.guess[i] if self.guess is not None else None
            if g is None or conf < 0.1:
                return [Evidence(rule="touchpoint", text="touchpoint unclear", value=UNKNOWN, weight=c)]
            return [Evidence(rule="touchpoint", text=f"touchpoint unclear (best guess {self.names.get(g, g)}, confidence {c})",
                             value=UNKNOWN, weight=c)]
        return []


class TouchpointMatcher:
    """Assign journey touchpoints to texts (see the module docstring for the chain)."""

    def __init__(self, journey: Journey | None, *, min_confidence: float = 0.35) -> None:
        self.journey = journey
        self.min_confidence = float(min_confidence)
        self._sim = None
        self.names: dict[str, str] = {}
        self._by_key: dict[str, str] = {}
        self._phrase_tps: dict[str, list[str]] = {}
        self._groups: list[tuple[str, str, str, int, tuple[str, ...]]] = []
        self._tp_regex: dict[str, re.Pattern[str]] = {}
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
        # one Arrow regex pass per (touchpoints, phrase length) group, longest phrases first,
        # each replacing its matches by a marker so shorter phrases inside them do not count again
        groups: dict[tuple[int, tuple[str, ...]], list[str]] = {}
        for p, tps in self._phrase_tps.items():
            groups.setdefault((len(p.replace("-", " ").split()), tuple(tps)), []).append(p)
        self._groups = []
        for k, ((n_words, tps), phrases) in enumerate(sorted(groups.items(), key=lambda kv: (-kv[0][0], kv[0][1]))):
            alt = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
            self._groups.append((rf"\b(?:{alt})\b", f" \x01{k}\x02 ", f"\x01{k}\x02", n_words, tps))
        self._weight = np.zeros((len(self._groups), len(self.ids)))
        col = {t: j for j, t in enumerate(self.ids)}
        for g, (_, _, _, n_words, tps) in enumerate(self._groups):
            for t in tps:
                self._weight[g, col[t]] = n_words
        self._tp_regex = {}
        for tp in journey.touchpoints:
            mine = sorted((p for p, tps in self._phrase_tps.items() if tp.id in tps), key=len, reverse=True)
            alt = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in mine)
            self._tp_regex[tp.id] = re.compile(rf"\b(?:{alt})\b", re.IGNORECASE)

    def _phrase_weights(self, texts: Sequence[str | None]) -> np.ndarray:
        """Matched phrase weight of each touchpoint in each text (rows: texts, columns: touchpoints)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pc.utf8_lower(pa.array([t if isinstance(t, str) else "" for t in texts], type=pa.large_string()))
        counts = np.zeros((len(texts), len(self._groups)))
        for g, (pattern, repl, marker, _, _) in enumerate(self._groups):
            arr = pc.replace_substring_regex(arr, pattern, repl)
            counts[:, g] = pc.count_substring(arr, marker).to_numpy(zero_copy_only=False)
        return counts @ self._weight

    # -- the chain -------------------------------------------------------------------------
    def assign(self, texts: Sequence[str | None], explicit: Sequence[Any] | None = None,
               measure_touchpoint: Sequence[str | None] | None = None) -> TouchpointResult:
        """Run the whole chain on a batch (all arguments aligned by row)."""
        res = self.match(texts, explicit)
        return self.finish(res, texts, measure_touchpoint)

    def match(self, texts: Sequence[str | None], explicit: Sequence[Any] | None = None) -> TouchpointResult:
        """Steps 1 and 2: explicit column, then phrases."""
        n = len(texts)
        tp = np.full(n, UNKNOWN, dtype=object)
        conf = np.zeros(n)
        method = np.full(n, "none", dtype=object)
        flagged = np.zeros(n, dtype=bool)
        found: list[list[str]] = [[] for _ in range(n)]
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
        if self._groups and len(todo):
            weights = self._phrase_weights([texts[i] for i in todo])  # (len(todo), n_touchpoints)
            total = weights.sum(axis=1)
            hit = total > 0
            best_k = weights.argmax(axis=1)  # ties: earlier in the journey
            best = weights[np.arange(len(todo)), best_k]
            with np.errstate(invalid="ignore", divide="ignore"):
                c = np.where(hit, best / np.maximum(total, 1e-9) * (1 - 0.5 ** (best + 1)), 0.0)
            rows = todo[hit]
            tp[rows] = np.asarray(self.ids, dtype=object)[best_k[hit]]
            conf[rows], method[rows] = c[hit], "phrase"
        return TouchpointResult(tp, conf, method, flagged=flagged, names=self.names, texts=list(texts),
                                phrase_regex=self._tp_regex)

    def finish(self, res: TouchpointResult, texts: Sequence[str | None],
               measure_touchpoint: Sequence[str | None] | None = None) -> TouchpointResult:
        """Steps 3 and 4: measures, then similarity; then 'unknown' below the minimum confidence."""
        tp, conf, method = res.touchpoint, res.confidence, res.method
        weak = (method == "none") | ((method == "phrase") & (conf < self.min_confidence))
        if measure_touchpoint is not None:
            mt = np.asarray(list(measure_touchpoint), dtype=object)
            sel = weak & np.array([m is not None for m in mt], dtype=bool)
            tp[sel], conf[sel], method[sel] = mt[sel], MEASURE_CONFIDENCE, "measure"
            weak &= ~sel
        idx = np.flatnonzero(weak)
        if len(idx) and self.journey is not None:
            sub = [texts[i] if isinstance(texts[i], str) else "" for i in idx]
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

    # -- similarity ---------------------------------------------------------------------------
    def _fit_similarity(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        assert self.journey is not None
        docs = [" ".join([tp.name, tp.id.replace("_", " "), tp.description, *tp.phrases]) for tp in self.journey.touchpoints]
        word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, stop_words="english").fit(docs)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(docs)
        self._sim = (word, word.transform(docs), char, char.transform(docs))

    def similarity(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Best touchpoint by TF-IDF cosine, and its confidence, for each text."""
        n = len(texts)
        if self.journey is None or n == 0:
            return np.full(n, UNKNOWN, dtype=object), np.zeros(n)
        if self._sim is None:
            self._fit_similarity()
        word, wdocs, char, cdocs = self._sim  # type: ignore[misc]
        sims = 0.5 * (word.transform(texts) @ wdocs.T).toarray() + 0.5 * (char.transform(texts) @ cdocs.T).toarray()
        if sims.shape[1] == 1:
            best = sims[:, 0]
            return np.array([self.ids[0]] * n, dtype=object), np.clip(best / 0.5, 0, 1)
        top2 = np.sort(sims, axis=1)[:, -2:]
        best, second = top2[:, 1], top2[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            conf = np.where(best > 0, np.minimum(1.0, best / 0.5) * (best - second) / best, 0.0)
        ids = np.asarray(self.ids, dtype=object)[sims.argmax(axis=1)]
        return ids, np.clip(conf, 0.0, 1.0)
