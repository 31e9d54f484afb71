"""CLI commands for moment detection: `carlzon eval` (and `detect`, `train`)."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import typer

from carlzon.cli.common import console, print_json
from carlzon.errors import DetectError

# ---------------------------------------------------------------------------- carlzon eval

EVAL_CLASSES = ("magic", "misery", "neutral")


def _read_labelled(path: Path):
    """A labelled file as a DataFrame of text values (:func:`carlzon.readers.read_table`: CSV, TSV, JSON Lines,
    JSON, Parquet or Excel, text formats optionally gzipped)."""
    from carlzon.readers import read_table

    return read_table(path, as_text=True)


def _eval_label(value: Any, thresholds: dict | None = None) -> str | None:
    """magic / misery / neutral for a label (as `carlzon train` and detection read them, stars with the
    journey's thresholds); None when empty; KeyError when unknown."""
    from carlzon.detect.model import label_word

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    word = label_word(text, thresholds)
    if word is None:
        raise KeyError(text)
    return word


def _intervals(y: list[str], pred, n_boot: int = 200, seed: int = 0) -> tuple[list[float], list[float]]:
    """95% intervals: Wilson for accuracy, a seeded bootstrap for macro-F1."""
    import numpy as np

    from carlzon.analysis.intervals import wilson_interval

    code = {c: k for k, c in enumerate(EVAL_CLASSES)}
    yt = np.array([code[v] for v in y])
    yp = np.array([code.get(v, 2) for v in pred])
    n = len(yt)
    _, acc_lo, acc_hi = wilson_interval(int((yt == yp).sum()), n)
    rng = np.random.default_rng(seed)
    f1s = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        cm = np.bincount(yt[idx] * 3 + yp[idx], minlength=9).reshape(3, 3).astype(float)
        tp = np.diag(cm)
        prec = np.divide(tp, cm.sum(0), out=np.zeros(3), where=cm.sum(0) > 0)
        rec = np.divide(tp, cm.sum(1), out=np.zeros(3), where=cm.sum(1) > 0)
        f1s.append(np.mean(np.divide(2 * prec * rec, prec + rec, out=np.zeros(3), where=(prec + rec) > 0)))
    lo, hi = np.percentile(f1s, [2.5, 97.5])
    return [round(acc_lo, 4), round(acc_hi, 4)], [round(float(lo), 4), round(float(hi), 4)]


def evaluate_file(path: Path, text: str, label: str, journey: str | None = None, model: Path | None = None) -> dict:
    """Score the texts of a labelled file and compare with the labels (what `carlzon eval` prints)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    from carlzon.detect import Detector

    df = _read_labelled(path)
    for col, opt in ((text, "--text"), (label, "--label")):
        if col not in df.columns:
            raise DetectError(
                f"column {col!r} is not in {path.name}",
                fix=f"pass {opt} with one of: {', '.join(map(str, df.columns))}",
            )
    from carlzon.journey import load_journey

    thresholds = load_journey(journey).thresholds if journey else None
    labels, bad = [], {}
    for i, v in enumerate(df[label].tolist()):
        try:
            labels.append(_eval_label(v, thresholds))
        except KeyError as exc:
            bad.setdefault(exc.args[0], i + 1)
    if bad:
        shown = ", ".join(f"{k!r} (row {r})" for k, r in list(bad.items())[:5])
        raise DetectError(
            f"unknown labels in column {label!r}: {shown}",
            fix="use magic/misery/neutral, positive/negative/neutral or 1-5 stars",
        )
    keep = [i for i, lab in enumerate(labels) if lab is not None]
    if not keep:
        raise DetectError(f"column {label!r} has no labels", fix="label some rows, or pick another --label column")
    texts = [t if isinstance(t, str) else None for t in df[text].tolist()]
    texts = [texts[i] for i in keep]
    y = [labels[i] for i in keep]
    det = Detector(journey, model=model)
    det.score_texts(texts[:1])  # warm up (lexicon, model) outside the timing
    t0 = time.perf_counter()
    pred = np.asarray(det.score_texts(texts)["valence"], dtype=object)
    elapsed = max(time.perf_counter() - t0, 1e-9)
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=list(EVAL_CLASSES), zero_division=0)
    acc_ci, f1_ci = _intervals(y, pred)
    return {
        "file": path.name,
        "n": len(y),
        "skipped_unlabelled": len(df) - len(y),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "accuracy_ci95": acc_ci,
        "macro_f1": round(float(np.mean(f)), 4),
        "macro_f1_ci95": f1_ci,
        "per_class": {
            c: {
                "precision": round(float(p[k]), 4),
                "recall": round(float(r[k]), 4),
                "f1": round(float(f[k]), 4),
                "n": int(s[k]),
            }
            for k, c in enumerate(EVAL_CLASSES)
        },
        "texts_per_s": round(len(y) / elapsed, 1),
        "model": str(model) if model else None,
        "journey": journey,
    }


def eval_command(
    file: Path = typer.Argument(
        ..., help="Labelled file: CSV, TSV, JSON Lines, Parquet or Excel (text formats may be gzipped)."
    ),
    text: str = typer.Option(..., "--text", help="Column with the customer's text."),
    label: str | None = typer.Option(
        None, "--label", help="Column with the label: magic/misery/neutral, positive/negative/neutral, or 1-5 stars."
    ),
    touchpoint_label: str | None = typer.Option(
        None,
        "--touchpoint-label",
        help="Column with the touchpoint (its id or name, or your own tag with --touchpoint-map).",
    ),
    touchpoint_map: Path | None = typer.Option(
        None, "--touchpoint-map", help="CSV tag,touchpoint (or YAML) mapping your tags."
    ),
    journey: str | None = typer.Option(None, "--journey", help="Journey template name or YAML path."),
    model: Path | None = typer.Option(None, "--model", help="A model saved by `carlzon train`."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Measure moment detection on a labelled file: valence (--label) and touchpoints (--touchpoint-label)."""
    if label is None and touchpoint_label is None:
        raise DetectError(
            "nothing to measure", fix="pass --label COL (valence) and/or --touchpoint-label COL (touchpoints)"
        )
    from carlzon.cli.learning import evaluate_touchpoints

    tp = (
        evaluate_touchpoints(file, text, touchpoint_label, journey, model, touchpoint_map) if touchpoint_label else None
    )
    res = evaluate_file(file, text, label, journey, model) if label else None
    if as_json:
        if tp and res:  # touchpoint figures, and the valence figures as without --touchpoint-label
            clash = {"n", "skipped_unlabelled", "texts_per_s"}
            res = {
                **tp,
                **{("valence_" + k if k in clash else k): v for k, v in res.items() if k not in tp or k in clash},
            }
        print_json(res or tp)
        return
    from rich.table import Table

    if res:
        table = Table(title=f"carlzon eval: {res['file']} (n={res['n']:,})")
        for col in ("class", "precision", "recall", "f1", "n"):
            table.add_column(col, justify="left" if col == "class" else "right")
        for c, m in res["per_class"].items():
            table.add_row(c, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['n']:,}")
        console.print(table)
        console.print(
            f"accuracy {res['accuracy']:.3f} [{res['accuracy_ci95'][0]:.3f}, {res['accuracy_ci95'][1]:.3f}]  "
            f"macro-F1 {res['macro_f1']:.3f} [{res['macro_f1_ci95'][0]:.3f}, {res['macro_f1_ci95'][1]:.3f}] (95%)  (n={res['n']:,}, "
            f"{res['skipped_unlabelled']:,} rows without a label skipped)  {res['texts_per_s']:,.0f} texts/s"
        )
    if tp:
        table = Table(title=f"carlzon eval touchpoints: {tp['file']} (n={tp['n']:,}, journey {tp['journey']})")
        for col in ("touchpoint", "precision", "recall", "f1", "n"):
            table.add_column(col, justify="left" if col == "touchpoint" else "right")
        for c, m in tp["per_touchpoint"].items():
            table.add_row(c, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['n']:,}")
        console.print(table)
        how = "learned model + phrases" if tp["learned_touchpoints"] else "journey phrases (nothing trained)"
        console.print(
            f"touchpoint accuracy {tp['touchpoint_accuracy']:.3f}  macro-F1 {tp['touchpoint_macro_f1']:.3f}  "
            f"coverage {tp['coverage']:.0%} (n={tp['n']:,}; {how})  {tp['texts_per_s']:,.0f} texts/s",
            soft_wrap=True,
            highlight=False,
        )


# ---------------------------------------------------------------------------- carlzon detect / train


def _mapping_from_flags(fields: dict[str, str | None], map_file: Path | None) -> Any:
    from carlzon.mapping import ColumnMapping

    base = ColumnMapping.from_yaml(map_file) if map_file else ColumnMapping()
    base.fields.update({k: v for k, v in fields.items() if v})
    return base


def _interaction_batches(file: Path, journey: Any, mapping: Any, choose: Any = None):
    """(interactions DataFrame, quarantined rows, plan) per batch, read and mapped as `carlzon ingest` does
    (``choose`` picks the journey from the first batch when none is given)."""
    from carlzon.ingest import (  # the plan step is private in carlzon.ingest for now
        _plan,
        frame,
        prepare,
    )
    from carlzon.readers import Batch, read_batches, source_name

    _, batches = read_batches(file)
    name = source_name(file)
    plan = None
    for batch in batches:
        if plan is None and batch.table.num_rows:
            plan = _plan(mapping, batch, journey, str(file), choose=None if journey is not None else choose)
            if plan.header_rows:  # a survey export's extra header rows are header, not data
                k = plan.header_rows
                batch = Batch(batch.table.slice(k), batch.rows[k:], batch.bad, batch.bad_bytes)
        if plan is None:
            yield None, list(batch.bad), None
            continue
        if plan.rename:
            batch = Batch(
                batch.table.rename_columns([plan.rename.get(c, c) for c in batch.table.column_names]),
                batch.rows,
                batch.bad,
                batch.bad_bytes,
            )
        columns, bad = prepare(batch, plan, source=name)
        yield frame(columns), list(batch.bad) + list(bad), plan


_MOMENT_PERSONAL = ("customer_id", "reasons", "evidence")
"""Columns of a moments export that may carry a customer's own words or contact details."""
_OUTPUTS = (".csv", ".xlsx", ".parquet", ".pq")


def detect_command(
    file: Path | None = typer.Argument(
        None,
        help="Interactions: CSV, TSV, JSON Lines, JSON, Parquet or Excel "
        "(leave out with --store: re-derive the stored moments).",
    ),
    out: Path | None = typer.Option(None, "-o", "--out", help="Where to write the moments: .csv, .xlsx or .parquet."),
    store: str | None = typer.Option(
        None,
        "--store",
        help="Re-derive the moments of this store's interactions "
        "(with --journey / --model; default journey: the store's).",
    ),
    journey: str | None = typer.Option(None, "--journey", help="Journey template name or YAML path."),
    model: Path | None = typer.Option(None, "--model", help="A text model saved by `carlzon train`."),
    text: str | None = typer.Option(None, "--text", help="Column with the customer's text (default: auto-detected)."),
    id_col: str | None = typer.Option(None, "--id", help="Column with a stable record id."),
    customer: str | None = typer.Option(None, "--customer", help="Column with the customer id or email."),
    timestamp: str | None = typer.Option(None, "--timestamp", help="Column with the date and time."),
    channel: str | None = typer.Option(None, "--channel", help="Column with the channel."),
    touchpoint: str | None = typer.Option(None, "--touchpoint", help="Column naming the touchpoint."),
    nps: str | None = typer.Option(None, "--nps", help="Column with NPS 0-10."),
    csat: str | None = typer.Option(None, "--csat", help="Column with CSAT 1-5."),
    ces: str | None = typer.Option(None, "--ces", help="Column with CES 1-7."),
    stars: str | None = typer.Option(None, "--stars", help="Column with a 1-5 star rating."),
    map_file: Path | None = typer.Option(None, "--map", help="A YAML column mapping (see `carlzon ingest --help`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="local, or spark: FILE may be a Parquet/Delta folder or a "
        "table name, OUT is a Parquet folder (needs carlzon[spark]).",
    ),
    include_personal_data: bool = typer.Option(
        False,
        "--include-personal-data",
        help="Keep e-mails, phones and names in the evidence and quarantine as written (internal use; masked by default).",
    ),
) -> None:
    """Turn every row of FILE into a moment (magic / misery / neutral, touchpoint, evidence) and write them to OUT.

    With --store and no FILE, the moments of the stored interactions are derived again (with another
    --journey or --model): nothing is ingested again, and the store remembers the journey.
    """
    import pandas as pd

    if file is None:
        if store is None and out is None:
            raise DetectError(
                "give a FILE with -o OUT, or --store to re-derive a store's moments",
                fix="e.g. carlzon detect --store carlzon.db --journey hotel",
            )
        _redetect(store, journey, model, as_json)
        return
    if out is None:
        raise DetectError("give -o OUT for the moments of FILE", fix="e.g. -o moments.csv (or .parquet)")
    from carlzon.detect import Detector
    from carlzon.journey import load_journey

    if engine not in ("local", "spark"):
        raise DetectError(f"unknown engine {engine!r}", fix="use --engine local or --engine spark")
    mapping = _mapping_from_flags(
        {
            "text": text,
            "id": id_col,
            "customer_id": customer,
            "timestamp": timestamp,
            "channel": channel,
            "touchpoint": touchpoint,
            "nps": nps,
            "csat": csat,
            "ces": ces,
            "stars": stars,
        },
        map_file,
    )
    if engine == "spark":
        from carlzon.spark.cli import detect_to_parquet

        s = detect_to_parquet(str(file), out, journey=journey, model=model, mapping=mapping)
        if as_json:
            print_json(s)
        else:
            console.print(
                f"{s['n']:,} moments written to {out} (n={s['n']:,}; Spark {s['master']}): magic "
                f"{s['magic']:,}, misery {s['misery']:,}, neutral {s['neutral']:,}; {s['quarantined']:,} "
                f"rows quarantined{' to ' + s['quarantine_file'] if s['quarantine_file'] else ''}"
            )
        return
    if out.suffix.lower() not in _OUTPUTS:
        raise DetectError(
            f"cannot write {out.name}: unknown extension {out.suffix!r}", fix="name the output .csv, .xlsx or .parquet"
        )
    from carlzon.journey_fit import fit_journey

    jr = load_journey(journey) if journey else None
    fits: list[Any] = []

    def choose(texts: list[str], columns: list[str]) -> Any:  # as ingest: the template the texts speak of, if sure
        fits.append(fit_journey(texts, columns))
        return fits[-1].journey if fits[-1].sure else None

    det = None
    parts, quarantined = [], []
    t0 = time.perf_counter()
    seconds = 0.0
    for df, bad, plan in _interaction_batches(file, jr, mapping, choose):
        quarantined.extend(bad)
        if det is None and plan is not None:
            jr = plan.journey if jr is None else jr
            det = Detector(jr, model=model)
            det.score_texts(["warm up"])  # compile the lexicon outside the timing
        if df is not None and len(df) and det is not None:
            t1 = time.perf_counter()
            parts.append(det.detect(df))
            seconds += time.perf_counter() - t1
    from carlzon.schema import MOMENT_COLUMNS

    moments = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(MOMENT_COLUMNS))
    from carlzon.exports import write_table

    write_table(moments, out, personal_columns=_MOMENT_PERSONAL, include_personal_data=include_personal_data)
    qpath = None
    if quarantined:
        qpath = out.with_name(out.stem + ".quarantine.csv")
        write_table(
            pd.DataFrame(
                [{"row": b.get("row"), "reason": b.get("reason"), "raw": b.get("raw")} for b in quarantined],
                columns=["row", "reason", "raw"],
            ),
            qpath,
            personal_columns=("reason", "raw"),
            include_personal_data=include_personal_data,
        )
    n = len(moments)
    counts = moments["valence"].value_counts().to_dict() if n else {}
    summary = {
        "file": file.name,
        "out": str(out),
        "n": n,
        "magic": int(counts.get("magic", 0)),
        "misery": int(counts.get("misery", 0)),
        "neutral": int(counts.get("neutral", 0)),
        "moments_of_truth": int(moments["moment_of_truth"].sum()) if n else 0,
        "touchpoint_known": int((moments["touchpoint"] != "unknown").sum()) if n else 0,
        "quarantined": len(quarantined),
        "quarantine_file": str(qpath) if qpath else None,
        "texts_per_s": round(n / seconds, 1) if seconds > 0 else None,
        "seconds": round(time.perf_counter() - t0, 3),
        "journey": jr.name if jr else None,
        "journey_choice": fits[0].summary() if fits else ("given" if journey else None),
        "model": str(model) if model else None,
    }
    if as_json:
        print_json(summary)
        return

    def pct(k: int) -> str:
        return f"{k:,} ({100 * k / n:.1f}%)" if n else "0"

    console.print(f"{n:,} moments written to {out} (n={n:,})")
    if summary["journey_choice"] and not journey:
        console.print(
            f"  journey: {summary['journey'] or 'none (pass --journey NAME)'}: {summary['journey_choice']}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(
        f"  magic {pct(summary['magic'])}, misery {pct(summary['misery'])}, neutral {pct(summary['neutral'])}"
    )
    console.print(
        f"  moments of truth {pct(summary['moments_of_truth'])}; touchpoint known {pct(summary['touchpoint_known'])}"
    )
    if quarantined:
        console.print(f"  {len(quarantined):,} rows quarantined (not detected), listed in {qpath}")
    if summary["texts_per_s"]:
        console.print(f"  {summary['texts_per_s']:,.0f} rows/s detection")


