"""`carlzon forget`: erase a customer from the store (GDPR article 17).

carlzon forget C0042 --dry-run         # what would go, table by table
carlzon forget C0042 --yes             # erase it, rebuild the rollups, log the erasure
carlzon forget C0042 --yes --json
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from carlzon.cli.common import StoreOption, console, print_json, shown, store_url
from carlzon.errors import CarlzonError

__all__ = ["register"]


def forget_command(
    customer: str = typer.Argument(..., help="The customer's id, as in the customer_id column of your exports."),
    store: str | None = StoreOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be removed."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before erasing."),
    actor: str | None = typer.Option(None, "--actor", help="Who asked for it (kept in the erasure log)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Erase a customer: interactions, moments, recovery cases and their events, quarantined rows that carry
    them and anything else that holds them; rebuild the rollups; log the erasure without the customer."""
    from carlzon.privacy.forget import forget
    from carlzon.store import open_store

    with open_store(store_url(store)) as st:
        plan = forget(st, customer, dry_run=True)
        if not dry_run and not yes:
            if not sys.stdin.isatty():
                raise CarlzonError(
                    f"erasing {plan.total:,} rows needs a yes",
                    where="forget",
                    fix="look first with --dry-run, then pass --yes",
                )
            _print(plan.rows, f"Would erase {plan.total:,} rows", None)
            if not typer.confirm("Erase them for good?"):
                raise typer.Exit(1)
        result = plan if dry_run else forget(st, customer, actor=actor)
    if as_json:
        print_json(result.to_dict())
        return
    title = f"Would erase {result.total:,} rows" if dry_run else f"Erased {result.total:,} rows"
    _print(result.rows, title, None if dry_run else result.audit_id)


def _print(rows: dict[str, int], title: str, audit_id: int | None) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in rows.items():
        table.add_row(shown(name), f"{n:,}")
    console.print(table)
    if audit_id is not None:
        console.print(f"Rollups rebuilt; erasure {audit_id} logged (when, how many rows; not the customer).")


def register(app: typer.Typer) -> None:
    """Add `forget` to the app."""
    app.command("forget")(forget_command)
