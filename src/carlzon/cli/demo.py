"""`carlzon demo` and `carlzon simulate`: a simulated airline in a fresh store, or a data set on disk.

carlzon demo                         # ./carlzon.db filled with a simulated airline, and a summary
carlzon demo --seed 7 --store demo.db
carlzon simulate --journey coffee_shop --customers 500 -o coffee/   # CSV files and truth.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from carlzon.cli.common import DEFAULT_STORE, StoreOption, console, print_json, store_url
from carlzon.errors import CarlzonError, StoreError

__all__ = ["demo_summary", "register"]

_TOP = 5


def _is_file_store(url: str) -> bool:
    return "://" not in url or url.startswith("sqlite:///")


def _file_of(url: str) -> Path:
    return Path(url[len("sqlite:///") :] if url.startswith("sqlite:///") else url)


def _foreign_sources(url: str) -> list[str]:
    """Sources in an existing store that the demo did not write (empty list: safe to replace)."""
    from carlzon.simulate import DEMO_SOURCE
    from carlzon.store import open_store

    with open_store(url) as st:
        df = st.query("SELECT DISTINCT source FROM interactions")
    return sorted(str(s) for s in df["source"] if s != DEMO_SOURCE)


def _prepare_store(url: str, force: bool) -> None:
    """Refuse to touch a store that holds someone's own data, unless forced; remove an old demo file."""
    if _is_file_store(url):
        path = _file_of(url)
        if not path.exists():
            return
        try:
            foreign = _foreign_sources(url)
        except StoreError:
            foreign = ["(not a carlzon store)"]
        if foreign and not force:
            raise CarlzonError(
                f"{path} holds data that is not from the demo (sources: {', '.join(foreign[:3])})",
                fix=f"pass --store demo.db to use another file, or --force to replace {path}",
            )
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(path) + suffix)
            if p.exists():
                p.unlink()
        return
    foreign = _foreign_sources(url)
    if foreign and not force:
        raise CarlzonError(
            f"the store holds data that is not from the demo (sources: {', '.join(foreign[:3])})",
            fix="use an empty database, or pass --force to add the demo's rows next to that data (nothing is deleted)",
        )


def _share(k: int, n: int) -> str:
    from carlzon.analysis.intervals import wilson_interval

    if n == 0:
        return "n=0"
    est, lo, hi = wilson_interval(k, n)
    return f"{est:.1%} ({lo:.1%}-{hi:.1%})"


def demo_summary(store: Any) -> dict[str, Any]:
    """Counts the demo prints: customers, interactions by channel, moments by valence, top misery touchpoints."""
    inter = store.query(
        "SELECT channel, COUNT(*) AS n, COUNT(DISTINCT customer_id) AS customers FROM interactions GROUP BY channel"
    )
    customers = store.query("SELECT COUNT(DISTINCT customer_id) AS n FROM interactions WHERE customer_id IS NOT NULL")
    val = store.query("SELECT valence, COUNT(*) AS n FROM moments GROUP BY valence")
    tps = store.query(
        "SELECT touchpoint, COUNT(*) AS n, "
        "SUM(CASE WHEN valence = 'misery' THEN 1 ELSE 0 END) AS misery "
        "FROM moments GROUP BY touchpoint"
    )
    n_moments = int(val["n"].sum()) if len(val) else 0
    tps = tps[tps["touchpoint"].fillna("unknown") != "unknown"].sort_values(["misery", "n"], ascending=False)
    return {
        "customers": int(customers["n"].iloc[0]) if len(customers) else 0,
        "interactions": int(inter["n"].sum()) if len(inter) else 0,
        "channels": {str(r.channel): int(r.n) for r in inter.itertuples()},
        "moments": n_moments,
        "valence": {str(r.valence): int(r.n) for r in val.itertuples()},
        "top_misery": [
            {"touchpoint": str(r.touchpoint), "misery": int(r.misery), "n": int(r.n)}
            for r in tps.head(_TOP).itertuples()
        ],
    }


