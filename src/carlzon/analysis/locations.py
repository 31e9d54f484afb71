"""Places compared fairly: a shrunk score per place, its focus areas and best practice.

Each interaction counts once for its place: magic, misery or neutral (its overall valence where the
moments carry one, else misery when any of its moments is misery, magic when any is magic). A place's
**score** is the net share, magic minus misery, in [-1, 1] (higher is better), with a 95% interval.
Small places are noisy, so the ranking uses a **shrunk** score: a multilevel model (each interaction's
+1 / 0 / -1 with a random intercept per place, statsmodels MixedLM by REML) gives each place's best
linear unbiased prediction, the raw mean pulled towards the chain by tau2 / (tau2 + sigma2 / n), with
its posterior interval. A place with 12 reviews is pulled towards the chain and is
not first or last by chance.

**Focus areas**: the touchpoints where a place's misery rate (share of its moments at that touchpoint
that are misery) is higher than the rest of the chain's by more than chance: one-sided Fisher exact
tests, the discrete Benjamini-Hochberg (:func:`discrete_bh`: a cell of six moments cannot reach a
small p, so it costs the family less than a cell of sixty) over every (place, touchpoint) tested, at
``fdr``; a focus area also needs
``min_misery`` moments of misery. **Best practice** is the mirror: a lower misery rate, and the
focus area names the place to learn from (the best practice place at that touchpoint with most evidence).

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"interaction_id": [f"i{k}" for k in range(60)], "touchpoint": ["room"] * 60,
    ...                   "location": ["a"] * 30 + ["b"] * 30,
    ...                   "valence": ["misery"] * 20 + ["magic"] * 10 + ["misery"] * 2 + ["magic"] * 28})
    >>> r = LocationRanking().fit(m)
    >>> r.table_["location"].tolist(), r.focus_[["location", "touchpoint", "kind", "learn_from"]].values.tolist()
    (['b', 'a'], [['a', 'room', 'focus', 'b'], ['b', 'room', 'best', None]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis._base import Fitter
from carlzon.errors import NotEnoughDataError

__all__ = ["LocationRanking", "discrete_bh", "interaction_valence", "location_moments", "rank_locations", "shrink"]

_KINDS = ("magic", "neutral", "misery")


def interaction_valence(moments: pd.DataFrame) -> pd.DataFrame:
    """One row per interaction: interaction_id, location, valence (see the module's docstring)."""
    m = moments
    key = "interaction_id" if "interaction_id" in m.columns else None
    if key is None:
        m = m.assign(interaction_id=np.arange(len(m)).astype(str))
    if "overall_valence" in m.columns and m["overall_valence"].notna().any():
        v = m["overall_valence"].where(m["overall_valence"].notna(), m["valence"])
    else:
        v = m["valence"]
    rank = v.map({"misery": 2, "magic": 1}).fillna(0).astype(int)
    per = (
        pd.DataFrame(
            {
                "interaction_id": m["interaction_id"].to_numpy(),
                "location": m["location"].to_numpy(),
                "r": rank.to_numpy(),
            }
        )
        .groupby("interaction_id", sort=False)
        .agg(location=("location", "first"), r=("r", "max"))
        .reset_index()
    )
    per["valence"] = per["r"].map({2: "misery", 1: "magic", 0: "neutral"})
    return per.drop(columns="r")


def discrete_bh(p: np.ndarray, supports: list[np.ndarray]) -> np.ndarray:
    """Benjamini-Hochberg q-values that know each test is discrete (Heyse's step-up, with the
    F / (1 - F) bound of Doehler, Durand and Roquain 2018): a test that cannot reach a small p (few
    moments) counts for the chance it has of reaching it, not as a whole test. ``supports``: per test,
    the p-values it can attain. Rejecting q <= fdr controls the FDR at fdr for independent tests."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if not m:
        return p
    order = np.argsort(p, kind="mergesort")
    ps = p[order]
    xi = np.zeros(m)
    for sup in supports:
        a = np.sort(np.asarray(sup, dtype=float))
        i = np.searchsorted(a, ps * (1 + 1e-9), side="right") - 1
        f = np.where(i >= 0, a[np.maximum(i, 0)], 0.0)  # the largest attainable p at or under each threshold
        xi += f / np.maximum(1 - f, 1e-12)
    q = np.minimum.accumulate((xi / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def shrink(values: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    """A random-intercept model of ``values`` per group (statsmodels MixedLM, REML): the chain's mean
    ``mu`` (and its standard error), the between-place variance ``tau2``, the within-place variance
    ``sigma2``, and per group (sorted) its n, raw mean, shrunk mean (the BLUP) and posterior sd."""
    import warnings

    import statsmodels.api as sm

    y = np.asarray(values, dtype=float)
    g = pd.Series(y).groupby(np.asarray(groups), sort=True).agg(["size", "mean"])
    with warnings.catch_warnings():  # a boundary fit (tau2 = 0: nothing between places) is an answer, not a failure
        warnings.simplefilter("ignore")
        md = sm.MixedLM(y, np.ones((len(y), 1)), groups=np.asarray(groups)).fit(reml=True)
    mu = float(md.fe_params[0])
    tau2, sigma2 = max(float(np.asarray(md.cov_re)[0, 0]), 0.0), float(md.scale)
    n = g["size"].to_numpy(dtype=float)
    se_mu = float(np.sqrt(1 / np.sum(1 / (tau2 + sigma2 / n))))  # the GLS standard error (defined at tau2 = 0 too)
    b = tau2 / (tau2 + sigma2 / n) if tau2 > 0 else np.zeros_like(n)
    shrunk = mu + b * (g["mean"].to_numpy() - mu)
    sd = np.sqrt(b * sigma2 / n + ((1 - b) * se_mu) ** 2)
    return {
        "mu": mu,
        "se_mu": se_mu,
        "tau2": tau2,
        "sigma2": sigma2,
        "index": g.index.to_numpy(),
        "n": n,
        "mean": g["mean"].to_numpy(),
        "shrunk": shrunk,
        "sd": sd,
    }


class LocationRanking(Fitter):
    """Rank places by their shrunk net score, with focus areas and best practice.

    ``level``: 'location' (default), or 'area' / 'region' of ``hierarchy`` (places are pooled into
    their level). Results: ``table_`` (one row per place, best first), ``focus_`` (focus areas and best
    practice, kind 'focus' or 'best'), ``model_`` (the multilevel model's chain mean mu, its se, the between-place variance tau2
    and the within-place variance sigma2),
    ``chain_`` (the chain's own figures).
    """

    def __init__(
        self,
        *,
        hierarchy: Any = None,
        level: str = "location",
        confidence: float = 0.95,
        fdr: float = 0.05,
        min_misery: int = 3,
        min_n: int = 5,
    ) -> None:
        self.hierarchy, self.level, self.confidence = hierarchy, level, confidence
        self.fdr, self.min_misery, self.min_n = fdr, min_misery, min_n

    _result = "table_"
    _fit_call = "fit(moments)"

    def _repr_n(self) -> int | None:
        return int(self.table_["n"].sum())

    def _repr_extra(self) -> str:
        focus = int((self.focus_["kind"] == "focus").sum())
        return f"{len(self.table_):,} places, {focus:,} focus areas"

    def _places(self, m: pd.DataFrame) -> pd.DataFrame:
        if "location" not in m.columns:
            raise NotEnoughDataError(
                "the moments carry no location",
                fix="ingest a file with a store / hotel / branch column (or --location COLUMN)",
            )
        m = m[m["location"].notna() & (m["location"].astype(str).str.strip() != "")].copy()
        m["location"] = m["location"].astype(str)
        if self.level != "location":
            if self.hierarchy is None:
                raise NotEnoughDataError(f"--level {self.level} needs a hierarchy", fix="pass --hierarchy FILE")
            parents = {loc: self.hierarchy.parent(loc, self.level) for loc in m["location"].unique()}
            m["location"] = m["location"].map(parents)
            m = m[m["location"].notna()]
        return m

    def fit(self, moments: pd.DataFrame) -> LocationRanking:
        from scipy.stats import norm

        m = self._places(moments)
        z = float(norm.ppf(0.5 + self.confidence / 2))
        per = interaction_valence(m)
        counts = pd.crosstab(per["location"], per["valence"]).reindex(columns=list(_KINDS), fill_value=0)
        if len(counts) < 2:
            raise NotEnoughDataError(
                f"{len(counts)} place(s) with interactions: nothing to compare",
                fix="ingest interactions from at least two places",
            )
        x = counts.to_numpy(dtype=float)
        n = x.sum(axis=1)
        y = per["valence"].map({"magic": 1.0, "misery": -1.0}).fillna(0.0).to_numpy()
        fit = shrink(y, per["location"].to_numpy())
        assert list(fit["index"]) == list(counts.index)
        s, s_lo, s_hi = (
            fit["shrunk"],
            np.clip(fit["shrunk"] - z * fit["sd"], -1, 1),
            np.clip(fit["shrunk"] + z * fit["sd"], -1, 1),
        )
        raw = (x[:, 0] - x[:, 2]) / n
        var = ((x[:, 0] + x[:, 2]) / n - raw**2) / np.maximum(n, 1)
        half = z * np.sqrt(np.maximum(var, 1 / (4 * n**2)))
        t = pd.DataFrame(
            {
                "location": counts.index.astype(str),
                "n": n.astype(int),
                "magic": x[:, 0].astype(int),
                "neutral": x[:, 1].astype(int),
                "misery": x[:, 2].astype(int),
                "score": raw,
                "low": np.clip(raw - half, -1, 1),
                "high": np.clip(raw + half, -1, 1),
                "shrunk": s,
                "shrunk_low": s_lo,
                "shrunk_high": s_hi,
            }
        )
        chain = (x[:, 0].sum() - x[:, 2].sum()) / n.sum()
        t["vs_chain"] = np.where(
            t["shrunk_low"] > chain, "better", np.where(t["shrunk_high"] < chain, "worse", "as chain")
        )
        if self.hierarchy is not None and self.level == "location":
            h = self.hierarchy
            t["name"] = [h.name(v) for v in t["location"]]
            t["area"] = [h.parent(v, "area") for v in t["location"]]
            t["region"] = [h.parent(v, "region") for v in t["location"]]
        else:
            t["name"] = t["location"]
        t = t.sort_values(["shrunk", "n"], ascending=[False, False], kind="mergesort").reset_index(drop=True)
        t.insert(0, "rank", np.arange(1, len(t) + 1))
        self.table_ = t
        self.model_ = {k: round(fit[k], 6) for k in ("mu", "se_mu", "tau2", "sigma2")}
        self.chain_ = {
            "n": int(n.sum()),
            "places": len(t),
            "score": float(chain),
            "misery_rate": float(x[:, 2].sum() / n.sum()),
            "magic_rate": float(x[:, 0].sum() / n.sum()),
        }
        self.focus_ = self._focus(m)
        return self

    def _focus(self, m: pd.DataFrame) -> pd.DataFrame:
        """Focus areas and best practice per (place, touchpoint), BH-controlled."""
        from scipy.stats import hypergeom

        cols = ["location", "touchpoint", "kind", "n", "misery", "rate", "chain_rate", "p", "q", "learn_from"]
        tp = m["touchpoint"].fillna("unknown").astype(str)
        g = (
            pd.DataFrame({"location": m["location"], "touchpoint": tp, "mis": (m["valence"] == "misery").astype(int)})
            .groupby(["location", "touchpoint"])["mis"]
            .agg(["size", "sum"])
            .reset_index()
        )
        g = g[g["touchpoint"] != "unknown"]
        tot = g.groupby("touchpoint")[["size", "sum"]].transform("sum")
        g["N"], g["K"] = tot["size"], tot["sum"]
        g = g[(g["size"] >= self.min_n) & (g["N"] - g["size"] >= self.min_n)].reset_index(drop=True)
        if g.empty:
            return pd.DataFrame(columns=cols)
        rows = []
        for alt, kind in (("greater", "focus"), ("less", "best")):
            # one-sided Fisher exact: the place's miseries given the touchpoint's margins (hypergeometric)
            sups, ps = [], []
            for s, k, N, K in g[["size", "sum", "N", "K"]].itertuples(index=False):
                j = np.arange(s + 1)
                sup = hypergeom.sf(j - 1, N, K, s) if alt == "greater" else hypergeom.cdf(j, N, K, s)
                sups.append(sup)
                ps.append(sup[k])
            p = np.clip(np.array(ps), 0.0, 1.0)
            q = discrete_bh(p, sups)
            reject = q <= self.fdr
            keep = reject & ((g["sum"] >= self.min_misery) if kind == "focus" else True)
            for i in np.flatnonzero(keep):
                r = g.iloc[i]
                rows.append(
                    {
                        "location": r["location"],
                        "touchpoint": r["touchpoint"],
                        "kind": kind,
                        "n": int(r["size"]),
                        "misery": int(r["sum"]),
                        "rate": r["sum"] / r["size"],
                        "chain_rate": (r["K"] - r["sum"]) / (r["N"] - r["size"]),
                        "p": float(p[i]),
                        "q": float(q[i]),
                    }
                )
        out = pd.DataFrame(rows, columns=cols[:-1])
        best = out[out["kind"] == "best"].sort_values(["touchpoint", "n"], ascending=[True, False])
        teacher = best.groupby("touchpoint")["location"].first().to_dict()
        out["learn_from"] = out["touchpoint"].map(teacher).where(out["kind"] == "focus", None)
        return out.sort_values(["kind", "q", "location"], ascending=[False, True, True], kind="mergesort")[
            cols
        ].reset_index(drop=True)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per place, best first (``table_``)."""
        self._check_fitted()
        return self.table_

    def flagged(self) -> list[str]:
        """Places with at least one focus area."""
        self._check_fitted()
        return sorted(set(self.focus_.loc[self.focus_["kind"] == "focus", "location"]))

    def to_dict(self) -> dict[str, Any]:
        """``locations`` (best first: location, name, n, score, low, high, shrunk, shrunk_low, shrunk_high, ...),
        ``focus_areas`` and ``best_practice`` (per place and touchpoint), ``chain``, ``prior`` and ``method``."""
        self._check_fitted()
        f = self.focus_.replace({np.nan: None})
        recs = self.table_.replace({np.nan: None}).to_dict(orient="records")
        for r in recs:
            r["focus_areas"] = f.loc[(f["location"] == r["location"]) & (f["kind"] == "focus"), "touchpoint"].tolist()
            r["best_practice"] = f.loc[(f["location"] == r["location"]) & (f["kind"] == "best"), "touchpoint"].tolist()
        return {
            "level": self.level,
            "locations": recs,
            "chain": self.chain_,
            "model": self.model_,
            "focus_areas": f[f["kind"] == "focus"].drop(columns="kind").to_dict(orient="records"),
            "best_practice": f[f["kind"] == "best"].drop(columns=["kind", "learn_from"]).to_dict(orient="records"),
            "method": (
                "score = share of interactions with magic minus share with misery (higher is better), "
                f"{self.confidence:.0%} interval; shrunk = the place's "
                "estimate in a multilevel model (random intercept per place, statsmodels MixedLM, REML), "
                "pulled towards the chain by its evidence; focus areas: one-sided "
                f"Fisher exact test of each touchpoint's misery rate against the rest of the chain, discrete "
                f"Benjamini-Hochberg at {self.fdr:.0%} over all place-touchpoints, at least {self.min_misery} miseries"
            ),
        }

    def funnel(self) -> pd.DataFrame:
        """Funnel-plot data: per place n and raw score, and the chain's 95% and 99.8% limits at each n."""
        self._check_fitted()
        c = self.chain_
        var = c["misery_rate"] + c["magic_rate"] - c["score"] ** 2
        n = self.table_["n"].to_numpy(dtype=float)
        out = self.table_[["location", "name", "n", "score"]].copy()
        for z, lab in ((1.96, "95"), (3.09, "998")):
            out[f"low{lab}"] = c["score"] - z * np.sqrt(var / n)
            out[f"high{lab}"] = c["score"] + z * np.sqrt(var / n)
        return out

    def plot(self, ax: Any = None) -> Any:
        """A funnel plot: each place's score against its n, with the chain's 95% and 99.8% limits."""
        from carlzon.analysis._plot import axis

        f = self.funnel().sort_values("n")
        ax = axis(ax, (7, 4.5))
        ax.scatter(f["n"], f["score"], s=14)
        for lab, style in (("95", "--"), ("998", ":")):
            ax.plot(f["n"], f[f"low{lab}"], style, color="grey")
            ax.plot(f["n"], f[f"high{lab}"], style, color="grey")
        ax.axhline(self.chain_["score"], color="black", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("interactions (n)")
        ax.set_ylabel("magic - misery share")
        return ax


def location_moments(store: Any, scope: Any = None) -> pd.DataFrame:
    """The moments in ``scope`` (a :class:`carlzon.report.query.Scope`) with their interaction's place:
    interaction_id, touchpoint, valence, location."""
    from carlzon.report.query import Scope, where_sql

    where, params = where_sql(scope or Scope())
    return store.query(
        "SELECT m.interaction_id, m.touchpoint, m.valence, i.location FROM moments m "
        f"LEFT JOIN interactions i ON i.id = m.interaction_id{where}",
        params or None,
    )


def rank_locations(
    store: Any, scope: Any = None, *, hierarchy: Any = None, level: str = "location", **options: Any
) -> LocationRanking:
    """The one answer to 'how do the places compare': a fitted :class:`LocationRanking` of the store's
    moments in ``scope`` (what the CLI, the report and the dashboard show)."""
    return LocationRanking(hierarchy=hierarchy, level=level, **options).fit(location_moments(store, scope))
