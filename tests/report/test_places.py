"""Per-place reports: --location limits every figure, --by location writes one file per place and an index."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.analysis.locations import rank_locations
from carlzon.cli import app
from carlzon.report.places import funnel_svg, places_section, write_by_location, write_place_report
from carlzon.simulate.places import simulate_places
from carlzon.store import open_store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("placereports")
    sim = simulate_places(seed=4, places=4, planted=1, median_n=40)
    m = sim.moments.drop_duplicates("interaction_id")
    m = m.assign(location=m["location"].replace({"P003": "<b>Harbour</b>"}))
    with open_store(str(folder / "s.db")) as st:
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": m["interaction_id"],
                    "customer_id": m["customer_id"],
                    "timestamp": m["timestamp"],
                    "channel": "review",
                    "text": "the room was fine",
                    "location": m["location"],
                }
            )
        )
        st.add_moments(m.drop(columns=["location"]))
    return folder / "s.db", m["location"].value_counts().to_dict()


def test_place_report_counts_only_that_place(store_path, tmp_path):
    path, sizes = store_path
    with open_store(str(path), read_only=True) as st:
        html = write_place_report(st, tmp_path / "p.html", ["P001"], ranking=rank_locations(st)).read_text()
    assert f"{sizes['P001']} moments" in html


def test_by_location_writes_a_file_per_place_and_an_index(store_path, tmp_path):
    with open_store(str(store_path[0]), read_only=True) as st:
        write_by_location(st, tmp_path / "all")
    assert len(list((tmp_path / "all").glob("*.html"))) == 5


def test_index_escapes_place_names(store_path, tmp_path):
    with open_store(str(store_path[0]), read_only=True) as st:
        html = write_by_location(st, tmp_path / "all").read_text()
    assert ("<b>Harbour" in html, "&lt;b&gt;Harbour" in html) == (False, True)


def test_section_lists_one_row_per_place(store_path):
    with open_store(str(store_path[0]), read_only=True) as st:
        assert len(places_section(rank_locations(st)).rows) == 4


def test_funnel_draws_every_place(store_path):
    with open_store(str(store_path[0]), read_only=True) as st:
        r = rank_locations(st)
    assert funnel_svg(r.funnel(), chain=r.chain_["score"]).count("<circle") == 4


def test_cli_report_location(store_path, tmp_path):
    res = CliRunner().invoke(
        app, ["report", "--store", str(store_path[0]), "--location", "P002", "-o", str(tmp_path / "r.html")]
    )
    assert (res.exit_code, f"{store_path[1]['P002']} moments" in (tmp_path / "r.html").read_text()) == (0, True)


def test_cli_report_by_location(store_path, tmp_path):
    res = CliRunner().invoke(
        app, ["report", "--store", str(store_path[0]), "--by", "location", "-o", str(tmp_path / "x")]
    )
    assert (res.exit_code, (tmp_path / "x" / "index.html").exists()) == (0, True)


def test_cli_report_unknown_place(store_path, tmp_path):
    res = CliRunner().invoke(
        app, ["report", "--store", str(store_path[0]), "--location", "Mars", "-o", str(tmp_path / "r.html")]
    )
    assert "no place or level named 'Mars'" in res.output
