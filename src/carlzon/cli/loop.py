"""Close the loop: recovery cases, moments of magic, coaching and role-play.

carlzon cases open                       # a case for each moment of misery worth recovering
carlzon cases list [--status open]       # the queue, highest priority first
carlzon cases list --due overdue -q bag  # filters: touchpoint, location, owner, due, priority, search
carlzon cases bulk-assign lena 3 4 5     # many cases to one owner
carlzon cases reopen 3 --reason "she wrote again"
carlzon cases show 3                     # priority, playbook steps, history, suggested reply
carlzon cases assign 3 lena --team baggage
carlzon cases note 3 "Called her back" --author lena --reply
carlzon cases check                      # close cases whose customer came back
carlzon cases close 3 --outcome recovered --reason "bag delivered, she thanked us"
carlzon cases measures                   # time to first response, resolution, recovery rate
carlzon magic --date 2026-03-02          # today's moments of magic for staff
carlzon coach "I'm sorry your bag ..." --json
carlzon roleplay -n 3                    # practice cards from real misery, personal data removed
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
import yaml
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
    notifier_for,
    print_json,
    shown,
    store_url,
)
from carlzon.cli.places import HierarchyOption, LocationOption, places_of
from carlzon.errors import CarlzonError, JourneyError

__all__ = ["register"]

cases_app = typer.Typer(
    help="Recovery cases: open, list, show, assign, note, close, check follow-ups, measures.", no_args_is_help=True
)

JourneyOption = typer.Option(
    None,
    "--journey",
    "-j",
    help="Journey template or YAML path (default: the journey of the existing cases, "
    "else the built-in one whose touchpoints cover the stored moments).",
)
JsonOption = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


@contextmanager
def _desk(store: str | None, journey: str | None, *, read_only: bool = False, **kw: Any) -> Iterator[Any]:
    """The recovery desk over the store, closing the store afterwards (``read_only``: for commands that only read)."""
    from carlzon.loop.recovery import RecoveryDesk, journey_for_store
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=read_only) as st:
        yield RecoveryDesk(st, journey or journey_for_store(st), **kw)


def _case_brief(case: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "priority",
        "status",
        "owner",
        "team",
        "customer_id",
        "customer_name",
        "touchpoint",
        "channel",
        "stakes",
        "reasons",
        "moment_at",
        "opened_at",
        "first_response_at",
        "closed_at",
        "outcome",
        "outcome_reason",
        "interaction_id",
        "due_at",
        "location",
        "miseries",
    )
    return {k: case.get(k) for k in keep}


PolicyOption = typer.Option(
    None,
    "--policy",
    help="A YAML file with a case_policy block (default: the journey's "
    "playbook.case_policy, else the built-in policy).",
)


@cases_app.command("open")
def cases_open(
    store: str | None = StoreOption,
    journey: str | None = JourneyOption,
    policy: Path | None = PolicyOption,
    min_priority: float | None = typer.Option(
        None, "--min-priority", min=0, max=100, help="Open cases at or above this priority (0-100; default 30)."
    ),
    notify_priority: float = typer.Option(
        70.0,
        "--notify-priority",
        min=0,
        max=100,
        help="With --slack/--teams/--smtp-host: tell about new cases at or above.",
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
    as_json: bool = JsonOption,
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """Open recovery cases by the case policy: one per interaction with misery, at most the day's capacity;
    the rest is summarised by touchpoint, with the reason. With a webhook or SMTP server, new high-priority
    cases are told there as ``cases notify`` does (one message per ongoing problem)."""
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
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with _desk(store, journey, min_priority=min_priority, policy=policy) as desk:
        notifier = (
            notifier_for(desk.store, opts) if opts.any() else None
        )  # before any write: a wrong target fails first
        places = places_of(desk.store, location, hierarchy)
        if as_json:
            new = desk.open_cases(locations=places)
        else:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("reading misery", total=1)

                def tick(what: str, done: int, total: int) -> None:
                    bar.update(task, description=what, completed=done, total=max(total, 1))

                new = desk.open_cases(progress=tick, locations=places)
        told = desk.notify_new(notifier, min_priority=notify_priority) if notifier is not None else None
        total = int(desk.store.query("SELECT COUNT(*) AS n FROM recovery_cases")["n"].iloc[0])
        summary = desk.summary()
        if as_json:
            print_json(
                {
                    **new.to_dict(),
                    **({"notified": told} if told is not None else {}),
                    "n_cases": total,
                    "min_priority": desk.min_priority,
                    "policy": desk.policy.to_dict(),
                    "journey": desk.journey.name,
                    "themes": summary.to_dict("records"),
                }
            )
            return
        p = desk.policy
        cap = f"{p.daily_capacity}/day" if p.daily_capacity else "no daily capacity"
        typer.echo(
            f"opened {len(new)} case(s) at priority >= {desk.min_priority:g}, {cap} "
            f"({total} case(s) in all, journey {desk.journey.name}, policy: {p.source})"
        )
        if told is not None:
            typer.echo(
                f"told about {len(told['cases'])} new case(s) at priority >= {notify_priority:g}: "
                f"{len(told['sent'])} problem(s) sent, {len(told['updated'])} updated, {len(told['held'])} held"
            )
        if new.summarised:
            typer.echo(
                f"summarised {sum(new.summarised.values())} of {new.considered} interaction(s) with misery "
                "rather than opened: "
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(new.summarised.items()))
            )
        if new.high_stakes:
            typer.echo(
                "high stakes: "
                + ", ".join(
                    f"{'opened' if k == 'open' else k.replace('_', ' ')} {v}"
                    for k, v in sorted(new.high_stakes.items())
                )
            )
        if len(summary):
            t = Table(title="misery summarised as themes (not cases)")
            for col in ("touchpoint", "reason", "n", "high stakes", "days"):
                t.add_column(col)
            for r in summary.head(15).to_dict("records"):
                t.add_row(
                    shown(r["touchpoint"]),
                    r["reason"].replace("_", " "),
                    str(r["n"]),
                    str(r["high_stakes"]),
                    f"{r['first_day']} to {r['last_day']}",
                )
            console.print(t)


@cases_app.command("list")
def cases_list(
    store: str | None = StoreOption,
    status: str | None = typer.Option(None, "--status", help="open, in_progress, closed or active."),
    owner: str | None = typer.Option(None, "--owner", help="Only this owner's cases ('none': unassigned)."),
    touchpoint: str | None = typer.Option(None, "--touchpoint", help="Only cases at this touchpoint."),
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
    q: str | None = typer.Option(None, "--search", "-q", help="Search the text, evidence, customer name or e-mail."),
    due: str | None = typer.Option(None, "--due", help="overdue, today or week."),
    min_priority: float | None = typer.Option(None, "--min-priority", help="Priority at or above."),
    sort: str = typer.Option("priority", "--sort", help="priority, due, oldest, newest or id."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many cases."),
    as_json: bool = JsonOption,
) -> None:
    """The case queue: open cases by priority first, then closed ones."""
    import pandas as pd

    with _desk(store, "airline", read_only=True) as desk:
        df = desk.list(
            status=status,
            owner=owner,
            touchpoint=touchpoint,
            limit=limit,
            location=places_of(desk.store, location, hierarchy),
            q=q,
            due=due,
            min_priority=min_priority,
            sort=sort,
        )
        rows = [_case_brief(r) for r in df.to_dict("records")]
        if as_json:
            print_json({"n": len(rows), "cases": rows})
            return
        if not rows:
            typer.echo("no cases (open them with: carlzon cases open)")
            return
        now = desk._now()
        t = Table(title=f"recovery cases (n={len(rows)})")
        for col in ("id", "priority", "status", "due", "owner", "customer", "touchpoint", "reasons"):
            t.add_column(col, overflow="fold")
        for r in rows:
            d = r.get("due_at")
            d = None if d is None or pd.isna(d) else pd.Timestamp(d)
            due_s = "-" if d is None else (d.strftime("%m-%d %H:%M") + (" OVERDUE" if d < now else ""))
            t.add_row(
                str(r["id"]),
                f"{r['priority']:.0f}",
                str(r["status"]),
                due_s,
                shown(r["owner"] or "-"),
                shown(r["customer_name"] or r["customer_id"] or "-"),
                shown(r["touchpoint"]),
                shown((r["reasons"] or "")[:80]),
            )
        console.print(t)


@cases_app.command("notify")
def cases_notify(
    store: str | None = StoreOption,
    min_priority: float = typer.Option(70.0, "--min-priority", min=0, max=100, help="Tell about cases at or above."),
    smtp_host: str | None = SmtpHostOption,
    smtp_port: int = SmtpPortOption,
    starttls: bool = StartTlsOption,
    smtp_user: str | None = SmtpUserOption,
    smtp_password: str | None = SmtpPasswordOption,
    sender: str = FromOption,
    to: list[str] | None = ToOption,
    slack: list[str] | None = SlackOption,
    teams: list[str] | None = TeamsOption,
    digest: bool = typer.Option(False, "--digest", help="Hold messages and send one digest now."),
    base_url: str = BaseUrlOption,
    as_json: bool = JsonOption,
) -> None:
    """Tell people about new high-priority cases: e-mail and Slack/Teams webhooks, one message per ongoing problem."""
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
    with _desk(store, None) as desk:
        notifier = notifier_for(desk.store, opts, digest=digest)
        done = desk.notify_new(notifier, min_priority=min_priority)
        if digest:
            done["digest"] = notifier.send_digest()
        if as_json:
            print_json(done)
            return
        typer.echo(
            f"{len(done['cases'])} new case(s) at priority >= {min_priority:g}: {len(done['sent'])} problem(s) "
            f"sent, {len(done['updated'])} updated, {len(done['held'])} held"
            + (f"; digest listed {done['digest']['problems']} problem(s)" if digest else "")
        )


@cases_app.command("reopen")
def cases_reopen(
    case_id: int = typer.Argument(..., help="The case id."),
    reason: str = typer.Option(..., "--reason", help="Why it is reopened (the customer wrote again, ...)."),
    actor: str | None = typer.Option(None, "--actor", help="Who reopens it."),
    store: str | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Reopen a closed case, explicitly and saying why (a closed case takes no reply, note or assignment)."""
    with _desk(store, None) as desk:
        case = desk.reopen(case_id, reason, actor=actor)
        print_json(_case_brief(case)) if as_json else typer.echo(f"case {case_id} reopened: {reason}")


