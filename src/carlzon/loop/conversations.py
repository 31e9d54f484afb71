"""Conversations from reply-linked messages (tweets, chat turns): threads and first-response times.

Each message has an id, an author, whether it came in from a customer
(``inbound``), a time, and the id it answers (``in_response_to``). A
company's first response to a customer message is its earliest reply to
that message; the time to first response is the gap. Threads follow the
reply links back to the customer message that started them.

Example:
    >>> import pandas as pd
    >>> msgs = pd.DataFrame({
    ...     "id": ["1", "2", "3"], "author": ["c1", "AirSupport", "c1"], "inbound": [True, False, True],
    ...     "time": pd.to_datetime(["2017-10-31 10:00", "2017-10-31 10:30", "2017-10-31 10:40"], utc=True),
    ...     "in_response_to": [None, "1", "2"]})
    >>> first_responses(msgs)[["customer_message", "brand", "minutes"]].to_dict("records")
    [{'customer_message': '1', 'brand': 'AirSupport', 'minutes': 30.0}]
    >>> thread_roots(msgs).tolist()
    ['1', '1', '1']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["first_responses", "response_summary", "thread_roots"]


def _norm_id(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() in ("", "nan"):
        return None
    s = str(v).strip()
    return s[:-2] if s.endswith(".0") else s


def thread_roots(msgs: pd.DataFrame) -> pd.Series:
    """For each message, the id of the first message of its thread (following ``in_response_to``)."""
    parent = {(_norm_id(i)): _norm_id(p) for i, p in zip(msgs["id"], msgs["in_response_to"])}
    roots = []
    for mid in (_norm_id(i) for i in msgs["id"]):
        seen, cur = {mid}, mid
        while parent.get(cur) is not None and parent[cur] in parent and parent[cur] not in seen:
            cur = parent[cur]
            seen.add(cur)
        roots.append(cur)
    return pd.Series(roots, index=msgs.index, name="thread")


def first_responses(msgs: pd.DataFrame) -> pd.DataFrame:
    """One row per customer message a company answered: customer_message, brand, asked, answered, minutes."""
    m = msgs.assign(
        _id=pd.Series([_norm_id(i) for i in msgs["id"]], index=msgs.index),
        _to=pd.Series([_norm_id(p) for p in msgs["in_response_to"]], index=msgs.index),
    )
    inbound = m[m["inbound"].astype(bool)][["_id", "time"]].rename(columns={"_id": "customer_message", "time": "asked"})
    replies = m[~m["inbound"].astype(bool) & m["_to"].notna()][["_to", "author", "time"]]
    replies = replies.rename(columns={"_to": "customer_message", "author": "brand", "time": "answered"})
    pairs = inbound.merge(replies, on="customer_message", how="inner")
    pairs = pairs[pairs["answered"] >= pairs["asked"]]
    first = pairs.sort_values("answered", kind="stable").groupby("customer_message", as_index=False).first()
    first["minutes"] = (first["answered"] - first["asked"]).dt.total_seconds() / 60.0
    return first[["customer_message", "brand", "asked", "answered", "minutes"]]


def response_summary(first: pd.DataFrame) -> pd.DataFrame:
    """Per brand: n answered customer messages, median and p90 minutes to first response."""
    g = first.groupby("brand")["minutes"]
    out = pd.DataFrame({"n": g.size(), "median_minutes": g.median(), "p90_minutes": g.quantile(0.9)})
    return out.sort_values(["n", "median_minutes"], ascending=[False, True]).reset_index()
