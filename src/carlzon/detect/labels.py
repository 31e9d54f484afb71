"""Labels for learning: the company's own tags mapped onto a journey's touchpoints or onto the aspects.

:func:`read_tag_map` reads a mapping file (CSV / TSV with two columns, YAML or JSON);
:func:`map_touchpoint_labels` and :func:`map_aspect_labels` turn a labelled column into touchpoint or
aspect ids, with an error naming the labels they cannot place and how to map them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from carlzon.errors import ModelError

__all__ = ["NO_ASPECT", "map_aspect_labels", "map_touchpoint_labels", "read_tag_map"]

UNKNOWN = "unknown"
NO_ASPECT = "none"
"""The label of a text about no aspect (a learned answer of ``none`` leaves the mention without one)."""
_NONE_TAGS = {"unknown", "none", "other", "n/a", "na", "-"}


def _key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower()).strip("_")


def read_tag_map(path: str | Path) -> dict[str, str]:
    """The company's tags -> touchpoint ids, from a CSV / TSV (two columns: tag, touchpoint), YAML or JSON mapping.

    A tag mapped to ``unknown`` (or left empty) marks texts about no touchpoint of the journey.
    """
    import json

    p = Path(path)
    if not p.is_file():
        raise ModelError(
            f"tag mapping file {p} does not exist",
            fix="write a CSV with two columns (tag,touchpoint), or a YAML mapping tag: touchpoint",
        )
    suffix = p.suffix.lower()
    try:
        if suffix in (".yaml", ".yml", ".json"):
            import yaml

            data = json.loads(p.read_text("utf-8")) if suffix == ".json" else yaml.safe_load(p.read_text("utf-8"))
            if not isinstance(data, dict):
                raise ModelError(
                    f"{p.name} is not a mapping of tag -> touchpoint", fix="write one `tag: touchpoint` a line"
                )
            return {str(k).strip(): (str(v).strip() if v is not None else UNKNOWN) for k, v in data.items()}
        import pandas as pd

        df = pd.read_csv(p, sep="\t" if suffix in (".tsv", ".tab") else ",", dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read tag mapping {p.name} ({exc})", fix="check the file's format") from None
    if df.shape[1] < 2:
        raise ModelError(
            f"{p.name} has {df.shape[1]} column(s); a tag mapping needs two (tag, touchpoint)",
            fix="write a header `tag,touchpoint` and one tag a row",
        )
    return {str(t).strip(): (str(v).strip() or UNKNOWN) for t, v in zip(df.iloc[:, 0], df.iloc[:, 1])}


def map_touchpoint_labels(labels: Sequence[Any], journey: Any, tag_map: dict[str, str] | None = None) -> np.ndarray:
    """Touchpoint ids (or ``unknown``) for labels that are touchpoint ids / names or mapped tags; None where empty.

    Raises ModelError naming the labels it cannot place, with the fix (a mapping file).

    >>> from carlzon.journey import load_journey
    >>> map_touchpoint_labels(["Check-in", "lost bags", None], load_journey("airline"),
    ...                       {"lost bags": "baggage_claim"}).tolist()
    ['check_in', 'baggage_claim', None]
    """
    by_key: dict[str, str] = {}
    ids: set[str] = set()
    if journey is not None:
        for tp in journey.touchpoints:
            ids.add(tp.id)
            by_key[_key(tp.id)] = tp.id
            by_key.setdefault(_key(tp.name), tp.id)
    tmap = {_key(k): v for k, v in (tag_map or {}).items()}
    out = np.full(len(labels), None, dtype=object)
    bad: dict[str, int] = {}
    for i, v in enumerate(labels):
        if v is None or (isinstance(v, float) and math.isnan(v)) or not str(v).strip():
            continue
        k = _key(v)
        target = tmap.get(k, v if k not in tmap and k in by_key else None)
        if target is None and k in _NONE_TAGS:
            target = UNKNOWN
        if target is None:
            bad.setdefault(str(v), i + 1)
            continue
        tk = _key(target)
        if tk in _NONE_TAGS:
            out[i] = UNKNOWN
        elif tk in by_key:
            out[i] = by_key[tk]
        else:
            raise ModelError(
                f"the tag mapping sends {v!r} to {target!r}, which is not a touchpoint of the journey",
                fix=f"map it to one of: {', '.join(sorted(ids))} (or unknown)",
            )
    if bad:
        shown = ", ".join(f"{k!r} (row {r})" for k, r in list(bad.items())[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ModelError(
            f"{len(bad)} label(s) are not touchpoints of the journey: {shown}{more}",
            fix="pass --touchpoint-map FILE (CSV tag,touchpoint) mapping your tags onto the journey's "
            "touchpoints (`carlzon journeys show NAME` lists them)",
        )
    return out


def map_aspect_labels(labels: Sequence[Any], tag_map: dict[str, str] | None = None) -> np.ndarray:
    """Aspect ids (or ``none``) for labels that are aspect ids / names ("speed and waiting", "Price & value")
    or tags mapped onto them; None where empty. Raises ModelError naming the labels it cannot place.

    >>> map_aspect_labels(["Price and value", "slow service", "", "none"], {"slow service": "speed_waiting"}).tolist()
    ['price_value', 'speed_waiting', None, 'none']
    """
    from carlzon.detect.aspects import ASPECTS

    by_key = {_key(a): a for a in ASPECTS}
    by_key.update({_key(a.replace("_", " and ")): a for a in ASPECTS})
    tmap = {_key(k): v for k, v in (tag_map or {}).items()}
    out = np.full(len(labels), None, dtype=object)
    bad: dict[str, int] = {}
    for i, v in enumerate(labels):
        if v is None or (isinstance(v, float) and math.isnan(v)) or not str(v).strip():
            continue
        k = _key(v)
        target = _key(tmap[k]) if k in tmap else k
        if target in _NONE_TAGS or not target:
            out[i] = NO_ASPECT
        elif target in by_key:
            out[i] = by_key[target]
        elif k in tmap:
            raise ModelError(
                f"the aspect mapping sends {v!r} to {tmap[k]!r}, which is not an aspect",
                fix=f"map it to one of: {', '.join(ASPECTS)} (or none)",
            )
        else:
            bad.setdefault(str(v), i + 1)
    if bad:
        shown = ", ".join(f"{k!r} (row {r})" for k, r in list(bad.items())[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ModelError(
            f"{len(bad)} label(s) are not aspects: {shown}{more}",
            fix=f"pass --aspect-map FILE (CSV tag,aspect) mapping your tags onto the aspects ({', '.join(ASPECTS)}, or none)",
        )
    return out
