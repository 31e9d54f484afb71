"""Peak memory of ingesting a CSV with one 200 MB field, beside the same file without it, in the same run.

Each ingest runs in its own Python process (peak resident memory from getrusage), into its own
throw-away store. The big field is quarantined by the field-size limit (4 MB by default) while the
file streams through, so the peak should stay near the small file's; a limit raised past the
field (``--max-field-mb 300``) shows what reading it whole costs.

    python bench/awkward.py                 # 200 MB field, default limit
    python bench/awkward.py --mb 50 --also-unlimited
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from carlzon.ingest import ingest
t0 = time.perf_counter()
r = ingest(sys.argv[1], sys.argv[2], detect=False, max_field_bytes=int(sys.argv[3]))
print(json.dumps({"read": r.read, "stored": r.stored, "quarantined": r.quarantined,
                  "seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "reason": r.quarantine[0]["reason"] if r.quarantine else None}))
"""


def write(path: Path, rows: int, big_mb: int) -> None:
    line = "spam and eggs and a very long complaint " * 25 + "\n"  # 1,001 bytes
    with path.open("w", encoding="utf-8") as f:
        f.write("id,comment,stars\n")
        for i in range(rows):
            f.write(f"{i},the staff were kind and the room was clean {i},4\n")
            if big_mb and i == rows // 2:
                f.write(f'big,"{line * (big_mb * 1048)}",1\n')


def run(csv: Path, store: Path, limit: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(csv), str(store), str(limit)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200, help="size of the big field in MB")
    ap.add_argument("--rows", type=int, default=100_000, help="ordinary rows around it")
    ap.add_argument("--also-unlimited", action="store_true", help="also ingest with the limit above the field")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        small, big = d / "small.csv", d / "big.csv"
        write(small, args.rows, 0)
        write(big, args.rows, args.mb)
        print(
            f"files: {small.stat().st_size / 1e6:.0f} MB without the field, {big.stat().st_size / 1e6:.0f} MB with "
            f"one {args.mb} MB field; {args.rows:,} other rows"
        )
        runs = [("without the big field (anchor)", small, 4 << 20), ("with it, default 4 MB limit", big, 4 << 20)]
        if args.also_unlimited:
            runs.append((f"with it, limit {args.mb + 50} MB", big, (args.mb + 50) << 20))
        print(f"{'run':36} {'read':>8} {'stored':>8} {'quarantined':>11} {'peak MB':>8} {'seconds':>8}")
        for i, (label, path, limit) in enumerate(runs):
            r = run(path, d / f"s{i}.db", limit)
            print(
                f"{label:36} {r['read']:8,} {r['stored']:8,} {r['quarantined']:11,} {r['peak_mb']:8.0f} "
                f"{r['seconds']:8.1f}"
            )
            if r["reason"]:
                print(f"{'':36} reason: {r['reason'][:90]}")


if __name__ == "__main__":
    main()
