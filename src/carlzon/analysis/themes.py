"""Themes: what customers talk about in their moments of misery and of magic, per touchpoint.

The default path uses scikit-learn only: the texts of each (valence,
touchpoint) group become TF-IDF vectors (English stop words, words and
two-word phrases), rows are L2-normalised and clustered with k-means
(cosine geometry, fixed seed). A text joins a theme only when it is close
enough to the theme's centre (``min_similarity``), and themes smaller than
``min_size`` are dissolved, so noise stays in no theme; ``unassigned_share_``
says how much. Each theme is labelled by its key phrases ("lost bag ·
delivery · claim"), counted, illustrated by the customer texts nearest its
centre, and given a trend: counts per week, and rising / falling / stable
from the last ``trend_weeks`` weeks against the ones before (an exact
conditional binomial test on the two counts, with their n).

``method='embed'`` clusters sentence embeddings instead (the ``embed``
extra, through :mod:`carlzon.detect.embed`); the labels still come from
TF-IDF phrases.

Example:
    >>> import pandas as pd
    >>> texts = ["lost my bag at the airport", "they lost my bag again", "bag lost, no answer",
    ...          "rude staff at the gate", "the gate staff were rude", "rude gate agent"] * 3
    >>> df = pd.DataFrame({"text": texts, "valence": "misery", "touchpoint": "baggage_claim"})
    >>> th = Themes(min_size=3, max_themes=2).fit(df)
    >>> th.themes_[["label", "n"]].values.tolist()
    [['gate · rude · staff', 9], ['lost bag · airport · answer', 9]]
    >>> th.unassigned_share_
    0.0
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from carlzon.analysis._base import Fitter
from carlzon.analysis._io import records
from carlzon.analysis._plot import axis
from carlzon.errors import AnalysisError, MissingExtraError, NotEnoughDataError

__all__ = ["Themes", "clean_text", "key_phrases"]

Method = Literal["tfidf", "embed"]

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"[@#]\w+")
_NUM = re.compile(r"\b\d+(?:[.,:]\d+)?\b")
_NOT = re.compile(r"n['’]t\b")
_CLITIC = re.compile(r"['’](?:s|re|ve|ll|d|m)\b")
EXTRA_STOP_WORDS = frozenset(
    "just really got get did didn don doesn im ive it's amp yes thanks thank please today time day like "
    "know want need going make way said told ve ll re http https www com "
    # fillers and interjections: they colour a text but name no theme ("honestly" at the cabin crew)
    "honestly literally seriously actually basically totally definitely absolutely truly simply certainly "
    "pretty kinda sorta lol omg btw tho guys hey hi hello ok okay oh ugh wow".split()
)
"""Words too common in customer texts to name a theme (added to scikit-learn's English list)."""
PHRASE_BOOST = 1.6
"""Weight of a two-word phrase against a single word when a theme's label is chosen."""

GENERIC_SHARE = 0.25
"""A term in this share of all the texts fitted or more names the business, not a theme ("hotel", "room",
"stay" in a hotel's reviews): it is left out of labels when the fit has ``GENERIC_MIN_TEXTS`` texts."""

GENERIC_MIN_TEXTS = 50


def clean_text(text: Any) -> str:
    """Lower-cased text without URLs, @mentions, #tags and numbers (they name no theme); contractions
    are written out ("isn't" is "is not", "it's" is "it"), so that no broken token ("isn") names a theme.

    >>> clean_text("@united Flight 1234 delayed 3 hours http://t.co/x")
    'flight delayed hours'
    >>> clean_text("The shower isn't hot and it's loud")
    'the shower is not hot and it loud'
    """
    if not isinstance(text, str):
        return ""
    t = _URL.sub(" ", text)
    t = _MENTION.sub(" ", t)
    t = _NUM.sub(" ", t).lower()
    t = _CLITIC.sub("", _NOT.sub(" not", t))
    return " ".join(t.split())


def _vectorizer(min_df: int, max_features: int | None = 20_000) -> Any:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    return TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS),
        ngram_range=(1, 2),
        min_df=min_df,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[a-z][a-z]+\b",
        max_features=max_features,
    )


