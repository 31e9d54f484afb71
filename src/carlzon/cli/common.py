"""Helpers shared by the CLI modules: the store option, JSON output, consoles."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

__all__ = [
    "CREATES_STORE",
    "DEFAULT_STORE",
    "STORE_ENV",
    "StoreOption",
    "console",
    "err_console",
    "print_json",
    "shown",
    "store_url",
]

DEFAULT_STORE = "carlzon.db"
"""The embedded store every command uses in the current directory unless told otherwise."""

STORE_ENV = "CARLZON_STORE"

console = Console()
err_console = Console(stderr=True)

StoreOption = typer.Option(
    None,
    "--store",
    help=f"Store path or postgresql:// URL (default: ${STORE_ENV}, else ./{DEFAULT_STORE}).",
    show_default=False,
)


CREATES_STORE = frozenset(
    {"ingest", "demo", "token create", "survey add", "survey invite", "survey import", "survey simulate", "walk ingest"}
)
"""The writing commands that may create a store; every other one refuses a store file that does not exist."""

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(value: Any) -> Text:
    r"""Text from customers (or any data) made safe for a terminal: Rich markup is never interpreted
    (``[link=...]`` stays as written) and control characters (escape sequences, carriage returns,
    bidirectional overrides) show as visible escapes. Use it for every value from a store or a file
    that reaches the terminal: as a table cell or ``console.print`` argument, or ``str(shown(v))``
    inside a ``typer.echo`` line.

    >>> str(shown("[link=http://x]click[/link] \x1b[31mred"))
    '[link=http://x]click[/link] \\x1b[31mred'
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
        text.replace("\t", " "),
    )
    return Text(text)


def store_url(store: str | None) -> str:
    """The store to use: the flag, else $CARLZON_STORE, else ./carlzon.db.

    For a command that only reads (every one but those in :data:`CREATES_STORE`), an embedded store
    that does not exist is an error naming `carlzon ingest`, never a new empty store."""
    import typer.main

    from carlzon.errors import StoreError
    from carlzon.store import missing_store

    url = store or os.environ.get(STORE_ENV) or str(Path.cwd() / DEFAULT_STORE)
    ctx = typer.main.get_current_context(silent=True)
    name = ctx.info_name if ctx is not None else None
    if ctx is not None and ctx.parent is not None and ctx.parent.parent is not None:
        name = f"{ctx.parent.info_name} {ctx.info_name}"
    if ctx is not None and name not in CREATES_STORE and missing_store(url):
        raise StoreError(
            "no store here",
            where=url,
            fix=f"create one with `carlzon ingest FILE --store {url}` (or `carlzon demo`), or check the "
            f"path and ${STORE_ENV}",
        )
    return url


def _default(o: Any) -> Any:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"cannot serialise {type(o).__name__}")


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (NaN becomes null)."""
    typer.echo(json.dumps(_clean(obj), default=_default, ensure_ascii=False))


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj
