"""Re-derive the moments of stored interactions with another journey or model, without ingesting again.

:func:`redetect` reads the store's interactions in batches (in the order they were stored), runs
them through a :class:`~carlzon.detect.Detector` and writes their moments with
:meth:`~carlzon.store.Store.add_moments` (which replaces an interaction's earlier moments). The
store's ``"journey"`` note is set to the journey used. Rows without text, rating or measure (events
from a log) get no moment, as at ingest.

:func:`upgrade_moments` re-derives, once, the moments of a store made before moments were one per
(interaction, touchpoint) (migration 10 keeps the old rows and leaves the note ``moments_pending``),
checks that every interaction that had a moment still has one, and says what it did.

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

__all__ = ["RedetectResult", "UpgradeResult", "redetect", "upgrade_moments"]


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


def redetect(
    store: Any,
    *,
    journey: Journey | str | Path | None = None,
    model: Any = None,
    batch_rows: int = 20_000,
    progress: Any = None,
) -> RedetectResult:
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
            raise DetectError(
                "the store has no journey to derive moments with",
                fix="pass --journey NAME (one of `carlzon journeys`) or the path of your YAML",
            )
        jr = journey_from_meta(note)
    else:
        jr = journey if isinstance(journey, Journey) else load_journey(journey)
    det = Detector(jr, model=model)
    cols = ", ".join(INTERACTION_COLUMNS)
    after, done, written = -1, 0, 0
    while True:
        df = store.query(
            f"SELECT seq, {cols}, layout FROM interactions WHERE seq > :after ORDER BY seq LIMIT :n",
            {"after": after, "n": int(batch_rows)},
        )
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
    from carlzon.store.moment_unit import PENDING_NOTE

    if store.meta(PENDING_NOTE) is not None:  # every moment is now derived one per (interaction, touchpoint)
        store.set_meta(PENDING_NOTE, None)
    return RedetectResult(
        interactions=done, moments=written, journey=jr.name, seconds=time.perf_counter() - t0, previous_journey=previous
    )


@dataclass
class UpgradeResult:
    """What :func:`upgrade_moments` did: moments and interactions with moments before and after."""

    moments_before: int
    moments_after: int
    interactions_before: int
    interactions_after: int
    journey: str | None
    seconds: float

    @property
    def message(self) -> str:
        return (
            f"re-derived the moments of {self.interactions_after:,} interactions, one per touchpoint each speaks "
            f"of ({self.moments_before:,} moments before, {self.moments_after:,} now; journey "
            f"{self.journey}); no interaction lost its moments"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3), "message": self.message}


def _moment_counts(store: Any) -> tuple[int, int]:
    r = store.query("SELECT COUNT(*) AS n, COUNT(DISTINCT interaction_id) AS k FROM moments").iloc[0]
    return int(r["n"] or 0), int(r["k"] or 0)


def upgrade_moments(
    store: Any, *, journey: Journey | str | Path | None = None, model: Any = None, progress: Any = None
) -> UpgradeResult | None:
    """Re-derive the moments of a store upgraded by migration 10 (note ``moments_pending``); None when
    there is nothing to do. The moments of interactions that are no longer stored (or that the
    detector cannot read now) are kept as they were: nothing is lost.

    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     upgrade_moments(st) is None
    True
    """
    from carlzon.store.moment_unit import PENDING_NOTE

    if store.meta(PENDING_NOTE) is None:
        return None
    if journey is None and not store.meta("journey"):
        raise DetectError(
            "the store's moments were derived one per interaction and it has no journey to "
            "derive them again per touchpoint",
            fix="run `carlzon detect --store STORE --journey NAME` (one of `carlzon journeys`)",
        )
    t0 = time.perf_counter()
    n0, k0 = _moment_counts(store)
    before = set(store.query("SELECT DISTINCT interaction_id FROM moments")["interaction_id"].tolist())
    r = redetect(store, journey=journey, model=model, progress=progress)
    after = set(store.query("SELECT DISTINCT interaction_id FROM moments")["interaction_id"].tolist())
    lost = before - after
    if lost:
        raise DetectError(
            f"{len(lost)} interactions lost their moments while re-deriving them (e.g. {sorted(lost)[:3]})",
            fix="report this as a bug; the store keeps its earlier rows for interactions that were not re-derived",
        )
    store.set_meta(PENDING_NOTE, None)
    n1, k1 = _moment_counts(store)
    return UpgradeResult(
        moments_before=n0,
        moments_after=n1,
        interactions_before=k0,
        interactions_after=k1,
        journey=r.journey,
        seconds=time.perf_counter() - t0,
    )