def _generic_terms(texts: list[str]) -> frozenset[str]:
    """The terms (words and two-word phrases) in ``GENERIC_SHARE`` of ``texts`` or more; none for few texts.

    >>> sorted(_generic_terms([f"the hotel: {w}" for w in ("dirty room", "rude staff", "cold shower", "slow wifi", "noisy")] * 12))
    ['hotel']
    """
    if len(texts) < GENERIC_MIN_TEXTS:
        return frozenset()
    from collections import Counter

    analyse = _vectorizer(min_df=1).build_analyzer()
    df = Counter(t for text in texts for t in set(analyse(text)))
    return frozenset(t for t, c in df.items() if c >= GENERIC_SHARE * len(texts))


def key_phrases(weights: np.ndarray, terms: np.ndarray, k: int = 3) -> list[str]:
    """The ``k`` heaviest terms, skipping a word already inside a chosen phrase (and vice versa).

    >>> key_phrases(np.array([.9, .8, .7, .1]), np.array(["lost bag", "bag", "claim", "gate"]), 2)
    ['lost bag', 'claim']
    """
    out: list[str] = []
    for i in np.argsort(-weights, kind="stable"):
        if weights[i] <= 0 or len(out) >= k:
            break
        t = str(terms[i])
        words = set(t.split())
        if any(words & set(o.split()) for o in out):
            continue
        out.append(t)
    return out


