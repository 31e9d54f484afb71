"""CLI: `carlzon survey ...` (build, add, show, invite, status, export, import, simulate), `carlzon walk ...`
(build, ingest) and `carlzon drivers --stated` (thin shells over carlzon.survey and carlzon.walk)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from carlzon.cli.common import StoreOption, console, err_console, print_json, store_url
from carlzon.errors import NotEnoughDataError, SurveyError

__all__ = ["register", "stated_drivers"]

survey_app = typer.Typer(
    help="Surveys built from the journey: importance before performance, per persona.", no_args_is_help=True
)
walk_app = typer.Typer(
    help="Store walks: observation checklists of the journey, filled in as moments.", no_args_is_help=True
)


def _csv_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _survey_from(store: object, survey: str):  # type: ignore[no-untyped-def]
    """A survey from a YAML path, or by id from the store."""
    from carlzon.survey.definition import load_survey
    from carlzon.survey.tables import get_survey

    if survey.endswith((".yaml", ".yml")):
        return load_survey(survey)
    return get_survey(store, survey)


def _account(name: str, what: str, r: object, *, extra: str = "") -> None:
    """'<file>: N <what> read = stored + duplicates + quarantined; moments' and the first quarantined rows."""
    console.print(
        f"{name}: {r.read:,} {what} read = {r.stored:,} stored + {r.duplicates:,} duplicates + "  # type: ignore[attr-defined]
        f"{r.quarantined:,} quarantined{extra}; {r.moments:,} moments",
        highlight=False,
    )  # type: ignore[attr-defined]
    for q in r.quarantine[:5]:  # type: ignore[attr-defined]
        console.print(f"  row {q['row']}: {escape(str(q['reason']))}", highlight=False)


@survey_app.command("build")
def build(
    journey: str = typer.Option(..., "--journey", help="Journey template name or YAML file."),
    persona: str | None = typer.Option(None, "--persona", help="One of the journey's personas (its touchpoints)."),
    touchpoints: str | None = typer.Option(None, "--touchpoints", help="Touchpoint ids, comma separated."),
    outcome: str = typer.Option("nps", "--outcome", help="nps, csat or ces."),
    block_order: str = typer.Option(
        "importance_first",
        "--block-order",
        help="importance_first, importance_last or split (a test of the order effect).",
    ),
    open_link: bool = typer.Option(False, "--open-link", help="Also allow answers at an open link (no invitation)."),
    survey_id: str | None = typer.Option(None, "--id", help="The survey's id (default: journey-persona)."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Write the YAML here (default: print it)."),
) -> None:
    """Write a survey definition (YAML, to edit) from the journey: importance, then performance, outcome, open question."""
    from carlzon.survey import build_survey

    s = build_survey(
        journey,
        persona=persona,
        touchpoints=_csv_list(touchpoints),
        outcome=outcome,
        block_order=block_order,
        open_link=open_link,
        survey_id=survey_id,
    )
    for w in s.warnings:
        err_console.print(f"warning: {escape(w)}", highlight=False)
    if out is None:
        typer.echo(s.to_yaml(), nl=False)
        return
    out.write_text(s.to_yaml(), encoding="utf-8")
    console.print(
        f"wrote {out}: survey {s.id}, {len(s.questions)} questions (about {max(1, round(s.seconds / 60))} "
        f"min) on {len(s.touchpoints)} touchpoints; next: carlzon survey add {out}",
        highlight=False,
    )


@survey_app.command("add")
def add(
    file: Path = typer.Argument(..., help="A survey YAML (carlzon survey build)."), store: str | None = StoreOption
) -> None:
    """Store a survey (or replace it) so that it can be served, invited to and analysed."""
    from carlzon.store import open_store
    from carlzon.survey.definition import load_survey
    from carlzon.survey.tables import save_survey

    s = load_survey(str(file))
    with open_store(store_url(store)) as st:
        save_survey(st, s)
    for w in s.warnings:
        err_console.print(f"warning: {escape(w)}", highlight=False)
    console.print(
        f"stored survey {s.id} ({len(s.questions)} questions)"
        + (
            f"; open link: /s/{s.id} on carlzon serve"
            if s.open_link
            else f"; invite customers: carlzon survey invite {s.id} --customers FILE --batch NAME"
        ),
        highlight=False,
    )


@survey_app.command("show")
def show(
    survey: str = typer.Argument(..., help="Survey id in the store, or a YAML file."), store: str | None = StoreOption
) -> None:
    """Print a stored survey's YAML."""
    from carlzon.store import open_store

    with open_store(store_url(store)) as st:
        typer.echo(_survey_from(st, survey).to_yaml(), nl=False)


