"""The Detector: interactions in, moments out, each with the evidence behind it.

Four signals are read for every row, all vectorised over the batch:

- **ratings** (:mod:`carlzon.detect.ratings`): NPS, CSAT, CES, stars against the journey's thresholds;
- **text** (:mod:`carlzon.detect.text`): the lexicon scorer's score, intensity, stakes and events,
  blended with a trained :class:`~carlzon.detect.model.TextModel` when one is given;
- **expectations** (:mod:`carlzon.detect.expectations`): measures against touchpoint expectations;
- **touchpoint** (:mod:`carlzon.detect.touchpoints`): column, phrases, measure, similarity.

The valence rule (a rating is the customer's own verdict):

1. a rating beyond a threshold decides (NPS 0-6 misery, 9-10 magic, ...); a text that reads
   the other way is kept in the evidence ('rating 5/5 but the text reads as misery ("lost my bag")');
2. with a rating between the thresholds (a passive), the text decides when it is clearly
   magic or misery (``|text score| >= 0.3``), else the moment is neutral;
3. with no rating, the text decides when it reads as magic or misery;
4. otherwise a missed expectation makes it misery; otherwise neutral.

The score is ``0.7 * decider + 0.3 * mean(other signals)`` kept inside the valence's band
(magic ``[0.05, 1]``, misery ``[-1, -0.05]``, neutral ``[-0.3, 0.3]``). Intensity is the
largest of the text's intensity, ``0.6 * |rating score|`` and the expectation's intensity.

Stakes and moments of truth: stakes are the text's stakes (lost card, cancelled flight, a child
involved, ...), raised to the touchpoint's stakes on a moment of misery whose touchpoint is known
with confidence at least 0.5, and to at least medium
when an expectation is badly missed. High stakes lift intensity to ``1 - 0.6 (1 - i)`` (at least 0.6),
medium to ``1 - 0.85 (1 - i)``. A moment is a **moment of truth** when its stakes are high, or its
intensity is at least 0.7 with a magic or misery valence, or an expectation is badly missed
(at least twice the promise away).

Example:
    >>> import pandas as pd
    >>> det = Detector("airline")
    >>> m = det.detect(pd.DataFrame({"id": ["a"], "text": ["They lost my bag"], "stars": [1]}))
    >>> m.loc[0, "valence"], m.loc[0, "touchpoint"], bool(m.loc[0, "moment_of_truth"])
    ('misery', 'baggage_claim', True)
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carlzon.detect.expectations import judge
from carlzon.detect.ratings import rate
from carlzon.detect.touchpoints import TouchpointMatcher, TouchpointResult
from carlzon.errors import DetectError
from carlzon.journey import Journey, load_journey
from carlzon.schema import MOMENT_COLUMNS, Evidence, Interaction, Moment

__all__ = ["TEXT_THRESHOLD", "Detector"]

TEXT_THRESHOLD = 0.05
"""A text score at or above this is magic, at or below minus this is misery (without a trained model)."""

PASSIVE_TEXT_THRESHOLD = 0.3
MOT_INTENSITY = 0.7
TOUCHPOINT_STAKES_CONFIDENCE = 0.5
_STAKES = np.array(["low", "medium", "high"], dtype=object)
_LEVEL = {"low": 0, "medium": 1, "high": 2}
_JSON = json.JSONEncoder(ensure_ascii=False)


def _texts(df: pd.DataFrame) -> list[str | None]:
    if "text" not in df.columns:
        return [None] * len(df)
    return [t if isinstance(t, str) and t.strip() else None for t in df["text"].tolist()]


def _unread(
    texts: list[str | None], df: pd.DataFrame, languages: Any = None
) -> tuple[list[str | None], dict[int, str]]:
    """Texts in a language the scorer does not read (``df["language"]``, see :mod:`carlzon.language`) are
    treated as absent (the row's ratings decide); returns the texts and row -> language of those not read."""
    from carlzon.language import READ_LANGUAGES

    if "language" not in df.columns:
        return texts, {}
    read = set(languages or READ_LANGUAGES)
    not_read = {
        i: str(lang)
        for i, (t, lang) in enumerate(zip(texts, df["language"].tolist()))
        if t is not None and isinstance(lang, str) and lang and lang not in read
    }
    return [None if i in not_read else t for i, t in enumerate(texts)], not_read


def _plain(e: Evidence) -> dict[str, Any]:
    """``e.to_dict()`` without dataclasses.asdict's deep copy (the same keys and values)."""
    return {k: v for k, v in e.__dict__.items() if v is not None}


def _band(score: np.ndarray, valence: np.ndarray) -> np.ndarray:
    out = score.copy()
    mag, mis = valence == "magic", valence == "misery"
    neu = ~mag & ~mis
    out[mag] = np.clip(out[mag], 0.05, 1.0)
    out[mis] = np.clip(out[mis], -1.0, -0.05)
    out[neu] = np.clip(out[neu], -0.3, 0.3)
    return np.round(out, 4)


class _LazyEvidence(Sequence[list[Evidence]]):
    """Each row's evidence, built on first read and kept (most rows' whole-interaction evidence is never read)."""

    def __init__(self, n: int, build: Callable[[int, bool], list[Evidence]]) -> None:
        self._n, self._build = n, build
        self._done: dict[int, list[Evidence]] = {}

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        got = self._done.get(i)
        if got is None:
            got = self._done[i] = self._build(i, True)
        return got

    def whole_one(self, i: int) -> list[Evidence]:
        """Row ``i``'s evidence for its one moment: the phrase step's touchpoint reasons (which that moment
        states again) are not built; other touchpoint reasons are."""
        got = self._done.get(i)
        return got if got is not None else self._build(i, False)


class Detector:
    """Turn interactions into moments: valence, score, intensity, touchpoint, stakes, evidence.

    Args:
        journey: a Journey, a template name ("airline") or a YAML path; None for no touchpoints
            and the default rating thresholds.
        model: a trained :class:`~carlzon.detect.model.TextModel` or the path of a file saved by
            ``carlzon train`` (valence, touchpoints or both); None for the lexicon alone.
        touchpoint_min_confidence: below this a moment's touchpoint is 'unknown'.
        scorer: the text scorer (default: :class:`carlzon.detect.text.TextScorer`).
        rating_scales: the scale of rated items in ``ratings`` (``{"Seat comfort": (1, 5), "*": (0, 10)}``);
            items not named are read from the batch (see :func:`carlzon.detect.ratings.rate_items`).
        touchpoint_model: a :class:`~carlzon.detect.learn.TouchpointModel` (learned from labels); its
            calibrated answer replaces the phrase chain's for texts and for each mention (not for a
            touchpoint column or measure).
        aspect_model: a :class:`~carlzon.detect.learn_aspects.AspectModel`; each mention's aspect is its
            calibrated answer where it is sure (``touchpoint_min_confidence``), else the aspect words'.

    >>> from carlzon.schema import Interaction
    >>> Detector().detect_one(Interaction(id="x", nps=10)).valence
    'magic'
    """

    def __init__(
        self,
        journey: Journey | str | Path | None = None,
        *,
        model: Any = None,
        touchpoint_min_confidence: float = 0.35,
        learn_touchpoints: bool = False,
        scorer: Any = None,
        rating_scales: dict[str, tuple[float, float]] | None = None,
        touchpoint_model: Any = None,
        aspect_model: Any = None,
    ) -> None:
        if not 0.0 <= float(touchpoint_min_confidence) <= 1.0:
            raise DetectError(
                f"touchpoint_min_confidence {touchpoint_min_confidence} is outside [0, 1]",
                fix="use a value such as 0.35",
            )
        self.journey = load_journey(journey) if journey is not None else None
        self.touchpoint_min_confidence = float(touchpoint_min_confidence)
        self.rating_scales = dict(rating_scales or {})
        # learn_touchpoints: weak supervision from the batch's own sure matches (see
        # carlzon.detect.touchpoints); off by default so that a row's moment never depends on
        # the batch it came in (ingest, `carlzon detect` and Spark give the same answer).
        self.matcher = TouchpointMatcher(
            self.journey, min_confidence=self.touchpoint_min_confidence, learn=learn_touchpoints
        )
        if scorer is None:
            from carlzon.detect.text import TextScorer

            scorer = TextScorer(industry=self.journey.industry if self.journey else None)  # the industry's own words
        self.scorer = scorer
        if model is not None and not hasattr(model, "predict_proba"):
            from carlzon.detect.bundle import load_bundle  # valence, touchpoint and/or aspect models

            bundle = load_bundle(model)
            model = bundle["text"]
            touchpoint_model = touchpoint_model if touchpoint_model is not None else bundle["touchpoint"]
            aspect_model = aspect_model if aspect_model is not None else bundle["aspect"]
        self.model = model
        self.touchpoint_model = touchpoint_model  # carlzon.detect.learn.TouchpointModel or None
        self.aspect_model = aspect_model  # carlzon.detect.learn_aspects.AspectModel or None
        self._tp_stakes = {tp.id: _LEVEL[tp.stakes] for tp in self.journey.touchpoints} if self.journey else {}

    def __repr__(self) -> str:
        j = self.journey.name if self.journey else None
        return f"Detector(journey={j!r}, model={'yes' if self.model is not None else None})"

    # -- text --------------------------------------------------------------------------------
    def _score_text(self, texts: Sequence[str | None]) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray | None]:
        """Lexicon result, text score, text valence, model probabilities (or None)."""
        res = self.scorer.score(list(texts))
        score = np.asarray(res.score, dtype="float64")
        has = np.array([t is not None for t in texts], dtype=bool)
        valence = np.full(len(texts), "neutral", dtype=object)
        probs = None
        if self.model is not None and has.any():
            idx = np.flatnonzero(has)
            p = self.model.predict_proba([texts[i] for i in idx.tolist()], scored=res, rows=idx)
            classes = list(self.model.classes)
            probs = np.full((len(texts), len(classes)), np.nan)
            probs[idx] = p
            p_mag = p[:, classes.index("magic")] if "magic" in classes else 0.0
            p_mis = p[:, classes.index("misery")] if "misery" in classes else 0.0
            score = score.copy()
            score[idx] = np.clip(p_mag - p_mis, -1, 1)
            valence[idx] = np.asarray(classes, dtype=object)[p.argmax(axis=1)]
        else:
            valence[has & (score >= TEXT_THRESHOLD)] = "magic"
            valence[has & (score <= -TEXT_THRESHOLD)] = "misery"
        score = np.where(has, score, np.nan)
        return res, score, valence, probs

    def score_texts(self, texts: Sequence[str | None]) -> pd.DataFrame:
        """Text alone: score [-1, 1], intensity [0, 1] and valence for each text (model blended in when given).

        >>> Detector().score_texts(["Lost my bag again"]).loc[0, "valence"]
        'misery'
        """
        texts = [t if isinstance(t, str) and t.strip() else None for t in texts]
        res, score, valence, _ = self._score_text(texts)
        inten = np.asarray(res.intensity, dtype="float64")
        return pd.DataFrame({"score": np.nan_to_num(score), "intensity": inten, "valence": valence})

    # -- the batch ---------------------------------------------------------------------------
    def _run(self, df: pd.DataFrame) -> tuple[pd.DataFrame, Sequence[list[Evidence]], dict[str, Any] | None]:
        if not isinstance(df, pd.DataFrame):
            raise DetectError(
                f"expected a DataFrame of interactions, got {type(df).__name__}",
                fix="pass a pandas DataFrame with carlzon.schema.INTERACTION_COLUMNS, or use detect_one()",
            )
        df = df.reset_index(drop=True)
        split = self._foreign_rows(df)
        if split:  # texts in a language with its own lexicon go through a detector with that scorer
            return self._run_by_language(df, split)
        n = len(df)
        texts, not_read = _unread(_texts(df), df, getattr(self.scorer, "languages", None))
        has_text = np.array([t is not None for t in texts], dtype=bool)
        rt = rate(df, self.journey.thresholds if self.journey else None)
        res, t_score, t_val, probs = self._score_text(texts)
        t_int = np.where(has_text, np.asarray(res.intensity, dtype="float64"), 0.0)
        t_stakes = np.array([_LEVEL.get(str(s), 0) for s in res.stakes], dtype=int)
        t_stakes[~has_text] = 0

        explicit = df["touchpoint"].tolist() if "touchpoint" in df.columns else None
        tpr = self.matcher.match(texts, explicit, scores=res)
        sure = (tpr.method == "column") | (
            (tpr.method == "phrase") & (tpr.confidence >= self.touchpoint_min_confidence)
        )
        assigned = np.where(sure, tpr.touchpoint, np.array(None))
        ex = judge(df["measures"].tolist() if "measures" in df.columns else None, self.journey, assigned)
        tpr = self.matcher.finish(tpr, texts, ex.touchpoint)
        if (
            self.touchpoint_model is not None
        ):  # learned touchpoints (carlzon.detect.learn): where a text's touchpoint is decided
            from carlzon.detect.learn import apply_learned

            tpr = apply_learned(
                tpr, self.touchpoint_model, texts, matcher=self.matcher, min_confidence=self.touchpoint_min_confidence
            )

        # valence: ratings first, then text, then expectations
        t_decisive = t_val != "neutral"
        valence = np.full(n, "neutral", dtype=object)
        decider = np.full(n, "none", dtype=object)
        r_dec = rt.decisive
        valence[r_dec], decider[r_dec] = rt.valence[r_dec], "rating"
        passive = rt.has_rating & ~r_dec & t_decisive & (np.abs(np.nan_to_num(t_score)) >= PASSIVE_TEXT_THRESHOLD)
        valence[passive], decider[passive] = t_val[passive], "text"
        free = ~rt.has_rating & t_decisive
        valence[free], decider[free] = t_val[free], "text"
        exp_only = (decider == "none") & ~rt.has_rating & ex.missed
        valence[exp_only], decider[exp_only] = "misery", "expectation"
        decider[(decider == "none") & rt.has_rating] = "rating"
        decider[(decider == "none") & has_text] = "text"

        comps = np.vstack([rt.score, t_score, ex.score])  # rows: rating, text, expectation
        pick = np.select([decider == "rating", decider == "text", decider == "expectation"], [0, 1, 2], default=-1)
        dec_score = np.where(pick >= 0, comps[np.clip(pick, 0, 2), np.arange(n)], 0.0)
        others = comps.copy()
        others[np.clip(pick, 0, 2), np.arange(n)] = np.nan
        others[:, pick < 0] = np.nan
        cnt = (~np.isnan(others)).sum(axis=0)
        other_mean = np.where(cnt > 0, np.nansum(others, axis=0) / np.maximum(cnt, 1), np.nan)
        dec_score = np.nan_to_num(dec_score)
        score = np.where(np.isnan(other_mean), dec_score, 0.7 * dec_score + 0.3 * other_mean)
        score = _band(score, valence)

        # intensity, stakes, moment of truth
        r_int = np.where(r_dec, 0.6 * np.abs(np.nan_to_num(rt.score)), 0.0)
        intensity = np.maximum.reduce([t_int, r_int, ex.intensity])
        tp_level = np.array([self._tp_stakes.get(t, 0) for t in tpr.touchpoint], dtype=int)
        stakes = t_stakes.copy()
        tp_sure = tpr.confidence >= TOUCHPOINT_STAKES_CONFIDENCE
        stakes = np.where((valence == "misery") & tp_sure, np.maximum(stakes, tp_level), stakes)
        stakes = np.where(ex.badly_missed, np.maximum(stakes, 1), stakes)
        intensity = np.where(stakes == 2, np.maximum(0.6, 1 - 0.6 * (1 - intensity)), intensity)
        intensity = np.where(stakes == 1, 1 - 0.85 * (1 - intensity), intensity)
        intensity = np.round(np.clip(intensity, 0.0, 1.0), 4)
        mot = (stakes == 2) | ((valence != "neutral") & (intensity >= MOT_INTENSITY)) | ex.badly_missed

        out = pd.DataFrame(
            {
                "interaction_id": df["id"].astype("string")
                if "id" in df.columns
                else pd.array([str(i) for i in range(n)], dtype="string"),
                "customer_id": df["customer_id"].astype("string")
                if "customer_id" in df.columns
                else pd.array([None] * n, dtype="string"),
                "timestamp": pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
                if "timestamp" in df.columns
                else pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
                "channel": df["channel"].astype("string")
                if "channel" in df.columns
                else pd.array([None] * n, dtype="string"),
                "touchpoint": tpr.touchpoint.astype(str),
                "touchpoint_confidence": np.round(tpr.confidence.astype("float64"), 4),
                "valence": valence.astype(str),
                "score": score,
                "intensity": intensity,
                "stakes": _STAKES[stakes],
                "moment_of_truth": mot.astype(bool),
            }
        )

        # evidence, per row but lean, and built only for the rows that ask for it (build_moments keeps the
        # whole-interaction evidence of a row with one moment or none; the others' is never read)
        classes = list(self.model.classes) if self.model is not None else []

        plain_tpr = type(tpr) is TouchpointResult  # its reasons are all restated by a moment of one touchpoint

        def row_evidence(i: int, with_touchpoint: bool) -> list[Evidence]:
            items: list[Evidence] = rt.evidence(i) if rt.has_rating[i] else []
            if has_text[i]:
                text_items = list(res.evidence(i))
                if probs is not None and not np.isnan(probs[i]).all():
                    k = int(np.nanargmax(probs[i]))
                    text_items.append(
                        Evidence(
                            rule="model",
                            text=f"text model: {classes[k]} {probs[i, k]:.2f}",
                            value=classes[k],
                            weight=round(float(probs[i, k]), 3),
                        )
                    )
                if r_dec[i] and t_decisive[i] and t_val[i] != rt.valence[i]:
                    ph = next((e.phrase for e in text_items if e.phrase), None)
                    quote = f' ("{ph}")' if ph else ""
                    first = items[0].text.split(" (")[0] if items else "the rating"
                    items.append(
                        Evidence(
                            rule="contrast",
                            text=f"{first} but the text reads as {t_val[i]}{quote}",
                            value=str(t_val[i]),
                            weight=round(float(t_score[i]), 3),
                        )
                    )
                items.extend(text_items)
            if i in not_read:
                items.append(Evidence(rule="language", text=f"text not read ({not_read[i]})", value=not_read[i]))
            items.extend(ex.evidence(i))
            if with_touchpoint or not plain_tpr:
                items.extend(tpr.evidence(i))
            if stakes[i] == 2 and t_stakes[i] < 2:
                why = (
                    "expectation badly missed"
                    if tp_level[i] < 2
                    else f"misery at {tpr.names.get(tpr.touchpoint[i], tpr.touchpoint[i])}"
                )
                items.append(Evidence(rule="stakes", text=f"high stakes: {why}", value="high"))
            elif ex.badly_missed[i]:
                items.append(
                    Evidence(rule="stakes", text="moment of truth: expectation badly missed", value=_STAKES[stakes[i]])
                )
            return items

        evidence = _LazyEvidence(n, row_evidence)
        ctx = {
            "texts": texts,
            "method": np.asarray(tpr.method, dtype=object).copy(),
            "ex": ex,
            "has_rating": np.asarray(rt.has_rating, dtype=bool),
            "has_text": has_text,
        }
        return out, evidence, ctx

    def _foreign_rows(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Rows whose language this scorer does not read but an installed lexicon does (language -> rows)."""
        if "language" not in df.columns or not len(df):
            return {}
        from carlzon.detect.foreign import available
        from carlzon.language import READ_LANGUAGES

        read = set(getattr(self.scorer, "languages", None) or READ_LANGUAGES)
        langs = df["language"].astype(object).where(df["language"].notna(), None).to_numpy()
        return {
            str(lang): np.flatnonzero(langs == lang)
            for lang in set(langs) - {None}
            if lang not in read and available(str(lang))
        }

    def _run_by_language(
        self, df: pd.DataFrame, split: dict[str, np.ndarray]
    ) -> tuple[pd.DataFrame, list[list[Evidence]], Any]:
        from carlzon.detect.foreign import foreign_scorer

        taken = np.concatenate(list(split.values()))
        rest = np.setdiff1d(np.arange(len(df)), taken)
        parts = [(rest, self._moment_rows(df.iloc[rest].reset_index(drop=True)) if len(rest) else None)]
        for lang, rows in split.items():
            cache: dict[str, Detector] = self.__dict__.setdefault("_foreign", {})
            det = cache.get(lang)
            if det is None:
                det = Detector(
                    self.journey,
                    touchpoint_min_confidence=self.touchpoint_min_confidence,
                    scorer=foreign_scorer(lang),
                    rating_scales=self.rating_scales,
                )
                cache[lang] = det
            parts.append((rows, det._moment_rows(df.iloc[rows].reset_index(drop=True))))
        order = np.concatenate([rows[res[0]["row"].to_numpy()] for rows, res in parts if res is not None])
        out = pd.concat([res[0] for _, res in parts if res is not None], ignore_index=True)
        out["row"] = order
        evidence = [e for _, res in parts if res is not None for e in res[1]]
        pos = np.argsort(order, kind="stable")
        return out.iloc[pos].reset_index(drop=True), [evidence[i] for i in pos], None

    def _moment_rows(self, df: pd.DataFrame) -> tuple[pd.DataFrame, list[list[Evidence]], Any]:
        """Moment rows (with ``row``: the input row, and the overall columns) and their evidence."""
        run = self._run(df)
        base, base_ev, ctx = run
        if ctx is None:  # split by language: already moment rows
            return base, list(base_ev), None
        assert ctx is not None  # the batch's context, for the moments per touchpoint
        from carlzon.detect.moments import build_moments

        moments, evidence = build_moments(self, df.reset_index(drop=True), base, base_ev, ctx)
        if self.aspect_model is not None:  # learned aspects, per mention (carlzon.detect.learn_aspects)
            from carlzon.detect.learn_aspects import apply_learned_aspects

            apply_learned_aspects(
                moments, evidence, ctx["texts"], self.aspect_model, min_confidence=self.touchpoint_min_confidence
            )
        rows = moments["row"].to_numpy()
        for col in ("interaction_id", "customer_id", "timestamp", "channel"):
            moments[col] = base[col].iloc[rows].reset_index(drop=True)
        moments["overall_valence"] = base["valence"].to_numpy()[rows]
        moments["overall_score"] = base["score"].to_numpy()[rows]
        return moments, evidence, None

    def detect(self, interactions: pd.DataFrame) -> pd.DataFrame:
        """Moments for a DataFrame of interactions: MOMENT_COLUMNS, one row per (interaction, touchpoint).

        Rows come in the input's order, an interaction's moments strongest first; an interaction that
        speaks of no touchpoint (and rates none) has one moment (touchpoint ``unknown`` unless its
        source, its measures or the whole text's similarity say one). ``overall_valence`` /
        ``overall_score`` are the interaction's own (its rating, else its whole text), the same on each
        of its rows. ``evidence`` is a JSON list of :class:`~carlzon.schema.Evidence` dicts (text
        evidence with its ``span``), ``reasons`` the same as '; '-joined sentences, ``spans`` a JSON
        list of ``[start, end]`` character offsets into the text, strongest first. ``ratings`` /
        ``measures`` / ``attributes`` may be dicts or JSON strings; missing columns are allowed.
        """
        collecting = gc.isenabled()
        gc.disable()  # a batch makes many small objects and no cycles worth a collection midway
        try:
            return self._detect(interactions)
        finally:
            if collecting:
                gc.enable()

    def _detect(self, interactions: pd.DataFrame) -> pd.DataFrame:
        out, evidence, _ = self._moment_rows(interactions)
        out = out.drop(columns="row").reset_index(drop=True)
        out["reasons"] = ["; ".join(e.text for e in items) for items in evidence]
        encode = _JSON.encode  # json.dumps(..., ensure_ascii=False) without a new encoder per row
        out["evidence"] = [encode([_plain(e) for e in items]) for items in evidence]
        out["spans"] = [json.dumps(s) for s in out["spans"].tolist()]
        for col, dtype in (
            ("interaction_id", "string"),
            ("customer_id", "string"),
            ("channel", "string"),
            ("aspect", "string"),
            ("basis", "string"),
        ):
            out[col] = out[col].astype(dtype)  # type: ignore[call-overload]  # pandas-stubs: a dtype name held in a variable
        return out[list(MOMENT_COLUMNS)]

    def detect_one(self, interaction: Interaction) -> Moment:
        """The moment of one :class:`~carlzon.schema.Interaction`."""
        if not isinstance(interaction, Interaction):
            raise DetectError(
                f"expected an Interaction, got {type(interaction).__name__}",
                fix="build one with carlzon.schema.Interaction(id=..., text=...), or call detect() on a DataFrame",
            )
        row = {f.name: getattr(interaction, f.name) for f in fields(Interaction)}
        row["ratings"] = row.pop("extra_ratings")
        out, evidence, _ = self._moment_rows(pd.DataFrame([row]))
        r = out.iloc[0]
        return Moment(
            interaction_id=str(r["interaction_id"]),
            valence=str(r["valence"]),  # type: ignore[arg-type]
            score=float(r["score"]),
            intensity=float(r["intensity"]),
            touchpoint=str(r["touchpoint"]),
            touchpoint_confidence=float(r["touchpoint_confidence"]),
            stakes=str(r["stakes"]),
            moment_of_truth=bool(r["moment_of_truth"]),
            evidence=evidence[0],
            customer_id=interaction.customer_id,
            timestamp=interaction.timestamp,
            channel=interaction.channel,
            aspect=None if pd.isna(r["aspect"]) else str(r["aspect"]),
            spans=list(r["spans"]),
            basis=str(r["basis"]),
            overall_valence=str(r["overall_valence"]),
            overall_score=float(r["overall_score"]),
        )
