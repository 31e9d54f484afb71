"""The account of an ingest run beyond its counts: junk notes and languages, a dry run's would-be
counts, what to do next (a redo with another journey), and the scales of item ratings kept in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carlzon.journey import Journey
from carlzon.mapping import Plan
from carlzon.store import Store

if TYPE_CHECKING:
    from carlzon.ingest import IngestResult

__all__: list[str] = []


def _values(col: Any) -> list:
    from carlzon.ingest import _values as values

    return values(col)


def _account(cols: dict[str, Any], result: IngestResult) -> None:
    """Count the batch's junk notes and languages (every kept row, stored or duplicate)."""
    from collections import Counter

    from carlzon.junk import count_notes
    from carlzon.language import read_languages

    READ_LANGUAGES = read_languages()

    notes = cols.pop("notes", None) or []
    for k, v in count_notes(notes).items():
        result.text_notes[k] = result.text_notes.get(k, 0) + v
    langs = Counter(x for x in (cols.get("language") or []) if x)
    for k, v in langs.items():
        result.languages[k] = result.languages.get(k, 0) + v
        if k not in READ_LANGUAGES:
            result.not_read += v


def _dry_batch(st: Store, cols: dict[str, Any], bad: list[dict[str, Any]], result: IngestResult) -> None:
    """What storing the batch would do, storing nothing."""
    ids = [str(i) for i in _values(cols["id"])] if len(cols["id"]) else []
    known = st.known_ids(ids) if ids else set()
    seen: set[str] = set()
    dups = 0
    for i in ids:
        if i in known or i in seen:
            dups += 1
        seen.add(i)
    result.stored += len(ids) - dups
    result.duplicates += dups
    result.quarantined += len(bad)
    from carlzon.ingest import KEEP_QUARANTINE

    room = KEEP_QUARANTINE - len(result.quarantine)
    if room > 0:
        result.quarantine.extend({"row": b["row"], "reason": b["reason"]} for b in bad[:room])


def _hints(
    st: Store, result: IngestResult, used: Journey | None, stored: Journey | None, known_before: int, given: bool
) -> None:
    """Say how to redo what a different journey asks for, instead of silent duplicates."""
    target = st.url_safe if hasattr(st, "url_safe") else "STORE"
    if used is not None and stored is not None and used.name != stored.name and known_before:
        if result.duplicates:
            result.hints.append(
                f"{result.duplicates:,} rows were already stored, their moments derived with the {stored.name} "
                f"journey; to derive them again with {used.name}: carlzon detect --store {target} --journey {used.name}"
            )
        elif result.stored:
            result.hints.append(
                f"the store's other moments were derived with the {stored.name} journey, these with {used.name}; to "
                f"make them all {used.name}: carlzon detect --store {target} --journey {used.name}"
            )
    if result.duplicates and not result.replaced and result.source:
        result.hints.append(
            f"{result.duplicates:,} rows were already stored (same id) and were left as they were; to read them "
            f"again with another mapping or journey: carlzon ingest {result.source} --replace [--map FILE] [--journey NAME]"
        )
    if result.not_read:
        result.hints.append(
            f"{result.not_read:,} texts are in a language the text scorer does not read "
            "(their ratings are used; the texts are marked 'text not read')"
        )


def _note_scales(st: Store, plan: Plan) -> None:
    """Keep the scale of each item rating in the store's ``"rating_scales"`` note (JSON: column -> [low, high])."""
    import json

    try:
        scales = json.loads(st.meta("rating_scales") or "{}")
    except ValueError:
        scales = {}
    scales.update({key: list(plan.item_scales.get(col, scale)) for col, key, scale in plan.ratings})
    st.set_meta("rating_scales", json.dumps(scales, ensure_ascii=False))
