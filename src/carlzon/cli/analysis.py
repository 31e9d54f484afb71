"""CLI: `carlzon metrics`, `carlzon drivers` and `carlzon impact` (thin shells over carlzon.analysis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from carlzon.cli.common import StoreOption, console, print_json, shown, store_url
from carlzon.cli.places import HierarchyOption, LocationOption, place_moments
from carlzon.errors import AnalysisError

__all__ = ["register"]


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    return f"{v:.1%}" if pct else f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def _moments_from(file: Path | None, store: str | None, journey: str | None) -> pd.DataFrame:
    """Moments from a file (used as is when it has a valence column, else ingested and detected in memory) or the store."""
    from carlzon.store import open_store

    if file is None:
        with open_store(store_url(store), read_only=True) as st:
            return st.moments(with_text=False)
    from carlzon.analysis._io import read_table

    df = read_table(file)
    if "valence" in df.columns or not len(df):
        return df
    from carlzon.ingest import ingest

    with open_store(":memory:") as st:
        ingest(df, st, journey=journey, source=file.name)
        return st.moments(with_text=False)


def _visits_from_store(store: str | None) -> pd.DataFrame:
    """Customers' moments as visits, recovered or not from the recovery cases (see visits_from_store)."""
    from carlzon.loop.measures import visits_from_store
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        return visits_from_store(st)


