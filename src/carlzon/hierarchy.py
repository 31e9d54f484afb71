"""Places and their hierarchy (region > area > location), from YAML or CSV.

A chain's places sit in a hierarchy: a store manager owns one store, a regional
manager twenty. The hierarchy is optional; without one every place stands alone.
A CSV has one row per place: ``location`` (the id the interactions carry), and
optionally ``name`` (shown in pickers and reports), ``area`` and ``region``. A YAML
file is either the same rows as a list of mappings, or nested
``region: {area: [location, ...]}`` (an area may be skipped: ``region: [location, ...]``).

Example:
    >>> h = Hierarchy.from_records([{"location": "s1", "name": "Old Town", "area": "Centre", "region": "North"},
    ...                             {"location": "s2", "area": "Centre", "region": "North"},
    ...                             {"location": "s3", "area": "Harbour", "region": "South"}])
    >>> h.members("North"), h.level_of("Centre"), h.parent("s3", "region"), h.name("s1")
    (('s1', 's2'), 'area', 'South', 'Old Town')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from carlzon.errors import AnalysisError

__all__ = ["LEVELS", "Hierarchy", "load_hierarchy", "resolve_locations"]

LEVELS = ("location", "area", "region")
"""The levels, from a single place up."""


class Hierarchy:
    """Places with their name, area and region. ``table``: one row per place, columns ``location``,
    ``name``, ``area``, ``region`` (None where not given)."""

    def __init__(self, table: pd.DataFrame) -> None:
        if "location" not in table.columns:
            raise AnalysisError(
                "the hierarchy has no 'location' column",
                fix="give one row per place with a 'location' column (and optionally name, area, region)",
            )
        t = table.copy()
        for c in ("name", "area", "region"):
            if c not in t.columns:
                t[c] = None
        t = t[["location", "name", "area", "region"]].astype(object)
        t = t.where(t.notna() & (t.astype(str).apply(lambda s: s.str.strip()) != ""), None)
        if t["location"].isna().any():
            raise AnalysisError("a row of the hierarchy has no location", fix="fill in the 'location' of every row")
        t["location"] = t["location"].astype(str).str.strip()
        dup = t["location"][t["location"].duplicated()].tolist()
        if dup:
            raise AnalysisError(f"the hierarchy lists {dup[0]!r} twice", fix="keep one row per place")
        for child, parent in (("area", "region"),):
            pairs = t.dropna(subset=[child, parent]).groupby(child)[parent].nunique()
            if (pairs > 1).any():
                raise AnalysisError(
                    f"area {pairs[pairs > 1].index[0]!r} sits in more than one region", fix="give each area one region"
                )
        self.table = t.reset_index(drop=True)

    @classmethod
    def from_records(cls, rows: Iterable[Mapping[str, Any]]) -> Hierarchy:
        return cls(pd.DataFrame.from_records(list(rows)))

    def __repr__(self) -> str:
        t = self.table
        return f"Hierarchy({len(t)} places, {t['area'].nunique()} areas, {t['region'].nunique()} regions)"

    def __len__(self) -> int:
        return len(self.table)

    def level_of(self, name: str) -> str | None:
        """'location', 'area' or 'region' (None when the hierarchy does not know ``name``)."""
        for level in LEVELS:
            if (self.table[level] == name).any():
                return level
        return None

    def members(self, name: str, level: str | None = None) -> tuple[str, ...]:
        """The places at or under ``name`` (a place, area or region), in the order of the table."""
        level = level or self.level_of(name)
        if level is None:
            return ()
        return tuple(self.table.loc[self.table[level] == name, "location"])

    def parent(self, location: str, level: str) -> str | None:
        """The area or region of a place (None when not given)."""
        row = self.table[self.table["location"] == location]
        return None if row.empty else row[level].iloc[0]

    def name(self, location: str) -> str:
        """The place's display name (its id when it has none)."""
        row = self.table[self.table["location"] == location]
        return location if row.empty or row["name"].iloc[0] is None else str(row["name"].iloc[0])

    def groups(self, level: str) -> dict[str, tuple[str, ...]]:
        """Each area or region with its places."""
        t = self.table.dropna(subset=[level])
        return {k: tuple(g["location"]) for k, g in t.groupby(level, sort=True)}

    def to_records(self) -> list[dict[str, Any]]:
        return self.table.to_dict(orient="records")


def _nested(tree: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for region, below in tree.items():
        if isinstance(below, Mapping):
            for area, places in below.items():
                rows += [{"location": str(p), "area": str(area), "region": str(region)} for p in (places or [])]
        else:
            rows += [{"location": str(p), "region": str(region)} for p in (below or [])]
    return rows


def load_hierarchy(path: str | Path) -> Hierarchy:
    """Read a hierarchy from a CSV or YAML file (see the module's docstring for the layouts)."""
    p = Path(path)
    if not p.exists():
        raise AnalysisError(
            f"no hierarchy file {p}", fix="pass the path of a CSV or YAML file with a 'location' column"
        )
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        if isinstance(data, Mapping) and "locations" in data:
            data = data["locations"]
        if isinstance(data, list):
            return Hierarchy.from_records(data)
        if isinstance(data, Mapping):
            return Hierarchy.from_records(_nested(data))
        raise AnalysisError(
            f"{p.name} holds no hierarchy",
            fix="write a list of {location, name, area, region} or region: {area: [location, ...]}",
        )
    t = pd.read_csv(p, dtype=str, keep_default_na=False)
    t.columns = [c.strip().lower() for c in t.columns]
    return Hierarchy(t)


def resolve_locations(
    value: str | Sequence[str], hierarchy: Hierarchy | None = None, known: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The places a ``--location`` value stands for: a place, or an area or region of the hierarchy
    (several comma separated). Raises with the known names when one is unknown."""
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    out: list[str] = []
    for n in names:
        under = hierarchy.members(n) if hierarchy is not None else ()
        if under:
            out += [u for u in under if u not in out]
        elif known is None or n in known:
            out += [n] if n not in out else []
        elif hierarchy is not None and n in set(hierarchy.table["name"].dropna()):
            out += [loc for loc in hierarchy.table.loc[hierarchy.table["name"] == n, "location"] if loc not in out]
        else:
            shown = ", ".join(sorted(map(str, known))[:8]) or "none"
            raise AnalysisError(
                f"no place or level named {n!r}",
                fix=f"pass one of the places ({shown}{', ...' if len(known) > 8 else ''}) or a region or area "
                "of --hierarchy",
            )
    return tuple(out)
