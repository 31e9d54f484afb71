"""The survey generator and the driver truths it implies.

Ratings per touchpoint (1-5) come from a latent normal with a shared halo
factor, discretised; a visit with a moment of misery (or magic) at a
touchpoint pushes that touchpoint's latent down (or up). The overall
satisfaction (1-10) is generated *directly from the observed ratings*:

    overall = round(clip(intercept + sum_j beta_j * rating_j + noise, 1, 10))

so a linear model on the ratings is correctly specified. ``satisfied`` is a
logistic draw on the same linear predictor. Not-applicable ratings are
masked completely at random *after* the outcome is generated.

The population driver shares (Johnson's relative weights and exact Shapley
shares of R^2) are computed from the correlation matrix of 400,000 extra
draws of this same generator, so they are the target a sample estimate aims at.
"""

from __future__ import annotations

import itertools
import math
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from carlzon.journey import Journey

__all__ = ["DriverModel", "driver_model", "driver_truth", "relative_weights", "shapley_shares"]

CUTS = np.array([-1.55, -0.85, -0.05, 0.85])
"""Latent cut points that turn a normal latent into ratings 1..5."""
HALO = 0.3
MISERY_SHIFT = -2.6
MAGIC_SHIFT = 1.6
NOISE_SD = 0.6
SATISFIED_SLOPE = 1.5
SATISFIED_CENTRE = 7.0
POPULATION_DRAWS = 400_000


def _profile(n: int) -> np.ndarray:
    """Uneven weights (per latent sd): a few large, several small, the last one exactly 0."""
    k = np.arange(n, dtype=float)
    return 0.63 * ((n - 1 - k) / max(n - 1, 1)) ** 1.25


