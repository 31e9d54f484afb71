"""What the panel customers' visits leave behind: visit records, surveys, reviews,
complaints, recovery follow-ups, and the event log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carlzon.journey import Journey
from carlzon.simulate import _text
from carlzon.simulate._text import pick
from carlzon.simulate._drivers import DriverModel

P_REVIEW = 0.10
P_COMMENT = 0.7
P_DISAGREE = 0.04
P_SARCASM = 0.02
RECOVERY_ACTIONS = ("support_reply", "goodwill_gesture", "follow_up")
COMPLAINT_CHANNELS = ("ticket", "chat", "social", "email")
_COMPLAINT_CUM = np.cumsum([0.4, 0.25, 0.2, 0.15])[:-1]
_STARS_CUM = np.cumsum([0.25, 0.45, 0.3])[:-1]


def measure_value(tp, rng: np.random.Generator, *, met: bool) -> float:
    e = tp.expectation
    if e.op in ("<=", "<"):
        v = e.bound * rng.uniform(0.1, 0.9) if met else e.bound * rng.uniform(1.6, 6.0) + 1
    else:
        v = e.bound * rng.uniform(1.02, 1.5) if met else e.bound * rng.uniform(0.2, 0.7)
    return round(float(v), 1 if e.bound < 5 else 0)


def _fill_for(tp, value: float | None, text: str, rng: np.random.Generator) -> str:
    if value is None or tp.expectation is None:
        return _text.fill(text, rng)
    if "delay" in tp.expectation.measure:
        return _text.fill(text, rng, delay=value)
    return _text.fill(text, rng, wait=value)


def panel_rows(
    journey: Journey,
    model: DriverModel,
    rng: np.random.Generator,
    visits: pd.DataFrame,
    start: pd.Timestamp,
    today: pd.Timestamp,
) -> tuple[list[dict], pd.DataFrame]:
    """Interaction records (dicts with a temporary key 'k', times in days since start) and the wide survey frame."""
    tps = journey.touchpoints
    gestures = (journey.playbook or {}).get("gestures", {}) if isinstance(journey.playbook, dict) else {}
    rows: list[dict] = []
    key = 0
    sv = visits[visits["survey"]].copy()
    ratings = model.ratings(rng, sv["misery_tp"].to_numpy(), sv["magic_tp"].to_numpy())
    out = model.outcomes(rng, ratings)
    sv_index = {v: i for i, v in enumerate(sv.index)}
    at = {tid: i for i, tid in enumerate(model.touchpoints)}  # a rating's column in model.ratings
    items = [(at[tp.id], tp.survey_items[0]) for tp in tps if tp.survey_items and tp.id in at]
    survey_rows = []
    end = float((today - start) / pd.Timedelta(days=1))
    for vi, v in zip(visits.index, visits.to_dict("records")):
        ts = float(v["tday"])
        base = {"customer": v["customer"], "location": v["location"]}
        rows.append({**base, "k": key, "created_at": ts, "channel": "visit"})
        key += 1
        mis, mag = int(v["misery_tp"]), int(v["magic_tp"])
        mtp = tps[mis] if mis >= 0 else None
        mvalue = measure_value(mtp, rng, met=False) if mtp is not None and mtp.expectation else None
        report_key = None
        if vi in sv_index:
            i = sv_index[vi]
            when = ts + float(rng.uniform(2, 72)) / 24
            if when < end:
                nps, csat, overall = float(out["nps"][i]), float(out["csat"][i]), float(out["overall"][i])
                comment = (
                    _survey_comment(tps, ratings[i], mis, mag, nps, mvalue, rng)
                    if rng.random() < P_COMMENT or mis >= 0
                    else ""
                )
                row = {
                    **base,
                    "k": key,
                    "created_at": when,
                    "channel": "survey",
                    "comment": comment,
                    "nps": nps,
                    "csat": csat,
                }
                about = mis if mis >= 0 else mag
                if about >= 0 and rng.random() < 0.6:
                    row["touchpoint"] = tps[about].id
                if mvalue is not None and mtp is not None and mtp.expectation:
                    row[mtp.expectation.measure] = mvalue
                elif rng.random() < 0.4:
                    etps = [(t, t.expectation) for t in tps if t.expectation]
                    if etps:
                        t, expectation = etps[int(rng.integers(len(etps)))]
                        row[expectation.measure] = measure_value(t, rng, met=True)
                r = ratings[i].astype(float)
                r[rng.random(len(r)) < model.na_rates] = np.nan
                # the touchpoint ratings, under the journey's survey item names, as a survey export has them
                for ti, item in items:
                    if not np.isnan(r[ti]):
                        row[item] = r[ti]
                rows.append(row)
                report_key = key
                key += 1
                survey_rows.append(
                    {
                        "k": report_key,
                        "customer": v["customer"],
                        "timestamp": when,
                        **dict(zip(model.touchpoints, r)),
                        "overall": overall,
                        "satisfied": int(out["satisfied"][i]),
                        "nps": nps,
                        "csat": csat,
                    }
                )
        if v["complaint"] and mtp is not None:  # a complaint is about the visit's misery
            when = ts + float(rng.uniform(1, 48)) / 24
            if when < end:
                core = _fill_for(mtp, mvalue, _text.phrase(mtp, False, rng), rng)
                text = pick(rng, _text.COMPLAINT_OPEN) + _text.sentence(core, False, rng)
                row = {
                    **base,
                    "k": key,
                    "created_at": when,
                    "channel": COMPLAINT_CHANNELS[int(np.searchsorted(_COMPLAINT_CUM, rng.random()))],
                    "comment": text,
                }
                if rng.random() < 0.5:
                    row["touchpoint"] = mtp.id
                if mvalue is not None and mtp.expectation:
                    row[mtp.expectation.measure] = mvalue
                rows.append(row)
                report_key = key
                key += 1
        if rng.random() < P_REVIEW:
            when = ts + float(rng.uniform(3, 120)) / 24
            if when < end:
                pos: bool | None
                if mis >= 0 and mtp is not None:
                    stars, core, pos = (
                        float(rng.integers(1, 3)),
                        _fill_for(mtp, mvalue, _text.phrase(mtp, False, rng), rng),
                        False,
                    )
                elif mag >= 0:
                    stars, core, pos = 5.0, _text.phrase(tps[mag], True, rng), True
                else:
                    stars = float(3 + np.searchsorted(_STARS_CUM, rng.random()))
                    t = tps[int(rng.integers(len(tps)))]
                    core, pos = (_text.phrase(t, True, rng), True) if stars >= 4 else (_text.neutral(t, rng), None)
                rows.append(
                    {
                        **base,
                        "k": key,
                        "created_at": when,
                        "channel": "review",
                        "stars": stars,
                        "comment": _text.sentence(core, pos, rng),
                    }
                )
                key += 1
        if mtp is not None and report_key is not None:
            when = ts + float(rng.uniform(60, 120)) / 24
            what = _text.touchpoint_word(mtp)
            if v["recovered"] and when < end:
                gesture = str(gestures.get(mtp.stakes, "a voucher"))
                text = pick(rng, _text.RECOVERY_REPLY).format(what=what, gesture=gesture)
                rows.append(
                    {
                        **base,
                        "k": key,
                        "created_at": when,
                        "channel": "ticket",
                        "comment": text,
                        "csat": float(rng.integers(4, 6)),
                        "touchpoint": mtp.id,
                        "in_reply_to": report_key,
                        "recovery_action": pick(rng, RECOVERY_ACTIONS),
                    }
                )
                key += 1
            elif not v["recovered"] and rng.random() < 0.5 and when < end:
                text = pick(rng, _text.UNRECOVERED_REPLY).format(what=what)
                rows.append(
                    {
                        **base,
                        "k": key,
                        "created_at": when,
                        "channel": "ticket",
                        "comment": text,
                        "csat": float(rng.integers(1, 3)),
                        "touchpoint": mtp.id,
                        "in_reply_to": report_key,
                    }
                )
                key += 1
    return rows, pd.DataFrame(survey_rows)


def _survey_comment(tps, ratings: np.ndarray, mis: int, mag: int, nps: float, mvalue, rng: np.random.Generator) -> str:
    if mis >= 0:
        core, pos = _fill_for(tps[mis], mvalue, _text.phrase(tps[mis], False, rng), rng), False
    elif mag >= 0:
        core, pos = _text.phrase(tps[mag], True, rng), True
    elif nps >= 9:
        best = np.flatnonzero(ratings == ratings.max())
        core, pos = _text.phrase(tps[int(best[rng.integers(len(best))])], True, rng), True
    elif nps <= 6:
        worst = np.flatnonzero(ratings == ratings.min())
        core, pos = _text.fill(_text.phrase(tps[int(worst[rng.integers(len(worst))])], False, rng), rng), False
    else:
        t = tps[int(rng.integers(len(tps)))]
        core, pos = _text.neutral(t, rng), None
    u = rng.random()
    if pos is False and u < P_SARCASM:
        return _text.fill(pick(rng, _text.SARCASM), rng)
    if pos is not None and u > 1 - P_DISAGREE:
        # the text says the opposite of the rating, as real comments sometimes do
        t = tps[int(rng.integers(len(tps)))]
        core, pos = _text.fill(_text.phrase(t, not pos, rng), rng), not pos
    return _text.sentence(core, pos, rng)


UNMAPPED_STEPS = ("app_crash_screen", "session_timeout")
_RARE = ("complaint", "cancel", "lost", "fraud", "outage", "support", "refund", "return", "closing", "disruption")


def raw_step_names(journey: Journey) -> dict[str, str]:
    """The raw step name an event log uses for each touchpoint: mostly its id, some its name."""
    return {tp.id: (tp.name if i % 4 == 1 else tp.id) for i, tp in enumerate(journey.touchpoints)}


def event_log(
    journey: Journey,
    rng: np.random.Generator,
    visits: pd.DataFrame,
    n_customers: int,
    start: pd.Timestamp,
    today: pd.Timestamp,
    customer_ids: np.ndarray,
) -> pd.DataFrame:
    """Steps of each visit (a trip in journey order) and of browsing sessions that drop off."""
    tps = journey.touchpoints
    names = raw_step_names(journey)
    labels = [names[tp.id] for tp in tps] + list(UNMAPPED_STEPS)
    crash, timeout = len(tps), len(tps) + 1
    rare = np.array([tp.phase == "ultimate" or any(w in tp.id for w in _RARE) for tp in tps])
    early = np.array([tp.phase in ("zero", "first") for tp in tps])
    cust: list[int] = []
    step: list[int] = []
    when: list[float] = []
    minute = 1 / 1440
    nv = len(visits)
    incl_all = np.where(rare, rng.random((nv, len(tps))) < 0.1, rng.random((nv, len(tps))) < 0.9)
    gaps = rng.exponential(15, size=(nv, len(tps))) + 1
    drop = rng.random((nv, len(tps))) < 0.01
    crashes = rng.random((nv, len(tps))) < 0.03
    lead = rng.uniform(0.5, 3, size=nv) / 24
    for r, (c, day, mis) in enumerate(
        zip(visits["customer"].to_numpy(), visits["tday"].to_numpy(), visits["misery_tp"].to_numpy())
    ):
        include = incl_all[r]
        if mis >= 0:
            include[mis] = True
        t = day - lead[r]
        for i in np.flatnonzero(include):
            if drop[r, i]:
                cust.append(c)
                step.append(timeout)
                when.append(t)  # noqa: E702
                break
            cust.append(c)
            step.append(int(i))
            when.append(t)  # noqa: E702
            if early[i] and crashes[r, i]:
                cust.append(c)
                step.append(crash)
                when.append(t + minute)  # noqa: E702
            t += gaps[r, i] * minute
    # browsing sessions that never became a visit: early steps with drop-off
    early_idx = np.flatnonzero(early)
    n_browse = int(nv * 0.6)
    bc = rng.integers(0, n_customers, size=n_browse)
    bday = rng.uniform(0, max((today - start).days, 1), size=n_browse)
    bgap = rng.exponential(4, size=(n_browse, max(len(early_idx), 1))) + 0.5
    bdrop = rng.random((n_browse, max(len(early_idx), 1))) < 0.35
    btimeout = rng.random(n_browse) < 0.2
    for b, (c, t) in enumerate(zip(bc, bday)):
        for m, i in enumerate(early_idx):
            cust.append(c)
            step.append(int(i))
            when.append(t)  # noqa: E702
            t += bgap[b, m] * minute
            if bdrop[b, m]:
                if btimeout[b]:
                    cust.append(c)
                    step.append(timeout)
                    when.append(t)  # noqa: E702
                break
    ev = pd.DataFrame(
        {
            "customer_id": customer_ids[np.asarray(cust, dtype=int)],
            "step": np.asarray(labels, dtype=object)[np.asarray(step, dtype=int)],
            "day": np.asarray(when, dtype=float),
        }
    )
    ev = ev.sort_values(["day", "customer_id"], kind="stable").reset_index(drop=True)
    ev["timestamp"] = start + pd.to_timedelta(ev.pop("day"), unit="D")
    return ev
