"""Several processes on one embedded store at once: nothing lost, every row accounted for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from carlzon.store import open_store

_INGEST = r"""
import json, sys
from carlzon.ingest import ingest
r = ingest(sys.argv[1], sys.argv[2], batch_rows=500, detect=False)
print(json.dumps({"read": r.read, "stored": r.stored, "duplicates": r.duplicates, "quarantined": r.quarantined}))
"""

# what `carlzon serve` does meanwhile: read the store and write its own rows
_SERVE = r"""
import json, sys, time
from carlzon.store import open_store
seen, writes = 0, 0
with open_store(sys.argv[1]) as st:
    st.execute("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, at TEXT)")
    deadline = time.time() + 60
    while time.time() < deadline:
        seen = max(seen, st.counts()["interactions"])
        st.execute("INSERT INTO visits (at) VALUES (:at)", {"at": str(time.time())})
        writes += 1
        if seen >= int(sys.argv[2]):
            break
        time.sleep(0.01)
print(json.dumps({"seen": seen, "writes": writes}))
"""


def _csv(path: Path, start: int, n: int) -> Path:
    path.write_text("id,comment,nps\n" + "".join(f"{i},text {i},{i % 11}\n" for i in range(start, start + n)))
    return path


def _run(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _result(p: subprocess.Popen) -> dict:
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_two_ingests_and_a_server_on_one_file(tmp_path):
    db = str(tmp_path / "carlzon.db")
    open_store(db).close()  # created and migrated
    a = _csv(tmp_path / "a.csv", 0, 6000)
    b = _csv(tmp_path / "b.csv", 4000, 6000)  # 2000 ids overlap with a.csv
    procs = [_run(_SERVE, db, "10000"), _run(_INGEST, str(a), db), _run(_INGEST, str(b), db)]
    serve, ra, rb = (_result(p) for p in procs)
    for r in (ra, rb):
        assert r["read"] == 6000
        assert r["read"] == r["stored"] + r["duplicates"] + r["quarantined"]
    assert ra["stored"] + rb["stored"] == 10_000
    assert ra["duplicates"] + rb["duplicates"] == 2_000
    with open_store(db) as st:
        assert st.counts()["interactions"] == 10_000
        assert len(st.query("SELECT DISTINCT id FROM interactions")) == 10_000
        assert len(st.query("SELECT id FROM visits")) == serve["writes"] > 0
        assert len(st.ingest_runs()) == 2


def test_same_file_twice_at_once_stores_each_row_once(tmp_path):
    db = str(tmp_path / "carlzon.db")
    a = _csv(tmp_path / "a.csv", 0, 5000)
    ra, rb = (_result(p) for p in [_run(_INGEST, str(a), db), _run(_INGEST, str(a), db)])
    assert ra["stored"] + rb["stored"] == 5000
    assert ra["duplicates"] + rb["duplicates"] == 5000
    with open_store(db) as st:
        assert st.counts()["interactions"] == 5000
