"""Helpers shared by the CLI modules: the store option, JSON output, consoles."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

__all__ = [
    "CREATES_STORE",
    "DEFAULT_STORE",
    "STORE_ENV",
    "NotifyOptions",
    "StoreOption",
    "console",
    "err_console",
    "notifier_for",
    "print_json",
    "shown",
    "steps_bar",
    "store_url",
]

DEFAULT_STORE = "carlzon.db"
"""The embedded store every command uses in the current directory unless told otherwise."""

STORE_ENV = "CARLZON_STORE"

console = Console()
err_console = Console(stderr=True)


SlackOption = typer.Option(None, "--slack", help="Slack incoming-webhook URL to tell (repeat).")
TeamsOption = typer.Option(None, "--teams", help="Microsoft Teams workflow-webhook URL to tell (repeat).")
SmtpHostOption = typer.Option(None, "--smtp-host", help="SMTP server for e-mail (with --to).")
SmtpPortOption = typer.Option(25, "--smtp-port")
StartTlsOption = typer.Option(False, "--starttls", help="Use STARTTLS.")
SmtpUserOption = typer.Option(None, "--smtp-user", envvar="CARLZON_SMTP_USER")
SmtpPasswordOption = typer.Option(None, "--smtp-password", envvar="CARLZON_SMTP_PASSWORD")
FromOption = typer.Option("carlzon@localhost", "--from", help="The e-mail's sender.")
ToOption = typer.Option(None, "--to", help="E-mail recipients (repeat).")
BaseUrlOption = typer.Option("", "--base-url", help="The dashboard's address, for links to cases.")


class NotifyOptions:
    """Where a command tells people (the options above), gathered for :func:`notifier_for`."""

    def __init__(
        self,
        *,
        slack: list[str] | None = None,
        teams: list[str] | None = None,
        smtp_host: str | None = None,
        smtp_port: int = 25,
        starttls: bool = False,
        smtp_user: str | None = None,
        smtp_password: str | None = None,
        sender: str = "carlzon@localhost",
        to: list[str] | None = None,
        base_url: str = "",
    ) -> None:
        self.slack, self.teams, self.to = list(slack or []), list(teams or []), list(to or [])
        self.smtp_host, self.smtp_port, self.starttls = smtp_host, smtp_port, starttls
        self.smtp_user, self.smtp_password, self.sender, self.base_url = smtp_user, smtp_password, sender, base_url

    def any(self) -> bool:
        return bool(self.slack or self.teams or self.smtp_host)


def notifier_for(store: Any, opts: NotifyOptions, *, digest: bool = False) -> Any:
    """A :class:`carlzon.loop.notify.Notifier` for the options (a CarlzonError names the missing part)."""
    from carlzon.errors import CarlzonError
    from carlzon.loop.notify import EmailTarget, Notifier, WebhookTarget

    email = None
    if opts.smtp_host:
        if not opts.to:
            raise CarlzonError("--smtp-host needs at least one --to", fix="add --to lead@example.org")
        email = EmailTarget(
            host=opts.smtp_host,
            port=opts.smtp_port,
            to=tuple(opts.to),
            sender=opts.sender,
            starttls=opts.starttls,
            user=opts.smtp_user,
            password=opts.smtp_password,
        )
    hooks = [WebhookTarget(u, "slack") for u in opts.slack] + [WebhookTarget(u, "teams") for u in opts.teams]
    return Notifier(store, email=email, webhooks=hooks, digest=digest, base_url=opts.base_url)


@contextmanager
def steps_bar(enabled: bool, first: str = "starting") -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar on stderr (gone when done) for a library function's ``progress(what, done, total)``
    callback; with ``enabled`` False (``--json``, stderr not a terminal) a callback that does nothing."""
    if not enabled:
        yield lambda what, done, total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(first, total=1)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=max(total, 1))

        yield tick


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
