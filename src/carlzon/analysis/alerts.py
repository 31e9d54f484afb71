"""Emerging problems: a rise in misery per touchpoint, theme and location against its own recent baseline.

Every day, for every series, the day's count is tested against the series'
own trailing ``window`` days (28 by default):

* the moments of misery at a touchpoint and location (and at a touchpoint
  over all locations);
* each word or two-word phrase customers use at a touchpoint and location
  (and over all locations): this is what catches a *new* theme, say
  "jet bridge · broken", days before it moves the touchpoint's total.

The test is the upper tail of the count's predictive distribution given the
baseline: with ``S`` moments in ``W`` baseline days and a Jeffreys prior on the
daily rate, tomorrow's count is negative binomial (``r = S + prior``,
``p = W / (W + 1)``); it is a Poisson test that also knows how little a short
or quiet baseline says. Series with fewer than ``min_count`` moments that day
are not tested. The p-values of all series tested on a day are put under
Benjamini-Hochberg false-discovery control at ``fdr``. A phrase only counts
when most of its moments that day are misery.

Significant days of the same touchpoint and location (a day apart up to
``cooldown`` days) form one alert, which names what (touchpoint, theme), where
(location), since when, how many (count against the baseline expected over
the same days, with n) and gives example comments. Everything is causal: a
day is judged only on the days before it, so a back-test over history gives
the alerts a daily run would have raised.

Example:
    >>> import pandas as pd, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2026-01-01", periods=60, freq="D", tz="UTC")
    >>> rows = [(d, "gate", "misery", "slow gate staff") for d in days for _ in range(rng.poisson(2))]
    >>> rows += [(days[50], "gate", "misery", "the jet bridge is broken again")] * 6
    >>> m = pd.DataFrame(rows, columns=["timestamp", "touchpoint", "valence", "text"])
    >>> [(a["touchpoint"], a["since"], a["theme"]) for a in find_alerts(m)]
    [('gate', '2026-02-20', 'broken again · jet bridge')]
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from carlzon.analysis._base import Fitter
from carlzon.analysis._io import attributes, records
from carlzon.analysis._plot import axis
from carlzon.analysis.themes import EXTRA_STOP_WORDS, clean_text
from carlzon.errors import AnalysisError

__all__ = ["ALERT_FIELDS", "EmergingProblems", "benjamini_hochberg", "find_alerts"]

LOCATION_KEYS = ("location", "store", "site", "branch", "airport", "city", "region", "country")
"""Columns (or interaction attributes) read as the location of a moment, first found wins."""
KEEP_WORDS = frozenset({"out", "off", "down", "no", "not", "never", "again", "broken", "nobody"})
"""Words kept although they are English stop words: they tell what went wrong ('out of order', 'down')."""
ALERT_FIELDS = (
    "touchpoint",
    "theme",
    "location",
    "since",
    "last",
    "days",
    "count",
    "baseline",
    "rate_ratio",
    "p_value",
    "theme_count",
    "first_day_count",
    "first_day_baseline",
    "examples",
)


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """Boolean mask of the p-values discovered at false-discovery rate ``q``.

    >>> benjamini_hochberg(np.array([0.001, 0.02, 0.04, 0.5]), 0.05).tolist()
    [True, True, False, False]
    """
    from scipy.stats import false_discovery_control

    p = np.asarray(p, dtype=float)
    out = np.zeros(len(p), dtype=bool)
    ok = np.isfinite(p)  # an untestable cell (NaN) is no discovery and no test
    if ok.any():
        out[ok] = false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh") <= q
    return out


def _locations(df: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    for k in keys:
        if k in df.columns:
            col = df[k].astype("string")
            if "attributes" in df.columns and col.isna().any():  # a place kept in the attributes (older stores)
                col = col.fillna(locations_from_attributes(df["attributes"], keys))
            return col
    if "attributes" not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    return locations_from_attributes(df["attributes"], keys)


def locations_from_attributes(attrs: pd.Series, keys: tuple[str, ...]) -> pd.Series:
    """The first of ``keys`` with a value in each row's attributes (a dict or a JSON object), as text.

    Only rows whose JSON text mentions one of the keys are parsed, so a million rows stay quick.

    >>> locations_from_attributes(pd.Series(['{"store": "CPH"}', "{}", {"store": "OSL"}]), ("store",)).tolist()
    ['CPH', <NA>, 'OSL']
    """
    import json
    import re

    out = pd.Series(pd.NA, index=attrs.index, dtype="string")
    is_text = attrs.map(lambda a: isinstance(a, str)).astype(bool)
    pattern = "|".join(re.escape(json.dumps(k)) for k in keys)
    maybe = ~is_text & attrs.notna()
    if is_text.any():
        maybe |= is_text & attrs.where(is_text, "").astype(str).str.contains(pattern, regex=True)

    def pick(a: Any) -> Any:
        found = attributes(a)
        for k in keys:
            if found.get(k) not in (None, ""):
                return str(found[k])
        return None

    if maybe.any():
        out[maybe] = attrs[maybe].map(pick).astype("string")
    return out


_WORD = re.compile(r"\b[a-z][a-z]+\b")
_SENTENCE_END = re.compile(r"[.!?;:\n]+")


@functools.cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset((ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS) - KEEP_WORDS)


def _phrases(text: Any) -> list[str]:
    """The words and two-word phrases of ``text`` that can name a theme: stop words left out (so that
    "lock did not work" gives "lock not"), and no phrase across a sentence's end ("broken lock. Not
    good" gives no "lock not").

    >>> _phrases("The lock did not work. Not good!")
    ['lock', 'not', 'work', 'lock not', 'not work', 'not', 'good', 'not good']
    """
    stop = _stop_words()
    out: list[str] = []
    for sentence in _SENTENCE_END.split(clean_text(text)):
        words = [w for w in _WORD.findall(sentence) if w not in stop]
        out += words
        out += [f"{a} {b}" for a, b in zip(words, words[1:])]
    return out


def _tail_p(count: np.ndarray, base_sum: np.ndarray, w: float, prior: float) -> np.ndarray:
    """P(X >= count) when X is the next day's count after ``base_sum`` moments in ``w`` days."""
    return stats.nbinom.sf(count - 1, base_sum + prior, w / (w + 1.0))


class EmergingProblems(Fitter):
    """Find emerging problems in moments (a back-test over their whole history).

    ``fit(moments)`` needs ``timestamp``, ``touchpoint``, ``valence`` and
    ``text``; the location comes from a ``location`` column or the
    interaction's attributes (``LOCATION_KEYS``). Results: ``alerts_`` (one
    row an alert, newest first), ``tests_`` (tests and discoveries per day)
    and ``n_`` (the moments read).
    """

    _result = "alerts_"
    _fit_call = "fit(moments)"

    def __init__(
        self,
        *,
        window: int = 28,
        min_history: int = 14,
        min_count: int = 2,
        fdr: float = 0.002,
        prior: float = 0.5,
        term_window: int = 365,
        cooldown: int = 7,
        min_misery_share: float = 0.5,
        terms: bool = True,
        location_keys: tuple[str, ...] = LOCATION_KEYS,
        n_examples: int = 3,
    ) -> None:
        if window < 7 or min_history < 1 or min_history > window:
            raise AnalysisError(
                f"window={window}, min_history={min_history} cannot make a baseline",
                fix="use window >= 7 and 1 <= min_history <= window",
            )
        if not 0 < fdr < 1:
            raise AnalysisError(f"fdr={fdr} is not a rate", fix="use a false-discovery rate between 0 and 1, e.g. 0.05")
        self.window, self.min_history, self.min_count, self.fdr = window, min_history, max(int(min_count), 1), fdr
        self.term_window = max(int(term_window), window)
        self.prior, self.cooldown, self.min_misery_share, self.terms = prior, cooldown, min_misery_share, terms
        self.location_keys, self.n_examples = tuple(location_keys), n_examples

    def _repr_extra(self) -> str:
        return f"{len(self.alerts_)} alerts"

    # ----- fitting ---------------------------------------------------------
    def fit(self, moments: pd.DataFrame) -> EmergingProblems:
        """Test every series on every day with enough history; returns self."""
        need = ["timestamp", "touchpoint", "valence"]
        missing = [c for c in need if c not in moments.columns]
        if missing:
            raise AnalysisError(
                f"moments lack column(s) {missing}",
                fix="pass store.moments() or a table with timestamp, touchpoint, valence and text",
            )
        df = moments.reset_index(drop=True)
        ts = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
        ok = ts.notna().to_numpy()
        df, ts = df[ok].reset_index(drop=True), ts[ok].reset_index(drop=True)
        self.n_ = len(df)
        day0 = ts.min().normalize() if len(ts) else pd.Timestamp("1970-01-01", tz="UTC")
        day = ((ts.dt.normalize() - day0).dt.days).to_numpy() if len(ts) else np.zeros(0, dtype=int)
        n_days = int(day.max()) + 1 if len(day) else 0
        self.day0_, self.n_days_ = day0, n_days
        tp = df["touchpoint"].astype("string").fillna("unknown").to_numpy(dtype=object)
        loc = np.array(
            [v if isinstance(v, str) and v else None for v in _locations(df, self.location_keys)], dtype=object
        )
        misery = (df["valence"].astype("string") == "misery").fillna(False).to_numpy(dtype=bool)
        texts = df["text"] if "text" in df else pd.Series([None] * len(df))
        self._df, self._day, self._misery, self._texts, self._tp, self._loc = df, day, misery, texts, tp, loc

        keys: list[tuple[str, Any]] = []
        groups: list[np.ndarray] = []
        tp_codes, tp_names = pd.factorize(pd.Series(tp), sort=True)
        keys += [(str(t), None) for t in tp_names]
        groups.append(tp_codes.astype(np.int64))
        has_loc = np.array([v is not None for v in loc], dtype=bool)
        if has_loc.any():
            pair = pd.Series([f"{a}\x1f{b}" if h else None for a, b, h in zip(tp, loc, has_loc)])
            codes, names = pd.factorize(pair, sort=True)
            offset = len(keys)
            keys += [tuple(n.split("\x1f", 1)) for n in names]
            groups.append(np.where(codes >= 0, codes + offset, -1))
        self.series_keys_ = keys
        records, tests = self._scan(groups, len(keys), n_days, texts)
        self.tests_ = pd.DataFrame(tests, columns=["date", "tests", "discoveries"])
        self.discoveries_ = pd.DataFrame(
            records, columns=["day", "series", "term", "count", "base_sum", "base_days", "p"]
        )
        self.alerts_ = self._episodes(groups)
        return self

    def _vocab(self, texts: pd.Series) -> tuple[sparse.csr_matrix, np.ndarray]:
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(analyzer=_phrases, binary=True, min_df=1, dtype=np.int32)
        # the moments of one interaction share its text: read each text once
        codes, uniques = pd.factorize(texts.astype(object).where(texts.notna(), ""))
        try:
            x = vec.fit_transform(list(uniques))[codes]
        except ValueError:  # no words at all
            return sparse.csr_matrix((len(texts), 0), dtype=np.int32), np.array([], dtype=object)
        vocab = np.asarray(vec.get_feature_names_out(), dtype=object)
        # words kept for phrases such as "cut off" or "no show" are no theme on their own
        keep = np.array([t not in KEEP_WORDS for t in vocab], dtype=bool)
        return x.tocsr()[:, keep], vocab[keep]

    def _scan(self, groups: list[np.ndarray], n_series: int, n_days: int, texts: pd.Series) -> tuple[list, list]:
        day, misery = self._day, self._misery
        keys = self.series_keys_
        tp_index = {k[0]: i for i, k in enumerate(keys) if k[1] is None}
        parent = np.array([tp_index[k[0]] for k in keys], dtype=np.int64)
        # totals: misery per series and day (all moments per series and day for location shares)
        nd = max(n_days, 1)
        total = np.zeros((n_series, nd), dtype=np.int64)
        docs = np.zeros((n_series, nd), dtype=np.int64)
        for g in groups:
            sel = g >= 0
            np.add.at(docs, (g[sel], day[sel]), 1)
            sel &= misery
            np.add.at(total, (g[sel], day[sel]), 1)
        zero = np.zeros((n_series, 1), dtype=np.int64)
        cum = np.concatenate([zero, np.cumsum(total, axis=1)], axis=1)
        cum_docs = np.concatenate([zero, np.cumsum(docs, axis=1)], axis=1)
        # phrases: documents per (day, series) and term, all valences and misery only
        x, vocab = (
            self._vocab(texts) if self.terms else (sparse.csr_matrix((len(day), 0), dtype=np.int32), np.array([]))
        )
        self.vocab_ = vocab
        self._phrase_docs, self._phrase_col = x, {str(t): j for j, t in enumerate(vocab)}
        r = np.concatenate([day[g >= 0] * n_series + g[g >= 0] for g in groups])
        dsel = np.concatenate([np.flatnonzero(g >= 0) for g in groups])
        shape = (nd * n_series, len(day))
        a = sparse.csr_matrix((np.ones(len(r), dtype=np.int32), (r, dsel)), shape=shape)
        a_mis = sparse.csr_matrix((misery[dsel].astype(np.int32), (r, dsel)), shape=shape)
        per_day = (a @ x).tocsr()
        per_day_mis = (a_mis @ x).tocsr()
        hist = sparse.csr_matrix((n_series, x.shape[1]), dtype=np.int64)
        records: list[tuple] = []
        tests: list[tuple] = []
        for d in range(n_days):
            block = per_day[d * n_series : (d + 1) * n_series]
            w = min(self.window, d)
            if d >= self.min_history:
                # totals: the series' own trailing window
                c_tot = total[:, d]
                s_tot = cum[:, d] - cum[:, d - w]
                t_idx = np.flatnonzero(c_tot >= 1)
                p_tot = _tail_p(c_tot[t_idx], s_tot[t_idx], w, self.prior)
                p_tot[c_tot[t_idx] < self.min_count] = 1.0
                # phrases: the touchpoint's longer memory, scaled to the location's share of its moments
                h = min(self.term_window, d)
                coo = block.tocoo()
                gi, vi, cv = coo.row, coo.col, coo.data.astype(np.int64)
                hist_docs = cum_docs[:, d] - cum_docs[:, d - h]
                share = np.where(hist_docs[parent] > 0, hist_docs / np.maximum(hist_docs[parent], 1), 1.0)
                share = np.clip(share, 1e-3, 1.0)
                sv = np.asarray(hist[parent[gi], vi]).ravel() if len(gi) else np.zeros(0)
                w_eff = h / share[gi]
                p_term = stats.nbinom.sf(cv - 1, sv + self.prior, w_eff / (w_eff + 1.0)) if len(gi) else np.zeros(0)
                if len(gi):
                    mis = np.asarray(per_day_mis[d * n_series + gi, vi]).ravel()
                    p_term[(cv < self.min_count) | (mis < self.min_misery_share * cv)] = 1.0
                p_all = np.concatenate([p_tot, p_term])
                found = benjamini_hochberg(p_all, self.fdr)
                tests.append(((self.day0_ + pd.Timedelta(days=d)).date().isoformat(), len(p_all), int(found.sum())))
                nt = len(t_idx)
                for i in np.flatnonzero(found[:nt]):
                    records.append(
                        (d, int(t_idx[i]), None, int(c_tot[t_idx[i]]), int(s_tot[t_idx[i]]), w, float(p_tot[i]))
                    )
                for i in np.flatnonzero(found[nt:]):
                    records.append((d, int(gi[i]), str(vocab[vi[i]]), int(cv[i]), int(sv[i]), h, float(p_term[i])))
            hist = hist + block
            if d - self.term_window >= 0:
                hist = hist - per_day[(d - self.term_window) * n_series : (d - self.term_window + 1) * n_series]
                hist.eliminate_zeros()
        return records, tests

    # ----- alerts ----------------------------------------------------------
    def _episodes(self, groups: list[np.ndarray]) -> pd.DataFrame:
        disc = self.discoveries_
        cols = list(ALERT_FIELDS) + ["n"]
        if disc.empty:
            return pd.DataFrame(columns=cols)
        keys = self.series_keys_
        disc = disc.assign(
            touchpoint=[keys[s][0] for s in disc["series"]], location=[keys[s][1] for s in disc["series"]]
        )
        out = []
        disc["loc_key"] = [("" if v is None else "@" + v) for v in disc["location"]]
        for (tp_key, loc_key), g in disc.groupby(["touchpoint", "loc_key"], sort=True):
            tp, key = str(tp_key), str(loc_key)
            loc = key[1:] if key else None
            days = np.sort(g["day"].unique())
            breaks = np.flatnonzero(np.diff(days) > self.cooldown)
            for part in np.split(days, breaks + 1):
                ep = g[g["day"].between(part[0], part[-1])]
                out.append(self._alert(tp, loc, int(part[0]), int(part[-1]), ep))
        alerts = pd.DataFrame(out)
        # an alert over all locations that overlaps one at a single location of the same touchpoint adds nothing
        keep = []
        for a in alerts.to_dict("records"):
            if a["location"] is None:
                same = alerts[
                    (alerts["touchpoint"] == a["touchpoint"])
                    & alerts["location"].notna()
                    & (alerts["first_i"] <= a["last_i"] + self.cooldown)
                    & (alerts["last_i"] >= a["first_i"] - self.cooldown)
                ]
                keep.append(same.empty)
            else:
                keep.append(True)
        alerts = alerts[keep].sort_values(["first_i", "p_value"], ascending=[False, True], kind="stable")
        return alerts.drop(columns=["first_i", "last_i"]).reset_index(drop=True)[cols]

    def _alert(self, tp: str, loc: str | None, first: int, last: int, ep: pd.DataFrame) -> dict[str, Any]:
        in_series = self._tp == tp
        if loc is not None:
            in_series &= self._loc == loc
        in_days = (self._day >= first) & (self._day <= last)
        before = (self._day >= first - self.window) & (self._day < first)
        w = min(self.window, first)
        base_sum = int((in_series & before & self._misery).sum())
        rate = base_sum / w if w else float("nan")
        ndays = last - first + 1
        count = int((in_series & in_days & self._misery).sum())
        first_count = int((in_series & (self._day == first) & self._misery).sum())
        terms = ep[ep["term"].notna()]
        # most significant first; on a tie the two-word phrase reads better than its words
        terms = terms.assign(words=terms["term"].str.count(" ")).sort_values(
            ["p", "words"], ascending=[True, False], kind="stable"
        )
        chosen: list[str] = []
        for t in terms["term"]:
            if len(chosen) >= 3:
                break
            if not any(set(t.split()) & set(c.split()) for c in chosen):
                chosen.append(t)
        theme = " · ".join(chosen) if chosen else None
        docs = np.flatnonzero(in_series & in_days & self._misery)
        texts = self._texts.iloc[docs].astype(object)
        themed = pd.Series(False, index=texts.index)
        if chosen:  # the texts that hold the first phrase, as the vocabulary read them
            hold = self._phrase_docs[docs][:, self._phrase_col[chosen[0]]].toarray().ravel() > 0
            themed = pd.Series(hold, index=texts.index)
        examples = [
            t for t in (texts[themed] if themed.any() else texts).dropna().drop_duplicates().head(self.n_examples)
        ]
        baseline = rate * ndays
        return {
            "touchpoint": tp,
            "theme": theme,
            "location": loc,
            "since": (self.day0_ + pd.Timedelta(days=first)).date().isoformat(),
            "last": (self.day0_ + pd.Timedelta(days=last)).date().isoformat(),
            "days": ndays,
            "count": count,
            "baseline": round(baseline, 2),
            "rate_ratio": round(count / baseline, 2) if baseline > 0 else None,
            "p_value": float(ep["p"].min()),
            "theme_count": int(themed.sum()) if chosen else None,
            "first_day_count": first_count,
            "first_day_baseline": round(rate, 2),
            "examples": examples,
            "n": count,
            "first_i": first,
            "last_i": last,
        }

    # ----- results ---------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        """One row an alert: what, where, since when, how many against the baseline."""
        self._check_fitted()
        return self.alerts_[
            ["touchpoint", "theme", "location", "since", "days", "count", "baseline", "rate_ratio", "p_value"]
        ]

    def to_records(self, *, since: Any = None) -> list[dict[str, Any]]:
        """Alerts as plain dicts (the ``carlzon alerts --json`` contract), those still active on or after ``since``."""
        self._check_fitted()
        a = self.alerts_
        if since is not None:
            cut = pd.Timestamp(since)
            cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
            a = a[pd.to_datetime(a["last"]).dt.tz_localize("UTC") >= cut.normalize()]
        return records(a)

    def to_dict(self) -> dict[str, Any]:
        """``{"n", "alerts": [...]}``: the moments read and every alert as plain data."""
        return {"n": self._repr_n(), "alerts": self.to_records()}

    def plot(self, ax: Any = None) -> Any:
        """Each alert's count against its baseline (horizontal bars); returns the axis (needs matplotlib)."""
        self._check_fitted()
        a = self.alerts_.iloc[::-1]
        ax = axis(ax, (6, 0.35 * len(a) + 1))
        names = [f"{r['touchpoint']}: {r['theme']}" for r in a.to_dict("records")]
        ax.barh(names, a["count"].to_numpy(dtype=float), label="count")
        ax.barh(names, a["baseline"].to_numpy(dtype=float), fill=False, label="baseline")
        ax.set_xlabel(f"moments of misery in the alert's days (n = {self.n_:,} moments read)")
        return ax


def find_alerts(moments: pd.DataFrame, *, since: Any = None, **options: Any) -> list[dict[str, Any]]:
    """Emerging problems in ``moments`` as plain dicts (newest first); see :class:`EmergingProblems`."""
    return EmergingProblems(**options).fit(moments).to_records(since=since)
