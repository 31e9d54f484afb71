"""`carlzon ingest`, `carlzon quarantine` and `carlzon store`: get data in, see what was refused.

carlzon ingest survey.csv --journey airline          # account as a table
carlzon ingest export.xlsx --text Comment --nps NPS --json
carlzon ingest tickets.jsonl --map mapping.yaml --store postgresql://me@db/cx
carlzon quarantine --limit 20                        # rows that were refused, with reasons
carlzon store info                                   # backend, tables, migrations
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from carlzon.cli.common import StoreOption, console, print_json, shown, store_url

__all__ = ["register"]

_QUARANTINE_SHOWN = 100

store_app = typer.Typer(help="Look at the store: backend, tables and migrations.", no_args_is_help=True)


def ingest_command(
    file: Path = typer.Argument(..., help="CSV, TSV, JSON Lines, JSON, Parquet or Excel (.xlsx) export."),
    store: str | None = StoreOption,
    journey: str | None = typer.Option(
        None,
        "--journey",
        "-j",
        help="Journey template name or YAML path (default: the store's, else the template the texts speak of).",
    ),
    map_file: Path | None = typer.Option(None, "--map", help="YAML column mapping (field: column)."),
    text: str | None = typer.Option(None, "--text", help="Column with the customer's words."),
    id_: str | None = typer.Option(None, "--id", help="Column with a unique id per row."),
    customer: str | None = typer.Option(None, "--customer", help="Column with the customer id or email."),
    timestamp: str | None = typer.Option(None, "--timestamp", help="Column with the date and time."),
    nps: str | None = typer.Option(None, "--nps", help="Column with NPS (0-10)."),
    csat: str | None = typer.Option(None, "--csat", help="Column with CSAT (1-5)."),
    ces: str | None = typer.Option(None, "--ces", help="Column with CES (1-7)."),
    stars: str | None = typer.Option(None, "--stars", help="Column with the overall rating (1-5 stars)."),
    rating: list[str] | None = typer.Option(
        None, "--rating", help="Column rating a touchpoint or aspect (repeatable)."
    ),
    location: str | None = typer.Option(None, "--location", help="Column naming the place (store, hotel, branch)."),
    language: str | None = typer.Option(None, "--language", help="Column with each text's language."),
    channel: str | None = typer.Option(None, "--channel", help="Column naming the channel."),
    touchpoint: str | None = typer.Option(None, "--touchpoint", help="Column naming the touchpoint."),
    measure: list[str] | None = typer.Option(
        None, "--measure", help="Column with a measure such as a wait (repeatable)."
    ),
    dayfirst: bool | None = typer.Option(
        None, "--dayfirst/--monthfirst", help="Read 03/04/2026 as 3 April (default: decided from the dates themselves)."
    ),
    source: str | None = typer.Option(None, "--source", help="Source name stored with each row (default: file name)."),
    encoding: str = typer.Option(
        "utf-8", "--encoding", help="Text encoding of the file, e.g. cp1252 (UTF-16 is found by its byte-order mark)."
    ),
    max_field_mb: float = typer.Option(
        4.0, "--max-field-mb", min=0.001, help="Rows longer than this are quarantined unread."
    ),
    detect: bool = typer.Option(True, "--detect/--no-detect", help="Detect moments of magic and misery."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read and check everything, say what was understood, store nothing."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Rows whose id is already stored replace the stored "
        "ones (read again with this mapping, moments derived again): redo an ingest.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the account as one JSON object."),
) -> None:
    """Ingest an export: map its columns, quarantine bad rows, store the rest and detect moments.

    Every row is accounted for: read = stored + duplicates + quarantined. What each column was
    taken for is printed (and what was left as a plain attribute); ingesting the same file again
    adds nothing, unless --replace (another mapping or journey: the stored rows are read again).
    """
    from carlzon.ingest import ingest
    from carlzon.mapping import ColumnMapping

    flags = {
        "text": text,
        "id": id_,
        "customer_id": customer,
        "timestamp": timestamp,
        "nps": nps,
        "csat": csat,
        "ces": ces,
        "stars": stars,
        "channel": channel,
        "touchpoint": touchpoint,
        "location": location,
        "language": language,
    }
    mapping = ColumnMapping.from_yaml(map_file) if map_file else ColumnMapping()
    mapping = mapping.merged(
        ColumnMapping(
            fields={k: v for k, v in flags.items() if v},
            measures=list(measure or []),
            ratings=list(rating or []),
            dayfirst=dayfirst,
        )
    )
    result = ingest(
        file,
        store_url(store),
        journey=journey,
        mapping=mapping,
        source=source,
        detect=detect,
        progress=not as_json and sys.stderr.isatty(),
        encoding=encoding,
        dry_run=dry_run,
        max_field_bytes=int(max_field_mb * (1 << 20)),
        replace=replace,
    )
    if as_json:
        print_json(result.to_dict(max_quarantine=_QUARANTINE_SHOWN))
        return
    print_understanding(result)
    title = f"Dry run of {result.source} (nothing stored)" if result.dry_run else f"Ingested {result.source}"
    table = Table(title=str(shown(title)), title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    labels = (
        ("read", result.read),
        ("would be stored" if dry_run else "stored", result.stored),
        ("duplicates", result.duplicates),
        ("quarantined", result.quarantined),
    )
    if result.replaced:
        labels += (("of them replaced", result.replaced),)
    for label, value in labels + ((("moments", result.moments),) if not dry_run else ()):
        table.add_row(label, f"{value:,}")
    console.print(table)
    if result.quarantine:
        q = Table(
            title=f"Quarantined rows (first {min(len(result.quarantine), 10)} of {result.quarantined:,})",
            title_justify="left",
        )
        q.add_column("row", justify="right")
        q.add_column("reason")
        for item in result.quarantine[:10]:
            q.add_row(str(item["row"]), shown(item["reason"]))
        console.print(q)
        if not dry_run:
            console.print("See all of them with: carlzon quarantine")
    for hint in result.hints:
        console.print(f"[bold]Next:[/bold] {hint}", soft_wrap=True, highlight=False)


def print_understanding(result: Any) -> None:
    """What ingest understood: column -> role (scale, touchpoint), the journey and how sure, warnings,
    junk cleaned or flagged, languages."""
    m = result.mapping
    cols = m.get("columns") or []
    if cols:
        t = Table(title="What each column was taken for", title_justify="left")
        for name in ("column", "role", "scale", "touchpoint / aspect", "note"):
            t.add_column(name, overflow="fold")
        for c in cols:
            tp = c.get("touchpoint") or ""
            if c.get("aspect"):
                tp = f"{tp} ({c['aspect']})" if tp else f"({c['aspect']})"
            t.add_row(str(c["column"]), c["role"], c.get("scale", ""), tp, c.get("note", ""))
        console.print(t)
    choice = result.journey_choice or {}
    how = choice.get("how")
    if result.journey:
        sure = f": {choice['summary']}" if how == "chosen from the data" else f" ({how})" if how else ""
        console.print(f"[bold]Journey:[/bold] {result.journey}{sure}", soft_wrap=True, highlight=False)
    elif how == "unsure":
        console.print(
            f"[bold]Journey:[/bold] none ({choice.get('summary')}); pass --journey NAME",
            soft_wrap=True,
            highlight=False,
        )
    for note in m.get("notes", []):
        console.print(f"[bold]Read:[/bold] {note}", soft_wrap=True, highlight=False)
    for w in m.get("warnings", []):
        console.print(f"[bold yellow]Warning:[/bold yellow] {w}", soft_wrap=True, highlight=False)
    if result.text_notes:
        parts = ", ".join(f"{k} {v:,}" for k, v in sorted(result.text_notes.items(), key=lambda kv: -kv[1]))
        console.print(f"[bold]Texts:[/bold] {parts}", soft_wrap=True, highlight=False)
    if result.languages:
        parts = ", ".join(f"{k} {v:,}" for k, v in sorted(result.languages.items(), key=lambda kv: -kv[1])[:8])
        tail = f"; {result.not_read:,} not read (their ratings are used)" if result.not_read else ""
        console.print(f"[bold]Languages:[/bold] {parts}{tail}", soft_wrap=True, highlight=False)


def quarantine_command(
    store: str | None = StoreOption,
    limit: int = typer.Option(50, "--limit", "-n", help="Show at most this many rows (0: all)."),
    source: str | None = typer.Option(None, "--source", help="Only rows from this source (file name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """List the rows that ingest refused, with the row number, the reason and the raw text."""
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        total = int(
            st.query(
                "SELECT COUNT(*) AS n FROM quarantine" + (" WHERE source = :source" if source else ""),
                {"source": source} if source else None,
            )["n"].iloc[0]
        )
        df = st.quarantine(limit=limit or None, source=source)
    rows = [
        {"source": r.source, "row": None if pd.isna(r.row) else int(r.row), "reason": r.reason, "raw": r.raw}
        for r in df.itertuples()
    ]
    if as_json:
        print_json({"n": total, "shown": len(rows), "quarantine": rows})
        return
    table = Table(title=f"Quarantine ({len(rows):,} of n = {total:,})", title_justify="left")
    for col in ("source", "row", "reason", "raw"):
        table.add_column(col, overflow="fold", justify="right" if col == "row" else "left")
    for r in rows:
        raw = r["raw"] or ""
        table.add_row(
            shown(r["source"]), str(r["row"]), shown(r["reason"]), shown(raw[:80] + ("…" if len(raw) > 80 else ""))
        )
    console.print(table)


@store_app.command("info")
def store_info(
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the store's backend, row counts, applied migrations and recent ingest runs."""
    from carlzon.store import open_store

    with open_store(store_url(store)) as st:
        upgraded = _upgrade(st, as_json)
        counts = st.counts()
        migrations = st.query("SELECT version, name FROM schema_migrations ORDER BY version")
        runs = st.ingest_runs(limit=5)
        info = {
            "store": st.url_safe,
            "backend": st.backend,
            "counts": counts,
            "upgraded": upgraded.to_dict() if upgraded else None,
            "migrations": [{"version": int(v), "name": n} for v, n in zip(migrations["version"], migrations["name"])],
            "ingest_runs": [
                {
                    "source": r.source,
                    "read": int(r.read),
                    "stored": int(r.stored),
                    "duplicates": int(r.duplicates),
                    "quarantined": int(r.quarantined),
                    "moments": int(r.moments),
                    "started_at": r.started_at,
                }
                for r in runs.itertuples()
            ],
        }
    if as_json:
        print_json(info)
        return
    console.print(f"[bold]{info['store']}[/bold] ({info['backend']})")
    table = Table(show_header=True, title="Rows", title_justify="left")
    table.add_column("table")
    table.add_column("n", justify="right")
    for k, v in counts.items():
        table.add_row(k, f"{v:,}")
    console.print(table)
    console.print("migrations: " + ", ".join(f"{m['version']} {m['name']}" for m in info["migrations"]))
    for r in info["ingest_runs"]:
        console.print(
            shown(
                f"ingest {r['source']}: read {r['read']:,} = stored {r['stored']:,} + duplicates "
                f"{r['duplicates']:,} + quarantined {r['quarantined']:,}"
            )
        )


