"""Stated against derived importance: what customers say matters, beside what moves their outcome.

Surveys built by :mod:`carlzon.survey` ask how important each touchpoint is (stated importance,
1-5) before how well it went (performance, 1-5), then an outcome (NPS, CSAT or CES). Stated
importance is the mean of the importance answers; derived importance is each touchpoint's share of
the explained outcome from :class:`~carlzon.analysis.KeyDrivers` (Johnson's relative weights) on the
performance ratings. They often disagree: customers say price matters most while their loyalty moves
with the wait at the counter. :class:`StatedVsDerived` puts both side by side per persona (and for
everyone), with n and 95% intervals, and names the gaps in words.

**The gap.** In each group, A is the touchpoint with the highest stated importance and B the one with
the largest derived share. When they differ, one joint bootstrap of the respondents (``n_boot``
resamples, the same resample for both) gives intervals for "A is said to matter more than B"
(difference of stated means) and "B moves the outcome more than A" (difference of derived shares);
the gap is named only when both intervals exclude zero, else it is reported as within the uncertainty.
Each touchpoint is also labelled: *overstated* (in the top third by stated importance, derived share
below its fair share 1/p with the whole interval), *hidden driver* (in the lower half by stated
importance, derived share above 1/p with the whole interval), else *aligned*.

**Non-response.** With the invitations (how many of each persona were asked), each group's response
rate is shown with its Wilson interval, and the "everyone" row is weighted so that each persona counts
by its share of those invited, not of those who answered (weight = invited share / answered share); its
derived importance then comes from weighted correlations (the same relative weights). Without them,
figures are for those who answered and say so.

**Order effect.** When respondents were split between importance asked first and importance asked last
(``block_order`` of :class:`carlzon.survey.Survey`), the difference in their mean stated importance
(last minus first, a Welch interval) measures the order effect.

Example:
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 400
    >>> df = pd.DataFrame({t: rng.integers(1, 6, n).astype(float) for t in ["price", "wait", "staff"]})
    >>> df["nps"] = (2 * df.wait + 0.1 * df.price + 0.5 * df.staff + rng.normal(0, 1, n)).clip(0, 10)
    >>> for t, m in (("price", 4.7), ("wait", 3.0), ("staff", 3.5)):
    ...     df[f"importance:{t}"] = rng.normal(m, 0.4, n).round().clip(1, 5)
    >>> sd = StatedVsDerived(n_boot=200).fit(df, "nps", ["price", "wait", "staff"])
    >>> sd.gaps_[0]["stated_top"], sd.gaps_[0]["derived_top"], sd.gaps_[0]["confirmed"]
    ('price', 'wait', True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from carlzon.analysis import _weights as W
from carlzon.analysis._base import Fitter
from carlzon.analysis._io import check_columns
from carlzon.errors import AnalysisError, NotEnoughDataError

__all__ = ["ALL", "StatedVsDerived"]

ALL = "all"
"""The group name of everyone together."""

_OUTCOME_WORDS = {"nps": "likelihood to recommend (NPS)", "csat": "satisfaction (CSAT)", "ces": "ease (CES)"}
_PEOPLE = {
    "shopper",
    "traveller",
    "traveler",
    "guest",
    "buyer",
    "customer",
    "visitor",
    "regular",
    "household",
    "diner",
    "passenger",
    "member",
    "client",
}


def _mid(name: str) -> str:
    """A touchpoint's name inside a sentence: 'Fitting rooms' -> 'fitting rooms' (not 'CES', 'TV streaming')."""
    return name[:1].lower() + name[1:] if len(name) > 1 and name[1:2].islower() else name


def _people(name: str) -> str:
    """A persona name as the people it names: 'First-time shopper' -> 'First-time shoppers'."""
    last = name.split()[-1].lower() if name else ""
    if last in _PEOPLE:
        return name + "s"
    return f"Customers ({name})" if name else "Customers"


