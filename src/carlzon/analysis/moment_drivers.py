"""Moments as drivers: misery or magic at each touchpoint as 0/1 drivers of an outcome.

One row per customer (or per any grouping column, e.g. a visit or response
id): for each touchpoint, whether that unit had a moment of misery (and/or
magic) there, beside the unit's outcome (the mean of an outcome column over
its rows, e.g. nps). Feed the result to :class:`KeyDrivers`.

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"customer_id": ["a", "a", "b"], "touchpoint": ["gate", "seat", "gate"],
    ...                   "valence": ["misery", "magic", "neutral"], "nps": [3, None, 9]})
    >>> wide, drivers = moment_drivers(m, outcome="nps", min_count=1)
    >>> drivers, wide["misery:gate"].tolist(), wide["nps"].tolist()
    (['misery:gate', 'magic:seat'], [1, 0], [3.0, 9.0])
"""

from __future__ import annotations

import pandas as pd

from carlzon.analysis._io import check_columns
from carlzon.errors import AnalysisError

__all__ = ["moment_drivers"]


def moment_drivers(moments: pd.DataFrame, *, outcome: str, per: str = "customer_id",
                   kinds: tuple[str, ...] = ("misery", "magic"), min_count: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """A wide frame (one row per ``per``) of 0/1 'kind:touchpoint' columns and the outcome, and the driver names.

    Touchpoint columns seen fewer than ``min_count`` times are left out (too rare to estimate).
    """
    check_columns(moments, [per, "touchpoint", "valence", outcome])
    bad = set(kinds) - {"misery", "magic"}
    if bad:
        raise AnalysisError(f"unknown kinds {sorted(bad)}", fix="use 'misery' and/or 'magic'")
    m = moments[moments[per].notna()]
    y = pd.to_numeric(m[outcome], errors="coerce").groupby(m[per]).mean()
    wide = pd.DataFrame(index=y.index)
    drivers = []
    for kind in kinds:
        sel = m[(m["valence"] == kind) & m["touchpoint"].notna() & (m["touchpoint"] != "unknown")]
        counts = sel.groupby(["touchpoint", per]).size().unstack(0, fill_value=0)
        for tp in counts.columns:
            flag = (counts[tp] > 0).reindex(wide.index, fill_value=False).astype(int)
            if flag.sum() >= min_count:
                wide[f"{kind}:{tp}"] = flag
                drivers.append(f"{kind}:{tp}")
    wide[outcome] = y
    if len(drivers) < 2:
        raise AnalysisError(f"fewer than 2 touchpoints with at least {min_count} moments of {' or '.join(kinds)}",
                            fix="use more data, or a lower min_count")
    return wide.reset_index(), drivers
