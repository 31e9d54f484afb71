"""Tell people: new high-priority cases and new alerts by e-mail (SMTP) and to Slack / Microsoft Teams webhooks.

One message per **ongoing problem**: cases are grouped by touchpoint and place,
alerts by touchpoint, theme and place. The first case or alert of a problem
sends a message; more of the same problem update its record (``notifications``
table) and send again only when the count has doubled since the last message
("update: now 8 cases"), so a busy afternoon at one gate is one thread, not
forty pings. ``digest=True`` sends nothing at once: :meth:`Notifier.send_digest`
sends one message listing every problem with news since the last digest.

Messages hold case ids, touchpoints, stakes, priorities and counts, never the
customer's name or words (they leave the company's systems).

Formats: Slack incoming webhooks (``{"text", "blocks"}``) and Teams workflow
webhooks (a message with an Adaptive Card attachment).

Example:
    >>> slack({"subject": "2 high-priority cases: baggage claim at CPH", "lines": ["#4 priority 88"]})["text"]
    '2 high-priority cases: baggage claim at CPH'
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from email.message import EmailMessage
from typing import Any
from collections.abc import Callable

import httpx

from carlzon.errors import CarlzonError

__all__ = ["EmailTarget", "Notifier", "WebhookTarget", "slack", "teams"]

ONGOING_DAYS = 7


@dataclass(frozen=True)
class EmailTarget:
    """An SMTP server and who gets the mail."""

    host: str
    to: tuple[str, ...]
    sender: str = "carlzon@localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL and its format: ``slack`` or ``teams``."""

    url: str
    format: str = "slack"

    def __post_init__(self) -> None:
        if self.format not in ("slack", "teams"):
            raise CarlzonError(f"unknown webhook format {self.format!r}", fix="use slack or teams")