def _redetect(store: str | None, journey: str | None, model: Path | None, as_json: bool) -> None:
    """`carlzon detect --store`: re-derive the moments of stored interactions."""
    from carlzon.cli.common import store_url
    from carlzon.detect.redetect import redetect
    from carlzon.store import open_store

    with open_store(store_url(store), create=False) as st:
        res = redetect(st, journey=journey, model=model)
        target = st.url_safe
    if as_json:
        print_json(res.to_dict())
        return
    was = f" (was {res.previous_journey})" if res.previous_journey and res.previous_journey != res.journey else ""
    console.print(
        f"{res.moments:,} moments derived again from {res.interactions:,} interactions in {target} with "
        f"the {res.journey} journey{was} ({res.seconds:.1f} s)",
        soft_wrap=True,
        highlight=False,
    )


def _scale_of(column: str, values: Any) -> str:
    import numpy as np
    import pandas as pd

    name = column.lower()
    for scale in ("nps", "csat", "ces"):
        if scale in name:
            return scale
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if len(v) and v.min() >= 1 and v.max() <= 5:
        return "stars"
    if len(v) and v.min() >= 0 and v.max() <= 10 and np.allclose(v, v.round()):
        return "nps"
    raise DetectError(
        f"cannot tell the scale of rating column {column!r} (values {v.min():g}-{v.max():g})",
        fix="pass --scale nps, csat, ces or stars",
    )


