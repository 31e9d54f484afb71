"""No card number in clear anywhere after ingest: the store file, the report, every export, the API.

Cards go in everywhere a customer can put them: the comment, an attribute column, a row that is
quarantined, a JSON Lines record that cannot be read; Luhn-valid (spaced, dashed, bare) and mistyped
in card groups. Afterwards the bytes of the store (and its log), the report, carlzon detect's CSV,
Excel and Parquet and its quarantine file, carlzon quarantine's output and the API hold none of them.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.store import open_store
from carlzon.web import create_app
from carlzon.web.auth import create_token

runner = CliRunner()
CARDS = ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "4111 1111 1111 1112", "6011000990139424"]


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    flat = re.sub(r"[\s\-.]", "", text)
    return [c for c in CARDS if c in text or _digits(c) in flat]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cards")
    rows = [
        {
            "id": "r1",
            "customer": "C1",
            "date": "2026-03-01",
            "comment": f"charged twice on {CARDS[0]}, furious",
            "nps": "2",
            "card_used": CARDS[1],
        },
        {
            "id": "r2",
            "customer": "C2",
            "date": "2026-03-02",
            "comment": f"amex {CARDS[2]} refused at the gate",
            "nps": "5",
            "card_used": "",
        },
        {
            "id": "r3",
            "customer": "C3",
            "date": "not a date",
            "comment": f"typed {CARDS[3]} by mistake",
            "nps": "9",
            "card_used": "",
        },
        {
            "id": "r4",
            "customer": "C4",
            "date": "2026-03-03",
            "comment": "lovely crew",
            "nps": "11",
            "card_used": CARDS[4],
        },
    ]
    path = d / "feedback.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    (d / "broken.jsonl").write_text(
        f'{{"id": "j1", "comment": "fine", "nps": 8}}\n{{"id": "j2", "comment": "card {CARDS[0]}" \n', encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def store_file(export) -> Path:
    store = export.parent / "s.db"
    for f in (export, export.parent / "broken.jsonl"):
        r = runner.invoke(app, ["ingest", str(f), "--store", str(store), "--journey", "airline", "--json"])
        assert r.exit_code == 0, r.output
    return store


def test_the_store_file_holds_no_card(store_file):
    data = b"".join(p.read_bytes() for p in store_file.parent.glob("s.db*"))
    assert _leaks(data) == []


def test_the_quarantine_kept_the_rows_but_not_the_cards(store_file):
    with open_store(store_file) as st:
        q = st.quarantine()
    assert (len(q), _leaks(q.to_csv())) == (3, [])


@pytest.mark.parametrize("flag", [[], ["--include-personal-data"]])
def test_the_report_holds_no_card(store_file, tmp_path, flag):
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["report", "--store", str(store_file), "-o", str(out), *flag])
    assert (r.exit_code, _leaks(out.read_bytes())) == (0, [])


def test_carlzon_quarantine_shows_no_card(store_file):
    r = runner.invoke(app, ["quarantine", "--store", str(store_file), "--json"])
    assert (r.exit_code, _leaks(r.output)) == (0, [])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_every_detect_export_holds_no_card(export, tmp_path, suffix):
    out = tmp_path / f"moments{suffix}"
    r = runner.invoke(app, ["detect", str(export), "-o", str(out), "--journey", "airline", "--include-personal-data"])
    assert r.exit_code == 0, r.output
    files = [out, *tmp_path.glob("*.quarantine.csv")]
    data = b""
    for f in files:
        raw = f.read_bytes()
        data += (
            b"".join(zipfile.ZipFile(io.BytesIO(raw)).read(n) for n in zipfile.ZipFile(io.BytesIO(raw)).namelist())
            if f.suffix == ".xlsx"
            else raw
        )
    if suffix == ".parquet":
        data += pd.read_parquet(out).to_csv().encode()
    assert (len(files), _leaks(data)) == (2, [])


def test_the_api_holds_no_card(store_file):
    with open_store(store_file) as st:
        token = create_token(st, role="admin").secret
        with TestClient(create_app(st)) as c:
            h = {"Authorization": f"Bearer {token}"}
            body = c.get("/api/moments?per_page=100", headers=h).text + c.get("/api/customers/C1", headers=h).text
    assert _leaks(body) == []


def test_a_card_posted_to_the_api_is_masked(tmp_path):
    with open_store(tmp_path / "api.db") as st:
        token = create_token(st, role="admin").secret
        with TestClient(create_app(st)) as c:
            c.post(
                "/api/interactions",
                headers={"Authorization": f"Bearer {token}"},
                json={"interactions": [{"id": "a1", "text": f"my card {CARDS[0]}", "nps": 3}, "not an object"]},
            )
        dump = st.query("SELECT text FROM interactions").to_csv() + st.quarantine().to_csv()
    assert _leaks(dump) == []


def test_postgresql_tables_hold_no_card(export, pg_url):
    from tests.store.conftest import drop_schema, pg_schema_url

    url, schema = pg_schema_url(pg_url)
    try:
        r = runner.invoke(app, ["ingest", str(export), "--store", url, "--journey", "airline"])
        assert r.exit_code == 0, r.output
        with open_store(url) as st:
            from carlzon.store.catalog import tables

            dump = "".join(st.query(f'SELECT * FROM "{t.name}"').to_csv() for t in tables(st))
        assert _leaks(dump) == []
    finally:
        drop_schema(pg_url, schema)
