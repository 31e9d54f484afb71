"""A small, predictable text scorer so the Detector's rules are tested apart from the lexicon's tuning."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from carlzon.schema import Evidence

# phrase -> (score, intensity, stakes, event)
PHRASES = {
    "lost my bag": (-0.8, 0.8, "high", "lost_item"),
    "lost my card": (-0.8, 0.9, "high", "lost_card"),
    "delayed": (-0.5, 0.5, "medium", "delay"),
    "rude": (-0.6, 0.6, "low", "rude"),
    "meh": (-0.1, 0.1, "low", "meh"),
    "wonderful": (0.7, 0.6, "low", "praise"),
    "thank you": (0.4, 0.3, "low", "thanks"),
}


@dataclass
class FakeResult:
    score: np.ndarray
    intensity: np.ndarray
    stakes: np.ndarray
    _ev: list = field(default_factory=list)

    def evidence(self, i: int) -> list[Evidence]:
        return [Evidence(rule="lexicon", text=f'"{p}" = {e}', phrase=p, weight=s) for p, (s, _, _, e) in self._ev[i]]

    def events(self, i: int) -> list[str]:
        return [e for _, (_, _, _, e) in self._ev[i]]


class FakeScorer:
    version = "fake-1"

    def score(self, texts):
        n = len(texts)
        s, it, st, ev = np.zeros(n), np.zeros(n), np.full(n, "low", dtype=object), []
        for i, t in enumerate(texts):
            hits = [(p, v) for p, v in PHRASES.items() if isinstance(t, str) and p in t.lower()]
            ev.append(hits)
            if hits:
                s[i] = float(np.clip(sum(v[0] for _, v in hits), -1, 1))
                it[i] = max(v[1] for _, v in hits)
                st[i] = max((v[2] for _, v in hits), key=["low", "medium", "high"].index)
        return FakeResult(s, it, st, ev)


@pytest.fixture
def scorer() -> FakeScorer:
    return FakeScorer()
