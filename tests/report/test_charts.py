"""Inline SVG charts: colours, escaping, and honest empty states."""

import math
import re

import pytest

from carlzon.report import charts


def test_balance_colour_runs_from_misery_to_magic():
    assert charts.balance_colour(-1) == charts.MISERY
    assert charts.balance_colour(1) == charts.MAGIC
    assert charts.balance_colour(0) == charts.NEUTRAL
    assert charts.balance_colour(math.nan) == "#f3f4f6"


def test_journey_map_escapes_names_and_sizes_by_importance():
    svg = charts.journey_map_svg(
        [
            {
                "name": "A <b>stage</b>",
                "touchpoints": [
                    {"id": "a", "name": "Big <script>", "balance": 0.5, "importance": 1.0, "n": 10},
                    {"id": "b", "name": "Small", "balance": -0.5, "importance": 0.0, "n": 10},
                ],
            }
        ]
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &lt;b&gt;stage&lt;/b&gt;" in svg
    assert 'r="26.0"' in svg
    assert 'r="9.0"' in svg
    assert charts.MAGIC in svg
    assert charts.MISERY in svg


def test_ipa_labels_quadrants_and_handles_no_points():
    pts = [
        {"id": str(i), "name": f"tp{i}", "importance": i / 10, "performance": (-1) ** i * 0.3, "n": 50}
        for i in range(1, 6)
    ]
    svg = charts.ipa_svg(pts)
    for label in (
        "Important, below average",
        "Important, above average",
        "Less important, above average",
        "Less important, below average",
    ):  # where a point sits; the verdict is the report's own label
        assert label in svg
    assert all(f"tp{i}" in svg for i in range(1, 6))
    assert "not enough data" in charts.ipa_svg([])


def test_trend_needs_two_periods():
    assert "not enough periods" in charts.trend_svg(
        [{"period": "2026-01-01", "n": 3, "magic_rate": 0.1, "misery_rate": 0.2}]
    )
    rows = [
        {
            "period": f"2026-01-0{i}",
            "n": 10,
            "magic_rate": 0.1 * i,
            "magic_rate_low": 0.0,
            "magic_rate_high": 0.5,
            "misery_rate": 0.2,
            "misery_rate_low": 0.1,
            "misery_rate_high": 0.3,
        }
        for i in range(1, 4)
    ]
    svg = charts.trend_svg(rows)
    assert svg.count("<polyline") == 2
    assert svg.count("<polygon") == 2


def test_interval_bar_draws_whisker():
    svg = charts.interval_bar_svg(0.5, 0.4, 0.6)
    assert svg.count("<line") == 4


@pytest.mark.parametrize("weeks", [2, 3, 5, 9, 17, 26, 27, 53, 104])
def test_trend_date_labels_do_not_overlap(weeks):
    from datetime import datetime, timedelta

    rows = [
        {"period": datetime(2025, 12, 29) + timedelta(weeks=i), "n": 50, "magic_rate": 0.3, "misery_rate": 0.4}
        for i in range(weeks)
    ]
    svg = charts.trend_svg(rows)
    axis = re.findall(r'<text x="([\d.]+)" y="268\.0"[^>]*text-anchor="(\w+)"[^>]*>([^<]+)</text>', svg)
    assert axis
    assert axis[-1][2] == rows[-1]["period"].strftime("%d %b %Y")
    spans = []
    for x, anchor, label in axis:
        w = 5.8 * len(label)
        left = float(x) - {"start": 0, "middle": w / 2, "end": w}[anchor]
        spans.append((left, left + w))
    assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))
