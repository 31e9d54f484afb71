"""Moment detection on Spark: interactions per second on 1, 2 and all local cores, beside one process.

For each size (1M, 5M and 20M simulated interactions by default) the same Parquet
file is scored by:
  * the single-process path, exactly as ``carlzon detect`` runs it (read in batches,
    mapped as ``carlzon ingest`` maps them, ``Detector.detect``), one core;
  * ``carlzon.spark.detect`` in Spark local mode with 1, 2 and all cores
    (``local[k]``; results written to Spark's no-op sink so that only the work is timed).
Each line gives seconds, interactions per second and texts per second (rows with
a text), so the growth of the cost with the work can be read down a column, and
the peak resident memory of the run (this process and every process it started:
Spark's JVM and its Python workers; Linux only), which must not grow with the size:
every step streams (the Parquet file is written 100,000 rows at a time, the single
process reads 50,000-row batches, Spark maps Arrow batches to a no-op sink).

The data: ``simulate("airline", seed=0)`` (about 100,000 interactions, a fifth with
text) repeated with fresh ids up to each size, written once per size to ``--dir``.

Usage:
    python bench/spark.py [--sizes 1000000,5000000,20000000] [--dir /tmp/carlzon-spark-bench] [--cores 1,2,all]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import threading

import pyarrow as pa
import pyarrow.parquet as pq


def tree_rss() -> int:
    """Resident bytes of this process and all its descendants (Linux /proc; 0 where there is none)."""
    if not os.path.isdir("/proc"):
        return 0
    parent, rss = {}, {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/statm") as f:
                rss[int(d)] = int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    mine, todo = set(), [os.getpid()]
    while todo:
        p = todo.pop()
        mine.add(p)
        todo.extend(c for c, pp in parent.items() if pp == p and c not in mine)
    return sum(rss.get(p, 0) for p in mine)


class PeakRSS:
    """Samples :func:`tree_rss` every 0.2 s while in a ``with`` block; ``peak`` is the largest seen."""

    def __enter__(self) -> PeakRSS:
        self.peak, self._stop = tree_rss(), threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def base_data():
    from carlzon.simulate import simulate

    df = simulate("airline", seed=0, customers=8_300, days=180).interactions
    df["created_at"] = df["created_at"].dt.floor("us")
    return df


def write_size(base, n: int, path: Path) -> int:
    """``n`` rows of ``base`` repeated with fresh ids, streamed to Parquet; returns rows with text."""
    table = pa.Table.from_pandas(base, preserve_index=False)
    schema = table.schema
    texts = 0
    with pq.ParquetWriter(path, schema, coerce_timestamps="us", allow_truncated_timestamps=True) as w:
        done, k = 0, 0
        while done < n:
            part = base.iloc[: min(len(base), n - done)].copy()
            part["response_id"] = part["response_id"].astype(str) + f"-{k}"
            texts += int(part["comment"].notna().sum())
            w.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False), row_group_size=100_000)
            done += len(part)
            k += 1
    return texts


def single_process(path: Path) -> float:
    from carlzon.cli.detection import _interaction_batches
    from carlzon.detect import Detector
    from carlzon.journey import load_journey
    from carlzon.mapping import ColumnMapping

    jr = load_journey("airline")
    det = Detector(jr)
    det.score_texts(["warm up"])
    t = time.perf_counter()
    n = 0
    for df, _ in _interaction_batches(path, jr, ColumnMapping()):
        if df is not None and len(df):
            n += len(det.detect(df))
    return time.perf_counter() - t


def spark_run(path: Path, cores: int) -> float:
    from carlzon.spark import detect, read_table, session

    spark = session(
        f"local[{cores}]",
        conf={
            "spark.driver.memory": "4g",
            "spark.ui.enabled": "false",
            "spark.sql.files.maxPartitionBytes": str(32 << 20),
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = read_table(spark, path)
        detect(df.limit(1000), journey="airline").moments.write.format("noop").mode("overwrite").save()  # warm up
        t = time.perf_counter()
        detect(df, journey="airline").moments.write.format("noop").mode("overwrite").save()
        return time.perf_counter() - t
    finally:
        spark.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,5000000,20000000", help="comma-separated row counts")
    ap.add_argument("--cores", default="1,2,all", help="Spark local cores to try (all = this machine's)")
    ap.add_argument("--dir", default=None, help="where to write the Parquet files (default: a temporary folder)")
    ap.add_argument("--skip-single", action="store_true", help="leave out the single-process anchor")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    allc = os.cpu_count() or 1
    cores = sorted({allc if c == "all" else int(c) for c in a.cores.split(",")})
    folder = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix="carlzon-spark-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    base = base_data()
    print(f"machine: {allc} cores; base data {len(base):,} simulated interactions; cores tried {cores}")
    print(f"{'interactions':>12} {'engine':<16} {'seconds':>9} {'rows/s':>10} {'texts/s':>10} {'peak RSS':>9}")
    gb = 1 << 30
    try:
        for n in sizes:
            path = folder / f"interactions_{n}.parquet"
            t = time.perf_counter()
            with PeakRSS() as mem:
                texts = write_size(base, n, path)
            print(
                f"{n:>12,} {'(write Parquet)':<16} {time.perf_counter() - t:>9.1f} {'':>10} {'':>10} "
                f"{mem.peak / gb:>7.2f} G  ({path.stat().st_size / gb:.2f} G on disk)",
                flush=True,
            )
            runs = []
            if not a.skip_single:
                with PeakRSS() as mem:
                    runs.append(("single process", single_process(path), mem))
            for c in cores:
                with PeakRSS() as mem:
                    runs.append((f"spark local[{c}]", spark_run(path, c), mem))
            for name, s, m in runs:
                print(
                    f"{n:>12,} {name:<16} {s:>9.1f} {n / s:>10,.0f} {texts / s:>10,.0f} {m.peak / gb:>7.2f} G",
                    flush=True,
                )
            path.unlink()
    finally:
        if not a.dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
