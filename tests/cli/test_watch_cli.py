"""carlzon themes / alerts (JSON contract, webhook with retries) / paths, end to end on a simulated store."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from typer.testing import CliRunner

from carlzon.alerts_sink import post_alerts, slack_payload
from carlzon.cli import app
from carlzon.errors import CarlzonError

runner = CliRunner()


@pytest.fixture(scope="module")
def sim_store(tmp_path_factory):
    from carlzon.ingest import ingest
    from carlzon.simulate import simulate

    folder = tmp_path_factory.mktemp("watch")
    sim = simulate("airline", seed=3, customers=300, days=60)
    paths = sim.write(folder)
    store = folder / "carlzon.db"
    ingest(sim.interactions, str(store), journey="airline")
    return {"store": str(store), "events": paths["events"], "truth": sim.truth}


class _Hook(BaseHTTPRequestHandler):
    fail_first = 2
    status = 503
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        code = self.status if len(type(self).received) <= self.fail_first else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def hook():
    _Hook.received = []
    _Hook.fail_first, _Hook.status = 2, 503
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook
    server.shutdown()
    server.server_close()


def test_alerts_json_contract(sim_store):
    res = runner.invoke(app, ["alerts", "--store", sim_store["store"], "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert list(out) == ["alerts"]
    assert out["alerts"]
    for a in out["alerts"]:
        assert {"touchpoint", "theme", "since", "count", "baseline", "examples"} <= set(a)
    e = sim_store["truth"]["emerging"]
    first = [a for a in out["alerts"] if a["touchpoint"] == e["touchpoint"] and a["since"] == e["start"]]
    assert first
    assert first[0]["location"] == e["location"]
    assert first[0]["examples"]


def test_alerts_since_filter_and_table(sim_store):
    res = runner.invoke(app, ["alerts", "--store", sim_store["store"], "--since", "2030-01-01", "--json"])
    assert json.loads(res.stdout) == {"alerts": []}
    res = runner.invoke(app, ["alerts", "--store", sim_store["store"]])
    assert res.exit_code == 0
    assert "Emerging problems" in res.stdout
    assert sim_store["truth"]["emerging"]["touchpoint"] in res.stdout


def test_alerts_webhook_retries_until_accepted(sim_store, hook, caplog):
    url, handler = hook
    caplog.set_level(logging.INFO, logger="carlzon.alerts_sink")
    res = runner.invoke(app, ["alerts", "--store", sim_store["store"], "--webhook", url, "--json"])
    assert res.exit_code == 0, res.output
    assert len(handler.received) == 3
    payload = handler.received[-1]
    assert payload["text"].startswith(f"{len(json.loads(res.stdout)['alerts'])} emerging problem")
    assert payload["blocks"][0]["type"] == "header"
    attempts = [r for r in caplog.records if "webhook attempt" in r.getMessage()]
    assert [r.levelname for r in attempts] == ["WARNING", "WARNING", "INFO"]
    assert "after 3 attempt(s)" in res.stderr


def test_post_alerts_backs_off_exponentially_and_gives_up(hook):
    url, handler = hook
    handler.fail_first = 10
    waits: list[float] = []
    with pytest.raises(CarlzonError, match="after 3 attempts"):
        post_alerts(url, [], retries=2, backoff=0.1, sleep=waits.append)
    assert waits == [0.1, 0.2]
    assert len(handler.received) == 3


def test_post_alerts_client_error_is_not_retried(hook):
    url, handler = hook
    handler.status = 404
    with pytest.raises(CarlzonError, match="refused"):
        post_alerts(url, [], retries=3, sleep=lambda s: None)
    assert len(handler.received) == 1


def test_post_alerts_unreachable_and_bad_url():
    with pytest.raises(CarlzonError, match="after 2 attempts"):
        post_alerts("http://127.0.0.1:9/none", [], retries=1, sleep=lambda s: None, timeout=1)
    with pytest.raises(CarlzonError, match="http"):
        post_alerts("ftp://x", [])
    assert slack_payload([])["text"] == "No emerging problems."


def test_themes_json_and_table(sim_store):
    res = runner.invoke(app, ["themes", "--store", sim_store["store"], "--valence", "misery", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["themes"]
    assert out["n"] > 0
    assert 0 <= out["unassigned_share"] < 1
    t = out["themes"][0]
    assert {"label", "touchpoint", "n", "examples", "trend", "trend_n", "weekly"} <= set(t)
    assert all(x["valence"] == "misery" for x in out["themes"])
    res = runner.invoke(app, ["themes", "--store", sim_store["store"]])
    assert res.exit_code == 0
    assert "in no theme" in res.stdout
    res = runner.invoke(app, ["themes", "--store", sim_store["store"], "--valence", "sad"])
    assert res.exit_code == 1
    assert "--valence misery" in res.output


def test_paths_json_svg_and_table(sim_store, tmp_path):
    svg = tmp_path / "dfg.svg"
    res = runner.invoke(
        app,
        [
            "paths",
            str(sim_store["events"]),
            "--journey",
            "airline",
            "--json",
            "--svg",
            str(svg),
            "--store",
            sim_store["store"],
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {u["step"] for u in out["unmapped_steps"]} == set(sim_store["truth"]["unmapped_steps"])
    assert out["variants"][0]["cases"] > 0
    assert out["edges"]
    assert out["misery"]
    assert svg.read_text().startswith("<svg")
    res = runner.invoke(app, ["paths", str(sim_store["events"]), "--journey", "airline"])
    assert res.exit_code == 0
    assert "Paths customers really take" in res.stdout
    assert "Steps that match no touchpoint" in res.stdout


def test_paths_errors_are_one_line(tmp_path):
    res = runner.invoke(app, ["paths", str(tmp_path / "nope.csv")])
    assert res.exit_code == 1
    assert "does not exist" in res.output
    f = tmp_path / "log.csv"
    f.write_text("who,what,when\na,search,2026-01-01\n")
    res = runner.invoke(app, ["paths", str(f)])
    assert res.exit_code == 1
    assert "--customer" in res.output
    res = runner.invoke(app, ["paths", str(f), "--customer", "who", "--step", "what", "--time", "when", "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["cases"] == 1


def test_alerts_tell_each_ongoing_problem_once(sim_store, hook):
    url, handler = hook
    handler.fail_first = 0
    first = runner.invoke(app, ["alerts", "--store", sim_store["store"], "--slack", url, "--json"])
    n_alerts = len(json.loads(first.stdout)["alerts"])
    runner.invoke(app, ["alerts", "--store", sim_store["store"], "--slack", url, "--json"])
    assert (first.exit_code, len(handler.received)) == (0, n_alerts)  # the second run tells nothing again