def _trend(weekly: pd.Series, weeks: int, alpha: float) -> tuple[str, int, float | None, float]:
    """rising / falling / stable: the last ``weeks`` weeks against the ``weeks`` before."""
    if len(weekly) < 2 * weeks:
        recent, before = weekly.iloc[len(weekly) // 2 :], weekly.iloc[: len(weekly) // 2]
    else:
        recent, before = weekly.iloc[-weeks:], weekly.iloc[-2 * weeks : -weeks]
    a, b = int(recent.sum()), int(before.sum())
    n = a + b
    if n == 0 or len(before) == 0:
        return "stable", n, None, 1.0
    # equal weekly rates: a ~ Binomial(n, len(recent) / (len(recent) + len(before)))
    p0 = len(recent) / (len(recent) + len(before))
    p = float(stats.binomtest(a, n, p0).pvalue)
    ratio = (a / len(recent)) / (b / len(before)) if b else math.inf
    if p < alpha:
        return ("rising" if a / n > p0 else "falling"), n, ratio, p
    return "stable", n, ratio, p


class Themes(Fitter):
    """Group moments by what customers talk about, per valence and touchpoint.

    ``fit(moments)`` needs a ``text`` column; ``valence``, ``touchpoint`` and
    ``timestamp`` are used when present. Results: ``themes_`` (one row a
    theme), ``assignments_`` (theme id of each input row, ``None`` for no
    theme), ``unassigned_share_`` and ``n_`` (the moments considered).
    """

    def __init__(
        self,
        *,
        method: Method = "tfidf",
        valences: tuple[str, ...] = ("misery", "magic"),
        per_touchpoint: bool = True,
        min_size: int = 5,
        max_themes: int = 12,
        min_similarity: float = 0.08,
        n_examples: int = 3,
        n_terms: int = 3,
        trend_weeks: int = 4,
        alpha: float = 0.05,
        seed: int = 0,
    ) -> None:
        if method not in ("tfidf", "embed"):
            raise AnalysisError(f"unknown theme method {method!r}", fix="use method='tfidf' or method='embed'")
        if min_size < 2:
            raise AnalysisError(f"min_size={min_size} is too small", fix="use min_size of at least 2")
        self.method = method
        self.valences = tuple(valences)
        self.per_touchpoint = per_touchpoint
        self.min_size = min_size
        self.max_themes = max_themes
        self.min_similarity = min_similarity
        self.n_examples = n_examples
        self.n_terms = n_terms
        self.trend_weeks = trend_weeks
        self.alpha = alpha
        self.seed = seed

    _result = "themes_"
    _fit_call = "fit(moments)"

    def _repr_extra(self) -> str:
        return f"{len(self.themes_)} themes"

    # ----- fitting ---------------------------------------------------------
    def fit(self, moments: pd.DataFrame) -> Themes:
        """Find the themes; returns self."""
        if not isinstance(moments, pd.DataFrame) or "text" not in moments.columns:
            raise AnalysisError(
                "Themes needs a table of moments with a 'text' column",
                fix="pass store.moments() (with_text=True) or a DataFrame with a 'text' column",
            )
        df = moments.reset_index(drop=True)
        valence = (
            df["valence"].astype("string").fillna("neutral") if "valence" in df else pd.Series("all", index=df.index)
        )
        touchpoint = (
            df["touchpoint"].astype("string").fillna("unknown")
            if ("touchpoint" in df and self.per_touchpoint)
            else pd.Series("all", index=df.index)
        )
        cleaned = df["text"].map(clean_text)
        keep = cleaned.str.len() > 0
        if "valence" in df:
            keep &= valence.isin(self.valences)
        if not keep.any():
            raise NotEnoughDataError(
                f"no moments with text among valences {list(self.valences)}",
                fix="ingest data with customer text, or change valences=",
            )
        times = pd.to_datetime(df["timestamp"], utc=True, errors="coerce") if "timestamp" in df else None
        assignments = pd.Series([None] * len(df), index=df.index, dtype=object)
        rows: list[dict[str, Any]] = []
        groups = pd.DataFrame({"valence": valence, "touchpoint": touchpoint})[keep].groupby(
            ["valence", "touchpoint"], sort=True
        )
        self.groups_: list[dict[str, Any]] = []
        self._generic = _generic_terms(cleaned[keep].tolist())
        for (val, tp), g in groups:
            idx = g.index.to_numpy()
            found = self._fit_group(cleaned.loc[idx].tolist(), df["text"].loc[idx].tolist())
            self.groups_.append(
                {
                    "valence": val,
                    "touchpoint": tp,
                    "n": len(idx),
                    "assigned": int(sum(len(t["members"]) for t in found)),
                }
            )
            for k, theme in enumerate(found):
                tid = f"{val}:{tp}:{k + 1}"
                members = idx[theme["members"]]
                assignments.loc[members] = tid
                row = {
                    "theme_id": tid,
                    "valence": val,
                    "touchpoint": tp,
                    "label": " · ".join(theme["terms"]),
                    "terms": theme["terms"],
                    "n": len(members),
                    "group_n": len(idx),
                    "share": len(members) / len(idx),
                    "examples": theme["examples"],
                }
                row.update(self._trend_of(times, members))
                rows.append(row)
        cols = [
            "theme_id",
            "valence",
            "touchpoint",
            "label",
            "terms",
            "n",
            "group_n",
            "share",
            "examples",
            "trend",
            "trend_n",
            "trend_ratio",
            "trend_p",
            "weekly",
        ]
        self.themes_ = (
            pd.DataFrame(rows, columns=cols)
            .sort_values(["valence", "n"], ascending=[True, False], kind="stable")
            .reset_index(drop=True)
        )
        self.assignments_ = assignments
        self.n_ = int(keep.sum())
        self.unassigned_share_ = float(assignments[keep].isna().mean())
        return self

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            from carlzon.detect import embed as _embed_mod
        except ImportError:
            raise MissingExtraError("embed", "carlzon.detect.embed / sentence-transformers") from None
        fn = getattr(_embed_mod, "embed", None) or getattr(_embed_mod, "encode", None)
        if fn is None:
            raise MissingExtraError("embed", "an embed() function in carlzon.detect.embed")
        try:
            x = np.asarray(fn(texts), dtype=float)
        except ImportError:
            raise MissingExtraError("embed", "sentence-transformers") from None
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    def _fit_group(self, cleaned: list[str], raw: list[str]) -> list[dict[str, Any]]:
        """Themes of one group: list of {members (positions), terms, examples}."""
        from sklearn.cluster import KMeans
        from sklearn.preprocessing import normalize

        n = len(cleaned)
        if n < 2 * self.min_size:
            return []
        vec = _vectorizer(min_df=2)
        try:
            tfidf = vec.fit_transform(cleaned)
        except ValueError:  # every word a stop word or seen once
            return []
        terms = np.asarray(vec.get_feature_names_out())
        x = self._embed(raw) if self.method == "embed" else normalize(tfidf)
        nonempty = np.asarray(tfidf.sum(axis=1)).ravel() > 0
        if nonempty.sum() < 2 * self.min_size:
            return []
        k = int(min(self.max_themes, max(2, round(math.sqrt(nonempty.sum() / 2)))))
        km = KMeans(n_clusters=k, n_init=4, random_state=self.seed)
        rows = np.flatnonzero(nonempty)
        labels = km.fit_predict(x[rows])
        centres = normalize(km.cluster_centers_)
        sim = np.asarray(x[rows] @ centres.T) if self.method == "embed" else np.asarray(x[rows] @ centres.T)
        own = sim[np.arange(len(rows)), labels]
        threshold = self.min_similarity if self.method == "tfidf" else max(self.min_similarity, 0.5)
        found = []
        for c in range(k):
            sel = (labels == c) & (own >= threshold)
            if sel.sum() < self.min_size:
                continue
            members = rows[sel]
            weight = np.asarray(tfidf[members].mean(axis=0)).ravel() * self._phrase_boost(terms)
            generic = np.fromiter((t in self._generic for t in terms), dtype=bool, count=len(terms))
            label_terms = key_phrases(np.where(generic, 0.0, weight), terms, self.n_terms) or key_phrases(
                weight, terms, self.n_terms
            )
            if not label_terms:
                continue
            order = members[np.argsort(-own[sel], kind="stable")]
            examples, seen = [], set()
            for i in order:
                key = cleaned[i]
                if key in seen:
                    continue
                seen.add(key)
                examples.append(raw[i])
                if len(examples) >= self.n_examples:
                    break
            found.append({"members": members, "terms": label_terms, "examples": examples, "size": len(members)})
        found.sort(key=lambda t: -t["size"])
        return found

    @staticmethod
    def _phrase_boost(terms: np.ndarray) -> np.ndarray:
        """Two-word phrases read better than single words: weigh them up a little in labels."""
        return np.where(np.char.find(terms.astype(str), " ") >= 0, PHRASE_BOOST, 1.0)

    def _trend_of(self, times: pd.Series | None, members: np.ndarray) -> dict[str, Any]:
        if times is None:
            return {"trend": "stable", "trend_n": 0, "trend_ratio": None, "trend_p": 1.0, "weekly": {}}
        t = times.loc[members].dropna()
        if t.empty:
            return {"trend": "stable", "trend_n": 0, "trend_ratio": None, "trend_p": 1.0, "weekly": {}}
        all_t = times.dropna()
        week = t.dt.tz_convert(None).dt.to_period("W-SUN").dt.start_time
        span = pd.date_range(
            all_t.min().tz_convert(None).to_period("W-SUN").start_time,
            all_t.max().tz_convert(None).to_period("W-SUN").start_time,
            freq="7D",
        )
        weekly = week.value_counts().reindex(span, fill_value=0).sort_index()
        trend, n, ratio, p = _trend(weekly, self.trend_weeks, self.alpha)
        return {
            "trend": trend,
            "trend_n": n,
            "trend_ratio": ratio,
            "trend_p": p,
            "weekly": {d.date().isoformat(): int(c) for d, c in weekly.items()},
        }

    # ----- results ---------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One row a theme: valence, touchpoint, label, n, share of its group, trend with its n."""
        self._check_fitted()
        cols = [
            "theme_id",
            "valence",
            "touchpoint",
            "label",
            "n",
            "group_n",
            "share",
            "trend",
            "trend_n",
            "trend_ratio",
        ]
        return self.themes_[cols].set_index("theme_id")

    def to_records(self, *, valence: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Plain data for JSON, the report and the dashboard (one dict a theme)."""
        self._check_fitted()
        t = self.themes_ if valence is None else self.themes_[self.themes_["valence"] == valence]
        t = t.head(limit) if limit else t
        return records(t)

    def to_dict(self) -> dict[str, Any]:
        """``{"n", "unassigned_share", "themes": [...]}``: the moments read and every theme as plain data."""
        return {"n": self._repr_n(), "unassigned_share": self.unassigned_share_, "themes": self.to_records()}

    def plot(self, ax: Any = None, *, top: int = 10) -> Any:
        """Horizontal bars of the largest themes (needs matplotlib); returns the axis."""
        self._check_fitted()
        ax = axis(ax, (7, 0.4 * top + 1))
        t = self.themes_.nlargest(top, "n").iloc[::-1]
        ax.barh(
            [f"{r.touchpoint}: {r.label}" for r in t.itertuples()],
            t["n"],
            color=["#c0392b" if v == "misery" else "#27ae60" for v in t["valence"]],
        )
        ax.set_xlabel(f"moments (n = {self.n_}, {self.unassigned_share_:.0%} in no theme)")
        return ax
