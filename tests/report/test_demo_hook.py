"""`carlzon demo` ends with the report written next to the store and its path printed (not with --json)."""

import json

from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


def test_demo_writes_the_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CARLZON_STORE", raising=False)
    opened = []
    monkeypatch.setattr("webbrowser.get", lambda *a: type("B", (), {"open": lambda self, url: opened.append(url)})())
    r = runner.invoke(app, ["demo", "--customers", "100", "--days", "40"])
    assert r.exit_code == 0, r.output
    report = tmp_path / "report.html"
    assert report.exists()
    assert "Key moments of truth" in report.read_text()
    assert "Report written:" in r.output
    assert "report.html" in r.output.replace("\n", "")
    assert opened == []  # no --open, no browser
    report.unlink()
    r = runner.invoke(app, ["demo", "--customers", "100", "--days", "40", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["moments"] > 0  # the JSON summary stays the only output
    assert report.exists()
