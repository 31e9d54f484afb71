"""Migration 10 / 410: moments per (interaction, touchpoint), on SQLite and PostgreSQL; old stores upgraded."""

from __future__ import annotations

import pandas as pd

from carlzon.store import Store, open_store
from carlzon.store.migrations import MIGRATIONS
from carlzon.store.moment_unit import PENDING_NOTE
from carlzon.store.rollups import check_rollups, rollup_metrics

_OLD = [m for m in MIGRATIONS if m.version not in (10, 410)]


def _hotel(store: Store) -> None:
    store.add_interactions(pd.DataFrame({"id": ["r1", "r2"], "nps": [9.0, 2.0], "channel": "review"}))
    store.add_moments(
        pd.DataFrame(
            {
                "interaction_id": ["r1", "r1", "r1", "r2"],
                "touchpoint": ["room", "front_desk", "breakfast", None],
                "valence": ["magic", "misery", "magic", "misery"],
                "score": [0.6, -0.7, 0.5, -0.8],
                "intensity": [0.4, 0.8, 0.3, 0.9],
                "aspect": ["cleanliness", "staff_attitude", None, None],
                "spans": [[[0, 31]], [[37, 70]], [[100, 118]], []],
                "basis": ["text", "text", "text", "rating"],
                "overall_valence": ["magic", "magic", "magic", "misery"],
                "overall_score": [0.3, 0.3, 0.3, -0.8],
            }
        )
    )


def test_one_row_per_interaction_and_touchpoint(store: Store):
    _hotel(store)
    m = store.moments()
    assert sorted(zip(m.interaction_id, m.touchpoint)) == [
        ("r1", "breakfast"),
        ("r1", "front_desk"),
        ("r1", "room"),
        ("r2", "unknown"),
    ]


def test_aspect_spans_basis_and_overall_are_kept(store: Store):
    _hotel(store)
    r = store.moments(touchpoint="front_desk").iloc[0]
    assert (r.aspect, r.spans, r.basis, r.overall_valence, r.overall_score) == (
        "staff_attitude",
        "[[37, 70]]",
        "text",
        "magic",
        0.3,
    )


def test_rewriting_an_interaction_replaces_all_its_moments(store: Store):
    _hotel(store)
    store.add_moments(pd.DataFrame({"interaction_id": ["r1"], "touchpoint": ["room"], "valence": ["misery"]}))
    assert store.moments(customer_id=None)[["interaction_id", "touchpoint"]].values.tolist() == [
        ["r1", "room"],
        ["r2", "unknown"],
    ]


def test_rollups_per_touchpoint_count_interactions_speaking_of_it(store: Store):
    _hotel(store)
    s = rollup_metrics(store, by="touchpoint").summary.set_index(["group", "metric"])
    assert (s.loc[("front_desk", "misery_rate"), "value"], s.loc[("front_desk", "misery_rate"), "n"]) == (1.0, 1)


def test_interaction_level_rollups_count_each_interaction_once(store: Store):
    _hotel(store)
    s = rollup_metrics(store).summary.set_index("metric")
    assert (s.loc["nps", "n"], s.loc["misery_rate", "value"], s.loc["magic_rate", "value"]) == (2, 0.5, 0.5)


def test_interaction_rollups_equal_metrics_on_the_moments(store: Store):
    from carlzon.analysis.metrics import Metrics

    _hotel(store)
    for by in (None, "touchpoint", "channel"):
        pd.testing.assert_frame_equal(
            rollup_metrics(store, by=by).summary,
            Metrics(by=by).fit(store.moments(with_text=False)).summary,
            check_exact=True,
        )


def test_check_rollups_counts_interactions(store: Store):
    _hotel(store)
    c = check_rollups(store)
    assert (c["moments"], c["rollup_n"], c["interactions"], c["rollup_interactions"]) == (4, 4, 2, 2)


def _old_store(target: str) -> None:
    """A store as carlzon made it before migration 10: one moment per interaction."""
    cls = None
    if target.startswith("postgresql"):
        from carlzon.store.postgresql import PostgresStore as cls
    else:
        from carlzon.store.sqlite import SQLiteStore as cls
    st = cls(target, migrations=_OLD)
    try:
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": ["a", "b", "c"],
                    "stars": [2.0, None, 5.0],
                    "channel": "review",
                    "text": [
                        "The room was spotless but the front desk clerk was rude and check-in took 45 minutes.",
                        "Lost my bag and nobody helped",
                        None,
                    ],
                }
            )
        )
        st.execute(
            "INSERT INTO moments (interaction_id, touchpoint, valence, score, intensity, evidence) VALUES "
            "('a', 'check_in', 'magic', 0.43, 0.5, '[]'), ('b', NULL, 'misery', -0.6, 0.7, '[]'), "
            "('c', 'room', 'magic', 0.8, 0.6, '[]'), ('gone', 'room', 'misery', -0.5, 0.5, '[]')"
        )
        st.set_meta("journey", "hotel")
    finally:
        st.close()


def test_migration_keeps_every_moment_and_says_they_are_pending(store_target):
    _old_store(store_target)
    with open_store(store_target) as st:
        m = st.moments()
        assert (len(m), sorted(m.touchpoint), st.meta(PENDING_NOTE)) == (
            4,
            ["check_in", "room", "room", "unknown"],
            "migration 10: 4 moments derived one per interaction",
        )


def test_migrated_rows_have_their_valence_as_overall(store_target):
    _old_store(store_target)
    with open_store(store_target) as st:
        m = st.moments().set_index("interaction_id")
        assert m.loc["a", "overall_valence"] == "magic"
        assert m.loc["b", "overall_score"] == -0.6


def test_upgrade_rederives_per_touchpoint_without_losing_a_row(store_target):
    from carlzon.detect.redetect import upgrade_moments

    _old_store(store_target)
    with open_store(store_target) as st:
        res = upgrade_moments(st)
        ids = set(st.moments()["interaction_id"])
        assert (ids, st.meta(PENDING_NOTE), res.interactions_before, res.interactions_after) == (
            {"a", "b", "c", "gone"},
            None,
            4,
            4,
        )


def test_upgrade_says_what_it_did(store_target):
    from carlzon.detect.redetect import upgrade_moments

    _old_store(store_target)
    with open_store(store_target) as st:
        assert "no interaction lost its moments" in upgrade_moments(st).message


def test_upgrade_of_an_up_to_date_store_does_nothing(store: Store):
    from carlzon.detect.redetect import upgrade_moments

    _hotel(store)
    assert upgrade_moments(store) is None


def test_rollups_of_an_upgraded_store_match_its_moments(store_target):
    from carlzon.detect.redetect import upgrade_moments

    _old_store(store_target)
    with open_store(store_target) as st:
        upgrade_moments(st)
        c = check_rollups(st)
        assert (c["rollup_n"], c["rollup_interactions"], c["rollup_misery"]) == (
            c["moments"],
            c["interactions"],
            c["misery"],
        )


def test_store_info_upgrades_and_says_so(store_target):
    from typer.testing import CliRunner

    from carlzon.cli import app

    _old_store(store_target)
    out = CliRunner().invoke(app, ["store", "info", "--store", store_target])
    assert out.exit_code == 0
    assert "upgraded: re-derived the moments of 4 interactions" in out.output
