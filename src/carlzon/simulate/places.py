"""A chain of places with planted place effects: which places are worse, and where.

``simulate_places()`` gives moments (one per interaction and touchpoint it speaks of) for a chain
of places of very different sizes (many small ones), in a region > area > place hierarchy. Each
place has a quality ``q`` (normal, ``spread`` on the logit scale; 0 plants nothing) that lowers
misery and raises magic at every touchpoint, and ``planted`` places are worse at one touchpoint
each: there the misery logit is the chain's plus ``effect`` and the magic logit the chain's, whatever the
place's quality (a good place's magic elsewhere does not hide its problem there; planted
among places of at least ``planted_min_n`` interactions, at touchpoints at least as often spoken of as
the median one). A moment's valence is drawn from a softmax over
(magic, neutral, misery) logits; an interaction is misery when any of its moments is, magic when
any is magic, else neutral (as :func:`carlzon.analysis.locations.interaction_valence` counts it).

``truth``: ``score`` per place (the expected share of interactions with magic minus misery, from
200,000 draws of the same generator), ``focus`` (place, touchpoint) pairs planted, ``focus_rate`` and
``chain_rate`` (the true misery share there and in the rest of the chain at that touchpoint), ``worst`` (the
planted places), ``hierarchy`` (records for :class:`carlzon.hierarchy.Hierarchy`).

Example:
    >>> from carlzon.simulate.places import simulate_places
    >>> sim = simulate_places(seed=0, places=10, planted=2)
    >>> len(sim.truth["score"]), len(sim.truth["focus"]), set(sim.moments["valence"]) <= {"magic", "neutral", "misery"}
    (10, 2, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PlaceSimulation", "simulate_alert_cells", "simulate_places"]


@dataclass
class PlaceSimulation:
    """The moments (interaction_id, customer_id, timestamp, channel, location, touchpoint, valence,
    score) and the planted truth."""

    moments: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)


def _valence(rng: np.random.Generator, mis_logit: np.ndarray, mag_logit: np.ndarray) -> np.ndarray:
    e_mis, e_mag = np.exp(mis_logit), np.exp(mag_logit)
    tot = 1 + e_mis + e_mag
    u = rng.random(len(mis_logit))
    return np.where(u < e_mis / tot, 2, np.where(u < (e_mis + e_mag) / tot, 1, 0))  # 2 misery, 1 magic, 0 neutral


def simulate_places(
    journey: str = "hotel",
    *,
    seed: int = 0,
    places: int = 60,
    planted: int = 6,
    effect: float = 2.0,
    spread: float = 0.8,
    median_n: float = 60.0,
    size_sd: float = 1.2,
    min_n: int = 8,
    planted_min_n: int = 150,
    regions: int = 3,
    areas_per_region: int = 3,
    days: int = 365,
) -> PlaceSimulation:
    """Moments for ``places`` places (sizes lognormal around ``median_n``, at least ``min_n``), with
    quality spread ``spread`` and ``planted`` places worse by ``effect`` at one touchpoint each."""
    from carlzon.journey import load_journey

    j = load_journey(journey)
    tps = [tp.id for tp in j.touchpoints][:17]
    rng = np.random.default_rng(seed)
    T = len(tps)
    weights = rng.dirichlet(np.full(T, 2.0))
    base_mis = rng.normal(-1.6, 0.4, T)
    base_mag = rng.normal(-0.9, 0.4, T)
    names = [f"P{k:03d}" for k in range(places)]
    q = rng.normal(0, spread, places) if spread > 0 else np.zeros(places)
    sizes = np.maximum(min_n, np.round(np.exp(rng.normal(np.log(median_n), size_sd, places)))).astype(int)
    worse = np.zeros((places, T))
    big = np.flatnonzero(sizes >= planted_min_n)  # a problem worth finding leaves some evidence
    chosen = rng.choice(big, size=min(planted, len(big)), replace=False) if planted else np.array([], int)
    focus = []
    common = np.flatnonzero(weights >= np.median(weights))  # a touchpoint customers speak of
    for p in chosen:
        t = int(rng.choice(common, p=weights[common] / weights[common].sum()))
        worse[p, t] = effect + q[p]  # worse than the chain there by ``effect``, whatever the place's quality
        focus.append([names[p], tps[t]])

    def draw(place_idx: np.ndarray, r: np.random.Generator) -> tuple[np.ndarray, ...]:
        k = r.choice([1, 2, 3], size=len(place_idx), p=[0.4, 0.4, 0.2])
        inter = np.repeat(np.arange(len(place_idx)), k)
        loc = place_idx[inter]
        tp = r.choice(T, size=len(inter), p=weights)
        val = _valence(r, base_mis[tp] - q[loc] + worse[loc, tp], base_mag[tp] + q[loc] * (worse[loc, tp] == 0))
        return inter, loc, tp, val

    # the truth: the expected net share per place, by Monte Carlo of the same generator
    tr = np.random.default_rng(seed + 10_000)
    per = 200_000 // max(places, 1) + 1
    inter, loc, _, val = draw(np.repeat(np.arange(places), per), tr)
    worst = pd.Series(val).groupby(inter).max().to_numpy()
    net = (
        pd.Series(np.where(worst == 2, -1, np.where(worst == 1, 1, 0)))
        .groupby(np.repeat(np.arange(places), per))
        .mean()
    )
    inter, loc, tp, val = draw(np.repeat(np.arange(places), sizes), rng)
    start = pd.Timestamp("2025-01-01", tz="UTC")
    ts = start + pd.to_timedelta(rng.integers(0, days * 86400, size=inter.max() + 1)[inter], unit="s")
    moments = pd.DataFrame(
        {
            "interaction_id": [f"s{seed}-{i}" for i in inter],
            "customer_id": [f"c{seed}-{i}" for i in inter],
            "timestamp": ts,
            "channel": "review",
            "location": np.asarray(names)[loc],
            "touchpoint": np.asarray(tps)[tp],
            "valence": np.asarray(["neutral", "magic", "misery"])[val],
            "score": np.where(val == 2, -0.7, np.where(val == 1, 0.7, 0.0)),
        }
    )
    hier = [
        {
            "location": n,
            "name": f"Place {n[1:]}",
            "area": f"A{(k % (regions * areas_per_region)):02d}",
            "region": f"R{(k % (regions * areas_per_region)) // areas_per_region}",
        }
        for k, n in enumerate(names)
    ]

    # the true misery share at each planted (place, touchpoint) and the rest of the chain's there (no draws)
    def share(pl: np.ndarray, t: int) -> np.ndarray:
        e_mis, e_mag = np.exp(base_mis[t] - q[pl] + worse[pl, t]), np.exp(base_mag[t] + q[pl] * (worse[pl, t] == 0))
        return e_mis / (1 + e_mis + e_mag)

    focus_rate, chain_rate = [], []
    for p, (_, tp_id) in zip(chosen, focus):
        t, rest = tps.index(tp_id), np.delete(np.arange(places), p)
        focus_rate.append(float(share(np.array([p]), t)[0]))
        chain_rate.append(float(np.average(share(rest, t), weights=sizes[rest])))
    truth = {
        "score": {n: float(net.iloc[k]) for k, n in enumerate(names)},
        "focus": focus,
        "focus_rate": focus_rate,
        "chain_rate": chain_rate,
        "worst": [names[p] for p in chosen],
        "sizes": dict(zip(names, sizes.tolist())),
        "hierarchy": hier,
        "quality": dict(zip(names, q.round(4).tolist())),
    }
    return PlaceSimulation(moments, truth)


def simulate_alert_cells(
    *,
    seed: int = 0,
    places: int = 50,
    touchpoints: int = 17,
    days: int = 730,
    per_day: float = 3.0,
    planted: bool = True,
    rate_after: float = 0.6,
    planted_places: int = 1,
    areas: int = 5,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Daily cells (day, location, touchpoint, n, misery) for ``places`` x ``touchpoints`` over ``days``.

    Moments a day per cell are Poisson (``per_day`` times a size factor per place and a share per
    touchpoint); misery is Binomial with a constant rate per touchpoint (0.05 to 0.25). With ``planted``,
    from a start day in the second year misery at the busiest touchpoint of ``planted_places`` places of one area
    rises to ``rate_after``. Truth: ``start``, ``touchpoint``, ``places``, ``area``, ``hierarchy``.
    """
    rng = np.random.default_rng(seed)
    size = np.exp(rng.normal(0, 0.5, places))
    share = rng.dirichlet(np.full(touchpoints, 4.0)) * touchpoints
    base = rng.uniform(0.05, 0.25, touchpoints)
    lam = per_day * np.outer(size, share)  # places x touchpoints
    n = rng.poisson(lam[None, :, :].repeat(days, axis=0))
    p = np.broadcast_to(base[None, None, :], n.shape).copy()
    names = [f"P{k:03d}" for k in range(places)]
    area_of = [f"A{k % areas}" for k in range(places)]
    truth: dict[str, Any] = {
        "hierarchy": [
            {"location": nm, "area": area_of[k], "region": f"R{(k % areas) % 2}"} for k, nm in enumerate(names)
        ]
    }
    if planted:
        start = int(rng.integers(days // 2, days - 30))
        tp = int(np.argmax(share))  # the busiest touchpoint (the counter, the front desk)
        area = f"A{int(rng.integers(areas))}"
        members = [k for k in range(places) if area_of[k] == area]
        chosen = rng.choice(members, size=min(planted_places, len(members)), replace=False)
        for k in chosen:
            p[start:, k, tp] = rate_after
        truth.update({"start": start, "touchpoint": f"t{tp:02d}", "places": [names[k] for k in chosen], "area": area})
    k = rng.binomial(n, p)
    day0 = pd.Timestamp("2025-01-01", tz="UTC")
    d, loc, t = np.nonzero(n)
    cells = pd.DataFrame(
        {
            "day": day0 + pd.to_timedelta(d, unit="D"),
            "location": np.asarray(names)[loc],
            "touchpoint": [f"t{x:02d}" for x in t],
            "n": n[d, loc, t],
            "misery": k[d, loc, t],
        }
    )
    if planted:
        truth["start_day"] = day0 + pd.Timedelta(days=truth["start"])
    return cells, truth
