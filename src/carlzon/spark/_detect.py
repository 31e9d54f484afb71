"""Moments from a Spark DataFrame: the single-machine Detector applied over Arrow batches.

The column mapping is resolved once on the driver from the first rows, exactly
as ``carlzon ingest`` resolves it from its first batch. Each executor rebuilds
the Detector once per Python worker from a small JSON config (journey, model,
thresholds, mapping plan and the lexicon's version, which it checks), then maps
each Arrow batch through the same :func:`carlzon.ingest.prepare`,
:func:`carlzon.ingest.frame` and :meth:`carlzon.detect.Detector.detect`.

Example (needs pyspark):
    >>> res = detect(spark.read.parquet("interactions"), journey="airline")   # doctest: +SKIP
    >>> res.moments.groupBy("valence").count().show()                          # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carlzon.errors import DetectError
from carlzon.spark import require_pyspark

require_pyspark()

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

__all__ = ["RATING_COLUMNS", "DetectResult", "detect", "detector_config", "moments_schema"]

RATING_COLUMNS = ("nps", "csat", "ces", "stars")
"""Interaction ratings carried beside each moment (so metrics need no join)."""

_MOMENT_TYPES = {
    "interaction_id": pa.string(),
    "customer_id": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "channel": pa.string(),
    "touchpoint": pa.string(),
    "touchpoint_confidence": pa.float64(),
    "valence": pa.string(),
    "score": pa.float64(),
    "intensity": pa.float64(),
    "stakes": pa.string(),
    "moment_of_truth": pa.bool_(),
    "reasons": pa.string(),
    "evidence": pa.string(),
    "aspect": pa.string(),
    "spans": pa.string(),  # JSON, as the store keeps it
    "basis": pa.string(),
    "overall_valence": pa.string(),
    "overall_score": pa.float64(),
}
_QUARANTINE_TYPES = {"quarantine_row": pa.int64(), "quarantine_reason": pa.string(), "raw": pa.string()}
_SPARK_TYPES = {pa.string(): "string", pa.float64(): "double", pa.bool_(): "boolean", pa.int64(): "bigint"}


def moments_schema() -> pa.Schema:
    """Arrow schema of what the executors return: MOMENT_COLUMNS, ratings, quarantine fields."""
    fields = {**_MOMENT_TYPES, **{c: pa.float64() for c in RATING_COLUMNS}, **_QUARANTINE_TYPES}
    return pa.schema([pa.field(k, v) for k, v in fields.items()])


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(
        f"`{f.name}` {'timestamp' if pa.types.is_timestamp(f.type) else _SPARK_TYPES[f.type]}" for f in schema
    )


@dataclass
class DetectResult:
    """What :func:`detect` returns: lazy Spark DataFrames over one mapped input.

    ``moments``: MOMENT_COLUMNS plus nps, csat, ces, stars of the interaction.
    ``quarantine``: rows that could not be used (row within its batch, reason, raw).
    ``plan``: the column mapping, as ``carlzon ingest`` reports it.
    """

    combined: DataFrame
    plan: dict[str, Any]
    config: str

    @property
    def moments(self) -> DataFrame:
        return self.combined.where(F.col("quarantine_reason").isNull()).drop(*_QUARANTINE_TYPES)

    @property
    def quarantine(self) -> DataFrame:
        return self.combined.where(F.col("quarantine_reason").isNotNull()).select(
            F.col("quarantine_row").alias("row"), F.col("quarantine_reason").alias("reason"), "raw"
        )


def _plan_to_json(plan: Any) -> dict[str, Any]:
    return {
        "fields": plan.fields,
        "ratings": [list(r[:2]) + [list(r[2])] for r in plan.ratings],
        "measures": [list(m) for m in plan.measures],
        "attributes": list(plan.attributes),
        "defaults": dict(plan.defaults),
        "auto": sorted(plan.auto),
        "text_columns": list(plan.text_columns),
        "scales": {k: list(v) for k, v in plan.scales.items()},
        "labels": dict(plan.labels),
        "touchpoints": dict(plan.touchpoints),
        "aspects": dict(plan.aspects),
        "roles": dict(plan.roles),
        "rename": dict(plan.rename),
        "dayfirst": plan.dayfirst,
        "not_rated": list(plan.not_rated),
    }


def _plan_from_json(d: dict[str, Any]) -> Any:
    from carlzon.mapping import Plan

    return Plan(
        fields=dict(d["fields"]),
        ratings=[(c, k, (float(s[0]), float(s[1]))) for c, k, s in d["ratings"]],
        measures=[(c, k) for c, k in d["measures"]],
        attributes=list(d["attributes"]),
        defaults=dict(d["defaults"]),
        auto=set(d["auto"]),
        text_columns=list(d.get("text_columns", [])),
        scales={k: (float(v[0]), float(v[1])) for k, v in d.get("scales", {}).items()},
        labels=dict(d.get("labels", {})),
        touchpoints=dict(d.get("touchpoints", {})),
        aspects=dict(d.get("aspects", {})),
        roles=dict(d.get("roles", {})),
        rename=dict(d.get("rename", {})),
        dayfirst=d.get("dayfirst"),
        not_rated=list(d.get("not_rated", [])),
    )


def detector_config(
    journey: Any = None,
    *,
    model: Any = None,
    touchpoint_min_confidence: float = 0.35,
    lexicon: str | Path | None = None,
) -> dict[str, Any]:
    """The small, JSON-serialisable config an executor rebuilds the Detector from.

    >>> cfg = detector_config("airline")
    >>> cfg["journey"]["name"], cfg["model"], cfg["lexicon"]["version"].startswith("service-")
    ('airline', None, True)
    """
    from carlzon.detect.text import TextScorer
    from carlzon.journey import load_journey

    jr = load_journey(journey).to_dict() if journey is not None else None
    md = None
    if model is not None:
        from carlzon.detect.model import TextModel

        md = (model if hasattr(model, "to_dict") else TextModel.load(model)).to_dict()
    lex_text = Path(lexicon).read_text(encoding="utf-8") if lexicon is not None else None
    version = TextScorer(lexicon=lexicon).version
    return {
        "journey": jr,
        "model": md,
        "touchpoint_min_confidence": float(touchpoint_min_confidence),
        "lexicon": {"version": version, "tsv": lex_text},
    }


_DETECTORS: dict[str, Any] = {}
"""One Detector per config per Python worker (Spark reuses its Python workers)."""


def _detector(config: str) -> Any:
    key = hashlib.sha256(config.encode()).hexdigest()
    if key in _DETECTORS:
        return _DETECTORS[key]
    import tempfile

    from carlzon.detect import Detector
    from carlzon.detect.text import TextScorer
    from carlzon.journey import journey_from_dict

    cfg = json.loads(config)
    lex = cfg["lexicon"]
    path = None
    if lex["tsv"] is not None:
        path = Path(tempfile.gettempdir()) / f"carlzon-lexicon-{key[:16]}.tsv"
        path.write_text(lex["tsv"], encoding="utf-8")
    scorer = TextScorer(lexicon=path)
    if scorer.version != lex["version"]:
        raise DetectError(
            f"the executors' lexicon is {scorer.version}, the driver's {lex['version']}",
            fix="install the same carlzon version on the driver and every executor",
        )
    model = None
    if cfg["model"] is not None:
        from carlzon.detect.model import TextModel

        model = TextModel.from_dict(cfg["model"], where="model shipped to the executor")
    jr = journey_from_dict(cfg["journey"], source="journey shipped to the executor") if cfg["journey"] else None
    det = Detector(jr, model=model, touchpoint_min_confidence=cfg["touchpoint_min_confidence"], scorer=scorer)
    _DETECTORS[key] = det
    return det


def detect_batch(rb: pa.RecordBatch, config: str, plan_json: str, source: str) -> pa.RecordBatch:
    """One Arrow batch of raw rows to moments (and quarantined rows): the executor's pure function."""
    import numpy as np
    import pandas as pd

    from carlzon.ingest import frame, prepare
    from carlzon.readers import Batch, frame_to_table

    schema = moments_schema()
    n = rb.num_rows
    if n == 0:
        return pa.RecordBatch.from_pylist([], schema=schema)
    det = _detector(config)
    plan = _plan_from_json(json.loads(plan_json))
    table, bad_bytes = frame_to_table(rb.to_pandas())
    if plan.rename:
        table = table.rename_columns([plan.rename.get(c, c) for c in table.column_names])
    cols, bad = prepare(Batch(table, np.arange(n, dtype=np.int64), [], bad_bytes), plan, source=source)
    parts = []
    if len(cols["id"]):
        inter = frame(cols)
        m = det.detect(inter)
        rated = inter.drop_duplicates("id").set_index("id")  # several moments per interaction: by its id
        for c in RATING_COLUMNS:
            m[c] = pd.to_numeric(m["interaction_id"].map(rated[c]), errors="coerce").astype("float64")
        for c in _QUARANTINE_TYPES:
            m[c] = None
        m["timestamp"] = pd.to_datetime(m["timestamp"], utc=True).astype("datetime64[us, UTC]")
        for c in ("spans", "evidence"):  # JSON text, as the store keeps it
            if c in m.columns:
                m[c] = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in m[c]]
        for c in ("aspect", "basis", "overall_valence", "overall_score"):
            if c not in m.columns:
                m[c] = None
        parts.append(pa.Table.from_pandas(m, schema=schema, preserve_index=False))
    if bad:
        q = {f.name: [None] * len(bad) for f in schema}
        q["quarantine_row"] = [int(b["row"]) for b in bad]
        q["quarantine_reason"] = [str(b["reason"]) for b in bad]
        q["raw"] = [b.get("raw") for b in bad]
        parts.append(pa.Table.from_pydict(q, schema=schema))
    return pa.concat_tables(parts).combine_chunks().to_batches()[0]


