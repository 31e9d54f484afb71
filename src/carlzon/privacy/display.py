"""Personal data in what people see: masked unless the reader may see it.

The report and exports mask e-mails, phones, names and the rest (:func:`carlzon.privacy.redact`)
unless asked to include them (``--include-personal-data``, for internal use); the dashboard shows
them to agents and admins, masked to viewers. Templates mark every value from a customer with the
``personal`` filter; whoever renders says whether personal data may show, for that rendering only:

    >>> personal("call Anna on 070-123 45 67")
    'call [NAME] on [PHONE]'
    >>> with showing_personal_data(True):
    ...     personal("call Anna on 070-123 45 67")
    'call Anna on 070-123 45 67'
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from collections.abc import Iterable, Iterator

from carlzon.privacy.recognise import redact

__all__ = ["mask_evidence", "mask_records", "personal", "showing_personal_data"]

_SHOW: ContextVar[bool] = ContextVar("carlzon_show_personal_data", default=False)


@contextmanager
def showing_personal_data(show: bool) -> Iterator[None]:
    """Within the block, :func:`personal` shows personal data when ``show`` (else masks it)."""
    token = _SHOW.set(bool(show))
    try:
        yield
    finally:
        _SHOW.reset(token)


def personal(value: Any, names: Iterable[str] = ()) -> Any:
    """``value`` as the reader may see it: as it is, or with personal data masked (non-text as it is)."""
    if _SHOW.get() or not isinstance(value, str):
        return value
    return redact(value, names=names)


def mask_evidence(raw: Any) -> Any:
    """Evidence (a JSON list or a list of dicts) with the customer's words in it masked."""
    items = raw
    if isinstance(raw, str):
        try:
            items = json.loads(raw)
        except ValueError:
            return redact(raw)
    if not isinstance(items, list):
        return raw
    out = [
        {
            k: (redact(v) if isinstance(v, str) and k in ("text", "quote", "words", "phrase") else v)
            for k, v in e.items()
        }
        if isinstance(e, dict)
        else (redact(e) if isinstance(e, str) else e)
        for e in items
    ]
    return json.dumps(out, ensure_ascii=False) if isinstance(raw, str) else out


def mask_records(records: list[dict[str, Any]], fields: Iterable[str]) -> list[dict[str, Any]]:
    """Records with the given text fields (and ``evidence``) masked, unless personal data may show."""
    if _SHOW.get():
        return records
    fields = tuple(fields)
    out = []
    for r in records:
        r = dict(r)
        names = [str(r[k]) for k in ("customer_name", "name") if isinstance(r.get(k), str)]
        for f in fields:
            if isinstance(r.get(f), str):
                r[f] = redact(r[f], names=names)
        if "evidence" in r:
            r["evidence"] = mask_evidence(r["evidence"])
        out.append(r)
    return out
