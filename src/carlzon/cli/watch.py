"""CLI: `carlzon themes`, `carlzon alerts` (emerging problems, optional webhook) and `carlzon paths`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from carlzon.cli.common import (
    BaseUrlOption,
    FromOption,
    NotifyOptions,
    SlackOption,
    SmtpHostOption,
    SmtpPasswordOption,
    SmtpPortOption,
    SmtpUserOption,
    StartTlsOption,
    StoreOption,
    TeamsOption,
    ToOption,
    console,
    err_console,
    notifier_for,
    print_json,
    shown,
    steps_bar,
    store_url,
)
from carlzon.cli.places import HierarchyOption, LocationOption, at_places, places_of
from carlzon.errors import AnalysisError

__all__ = ["register"]


def _moments(  # type: ignore[no-untyped-def]
    store: str | None, since: str | None = None, location: str | None = None, hierarchy: Path | None = None
):
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        places = places_of(st, location, hierarchy)
        return at_places(st.moments(since=since, with_text=True), places)


def themes(
    store: str | None = StoreOption,
    since: str | None = typer.Option(None, "--since", help="Only moments from this date (YYYY-MM-DD)."),
    valence: str = typer.Option("both", "--valence", help="misery, magic or both."),
    touchpoint: str | None = typer.Option(None, "--touchpoint", help="Only themes of this touchpoint id."),
    min_size: int = typer.Option(5, "--min-size", help="Fewest moments a theme may have."),
    as_json: bool = typer.Option(False, "--json", help='Print JSON: {"themes": [...], "n", "unassigned_share"}.'),
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """What customers talk about in moments of misery and magic, per touchpoint (labels, counts, trend)."""
    from carlzon.analysis.themes import Themes

    if valence not in ("misery", "magic", "both"):
        raise AnalysisError(f"unknown valence {valence!r}", fix="use --valence misery, magic or both")
    from carlzon.analysis.emerging import mention_texts

    m = _moments(store, since, location, hierarchy)
    if touchpoint:
        m = m[m["touchpoint"] == touchpoint]
    m = m.assign(text=mention_texts(m))  # what was said at each touchpoint (its mentions), not the whole review
    valences = ("misery", "magic") if valence == "both" else (valence,)
    th = Themes(valences=valences, min_size=min_size).fit(m)
    records = th.to_records()
    if as_json:
        print_json({"themes": records, "n": th.n_, "unassigned_share": th.unassigned_share_})
        return
    table = Table(title=f"Themes (n = {th.n_} moments, {th.unassigned_share_:.0%} in no theme)")
    for col in ("valence", "touchpoint", "theme", "n", "share", "trend", "example"):
        table.add_column(col, overflow="fold")
    for r in records:
        trend = f"{r['trend']} (n = {r['trend_n']})"
        table.add_row(
            r["valence"],
            shown(r["touchpoint"]),
            shown(r["label"]),
            str(r["n"]),
            f"{r['share']:.0%} of {r['group_n']}",
            trend,
            shown((r["examples"] or [""])[0][:120]),
        )
    console.print(table)


def alerts(
    store: str | None = StoreOption,
    since: str | None = typer.Option(
        None, "--since", help="Only alerts still active on or after this date (YYYY-MM-DD)."
    ),
    as_json: bool = typer.Option(False, "--json", help='Print JSON: {"alerts": [...]}.'),
    webhook: str | None = typer.Option(None, "--webhook", help="POST the alerts to this URL (Slack-compatible JSON)."),
    fdr: float = typer.Option(0.002, "--fdr", help="False-discovery rate of the daily tests."),
    retries: int = typer.Option(4, "--retries", help="Webhook retries (exponential back-off)."),
    days: int = typer.Option(
        60,
        "--days",
        help="Days, back from the last moment, whose problems are shown (the 120 "
        "before them are the baseline), as the report and the dashboard show them.",
    ),
    slack: list[str] | None = SlackOption,
    teams: list[str] | None = TeamsOption,
    smtp_host: str | None = SmtpHostOption,
    smtp_port: int = SmtpPortOption,
    starttls: bool = StartTlsOption,
    smtp_user: str | None = SmtpUserOption,
    smtp_password: str | None = SmtpPasswordOption,
    sender: str = FromOption,
    to: list[str] | None = ToOption,
    base_url: str = BaseUrlOption,
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """Emerging problems: rises in misery per touchpoint, theme and location against their own baseline.

    With --slack, --teams or --smtp-host, each ongoing problem is told once and updated as it grows
    (deduplicated in the store, as ``cases notify``); --webhook posts every alert as it is."""
    opts = NotifyOptions(
        slack=slack,
        teams=teams,
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        starttls=starttls,
        smtp_user=smtp_user,
        smtp_password=smtp_password,
        sender=sender,
        to=to,
        base_url=base_url,
    )
    from carlzon.analysis.emerging import emerging_problems
    from carlzon.store import open_store

    told = None
    with (
        open_store(store_url(store), read_only=not opts.any()) as st,  # telling records each problem in the store
        steps_bar(not as_json and sys.stderr.isatty()) as tick,
    ):
        from carlzon.report.query import Scope

        notifier = notifier_for(st, opts) if opts.any() else None
        scope = Scope(locations=places_of(st, location, hierarchy))
        found = emerging_problems(st, scope, days=days, fdr=fdr, active_since=since, progress=tick)["alerts"]
        if notifier is not None:
            told = notifier.alerts(found)
            err_console.print(
                f"told: {len(told['sent'])} problem(s) sent, {len(told['updated'])} updated, {len(told['held'])} held"
            )
    for a in found:
        a.pop("touchpoint_name", None)
    if webhook:
        from carlzon.alerts_sink import post_alerts

        sent = post_alerts(webhook, found, retries=retries)
        err_console.print(
            f"webhook: sent {sent['alerts']} alert(s), HTTP {sent['status']} after {sent['attempts']} attempt(s)"
        )
    if as_json:
        print_json({"alerts": found})
        return
    if not found:
        console.print("No emerging problems.")
        return
    table = Table(title=f"Emerging problems ({len(found)})")
    table.add_column("touchpoint", no_wrap=True)  # an id stays whole (search and copy it); the rest wraps
    for col in ("theme", "location", "since", "count vs baseline", "example"):
        table.add_column(col, overflow="fold")
    for a in found:
        table.add_row(
            shown(a["touchpoint"]),
            shown(a["theme"] or "-"),
            shown(a["location"] or "all"),
            a["since"],
            f"{a['count']} vs {a['baseline']} (n = {a['count']}, {a['days']} d)",
            shown((a["examples"] or [""])[0][:120]),
        )
    console.print(table)


def paths(
    file: Path = typer.Argument(..., help="Event log: customer id, step, timestamp (csv, parquet, jsonl, xlsx)."),
    journey: str | None = typer.Option(
        None, "--journey", help="Journey template or YAML, to map steps to touchpoints."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (variants, steps, edges, unmapped steps, misery)."),
    svg: Path | None = typer.Option(None, "--svg", help="Write the directly-follows graph to this SVG file."),
    store: str | None = typer.Option(None, "--store", help="Store whose moments of misery are placed along the path."),
    customer: str | None = typer.Option(None, "--customer", help="Customer id column (default: detected)."),
    step: str | None = typer.Option(None, "--step", help="Step column (default: detected)."),
    time: str | None = typer.Option(None, "--time", help="Timestamp column (default: detected)."),
    case_gap: str = typer.Option(
        "12h", "--case-gap", help="A new case starts after this much quiet (e.g. 12h, 30min)."
    ),
) -> None:
    """The journey customers really take: paths, drop-off, time between steps, directly-follows graph."""
    from carlzon.analysis._io import read_table
    from carlzon.analysis.paths import JourneyPaths, _fmt_duration

    events = read_table(file)
    jp = JourneyPaths(journey, case_gap=case_gap, customer_col=customer, step_col=step, time_col=time)
    jp.fit(events, moments=_moments(store) if store else None)
    if svg:
        svg.write_text(jp.svg(), encoding="utf-8")
    if as_json:
        print_json(jp.to_dict())
        return
    console.print(
        f"{jp.n_events_} events, {jp.n_cases_} cases of {jp.n_customers_} customers, {jp.n_variants_} variants"
    )
    t = Table(title="Paths customers really take")
    for col in ("cases", "share", "path"):
        t.add_column(col, overflow="fold")
    for r in jp.variants_.head(10).itertuples():
        t.add_row(str(r.cases), f"{r.share:.1%}", shown(r.path))
    console.print(t)
    s = Table(title="Steps in journey order")
    for col in ("step", "cases", "ended here", "next step (most often)", "median time", "p90"):
        s.add_column(col)
    edges = jp.edges_
    for r in jp.steps_.itertuples():
        out = edges[edges["source"] == r.step].head(1)
        nxt, med, p90 = "-", "-", "-"
        if len(out):
            e = out.iloc[0]
            nxt = shown(f"{e['target']} ({e['share_of_source']:.0%})")
            if e["median_s"] == e["median_s"]:
                med, p90 = f"{_fmt_duration(e['median_s'])} (n = {e['n']})", _fmt_duration(e["p90_s"])
        s.add_row(shown(r.step), str(r.cases), f"{r.drop_off:.0%} [{r.low:.0%}, {r.high:.0%}]", nxt, med, p90)
    console.print(s)
    if len(jp.unmapped_):
        console.print(
            shown(
                "Steps that match no touchpoint: "
                + ", ".join(f"{r.step} ({r.events})" for r in jp.unmapped_.itertuples())
            )
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("themes")(themes)
    app.command("alerts")(alerts)
    app.command("paths")(paths)
