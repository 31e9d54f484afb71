"""Ingest + store speed and memory, beside pandas.read_csv alone on the same file, in the same run.

Each measurement runs in its own Python process (timed inside it, imports
excluded) so that peak memory (ru_maxrss) belongs to that measurement alone.

    python bench/ingest.py [--data PATH] [--scale 10] [--repeat 3] [--no-detect]

Prints rows/s (wall clock; CPU seconds of all threads beside it, steadier on a
busy machine) and peak RSS for: pandas.read_csv (the anchor), ingest + store
into a fresh embedded store with detect=False (the speed bar: at least 1/3 of
the anchor's rows/s), the same with detect=True, and ingest + store of a
generated file ``--scale`` times larger (memory must stay bounded).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "airline_passenger_satisfaction" / "train.csv"

_CHILD = r"""
import json, resource, sys, time
kind, path, store = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas as pd
cpu = time.process_time()
if kind == "pandas":
    t = time.perf_counter()
    rows = len(pd.read_csv(path))
    seconds = time.perf_counter() - t
else:
    from carlzon.ingest import ingest
    from carlzon.store import open_store
    from carlzon.journey import load_journey
    journey = load_journey("airline")
    detect = kind == "ingest+detect"
    if detect:
        from carlzon.detect import Detector  # import outside the timing, like pandas above
    cpu = time.process_time()
    t = time.perf_counter()
    with open_store(store) as st:
        r = ingest(path, st, journey=journey, detect=detect)
    seconds = time.perf_counter() - t
    assert r.read == r.stored + r.duplicates + r.quarantined, r
    rows = r.read
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
cpu = time.process_time() - cpu
print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}))
"""


def measure(kind: str, path: Path, tmp: Path) -> dict:
    store = tmp / f"bench-{os.getpid()}-{kind}.db"
    for p in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        p.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path), str(store)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    for p in (store, Path(f"{store}-wal"), Path(f"{store}-shm")):
        p.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(kind: str, path: Path, tmp: Path, repeat: int) -> dict:
    runs = [measure(kind, path, tmp) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"]) | {"peak_mb": max(r["peak_mb"] for r in runs)}


def scaled_copy(path: Path, scale: int, tmp: Path) -> Path:
    """The file repeated ``scale`` times, with the id column made unique per copy."""
    out = tmp / f"{path.stem}-x{scale}{path.suffix}"
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        lines = f.readlines()
    names = header.rstrip("\n").split(",")
    idx = names.index("id") if "id" in names else None
    with open(out, "w", encoding="utf-8") as f:
        f.write(header)
        for k in range(scale):
            for line in lines:
                if idx is None or k == 0:
                    f.write(line)
                else:
                    parts = line.split(",")
                    parts[idx] = f"{parts[idx]}-{k}"
                    f.write(",".join(parts))
    return out


def line(label: str, r: dict, anchor: dict | None = None) -> str:
    rate = r["rows"] / r["seconds"]
    text = (
        f"{label:34s} {r['rows']:>10,} rows  {r['seconds']:7.2f} s (cpu {r['cpu']:5.2f} s)  {rate:>10,.0f} rows/s"
        f"  peak {r['peak_mb']:7.0f} MB"
    )
    if anchor:
        text += f"  ({rate / (anchor['rows'] / anchor['seconds']):.2f}x the anchor's rows/s)"
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CSV file (default: ../shared/data/.../train.csv)")
    ap.add_argument("--scale", type=int, default=10, help="size of the generated larger file, in copies (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    ap.add_argument("--no-detect", action="store_true", help="skip the detect=True measurement")
    args = ap.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data}: not found (fix: pass --data PATH to train.csv)")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print(
            f"file: {args.data.name} ({args.data.stat().st_size / 1e6:.1f} MB), best of {args.repeat}, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        )
        anchor = best("pandas", args.data, tmp, args.repeat)
        fast = best("ingest", args.data, tmp, args.repeat)
        print(line("pandas.read_csv (anchor)", anchor))
        print(line("ingest + store, detect=False", fast, anchor))
        ratio = (fast["rows"] / fast["seconds"]) / (anchor["rows"] / anchor["seconds"])
        print(f"speed bar (>= 0.33x the anchor): {'met' if ratio >= 1 / 3 else 'NOT met'} ({ratio:.2f}x)")
        if not args.no_detect:
            print(line("ingest + store, detect=True", best("ingest+detect", args.data, tmp, 1), anchor))
        if args.scale > 1:
            big = scaled_copy(args.data, args.scale, tmp)
            large = measure("ingest", big, tmp)
            print(line(f"ingest + store, {args.scale}x file, detect=False", large))
            print(
                f"memory: peak {fast['peak_mb']:.0f} MB at 1x, {large['peak_mb']:.0f} MB at {args.scale}x "
                f"({large['peak_mb'] / fast['peak_mb']:.2f}x for {args.scale}x the rows)"
            )


if __name__ == "__main__":
    main()