def slack(msg: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook payload: text (the fallback) and blocks."""
    body = "\n".join(f"• {line}" for line in msg.get("lines", []))
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": msg["subject"][:150]}}]
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:2900]}})
    return {"text": msg["subject"], "blocks": blocks}


def teams(msg: dict[str, Any]) -> dict[str, Any]:
    """A Microsoft Teams workflow-webhook payload: a message with one Adaptive Card."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [{"type": "TextBlock", "text": msg["subject"], "weight": "Bolder", "size": "Medium", "wrap": True}]
        + [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"} for line in msg.get("lines", [])],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


class Notifier:
    """Sends messages about ongoing problems to e-mail and webhooks, deduplicated in the store."""

    def __init__(
        self,
        store: Any,
        *,
        email: EmailTarget | None = None,
        webhooks: list[WebhookTarget] | None = None,
        digest: bool = False,
        base_url: str = "",
        clock: Callable[[], datetime] | None = None,
        timeout: float = 10.0,
    ) -> None:
        if email is None and not webhooks:
            raise CarlzonError("nowhere to send", fix="give an SMTP host and --to, or a --slack / --teams webhook URL")
        self.store, self.email, self.webhooks = store, email, list(webhooks or [])
        self.digest, self.base_url, self.timeout = digest, base_url.rstrip("/"), timeout
        self.clock = clock or (lambda: datetime.now(UTC))

    # ------------------------------------------------------------------ problems
    def cases(self, cases: list[dict[str, Any]]) -> dict[str, Any]:
        """Report new high-priority cases (dicts with id, touchpoint, location, stakes, priority)."""
        problems: dict[str, list[dict[str, Any]]] = {}
        for c in cases:
            key = f"cases:{c.get('touchpoint') or 'unknown'}:{c.get('location') or ''}"
            problems.setdefault(key, []).append(c)
        lines = {
            k: [
                f"#{c['id']} priority {float(c['priority']):.0f}, {c.get('stakes') or 'low'} stakes"
                + (f" {self.base_url}/cases/{c['id']}" if self.base_url else "")
                for c in v
            ]
            for k, v in problems.items()
        }
        return self._record("cases", {k: (len(v), self._case_subject(v), lines[k]) for k, v in problems.items()})

    def alerts(self, alerts: list[dict[str, Any]]) -> dict[str, Any]:
        """Report alerts (dicts with touchpoint, theme, location, since, count): an alert told before is told
        again only when its count has doubled since, so running the alerts again sends nothing new."""
        problems: dict[str, tuple[int, str, list[str]]] = {}
        for a in alerts:
            key = f"alert:{a.get('touchpoint')}:{a.get('theme') or ''}:{a.get('location') or ''}"
            where = f" at {a['location']}" if a.get("location") else ""
            theme = f" ({a['theme']})" if a.get("theme") else ""
            n = int(a.get("count") or 1)
            problems[key] = (
                n,
                f"Emerging problem: {a.get('touchpoint')}{theme}{where} since {a.get('since')}",
                [f"{n} moments of misery (baseline {a.get('baseline', '–')})"],
            )
        return self._record("alert", problems, cumulative=False)

    @staticmethod
    def _case_subject(cases: list[dict[str, Any]]) -> str:
        c = cases[0]
        where = f" at {c['location']}" if c.get("location") else ""
        return (
            f"{len(cases)} new high-priority case(s): {str(c.get('touchpoint') or 'unknown').replace('_', ' ')}{where}"
        )

    def _record(
        self, kind: str, problems: dict[str, tuple[int, str, list[str]]], *, cumulative: bool = True
    ) -> dict[str, Any]:
        """Send or hold each problem. ``cumulative``: ``n`` adds to the problem's total (new cases); else
        ``n`` is the total as it stands (an alert's count, the same again when the alerts are run again)."""
        now = self.clock()
        sent: list[Any] = []
        updated: list[Any] = []
        quiet: list[Any] = []
        for key, (n, subject, lines) in problems.items():
            row = self.store.query("SELECT * FROM notifications WHERE key = :k", {"k": key})
            ongoing = len(row) and _utc(row["last_at"].iloc[0]) >= now - timedelta(days=ONGOING_DAYS)
            if not ongoing:
                total, last_sent, updates = n, 0, 0
            else:
                prev = json.loads(row["sent"].iloc[0] or "{}")
                total, last_sent, updates = (
                    int(prev.get("total", 0)) + n if cumulative else n,
                    int(prev.get("last_sent", 0)),
                    int(row["updates"].iloc[0]) + 1,
                )
            subject_now = subject if not ongoing else f"Update ({total} in all): {subject}"
            send_now = not self.digest and (not ongoing or total >= 2 * max(last_sent, 1))
            if send_now:
                self._send({"subject": subject_now, "lines": lines})
                last_sent = total
                (updated if ongoing else sent).append(key)
            else:
                quiet.append(key)
            params = {
                "k": key,
                "kind": kind,
                "subject": subject_now,
                "body": "\n".join(lines),
                "now": now,
                "updates": updates,
                "sent": json.dumps({"total": total, "last_sent": last_sent}),
                "pending": 0 if send_now else 1,
            }
            with self.store.transaction():
                if len(row):
                    self.store.execute(
                        "UPDATE notifications SET subject = :subject, body = :body, last_at = :now, "
                        "updates = :updates, sent = :sent, pending = :pending WHERE key = :k",
                        params,
                    )
                    if not ongoing:
                        self.store.execute(
                            "UPDATE notifications SET first_at = :now WHERE key = :k", {"now": now, "k": key}
                        )
                else:
                    self.store.execute(
                        "INSERT INTO notifications (key, kind, subject, body, first_at, last_at, updates, sent, pending) "
                        "VALUES (:k, :kind, :subject, :body, :now, :now, :updates, :sent, :pending)",
                        params,
                    )
        return {"sent": sent, "updated": updated, "held": quiet}

    def send_digest(self) -> dict[str, Any]:
        """One message listing every problem with news since the last digest; returns how many it listed."""
        rows = self.store.query("SELECT key, subject, body FROM notifications WHERE pending = 1 ORDER BY last_at")
        if not len(rows):
            return {"sent": False, "problems": 0}
        lines = [r["subject"] for r in rows.to_dict("records")]
        self._send({"subject": f"carlzon digest: {len(rows)} problem(s) with news", "lines": lines})
        with self.store.transaction():
            self.store.execute("UPDATE notifications SET pending = 0 WHERE pending = 1")
        return {"sent": True, "problems": int(len(rows))}

    # ------------------------------------------------------------------ sending
    def _send(self, msg: dict[str, Any]) -> None:
        for hook in self.webhooks:
            payload = slack(msg) if hook.format == "slack" else teams(msg)
            r = httpx.post(hook.url, json=payload, timeout=self.timeout)
            if r.status_code >= 300:
                raise CarlzonError(
                    f"the {hook.format} webhook answered {r.status_code}: {r.text[:200]}",
                    fix="check the webhook URL (and that the channel's workflow is on)",
                )
        if self.email is not None:
            e = self.email
            mail = EmailMessage()
            mail["Subject"], mail["From"], mail["To"] = msg["subject"], e.sender, ", ".join(e.to)
            mail.set_content("\n".join([msg["subject"], ""] + [f"- {line}" for line in msg.get("lines", [])]))
            try:
                with smtplib.SMTP(e.host, e.port, timeout=self.timeout) as smtp:
                    if e.starttls:
                        smtp.starttls()
                    if e.user:
                        smtp.login(e.user, e.password or "")
                    smtp.send_message(mail)
            except (OSError, smtplib.SMTPException) as exc:
                raise CarlzonError(
                    f"cannot send e-mail through {e.host}:{e.port}: {exc}",
                    fix="check the SMTP host, port and credentials",
                ) from exc


def _utc(v: Any) -> datetime:
    import pandas as pd

    t = pd.Timestamp(v)
    return (t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")).to_pydatetime()
