"""Hierarchy: CSV and YAML layouts, members, parents, names, and --location resolution."""

from __future__ import annotations

import pytest

from carlzon.errors import AnalysisError
from carlzon.hierarchy import Hierarchy, load_hierarchy, resolve_locations

ROWS = [
    {"location": "s1", "name": "Old Town", "area": "Centre", "region": "North"},
    {"location": "s2", "area": "Centre", "region": "North"},
    {"location": "s3", "area": "Harbour", "region": "South"},
]


def test_csv(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("Location,Name,Area,Region\ns1,Old Town,Centre,North\ns2,,Centre,North\ns3,,Harbour,South\n")
    assert load_hierarchy(p).members("North") == ("s1", "s2")


def test_csv_empty_name_is_the_id(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("location,name\ns1,\n")
    assert load_hierarchy(p).name("s1") == "s1"


def test_yaml_nested(tmp_path):
    p = tmp_path / "h.yaml"
    p.write_text("North:\n  Centre: [s1, s2]\nSouth: [s3]\n")
    h = load_hierarchy(p)
    assert (h.parent("s2", "area"), h.parent("s3", "region"), h.parent("s3", "area")) == ("Centre", "South", None)


def test_yaml_list(tmp_path):
    p = tmp_path / "h.yml"
    p.write_text("locations:\n  - {location: s1, region: North}\n  - {location: s2, region: North}\n")
    assert load_hierarchy(p).members("North") == ("s1", "s2")


def test_levels():
    h = Hierarchy.from_records(ROWS)
    assert [h.level_of(n) for n in ("s1", "Centre", "South", "x")] == ["location", "area", "region", None]


def test_groups():
    assert Hierarchy.from_records(ROWS).groups("area") == {"Centre": ("s1", "s2"), "Harbour": ("s3",)}


def test_duplicate_place_is_an_error():
    with pytest.raises(AnalysisError, match="twice"):
        Hierarchy.from_records(ROWS + [ROWS[0]])


def test_area_in_two_regions_is_an_error():
    with pytest.raises(AnalysisError, match="more than one region"):
        Hierarchy.from_records(ROWS + [{"location": "s4", "area": "Centre", "region": "South"}])


def test_missing_file_says_the_fix(tmp_path):
    with pytest.raises(AnalysisError, match="CSV or YAML"):
        load_hierarchy(tmp_path / "none.csv")


def test_resolve_region_and_place():
    h = Hierarchy.from_records(ROWS)
    assert resolve_locations("North, s3", h, ["s1", "s2", "s3"]) == ("s1", "s2", "s3")


def test_resolve_display_name():
    assert resolve_locations("Old Town", Hierarchy.from_records(ROWS), ["s1", "s2", "s3"]) == ("s1",)


def test_resolve_unknown_lists_the_places():
    with pytest.raises(AnalysisError, match="s1, s2"):
        resolve_locations("Mars", None, ["s1", "s2"])
