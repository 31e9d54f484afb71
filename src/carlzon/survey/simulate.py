"""Simulated survey answers with planted truths: stated and derived importance that differ by plan, per persona.

For each persona of the journey a *plan* names two different touchpoints: ``stated_top``, the one its
customers say matters most (its stated importance is the highest), and ``derived_top``, the one their
outcome really moves with (its weight in the outcome model is by far the largest, while ``stated_top``
weighs almost nothing). The generator:

* performance per touchpoint (1-5): a latent normal with a shared halo, cut into five points; 5% "did not use";
* NPS (0-10): ``round(clip(6.5 + sum_j beta[p, j] * (rating_j - 3) + N(0, 1.2), 0, 10))``;
* stated importance (1-5): ``round(clip(m[p, j] + 0.4 * bias_i + N(0, 0.7) + shift, 1, 5))`` where ``shift``
  is ``order_effect`` for respondents who were asked importance last (``block_order: split``), else 0;
* non-response: each persona answers with its own probability (``response``), so the answers' persona mix
  differs from the invited one.

``truth["order_effect"]`` is the expected difference of the mean stated importance (last minus first) on
the 1-5 answers of those who respond (the personas weighted by invited share times response rate), from 200,000 draws of the same generator (the rounding and the scale's ends shrink the
latent ``order_effect``).

Example:
    >>> sim = simulate_survey("retail_clothing", seed=1, invited=600)
    >>> sorted(sim.truth["plan"])
    ['first_time', 'regular']
    >>> all(p["stated_top"] != p["derived_top"] for p in sim.truth["plan"].values())
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import SurveyError
from carlzon.journey import Journey, load_journey
from carlzon.survey.definition import Survey, build_survey

__all__ = ["SurveySimulation", "simulate_survey"]

CUTS = np.array([-1.55, -0.85, -0.05, 0.85])
HALO = 0.3
NOT_USED = 0.05


@dataclass
class SurveySimulation:
    """A simulated survey: the survey, who was invited (customer_id, persona), the answers of those who
    responded (records for :func:`carlzon.survey.answers.store_answers`, each with its ``customer_id``) and
    the planted truths."""

    survey: Survey
    invited: pd.DataFrame
    records: list[dict[str, Any]]
    truth: dict[str, Any]

    def store(self, store: Any, *, batch: str = "simulated") -> dict[str, Any]:
        """Save the survey, invite everyone in ``invited`` and store the answers as the invitations' answers."""
        from carlzon.survey.answers import store_answers
        from carlzon.survey.invitations import invite, mark_answered
        from carlzon.survey.tables import save_survey

        save_survey(store, self.survey)
        inv = invite(store, self.survey.id, self.invited, batch=batch, suppress_days=0)
        ids = {c: link.rsplit("/", 1)[-1].split(".")[0] for c, link in zip(inv.links["customer_id"], inv.links["link"])}
        recs = [{**r, "invitation": ids[r["customer_id"]], "batch": batch} for r in self.records]
        res = store_answers(store, self.survey, recs, source=f"survey {self.survey.id} (simulated)")
        mark_answered(store, {r["invitation"]: r["response_id"] for r in recs})
        return {"invite": inv, "answers": res}


def _touchpoints(j: Journey, k: int) -> list[str]:
    """Up to ``k`` touchpoints, taken in turn from each persona's list (all of the journey's without personas)."""
    lists = [list(p.touchpoints) or [t.id for t in j.touchpoints] for p in j.personas] or [
        [t.id for t in j.touchpoints]
    ]
    out: list[str] = []
    i = 0
    while len(out) < k and any(i < len(x) for x in lists):
        for x in lists:
            if i < len(x) and x[i] not in out and len(out) < k:
                out.append(x[i])
        i += 1
    return out


def _ratings(rng: np.random.Generator, means: np.ndarray, n: int) -> np.ndarray:
    halo = rng.standard_normal(n)
    z = means + HALO * halo[:, None] + np.sqrt(1 - HALO**2) * rng.standard_normal((n, len(means)))
    return (np.searchsorted(CUTS, z) + 1).astype(float)


def _stated(rng: np.random.Generator, m: np.ndarray, n: int, shift: np.ndarray) -> np.ndarray:
    bias = rng.standard_normal(n)
    raw = m + 0.4 * bias[:, None] + rng.normal(0, 0.7, (n, len(m))) + shift[:, None]
    return np.clip(np.rint(raw), 1, 5)


