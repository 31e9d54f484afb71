"""A seeded, multi-channel customer data set for any journey, with planted truths.

``simulate()`` generates customers over months and what they leave behind:
visit records, surveys (NPS, CSAT, comments, per-touchpoint ratings), reviews,
complaints (tickets, chats, e-mails, social posts), recovery follow-ups, a
public stream of social posts and reviews, an event log, and waits and delays
as measures named like the journey's expectations. The same seed gives the
same data.

Example:
    >>> from carlzon.simulate import simulate
    >>> sim = simulate("airline", seed=0, customers=300, days=60)
    >>> {'location', 'rate_after', 'rate_before'} <= set(sim.truth["emerging"])
    True
    >>> abs(sum(sim.truth["driver_shares"].values()) - 1) < 1e-5
    True

Planted truths (``sim.truth``, all JSON-serialisable) and the rules they follow:

``driver_weights`` / ``driver_shares``
    ``survey.overall = round(clip(driver_intercept + sum_j driver_weights[j] * rating_j
    + N(0, driver_noise_sd), 1, 10))`` on the *complete* 1-5 ratings; a linear model
    on the ratings is correctly specified. Ratings are discretised latent normals that
    share a halo factor; not-applicable ratings (NaN, rates in ``na_rates``) are masked
    completely at random after the outcome was drawn. ``driver_shares`` are the
    population relative weights (Johnson) of R^2 for ``overall`` (sum 1),
    ``driver_shares_shapley`` the exact Shapley shares, both from the correlation matrix
    of 400,000 extra draws of the same generator; ``driver_r2`` the population R^2.
    ``satisfied`` (0/1) is Bernoulli(logistic(``satisfied_logit``)) on the same linear
    predictor (without noise), so its logit coefficients are ``satisfied_logit.weights``
    and ``driver_shares_latent`` its shares.
``emerging``
    From ``start`` (an ISO date) misery at ``touchpoint`` at ``location`` rises from
    ``rate_before`` to ``rate_after`` moments a day; the extra comments name ``theme``.
    Everywhere else daily misery counts are Poisson with constant rates.
``recovery`` / ``churn_hazard_ratio``
    Customers' timelines follow the proportional-hazards model documented in
    ``carlzon.simulate._timeline`` exactly: the hazard of leaving after a visit with an
    unrecovered misery is ``churn_hazard_ratio`` times that after a visit with no misery
    (``churn_hazard_ratio_recovered`` after a recovered one); ``sim.churn_intervals()``
    gives the long format for a Cox model with time-varying covariates, and
    ``customers.churned_at`` when each left. ``recovery.p_return`` gives the probability
    of another visit within 90 days after a visit with no / recovered / unrecovered misery
    (the service-recovery paradox: recovered slightly above none, unrecovered well below).
``birthdays`` / ``regulars`` / ``today``
    ``today`` is the last simulated day. Only the customers in ``birthdays`` have their
    birthday on today's month and day; nobody's sign-up anniversary is today. Every
    visit leaves one interaction with channel ``visit``; a customer's visit count on a
    day is the number of their ``visit`` rows up to that day. On ``today`` only the
    planted customers visit: each regular's visit today is their ``visit_number``-th
    (a multiple of the journey's ``visit_count_multiple_of`` rule, 10 by default), each
    birthday customer's is not, and no planted customer's previous visit was a misery.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carlzon.errors import CarlzonError
from carlzon.journey import Journey, load_journey
from carlzon.simulate import _drivers, _panel, _people, _stream, _timeline

__all__ = ["DEMO_SOURCE", "Simulation", "simulate", "store_simulation"]

DEMO_SOURCE = "carlzon-simulate"
"""Source name of every row :func:`store_simulation` stores (how a demo store is recognised)."""

PUBLIC_PER_CUSTOMER_DAY = 0.03
"""Public stream volume: posts and reviews a day per simulated customer (at least 20 a day)."""


@dataclass
class Simulation:
    """A simulated data set: DataFrames plus the planted truths.

    Attributes: ``interactions`` (an export-like table that ``carlzon.ingest`` maps
    automatically), ``customers``, ``events`` (customer_id, step, timestamp),
    ``survey`` (one row per response, one column per touchpoint), ``visits`` (one row
    per visit with its misery, magic and recovery), ``truth`` (see the module docs).
    """

    journey: Journey
    interactions: pd.DataFrame
    customers: pd.DataFrame
    events: pd.DataFrame
    survey: pd.DataFrame
    visits: pd.DataFrame
    truth: dict[str, Any]
    _intervals: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def churn_intervals(self) -> pd.DataFrame:
        """One row per customer interval between visits (days since start): customer_id,
        start, stop, recovered, unrecovered (state of the last visit), churned (0/1)."""
        return self._intervals.copy()

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write interactions.csv, customers.csv, events.csv, survey.csv, visits.csv and truth.json."""
        out = Path(folder)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CarlzonError(
                f"cannot create folder {out}: {exc.strerror}", fix="choose a folder you can write to"
            ) from None
        paths = {}
        for name in ("interactions", "customers", "events", "survey", "visits"):
            paths[name] = out / f"{name}.csv"
            getattr(self, name).to_csv(paths[name], index=False)
        paths["truth"] = out / "truth.json"
        paths["truth"].write_text(json.dumps(self.truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return paths


def _visit_every(journey: Journey) -> int:
    for rule in journey.magic or []:
        if isinstance(rule, dict) and rule.get("when") == "visit_count_multiple_of":
            return max(int(rule.get("every", 10)), 1)
    return 10


def simulate(
    journey: str | Path | Journey = "airline",
    *,
    seed: int = 0,
    customers: int = 2000,
    start: str = "2026-01-01",
    days: int = 180,
) -> Simulation:
    """Simulate ``customers`` customers of ``journey`` over ``days`` days from ``start``.

    >>> sim = simulate("coffee_shop", seed=1, customers=200, days=40)
    >>> {"response_id", "customer_id", "created_at", "comment", "nps"} <= set(sim.interactions.columns)
    True
    """
    j = load_journey(journey)
    if customers < 20:
        raise CarlzonError(f"customers={customers} is too few to plant the truths", fix="use at least 20 customers")
    if days < 30:
        raise CarlzonError(f"days={days} is too short to plant an emerging problem", fix="use at least 30 days")
    try:
        t0 = pd.Timestamp(start, tz="UTC").normalize()
    except (ValueError, TypeError):
        raise CarlzonError(f"cannot read start date {start!r}", fix="write it as YYYY-MM-DD") from None
    rng = np.random.default_rng(seed)
    today = t0 + pd.Timedelta(days=days - 1)
    end_day = float(days - 1)
    model = _drivers.driver_model(j, seed)
    locs = _people.locations(j)
    loc_shares = _people.location_shares(len(locs))

    cust = _people.customers(j, rng, customers, t0, today)
    signup = pd.to_datetime(cust["signup_date"]).dt.tz_localize("UTC")
    entry = np.maximum(((signup - t0).dt.days).to_numpy(dtype=float), 0.0)
    entry = entry + rng.uniform(0, 1, size=customers) * (entry > 0)
    draw = lambda n: model.draw_events(rng, n, _drivers.P_MISERY, _drivers.P_MAGIC)  # noqa: E731
    visits, churn, rate = _timeline.timelines(rng, entry, end_day, draw)
    visits["planted"] = False

    planted, birthdays, regulars = _plant(j, rng, cust, today, end_day)
    visits = visits[~visits["customer"].isin(planted["customer"])]
    visits = pd.concat([visits, planted], ignore_index=True).sort_values(["customer", "day"], kind="stable")
    planted_idx = set(planted["customer"].tolist())
    churn[list(planted_idx)] = np.nan
    first_days = planted.groupby("customer")["day"].min()
    for idx, first_day in zip(first_days.index.to_numpy(int), first_days.to_numpy()):
        entry[idx] = min(entry[idx], first_day)
    home = cust["home_location"].to_numpy()
    away = rng.random(len(visits)) < 0.2
    vloc = np.where(away, rng.choice(locs, size=len(visits), p=loc_shares), home[visits["customer"].to_numpy()])
    visits["location"] = vloc
    ids = cust["customer_id"].to_numpy()
    visits["customer_id"] = ids[visits["customer"].to_numpy()]
    day_floor = np.floor(visits["day"].to_numpy())
    hours = np.where(visits["planted"], 10.0, 6 + (visits["day"].to_numpy() - day_floor) * 14)
    visits["tday"] = day_floor + hours / 24
    visits["timestamp"] = t0 + pd.to_timedelta(visits["tday"], unit="D")
    visits = visits.reset_index(drop=True)

    rows, survey = _panel.panel_rows(j, model, rng, visits, t0, today)

    weights = model.misery_probs
    e_tp = _stream.emerging_touchpoint(j, weights, rng)
    e_tp_i = [tp.id for tp in j.touchpoints].index(e_tp.id)
    e_start_day = int(min(max(days * 0.75 + rng.integers(-5, 6), 28), days - 3))
    per_day = max(20.0, PUBLIC_PER_CUSTOMER_DAY * customers)
    bg_before = per_day * weights[e_tp_i] * loc_shares[0] * 0.3
    panel_rate = _panel_misery_rate(visits, e_tp_i, locs[0], e_start_day)
    rate_before = bg_before + panel_rate
    extra = max(2.0 * rate_before, 6.0)
    theme, texts = _stream.theme_for(j, e_tp)
    public = _stream.public_stream(
        j,
        rng,
        start=t0,
        days=days,
        per_day=per_day,
        weights=weights,
        locations=locs,
        loc_shares=loc_shares,
        emerging={
            "tp_index": e_tp_i,
            "loc_index": 0,
            "start_day": e_start_day,
            "extra": extra,
            "theme": theme,
            "texts": texts,
        },
    )
    interactions, key_map = _export(j, rows, public, cust, t0)
    if len(survey):
        survey.insert(0, "response_id", survey["k"].map(key_map))
        survey["customer_id"] = ids[survey["customer"].to_numpy()]
        survey["timestamp"] = t0 + pd.to_timedelta(survey["timestamp"], unit="D")
        survey = survey.drop(columns=["k", "customer"])
        survey = survey[
            ["response_id", "customer_id", "timestamp", *model.touchpoints, "overall", "satisfied", "nps", "csat"]
        ]
        survey = survey.sort_values("timestamp", kind="stable").reset_index(drop=True)

    events = _panel.event_log(j, rng, visits, customers, t0, today, ids)
    ev_planted = events["customer_id"].isin(ids[sorted(planted_idx)])
    events = events[(events["timestamp"] < today) | ev_planted].reset_index(drop=True)

    churn_at = pd.Index([t0 + pd.Timedelta(days=float(c)) if not math.isnan(c) else pd.NaT for c in churn])
    cust = cust.drop(columns=[]).assign(churned_at=pd.to_datetime(churn_at, utc=True))
    intervals = _timeline.churn_intervals(visits, entry, churn, end_day)
    intervals.insert(0, "customer_id", ids[intervals.pop("customer").to_numpy()])
    intervals = intervals[~intervals["customer_id"].isin(ids[list(planted_idx)])].reset_index(drop=True)

    truth: dict[str, Any] = {
        "journey": j.name,
        "seed": seed,
        "customers": customers,
        "start": t0.date().isoformat(),
        "days": days,
        "today": today.date().isoformat(),
    }
    truth.update(_drivers.driver_truth(j, model, seed))
    truth["emerging"] = {
        "touchpoint": e_tp.id,
        "theme": theme,
        "location": locs[0],
        "start": (t0 + pd.Timedelta(days=e_start_day)).date().isoformat(),
        "rate_before": round(float(rate_before), 4),
        "rate_after": round(float(rate_before + extra), 4),
        "unit": "moments of misery a day at this touchpoint and location (all channels)",
        "example_comments": list(texts),
    }
    truth["recovery"] = _timeline.recovery_truth(visits, rate, end_day)
    truth["churn_hazard_ratio"] = _timeline.HR_UNRECOVERED
    truth["churn_hazard_ratio_recovered"] = _timeline.HR_RECOVERED
    truth["churn_baseline_hazard_per_day"] = _timeline.H0
    truth["churn_covariate"] = (
        "state of the customer's last visit (none / recovered / unrecovered misery), from that visit to the next"
    )
    truth["birthdays"] = birthdays
    truth["regulars"] = regulars
    truth["unmapped_steps"] = list(_panel.UNMAPPED_STEPS)
    truth["step_names"] = _panel.raw_step_names(j)

    public_visits = visits.assign(
        misery_touchpoint=pd.Series(
            [j.touchpoints[i].id if i >= 0 else None for i in visits["misery_tp"]], index=visits.index
        ),
        magic_touchpoint=pd.Series(
            [j.touchpoints[i].id if i >= 0 else None for i in visits["magic_tp"]], index=visits.index
        ),
        state=np.asarray(_timeline.STATES)[visits["state"].to_numpy()],
    )[
        [
            "customer_id",
            "timestamp",
            "location",
            "misery_touchpoint",
            "magic_touchpoint",
            "survey",
            "complaint",
            "recovered",
            "state",
            "planted",
        ]
    ]
    return Simulation(
        journey=j,
        interactions=interactions,
        customers=cust,
        events=events,
        survey=survey,
        visits=public_visits,
        truth=truth,
        _intervals=intervals,
    )


def _panel_misery_rate(visits: pd.DataFrame, tp_i: int, loc: str, before_day: int) -> float:
    """Panel moments of misery a day at one touchpoint and location before a day (about one report each)."""
    v = visits[(visits["misery_tp"] == tp_i) & (visits["location"] == loc) & (visits["day"] < before_day)]
    reports = v["survey"].astype(int) + v["complaint"].astype(int)
    return float(reports.sum()) / max(before_day, 1)


def _plant(
    j: Journey, rng: np.random.Generator, cust: pd.DataFrame, today: pd.Timestamp, end_day: float
) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Planted visits of 3 birthday customers and 2 regulars (customers picked at random)."""
    every = _visit_every(j)
    target = every * math.ceil(10 / every)
    n = len(cust)
    pick = rng.choice(n, size=5, replace=False)
    rows, birthdays, regulars = [], [], []

    def visit_rows(idx: int, days_list: list[float]) -> None:
        for d in days_list:
            rows.append(
                {
                    "customer": idx,
                    "day": d,
                    "state_before": 0,
                    "misery_tp": -1,
                    "magic_tp": -1,
                    "survey": False,
                    "complaint": False,
                    "recovered": False,
                    "state": 0,
                    "planted": True,
                }
            )

    spacing = max(min(14.0, (end_day - 1) / target), 0.5)
    for idx in pick[:2]:
        days_list = [end_day - spacing * k for k in range(target - 1, 0, -1)] + [end_day]
        visit_rows(int(idx), days_list)
        regulars.append(
            {
                "customer_id": cust.at[idx, "customer_id"],
                "name": cust.at[idx, "name"],
                "date": today.date().isoformat(),
                "visit_number": target,
                "usual_order": cust.at[idx, "usual_order"],
            }
        )
    for idx in pick[2:]:
        k = int(rng.integers(1, 5))
        if (k + 1) % every == 0:
            k += 1
        days_list = [end_day - 7.0 * m for m in range(k, 0, -1)] + [end_day]
        visit_rows(int(idx), [d for d in days_list if d >= 0])
        age = int(rng.integers(20, 70))
        year = today.year - age
        while True:
            try:
                bday = pd.Timestamp(year=year, month=today.month, day=today.day)
                break
            except ValueError:
                year -= 1
        cust.at[idx, "birthday"] = bday.date()
        birthdays.append(
            {
                "customer_id": cust.at[idx, "customer_id"],
                "name": cust.at[idx, "name"],
                "date": today.date().isoformat(),
                "birthday": bday.date().isoformat(),
                "age": today.year - year,
            }
        )
    return pd.DataFrame(rows), birthdays, regulars


def _export(
    j: Journey, rows: list[dict], public: pd.DataFrame, cust: pd.DataFrame, t0: pd.Timestamp
) -> tuple[pd.DataFrame, dict]:
    """One export-like table, sorted by time, with response ids R0000001..."""
    panel = pd.DataFrame(rows)
    panel["created_at"] = t0 + pd.to_timedelta(panel["created_at"], unit="D")
    ids = cust["customer_id"].to_numpy()
    panel["customer_id"] = ids[panel["customer"].to_numpy()]
    panel = panel.drop(columns=["customer"])
    pub = public[["created_at", "channel", "comment", "stars", "touchpoint", "location"]].copy()
    pub["k"] = -1 - np.arange(len(pub))
    allr = (
        pd.concat([panel, pub], ignore_index=True)
        .sort_values(["created_at", "k"], kind="stable")
        .reset_index(drop=True)
    )
    allr["response_id"] = [f"R{i + 1:07d}" for i in range(len(allr))]
    key_map = dict(zip(allr["k"], allr["response_id"]))
    if "in_reply_to" in allr:
        allr["in_reply_to"] = allr["in_reply_to"].map(lambda k: key_map.get(k) if pd.notna(k) else None)
    crm = cust.set_index("customer_id")
    for col, src in (
        ("customer_name", "name"),
        ("email", "email"),
        ("birthday", "birthday"),
        ("tier", "tier"),
        ("usual_order", "usual_order"),
    ):
        allr[col] = allr["customer_id"].map(crm[src])
    measures = sorted({tp.expectation.measure for tp in j.touchpoints if tp.expectation} & set(allr.columns))
    items = [tp.survey_items[0] for tp in j.touchpoints if tp.survey_items and tp.survey_items[0] in allr.columns]
    cols = [
        "response_id",
        "customer_id",
        "created_at",
        "channel",
        "comment",
        "nps",
        "csat",
        "stars",
        "touchpoint",
        *items,
        *measures,
        "customer_name",
        "email",
        "birthday",
        "tier",
        "usual_order",
        "location",
        "in_reply_to",
        "recovery_action",
    ]
    for c in cols:
        if c not in allr:
            allr[c] = None
    out = allr[cols].copy()
    out["touchpoint"] = out["touchpoint"].fillna("").replace("", None)
    out["comment"] = out["comment"].replace("", None)
    return out, key_map


_VISIT_ATTRIBUTES = ("customer_name", "email", "birthday", "tier", "usual_order", "location")


def store_simulation(sim: Simulation, store: Any, *, detect: bool = True, progress: bool = False) -> dict[str, Any]:
    """Put a simulation into a store: interactions through :func:`carlzon.ingest.ingest`, the
    visit records as ``visit`` rows, and the event log (steps, for path discovery) as ``event``
    rows with the raw step name as touchpoint; visits and events get no moment.

    Returns ``{"ingest": IngestResult, "visits": n, "events": n}``; every row is stored with source
    :data:`DEMO_SOURCE`. Storing the same simulation again adds nothing.

    >>> from carlzon.store import open_store
    >>> sim = simulate("coffee_shop", seed=2, customers=100, days=35)
    >>> with open_store(":memory:") as st:                          # doctest: +SKIP
    ...     out = store_simulation(sim, st)
    """
    from carlzon.ingest import ingest

    inter = sim.interactions
    is_visit = (inter["channel"] == "visit").to_numpy()
    result = ingest(
        inter[~is_visit].reset_index(drop=True),
        store,
        journey=sim.journey,
        source=DEMO_SOURCE,
        detect=detect,
        progress=progress,
    )
    v = inter[is_visit]
    attrs = v[list(_VISIT_ATTRIBUTES)].astype(object).where(v[list(_VISIT_ATTRIBUTES)].notna(), None)
    attrs["birthday"] = [str(b) if b is not None else None for b in attrs["birthday"]]
    frame = pd.DataFrame(
        {
            "id": v["response_id"].to_numpy(),
            "customer_id": v["customer_id"].to_numpy(),
            "timestamp": v["created_at"].to_numpy(),
            "channel": "visit",
            "source": DEMO_SOURCE,
            "ratings": "{}",
            "measures": "{}",
            "attributes": [json.dumps(r, ensure_ascii=False) for r in attrs.to_dict("records")],
        }
    )
    stored, _ = store.add_interactions(frame) if len(frame) else (0, 0)
    ev = sim.events
    events = pd.DataFrame(
        {
            "id": [f"ev-{c}-{t.value}-{k}" for c, t, k in zip(ev["customer_id"], ev["timestamp"], ev["step"])],
            "customer_id": ev["customer_id"].to_numpy(),
            "timestamp": ev["timestamp"].to_numpy(),
            "channel": "event",
            "source": DEMO_SOURCE,
            "touchpoint": ev["step"].to_numpy(),
            "ratings": "{}",
            "measures": "{}",
            "attributes": "{}",
        }
    )
    n_events, _ = store.add_interactions(events) if len(events) else (0, 0)
    return {"ingest": result, "visits": int(stored), "events": int(n_events)}
