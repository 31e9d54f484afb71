"""Key drivers: which touchpoints move an outcome, and how sure we are.

Two ways to share the explained outcome among correlated drivers:

* ``method='relative-weights'`` (Johnson 2000): the drivers are replaced by
  their closest orthogonal counterparts; each driver's weight is its part of
  R2. For a binary outcome the model is a logistic regression and the weights
  follow Tonidandel & LeBreton (2010); for an ordinal outcome an ordered logit
  (statsmodels ``OrderedModel``) in the same way.
* ``method='shapley'`` (Shapley-value regression, Lipovetsky & Conklin 2001):
  each driver's average gain in R2 over all orders of entry; exact up to
  ``max_exact`` (15) drivers (2^p models), from ``n_permutations`` sampled
  orders beyond, and the result says so in ``notes_``. For binary and ordinal
  outcomes it shares the latent-variable R2 built from biserial / polyserial
  correlations (Olsson, Drasgow & Dorans 1982), while ``r2_`` is McFadden's
  pseudo-R2 of the logistic / ordered-logit model (2^p logistic fits on
  100,000 rows would take hours; this takes seconds and is bootstrapped).

``importance_`` is each driver's share of the explained outcome (sums to 1).
For a continuous outcome the point estimate's correlation matrix comes from
exact integer sums (:func:`carlzon.analysis._weights.exact_sums`), so the same
rows give the same importances, R2 and performance bit for bit in any order,
here or on Spark (:func:`carlzon.spark.key_drivers`).
Intervals are bootstrap percentiles over ``n_boot`` resamples. For a continuous outcome it
is a Poisson bootstrap keyed by the rows (:func:`carlzon.analysis._weights.poisson_weights`):
each distinct row's weight in resample b depends only on its values, b and ``seed``, and
the resamples' sums are exact, so Spark draws the very same resamples and gives the same
intervals, bit for bit, however the rows are split. For binary and ordinal outcomes
(one machine only) resamples are multinomial, and the coefficients of each are a one-step
(estimating-function) update of the full-sample fit (Hu & Kalbfleisch 2000) while the
correlation matrices are recomputed exactly.

Missing and not-applicable ratings (``na_values``) never drop a whole row:
correlations are pairwise-complete; for the binary and ordinal relative
weights (a model needs complete rows) a missing rating is set to that driver's mean (it adds
nothing for or against). ``missing_how_`` and ``n_missing_handled_`` say so.
Rows without an outcome are left out and counted (``n_outcome_missing_``).

Example:
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(400, 3)), columns=["seat", "food", "wifi"])
    >>> df["overall"] = 2 * df.seat + df.food + rng.normal(0, 1, 400)
    >>> kd = KeyDrivers(n_boot=200, seed=1).fit(df, outcome="overall")
    >>> kd.importance_.idxmax(), kd.r2_kind_
    ('seat', 'r2')
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from carlzon.analysis import _weights as W
from carlzon.analysis._io import check_columns
from carlzon.analysis._plot import axis
from carlzon.analysis._base import Fitter
from carlzon.analysis.ipa import quadrants
from carlzon.errors import AnalysisError, NotEnoughDataError

__all__ = ["KeyDrivers"]

Method = Literal["relative-weights", "shapley"]
OutcomeType = Literal["auto", "continuous", "binary", "ordinal"]


class KeyDrivers(Fitter):
    """Derived importance of drivers for an outcome, with bootstrap intervals (fitter style)."""

    _result = "importance_"
    _fit_call = "fit(data, outcome=...)"

    def __init__(
        self,
        method: Method = "relative-weights",
        *,
        outcome_type: OutcomeType = "auto",
        n_boot: int = 1000,
        na_values: Any = None,
        confidence: float = 0.95,
        seed: int | None = 0,
        max_exact: int = 15,
        n_permutations: int = 1000,
    ) -> None:
        if method not in ("relative-weights", "shapley"):
            raise AnalysisError(f"unknown method {method!r}", fix="use 'relative-weights' or 'shapley'")
        if outcome_type not in ("auto", "continuous", "binary", "ordinal"):
            raise AnalysisError(
                f"unknown outcome_type {outcome_type!r}", fix="use 'auto', 'continuous', 'binary' or 'ordinal'"
            )
        if n_boot < 0:
            raise AnalysisError("n_boot must be 0 or more", fix="use e.g. n_boot=1000 (0: no intervals)")
        self.method = method
        self.outcome_type = outcome_type
        self.n_boot = int(n_boot)
        self.na_values = na_values
        self.confidence = confidence
        self.seed = seed
        self.max_exact = max_exact
        self.n_permutations = n_permutations

    # ----------------------------------------------------------------- prepare
    def _prepare(
        self, data: pd.DataFrame, outcome: str, drivers: list[str] | None, positive: Any, order: list[Any] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError("KeyDrivers.fit needs a DataFrame", fix="read your file with pandas or carlzon first")
        check_columns(data, [outcome], what="outcome column")
        if drivers is None:
            drivers = [c for c in data.columns if c != outcome and pd.api.types.is_numeric_dtype(data[c])]
        drivers = list(drivers)
        if outcome in drivers:
            raise AnalysisError(f"{outcome!r} is both the outcome and a driver", fix="leave it out of the drivers")
        check_columns(data, drivers, what="driver column")
        if len(drivers) < 2:
            raise AnalysisError("key-driver analysis needs at least 2 drivers", fix="pass two or more driver columns")
        self.n_rows_read_ = len(data)
        X = data[drivers].apply(pd.to_numeric, errors="coerce")
        bad = [d for d in drivers if (X[d].isna() & data[d].notna()).any()]
        if bad:
            raise AnalysisError(
                f"driver columns with values that are not numbers: {bad}",
                fix="drivers must be ratings (numbers); mark 'not applicable' with --na VALUE or leave it empty",
            )
        na = self.na_values
        if na is not None:
            na_list = list(na) if isinstance(na, (list, tuple, set)) else [na]
            X = X.mask(X.isin([float(v) for v in na_list]))
        y_raw = data[outcome]
        kind = self.outcome_type
        if positive is not None:
            if kind not in ("auto", "binary"):
                raise AnalysisError(
                    "--positive only applies to a binary outcome", fix="leave out positive or outcome_type"
                )
            values = set(y_raw.dropna().astype(str))
            if str(positive) not in values:
                raise AnalysisError(
                    f"positive value {positive!r} does not occur in {outcome!r}",
                    fix=f"use one of {sorted(values)[:10]}",
                )
            kind = "binary"
            y = np.where(y_raw.isna(), np.nan, (y_raw.astype(str) == str(positive)).astype(float))
        else:
            y_num = pd.to_numeric(y_raw, errors="coerce")
            numeric = not (y_num.isna() & y_raw.notna()).any()
            levels = sorted(y_raw.dropna().unique().tolist(), key=str)
            if kind == "auto":
                kind = "binary" if len(levels) == 2 else "continuous"
            if kind == "binary":
                if len(levels) != 2:
                    raise AnalysisError(
                        f"a binary outcome needs exactly 2 values; {outcome!r} has {len(levels)}",
                        fix="name the positive value with positive=... (--positive VALUE)",
                    )
                if not numeric:
                    raise AnalysisError(
                        f"which value of {outcome!r} is the positive one? ({levels})",
                        fix=f"pass positive=... (--positive VALUE), e.g. --positive '{levels[-1]}'",
                    )
                y = np.where(y_num.isna(), np.nan, (y_num == max(y_num.dropna())).astype(float))
            elif kind == "ordinal":
                if order is not None:
                    codes = {v: i for i, v in enumerate(order)}
                    unknown = set(y_raw.dropna()) - set(codes)
                    if unknown:
                        raise AnalysisError(
                            f"outcome values not in the order given: {sorted(map(str, unknown))[:5]}",
                            fix="list every outcome value in order=[...]",
                        )
                    y = y_raw.map(codes).to_numpy(dtype=float)
                elif numeric:
                    y = y_num.to_numpy(dtype=float)
                else:
                    raise AnalysisError(
                        f"ordinal outcome {outcome!r} is not numeric", fix="pass order=[lowest, ..., highest]"
                    )
            else:
                if not numeric:
                    raise AnalysisError(
                        f"outcome {outcome!r} is not numeric",
                        fix="name the positive value (--positive VALUE) for a yes/no outcome, or use numbers",
                    )
                y = y_num.to_numpy(dtype=float)
        keep = ~np.isnan(y)
        self.n_outcome_missing_ = int((~keep).sum())
        X = X[keep]
        y = y[keep]
        self.outcome_type_ = kind
        self.outcome_ = outcome
        self.drivers_ = drivers
        Xa = X.to_numpy(dtype=float)
        n, p = Xa.shape
        self.n_ = n
        self.n_observed_ = pd.Series((~np.isnan(Xa)).sum(axis=0), index=drivers)
        self.n_missing_handled_ = int(np.isnan(Xa).any(axis=1).sum())
        self.performance_ = pd.Series(W.exact_means(Xa), index=drivers)
        flat = [d for d in drivers if self.n_observed_[d] < 2 or np.nanstd(X[d].to_numpy(dtype=float)) == 0]
        if flat:
            raise AnalysisError(
                f"drivers without variation (or with fewer than 2 ratings): {flat}", fix="leave these drivers out"
            )
        if n < max(2 * p, p + 10):
            raise NotEnoughDataError(
                f"{n} rows for {p} drivers is too few", fix=f"use at least {max(2 * p, p + 10)} rows, or fewer drivers"
            )
        if kind == "binary" and min(y.sum(), n - y.sum()) < 5:
            raise NotEnoughDataError(
                "the binary outcome has fewer than 5 rows in one of its two groups",
                fix="use more data, or a different positive value",
            )
        return Xa, y

    # --------------------------------------------------------------------- fit
    def fit(
        self,
        data: pd.DataFrame,
        outcome: str,
        drivers: list[str] | None = None,
        *,
        positive: Any = None,
        order: list[Any] | None = None,
    ) -> KeyDrivers:
        """Fit on ``data`` (one row per response); returns self."""
        X, y = self._prepare(data, outcome, drivers, positive, order)
        self.notes_: list[str] = []
        rng = np.random.default_rng(self.seed)
        p = X.shape[1]
        self.exact_ = p <= self.max_exact
        if self.method == "shapley" and not self.exact_:
            self.notes_.append(
                f"Shapley values estimated from {self.n_permutations} sampled orders of entry "
                f"({p} drivers > {self.max_exact}: exact needs 2^{p} models)"
            )
        perms = None if self.exact_ else [rng.permutation(p) for _ in range(self.n_permutations)]
        if self.outcome_type_ == "continuous":
            raw, boot = self._fit_continuous(X, y, rng, perms)
        else:
            raw, boot = self._fit_model(X, y, rng, perms)
        total = raw.sum()
        self.importance_ = pd.Series(
            raw / total if total > 0 else np.full(p, np.nan), index=self.drivers_, name="importance"
        )
        self.raw_importance_ = pd.Series(
            raw if self.outcome_type_ == "continuous" else self.importance_ * self.r2_,
            index=self.drivers_,
            name="raw_importance",
        )
        alpha = (1 - self.confidence) / 2
        if boot is not None and len(boot):
            shares = boot / boot.sum(axis=1, keepdims=True)
            lo, hi = np.nanpercentile(shares, [100 * alpha, 100 * (1 - alpha)], axis=0)
            self.n_boot_used_ = len(boot)
        else:
            lo = hi = np.full(p, np.nan)
            self.n_boot_used_ = 0
        self.ci_low_ = pd.Series(lo, index=self.drivers_, name="ci_low")
        self.ci_high_ = pd.Series(hi, index=self.drivers_, name="ci_high")
        self.quadrant_, _, _ = quadrants(self.importance_, self.performance_)
        return self

    def _missing_how(self, how: str) -> None:
        if self.n_missing_handled_:
            self.missing_how_ = how
        else:
            self.missing_how_ = "none missing"

    def _fit_continuous(
        self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, perms: Any, keep_r2: bool = False
    ) -> tuple[np.ndarray, Any]:
        self._missing_how(
            "pairwise-complete correlations: a missing or not-applicable rating leaves its row "
            "out of only the correlations that rating is in; no row dropped"
        )
        D = np.column_stack([X, y])
        R, _ = W.corr_from_exact(W.exact_sums(D))  # exact: the same matrix as Spark's from the same rows
        if np.isnan(R).any():
            names = [*self.drivers_, self.outcome_]
            pairs = [f"{names[i]} and {names[j]}" for i, j in zip(*np.where(np.isnan(R))) if i < j]
            raise AnalysisError(
                f"the correlation of {', '.join(pairs[:3])}{' and more' if len(pairs) > 3 else ''} is undefined: "
                "the rows where both are given have fewer than two distinct values of one of them",
                fix="leave one of each pair out of the drivers, or use more data",
            )
        if not keep_r2:
            self.r2_ = float(W.r2_from_corr(R))
            self.r2_kind_ = "r2"

        def importance(Rs: np.ndarray) -> np.ndarray:
            if self.method == "relative-weights":
                return W.relative_weights(Rs)
            p = Rs.shape[-1] - 1
            if perms is None:
                return W.shapley_values(W.subset_values_from_corr(Rs))
            return _sampled_shapley(lambda mask: W.r2_from_corr(Rs, _cols(mask, p)), p, perms)

        raw = importance(R)
        if not self.n_boot:
            return raw, None
        # the bootstrap Spark runs too, draw for draw: Poisson weights keyed by each distinct row's values
        W.check_exact_range(W.abs_max(D), [*self.drivers_, self.outcome_])
        Dg, m = W.distinct_rows(D)
        return raw, boot_importance(W.resample_sums(Dg, m, self.n_boot, self._boot_seed(rng)), importance)

    def _boot_seed(self, rng: np.random.Generator) -> int:
        """The bootstrap's seed: ``seed`` itself (so that Spark, given the same seed, draws the same
        resamples), or a random one when ``seed`` is None."""
        return int(self.seed) if self.seed is not None else int(rng.integers(2**63))

    def _fit_model(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, perms: Any) -> tuple[np.ndarray, Any]:
        X0 = X
        if self.method == "relative-weights":
            self._missing_how(
                "mean imputation: a missing or not-applicable rating is set to that driver's mean "
                "over the rows that have it (it adds nothing for or against); no row dropped"
            )
        X = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
        n, p = X.shape
        ones = np.ones((1, n))
        Rxx, sd = W.pairwise_corr(ones, X)
        ordinal = self.outcome_type_ == "ordinal"
        fit = _ordered_fit if ordinal else _logit_fit
        ll0 = _null_loglik(y)
        self.r2_kind_ = "mcfadden"
        if self.method == "shapley":
            self.notes_.append(
                "Shapley shares of the latent-variable R2 (biserial/polyserial correlations, "
                f"Olsson, Drasgow & Dorans 1982); r2 is McFadden's of the {'ordered logit' if ordinal else 'logistic'} model"
            )
        if self.method == "relative-weights":
            gamma, ll, cov, scores = fit(X, y, want_scores=True)
            self.r2_ = 1 - ll / ll0
            raw = W.relative_weights_from_coefs(Rxx[0], _slopes(gamma, p, ordinal) * sd[0])
            if not self.n_boot:
                return raw, None
            boot = []
            for Wb in W.bootstrap_counts(n, self.n_boot, rng):
                Rb, sdb = W.pairwise_corr(Wb, X)
                gb = gamma + ((Wb.astype(np.float64) - 1) @ scores) @ cov
                boot.append(W.relative_weights_from_coefs(Rb, _slopes(gb, p, ordinal) * sdb))
            return raw, np.vstack(boot)
        # Shapley for a binary or ordinal outcome: decompose the latent-variable R2 from
        # biserial / polyserial correlations (Olsson, Drasgow & Dorans 1982). These are the
        # point-biserial / Pearson correlations times one constant, so the shares are exact
        # Shapley shares from the correlation matrix, batched over resamples.
        self.r2_ = 1 - fit(X, y)[1] / ll0
        return self._fit_continuous(X0, y, rng, perms, keep_r2=True)

    # ----------------------------------------------------------------- results
    @property
    def summary(self) -> pd.DataFrame:
        """One row per driver, most important first."""
        self._check_fitted()
        df = pd.DataFrame(
            {
                "driver": self.drivers_,
                "importance": self.importance_.to_numpy(),
                "ci_low": self.ci_low_.to_numpy(),
                "ci_high": self.ci_high_.to_numpy(),
                "raw_importance": self.raw_importance_.to_numpy(),
                "performance": self.performance_.to_numpy(),
                "n": self.n_observed_.to_numpy(),
                "quadrant": self.quadrant_.reindex(self.drivers_).to_numpy(),
            }
        )
        return df.sort_values("importance", ascending=False).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """The `carlzon drivers --json` object."""
        self._check_fitted()
        drivers: list[dict[str, Any]] = [
            {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in self.summary.to_dict(orient="records")
        ]
        for d in drivers:
            d["n"] = int(d["n"])
        return {
            "n": int(self.n_),
            "r2": float(self.r2_),
            "r2_kind": self.r2_kind_,
            "method": self.method,
            "outcome": self.outcome_,
            "outcome_type": self.outcome_type_,
            "drivers": drivers,
            "n_rows_read": int(self.n_rows_read_),
            "n_outcome_missing": int(self.n_outcome_missing_),
            "n_missing_handled": int(self.n_missing_handled_),
            "missing_how": self.missing_how_,
            "n_boot": int(self.n_boot_used_),
            "confidence": self.confidence,
            "exact": bool(self.method == "relative-weights" or self.exact_),
            "notes": list(self.notes_),
        }

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of importance with their intervals; returns the axis (needs matplotlib)."""
        self._check_fitted()
        ax = axis(ax, (6, 0.35 * len(self.drivers_) + 1))
        s = self.summary.iloc[::-1]
        err = np.vstack([s.importance - s.ci_low, s.ci_high - s.importance])
        ax.barh(s.driver, s.importance, xerr=None if np.isnan(err).all() else err)
        ax.set_xlabel(f"share of explained {self.outcome_} ({self.r2_kind_} = {self.r2_:.2f}, n = {self.n_:,})")
        return ax

    def _repr_extra(self) -> str:
        return f"{len(self.drivers_)} drivers"


