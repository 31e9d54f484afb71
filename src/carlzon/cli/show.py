"""CLI: `carlzon report`, `carlzon serve`, `carlzon token create|list|revoke`."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

import typer
import typer.main
from rich.console import Console

from carlzon.cli.common import StoreOption, console, print_json, store_url

__all__ = ["demo_report", "register", "write_report"]

token_app = typer.Typer(help="Create, list and revoke API tokens (viewer, agent, admin).", no_args_is_help=True)


def write_report(
    store: str,
    output: Path,
    *,
    journey: str | None = None,
    since: str | None = None,
    until: str | None = None,
    open_browser: bool = False,
    include_personal_data: bool = False,
) -> Path:
    """Write the HTML report and print its path (the hook `carlzon demo` calls at its end)."""
    from carlzon.report import build_report

    path = Path(
        build_report(
            store, output, journey=journey, since=since, until=until, include_personal_data=include_personal_data
        )
    ).resolve()
    size = path.stat().st_size / 1e6
    console.print(f"Report written: [bold]{path}[/bold] ({size:.1f} MB, self-contained, works offline)", soft_wrap=True)
    if open_browser:
        _open(path, console)
    return path


def demo_report(store: Any, out: Console) -> Path | None:
    """Write report.html next to the demo store and print its path (the `carlzon demo` hook).

    Prints nothing with ``--json`` (the JSON summary stays the only output); opens a browser when the
    command was given ``--open``.
    """
    ctx = typer.main.get_current_context(silent=True)
    params = ctx.params if ctx is not None else {}
    url = getattr(store, "url", "")
    folder = (
        Path(url).resolve().parent if getattr(store, "backend", "") == "sqlite" and url != ":memory:" else Path.cwd()
    )
    from carlzon.report import build_report

    path = Path(build_report(store, folder / "report.html")).resolve()
    if not params.get("as_json"):
        out.print(
            f"Report written: [bold]{path}[/bold] ({path.stat().st_size / 1e6:.1f} MB, works offline)", soft_wrap=True
        )
    if params.get("open_browser"):
        _open(path, out)
    return path


def _open(path: Path, out: Console) -> None:
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        out.print("No browser found here; open the file above yourself.")
    else:
        browser.open(path.as_uri())


def report(
    output: Path = typer.Option(Path("report.html"), "-o", "--output", help="Where to write the HTML file."),
    store: str | None = StoreOption,
    journey: str | None = typer.Option(
        None, "--journey", help="Journey name or YAML (default: the template that fits the data)."
    ),
    since: str | None = typer.Option(None, "--since", help="First day to include, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Day after the last one to include, YYYY-MM-DD."),
    open_browser: bool = typer.Option(False, "--open", help="Open the report in a browser when one is there."),
    include_personal_data: bool = typer.Option(
        False,
        "--include-personal-data",
        help="Show customers' e-mails, phones, names and addresses as written (internal use only; masked by default).",
    ),
    location: str | None = typer.Option(
        None,
        "--location",
        help="A store manager's report: only this place, or the places of this region or area of --hierarchy.",
    ),
    by: str | None = typer.Option(
        None, "--by", help="location: one report per place and an index comparing them, in the folder -o names."
    ),
    hierarchy: Path | None = typer.Option(
        None, "--hierarchy", help="A CSV or YAML file: location, name, area, region."
    ),
) -> None:
    """Write one self-contained HTML report: journey map, drivers, key moments, trends, customers' words
    (personal data masked unless --include-personal-data)."""
    if location or by:
        from carlzon.cli.places import place_report

        place_report(
            store_url(store),
            output,
            location=location,
            by=by,
            hierarchy=hierarchy,
            journey=journey,
            since=since,
            until=until,
            include_personal_data=include_personal_data,
        )
        return
    write_report(
        store_url(store),
        output,
        journey=journey,
        since=since,
        until=until,
        open_browser=open_browser,
        include_personal_data=include_personal_data,
    )


def serve(
    store: str | None = StoreOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (default: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    journey: str | None = typer.Option(
        None, "--journey", help="Journey name or YAML (default: the template that fits the data)."
    ),
    allowed_origin: list[str] | None = typer.Option(
        None,
        "--allowed-origin",
        help="Another origin whose pages may send state changes, e.g. https://cx.example.com "
        "behind a proxy that rewrites the Host (repeatable).",
    ),
    secure_cookies: bool = typer.Option(
        False,
        "--secure-cookies",
        help="Mark the session cookie Secure even when requests arrive over plain "
        "HTTP (TLS ends at a proxy that uvicorn does not trust).",
    ),
) -> None:
    """Run the web dashboard and the REST API (/api, docs at /docs); needs a token to log in."""
    import uvicorn

    from carlzon.store import open_store
    from carlzon.web import create_app
    from carlzon.web.auth import list_tokens

    st = open_store(store_url(store))
    tokens = list_tokens(st)
    if not len(tokens[tokens["revoked_at"].isna()]):
        console.print("No token yet: create one with [bold]carlzon token create --role admin[/bold] to log in.")
    console.print(f"carlzon on http://{host}:{port}/ (API docs at /docs, store {st.url_safe})")
    app = create_app(
        st,
        journey=journey,
        allowed_origins=tuple(allowed_origin or ()),
        secure_cookies=secure_cookies,
        warm_every=5.0,  # themes, alerts, overview and magic computed ahead of the first visitor, and on new data
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


@token_app.command("create")
def token_create(
    role: str = typer.Option(..., "--role", help="viewer (read), agent (also cases and notes) or admin (everything)."),
    name: str = typer.Option("", "--name", help="A label, e.g. who or what uses it."),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    location: str | None = typer.Option(
        None,
        "--location",
        help="Limit the token to these places, or the places of these areas or regions of the stored "
        "hierarchy (comma separated): a store manager's store, a regional manager's region.",
    ),
) -> None:
    """Create a token and print it once (the store keeps only a salted hash)."""
    from carlzon.places import place_scope
    from carlzon.store import open_store
    from carlzon.web.auth import create_token

    with open_store(store_url(store)) as st:
        if location:
            place_scope(st, location)  # a name the store does not know fails here, with the known ones
        t = create_token(st, role=role, name=name, locations=location)
    if as_json:
        print_json(
            {"id": t.token_id, "name": t.name, "role": t.role, "locations": list(t.locations), "token": t.secret}
        )
        return
    typer.echo(t.secret)
    where = f", limited to {', '.join(t.locations)}" if t.locations else ""
    console.print(
        f"[dim]{t.role} token {t.token_id} ({t.name}{where}); it is shown only now: keep it safe.[/dim]",
        highlight=False,
    )


@token_app.command("list")
def token_list(
    store: str | None = StoreOption, as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")
) -> None:
    """List tokens: id, name, role, created, revoked (never the tokens themselves)."""
    from rich.table import Table

    from carlzon.store import open_store
    from carlzon.web.auth import list_tokens

    with open_store(store_url(store), read_only=True) as st:
        df = list_tokens(st)
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "role": r.role,
            "locations": r.locations if isinstance(r.locations, str) else None,
            "created_at": r.created_at,
            "revoked_at": None if r.revoked_at is None or r.revoked_at != r.revoked_at else r.revoked_at,
        }
        for r in df.itertuples()
    ]
    if as_json:
        print_json({"tokens": rows})
        return
    table = Table("id", "name", "role", "places", "created", "revoked")
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["role"],
            r["locations"] or "all",
            f"{r['created_at']:%Y-%m-%d %H:%M}",
            f"{r['revoked_at']:%Y-%m-%d %H:%M}" if r["revoked_at"] is not None else "",
        )
    console.print(table if rows else "No tokens yet: carlzon token create --role viewer")


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., help="The token id (see carlzon token list) or the token."),
    store: str | None = StoreOption,
) -> None:
    """Revoke a token: it stops working at once."""
    from carlzon.store import open_store
    from carlzon.web.auth import revoke_token

    with open_store(store_url(store)) as st:
        revoke_token(st, token_id)
    console.print(f"Revoked {token_id}.")


def register(app: typer.Typer) -> None:
    """Add report, serve and token commands to the app."""
    app.command("report")(report)
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
