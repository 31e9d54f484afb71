"""The report file: self-contained, offline, escaped, complete; and `carlzon report`."""

import re

import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.errors import NotEnoughDataError, StoreError
from carlzon.report import Section, build_report
from carlzon.report.synthetic import fill_store
from carlzon.store import open_store

runner = CliRunner()


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "carlzon.db"
    with open_store(str(path)) as st:
        fill_store(st, 5000, seed=2, hostile=True)
    return path


def test_report_is_self_contained_and_escaped(store_file, tmp_path):
    out = build_report(str(store_file), tmp_path / "r.html")
    html = out.read_text()
    assert "<script" not in html.lower()  # no script at all, and customer text escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    # no request to any host: only the SVG namespace names a URL
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    for section in (
        "What to do first",
        "The journey map",
        "Key moments of truth",
        "Importance and performance",
        "Trends over time",
        "The worst moments",
        "The best moments",
        "Emerging problems",
    ):
        assert section in html
    assert "n=5,000" in html
    assert "95% interval" in html
    emerging = html[html.index('id="emerging-problems"') :]
    assert "Benjamini-Hochberg" in emerging
    assert "problems active in the last 60 days of the period" in emerging
    assert "moments over 180 days" in emerging


def test_since_until_and_plugged_sections(store_file):
    with open_store(str(store_file)) as st:
        html = build_report(
            st,
            None,
            since="2026-03-01",
            until="2026-04-01",
            emerging=Section(title="Emerging problems", empty="No emerging problems found.", method="watch"),
            sections=[Section(title="Themes", columns=["Theme"], rows=[["<b>queues</b>"]])],
        )
    n = int(re.search(r"([\d,]+) moments from", html).group(1).replace(",", ""))
    assert 0 < n < 5000
    assert "No emerging problems found." in html
    assert "&lt;b&gt;queues&lt;/b&gt;" in html


def test_empty_store_says_what_to_do(tmp_path):
    from carlzon.store import open_store

    open_store(tmp_path / "empty.db").close()
    with pytest.raises(NotEnoughDataError, match="carlzon ingest"):
        build_report(str(tmp_path / "empty.db"), tmp_path / "r.html")


def test_a_missing_store_is_not_created_by_a_report(tmp_path):
    with pytest.raises(StoreError, match="no store here.*carlzon ingest"):
        build_report(str(tmp_path / "none.db"), tmp_path / "r.html")


def test_cli_report_writes_file_and_prints_path(store_file, tmp_path):
    out = tmp_path / "cli.html"
    result = runner.invoke(app, ["report", "--store", str(store_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Report written:" in result.output
    assert "cli.html" in result.output
    assert out.stat().st_size > 10_000
    bad = runner.invoke(app, ["report", "--store", str(tmp_path / "none.db"), "-o", str(out)])
    assert bad.exit_code == 1
    assert "no store here" in bad.output
    assert "carlzon ingest" in bad.output
    assert not (tmp_path / "none.db").exists()