@survey_app.command("invite")
def invite_cmd(
    survey: str = typer.Argument(..., help="Survey id in the store."),
    customers: Path = typer.Option(
        ..., "--customers", help="CSV of customers (customer_id; persona and opt-out columns if any)."
    ),
    batch: str = typer.Option(..., "--batch", help="Name of this invitation batch (response rates are per batch)."),
    suppress_days: int = typer.Option(90, "--suppress-days", help="Nobody is asked again within this many days."),
    base_url: str = typer.Option(
        "", "--base-url", help="Where carlzon serve is reached, e.g. https://feedback.example.com"
    ),
    out: Path = typer.Option(..., "-o", "--out", help="CSV of the links to send (shown only now)."),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print the account as JSON."),
) -> None:
    """Make one-time links for the customers who may be asked; every row is accounted for."""
    from carlzon.store import open_store
    from carlzon.survey.invitations import invite

    if not customers.is_file():
        raise SurveyError("customers file not found", where=str(customers), fix="check the path")
    with open_store(store_url(store)) as st:
        r = invite(st, survey, customers, batch=batch, suppress_days=suppress_days, base_url=base_url)
    r.links.to_csv(out, index=False)
    if as_json:
        print_json({**r.to_dict(), "links_file": str(out)})
        return
    console.print(
        f"{r.read:,} customers read = {r.invited:,} invited + {r.suppressed:,} asked within {suppress_days} days "
        f"+ {r.opted_out:,} opted out + {r.duplicates:,} duplicates + {r.no_id:,} without an id; "
        f"links in {out}",
        highlight=False,
    )