def _print_summary(s: dict[str, Any], truth: dict[str, Any], seconds: float, where: str, out: Console) -> None:
    out.print(
        f"[bold]carlzon demo[/bold]: a simulated {truth['journey']} journey, seed {truth['seed']}, "
        f"{truth['start']} to {truth['today']} ({truth['days']} days), stored in {where} in {seconds:.1f} s"
    )
    t = Table(title="What is in the store", title_justify="left", show_header=False)
    t.add_column("", style="bold")
    t.add_column("", justify="right")
    t.add_row("customers", f"{s['customers']:,}")
    t.add_row("interactions", f"{s['interactions']:,}")
    for ch, n in sorted(s["channels"].items(), key=lambda kv: -kv[1]):
        t.add_row(f"  {ch}", f"{n:,}")
    out.print(t)
    n = s["moments"]
    v = Table(title=f"Moments by valence (n={n:,}; share with 95% interval)", title_justify="left")
    v.add_column("valence")
    v.add_column("n", justify="right")
    v.add_column("share", justify="right")
    style = {"magic": "green", "misery": "red", "neutral": "dim"}
    for name in ("magic", "misery", "neutral"):
        k = s["valence"].get(name, 0)
        v.add_row(f"[{style[name]}]{name}[/]", f"{k:,}", _share(k, n))
    out.print(v)
    m = Table(title="Touchpoints with the most moments of misery", title_justify="left")
    m.add_column("touchpoint")
    m.add_column("misery", justify="right")
    m.add_column("of moments (n)", justify="right")
    m.add_column("misery rate (95% interval)", justify="right")
    for r in s["top_misery"]:
        m.add_row(r["touchpoint"], f"{r['misery']:,}", f"{r['n']:,}", _share(r["misery"], r["n"]))
    out.print(m)
    e = truth["emerging"]
    out.print(
        f"Planted for you to find: a rise in misery at [bold]{e['touchpoint']}[/bold] in {e['location']} "
        f"from {e['start']} ({e['theme']})."
    )
    out.print(
        "Next: [bold]carlzon report[/bold], [bold]carlzon alerts[/bold], "
        f"[bold]carlzon magic --date {truth['today']}[/bold], [bold]carlzon serve[/bold]."
    )


def _after_ingest(store: Any, out: Console) -> None:
    """Hook run after the demo data are stored: writes report.html next to the store (issue 5)."""
    from carlzon.cli.show import demo_report

    demo_report(store, out)


def demo_command(
    store: str | None = StoreOption,
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same data."),
    customers: int = typer.Option(2000, "--customers", min=20, help="Customers to simulate."),
    days: int = typer.Option(180, "--days", min=30, help="Days to simulate."),
    force: bool = typer.Option(False, "--force", help="Replace a store that holds data not from the demo."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    open_browser: bool = typer.Option(False, "--open", help="Open the report in a browser when one is there."),
) -> None:
    """Simulate an airline, ingest it into a fresh store (./carlzon.db), print a short summary and write the report.

    An existing demo store is replaced; a store with your own data is left alone unless --force.
    """
    from carlzon.simulate import simulate, store_simulation
    from carlzon.store import open_store

    url = store_url(store)
    _prepare_store(url, force)
    t0 = time.perf_counter()
    sim = simulate("airline", seed=seed, customers=customers, days=days)
    with open_store(url) as st:
        stored = store_simulation(sim, st, progress=not as_json and sys.stderr.isatty())
        summary = demo_summary(st)
        seconds = time.perf_counter() - t0
        where = str(_file_of(url)) if _is_file_store(url) else st.url_safe if hasattr(st, "url_safe") else "the store"
        if as_json:
            r = stored["ingest"]
            print_json(
                {
                    **summary,
                    "store": where,
                    "seconds": round(seconds, 2),
                    "today": sim.truth["today"],
                    "ingest": {
                        "read": r.read,
                        "stored": r.stored,
                        "duplicates": r.duplicates,
                        "quarantined": r.quarantined,
                    },
                    "visits": stored["visits"],
                }
            )
        else:
            _print_summary(summary, sim.truth, seconds, where, console)
        _after_ingest(st, console)


def simulate_command(
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write the CSV files and truth.json to."),
    journey: str = typer.Option("airline", "--journey", "-j", help="Journey template name or YAML path."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same data."),
    customers: int = typer.Option(2000, "--customers", min=20, help="Customers to simulate."),
    days: int = typer.Option(180, "--days", min=30, help="Days to simulate."),
    start: str = typer.Option("2026-01-01", "--start", help="First simulated day (YYYY-MM-DD)."),
) -> None:
    """Write a simulated data set: interactions, customers, events, survey, visits (CSV) and truth.json."""
    from carlzon.simulate import simulate

    sim = simulate(journey, seed=seed, customers=customers, start=start, days=days)
    paths = sim.write(output)
    t = Table(title=f"Simulated {sim.journey.name} (seed {seed}) in {output}", title_justify="left")
    t.add_column("file")
    t.add_column("rows", justify="right")
    for name, path in paths.items():
        rows = len(getattr(sim, name)) if name != "truth" else len(sim.truth)
        t.add_row(path.name, f"{rows:,}" if name != "truth" else f"{rows} truths")
    console.print(t)
    console.print(f"Ingest it with: carlzon ingest {paths['interactions']} --journey {sim.journey.name}")


def register(app: typer.Typer) -> None:
    """Add `demo` and `simulate` to the app."""
    app.command("demo")(demo_command)
    app.command("simulate")(simulate_command)


_ = DEFAULT_STORE
