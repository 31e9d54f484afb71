"""`carlzon journeys`: list the built-in journey templates and show one as a tree.

carlzon journeys                      # table of templates
carlzon journeys show hotel           # stages > touchpoints with phase, stakes, expectation
carlzon journeys show ./my.yaml --json
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from rich.tree import Tree

from carlzon.cli.common import console, print_json
from carlzon.journey import Journey, journey_templates, load_journey

__all__ = ["register"]

_PHASE_STYLE = {"zero": "cyan", "first": "green", "second": "yellow", "ultimate": "magenta"}
_STAKES_STYLE = {"low": "dim", "medium": "yellow", "high": "bold red"}

journeys_app = typer.Typer(
    help="List the built-in journey templates, or show one (or your own YAML) as a tree.",
    no_args_is_help=False,
    invoke_without_command=True,
    rich_markup_mode="rich",
)


def _load(ctx: typer.Context, name_or_path: str) -> Journey:
    """load_journey; a JourneyError becomes the CLI's one-line error (see carlzon.cli)."""
    return load_journey(name_or_path)


def _row(journey: Journey) -> dict[str, Any]:
    return {
        "name": journey.name,
        "title": journey.title,
        "industry": journey.industry,
        "stages": len(journey.stages),
        "touchpoints": len(journey.touchpoints),
        "high_stakes": sum(tp.stakes == "high" for tp in journey.touchpoints),
    }


@journeys_app.callback()
def list_journeys(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the built-in journey templates: name, title, number of stages and touchpoints."""
    if ctx.invoked_subcommand is not None:
        return
    rows = [_row(_load(ctx, name)) for name in journey_templates()]
    if as_json:
        print_json({"templates": rows})
        return
    table = Table(title=f"Journey templates (n = {len(rows)})", title_justify="left")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("industry", style="dim")
    table.add_column("stages", justify="right", no_wrap=True)
    table.add_column("touchpoints", justify="right", no_wrap=True)
    table.add_column("high-stakes", justify="right", no_wrap=True)
    for r in rows:
        table.add_row(
            r["name"], r["title"], r["industry"], str(r["stages"]), str(r["touchpoints"]), str(r["high_stakes"])
        )
    console.print(table)
    console.print(
        "Show one with [bold]carlzon journeys show NAME[/bold]; "
        "any command taking --journey also takes the path of your own YAML file."
    )


def _tree(journey: Journey) -> Tree:
    root = Tree(
        f"[bold]{journey.title}[/bold] ({journey.name}): "
        f"{len(journey.stages)} stages, {len(journey.touchpoints)} touchpoints"
    )
    for stage in journey.stages:
        branch = root.add(f"[bold]{stage.name}[/bold] [dim]({stage.id})[/dim]")
        for tp in stage.touchpoints:
            parts = [
                f"{tp.name} [dim]({tp.id})[/dim]",
                f"[{_PHASE_STYLE[tp.phase]}]{tp.phase} moment[/]",
                f"[{_STAKES_STYLE[tp.stakes]}]{tp.stakes} stakes[/]",
            ]
            if tp.expectation is not None:
                parts.append(f"expects {tp.expectation}")
            branch.add(" · ".join(parts))
    return root


@journeys_app.command("show")
def show(
    ctx: typer.Context,
    name_or_path: str = typer.Argument(
        ..., metavar="NAME_OR_PATH", help="A template name (see `carlzon journeys`) or the path of a YAML file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the whole journey as JSON."),
) -> None:
    """Show one journey as a tree: stages > touchpoints with phase, stakes and expectation."""
    journey = _load(ctx, name_or_path)
    if as_json:
        print_json(journey.to_dict())
        return
    console.print(_tree(journey))
    if journey.description:
        console.print(journey.description.strip(), style="dim")


def register(app: typer.Typer) -> None:
    """Add `carlzon journeys` and `carlzon journeys show` to the app."""
    app.add_typer(journeys_app, name="journeys")
