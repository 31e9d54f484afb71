"""Role-play cards: real moments of misery, personal data removed, for agents to practise on.

Each card gives what the customer said (names, e-mail addresses, phone,
card and account numbers and @handles removed, see :mod:`carlzon.loop.privacy`),
the touchpoint and stakes, and the task: a reply that takes the five empathy
steps, scored with :func:`carlzon.loop.coaching.coach`.

Example:
    >>> cards = roleplay_cards(store, "airline", n=3)      # doctest: +SKIP
    >>> cards[0].customer_says                              # doctest: +SKIP
    'My name is [NAME], you lost my bag and nobody calls back on [PHONE]'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from carlzon.journey import Journey, load_journey
from carlzon.loop.memory import customer_memory
from carlzon.loop.privacy import redact

__all__ = ["RoleplayCard", "roleplay_cards"]


@dataclass
class RoleplayCard:
    """One practice card."""

    card: int
    touchpoint: str
    stakes: str
    intensity: float
    customer_says: str
    evidence: str
    task: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def roleplay_cards(store: Any, journey: str | Journey = "airline", *, n: int = 3) -> list[RoleplayCard]:
    """The ``n`` most intense moments of misery with text, as practice cards (personal data removed)."""
    journey = load_journey(journey)
    misery = store.moments(valence="misery")
    misery = misery[misery["text"].fillna("").astype(str).str.strip().str.len() > 0]
    if misery.empty:
        return []
    top = misery.sort_values(["intensity", "timestamp"], ascending=[False, True], kind="stable").head(n)
    ids = [str(c) for c in top["customer_id"].dropna().unique()]
    memory = customer_memory(store, customer_ids=ids) if ids else {}
    gestures = (journey.playbook or {}).get("gestures") or {}
    cards = []
    for i, row in enumerate(top.to_dict("records"), start=1):
        c = memory.get(str(row.get("customer_id")))
        names = [c.name] if c and c.name else []
        tid = row.get("touchpoint") or "unknown"
        tname = journey.touchpoint(tid).name if journey.has_touchpoint(tid) else "an unknown touchpoint"
        stakes = row.get("stakes") or "low"
        gesture = gestures.get(stakes)
        task = (
            f"Reply to this customer about {tname.lower()}: acknowledge the specific problem, apologize, "
            f"explain in plain words, give a realistic time"
            + (f", and offer {gesture}." if gesture else ", and offer a fix.")
        )
        cards.append(
            RoleplayCard(
                card=i,
                touchpoint=tid,
                stakes=stakes,
                intensity=float(row.get("intensity") or 0.0),
                customer_says=redact(str(row["text"]), names=names),
                evidence=redact(str(row.get("reasons") or ""), names=names),
                task=task,
            )
        )
    return cards
