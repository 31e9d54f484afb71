"""The `carlzon` command: a thin shell over the library.

Each concern registers its commands from its own module; this file only
assembles them and turns carlzon errors into one-line messages (a
traceback only with ``--debug``).
"""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from carlzon import __version__
from carlzon.errors import CarlzonError

__all__ = ["app", "main"]


class _Group(TyperGroup):
    """Turns CarlzonError into a one-line error with exit code 1 (traceback with --debug)."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except CarlzonError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            from carlzon.cli.common import shown

            typer.echo(f"Error: {shown(exc)}", err=True)  # messages may quote a value from the data
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    help="carlzon finds the moments of truth in your customers' journey: magic, misery, and what to do next.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carlzon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    ctx.obj = {"debug": debug}


def _register() -> None:
    from carlzon.cli import (
        analysis,
        demo,
        detection,
        foundation,
        journeys,
        loop,
        places,
        privacy,
        show,
        survey,
        train,
        watch,
    )

    for module in (journeys, foundation, demo, detection, train, analysis, show, loop, watch, survey, privacy, places):
        module.register(app)


_register()


def main() -> None:
    """Entry point of the `carlzon` console script."""
    app()