def train_command(
    file: Path | None = typer.Argument(
        None,
        help="Texts with a rating, a label and/or a touchpoint label: CSV, TSV, JSON Lines or Parquet "
        "(optional with --store: the corrections alone).",
    ),
    text: str = typer.Option(..., "--text", help="Column with the customer's text."),
    out: Path = typer.Option(..., "-o", "--out", help="Where to save the model (.json)."),
    rating: str | None = typer.Option(None, "--rating", help="Column with a rating (ratings are free labels)."),
    label: str | None = typer.Option(
        None, "--label", help="Column with a label: magic/misery/neutral, positive/negative/neutral, or 1-5 stars."
    ),
    touchpoint_label: str | None = typer.Option(
        None,
        "--touchpoint-label",
        help="Column with the touchpoint of each text: a touchpoint id or name, or your own tag (with --touchpoint-map).",
    ),
    touchpoint_map: Path | None = typer.Option(
        None, "--touchpoint-map", help="CSV (tag,touchpoint) or YAML mapping your tags onto the journey's touchpoints."
    ),
    scale: str | None = typer.Option(
        None, "--scale", help="Scale of --rating: nps, csat, ces or stars (default: guessed)."
    ),
    journey: str | None = typer.Option(None, "--journey", help="Journey: its rating thresholds and touchpoints."),
    cv: int = typer.Option(5, "--cv", min=2, help="Cross-validation folds for choosing C and reporting macro-F1."),
    store: str | None = typer.Option(
        None,
        "--store",
        help="Also learn from the corrections people made in this store "
        "(a fifth of them held back to measure the model on).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Learn from your own data and save the model as JSON: valence (text + rating or label) and/or
    touchpoints (text + touchpoint label, with the journey)."""
    from carlzon.detect.learn import (
        map_touchpoint_labels,
        read_tag_map,
        save_models,
        train_touchpoints,
    )
    from carlzon.detect.model import labels_from_ratings, train_model
    from carlzon.errors import ModelError
    from carlzon.journey import load_journey

    if rating is not None and label is not None:
        raise ModelError("give one of --rating and --label, not both", fix="e.g. --rating stars, or --label sentiment")
    if rating is None and label is None and touchpoint_label is None and store is None:
        raise ModelError(
            "nothing to learn from", fix="pass --rating COL or --label COL (valence) and/or --touchpoint-label COL"
        )
    if file is None and store is None:
        raise ModelError("no file to learn from", fix="give FILE, or --store with people's corrections")
    if (touchpoint_label is not None or store is not None) and journey is None:
        raise ModelError(
            "--touchpoint-label needs the journey whose touchpoints the labels name",
            fix="pass --journey NAME (a template such as retail_bank, or a YAML path)",
        )
    if touchpoint_map is not None and touchpoint_label is None:
        raise ModelError("--touchpoint-map maps the tags of --touchpoint-label", fix="pass --touchpoint-label COL too")
    if out.suffix.lower() != ".json":
        raise ModelError(f"cannot save a model as {out.name}", fix="use a .json file name, e.g. -o model.json")
    import pandas as pd

    df = _read_labelled(file) if file is not None else pd.DataFrame({text: pd.Series([], dtype=object)})
    col = rating or label
    for c, opt in (
        (text, "--text"),
        (col, "--rating" if rating else "--label"),
        (touchpoint_label, "--touchpoint-label"),
    ):
        if file is not None and c is not None and c not in df.columns:
            raise DetectError(
                f"column {c!r} is not in {file.name}", fix=f"pass {opt} with one of: {', '.join(map(str, df.columns))}"
            )
    jr = load_journey(journey) if journey else None
    t0 = time.perf_counter()
    summary: dict[str, Any] = {"out": str(out)}
    model = tp_model = None
    from carlzon.cli.learning import corrections_split, held_back

    corr = corrections_split(store) if store else None
    if col is not None:
        if rating:
            sc = scale or _scale_of(rating, df[rating])
            labels = labels_from_ratings(df[rating].tolist(), sc, jr.thresholds if jr else None)
        else:
            labels = df[label].tolist() if label else [None] * len(df)
        texts_v = df[text].tolist()
        if corr is not None:  # people's corrections of valence are labels too (the held-back fifth left out)
            fit = corr[~corr["held_back"] & corr["valence"].notna()]
            texts_v, labels = texts_v + fit["text"].tolist(), list(labels) + fit["valence"].tolist()
        model = train_model(texts_v, labels, cv=cv, thresholds=jr.thresholds if jr else None)
        if corr is not None:
            model.info.update(held_back(corr, "valence", lambda t: model.predict(t)))
        model.info["source"] = file.name if file else "corrections"
        model.info["label_column"] = col
        info = model.info
        summary.update(
            {
                "n": info["n_train"],
                "dropped": info["dropped"],
                "classes": info["class_counts"],
                "C": info["C"],
                "cv_folds": info["cv_folds"],
                "cv_macro_f1": info["cv_macro_f1"],
                "cv_macro_f1_sd": info["cv_macro_f1_sd"],
            }
        )
    if touchpoint_label is not None or (corr is not None and corr["touchpoint"].notna().any()):
        tps = (
            list(
                map_touchpoint_labels(
                    df[touchpoint_label].tolist(), jr, read_tag_map(touchpoint_map) if touchpoint_map else None
                )
            )
            if touchpoint_label
            else [None] * len(df)
        )
        texts_t = df[text].tolist()
        if corr is not None:  # corrections of touchpoints (the held-back fifth left out)
            fit = corr[~corr["held_back"] & corr["touchpoint"].notna()]
            texts_t, tps = texts_t + fit["text"].tolist(), tps + fit["touchpoint"].tolist()
        tp_model = train_touchpoints(texts_t, tps, journey=jr, cv=cv)
        tp_model.info.update(
            {
                "source": file.name if file else "corrections",
                "label_column": touchpoint_label,
                "tag_map": touchpoint_map.name if touchpoint_map else None,
            }
        )
        if corr is not None:
            from carlzon.detect.learn import learn_touchpoints

            tp_model.info.update(
                held_back(corr, "touchpoint", lambda t: learn_touchpoints(tp_model, t, min_confidence=0)[0])
            )
        ti = tp_model.info
        summary["touchpoints"] = {
            "n": ti["n_train"],
            "dropped": ti["dropped"],
            "touchpoints": ti["class_counts"],
            "cv_folds": ti["cv_folds"],
            "cv_accuracy": ti["cv_accuracy"],
            "cv_macro_f1": ti["cv_macro_f1"],
            "calibration_ece": ti["calibration_ece"],
            "journey": tp_model.journey,
            "n_corrections": ti.get("n_corrections", 0),
            "corrections_held_back": ti.get("corrections_held_back"),
        }
    if model is not None and corr is not None:
        summary["n_corrections"] = model.info.get("n_corrections", 0)
        summary["corrections_held_back"] = model.info.get("corrections_held_back")
    save_models(out, text=model, touchpoint=tp_model)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    if as_json:
        print_json(summary)
        return
    if model is not None:
        info = model.info
        classes = ", ".join(f"{k} {v:,}" for k, v in info["class_counts"].items())
        console.print(
            f"trained on n={info['n_train']:,} texts ({classes}; {info['dropped']:,} rows without text or label skipped)"
        )
        console.print(
            f"  {info['cv_folds']}-fold cross-validated macro-F1 {info['cv_macro_f1']:.3f} "
            f"(sd {info['cv_macro_f1_sd']:.3f} over folds, C={info['C']:g})"
        )
    if tp_model is not None:
        ti = tp_model.info
        console.print(
            f"touchpoints learned from n={ti['n_train']:,} texts ({len(ti['class_counts'])} touchpoints of "
            f"{tp_model.journey}; {ti['dropped']:,} rows without text or label skipped)",
            soft_wrap=True,
        )
        console.print(
            f"  {ti['cv_folds']}-fold cross-validated accuracy {ti['cv_accuracy']:.3f}, macro-F1 "
            f"{ti['cv_macro_f1']:.3f}; calibration error {ti['calibration_ece']:.3f}",
            soft_wrap=True,
        )
    for what, m_ in (("valence", model), ("touchpoints", tp_model)):
        hb = m_.info.get("corrections_held_back") if m_ is not None else None
        if m_ is not None and m_.info.get("n_corrections"):
            acc = (
                f"accuracy {hb['accuracy']:.3f} on the {hb['n']} held back" if hb and hb["n"] else "none held back yet"
            )
            console.print(f"  {what}: learned from {m_.info['n_corrections']} corrections; {acc}", soft_wrap=True)
    console.print(f"  saved to {out}; use it with --model {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("eval")(eval_command)
    app.command("detect")(detect_command)
    app.command("train")(train_command)
