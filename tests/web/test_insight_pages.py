"""The Alerts, Themes and Paths pages: viewers may read them, filters apply, customer text stays text."""

from __future__ import annotations

import pytest

from tests.web.conftest import bearer


@pytest.mark.parametrize("path", ["/alerts", "/themes", "/paths"])
def test_pages_need_a_token_and_a_viewer_may_read(client, tokens, path):
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    r = client.get(path, headers=bearer(tokens["viewer"]))
    assert r.status_code == 200
    assert f'href="{path}" class="active"' in r.text
    assert "<script>alert" not in r.text
    assert "<img src=x" not in r.text


def test_themes_honour_the_filters(client, tokens):
    html = client.get("/themes?touchpoint=gate&valence=misery", headers=bearer(tokens["viewer"])).text
    body = html.split('id="what-customers-talk-about"')[1]
    assert "Moments of misery" in body
    assert "Moments of magic" not in body
    assert body.count('<span class="tag misery">Gate</span>') >= 1
    assert "Check-in</span>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_alerts_show_what_where_since_how_many_examples(client, tokens):
    html = client.get("/alerts", headers=bearer(tokens["viewer"])).text
    table = html.split('<table class="data alerts">')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr>") if "Gate" in r)
    assert "all locations" in row
    assert "2026-06-29" in row
    assert "8 vs" in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    other = client.get("/alerts?touchpoint=check_in", headers=bearer(tokens["viewer"])).text
    assert '<span class="tag misery">Gate</span>' not in other


def test_paths_period_filter_and_bad_date(client, tokens):
    full = client.get("/paths", headers=bearer(tokens["viewer"])).text
    part = client.get("/paths?since=2026-03-01&until=2026-03-31", headers=bearer(tokens["viewer"])).text
    n = lambda html: int(html.split("From the event log: ")[1].split(" events")[0].replace(",", ""))  # noqa: E731
    assert 0 < n(part) < n(full)
    assert "Drop-off after each step" in full
    assert "app_crash" in full
    r = client.get("/paths?since=yesterday-ish", headers=bearer(tokens["viewer"]))
    assert r.status_code == 400
    assert "YYYY-MM-DD" in r.text
