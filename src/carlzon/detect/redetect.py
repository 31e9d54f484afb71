"""Re-derive the moments of stored interactions with another journey or model, without ingesting again.

:func:`redetect` reads the store's interactions in batches (in the order they were stored), runs
them through a :class:`~carlzon.detect.Detector` and writes their moments with
:meth:`~carlzon.store.Store.add_moments` (which replaces an interaction's earlier moments). The
store's ``"journey"`` note is set to the journey used. Rows without text, rating or measure (events
from a log) get no moment, as at ingest.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     _ = st.add_interactions(pd.DataFrame({"id": ["a"], "text": ["The barista was rude"], "stars": [1.0]}))
    ...     r = redetect(st, journey="coffee_shop")
    ...     r.moments, st.meta("journey"), st.moments()["touchpoint"].tolist()
    (1, 'coffee_shop', ['barista'])
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import DetectError
from carlzon.journey import Journey, journey_from_meta, journey_meta, load_journey
from carlzon.schema import INTERACTION_COLUMNS

__all__ = ["RedetectResult", "redetect"]


@dataclass
class RedetectResult:
    """What :func:`redetect` did: interactions read, moments written, the journey used, seconds."""

    interactions: int
    moments: int
    journey: str | None
    seconds: float
    previous_journey: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}


def redetect(store: Any, *, journey: Journey | str | Path | None = None, model: Any = None,
             batch_rows: int = 20_000, progress: Any = None) -> RedetectResult:
    """Re-derive the moments of every stored interaction (see the module docs).

    ``journey`` defaults to the store's own (its ``"journey"`` note); a store without one needs it.
    ``progress(n)`` is called after each batch with the interactions done so far.
    """
    from carlzon.detect import Detector
    from carlzon.ingest import _has_experience

    t0 = time.perf_counter()
    note = store.meta("journey")
    previous = journey_from_meta(note).name if note else None
    if journey is None:
        if not note:
            raise DetectError("the store has no journey to derive moments with",
                              fix="pass --journey NAME (one of `carlzon journeys`) or the path of your YAML")
        jr = journey_from_meta(note)
    else:
        jr = journey if isinstance(journey, Journey) else load_journey(journey)
    det = Detector(jr, model=model)
    cols = ", ".join(INTERACTION_COLUMNS)
    after, done, written = -1, 0, 0
    while True:
        df = store.query(f"SELECT seq, {cols}, layout FROM interactions WHERE seq > :after ORDER BY seq LIMIT :n",
                         {"after": after, "n": int(batch_rows)})
        if not len(df):
            break
        after = int(df["seq"].max())
        df = store.unpack(df.drop(columns="seq"))
        df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, errors="coerce")
        for c in ("nps", "csat", "ces", "stars"):
            df[c] = pd.to_numeric(df[c], errors="coerce")
        rows = df[_has_experience(df)].reset_index(drop=True)
        if len(rows):
            with store.transaction():
                written += store.add_moments(det.detect(rows))
        done += len(df)
        if progress is not None:
            progress(done)
    store.set_meta("journey", journey_meta(jr))
    return RedetectResult(interactions=done, moments=written, journey=jr.name, seconds=time.perf_counter() - t0,
                          previous_journey=previous)
