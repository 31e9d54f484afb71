"""Layouts: named numbers (a survey's item ratings, an event's measures) stored packed.

Ingest hands the store ``ratings`` and ``measures`` as a :class:`~carlzon.jsoncols.NumberMap`:
the same names for a whole batch. The store writes the names once, as a row of the
``layouts`` table, and each interaction's numbers as a JSON array in the layout's order
(``[3,4,null]`` instead of ``{"Seat comfort":3,"Food and drink":4,"Wifi":null}``): about a
tenth of the bytes for a survey with many items, so ingest writes, the file and every read
shrink alike. :meth:`Store.interactions` / :meth:`Store.moments` give the JSON objects back,
byte for byte as ingest made them; rows written without a layout (``add_interactions``) keep
their objects as given.

Example:
    >>> import pandas as pd
    >>> from carlzon.ingest import ingest
    >>> from carlzon.store import open_store
    >>> df = pd.DataFrame({"comment": ["ok"], "Seat comfort": [4], "Food and drink": [2]})
    >>> with open_store(":memory:") as s:
    ...     _ = ingest(df, s, journey="airline", detect=False)
    ...     raw = s.query("SELECT ratings, layout FROM interactions")
    ...     raw["ratings"].tolist(), s.unpack(raw)["ratings"].tolist()
    (['[4,2]'], ['{"Seat comfort":4,"Food and drink":2}'])
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from carlzon.errors import StoreError
from carlzon.jsoncols import unpack_numbers

if TYPE_CHECKING:
    from carlzon.store.base import Store

__all__ = ["Layouts"]

_DAMAGED = "the store is damaged: restore it from a backup, or ingest the source again into a new store"


class Layouts:
    """The layouts of one store: ids by names (to write) and names by id (to read), cached."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._names: dict[int, tuple[list[str], list[str]]] = {}  # id -> (ratings names, measures names)
        self._ids: dict[str, int] = {}  # digest of the names -> id

    def forget(self) -> None:
        """Drop the cache (after a rollback: a layout added in it no longer exists)."""
        self._names.clear()
        self._ids.clear()

    def id_for(self, ratings: list[str], measures: list[str]) -> int:
        """The id of the layout with these names, added when new (call it inside a transaction)."""
        r, m = json.dumps(ratings, ensure_ascii=False), json.dumps(measures, ensure_ascii=False)
        digest = hashlib.sha256(f"{r}\x1e{m}".encode("utf-8", "surrogatepass")).hexdigest()
        if digest not in self._ids:
            st = self._store
            st.execute(
                "INSERT INTO layouts (digest, ratings, measures) VALUES (:d, :r, :m) ON CONFLICT DO NOTHING",
                {"d": digest, "r": r, "m": m},
            )
            lid = int(st.query("SELECT id FROM layouts WHERE digest = :d", {"d": digest})["id"].iloc[0])
            self._ids[digest] = lid
            self._names[lid] = (ratings, measures)
        return self._ids[digest]

    def names(self, lid: int) -> tuple[list[str], list[str]]:
        """The (ratings, measures) names of layout ``lid``."""
        if lid not in self._names:
            known = self._store.query("SELECT id, ratings, measures FROM layouts")
            for i, ratings, measures in zip(known["id"], known["ratings"], known["measures"]):
                self._names[int(i)] = (json.loads(ratings), json.loads(measures))
        if lid not in self._names:
            raise StoreError(
                f"interactions refer to layout {lid}, which is missing", where=self._store.url_safe, fix=_DAMAGED
            )
        return self._names[lid]

    def unpack(self, df: pd.DataFrame) -> pd.DataFrame:
        """``ratings`` / ``measures`` of rows with a ``layout`` as JSON objects; the ``layout`` column dropped."""
        if "layout" not in df.columns:
            return df
        lay = pd.to_numeric(df["layout"], errors="coerce")
        df = df.drop(columns="layout")
        for lid in lay.dropna().unique():
            rows = np.flatnonzero((lay == lid).to_numpy())
            for col, names in zip(("ratings", "measures"), self.names(int(lid))):
                if col not in df.columns or not names:  # no names: the column was stored as given
                    continue
                j = list(df.columns).index(col)
                try:
                    df.iloc[rows, j] = unpack_numbers(df[col].iloc[rows].tolist(), names)
                except ValueError as exc:
                    raise StoreError(
                        f"{exc} in column {col} (layout {int(lid)})", where=self._store.url_safe, fix=_DAMAGED
                    ) from None
        return df