def simulate_survey(
    journey: Journey | str = "retail_clothing",
    *,
    seed: int = 0,
    invited: int = 2000,
    touchpoints: list[str] | None = None,
    n_touchpoints: int = 8,
    order_effect: float = -0.4,
    block_order: str = "split",
    mix: dict[str, float] | None = None,
    response: dict[str, float] | None = None,
    start: str = "2026-03-02",
) -> SurveySimulation:
    """Simulate ``invited`` customers invited to one survey for everyone (see the module docs)."""
    j = load_journey(journey)
    if len(j.personas) < 1:
        raise SurveyError(f"journey {j.name} has no personas to plant gaps for", fix="use a journey with personas")
    if invited < 100:
        raise SurveyError(f"invited={invited} is too few", fix="invite at least 100")
    rng = np.random.default_rng(seed)
    tps = touchpoints or _touchpoints(j, n_touchpoints)
    survey = build_survey(j, touchpoints=tps, block_order=block_order, survey_id=f"{j.name.replace('_', '-')}-sim")
    personas = [p.id for p in j.personas]
    mix = mix or {
        p: w
        for p, w in zip(personas, np.linspace(0.6, 0.4, len(personas)) / np.linspace(0.6, 0.4, len(personas)).sum())
    }
    response = response or {p: r for p, r in zip(personas, np.linspace(0.22, 0.45, len(personas)))}
    p_of = rng.choice(personas, size=invited, p=np.array([mix[p] for p in personas]) / sum(mix.values()))
    cust = pd.DataFrame({"customer_id": [f"S{seed:03d}-{i:05d}" for i in range(invited)], "persona": p_of})
    answers_mask = rng.random(invited) < np.array([response[p] for p in p_of])
    plan, params, records = {}, {}, []
    taken_a: set[str] = set()
    t0 = pd.Timestamp(start, tz="UTC")
    k = len(tps)
    for p in personas:
        choices = [t for t in tps if t not in taken_a] or tps
        a = str(rng.choice(choices))
        taken_a.add(a)
        b = str(rng.choice([t for t in tps if t != a]))
        ia, ib = tps.index(a), tps.index(b)
        beta = rng.uniform(0.15, 0.45, k)
        beta[ia], beta[ib] = 0.05, 1.6
        m = rng.uniform(3.0, 4.0, k)
        m[ia], m[ib] = 4.6, 2.6
        means = rng.uniform(-0.2, 0.6, k)
        plan[p] = {"stated_top": a, "derived_top": b}
        params[p] = {"beta": beta, "stated_means": m, "performance_means": means}
        idx = np.flatnonzero((p_of == p) & answers_mask)
        n = len(idx)
        orders = [survey.order_for(cust["customer_id"].iloc[i]) for i in idx]
        last = np.array([o[0] == "importance_last" for o in orders])
        perf = _ratings(rng, means, n)
        nps = np.clip(np.rint(6.5 + (perf - 3) @ beta + rng.normal(0, 1.2, n)), 0, 10)
        stated = _stated(rng, m, n, np.where(last, order_effect, 0.0))
        perf[rng.random(perf.shape) < NOT_USED] = np.nan
        worst = np.nanargmin(np.where(np.isnan(perf), 9, perf), axis=1)
        for r, i in enumerate(idx):
            cid = str(cust["customer_id"].iloc[i])
            ans: dict[str, Any] = {"nps": int(nps[r])}
            for jx, t in enumerate(tps):
                ans[f"imp_{t}"] = int(stated[r, jx])
                ans[f"perf_{t}"] = None if np.isnan(perf[r, jx]) else int(perf[r, jx])
            if rng.random() < 0.4:
                name = j.touchpoint(tps[worst[r]]).name
                ans["comment"] = (
                    f"{name} was disappointing."
                    if nps[r] <= 6
                    else f"Loved it, even if {name.lower()} could be better."
                )
            records.append(
                {
                    "response_id": f"sim-{seed}-{cid}",
                    "customer_id": cid,
                    "persona": p,
                    "submitted_at": (t0 + pd.Timedelta(minutes=int(rng.integers(0, 30 * 24 * 60)))).isoformat(),
                    "block_order": orders[r][0],
                    "question_order": orders[r][1],
                    "answers": ans,
                }
            )
    truth = {
        "journey": j.name,
        "seed": seed,
        "touchpoints": tps,
        "plan": plan,
        "order_effect_latent": order_effect,
        "order_effect": _order_truth(params, order_effect, {p: mix[p] * response[p] for p in personas}),
        "mix": mix,
        "response": response,
        "params": {p: {k2: v.round(4).tolist() for k2, v in d.items()} for p, d in params.items()},
    }
    return SurveySimulation(survey=survey, invited=cust, records=records, truth=truth)


def _order_truth(params: dict[str, dict[str, np.ndarray]], shift: float, mix: dict[str, float]) -> float:
    """E[mean stated | asked last] - E[... | asked first] over the respondents' persona mix, from 200,000 draws."""
    rng = np.random.default_rng(12345)
    total = sum(mix.values())
    diff = 0.0
    for p, d in params.items():
        n = 100_000
        m = d["stated_means"]
        first = _stated(rng, m, n, np.zeros(n)).mean()
        last = _stated(rng, m, n, np.full(n, shift)).mean()
        diff += (mix[p] / total) * (last - first)
    return round(float(diff), 4)
