"""Moments: the mentions and ratings of one (interaction, touchpoint) merged into one row.

:class:`~carlzon.detect.detector.Detector` first reads each interaction as a whole (its
overall valence and score: the rating where it has one, else the whole text; see the
detector's docstring). This module then makes the moments:

- **text**: the interaction's mentions (:mod:`carlzon.detect.mentions`) grouped by touchpoint;
  the moment's text score is the scorer's normalisation of the summed mentions
  (``S / sqrt(S^2 + 15)`` over their unnormalised sums), its intensity and stakes the largest of
  its mentions', its spans and text evidence strongest first, its aspect that of its strongest
  mention with one (:mod:`carlzon.detect.aspects`);
- **rating**: each rated item the journey places at a touchpoint
  (:func:`~carlzon.detect.ratings.rate_items`);
- **text+rating**: both at one touchpoint combine by the detector's rule (a rating beyond a
  threshold decides; with a middling rating the text decides when ``|score| >= 0.3``; the score
  is ``0.7 * decider + 0.3 * other``); a text that reads the other way is kept in the evidence;
- **measure**: a missed expectation at a touchpoint makes its moment a misery unless a rating
  decided there, or is a moment of its own (basis ``measure``).

An interaction with none of these (no touchpoint named or rated; or a ``touchpoint`` given
by the source, which then decides) keeps its one whole-interaction moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from carlzon.detect.aspects import aspect_of
from carlzon.detect.mentions import find_mentions, normalise, raw_sum
from carlzon.detect.ratings import rate_items
from carlzon.schema import Evidence

__all__ = ["build_moments"]

TEXT_THRESHOLD = 0.05
PASSIVE_TEXT_THRESHOLD = 0.3
MOT_INTENSITY = 0.7
TOUCHPOINT_STAKES_CONFIDENCE = 0.5
_STAKES = np.array(["low", "medium", "high"], dtype=object)


def _band(score: np.ndarray, valence: np.ndarray) -> np.ndarray:
    out = score.copy()
    mag, mis = valence == "magic", valence == "misery"
    neu = ~mag & ~mis
    out[mag] = np.clip(out[mag], 0.05, 1.0)
    out[mis] = np.clip(out[mis], -1.0, -0.05)
    out[neu] = np.clip(out[neu], -0.3, 0.3)
    return np.round(out, 4)


def build_moments(
    det: Any, df: pd.DataFrame, base: pd.DataFrame, base_ev: Sequence[list[Evidence]], ctx: dict[str, Any]
) -> tuple[pd.DataFrame, list[list[Evidence]]]:
    """Moment rows (without reasons / evidence JSON) and each row's evidence, from the whole-interaction pass."""
    n = len(base)
    texts: list[str | None] = ctx["texts"]
    method = ctx["method"]
    explicit = method == "column"
    ex = ctx["ex"]
    names = det.matcher.names
    tp_stakes = det._tp_stakes

    # -- text: mentions, exploded by touchpoint, grouped by (row, touchpoint)
    ment = find_mentions(
        [None if explicit[i] else t for i, t in enumerate(texts)],
        det.matcher,
        det.scorer,
        touchpoint_model=getattr(det, "touchpoint_model", None),
    )
    m_aspect = aspect_of([texts[r][s:e] for r, s, e in zip(ment.row.tolist(), ment.start.tolist(), ment.end.tolist())])
    lens = np.fromiter((len(t) for t in ment.touchpoints), dtype=np.int64, count=len(ment))
    k_of = np.repeat(np.arange(len(ment)), lens)
    x_row = ment.row[k_of]
    x_tp = np.array([t for ts in ment.touchpoints for t in ts], dtype=object)
    x_conf = np.array([c for cs in ment.confidence for c in cs], dtype="float64")
    x_S = raw_sum(ment.score[k_of])
    keys: dict[tuple[int, str], int] = {}
    t_members: list[list[int]] = []
    order = np.lexsort((-np.abs(x_S), x_row)) if len(x_row) else np.zeros(0, dtype=np.int64)
    for j in order.tolist():
        key = (int(x_row[j]), x_tp[j])
        g = keys.get(key)
        if g is None:
            keys[key] = len(t_members)
            t_members.append([j])
        else:
            t_members[g].append(j)
    items = rate_items(df, det.journey, det.journey.thresholds if det.journey else None, det.rating_scales)
    r_at: dict[tuple[int, str], int] = {}
    base_tp = base["touchpoint"].tolist()
    for q, (r, tp) in enumerate(zip(items.row.tolist(), items.touchpoint.tolist())):
        if explicit[r] and tp == base_tp[r]:
            continue  # the source's own touchpoint keeps its whole-interaction moment
        r_at[(r, tp)] = q
        if (r, tp) not in keys:
            keys[(r, tp)] = len(t_members)
            t_members.append([])
    # a missed expectation at a touchpoint of its own (rows that already have moments)
    has_keys = np.zeros(n, dtype=bool)
    for r, _ in keys:
        has_keys[r] = True
    ex_tp = np.asarray(ex.touchpoint, dtype=object)
    e_at: dict[tuple[int, str], int] = {}
    for r in np.flatnonzero(has_keys & ~explicit & np.asarray(ex.missed, dtype=bool)).tolist():
        tp = ex_tp[r]
        if tp is None:
            continue
        e_at[(r, tp)] = r
        if (r, tp) not in keys:
            keys[(r, tp)] = len(t_members)
            t_members.append([])

    K = len(keys)
    k_row = np.fromiter((r for r, _ in keys), dtype=np.int64, count=K)
    k_tp = np.array([tp for _, tp in keys], dtype=object)
    # text part
    has_t = np.array([bool(m) for m in t_members], dtype=bool)
    # per group, from plain lists (a group has one or two members, mostly); sums of three or more stay numpy's
    x_S_l, x_conf_l = x_S.tolist(), x_conf.tolist()
    x_int_l, x_stk_l = ment.intensity[k_of].tolist(), ment.stakes[k_of].tolist()
    S = np.array(
        [
            (x_S_l[m[0]] if len(m) == 1 else x_S_l[m[0]] + x_S_l[m[1]] if len(m) == 2 else float(x_S[m].sum()))
            if m
            else 0.0
            for m in t_members
        ]
    )
    t_score = np.where(has_t, normalise(S), np.nan)
    t_int = np.array([max(x_int_l[j] for j in m) if m else 0.0 for m in t_members])
    t_stk = np.array([max(x_stk_l[j] for j in m) if m else 0 for m in t_members], dtype=np.int64)
    t_conf = np.array([max(x_conf_l[j] for j in m) if m else 0.0 for m in t_members])
    t_val = np.where(
        has_t & (t_score >= TEXT_THRESHOLD),
        "magic",
        np.where(has_t & (t_score <= -TEXT_THRESHOLD), "misery", "neutral"),
    ).astype(object)
    # rating part
    rq = np.array([r_at.get(k, -1) for k in keys], dtype=np.int64)
    has_r = rq >= 0
    r_score = np.where(has_r, items.score[np.maximum(rq, 0)] if len(items.score) else 0.0, np.nan)
    r_val = np.where(has_r, items.valence[np.maximum(rq, 0)] if len(items.valence) else "neutral", "neutral").astype(
        object
    )
    r_dec = has_r & (r_val != "neutral")
    # expectation part
    has_e = np.array([k in e_at for k in keys], dtype=bool)
    e_score = np.where(has_e, np.asarray(ex.score, dtype="float64")[k_row], np.nan)

    valence = np.full(K, "neutral", dtype=object)
    dec = np.full(K, "none", dtype=object)
    valence[r_dec], dec[r_dec] = r_val[r_dec], "rating"
    t_dec = (t_val != "neutral") & (dec == "none")
    strong = t_dec & (~has_r | (np.abs(np.nan_to_num(t_score)) >= PASSIVE_TEXT_THRESHOLD))
    valence[strong], dec[strong] = t_val[strong], "text"
    e_dec = has_e & (dec == "none")
    valence[e_dec], dec[e_dec] = "misery", "expectation"
    dec[(dec == "none") & has_r] = "rating"
    dec[(dec == "none") & has_t] = "text"
    comps = np.vstack([r_score, t_score, e_score])
    pick = np.select([dec == "rating", dec == "text", dec == "expectation"], [0, 1, 2], default=0)
    cols = np.arange(K)
    d_score = np.nan_to_num(comps[pick, cols])
    others = comps.copy()
    others[pick, cols] = np.nan
    cnt = (~np.isnan(others)).sum(axis=0)
    o_mean = np.where(cnt > 0, np.nansum(others, axis=0) / np.maximum(cnt, 1), np.nan)
    score = _band(np.where(np.isnan(o_mean), d_score, 0.7 * d_score + 0.3 * o_mean), valence)

    r_int = np.where(r_dec, 0.6 * np.abs(np.nan_to_num(r_score)), 0.0)
    e_int = np.where(has_e, np.asarray(ex.intensity, dtype="float64")[k_row], 0.0)
    intensity = np.maximum.reduce([t_int, r_int, e_int])
    conf = np.where(has_r | has_e, 1.0, t_conf)
    tp_level = np.array([tp_stakes.get(t, 0) for t in k_tp], dtype=np.int64)
    stakes = np.where(
        (valence == "misery") & (conf >= TOUCHPOINT_STAKES_CONFIDENCE), np.maximum(t_stk, tp_level), t_stk
    )
    badly = has_e & np.asarray(ex.badly_missed, dtype=bool)[k_row]
    stakes = np.where(badly, np.maximum(stakes, 1), stakes)
    intensity = np.where(stakes == 2, np.maximum(0.6, 1 - 0.6 * (1 - intensity)), intensity)
    intensity = np.where(stakes == 1, 1 - 0.85 * (1 - intensity), intensity)
    intensity = np.round(np.clip(intensity, 0.0, 1.0), 4)
    mot = (stakes == 2) | ((valence != "neutral") & (intensity >= MOT_INTENSITY)) | badly
    basis = np.where(
        has_t & has_r, "text+rating", np.where(has_r, "rating", np.where(has_t, "text", "measure"))
    ).astype(object)

    # an interaction whose text speaks of one touchpoint (and rates none): that moment is the whole
    # interaction's (its rating, else its whole text, and a trained model when given, decide)
    per_row = np.bincount(k_row, minlength=n) if K else np.zeros(n, dtype=np.int64)
    whole_one = has_t & ~has_r & ~has_e & (per_row[k_row] == 1)
    if whole_one.any():
        w, r = np.flatnonzero(whole_one), k_row[whole_one]
        for col, arr in (("valence", valence), ("score", score), ("intensity", intensity), ("moment_of_truth", mot)):
            arr[w] = base[col].to_numpy()[r]
        stakes[w] = np.array(
            [{"low": 0, "medium": 1, "high": 2}[s] for s in base["stakes"].to_numpy()[r]], dtype=np.int64
        )
        basis[w] = np.where(ctx["has_rating"][r], "text+rating", "text")

    # order: by interaction, strongest first; spans, aspects and evidence
    strength = np.abs(score) + 0.001 * intensity
    korder = np.lexsort((-strength, k_row)) if K else np.zeros(0, dtype=np.int64)
    spans: list[list[list[int]]] = []
    aspects: list[str | None] = []
    evidence: list[list[Evidence]] = []
    # plain lists: the loop below reads single items, which numpy serves slowly
    k_of_l, m_start_l, m_end_l = k_of.tolist(), ment.start.tolist(), ment.end.tolist()
    whole_one_l, k_row_l, rq_l = whole_one.tolist(), k_row.tolist(), rq.tolist()
    for g in korder.tolist():
        mem = t_members[g]
        ks = [k_of_l[j] for j in mem]
        sp = [[m_start_l[k], m_end_l[k]] for k in ks]
        spans.append(sp)
        aspects.append(next((m_aspect[k] for k in ks if m_aspect[k] is not None), None))
        ev: list[Evidence] = []
        whole_g = whole_one_l[g]
        if whole_g:
            text = texts[k_row_l[g]] or ""
            for e in base_ev.whole_one(k_row_l[g]) if hasattr(base_ev, "whole_one") else base_ev[k_row_l[g]]:
                if (e.rule == "touchpoint" and not e.text.startswith("learned:")) or (
                    e.rule == "stakes" and e.text.startswith("high stakes:")
                ):
                    continue
                if e.phrase and e.span is None and e.rule not in ("rating", "language"):
                    at = text.lower().find(e.phrase.lower())
                    if at >= 0:
                        e = _copy(e)
                        e.span = [at, at + len(e.phrase or "")]
                ev.append(e)
            if stakes[g] == 2 and t_stk[g] < 2:
                ev.append(
                    Evidence(rule="stakes", text=f"high stakes: misery at {names.get(k_tp[g], k_tp[g])}", value="high")
                )
        q = rq_l[g]
        if q >= 0:
            ev.extend(items.evidence[q])
            if r_dec[g] and t_val[g] != "neutral" and t_val[g] != r_val[g]:
                ph = texts[k_row[g]][sp[0][0] : sp[0][1]] if sp else ""
                ev.append(
                    Evidence(
                        rule="contrast",
                        text=f"{items.evidence[q][0].text.split(' (')[0]} but the text "
                        f'reads as {t_val[g]} ("{_short(ph)}")',
                        value=str(t_val[g]),
                        weight=round(float(t_score[g]), 3),
                        span=sp[0] if sp else None,
                    )
                )
        for k in ks[:3] if not whole_g else ():
            ev.extend(ment.evidence(k, limit=3))
        if ks:
            words = [w for k in ks for w in ment.words[k]]
            tp = k_tp[g]
            quoted = ", ".join(_quote(w) for w in dict.fromkeys(words)) if words else "the previous sentence"
            ev.append(
                Evidence(
                    rule="touchpoint",
                    text=f"{quoted} points to {names.get(tp, tp)}",
                    phrase=words[0].split(" (")[0] if words else None,
                    value=tp,
                    weight=round(float(t_conf[g]), 2),
                    span=sp[0],
                )
            )
        if has_e[g]:
            ev.extend(ex.evidence(k_row_l[g]))
        if stakes[g] == 2 and t_stk[g] < 2 and not whole_g:
            why = "expectation badly missed" if tp_level[g] < 2 else f"misery at {names.get(k_tp[g], k_tp[g])}"
            ev.append(Evidence(rule="stakes", text=f"high stakes: {why}", value="high"))
        evidence.append(ev)

    moments = pd.DataFrame(
        {
            "row": k_row[korder],
            "touchpoint": k_tp[korder].astype(str),
            "touchpoint_confidence": np.round(conf[korder], 4),
            "valence": valence[korder].astype(str),
            "score": score[korder],
            "intensity": intensity[korder],
            "stakes": _STAKES[stakes[korder]],
            "moment_of_truth": mot[korder].astype(bool),
            "aspect": pd.array(aspects, dtype="string"),
            "spans": spans,
            "basis": basis[korder].astype(str),
        }
    )

    # interactions without moments keep their whole-interaction one
    rest = np.flatnonzero(~np.isin(np.arange(n), k_row) | explicit)
    by_row: dict[int, list[int]] = {}
    for k, r in enumerate(ment.row.tolist()):
        by_row.setdefault(r, []).append(k)
    b_spans, b_aspects = [], []
    m_score_l, m_stakes_l = ment.score.tolist(), ment.stakes.tolist()
    for r in rest.tolist():
        ks = sorted(
            (k for k in by_row.get(r, ()) if m_score_l[k] != 0 or m_stakes_l[k] > 0),
            key=lambda k: -abs(m_score_l[k]),
        )
        t = texts[r]
        b_spans.append([[m_start_l[k], m_end_l[k]] for k in ks] or ([[0, len(t)]] if t else []))
        b_aspects.append(next((m_aspect[k] for k in ks if m_aspect[k] is not None), None))
    has_rating = ctx["has_rating"][rest]
    has_text = ctx["has_text"][rest]
    whole = base.iloc[rest][
        ["touchpoint", "touchpoint_confidence", "valence", "score", "intensity", "stakes", "moment_of_truth"]
    ].reset_index(drop=True)
    whole.insert(0, "row", rest)
    whole["aspect"] = pd.array(b_aspects, dtype="string")
    whole["spans"] = pd.Series(b_spans, index=whole.index, dtype=object)
    whole["basis"] = np.where(
        has_text & has_rating,
        "text+rating",
        np.where(
            has_rating,
            "rating",
            np.where(has_text, "text", np.where(np.asarray(ex.missed, bool)[rest], "measure", "text")),
        ),
    )
    allm = pd.concat([moments, whole], ignore_index=True)
    all_ev = evidence + [base_ev[r] for r in rest.tolist()]
    pos = np.argsort(allm["row"].to_numpy(), kind="stable")
    allm = allm.iloc[pos].reset_index(drop=True)
    return allm, [all_ev[p] for p in pos.tolist()]


def _copy(e: Evidence) -> Evidence:
    """``copy.copy(e)``, without its generic machinery."""
    c = object.__new__(Evidence)
    c.__dict__.update(e.__dict__)
    return c


def _quote(word: str) -> str:
    """'on hold for (hold)' -> '"on hold for" (hold)'; a plain word in quotes."""
    if word.endswith(")") and " (" in word:
        w, _, label = word.rpartition(" (")
        return f'"{w}" ({label}'
    return f'"{word}"'


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
