"""`carlzon train`: learn valence (ratings or labels), touchpoints and aspects (labelled columns), and people's
corrections, into one plain-JSON model file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from carlzon.cli.common import console, print_json
from carlzon.cli.detection import _read_labelled
from carlzon.errors import DetectError

__all__ = ["register", "train_command"]


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
    aspect_label: str | None = typer.Option(
        None,
        "--aspect-label",
        help="Column with the aspect of each text (price_value, speed_waiting, ... or none; "
        "or your own tag with --aspect-map).",
    ),
    aspect_map: Path | None = typer.Option(
        None, "--aspect-map", help="CSV (tag,aspect) or YAML mapping your tags onto the aspects."
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
    """Learn from your own data and save the model as JSON: valence (text + rating or label),
    touchpoints (text + touchpoint label, with the journey) and/or aspects (text + aspect label)."""
    from carlzon.detect.bundle import save_models
    from carlzon.detect.learn import (
        map_touchpoint_labels,
        read_tag_map,
        train_touchpoints,
    )
    from carlzon.detect.model import labels_from_ratings, train_model
    from carlzon.errors import ModelError
    from carlzon.journey import load_journey

    if rating is not None and label is not None:
        raise ModelError("give one of --rating and --label, not both", fix="e.g. --rating stars, or --label sentiment")
    if rating is None and label is None and touchpoint_label is None and aspect_label is None and store is None:
        raise ModelError(
            "nothing to learn from",
            fix="pass --rating COL or --label COL (valence), --touchpoint-label COL and/or --aspect-label COL",
        )
    if aspect_map is not None and aspect_label is None:
        raise ModelError("--aspect-map maps the tags of --aspect-label", fix="pass --aspect-label COL too")
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
        (aspect_label, "--aspect-label"),
    ):
        if file is not None and c is not None and c not in df.columns:
            raise DetectError(
                f"column {c!r} is not in {file.name}", fix=f"pass {opt} with one of: {', '.join(map(str, df.columns))}"
            )
    jr = load_journey(journey) if journey else None
    t0 = time.perf_counter()
    summary: dict[str, Any] = {"out": str(out)}
    model = tp_model = asp_model = None
    from carlzon.cli.learning import corrections_split, held_back

    corr = corrections_split(store) if store else None
    if col is not None:
        if rating:
            sc = scale or _scale_of(rating, df[rating])
            labels: list[Any] = list(labels_from_ratings(df[rating].tolist(), sc, jr.thresholds if jr else None))
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
    if aspect_label is not None:
        from carlzon.cli.learning import train_aspect_column

        asp_model = train_aspect_column(df, text, aspect_label, aspect_map, cv=cv, source=file.name if file else None)
        ai = asp_model.info
        summary["aspects"] = {
            "n": ai["n_train"],
            "dropped": ai["dropped"],
            "aspects": ai["class_counts"],
            **{k: ai[k] for k in ("cv_folds", "cv_accuracy", "cv_macro_f1", "calibration_ece")},
        }
    if model is not None and corr is not None:
        summary["n_corrections"] = model.info.get("n_corrections", 0)
        summary["corrections_held_back"] = model.info.get("corrections_held_back")
    save_models(out, text=model, touchpoint=tp_model, aspect=asp_model)
    if store is not None:  # the dashboard's learn page shows what the model learned from the corrections
        from carlzon.cli.learning import remember_training

        remember_training(store, out, {"valence": model, "touchpoints": tp_model})
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
    if asp_model is not None:
        ai = asp_model.info
        console.print(
            f"aspects learned from n={ai['n_train']:,} texts ({len(ai['class_counts'])} aspects; "
            f"{ai['dropped']:,} rows without text or label skipped)",
            soft_wrap=True,
        )
        console.print(
            f"  {ai['cv_folds']}-fold cross-validated accuracy {ai['cv_accuracy']:.3f}, macro-F1 "
            f"{ai['cv_macro_f1']:.3f}; calibration error {ai['calibration_ece']:.3f}",
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
    """Add `carlzon train` to the app."""
    app.command("train")(train_command)
