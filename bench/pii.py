"""Recall of personal-data recognisers on bench/data/pii_set.tsv, side by side.

    python bench/pii.py            # carlzon now, carlzon before (the anchor), and the libraries installed
    python bench/pii.py --misses   # also list what each one left in clear
    python bench/pii.py --heldout  # on bench/data/pii_heldout.tsv: written after the recogniser, never tuned on

The set: realistic strings with personal data of each kind (names of many origins in any case,
e-mails also spelled out, phones of many countries, cards, IBANs, passports, addresses and postcodes,
dates of birth, IP addresses), each with the secrets that must disappear, and clean sentences
that must come back unchanged. A string counts as recalled when none of its secrets is left, nor
any word of four or more characters of one (a half-masked '+44 20 7946 0958' is a miss).

Compared, when installed (both optional, neither is needed by carlzon):
- Microsoft Presidio's analyzer with its predefined recognisers and no NER model (none can be
  downloaded here: `pip install presidio-analyzer` brings spaCy, not a model), every entity masked;
- scrubadub's default Scrubber (`pip install scrubadub`).
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from collections.abc import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SET = HERE / "data" / ("pii_heldout.tsv" if "--heldout" in sys.argv else "pii_set.tsv")


def load() -> list[tuple[str, str, list[str]]]:
    with SET.open(encoding="utf-8") as f:
        return [
            (r["kind"], r["text"], [s for s in (r["secrets"] or "").split("|") if s])
            for r in csv.DictReader(f, delimiter="\t")
        ]


def _left(secret: str, out: str) -> bool:
    """True when the secret, or a word of 4+ characters of it, is still in the output."""
    if secret in out:
        return True
    words = [w for w in re.split(r"\W+", secret) if len(w) >= 4 and w.lower() not in ("dot",)]
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", out) for w in words)


def presidio() -> Callable[[str], str] | None:
    try:
        import spacy
        import tldextract
        import tldextract.tldextract as tx
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        return None
    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # its bundled list, no network

    class Blank(SpacyNlpEngine):
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])
            self.nlp = {"en": spacy.blank("en")}

        def load(self) -> None:
            pass

    engine = Blank()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])

    def run(text: str) -> str:
        spans = sorted((r.start, r.end) for r in analyzer.analyze(text, language="en"))
        out, last = [], 0
        for s, e in spans:
            if s >= last:
                out += [text[last:s], "[PII]"]
                last = e
        return "".join(out + [text[last:]])

    return run


def scrubadub() -> Callable[[str], str] | None:
    try:
        import scrubadub as sd
    except ImportError:
        return None
    return sd.Scrubber().clean


def main() -> None:
    from _redact_before import redact as before

    from carlzon.privacy import redact as now

    rows = load()
    pii = [r for r in rows if r[0] != "clean"]
    clean = [r for r in rows if r[0] == "clean"]
    tools: dict[str, Callable[[str], str]] = {"carlzon now": now, "carlzon before (anchor)": before}
    for name, make in (("presidio (patterns, no NER)", presidio), ("scrubadub", scrubadub)):
        fn = make()
        if fn is not None:
            tools[name] = fn
        else:
            print(f"{name}: not installed, left out")
    kinds = sorted({k for k, _, _ in pii})
    results, misses = {}, defaultdict(list)
    for name, fn in tools.items():
        t0 = time.perf_counter()
        by: dict[str, list[bool]] = defaultdict(list)
        for kind, text, secrets in pii:
            out = fn(text)
            ok = not any(_left(s, out) for s in secrets)
            by[kind].append(ok)
            if not ok:
                misses[name].append(f"{kind}: {text!r} -> {out!r}")
        kept = [fn(text) == text for _, text, _ in clean]
        for _, text, _ in clean:
            if fn(text) != text:
                misses[name].append(f"clean changed: {text!r} -> {fn(text)!r}")
        results[name] = (by, kept, time.perf_counter() - t0)
    width = max(len(n) for n in tools)
    head = f"{'kind (n)':<14}" + "".join(f"{n:>{width + 2}}" for n in tools)
    print(f"Recall on {SET.name}: {len(pii)} strings with personal data, {len(clean)} clean ones")
    print(head)
    for kind in kinds:
        n = len(results["carlzon now"][0][kind])
        print(f"{kind + f' ({n})':<14}" + "".join(f"{sum(results[t][0][kind]) / n:>{width + 2}.0%}" for t in tools))
    print(
        f"{'all (' + str(len(pii)) + ')':<14}"
        + "".join(f"{sum(sum(v) for v in results[t][0].values()) / len(pii):>{width + 2}.1%}" for t in tools)
    )
    print(f"{'clean kept':<14}" + "".join(f"{sum(results[t][1]) / len(clean):>{width + 2}.0%}" for t in tools))
    print(f"{'seconds':<14}" + "".join(f"{results[t][2]:>{width + 2}.2f}" for t in tools))
    if "--misses" in sys.argv:
        for name in tools:
            print(f"\n{name}: {len(misses[name])} misses")
            for m in misses[name]:
                print("  " + m)


if __name__ == "__main__":
    main()
