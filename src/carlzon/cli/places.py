"""CLI: `carlzon locations` (places ranked fairly, with focus areas and best practice)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from carlzon.cli.common import StoreOption, console, print_json, shown, store_url
from carlzon.errors import AnalysisError

__all__ = ["HierarchyOption", "LocationOption", "location_scope", "places_of", "register"]

LocationOption = typer.Option(
    None,
    "--location",
    help="Only this place, or the places of this region or area of --hierarchy (several comma separated).",
)
HierarchyOption = typer.Option(None, "--hierarchy", help="A CSV or YAML file: location, name, area, region per place.")


def location_scope(store: Any, location: str | None, hierarchy: Any) -> tuple[str, ...] | None:
    """The places ``--location`` stands for (None: every place), checked against the store's places;
    areas and regions from ``hierarchy`` (a Hierarchy; None: the one stored in the store)."""
    from carlzon.places import place_scope

    return place_scope(store, location, hierarchy)


def places_of(store: Any, location: str | None, hierarchy_file: Path | None) -> tuple[str, ...] | None:
    """:func:`location_scope` with ``--hierarchy FILE`` (read when given)."""
    from carlzon.hierarchy import load_hierarchy

    if not location:
        return None
    return location_scope(store, location, load_hierarchy(hierarchy_file) if hierarchy_file else None)


def at_places(m: Any, places: tuple[str, ...] | None) -> Any:
    """The rows of ``m`` (with a ``location`` column) at ``places`` (None: all of them)."""
    if places is None:
        return m
    if "location" not in m.columns:
        raise AnalysisError("these moments carry no place", fix="ingest a file with a store / hotel / branch column")
    return m[m["location"].astype("string").isin(places).fillna(False).to_numpy()]


def place_moments(
    file: Any, store: str | None, journey: str | None, location: str, hierarchy: Path | None, read: Any
) -> Any:
    """The moments of ``read(file, store, journey)`` at the places ``--location`` stands for (a file's
    places, or the store's with its stored hierarchy)."""
    from carlzon.hierarchy import load_hierarchy, resolve_locations

    m = read(file, store, journey)
    if "location" not in m.columns:
        raise AnalysisError("these moments carry no place", fix="ingest a file with a store / hotel / branch column")
    h = load_hierarchy(hierarchy) if hierarchy else None
    if file is None:
        from carlzon.store import open_store

        with open_store(store_url(store), read_only=True) as st:
            return at_places(m, location_scope(st, location, h))
    return at_places(m, resolve_locations(location, h, sorted(m["location"].dropna().astype(str).unique())))


def _save(store: str | None, path: Path) -> None:
    from carlzon.hierarchy import load_hierarchy
    from carlzon.places import known_places, save_hierarchy
    from carlzon.store import open_store

    h = load_hierarchy(path)
    with open_store(store_url(store)) as st:
        n = save_hierarchy(st, h)
        unknown = sorted(set(known_places(st)) - set(h.table["location"]))
    console.print(f"Stored the hierarchy of {n} places ({h!r}).")
    if unknown:
        console.print(
            f"{len(unknown)} place(s) of the store are not in it (e.g. {', '.join(unknown[:5])}): they stand alone."
        )


def _pm(v: float) -> str:
    return f"{v:+.2f}"


def locations(
    store: str | None = StoreOption,
    hierarchy_file: Path | None = HierarchyOption,
    level: str = typer.Option(
        "location", "--level", help="location, area or region (area and region need --hierarchy)."
    ),
    location: str | None = LocationOption,
    since: str | None = typer.Option(None, "--since", help="Only moments from this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only moments before this date (YYYY-MM-DD)."),
    fdr: float = typer.Option(0.05, "--fdr", help="False discovery rate of the focus areas and best practice."),
    min_misery: int = typer.Option(3, "--min-misery", help="Fewest moments of misery a focus area rests on."),
    alerts: bool = typer.Option(
        False,
        "--alerts",
        help="Instead: alerts per place and touchpoint (minimum evidence "
        "stated, one per ongoing problem, severity, rolled up to areas and regions).",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print one JSON object: locations (location, n, score, low, high, "
        "shrunk, shrunk_low, shrunk_high, focus_areas, ...), focus_areas, best_practice, chain.",
    ),
    save_hierarchy: Path | None = typer.Option(
        None,
        "--save-hierarchy",
        help="Store this hierarchy (CSV or YAML) in the store, in place of the one before: the dashboard, "
        "the API and every --location then know its areas and regions without --hierarchy.",
    ),
) -> None:
    """Places ranked fairly: n, score with its interval, a shrunk estimate, focus areas and best practice."""
    if save_hierarchy is not None:
        _save(store, save_hierarchy)
        return
    if alerts:
        _alerts(store, hierarchy_file, location, since, until, as_json)
        return
    from carlzon.analysis.locations import rank_locations
    from carlzon.hierarchy import LEVELS, load_hierarchy
    from carlzon.report.query import Scope
    from carlzon.store import open_store

    if level not in LEVELS:
        raise AnalysisError(f"unknown level {level!r}", fix="use --level location, area or region")
    from carlzon.places import stored_hierarchy

    h = load_hierarchy(hierarchy_file) if hierarchy_file else None
    with open_store(store_url(store), read_only=True) as st:
        h = h if h is not None else stored_hierarchy(st)
        scope = Scope(since=since, until=until, locations=location_scope(st, location, h))
        r = rank_locations(st, scope, hierarchy=h, level=level, fdr=fdr, min_misery=min_misery)
    if as_json:
        print_json(r.to_dict())
        return
    c = r.chain_
    table = Table(
        title=f"{c['places']} {level}s, {c['n']:,} interactions; chain score {_pm(c['score'])} "
        "(magic - misery share, higher is better; 95% intervals)"
    )
    for col in (
        "rank",
        level,
        "n",
        "score (interval)",
        "shrunk (interval)",
        "vs chain",
        "focus areas",
        "best practice",
    ):
        table.add_column(col, overflow="fold")
    f = r.focus_
    for row in r.table_.itertuples():
        mine = f[f["location"] == row.location]
        focus = ", ".join(
            f"{t} (learn from {lf})" if lf else t
            for t, lf in mine.loc[mine["kind"] == "focus", ["touchpoint", "learn_from"]].itertuples(index=False)
        )
        best = ", ".join(mine.loc[mine["kind"] == "best", "touchpoint"])
        table.add_row(
            str(row.rank),
            shown(row.name),
            f"{row.n:,}",
            f"{_pm(row.score)} ({_pm(row.low)} to {_pm(row.high)})",
            f"{_pm(row.shrunk)} ({_pm(row.shrunk_low)} to {_pm(row.shrunk_high)})",
            row.vs_chain,
            shown(focus or "-"),
            shown(best or "-"),
        )
    console.print(table)
    console.print(r.to_dict()["method"])


def _alerts(
    store: str | None,
    hierarchy_file: Path | None,
    location: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> None:
    from carlzon.analysis.place_alerts import PlaceAlerts, daily_cells
    from carlzon.hierarchy import load_hierarchy
    from carlzon.report.query import Scope, where_sql
    from carlzon.store import open_store

    from carlzon.places import stored_hierarchy

    h = load_hierarchy(hierarchy_file) if hierarchy_file else None
    with open_store(store_url(store), read_only=True) as st:
        h = h if h is not None else stored_hierarchy(st)
        where, params = where_sql(Scope(since=since, until=until, locations=location_scope(st, location, h)))
        m = st.query(
            "SELECT m.timestamp, m.touchpoint, m.valence, i.location FROM moments m "
            f"LEFT JOIN interactions i ON i.id = m.interaction_id{where}",
            params or None,
        )
    a = PlaceAlerts(hierarchy=h).fit(daily_cells(m))
    if as_json:
        print_json(a.to_dict())
        return
    table = Table(title=f"{len(a.alerts_)} alerts per place and touchpoint")
    for col in ("severity", "where", "touchpoint", "since", "last", "status", "evidence"):
        table.add_column(col, overflow="fold")
    for r in a.alerts_.itertuples():
        where_ = r.location if r.level == "location" else f"{r.level} {r.location} ({len(r.places)} places)"
        table.add_row(
            r.severity,
            shown(where_),
            shown(r.touchpoint),
            f"{r.first_day:%Y-%m-%d}",
            f"{r.last_day:%Y-%m-%d}",
            r.status,
            f"{r.window_misery} of {r.window_n} misery ({r.rate:.0%} vs {r.baseline_rate:.0%} before)",
        )
    console.print(table)
    console.print(f"An alert needs {a.rule}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("locations")(locations)


def place_report(
    url: str,
    output: Path,
    *,
    location: str | None,
    by: str | None,
    hierarchy: Path | None,
    journey: str | None,
    since: str | None,
    until: str | None,
    include_personal_data: bool,
) -> Path:
    """`carlzon report --location X` (one place or level) or `--by location` (a folder of reports and an index)."""
    from carlzon.analysis.locations import rank_locations
    from carlzon.hierarchy import load_hierarchy
    from carlzon.report.places import write_by_location, write_place_report
    from carlzon.report.query import Scope
    from carlzon.store import open_store

    if by not in (None, "location"):
        raise AnalysisError(f"unknown --by {by!r} for the report", fix="use --by location")
    if by and location:
        raise AnalysisError("--by location writes every place; --location writes one", fix="pass one of them")
    from carlzon.places import stored_hierarchy

    h = load_hierarchy(hierarchy) if hierarchy else None
    with open_store(url, read_only=True) as st:
        h = h if h is not None else stored_hierarchy(st)
        if by:
            folder = output.with_suffix("") if output.suffix == ".html" else output
            path = write_by_location(
                st,
                folder,
                hierarchy=h,
                journey=journey,
                since=since,
                until=until,
                include_personal_data=include_personal_data,
            )
        else:
            places = location_scope(st, location, h) or ()
            r = rank_locations(st, Scope(since=since, until=until), hierarchy=h)
            path = write_place_report(
                st,
                output,
                places,
                ranking=r,
                journey=journey,
                since=since,
                until=until,
                include_personal_data=include_personal_data,
            )
    console.print(f"Report written: [bold]{path.resolve()}[/bold] (self-contained, works offline)", soft_wrap=True)
    return path