# ------------------------------------------------------------------- helpers
def boot_importance(sums: np.ndarray, importance: Any, chunk: int = 50) -> np.ndarray:
    """The importances of every resample from its exact sums ((B, 4, q, q), :func:`~carlzon.analysis._weights.weighted_sums`),
    in fixed chunks, so that one machine and Spark compute each resample's numbers alike."""
    R, _ = W.corr_from_sums(sums)
    return np.vstack([importance(R[i : i + chunk]) for i in range(0, len(R), chunk)])


def _cols(mask: int, p: int) -> np.ndarray:
    return np.array([j for j in range(p) if mask >> j & 1], dtype=int)


def _sampled_shapley(v: Any, p: int, perms: list[np.ndarray]) -> np.ndarray:
    cache: dict[int, Any] = {}

    def val(mask: int) -> Any:
        if mask not in cache:
            cache[mask] = v(mask) if mask else 0.0
        return cache[mask]

    total: np.ndarray | float = 0.0
    for perm in perms:
        mask, before = 0, val(0)
        contrib: list[Any] = [None] * p
        for j in perm:
            mask |= 1 << int(j)
            after = val(mask)
            contrib[j] = after - before
            before = after
        total = total + np.stack(np.broadcast_arrays(*contrib), axis=-1)
    return np.asarray(total / len(perms))