@cases_app.command("bulk-assign")
def cases_bulk_assign(
    owner: str = typer.Argument(..., help="The agent who owns the cases from now on."),
    case_ids: list[int] = typer.Argument(..., help="The case ids."),
    team: str | None = typer.Option(None, "--team", help="The owner's team."),
    store: str | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Assign many cases to one owner; says which were assigned and which were skipped, and why."""
    with _desk(store, None) as desk:
        done = desk.bulk_assign(case_ids, owner, team=team)
        if as_json:
            print_json(done)
            return
        typer.echo(f"assigned {done['n_assigned']} case(s) to {owner}; skipped {len(done['skipped'])}")
        for cid, why in done["skipped"].items():
            typer.echo(f"  case {cid}: {why}")


def _print_case(case: dict[str, Any]) -> None:
    """One case as lines of text; every value from the store goes through shown()."""
    case = {k: (str(shown(v)) if isinstance(v, str) else v) for k, v in case.items()}
    who = case.get("customer_name") or case.get("customer_id") or "unknown customer"
    typer.echo(
        f"case {case['id']}: {case['status']}"
        + (f" ({case['outcome']}: {case['outcome_reason']})" if case.get("outcome") else "")
    )
    typer.echo(
        f"customer: {who}; touchpoint: {case['touchpoint']}; channel: {case.get('channel') or '-'}; "
        f"owner: {case.get('owner') or '-'}" + (f" ({case['team']})" if case.get("team") else "")
    )
    comp = case.get("priority_components") or {}
    parts = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in comp.items() if k != "total")
    typer.echo(f"priority {case['priority']:g}/100 = {parts}")
    typer.echo(f"evidence: {case.get('reasons') or '-'}")
    if case.get("text"):
        typer.echo(f'said: "{case["text"]}"')
    typer.echo("playbook:")
    for s in case["steps"]:
        mark = "done" if s["done"] else ("OVERDUE" if s["overdue"] else "due")
        typer.echo(f"  {s['step']:<12} {mark:<8} {s['due']}")
    typer.echo("history:")
    for e in case["events"]:
        detail = e.get("detail")
        text = (
            detail.get("text") or detail.get("reason") or detail.get("owner") or ""
            if isinstance(detail, dict)
            else detail
        )
        text, actor = str(shown(text or "")), str(shown(e.get("actor") or "-"))
        typer.echo(
            f"  {e['created_at']:%Y-%m-%d %H:%M} {e['kind']:<9} {actor}: {text}"
            if hasattr(e["created_at"], "strftime")
            else f"  {e['created_at']} {e['kind']}: {text}"
        )
    typer.echo("suggested first reply:")
    for line in case["suggested_reply"].splitlines():
        typer.echo(f"  {line}")


@cases_app.command("show")
def cases_show(
    case_id: int = typer.Argument(..., help="The case id (see carlzon cases list)."),
    store: str | None = StoreOption,
    journey: str | None = JourneyOption,
    as_json: bool = JsonOption,
) -> None:
    """One case: priority and its components, playbook steps with deadlines, history, suggested first reply."""
    with _desk(store, journey, read_only=True) as desk:
        case = desk.get(case_id)
        print_json(case) if as_json else _print_case(case)


@cases_app.command("assign")
def cases_assign(
    case_id: int = typer.Argument(..., help="The case id."),
    owner: str = typer.Argument(..., help="The agent who owns the case from now on."),
    team: str | None = typer.Option(None, "--team", help="The owner's team (recovery rates are shown by team)."),
    store: str | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Give a case an owner (and team); an open case moves to in_progress."""
    with _desk(store, None) as desk:
        case = desk.assign(case_id, owner, team=team)
        print_json(_case_brief(case)) if as_json else typer.echo(
            f"case {case_id} assigned to {owner}" + (f" ({team})" if team else "")
        )


@cases_app.command("note")
def cases_note(
    case_id: int = typer.Argument(..., help="The case id."),
    text: str = typer.Argument(..., help="What was done or said."),
    author: str = typer.Option(..., "--author", help="Who writes the note."),
    reply: bool = typer.Option(
        False, "--reply", help="The note was sent to the customer (first one = first response)."
    ),
    step: str | None = typer.Option(None, "--step", help="Mark this playbook step done (e.g. resolve)."),
    store: str | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a note to a case's history (optionally a reply sent to the customer, or a playbook step done)."""
    with _desk(store, None) as desk:
        case = desk.note(case_id, text, author=author, reply=reply, step=step)
        print_json(_case_brief(case)) if as_json else typer.echo(
            f"note added to case {case_id}" + (" (sent to the customer)" if reply else "")
        )


@cases_app.command("close")
def cases_close(
    case_id: int = typer.Argument(..., help="The case id."),
    outcome: str = typer.Option(..., "--outcome", help="recovered or not_recovered."),
    reason: str = typer.Option(..., "--reason", help="Why: what the customer said or did."),
    actor: str | None = typer.Option(None, "--actor", help="Who closes it."),
    store: str | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Close a case by hand as recovered or not_recovered, saying why."""
    with _desk(store, None) as desk:
        case = desk.close(case_id, outcome, reason, actor=actor)
        print_json(_case_brief(case)) if as_json else typer.echo(f"case {case_id} closed: {outcome} ({reason})")


@cases_app.command("check")
def cases_check(store: str | None = StoreOption, as_json: bool = JsonOption) -> None:
    """Close every open case whose customer came back since (a rating, a reply, a visit), saying why."""
    with _desk(store, None) as desk:
        closed = desk.check_followups()
        if as_json:
            print_json({"n_closed": len(closed), "closed": closed})
            return
        rec = sum(1 for c in closed if c["outcome"] == "recovered")
        typer.echo(
            f"checked the open cases: closed {len(closed)} on a follow-up "
            f"({rec} recovered, {len(closed) - rec} not recovered)"
        )
        for c in closed:
            typer.echo(f"  case {c['case_id']}: {c['outcome']} ({shown(c['reason'])})")


def _fmt_rate(r: dict[str, Any]) -> str:
    if not r["n"]:
        return "n=0"
    return f"{r['rate']:.0%} (95% CI {r['low']:.0%}-{r['high']:.0%}, n={r['n']})"


def _fmt_dur(d: dict[str, Any]) -> str:
    return "n=0" if not d["n"] else f"median {d['median_hours']:g} h, p90 {d['p90_hours']:g} h (n={d['n']})"


@cases_app.command("measures")
def cases_measures(store: str | None = StoreOption, as_json: bool = JsonOption) -> None:
    """Recovery measures: time to first response, time to resolution, recovery rate by touchpoint, team, channel."""
    from carlzon.loop.measures import paradox_from_cases, recovery_measures, recovery_paradox

    with _desk(store, None, read_only=True) as desk:
        m = recovery_measures(desk)
        paradox = recovery_paradox(desk.store)
        by_cases = paradox_from_cases(desk)
        if as_json:
            print_json(
                {
                    "overall": m["overall"],
                    "by": {k: v.to_dict("records") for k, v in m["by"].items()},
                    "recovery_paradox": paradox,
                    "later_nps_by_outcome": by_cases.to_dict("records"),
                }
            )
            return
        o = m["overall"]
        typer.echo(f"cases: {o['cases']} ({o['open']} open)")
        typer.echo(f"time to first response: {_fmt_dur(o['first_response'])}")
        typer.echo(f"time to resolution: {_fmt_dur(o['resolution'])}")
        typer.echo(f"recovery rate: {_fmt_rate(o['recovery_rate'])}")
        for dim, df in m["by"].items():
            if df.empty:
                continue
            t = Table(title=f"by {dim}")
            for col in (dim, "cases", "closed", "recovery rate (95% CI)", "first response median h (n)"):
                t.add_column(col)
            for r in df.to_dict("records"):
                rate = (
                    "n=0"
                    if not r["n_closed"]
                    else (f"{r['recovery_rate']:.0%} ({r['rate_low']:.0%}-{r['rate_high']:.0%})")
                )
                fr = (
                    "-"
                    if not r["first_response_n"]
                    else f"{r['first_response_median_hours']:g} ({r['first_response_n']})"
                )
                t.add_row(str(r[dim]), str(r["cases"]), str(r["n_closed"]), rate, fr)
            console.print(t)
        typer.echo("later NPS by case outcome (recovery paradox when recovered > no case):")
        for r in by_cases.to_dict("records"):
            figure = (
                "n=0"
                if not r["n"]
                else (
                    f"{r['mean_nps']:.1f} (n={r['n']})"
                    if r["n"] < 2
                    else f"{r['mean_nps']:.1f} (95% CI {r['low']:.1f}-{r['high']:.1f}, n={r['n']})"
                )
            )
            typer.echo(f"  {r['group']:<14} {figure}")
        if paradox["available"]:
            typer.echo("return within 90 days after each kind of visit (LoyaltyImpact):")
            for r in paradox["return"]:
                rate = (
                    "n=0"
                    if not r["n"]
                    else (f"{r['return_rate']:.0%} (95% CI {r['ci_low']:.0%}-{r['ci_high']:.0%}, n={r['n']})")
                )
                typer.echo(f"  {r['state']:<14} {rate}")
            typer.echo(f"  {paradox['statement']}")
        else:
            typer.echo(f"recovery paradox (LoyaltyImpact): not available ({paradox['why']})")


def magic_cmd(
    date: str | None = typer.Option(None, "--date", help="The day (YYYY-MM-DD; default today, UTC)."),
    store: str | None = StoreOption,
    journey: str | None = JourneyOption,
    rules: Path | None = typer.Option(
        None, "--rules", exists=False, help="A YAML file with more magic rules (a list, or a mapping with 'magic:')."
    ),
    as_json: bool = JsonOption,
    location: str | None = LocationOption,
    hierarchy: Path | None = HierarchyOption,
) -> None:
    """The day's moments of magic for staff: who, why (birthday, tenth visit, recovered last time...) and what to do."""
    from carlzon.loop.magic import magic_opportunities
    from carlzon.loop.recovery import journey_for_store
    from carlzon.store import open_store

    extra = None
    if rules is not None:
        if not rules.exists():
            raise JourneyError(f"rules file {rules} does not exist", fix="check the path")
        data = yaml.safe_load(rules.read_text(encoding="utf-8"))
        extra = data.get("magic") if isinstance(data, dict) else data
    with open_store(store_url(store), read_only=True) as st:
        ops = magic_opportunities(
            st,
            journey or journey_for_store(st),
            day=date,
            extra_rules=extra,
            locations=places_of(st, location, hierarchy),
        )
    if as_json:
        print_json({"date": date, "n": len(ops), "opportunities": [o.to_dict() for o in ops]})
        return
    if not ops:
        typer.echo(f"no magic opportunities {'on ' + date if date else 'today'} (n=0)")
        return
    t = Table(title=f"moments of magic {'on ' + date if date else 'today'} (n={len(ops)})")
    for col in ("customer", "rule", "reason", "what to do"):
        t.add_column(col, overflow="fold")
    for o in ops:
        t.add_row(shown(o.name or o.customer_id), shown(o.rule), shown(o.reason), shown(o.say))
    console.print(t)


def coach_cmd(
    text: str = typer.Argument(..., help="The agent's reply ('-' reads it from stdin)."),
    issue: str | None = typer.Option(None, "--issue", help="The customer's message, to check the reply names it."),
    as_json: bool = JsonOption,
) -> None:
    """Check a reply for the empathy steps (acknowledge, apologize, explain, time, fix); flag blame, scripts, jargon."""
    from carlzon.loop.coaching import coach

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise CarlzonError("the reply is empty", fix="pass the reply text, or '-' to read it from stdin")
    r = coach(text, issue=issue)
    if as_json:
        print_json(r.to_dict())
        return
    typer.echo(f"score {r.score}/100")
    for name, s in r.steps.items():
        said = ", ".join(f'"{w}"' for w in s["words"]) if s["found"] else f"missing: {s['tip']}"
        typer.echo(f"  [{'x' if s['found'] else ' '}] {name:<11} {shown(said)}")
    for f in r.flags:
        typer.echo(f"  ! {f['kind']} ({f['points']}): {shown(', '.join(repr(w) for w in f['words']))} -> {f['tip']}")


def roleplay_cmd(
    n: int = typer.Option(3, "-n", "--n", min=1, max=50, help="How many cards."),
    store: str | None = StoreOption,
    journey: str | None = JourneyOption,
    reply: str | None = typer.Option(None, "--reply", help="Score your practice reply to the first card."),
    as_json: bool = JsonOption,
) -> None:
    """Role-play cards from real moments of misery, with names, e-mails, phones, card and account numbers removed."""
    from carlzon.loop.coaching import coach
    from carlzon.loop.recovery import journey_for_store
    from carlzon.loop.roleplay import roleplay_cards
    from carlzon.store import open_store

    with open_store(store_url(store), read_only=True) as st:
        cards = roleplay_cards(st, journey or journey_for_store(st), n=n)
    result: dict[str, Any] = {"n": len(cards), "cards": [c.to_dict() for c in cards]}
    if reply is not None and cards:
        result["score"] = coach(reply, issue=cards[0].customer_says).to_dict()
    if as_json:
        print_json(result)
        return
    if not cards:
        typer.echo("no moments of misery with text to practise on (n=0)")
        return
    for c in cards:
        typer.echo(f"card {c.card}: {shown(c.touchpoint)} ({c.stakes} stakes, intensity {c.intensity:.2f})")
        typer.echo(f'  customer: "{shown(c.customer_says)}"')
        typer.echo(f"  your task: {c.task}")
    if "score" in result:
        typer.echo(f"your reply to card 1 scores {result['score']['score']}/100")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(cases_app, name="cases")
    app.command("magic")(magic_cmd)
    app.command("coach")(coach_cmd)
    app.command("roleplay")(roleplay_cmd)
