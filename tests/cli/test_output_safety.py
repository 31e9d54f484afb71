"""Customers' text reaching a spreadsheet or a terminal runs nothing: formulas neutralised in exports,
Rich markup and control characters shown as text by the CLI."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from typer.testing import CliRunner

from carlzon.cli import app
from carlzon.exports import FORMULA_STARTS
from carlzon.loop.recovery import RecoveryDesk
from carlzon.store import open_store

runner = CliRunner()
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
MARKUP = "[link=http://evil.example]click here[/link] [bold red]refund[/]"
ESCAPES = "\x1b[2J\x1b]8;;http://evil.example\x07owned\x1b]8;;\x07 \r overwritten"


def _number(cell: str) -> bool:
    """A number (-0.77) is not a formula; a spreadsheet reads it as the number it is."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def hostile_csv(tmp_path):
    df = pd.DataFrame(
        {
            "id": FORMULAS,
            "customer": FORMULAS,
            "comment": [f"lost my bag {f}" for f in FORMULAS],
            "nps": ["2"] * len(FORMULAS),
        }
    )
    path = tmp_path / "in.csv"
    df.to_csv(path, index=False)
    return path


def test_detect_csv_cells_never_start_like_a_formula(hostile_csv, tmp_path):
    out = tmp_path / "out.csv"
    r = runner.invoke(
        app, ["detect", str(hostile_csv), "-o", str(out), "--text", "comment", "--id", "id", "--customer", "customer"]
    )
    assert r.exit_code == 0, r.output
    with out.open(newline="", encoding="utf-8") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)] == []


def test_detect_xlsx_holds_no_formula(hostile_csv, tmp_path):
    import openpyxl

    out = tmp_path / "out.xlsx"
    assert (
        runner.invoke(
            app,
            ["detect", str(hostile_csv), "-o", str(out), "--text", "comment", "--id", "id", "--customer", "customer"],
        ).exit_code
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    assert [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"] == []


def test_the_formulas_are_kept_as_text(hostile_csv, tmp_path):
    out = tmp_path / "out.csv"
    runner.invoke(app, ["detect", str(hostile_csv), "-o", str(out), "--id", "id", "--text", "comment"])
    ids = pd.read_csv(out, dtype=str)["interaction_id"].tolist()
    assert ids[0] == "'" + FORMULAS[0]


@pytest.fixture
def hostile_store(tmp_path):
    path = tmp_path / "s.db"
    with open_store(path) as st:
        st.add_quarantine([{"source": "x.csv", "row": 2, "reason": "bad date", "raw": f"{MARKUP} {ESCAPES}"}])
        st.add_interactions(
            pd.DataFrame(
                {
                    "id": ["i1"],
                    "customer_id": [MARKUP],
                    "timestamp": ["2026-03-01T10:00:00Z"],
                    "text": [f"lost my bag, rude staff {MARKUP} {ESCAPES}"],
                    "nps": [0.0],
                }
            )
        )
        st.add_moments(
            pd.DataFrame(
                {
                    "interaction_id": ["i1"],
                    "customer_id": [MARKUP],
                    "valence": ["misery"],
                    "timestamp": ["2026-03-01T10:00:00Z"],
                    "touchpoint": ["baggage_claim"],
                    "intensity": [0.9],
                    "stakes": ["high"],
                    "score": [-0.9],
                    "reasons": [MARKUP],
                }
            )
        )
        RecoveryDesk(st, "airline").open_cases()
    return path


@pytest.mark.parametrize("args", [["quarantine"], ["cases", "list"], ["cases", "show", "1"]])
def test_markup_is_shown_as_written(hostile_store, args):
    r = runner.invoke(app, [*args, "--store", str(hostile_store)], terminal_width=400)
    flat = "".join(c for c in r.output if not c.isspace() and c not in "│┃")  # a table may wrap a cell
    assert (r.exit_code, "[/link]" in flat, "[bold" in flat) == (0, True, True), r.output


@pytest.mark.parametrize("args", [["quarantine"], ["cases", "list"], ["cases", "show", "1"]])
def test_no_control_character_reaches_the_terminal(hostile_store, args):
    r = runner.invoke(app, [*args, "--store", str(hostile_store)], terminal_width=400)
    assert [c for c in r.output if c in "\x1b\x07\r"] == []
