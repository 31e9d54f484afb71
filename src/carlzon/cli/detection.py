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
    aspect_label: str | None = typer.Option(
        None, "--aspect-label", help="Column with the aspect (its id or name, or your own tag with --aspect-map)."
    ),
    aspect_map: Path | None = typer.Option(None, "--aspect-map", help="CSV tag,aspect (or YAML) mapping your tags."),
    journey: str | None = typer.Option(None, "--journey", help="Journey template name or YAML path."),
    model: Path | None = typer.Option(None, "--model", help="A model saved by `carlzon train`."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Measure moment detection on a labelled file: valence (--label), touchpoints (--touchpoint-label)
    and aspects (--aspect-label)."""
    if label is None and touchpoint_label is None and aspect_label is None:
        raise DetectError(
            "nothing to measure",
            fix="pass --label COL (valence), --touchpoint-label COL (touchpoints) and/or --aspect-label COL",
        )
    from carlzon.cli.learning import evaluate_aspects, evaluate_touchpoints

    asp = evaluate_aspects(file, text, aspect_label, journey, model, aspect_map) if aspect_label else None

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
        out = res or tp
        if asp is not None:  # alone: the aspect figures; with others: under "aspects"
            out = {**out, "aspects": asp} if out else asp
        print_json(out)
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
        how = "learned model + phrases" if tp["learned_touchpoints"] else "journey phrases (nothing trained)"
        _print_label_figures(
            tp, "touchpoint", f"touchpoints: {tp['file']} (n={tp['n']:,}, journey {tp['journey']})", how
        )
    if asp:
        how = "learned model + aspect words" if asp["learned_aspects"] else "aspect words (nothing trained)"
        _print_label_figures(asp, "aspect", f"aspects: {asp['file']} (n={asp['n']:,})", how)


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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("eval")(eval_command)
    app.command("detect")(detect_command)


def _print_label_figures(res: dict[str, Any], label: str, title: str, how: str) -> None:
    """The per-label table and the summary line of ``carlzon eval`` for touchpoints or aspects."""
    from rich.table import Table

    table = Table(title=f"carlzon eval {title}")
    for col in (label, "precision", "recall", "f1", "n"):
        table.add_column(col, justify="left" if col == label else "right")
    for c, m in res[f"per_{label}"].items():
        table.add_row(c, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['n']:,}")
    console.print(table)
    console.print(
        f"{label} accuracy {res[f'{label}_accuracy']:.3f}  macro-F1 {res[f'{label}_macro_f1']:.3f}  "
        f"coverage {res['coverage']:.0%} (n={res['n']:,}; {how})  {res['texts_per_s']:,.0f} texts/s",
        soft_wrap=True,
        highlight=False,
    )