def detect(
    df: DataFrame,
    journey: Any = None,
    *,
    model: Any = None,
    mapping: Any = None,
    source: str = "spark",
    touchpoint_min_confidence: float = 0.35,
    lexicon: str | Path | None = None,
    plan_rows: int = 50_000,
) -> DetectResult:
    """Moments for every row of a Spark DataFrame of interactions (an export as ``carlzon ingest`` reads it).

    ``mapping`` is a ColumnMapping, a dict of its YAML keys or a YAML path (auto-detected otherwise);
    the plan is resolved from the first ``plan_rows`` rows, as ingest does from its first batch.
    """
    from carlzon.ingest import _plan, _used
    from carlzon.journey import load_journey
    from carlzon.mapping import ColumnMapping
    from carlzon.readers import Batch, frame_to_table

    if not isinstance(df, DataFrame):
        raise DetectError(
            f"expected a Spark DataFrame, got {type(df).__name__}",
            fix="read the data with carlzon.spark.read_table(spark, path_or_table)",
        )
    jr = load_journey(journey) if journey is not None else None
    head = df.limit(plan_rows).toPandas()
    if head.empty:
        raise DetectError("the input has no rows", where=source, fix="point at a table with interactions")
    table, _ = frame_to_table(head)
    plan = _plan(ColumnMapping.from_any(mapping), Batch(table, head.index.to_numpy()), jr, source)
    plan.attributes.extend(c for c in table.column_names if c not in set(plan.attributes) | _used(plan))
    config = json.dumps(
        detector_config(jr, model=model, touchpoint_min_confidence=touchpoint_min_confidence, lexicon=lexicon),
        separators=(",", ":"),
    )
    plan_json = json.dumps(_plan_to_json(plan), separators=(",", ":"))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in batches:
            yield detect_batch(rb, config, plan_json, source)

    combined = df.mapInArrow(run, _ddl(moments_schema()))
    return DetectResult(combined=combined, plan=plan.describe(), config=config)