class StatedVsDerived(Fitter):
    """Stated importance beside derived importance per group, the gaps in words, non-response and order effect."""

    def __init__(self, *, n_boot: int = 500, confidence: float = 0.95, seed: int | None = 0, min_n: int = 30) -> None:
        if n_boot < 50:
            raise AnalysisError("n_boot must be at least 50 for the gap intervals", fix="use e.g. n_boot=500")
        if not 0.5 < confidence < 1:
            raise AnalysisError(f"confidence {confidence} is outside (0.5, 1)", fix="use e.g. 0.95")
        self.n_boot, self.confidence, self.seed, self.min_n = int(n_boot), float(confidence), seed, int(min_n)

    _result = "groups_"
    _fit_call = "fit(answers, outcome, touchpoints)"

    def _repr_extra(self) -> str:
        named = sum(g["confirmed"] for g in self.gaps_)
        k = len(self.groups_)
        return (
            f"outcome {self.outcome_!r}, {k} group{'' if k == 1 else 's'}, {named} gap{'' if named == 1 else 's'} named"
        )

    # ------------------------------------------------------------------------------------ fit
    def fit(
        self,
        data: pd.DataFrame,
        outcome: str,
        touchpoints: list[str],
        *,
        group: str | None = "persona",
        order: str | None = "block_order",
        invited: Mapping[str, int] | pd.Series | None = None,
        names: Mapping[str, str] | None = None,
        group_names: Mapping[str, str] | None = None,
    ) -> StatedVsDerived:
        """Fit on one row per answer: performance in column ``<touchpoint>``, stated importance in
        ``importance:<touchpoint>``, the ``outcome``; ``group`` (persona) and ``order`` (block order) optional.

        ``invited``: how many were invited per group value (for response rates and weights); ``names`` and
        ``group_names``: the touchpoints' and groups' names for the sentences.
        """
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError("StatedVsDerived.fit needs a DataFrame", fix="pass one row per survey answer")
        tps = list(dict.fromkeys(touchpoints))
        if len(tps) < 2:
            raise AnalysisError("stated vs derived importance needs at least 2 touchpoints", fix="ask about more")
        check_columns(data, [outcome, *tps, *[f"importance:{t}" for t in tps]], what="column")
        self.outcome_, self.touchpoints_ = outcome, tps
        self.display_ = {t: (names or {}).get(t, t.replace("_", " ")) for t in tps}
        self.names_ = {t: _mid(v) for t, v in self.display_.items()}
        self.n_ = int(len(data))
        self._alpha = (1 - self.confidence) / 2
        rng = np.random.default_rng(self.seed)
        groups = data[group].astype(object).where(data[group].notna(), None) if group and group in data else None
        self.nonresponse_, weights = self._nonresponse(groups, invited)
        self.nonresponse_.insert(1, "label", [(group_names or {}).get(g, g) for g in self.nonresponse_["group"]])
        self.weighted_ = bool(weights is not None)
        self.groups_: list[dict[str, Any]] = []
        self.skipped_: list[dict[str, str]] = []
        labels = {ALL: "Everyone" + (" (weighted to those invited)" if self.weighted_ else "")}
        labels.update({str(k): str(v) for k, v in (group_names or {}).items()})
        todo: list[tuple[str, pd.DataFrame, np.ndarray | None]] = [(ALL, data, weights)]
        if groups is not None:
            for g in sorted({str(v) for v in groups.dropna()}):
                todo.append((g, data[groups == g], None))
        for g, sub, w in todo:
            try:
                self.groups_.append(self._fit_group(g, labels.get(g, g), sub, w, rng))
            except NotEnoughDataError as exc:
                self.skipped_.append({"group": g, "why": exc.message})
        if not self.groups_:
            raise NotEnoughDataError(
                f"no group has enough answers ({self.skipped_[0]['why']})",
                fix=f"collect at least {self.min_n} answers with an outcome per persona",
            )
        self.gaps_ = [g["gap"] for g in self.groups_]
        self.order_effect_ = self._order_effect(data, order)
        return self

    def _nonresponse(self, groups: pd.Series | None, invited: Any) -> tuple[pd.DataFrame, np.ndarray | None]:
        from carlzon.analysis.intervals import wilson_interval

        cols = ["group", "invited", "answered", "rate", "low", "high", "invited_share", "answered_share", "weight"]
        if invited is None or groups is None:
            return pd.DataFrame(columns=cols), None
        inv = {str(k): int(v) for k, v in dict(invited).items() if v}
        answered = {str(k): int(v) for k, v in groups.dropna().astype(str).value_counts().items()}
        rows = []
        total_inv, total_ans = sum(inv.values()), sum(answered.get(g, 0) for g in inv)
        for g in sorted(set(inv) | set(answered)):
            n_inv, n_ans = inv.get(g, 0), int(answered.get(g, 0))
            _, lo, hi = wilson_interval(n_ans, n_inv) if n_inv else (math.nan, math.nan, math.nan)
            si = n_inv / total_inv if total_inv else math.nan
            sa = n_ans / total_ans if total_ans else math.nan
            rows.append(
                {
                    "group": g,
                    "invited": n_inv,
                    "answered": n_ans,
                    "rate": n_ans / n_inv if n_inv else math.nan,
                    "low": lo,
                    "high": hi,
                    "invited_share": si,
                    "answered_share": sa,
                    "weight": si / sa if n_inv and n_ans else math.nan,
                }
            )
        table = pd.DataFrame(rows, columns=cols)
        ok = table[(table["invited"] > 0)]
        if not len(ok) or (ok["answered"] == 0).any() or groups.isna().any() or set(answered) - set(inv):
            return table, None  # a persona asked but never answering, or answers of no invited persona: no weights
        wmap = dict(zip(table["group"], table["weight"]))
        return table, groups.astype(str).map(wmap).to_numpy(dtype=float)

    def _fit_group(
        self, g: str, label: str, sub: pd.DataFrame, w: np.ndarray | None, rng: np.random.Generator
    ) -> dict[str, Any]:
        from carlzon.analysis.drivers import KeyDrivers

        tps, y_col = self.touchpoints_, self.outcome_
        keep = pd.to_numeric(sub[y_col], errors="coerce").notna().to_numpy()
        sub = sub[keep]
        if w is not None:
            w = np.asarray(w, dtype=float)[keep]
        p = len(tps)
        need = max(self.min_n, 2 * p, p + 10)
        if len(sub) < need:
            raise NotEnoughDataError(f"{label}: {len(sub)} answers with an outcome, fewer than {need}")
        X = sub[tps].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(sub[y_col], errors="coerce").to_numpy(dtype=float)
        S = sub[[f"importance:{t}" for t in tps]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        n = len(sub)
        weights = np.ones(n) if w is None else np.asarray(w, dtype=float)
        D = np.column_stack([X, y])
        lo_d: np.ndarray | None
        hi_d: np.ndarray | None
        if w is None:
            kd = KeyDrivers(n_boot=self.n_boot, seed=self.seed).fit(pd.DataFrame(D, columns=[*tps, "__y"]), "__y", tps)
            share = kd.importance_.to_numpy()
            lo_d, hi_d, r2 = kd.ci_low_.to_numpy(), kd.ci_high_.to_numpy(), float(kd.r2_)
            method = "KeyDrivers (relative weights)"
        else:
            R, _ = W.pairwise_corr(weights[None, :], D)
            raw = W.relative_weights(R)[0]
            share, r2, method = raw / raw.sum(), float(raw.sum()), "relative weights on weighted correlations"
            lo_d = hi_d = None
        # one joint bootstrap of respondents for both kinds of importance
        obs = ~np.isnan(S)
        S0 = np.where(obs, S, 0.0)
        boot_stated, boot_share = [], []
        for counts in W.bootstrap_counts(n, self.n_boot, rng):
            Wb = counts.astype(np.float64) * weights[None, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                boot_stated.append((Wb @ S0) / (Wb @ obs))
            Rb, _ = W.pairwise_corr(Wb.astype(np.float32), D)
            rw = W.relative_weights(Rb)
            boot_share.append(rw / rw.sum(axis=1, keepdims=True))
        bs, bd = np.vstack(boot_stated), np.vstack(boot_share)
        q = [100 * self._alpha, 100 * (1 - self._alpha)]
        if lo_d is None or hi_d is None:
            lo_d, hi_d = np.nanpercentile(bd, q, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            stated = (weights @ S0) / (weights @ obs)
        lo_s, hi_s = np.nanpercentile(bs, q, axis=0)
        n_stated, n_derived = obs.sum(axis=0), (~np.isnan(X)).sum(axis=0)
        s_rank = pd.Series(stated).rank(ascending=False, method="min").to_numpy()
        d_rank = pd.Series(share).rank(ascending=False, method="min").to_numpy()
        fair = 1.0 / p
        rows = []
        for j, t in enumerate(tps):
            if s_rank[j] <= math.ceil(p / 3) and hi_d[j] < fair:
                lab = "overstated"
            elif s_rank[j] > p / 2 and lo_d[j] > fair:
                lab = "hidden driver"
            else:
                lab = "aligned"
            rows.append(
                {
                    "group": g,
                    "touchpoint": t,
                    "name": self.display_[t],
                    "stated": float(stated[j]),
                    "stated_low": float(lo_s[j]),
                    "stated_high": float(hi_s[j]),
                    "stated_n": int(n_stated[j]),
                    "stated_rank": int(s_rank[j]),
                    "derived": float(share[j]),
                    "derived_low": float(lo_d[j]),
                    "derived_high": float(hi_d[j]),
                    "derived_n": int(n_derived[j]),
                    "derived_rank": int(d_rank[j]),
                    "label": lab,
                }
            )
        gap = self._gap(g, label, n, stated, share, bs, bd, n_stated, n_derived)
        return {
            "group": g,
            "label": label,
            "n": n,
            "r2": r2,
            "method": method,
            "weighted": w is not None,
            "touchpoints": rows,
            "gap": gap,
        }

    def _gap(
        self,
        g: str,
        label: str,
        n: int,
        stated: np.ndarray,
        share: np.ndarray,
        bs: np.ndarray,
        bd: np.ndarray,
        n_stated: np.ndarray,
        n_derived: np.ndarray,
    ) -> dict[str, Any]:
        tps, q = self.touchpoints_, [100 * self._alpha, 100 * (1 - self._alpha)]
        a, b = int(np.nanargmax(stated)), int(np.nanargmax(share))
        A, B = tps[a], tps[b]
        who = "Customers" if g == ALL else _people(label)
        out_words = _OUTCOME_WORDS.get(self.outcome_, self.outcome_)
        base = {
            "group": g,
            "label": label,
            "n": n,
            "stated_top": A,
            "derived_top": B,
            "stated_top_name": self.names_[A],
            "derived_top_name": self.names_[B],
        }
        if a == b:
            headline = f"{who} say {self.names_[A]} matters most, and it is also what moves their {out_words} most."
            detail = f"{share[b]:.0%} of what the model explains; n = {n:,}."
            return {
                **base,
                "confirmed": False,
                "kind": "aligned",
                "sentence": f"{headline} {detail}",
                "headline": headline,
                "detail": detail,
            }
        ds_lo, ds_hi = np.nanpercentile(bs[:, a] - bs[:, b], q)
        dd_lo, dd_hi = np.nanpercentile(bd[:, b] - bd[:, a], q)
        confirmed = bool(ds_lo > 0 and dd_lo > 0)
        pct = f"{100 * self.confidence:.0f}%"
        detail = (
            f"{self.display_[A]}: importance {stated[a]:.1f} of 5 (n = {int(n_stated[a]):,}); "
            f"{self.names_[B]}: {share[b]:.0%} of what explains their {out_words} against {share[a]:.0%} for "
            f"{self.names_[A]}, difference {pct} interval {dd_lo:+.0%} to {dd_hi:+.0%} (n = {int(n_derived[b]):,})"
        )
        if confirmed:
            headline = f"{who} say {self.names_[A]} matters most; their {out_words} moves with {self.names_[B]}."
        else:
            headline = (
                f"{who} rate {self.names_[A]} as most important and their {out_words} moves most with "
                f"{self.names_[B]}, but the gap is within the uncertainty."
            )
        sentence = f"{headline} {detail}."
        return {
            **base,
            "confirmed": confirmed,
            "kind": "gap" if confirmed else "uncertain",
            "sentence": sentence,
            "headline": headline,
            "detail": detail + ".",
            "stated_diff_low": float(ds_lo),
            "stated_diff_high": float(ds_hi),
            "derived_diff_low": float(dd_lo),
            "derived_diff_high": float(dd_hi),
        }

    def _order_effect(self, data: pd.DataFrame, order: str | None) -> dict[str, Any]:
        from scipy import stats

        if not order or order not in data:
            return {"measured": False, "why": "the answers do not record the block order"}
        cols = [f"importance:{t}" for t in self.touchpoints_]
        m = data[cols].apply(pd.to_numeric, errors="coerce").mean(axis=1)
        first = m[data[order] == "importance_first"].dropna().to_numpy()
        last = m[data[order] == "importance_last"].dropna().to_numpy()
        if len(first) < 10 or len(last) < 10:
            return {
                "measured": False,
                "n_first": int(len(first)),
                "n_last": int(len(last)),
                "why": "importance was not asked both first and last (block_order: split) to at least 10 each",
            }
        diff = float(last.mean() - first.mean())
        v1, v2 = first.var(ddof=1) / len(first), last.var(ddof=1) / len(last)
        se = math.sqrt(v1 + v2)
        df = (
            (v1 + v2) ** 2 / (v1**2 / (len(first) - 1) + v2**2 / (len(last) - 1))
            if se > 0
            else len(first) + len(last) - 2
        )
        t = float(stats.t.ppf(1 - self._alpha, df))
        lo, hi = diff - t * se, diff + t * se
        clear = lo > 0 or hi < 0
        way = "higher" if diff > 0 else "lower"
        sentence = (
            f"Asked after the experience questions, stated importance was {abs(diff):.2f} points {way} on the "
            f"1-5 scale than asked first ({100 * self.confidence:.0f}% interval {lo:+.2f} to {hi:+.2f}; "
            f"n = {len(first):,} first, {len(last):,} last)"
        )
        sentence += "." if clear else ": within the uncertainty, no clear order effect."
        return {
            "measured": True,
            "difference": diff,
            "low": lo,
            "high": hi,
            "clear": clear,
            "n_first": int(len(first)),
            "n_last": int(len(last)),
            "sentence": sentence,
        }

    # ------------------------------------------------------------------------------- results
    @property
    def summary(self) -> pd.DataFrame:
        """One row per group and touchpoint: stated (mean 1-5) and derived (share) importance with intervals,
        n and ranks, and the label (aligned, overstated, hidden driver)."""
        self._check_fitted()
        return pd.DataFrame([r for g in self.groups_ for r in g["touchpoints"]])

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values (the `carlzon drivers --stated --json` object)."""
        self._check_fitted()

        def clean(v: Any) -> Any:
            if isinstance(v, float):
                return None if math.isnan(v) else v
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, list):
                return [clean(x) for x in v]
            if isinstance(v, (np.integer, np.floating, np.bool_)):
                return clean(v.item())
            return v

        return clean(
            {
                "outcome": self.outcome_,
                "n": self.n_,
                "confidence": self.confidence,
                "n_boot": self.n_boot,
                "weighted": self.weighted_,
                "groups": self.groups_,
                "gaps": self.gaps_,
                "skipped": self.skipped_,
                "nonresponse": self.nonresponse_.to_dict("records"),
                "order_effect": self.order_effect_,
                "method": self.method,
            }
        )

    def plot(self, ax: Any = None, *, group: str = ALL) -> Any:
        """Stated importance (x) against derived importance (y) of one group's touchpoints; returns the axis
        (needs matplotlib). Touchpoints far right and low are overstated, far left and high hidden drivers."""
        from carlzon.analysis._plot import axis

        self._check_fitted()
        rows = [r for g in self.groups_ if g["group"] == group for r in g["touchpoints"]]
        if not rows:
            raise AnalysisError(
                f"no group {group!r} was fitted", fix=f"use one of {[g['group'] for g in self.groups_]}"
            )
        ax = axis(ax, (6, 5))
        ax.scatter([r["stated"] for r in rows], [r["derived"] for r in rows])
        for r in rows:
            ax.annotate(r["name"], (r["stated"], r["derived"]), fontsize=8)
        ax.axhline(1 / len(rows), color="grey", lw=0.8)
        ax.set_xlabel("stated importance (mean, 1-5)")
        ax.set_ylabel(f"derived importance (share of the explained {self.outcome_})")
        return ax

    @property
    def method(self) -> str:
        return (
            f"stated importance: mean answer (1-5) to 'how important is it to you'; derived importance: share of "
            f"the explained {self.outcome_} from relative weights on the performance ratings; "
            f"{100 * self.confidence:.0f}% intervals from {self.n_boot} bootstrap resamples of the respondents; a gap "
            "is named when both the stated and the derived difference exclude zero"
            + ("; 'everyone' weighted by persona to those invited" if self.weighted_ else "")
        )
