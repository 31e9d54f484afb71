"""Key drivers of a store in a scope: the one function the CLI, the report and the dashboard call.

Each touchpoint gets its importance (from a key-driver model on the survey ratings in the
store when there are any, :func:`carlzon.report.drivers.survey_drivers`; else its share of the
emotional intensity) and its performance (the mean survey rating, else magic share minus
misery share of the interactions speaking of it), and a quadrant. ``carlzon drivers`` on a
store, the report's "Key moments" and the dashboard's ``GET /api/drivers`` all show
:func:`key_drivers` (the report through :func:`key_moment_table`), so their figures agree.

Example:
    >>> import pandas as pd
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     _ = st.add_moments(pd.DataFrame({"interaction_id": ["a", "a", "b"], "touchpoint": ["gate", "seat", "gate"],
    ...                                      "valence": ["misery", "magic", "misery"], "intensity": [0.8, 0.4, 0.6]}))
    ...     kd = key_drivers(st, journey="airline")
    >>> [(d["touchpoint"], d["n"], round(d["importance"], 2)) for d in kd["drivers"]]
    [('gate', 2, 0.78), ('seat', 1, 0.22)]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["DRIVER_FIELDS", "key_drivers", "key_moment_table"]

DRIVER_FIELDS = ("touchpoint", "name", "n", "importance", "performance", "balance_low", "balance_high", "quadrant")
"""What each driver carries in :func:`key_drivers` (and ``GET /api/drivers``)."""


def key_moment_table(
    by_touchpoint: pd.DataFrame, journey: Any, drivers: pd.DataFrame | None = None, drivers_note: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(table, key)``: every touchpoint's row (:func:`carlzon.report.data.touchpoint_rows`) and the key
    moments among them (touchpoints with data, not 'unknown'), most important first."""
    from carlzon.report.data import touchpoint_rows

    table = touchpoint_rows(by_touchpoint, journey, drivers=drivers)
    if drivers is None and drivers_note:
        table["importance_method"] = f"share of emotional intensity; no key-driver model: {drivers_note}"
    with_data = table[(table["n"] > 0) | (table["survey_n"] > 0)]
    key = with_data[with_data["touchpoint"] != "unknown"].sort_values(
        ["importance", "n"], ascending=False, na_position="last"
    )
    return table, key


def key_drivers(
    store: Any,
    scope: Any = None,
    *,
    journey: Any = None,
    drivers: pd.DataFrame | None = None,
    fit_drivers: bool = True,
    aggregates: Any = None,
) -> dict[str, Any]:
    """The key drivers in ``scope`` (a :class:`carlzon.report.query.Scope`; None: everything) as plain data:
    ``{n, method, performance, note, drivers: [{touchpoint, name, n, importance, performance, balance_low,
    balance_high, quadrant}]}``; ``drivers`` (a fitted survey model) is fitted when not given."""
    from carlzon.journey import Journey, load_journey
    from carlzon.report.aggregates import aggregates as read_aggregates
    from carlzon.report.query import Scope

    scope = Scope() if scope is None else scope
    agg = aggregates if aggregates is not None else read_aggregates(store, scope)
    if not agg.n:
        return {"n": 0, "method": None, "performance": None, "note": "no moments in scope", "drivers": []}
    by_tp = agg.by_touchpoint()
    if isinstance(journey, Journey):
        j = journey
    elif journey:
        j = load_journey(journey)
    else:
        from carlzon.report.builder import guess_journey, store_journey

        j = store_journey(store) or guess_journey(pd.Series([], dtype=str), counts=by_tp["n"])
    note = ""
    if drivers is None and fit_drivers:
        from carlzon.report.drivers import survey_drivers

        drivers, note = survey_drivers(store, j)
    table, key = key_moment_table(by_tp, j, drivers, note)
    return {
        "n": int(agg.n),
        "method": str(table["importance_method"].iloc[0]) if len(table) else "",
        "performance": str(table["performance_method"].iloc[0]) if len(table) else "",
        "note": note,
        "drivers": [{k: r[k] for k in DRIVER_FIELDS} for r in key.to_dict("records")],
    }
