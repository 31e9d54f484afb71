"""Stated against derived importance for the report, the dashboard and `carlzon drivers --stated`: one view per survey.

:func:`stated_views` fits :class:`carlzon.analysis.StatedVsDerived` on the answers of each stored survey
(with the touchpoint and persona names of its journey and the invitations' counts per persona for the
response rates and weights) and returns what the report shows: the gaps in words, the table of stated and
derived importance per persona and touchpoint, who answered against who was invited, the order effect.

Example:
    >>> from carlzon.store import open_store
    >>> with open_store(":memory:") as st:
    ...     stated_views(st)
    []
"""

from __future__ import annotations

from typing import Any

from carlzon.errors import CarlzonError, NotEnoughDataError
from carlzon.journey import load_journey

__all__ = ["fit_survey", "stated_views"]

MIN_ANSWERS = 30


def fit_survey(store: Any, survey: Any, *, n_boot: int = 500, seed: int | None = 0) -> Any:
    """:class:`~carlzon.analysis.StatedVsDerived` fitted on one stored survey's answers (NotEnoughDataError if too few)."""
    from carlzon.analysis.stated import StatedVsDerived
    from carlzon.survey.answers import answers_table

    j = load_journey(survey.journey)
    table = answers_table(store, survey)
    if len(table) < MIN_ANSWERS:
        raise NotEnoughDataError(
            f"survey {survey.id} has {len(table)} answers, fewer than {MIN_ANSWERS}",
            fix="collect more answers before comparing stated and derived importance",
        )
    inv = store.query(
        "SELECT COALESCE(persona, '') AS persona, COUNT(*) AS n FROM survey_invitations "
        "WHERE survey_id = :s GROUP BY COALESCE(persona, '')",
        {"s": survey.id},
    )
    invited = {str(p): int(n) for p, n in zip(inv["persona"], inv["n"]) if p} or None
    if invited is not None and "persona" in table and survey.persona is None and table["persona"].isna().any():
        invited = None  # answers from the open link carry no invitation: response rates cannot be weighted
    names = {t.id: t.name for t in j.touchpoints}
    group_names = {p.id: p.name for p in j.personas}
    return StatedVsDerived(n_boot=n_boot, seed=seed).fit(
        table,
        survey.outcome,
        survey.touchpoints,
        group="persona",
        order="block_order",
        invited=invited,
        names=names,
        group_names=group_names,
    )


def stated_views(store: Any, *, n_boot: int = 300) -> list[dict[str, Any]]:
    """One view per stored survey with enough answers (surveys with too few say so in ``note``)."""
    from carlzon.survey.tables import list_surveys

    try:
        surveys = list_surveys(store)
    except CarlzonError:
        return []
    out = []
    for s in surveys:
        try:
            sd = fit_survey(store, s, n_boot=n_boot)
        except NotEnoughDataError as exc:
            out.append({"survey": s, "fitted": False, "note": exc.message})
            continue
        d = sd.to_dict()
        groups = [g for g in d["groups"] if g["group"] != "all"] or d["groups"]
        out.append(
            {
                "survey": s,
                "fitted": True,
                "n": d["n"],
                "gaps": d["gaps"],
                "groups": d["groups"],
                "persona_groups": groups,
                "nonresponse": d["nonresponse"],
                "order_effect": d["order_effect"],
                "skipped": d["skipped"],
                "weighted": d["weighted"],
                "method": d["method"],
                "outcome": d["outcome"],
                "fit": sd,
            }
        )
    return out
