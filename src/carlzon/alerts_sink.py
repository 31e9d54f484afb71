"""Send emerging problems to a webhook as a Slack-compatible JSON payload, retried with back-off.

Each attempt is logged on ``logging.getLogger("carlzon.alerts_sink")`` (no
logging is configured here). Connection errors, time-outs, 429 and 5xx
answers are retried ``retries`` times with exponential back-off
(``backoff * 2**attempt`` seconds, capped at ``max_backoff``, honouring a
``Retry-After`` header); other 4xx answers fail at once.

Example:
    >>> payload = slack_payload([{"touchpoint": "check_in", "theme": "bag drop · broken", "location": "CPH",
    ...     "since": "2026-05-14", "count": 9, "baseline": 0.9, "examples": ["bag drop broken"]}])
    >>> payload["text"]
    '1 emerging problem: check_in (bag drop · broken) at CPH since 2026-05-14'
    >>> [b["type"] for b in payload["blocks"]]
    ['header', 'section', 'context']
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from carlzon.errors import CarlzonError

__all__ = ["post_alerts", "slack_payload"]

log = logging.getLogger(__name__)


def _what(a: dict[str, Any]) -> str:
    theme = f" ({a['theme']})" if a.get("theme") else ""
    where = f" at {a['location']}" if a.get("location") else ""
    return f"{a.get('touchpoint')}{theme}{where} since {a.get('since')}"


def slack_payload(alerts: Sequence[dict[str, Any]], *, max_alerts: int = 20) -> dict[str, Any]:
    """{"text": ..., "blocks": [...]}: a header, one section per alert (with examples), a context line."""
    n = len(alerts)
    if n == 0:
        return {
            "text": "No emerging problems.",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "No emerging problems."}}],
        }
    head = f"{n} emerging problem{'s' if n != 1 else ''}"
    text = f"{head}: {_what(alerts[0])}" + (f" and {n - 1} more" if n > 1 else "")
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": head}}]
    for a in alerts[:max_alerts]:
        lines = [
            f"*{_what(a)}*",
            f"{a.get('count')} moments of misery against {a.get('baseline')} expected"
            + (f" over {a['days']} day(s)" if a.get("days") else ""),
        ]
        lines += [f"> {str(e)[:280]}" for e in (a.get("examples") or [])[:3]]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}})
    more = f"; {n - max_alerts} more not shown" if n > max_alerts else ""
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"carlzon alerts{more}"}]})
    return {"text": text, "blocks": blocks}


def post_alerts(
    url: str,
    alerts: Sequence[dict[str, Any]],
    *,
    retries: int = 4,
    backoff: float = 0.5,
    max_backoff: float = 30.0,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """POST the alerts to ``url``; returns {"status", "attempts", "alerts"}; CarlzonError after the last failed try."""
    if not str(url).startswith(("http://", "https://")):
        raise CarlzonError(
            f"webhook URL {url!r} is not http(s)", fix="pass a URL such as https://hooks.slack.com/services/..."
        )
    payload = slack_payload(alerts)
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    last = ""
    try:
        for attempt in range(retries + 1):
            wait = min(backoff * 2**attempt, max_backoff)
            try:
                resp = http.post(url, json=payload)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
                log.warning("webhook attempt %d/%d to %s failed: %s", attempt + 1, retries + 1, _safe(url), last)
            else:
                if resp.status_code < 300:
                    log.info(
                        "webhook attempt %d/%d to %s: HTTP %d", attempt + 1, retries + 1, _safe(url), resp.status_code
                    )
                    return {"status": resp.status_code, "attempts": attempt + 1, "alerts": len(alerts)}
                last = f"HTTP {resp.status_code}"
                log.warning(
                    "webhook attempt %d/%d to %s: HTTP %d", attempt + 1, retries + 1, _safe(url), resp.status_code
                )
                if resp.status_code != 429 and resp.status_code < 500:
                    raise CarlzonError(
                        f"webhook refused the alerts ({last}: {resp.text[:200]})",
                        fix="check the webhook URL and that it accepts JSON POSTs",
                    )
                retry_after = resp.headers.get("retry-after", "")
                if retry_after.isdigit():
                    wait = min(float(retry_after), max_backoff)
            if attempt < retries:
                sleep(wait)
    finally:
        if own:
            http.close()
    raise CarlzonError(
        f"webhook did not accept the alerts after {retries + 1} attempts (last: {last})",
        fix="check that the URL is reachable, or retry later",
    )


def _safe(url: str) -> str:
    """The URL without its path secrets (Slack puts tokens in the path)."""
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<url>"
    return f"{u.scheme}://{u.host}{':' + str(u.port) if u.port else ''}/…"