@survey_app.command("status")
def status(
    survey: str | None = typer.Argument(None, help="Survey id (default: all)."),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Response rate per invitation batch, with 95% intervals."""
    from carlzon.store import open_store
    from carlzon.survey.invitations import response_rates

    with open_store(store_url(store)) as st:
        df = response_rates(st, survey)
    if as_json:
        print_json({"batches": df.to_dict("records")})
        return
    t = Table(title="Response rate per invitation batch (95% Wilson intervals)")
    for c in ("survey", "batch", "invited", "answered", "rate", "95% interval"):
        t.add_column(c)
    for r in df.to_dict("records"):
        t.add_row(
            escape(str(r["survey_id"])),
            escape(str(r["batch"])),
            f"{r['invited']:,}",
            f"{r['answered']:,}",
            f"{r['rate']:.1%}",
            f"{r['low']:.1%} to {r['high']:.1%}",
        )
    console.print(t)


@survey_app.command("export")
def export(
    survey: str = typer.Argument(..., help="Survey id in the store, or a YAML file."),
    fmt: str = typer.Option("limesurvey", "--format", help="limesurvey (its tab-separated survey structure)."),
    out: Path = typer.Option(..., "-o", "--out", help="File to write, e.g. survey.txt (LimeSurvey: Import survey)."),
    store: str | None = StoreOption,
) -> None:
    """Export a survey to another tool's format (LimeSurvey's tab-separated .txt survey structure)."""
    from carlzon.store import open_store
    from carlzon.survey.limesurvey import to_limesurvey

    if fmt != "limesurvey":
        raise SurveyError(f"unknown format {fmt!r}", fix="use --format limesurvey")
    if survey.endswith((".yaml", ".yml")):
        s = _survey_from(None, survey)
    else:
        with open_store(store_url(store)) as st:
            s = _survey_from(st, survey)
    out.write_text(to_limesurvey(s), encoding="utf-8")
    console.print(
        f"wrote {out}: import it in LimeSurvey (Create survey, Import); export its responses as CSV with "
        f"question codes and answer codes, then: carlzon survey import {s.id} RESPONSES.csv",
        highlight=False,
    )


@survey_app.command("import")
def import_cmd(
    survey: str = typer.Argument(..., help="Survey id in the store, or a YAML file."),
    file: Path = typer.Argument(..., help="The other tool's response export (CSV)."),
    fmt: str = typer.Option("limesurvey", "--format", help="limesurvey."),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print the account as JSON."),
) -> None:
    """Ingest another tool's response export, mapped back to the survey's questions."""
    from carlzon.store import open_store
    from carlzon.survey.limesurvey import import_limesurvey

    if fmt != "limesurvey":
        raise SurveyError(f"unknown format {fmt!r}", fix="use --format limesurvey")
    with open_store(store_url(store)) as st:
        s = _survey_from(st, survey)
        r = import_limesurvey(st, s, file)
    if as_json:
        print_json(r.to_dict())
        return
    _account(file.name, "answers", r)


@survey_app.command("simulate")
def simulate_cmd(
    journey: str = typer.Option("retail_clothing", "--journey", help="A journey with personas."),
    invited: int = typer.Option(2000, "--invited", help="Customers invited."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    store: str | None = StoreOption,
) -> None:
    """Store a simulated survey with planted gaps between stated and derived importance (to try the analysis)."""
    from carlzon.store import open_store
    from carlzon.survey.simulate import simulate_survey

    sim = simulate_survey(journey, seed=seed, invited=invited)
    with open_store(store_url(store)) as st:
        out = sim.store(st)
    plan = "; ".join(
        f"{p}: says {v['stated_top']}, moves with {v['derived_top']}" for p, v in sim.truth["plan"].items()
    )
    console.print(
        f"survey {sim.survey.id}: {out['invite'].invited:,} invited, {out['answers'].stored:,} answered; "
        f"planted: {plan}; see carlzon drivers --stated",
        highlight=False,
    )


def stated_drivers(store: str | None, survey: str | None, as_json: bool, boot: int, seed: int) -> None:
    """`carlzon drivers --stated`: stated beside derived importance per persona, the gaps in words."""
    from carlzon.store import open_store
    from carlzon.survey.report import fit_survey
    from carlzon.survey.tables import list_surveys

    with open_store(store_url(store)) as st:
        surveys = [_survey_from(st, survey)] if survey else list_surveys(st)
        if not surveys:
            raise SurveyError("the store has no survey", fix="carlzon survey build ... then carlzon survey add FILE")
        fits, notes = [], []
        for s in surveys:
            try:
                fits.append((s, fit_survey(st, s, n_boot=max(boot, 50), seed=seed)))
            except NotEnoughDataError as exc:
                if survey:
                    raise
                notes.append({"survey": s.id, "why": exc.message})
    if not fits:
        raise NotEnoughDataError(
            "no survey in the store has enough answers yet: " + "; ".join(n["why"] for n in notes),
            fix="collect at least 30 answers with an outcome (carlzon survey status shows the rates)",
        )
    if as_json:
        print_json({"surveys": [{"survey": s.id, **f.to_dict()} for s, f in fits], "not_fitted": notes})
        return
    for n in notes:
        console.print(f"[dim]{escape(n['why'])}[/dim]", highlight=False)
    for s, f in fits:
        console.print(f"[bold]{escape(s.title)}[/bold] ({f.n_:,} answers)")
        for g in f.gaps_:
            console.print(f"- {escape(g['sentence'])}", highlight=False)
        t = Table(title=f"Stated and derived importance ({f.confidence:.0%} intervals)")
        for c in ("group", "touchpoint", "stated (1-5)", "interval", "n", "derived", "interval ", "n ", "reading"):
            t.add_column(c, overflow="fold")
        for r in f.summary.to_dict("records"):
            t.add_row(
                escape(str(r["group"])),
                escape(str(r["name"])),
                f"{r['stated']:.2f}",
                f"{r['stated_low']:.2f} to {r['stated_high']:.2f}",
                f"{r['stated_n']:,}",
                f"{r['derived']:.0%}",
                f"{r['derived_low']:.0%} to {r['derived_high']:.0%}",
                f"{r['derived_n']:,}",
                r["label"],
            )
        console.print(t)
        nr = f.nonresponse_
        if len(nr):
            console.print(
                "Who answered: "
                + "; ".join(
                    f"{escape(str(r['label']))} {r['answered']:,} of {r['invited']:,} ({r['rate']:.0%})"
                    for r in nr.to_dict("records")
                )
                + (" (everyone weighted to those invited)" if f.weighted_ else " (not weighted)"),
                highlight=False,
            )
        else:
            console.print("Who was invited is not known: figures are for those who answered, not weighted.")
        if f.order_effect_.get("measured"):
            console.print(f"Order effect: {escape(f.order_effect_['sentence'])}", highlight=False)


@walk_app.command("build")
def walk_build(
    journey: str = typer.Option(..., "--journey", help="Journey template name or YAML file."),
    out: Path = typer.Option(
        Path("walk.html"), "-o", "--out", help="The checklist (HTML: print it or open it on a phone)."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Also write a CSV template to fill in."),
) -> None:
    """Write a store-walk checklist of the journey's touchpoints and expectations."""
    from carlzon.walk import build_checklist, render_checklist

    c = build_checklist(journey)
    out.write_text(render_checklist(c), encoding="utf-8")
    if csv:
        c.template().to_csv(csv, index=False)
    timed = sum(1 for s in c.steps if s.timing)
    console.print(
        f"wrote {out}: {len(c.steps)} steps, {timed} with a timing"
        + (f"; template {csv}" if csv else "")
        + f"; load a filled-in walk with: carlzon walk ingest FILE "
        f"--journey {c.journey}",
        highlight=False,
    )


@walk_app.command("ingest")
def walk_ingest(
    file: Path = typer.Argument(..., help="A filled-in walk (CSV: step, result, value, note, ...)."),
    journey: str = typer.Option(..., "--journey", help="The journey the walk followed."),
    store: str | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print the account as JSON."),
) -> None:
    """Store a filled-in walk as observations: a moment per observed step, misery where an expectation was missed."""
    from carlzon.store import open_store
    from carlzon.walk import store_walk

    if not file.is_file():
        raise SurveyError("walk file not found", where=str(file), fix="check the path")
    with open_store(store_url(store)) as st:
        r = store_walk(st, journey, file)
        m = st.moments(channel="observation")
    if as_json:
        print_json(r.to_dict())
        return
    _account(file.name, "steps", r, extra=f" + {r.not_seen:,} not seen")
    mine = (
        m[m["interaction_id"].astype(str).str.startswith(tuple(f"walk-{w}-" for w in r.walks))]
        if r.walks
        else m.iloc[:0]
    )
    for row in mine[mine["valence"] == "misery"].to_dict("records"):
        console.print(f"  misery at {escape(str(row['touchpoint']))}: {escape(str(row['reasons']))}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(survey_app, name="survey")
    app.add_typer(walk_app, name="walk")