def _upgrade(st: Any, quiet: bool) -> Any:
    """Re-derive moments kept one per interaction by migration 10 (one per touchpoint now), saying so."""
    from carlzon.detect.redetect import upgrade_moments
    from carlzon.store.moment_unit import PENDING_NOTE

    if st.read_only or st.meta(PENDING_NOTE) is None:
        return None
    if not st.meta("journey"):
        if not quiet:
            console.print(
                f"[yellow]note:[/yellow] {st.meta(PENDING_NOTE)}; re-derive them per touchpoint with "
                "`carlzon detect --store STORE --journey NAME`",
                soft_wrap=True,
                highlight=False,
            )
        return None
    res = upgrade_moments(st)
    if res is not None and not quiet:
        console.print(f"upgraded: {res.message} ({res.seconds:.1f} s)", soft_wrap=True, highlight=False)
    return res


@store_app.command("upgrade")
def store_upgrade(
    store: str | None = StoreOption,
    journey: str | None = typer.Option(
        None, "--journey", "-j", help="Journey to derive the moments with (default: the store's own)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Bring a store up to date: migrations, and moments kept one per interaction re-derived per touchpoint."""
    from carlzon.detect.redetect import upgrade_moments
    from carlzon.store import open_store

    with open_store(store_url(store), create=False) as st:
        res = upgrade_moments(st, journey=journey)
    if as_json:
        print_json({"upgraded": res.to_dict() if res else None})
    elif res is None:
        console.print("the store is up to date: its moments are one per (interaction, touchpoint)", highlight=False)
    else:
        console.print(f"upgraded: {res.message} ({res.seconds:.1f} s)", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add `ingest`, `quarantine` and `store` to the app."""
    app.command("ingest")(ingest_command)
    app.command("quarantine")(quarantine_command)
    app.add_typer(store_app, name="store")
