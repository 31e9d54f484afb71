"""Files that are real but awkward: every row accounted for, a row-level reason or a one-line error naming the fix."""

from __future__ import annotations

import codecs
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.errors import IngestError, StoreError
from carlzon.ingest import ingest
from carlzon.store import open_store

runner = CliRunner()


def _accounted(r) -> bool:
    return r.read == r.stored + r.duplicates + r.quarantined


@pytest.fixture
def store(store_path):
    with open_store(store_path) as s:
        yield s


def _survey_with_a_huge_header(tmp_path: Path) -> Path:
    questions = [
        f"Q{i}. How satisfied were you with part {i} of your visit, thinking about everything that "
        f"happened from the moment you arrived until you left? (1 = not at all, 5 = very)"
        for i in range(423)
    ]
    lines = [",".join(["ResponseId", "comment", *[f'"{q}"' for q in questions]])]
    for r in range(5):
        lines.append(",".join([f"R{r}", "The staff were lovely", *["4"] * len(questions)]))
    p = tmp_path / "survey423.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_a_header_over_64_kib_is_read_whole(tmp_path, store):
    p = _survey_with_a_huge_header(tmp_path)
    assert p.read_text().index("\n") > 64 * 1024
    r = ingest(p, store, detect=False)
    assert (r.read, r.stored, r.quarantined) == (5, 5, 0)


def _nul_csv(tmp_path: Path) -> Path:
    p = tmp_path / "nul.csv"
    p.write_bytes(b"id,comment,stars\n1,fine,5\n2,bro\x00ken,1\n3,also fine,4\n")
    return p


def test_a_nul_byte_quarantines_only_its_row(tmp_path, store):
    r = ingest(_nul_csv(tmp_path), store, detect=False)
    assert (r.stored, r.quarantined, _accounted(r)) == (2, 1, True)


def test_a_nul_byte_names_its_column(tmp_path, store):
    r = ingest(_nul_csv(tmp_path), store, detect=False)
    assert r.quarantine[0]["reason"].startswith("NUL byte in column 'comment'")


@pytest.mark.postgres
def test_a_nul_byte_does_not_abort_a_postgresql_ingest(tmp_path, pg_url):
    import uuid

    schema = "nul_" + uuid.uuid4().hex[:8]
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    url = f"{pg_url}?options=-csearch_path%3D{schema}"
    try:
        with open_store(url) as st:
            r = ingest(_nul_csv(tmp_path), st, detect=False)
            assert (r.stored, r.quarantined, len(st.quarantine())) == (2, 1, 1)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")


def _big_field_csv(tmp_path: Path, mb: int) -> Path:
    p = tmp_path / "big.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("id,comment,stars\n1,fine,5\n")
        f.write('2,"' + ("spam spam spam " * 70_000 + "\n") * mb + '",1\n')
        f.write("3,also fine,4\n")
    return p


def test_a_field_over_the_limit_is_quarantined_unread(tmp_path, store):
    r = ingest(_big_field_csv(tmp_path, 3), store, detect=False, max_field_bytes=1 << 20)
    assert ((r.stored, r.quarantined), r.quarantine[0]["reason"][:13]) == ((2, 1), "row too long:")


def test_a_field_over_the_limit_keeps_row_numbers(tmp_path, store):
    r = ingest(_big_field_csv(tmp_path, 3), store, detect=False, max_field_bytes=1 << 20)
    assert r.quarantine[0]["row"] == 3


def test_a_jsonl_line_over_the_limit_is_quarantined(tmp_path, store):
    p = tmp_path / "big.jsonl"
    p.write_text(
        json.dumps({"id": 1, "text": "ok"})
        + "\n"
        + json.dumps({"id": 2, "text": "x" * 3_000_000})
        + "\n"
        + json.dumps({"id": 3, "text": "fine"})
        + "\n",
        encoding="utf-8",
    )
    r = ingest(p, store, detect=False, max_field_bytes=1 << 20)
    assert (r.stored, r.quarantined, r.quarantine[0]["row"]) == (2, 1, 2)


def test_a_broken_xlsx_is_one_line_naming_the_fix(tmp_path, store):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(IngestError, match="save it again as .xlsx"):
        ingest(p, store, detect=False)