def _null_loglik(y: np.ndarray) -> float:
    total = len(y)
    ll = 0.0
    for level in np.unique(y):
        k = float((y == level).sum())
        if k > 0:
            ll += k * math.log(k / total)
    return ll


def _logit_fit(X: np.ndarray, y: np.ndarray, *, want_scores: bool = False):
    beta, ll, cov = W.logistic_fit(X, y)
    if not want_scores:
        return beta, ll
    mu = 1 / (1 + np.exp(-(beta[0] + X @ beta[1:])))
    scores = (y - mu)[:, None] * np.column_stack([np.ones(len(y)), X])
    return beta, ll, cov, scores


def _ordered_fit(X: np.ndarray, y: np.ndarray, *, want_scores: bool = False):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    codes = pd.Categorical(y, ordered=True)
    if X.shape[1] == 0:
        return None, _null_loglik(y)
    model = OrderedModel(pd.Series(codes), X, distr="logit")
    res = model.fit(method="bfgs", disp=False, maxiter=500)
    if not want_scores:
        return np.asarray(res.params), float(res.llf)
    return np.asarray(res.params), float(res.llf), np.asarray(res.cov_params()), np.asarray(model.score_obs(res.params))


def _slopes(params: np.ndarray, p: int, ordinal: bool) -> np.ndarray:
    """The driver coefficients of a fit (last axis; one row a resample when 2-D): ordered logit puts them first."""
    params = np.asarray(params)
    return params[..., :p] if ordinal else params[..., 1 : p + 1]