def metrics(
    file: Path | None = typer.Argument(None, help="A survey export or moments file (default: the store)."),
    store: str | None = StoreOption,
    by: str | None = typer.Option(
        None, "--by", help="touchpoint, stage, phase, channel, segment:COLUMN or period:day|week|month."
    ),
    journey: str | None = typer.Option(
        None, "--journey", help="Journey for --by stage/phase and for detecting a raw file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """NPS, CSAT, CES, ratings, magic and misery rates with n and 95% intervals, overall or by group."""
    from carlzon.analysis.metrics import Metrics

    if location:
        m = Metrics(by=by, journey=journey).fit(place_moments(file, store, journey, location, hierarchy, _moments_from))
    elif file is None and by in (None, "touchpoint", "channel", "period:day"):
        from carlzon.store import open_store
        from carlzon.store.rollups import rollup_metrics

        with open_store(
            store_url(store), read_only=True
        ) as st:  # the rollups: the same numbers as the moments give, at any size
            m = rollup_metrics(st, by=by)
    else:
        m = Metrics(by=by, journey=journey).fit(_moments_from(file, store, journey))
    if as_json:
        print_json(m.to_dict())
        return
    table = Table(title=f"Metrics by {by or 'all'} (n = {m.n_:,} rows; 95% intervals)")
    for col in ("group", "metric", "value", "95% interval", "n", "note"):
        table.add_column(col, overflow="fold")
    for r in m.summary.to_dict(orient="records"):
        pct = r["metric"] in ("csat", "magic_rate", "misery_rate")
        table.add_row(
            shown(r["group"]),
            r["metric"],
            _fmt(r["value"], pct),
            f"{_fmt(r['ci_low'], pct)} to {_fmt(r['ci_high'], pct)}",
            f"{r['n']:,}",
            r["note"],
        )
    console.print(table)


def _store_survey(
    store: str | None, outcome: str, location: str | None = None, hierarchy: Path | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Per-touchpoint ratings from the store's interactions (their ratings JSON), with the outcome beside them
    (only the interactions at the places ``--location`` stands for)."""
    from carlzon.cli.places import at_places, places_of
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        df = at_places(st.interactions(), places_of(st, location, hierarchy)).reset_index(drop=True)
    if df.empty:
        raise AnalysisError("the store has no interactions", fix="run carlzon ingest FILE first")
    ratings = pd.DataFrame.from_records([json.loads(r) if isinstance(r, str) and r else {} for r in df["ratings"]])
    attrs = pd.DataFrame.from_records([json.loads(a) if isinstance(a, str) and a else {} for a in df["attributes"]])
    wide = pd.concat([ratings, df[[c for c in ("nps", "csat", "ces", "stars") if c in df]], attrs], axis=1)
    wide = wide.loc[:, ~wide.columns.duplicated()]
    drivers = [c for c in ratings.columns if c != outcome]
    if len(drivers) < 2:
        raise AnalysisError(
            "the store holds no per-touchpoint ratings to use as drivers",
            fix="ingest a survey with one rating column per touchpoint, or pass a FILE",
        )
    return wide, drivers


def drivers(
    file: Path | None = typer.Argument(None, help="A survey table: one row per response (default: the store)."),
    outcome: str | None = typer.Option(
        None,
        "--outcome",
        help="The outcome column (overall rating, NPS, satisfied, "
        "...); without it and without FILE: the store's key drivers per touchpoint, "
        "as the report and the dashboard show them.",
    ),
    driver_cols: str | None = typer.Option(
        None, "--drivers", help="Driver columns, comma separated (default: every numeric column)."
    ),
    positive: str | None = typer.Option(
        None, "--positive", help="The positive value of a yes/no outcome, e.g. satisfied."
    ),
    na: str | None = typer.Option(None, "--na", help="The value that means 'not applicable' in the ratings, e.g. 0."),
    method: str = typer.Option("relative-weights", "--method", help="relative-weights or shapley."),
    outcome_type: str = typer.Option("auto", "--outcome-type", help="auto, continuous, binary or ordinal."),
    boot: int = typer.Option(1000, "--boot", help="Bootstrap resamples for the intervals (0: none)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the bootstrap."),
    from_moments: bool = typer.Option(
        False,
        "--from-moments",
        help="Drivers are the moments at each touchpoint (their score, misery 0/1: --kinds) per customer, else per response, from the store's moments or FILE.",
    ),
    kinds: str = typer.Option(
        "score,misery",
        "--kinds",
        help="With --from-moments: drivers per touchpoint, comma "
        "separated: score (the moment's score), misery and/or magic (0/1).",
    ),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: n, r2, r2_kind, method, drivers, ..."),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="local, or spark: FILE may be a Parquet/Delta folder or a table "
        "name; continuous outcomes; needs carlzon[spark].",
    ),
    parquet_out: Path | None = typer.Option(
        None, "-o", "--out", help="With --engine spark: also write the driver table as Parquet."
    ),
    stated: bool = typer.Option(
        False,
        "--stated",
        help="Stated importance (from carlzon's surveys in the store) beside "
        "derived importance, per persona, with the gaps in words.",
    ),
    survey: str | None = typer.Option(None, "--survey", help="With --stated: only this survey (id or YAML)."),
    journey: str | None = typer.Option(
        None,
        "--journey",
        help="The journey of the store's key drivers, or with --from-moments and a raw FILE: the journey "
        "to detect its moments with (default: the one its texts speak of).",
    ),
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """Key drivers: each touchpoint's share of the explained outcome, with intervals and quadrants."""
    from carlzon.analysis.drivers import KeyDrivers

    if location and (stated or engine != "local"):
        raise AnalysisError(
            "--location does not apply to --stated or --engine spark",
            fix="leave --location out, or use the store's key drivers or --from-moments",
        )
    if stated:
        from carlzon.cli.survey import stated_drivers

        return stated_drivers(store, survey, as_json, boot, seed)
    if outcome is None and file is None and not from_moments and engine == "local":
        return _store_key_drivers(store, journey, as_json, location, hierarchy)
    if outcome is None:
        raise AnalysisError(
            "--outcome is needed", fix="name the outcome column, e.g. --outcome overall (or use --stated)"
        )

    if engine not in ("local", "spark"):
        raise AnalysisError(f"unknown engine {engine!r}", fix="use --engine local or --engine spark")
    if engine == "spark":
        if file is None or from_moments or positive is not None or outcome_type not in ("auto", "continuous"):
            raise AnalysisError(
                "--engine spark reads a survey table (FILE: a path or a table) with a rating outcome",
                fix="give FILE; for yes/no or ordinal outcomes or --from-moments use --engine local",
            )
        from carlzon.spark.cli import drivers_to_parquet

        data, cols = None, ([c.strip() for c in driver_cols.split(",") if c.strip()] if driver_cols else None)
    elif from_moments:
        from carlzon.analysis.moment_drivers import MomentDrivers

        data = (
            place_moments(file, store, journey, location, hierarchy, _moments_from)
            if location
            else _moments_from(file, store, journey)
        )
        cols = None
    elif file is not None:
        from carlzon.analysis._io import read_table

        data = read_table(file)
        if location:
            data = _file_places(data, location, hierarchy)
        cols = [c.strip() for c in driver_cols.split(",") if c.strip()] if driver_cols else None
    else:
        data, cols = _store_survey(store, outcome, location, hierarchy)
        if driver_cols:
            cols = [c.strip() for c in driver_cols.split(",") if c.strip()]
    na_value: Any = None
    if na is not None:
        try:
            na_value = float(na)
        except ValueError:
            raise AnalysisError(f"--na {na!r} is not a number", fix="ratings are numbers: use e.g. --na 0") from None
    if engine == "spark":
        kd = drivers_to_parquet(
            str(file), outcome, cols, out=parquet_out, method=method, n_boot=boot, na_values=na_value, seed=seed
        )
    elif from_moments:
        kd = MomentDrivers(
            kinds=tuple(k.strip() for k in kinds.split(",") if k.strip()),
            method=method,
            outcome_type=outcome_type,
            n_boot=boot,
            seed=seed,
            positive=positive,
        )
        kd.fit(data, outcome)
    else:
        kd = KeyDrivers(method, outcome_type=outcome_type, n_boot=boot, na_values=na_value, seed=seed)  # type: ignore[arg-type]
        kd.fit(data, outcome, cols, positive=positive)
    out = kd.to_dict()
    if as_json:
        print_json(out)
        return
    title = (
        f"Key drivers of {outcome} ({method}; n = {out['n']:,}; {out['r2_kind']} = {out['r2']:.3f}; "
        f"{out['n_boot']} resamples)"
    )
    table = Table(title=title)
    for col in ("driver", "importance", "95% interval", "performance", "n", "quadrant"):
        table.add_column(col, overflow="fold")
    for d in out["drivers"]:
        table.add_row(
            shown(d["driver"]),
            _fmt(d["importance"], True),
            f"{_fmt(d['ci_low'], True)} to {_fmt(d['ci_high'], True)}",
            _fmt(d["performance"]),
            f"{d['n']:,}",
            d["quadrant"],
        )
    console.print(table)
    if "touchpoints" in out:
        console.print(
            "By touchpoint (its drivers together): "
            + ", ".join(f"{shown(t['touchpoint'])} {t['importance']:.1%}" for t in out["touchpoints"]),
            soft_wrap=True,
            highlight=False,
        )
    console.print(f"Missing ratings: {out['n_missing_handled']:,} rows, {out['missing_how']}.")
    for note in out["notes"]:
        console.print(note)


def _file_places(data: pd.DataFrame, location: str, hierarchy: Path | None) -> pd.DataFrame:
    """The rows of a survey table at the places ``--location`` stands for (its ``location`` column)."""
    from carlzon.cli.places import at_places
    from carlzon.hierarchy import load_hierarchy, resolve_locations

    if "location" not in data.columns:
        raise AnalysisError("this table has no 'location' column", fix="leave --location out, or add the column")
    h = load_hierarchy(hierarchy) if hierarchy else None
    known = sorted(data["location"].dropna().astype(str).unique())
    return at_places(data, resolve_locations(location, h, known)).reset_index(drop=True)


def _store_key_drivers(
    store: str | None,
    journey: str | None,
    as_json: bool,
    location: str | None = None,
    hierarchy: Path | None = None,
) -> None:
    """`carlzon drivers` on a store: each touchpoint's importance, performance and quadrant, as the report's
    key moments and the dashboard's /api/drivers give them (carlzon.analysis.key_moments), at the places
    ``--location`` stands for."""
    from carlzon.analysis.key_moments import key_drivers
    from carlzon.cli.places import places_of
    from carlzon.report.query import Scope
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        out = key_drivers(st, Scope(locations=places_of(st, location, hierarchy)), journey=journey)
    if as_json:
        print_json(out)
        return
    if not out["n"]:
        raise AnalysisError("the store has no moments", fix="run carlzon ingest FILE first (or carlzon demo)")
    table = Table(
        title=f"Key drivers (n = {out['n']:,} moments; importance: {out['method']}; performance: {out['performance']})"
    )
    for col in ("touchpoint", "importance", "performance", "n", "quadrant"):
        table.add_column(col, overflow="fold")
    for d in out["drivers"]:
        table.add_row(
            shown(d["name"]), _fmt(d["importance"], True), _fmt(d["performance"]), f"{d['n']:,}", d["quadrant"]
        )
    console.print(table)


def impact(
    file: Path | None = typer.Argument(
        None, help="Visits: customer_id, timestamp and state (or misery/valence, recovered)."
    ),
    store: str | None = StoreOption,
    customers: Path | None = typer.Option(
        None, "--customers", help="A customers table with churned_at per customer_id."
    ),
    return_days: float = typer.Option(90, "--return-days", help="Days within which a return counts."),
    churn_days: float = typer.Option(
        180, "--churn-days", help="Without churned_at: no visit for this many days is churn."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Effect on loyalty: return after misery (recovered or not) vs none, and the churn hazard ratio."""
    from carlzon.analysis._io import read_table
    from carlzon.analysis.impact import LoyaltyImpact

    visits = read_table(file) if file is not None else _visits_from_store(store)
    cust = read_table(customers) if customers is not None else None
    li = LoyaltyImpact(return_days=return_days, churn_days=churn_days).fit(visits, cust)
    out = li.to_dict()
    if file is None:
        out["caveat"] = (
            "visits are all of a customer's interactions in the store, so a reply to a follow-up "
            "counts as a return; for a clean estimate pass a visits file (customer_id, timestamp, "
            "state or misery/recovered) as FILE"
        )
    if visits.attrs:
        out["left_out"] = {
            **visits.attrs,
            "why": "misery with an open case (outcome not known yet), or with a case "
            "closed only by the customer's return (the outcome itself)",
        }
    if as_json:
        print_json(out)
        return
    table = Table(
        title=f"Return within {return_days:g} days by visit (n = {out['n_visits']:,} visits of "
        f"{out['n_customers']:,} customers)"
    )
    for col in ("after", "return rate", "95% interval", "n", "note"):
        table.add_column(col)
    for r in out["return"]:
        table.add_row(
            r["state"],
            _fmt(r["return_rate"], True),
            f"{_fmt(r['ci_low'], True)} to {_fmt(r['ci_high'], True)}",
            f"{r['n']:,}",
            r["note"],
        )
    console.print(table)
    hr = Table(title=f"Churn hazard ratio vs no misery ({out['churn_definition']}; {out['n_churned']:,} churned)")
    for col in ("after", "hazard ratio", "95% interval", "n intervals"):
        hr.add_column(col)
    for r in out["hazard_ratios"]:
        hr.add_row(
            r["covariate"],
            _fmt(r["hazard_ratio"]),
            f"{_fmt(r['ci_low'])} to {_fmt(r['ci_high'])}",
            f"{r['n_intervals']:,}",
        )
    console.print(hr)
    console.print(out["statement"])
    if "left_out" in out:
        lo = out["left_out"]
        console.print(
            f"Left out: {lo['open_cases']:,} misery with an open case, {lo['closed_by_return']:,} with a case "
            "closed only by the customer's return."
        )
    if "caveat" in out:
        console.print(f"Caveat: {out['caveat']}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("metrics")(metrics)
    app.command("drivers")(drivers)
    app.command("impact")(impact)