def test_a_broken_xlsx_prints_no_traceback(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not really a workbook")
    res = runner.invoke(app, ["ingest", str(p), "--store", str(tmp_path / "c.db")])
    assert (res.exit_code, "Traceback" in res.output, res.output.count("\n")) == (1, False, 1)


def test_deeply_nested_json_lines_quarantine_their_row(tmp_path, store):
    deep = '{"id": 2, "text": "x", "extra": ' + "[" * 50_000 + "]" * 50_000 + "}"
    p = tmp_path / "deep.jsonl"
    p.write_text('{"id": 1, "text": "ok"}\n' + deep + '\n{"id": 3, "text": "fine"}\n', encoding="utf-8")
    r = ingest(p, store, detect=False)
    assert ((r.stored, r.quarantined), "nested" in r.quarantine[0]["reason"]) == ((2, 1), True)


def test_a_deeply_nested_element_of_a_json_array_is_quarantined(tmp_path, store):
    deep = '{"id": 2, "text": "x", "extra": ' + "[" * 50_000 + "]" * 50_000 + "}"
    p = tmp_path / "deep.json"
    p.write_text('[{"id": 1, "text": "ok"}, ' + deep + ', {"id": 3, "text": "fine"}]', encoding="utf-8")
    r = ingest(p, store, detect=False)
    assert (r.stored, r.quarantined, _accounted(r)) == (2, 1, True)


def test_utf16_with_a_bom_needs_no_flag(tmp_path, store):
    p = tmp_path / "u16.csv"
    p.write_bytes(codecs.BOM_UTF16_LE + "id,comment,stars\n1,café très bon,5\n2,ok,3\n".encode("utf-16-le"))
    r = ingest(p, store, detect=False)
    assert (r.stored, store.interactions()["text"].iloc[0]) == (2, "café très bon")


def test_9999_12_31_is_out_of_range_not_unparseable(tmp_path, store):
    p = tmp_path / "d.csv"
    p.write_text("id,comment,date\n1,ok,2026-01-01\n2,fine,9999-12-31\n", encoding="utf-8")
    r = ingest(p, store, detect=False)
    assert (r.stored, r.quarantine[0]["reason"][:19]) == (1, "date out of range: ")


def test_a_full_disk_is_one_line_naming_the_fix(tmp_path):
    db = tmp_path / "small.db"
    with open_store(db) as st:
        st._conn.execute("PRAGMA max_page_count = 40")  # a store that cannot grow: as on a full disk
        df = pd.DataFrame({"id": [f"r{i}" for i in range(5000)], "comment": ["a long enough comment " * 5] * 5000})
        with pytest.raises(StoreError, match="free disk space"):
            ingest(df, st, detect=False)


def test_a_full_disk_keeps_the_rows_already_stored(tmp_path):
    db = tmp_path / "small.db"
    with open_store(db) as st:
        st._conn.execute("PRAGMA max_page_count = 40")
        df = pd.DataFrame({"id": [f"r{i}" for i in range(5000)], "comment": ["a long enough comment " * 5] * 5000})
        with pytest.raises(StoreError):
            ingest(df, st, detect=False, batch_rows=100)
        kept = st.counts()["interactions"]
    assert 0 < kept < 5000


def test_junk_is_cleaned_and_counted(tmp_path, store):
    p = tmp_path / "junk.csv"
    p.write_text(
        "id,review,stars\n1,\"Great stay <br/>showReview(12345, 'full');\",5\n2,cafÃ© froid,2\n3,.,3\n"
        "4,<p></p>,\n5,ok,4\n",
        encoding="utf-8",
    )
    r = ingest(p, store, detect=False)
    assert r.text_notes == {
        "markup removed": 1,
        "script removed": 1,
        "mojibake repaired": 1,
        "empty after cleaning": 1,
        "near-empty": 1,
    }


def test_markup_only_without_a_rating_is_quarantined_with_its_reason(tmp_path, store):
    p = tmp_path / "junk.csv"
    p.write_text("id,review,stars\n1,<p></p>,\n2,fine,4\n", encoding="utf-8")
    r = ingest(p, store, detect=False)
    assert r.quarantine[0]["reason"].endswith("(the text was only markup, script or punctuation)")


def test_a_read_command_on_a_missing_store_names_ingest(tmp_path):
    res = runner.invoke(app, ["report", "--store", str(tmp_path / "typo.db"), "-o", str(tmp_path / "r.html")])
    assert (res.exit_code, "carlzon ingest" in res.output, (tmp_path / "typo.db").exists()) == (1, True, False)


def test_sqlite_rejects_a_full_store_with_the_driver_message(tmp_path):
    assert "full" in str(sqlite3.OperationalError("database or disk is full"))