@dataclass(frozen=True)
class DriverModel:
    """Parameters of the survey generator for one journey and seed."""

    touchpoints: tuple[str, ...]
    means: np.ndarray  # latent mean per touchpoint
    weights: np.ndarray  # beta per rating point, in overall (1-10) units
    intercept: float
    na_rates: np.ndarray
    misery_probs: np.ndarray  # which touchpoint a moment of misery hits
    magic_probs: np.ndarray

    def ratings(self, rng: np.random.Generator, misery_tp: np.ndarray, magic_tp: np.ndarray) -> np.ndarray:
        """Complete 1-5 ratings (int8), one row per response; -1 in *_tp means none."""
        n, j = len(misery_tp), len(self.touchpoints)
        halo = rng.standard_normal(n)
        z = self.means + HALO * halo[:, None] + np.sqrt(1 - HALO**2) * rng.standard_normal((n, j))
        rows = np.arange(n)
        m = misery_tp >= 0
        z[rows[m], misery_tp[m]] += MISERY_SHIFT
        g = magic_tp >= 0
        z[rows[g], magic_tp[g]] += MAGIC_SHIFT
        return (np.searchsorted(CUTS, z) + 1).astype(np.int8)

    def outcomes(self, rng: np.random.Generator, ratings: np.ndarray) -> dict[str, np.ndarray]:
        """overall (1-10), satisfied (0/1), nps (0-10), csat (1-5) from complete ratings."""
        eta = self.intercept + ratings @ self.weights
        latent = eta + NOISE_SD * rng.standard_normal(len(eta))
        overall = np.clip(np.rint(latent), 1, 10)
        p = 1 / (1 + np.exp(-SATISFIED_SLOPE * (eta - SATISFIED_CENTRE)))
        satisfied = (rng.random(len(eta)) < p).astype(np.int8)
        nps = np.clip(np.rint(latent + 0.4 + 0.8 * rng.standard_normal(len(eta))), 0, 10)
        csat = np.clip(np.rint(latent / 2 + 0.4 * rng.standard_normal(len(eta))), 1, 5)
        return {"overall": overall, "satisfied": satisfied, "nps": nps, "csat": csat, "eta": eta}

    def draw_events(
        self, rng: np.random.Generator, n: int, p_misery: float, p_magic: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Which touchpoint (or -1) carries a moment of misery / magic for n visits."""
        j = len(self.touchpoints)
        mis = np.where(rng.random(n) < p_misery, rng.choice(j, size=n, p=self.misery_probs), -1)
        mag = np.where(
            (mis < 0) & (rng.random(n) < p_magic / (1 - p_misery)), rng.choice(j, size=n, p=self.magic_probs), -1
        )
        return mis, mag


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights (raw, summing to R^2) from a correlation matrix, outcome last."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    vals, vecs = np.linalg.eigh(rxx)
    lam = vecs @ np.diag(np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


@lru_cache(maxsize=64)
def _combos(p: int, k: int) -> np.ndarray:
    return np.array(list(itertools.combinations(range(p), k)))


def shapley_shares(corr: np.ndarray) -> np.ndarray:
    """Exact Shapley decomposition of R^2 (raw, summing to R^2) from a correlation matrix, outcome last."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    p = len(rxy)
    fact = [math.factorial(i) for i in range(p + 1)]
    out = np.zeros(p)
    for k in range(1, p + 1):
        combos = _combos(p, k)
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        rhs = rxy[combos]
        vals = np.einsum("ij,ij->i", rhs, np.linalg.solve(sub, rhs[..., None])[..., 0])
        member = np.zeros((len(combos), p), dtype=bool)
        np.put_along_axis(member, combos, True, axis=1)
        gain = fact[k - 1] * fact[p - k] / fact[p]  # i in S: S is "S without i, plus i"
        loss = fact[k] * fact[p - k - 1] / fact[p] if k < p else 0.0  # i not in S
        out += gain * (member * vals[:, None]).sum(axis=0) - loss * (~member * vals[:, None]).sum(axis=0)
    return out


P_MISERY = 0.15
"""Share of visits with a moment of misery (panel customers)."""
P_MAGIC = 0.12
"""Share of visits with a moment of magic."""
_STAKES_WEIGHT = {"low": 1.0, "medium": 1.6, "high": 2.4}


@lru_cache(maxsize=16)
def _journey_params(key: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    name, stakes = key
    jr = np.random.default_rng(zlib.crc32(name.encode()))
    j = len(stakes)
    means = jr.uniform(0.0, 1.0, size=j)
    na = np.where(jr.random(j) < 0.3, jr.uniform(0.10, 0.25, size=j), jr.uniform(0.01, 0.05, size=j))
    mis = np.array([_STAKES_WEIGHT[s] for s in stakes]) * jr.uniform(0.5, 1.5, size=j)
    mag = jr.uniform(0.5, 1.5, size=j)
    return means, na, mis / mis.sum(), mag / mag.sum()


def _key(journey: Journey) -> tuple:
    return (
        journey.name + "|" + ",".join(tp.id for tp in journey.touchpoints),
        tuple(tp.stakes for tp in journey.touchpoints),
    )


@lru_cache(maxsize=8)
def _population_ratings(key: tuple) -> np.ndarray:
    """400k complete rating rows from the journey's fixed generator (cached per journey)."""
    means, na, mis, mag = _journey_params(key)
    tmp = DriverModel(tuple(str(i) for i in range(len(means))), means, np.zeros(len(means)), 0.0, na, mis, mag)
    rng = np.random.default_rng(20260101)
    m, g = tmp.draw_events(rng, POPULATION_DRAWS, P_MISERY, P_MAGIC)
    return tmp.ratings(rng, m, g)


def driver_model(journey: Journey, seed: int) -> DriverModel:
    """The generator's parameters: journey-fixed performance and not-applicable rates,
    weights from an uneven profile permuted by the seed."""
    key = _key(journey)
    means, na, mis, mag = _journey_params(key)
    j = len(means)
    rng = np.random.default_rng([seed, 7919])
    pop = _population_ratings(key)
    weights = _profile(j)[rng.permutation(j)] / pop.std(axis=0)
    mean_ratings = pop.mean(axis=0)
    intercept = 6.9 - float(mean_ratings @ weights)
    tps = tuple(tp.id for tp in journey.touchpoints)
    return DriverModel(tps, means, weights, intercept, na, mis, mag)


def driver_truth(journey: Journey, model: DriverModel, seed: int) -> dict:
    """Population truths of the survey: weights, R^2, relative-weight and Shapley shares."""
    x = _population_ratings(_key(journey)).astype(float)
    out = model.outcomes(np.random.default_rng([seed, 104729]), x.astype(np.int8))
    tps = model.touchpoints

    def corr(y: np.ndarray) -> np.ndarray:
        return np.corrcoef(np.column_stack([x, y]), rowvar=False)

    c = corr(out["overall"])
    rw = relative_weights(c)
    r2 = float(rw.sum())
    rw = rw / r2
    sh = shapley_shares(c)
    sh = sh / sh.sum()
    rw_lat = relative_weights(corr(out["eta"]))
    rw_lat = rw_lat / rw_lat.sum()
    return {
        "driver_weights": dict(zip(tps, model.weights.round(6).tolist())),
        "driver_intercept": round(model.intercept, 6),
        "driver_noise_sd": NOISE_SD,
        "driver_shares": dict(zip(tps, rw.round(6).tolist())),
        "driver_shares_shapley": dict(zip(tps, sh.round(6).tolist())),
        "driver_shares_latent": dict(zip(tps, rw_lat.round(6).tolist())),
        "driver_r2": round(r2, 6),
        "satisfied_logit": {
            "intercept": round(SATISFIED_SLOPE * (model.intercept - SATISFIED_CENTRE), 6),
            "weights": dict(zip(tps, (SATISFIED_SLOPE * model.weights).round(6).tolist())),
        },
        "na_rates": dict(zip(tps, model.na_rates.round(4).tolist())),
        "rating_means": dict(zip(tps, x.mean(axis=0).round(4).tolist())),
    }
