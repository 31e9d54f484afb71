"""The moments feed shows each moment of a multi-topic review with what it is about highlighted, escaped."""

from __future__ import annotations

import pandas as pd
import pytest

from carlzon.store import open_store
from carlzon.web.auth import create_token
from tests.web.conftest import login

REVIEW = (
    "The room was spotless and the bed very comfortable, but the front desk clerk was rude and check-in took "
    "45 minutes. Breakfast was great."
)
HOSTILE = "Fine room. The bar <script>alert(7)</script> was closed."


@pytest.fixture(scope="module")
def spans_client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from carlzon.ingest import ingest
    from carlzon.web import create_app

    st = open_store(str(tmp_path_factory.mktemp("spans") / "s.db"))
    ingest(pd.DataFrame({"id": ["r1"], "text": [REVIEW], "timestamp": ["2026-01-05"]}), st, journey="hotel")
    st.add_interactions(pd.DataFrame({"id": ["h1"], "text": [HOSTILE], "timestamp": ["2025-12-01"]}))
    st.add_moments(
        pd.DataFrame(
            {
                "interaction_id": ["h1"],
                "touchpoint": ["bar"],
                "valence": ["misery"],
                "timestamp": ["2025-12-01"],
                "spans": [[[11, 56]]],
            }
        )
    )
    token = create_token(st, role="viewer", name="v").secret
    with TestClient(create_app(st)) as c:
        login(c, token)
        yield c, st
    st.close()


def test_feed_shows_several_moments_of_one_review(spans_client):
    c, st = spans_client
    html = c.get("/moments").text
    assert html.count('<article class="moment') == len(st.moments()) >= 4


def test_each_moment_marks_its_span(spans_client):
    c, _ = spans_client
    html = c.get("/moments").text
    assert "<mark>the front desk clerk was rude" in html or "<mark>but the front desk clerk was rude" in html


def test_customer_text_stays_escaped(spans_client):
    c, _ = spans_client
    html = c.get("/moments").text
    assert "<script>alert(7)" not in html
    assert "<mark>The bar &lt;script&gt;alert(7)&lt;/script&gt; was closed" in html


def test_highlight_ignores_spans_that_do_not_fit():
    from carlzon.privacy.display import showing_personal_data
    from carlzon.web.spans import highlighted

    with showing_personal_data(True):
        assert str(highlighted("short", "[[2, 99], [1, 3], [2, 4]]")) == "s<mark>hor</mark>t"


def test_highlight_masks_personal_data_for_viewers():
    from carlzon.web.spans import highlighted

    assert "070-123" not in str(highlighted("Call me on 070-123 45 67, the desk was rude", "[[0, 24]]"))
