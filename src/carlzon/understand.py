"""Understand an export: the role of every column, decided from its header and its values, said out loud.

:func:`understand` reads the first rows of a batch and returns the :class:`~carlzon.mapping.Plan`
ingest follows. What the user said (flags, a mapping file) comes first; every other column is
given a role by :func:`carlzon.roles.header_roles`, checked against its values:

- an id must be (nearly) unique, a timestamp must read as dates, a rating must be numbers on a
  scale (0-5, 1-5, 1-7, 0-10, 1-10 or 0-100; the overall rating is then shown on 1-5 stars), a
  place is names or ids (a ``location`` column of 1-5 numbers is a rating of the location);
- rating columns that name a touchpoint of the journey (:meth:`~carlzon.journey.Journey.match_item`)
  or an aspect (value, service, cleanliness) become item ratings; other 0-10 numbers are left as
  attributes with a warning naming ``--rating``;
- several text columns (a title and a review, a survey's open questions) are joined with their
  names; the company's reply is kept as an attribute, never read as the customer's words;
- Qualtrics' extra header rows (question texts, ``{"ImportId": ...}``) and SurveyMonkey's second
  header row (the answer option of each column) are read as part of the header;
- whether ``03/04/2026`` is day- or month-first is decided from the values of the whole sample.

Example:
    >>> import pyarrow as pa
    >>> from carlzon.mapping import ColumnMapping
    >>> t = pa.table({"review_id": ["a", "b"], "review_text": ["Lovely stay", "Cold room"],
    ...               "review_rating": ["5", "2"], "hotel_id": ["H1", "H1"]})
    >>> plan = understand(ColumnMapping(), t)
    >>> plan.fields["id"], plan.fields["text"], plan.fields["stars"], plan.fields["location"]
    ('review_id', 'review_text', 'review_rating', 'hotel_id')
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carlzon.errors import MappingError
from carlzon.journey import Journey
from carlzon.mapping import NUMERIC_FIELDS, ColumnMapping, Plan, normalise
from carlzon.roles import header_roles
from carlzon.schema import RATING_SCALES
from carlzon.synonyms import ASPECT_WORDS

__all__ = ["SAMPLE_ROWS", "label_numbers", "rating_scale", "understand"]

SAMPLE_ROWS = 5_000
"""Rows of the first batch whose values are looked at."""

_FIXED_SCALE = {
    "stars",
    "star",
    "star_rating",
    "stars_rating",
    "review_stars",
    "csat",
    "csat_score",
    "ces",
    "ces_score",
    "nps",
    "nps_score",
}
_SCALES: tuple[tuple[float, float], ...] = ((1, 5), (0, 5), (1, 7), (0, 10), (1, 10), (0, 100))
_WORD_SCORES = {"good": 5.0, "bad": 1.0, "satisfied": 5.0, "dissatisfied": 1.0}
_NO_SCORE = {"offered", "unoffered", "not offered", "not_offered", "n/a", "na", "none", "skipped", "-"}
_QUESTION = re.compile(r"\?\s*$|^(what|why|how|please|tell|anything|any|describe|is there|if you|in your own)\b", re.I)
_DATEISH = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")


def label_numbers(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Rating answers written as labels as numbers: '9 - Extremely likely' -> '9', 'Good' -> '5', 'Offered' -> null.

    >>> label_numbers(pa.array(["10 - Extremely likely", "Good", "bad", "Offered", "4"])).to_pylist()
    ['10', '5', '1', None, '4']
    """
    values = arr.to_pylist()
    out: list[str | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        t = str(v).strip()
        low = t.lower()
        if low in _WORD_SCORES:
            out.append(f"{_WORD_SCORES[low]:g}")
        elif low in _NO_SCORE:
            out.append(None)
        else:
            m = re.match(
                r"^\s*(\d{1,3}(?:[.,]\d+)?)\s*(?:[-=:(]\s*[^\W\d_]|stars?\b|/\s*(?:5|7|10)\b)", t
            ) or re.search(r"[^\W\d_][^\d]*[-=:(]\s*(\d{1,3}(?:\.\d+)?)\s*\)?\s*$", t)
            out.append(m.group(1).replace(",", ".") if m else t)
    return pa.array(out, pa.string())


def rating_scale(values: np.ndarray) -> tuple[float, float] | None:
    """The smallest usual rating scale that holds ``values`` (NaN ignored), or None.

    >>> rating_scale(np.array([1., 4, 5])), rating_scale(np.array([0., 7, 10])), rating_scale(np.array([3., 250]))
    ((1, 5), (0, 10), None)
    """
    v = values[~np.isnan(values)]
    if not len(v):
        return None
    lo, hi = float(v.min()), float(v.max())
    for s in _SCALES:
        if s[0] <= lo and hi <= s[1]:
            return s
    return None


@dataclass
class _Profile:
    """What the values of one column look like (non-empty values of the sample)."""

    n: int
    numbers: np.ndarray  # parsed numbers (NaN where not a number)
    numeric: float  # share of values that are numbers
    distinct: float  # distinct values / values
    length: float  # mean length in characters
    spaced: float  # share of values with a space (words)
    dates: float  # share of values that read as dates
    emails: float  # share of values with an '@'
    labelled: bool  # numbers came from labels ('9 - Extremely likely', 'Good')

    @property
    def scale(self) -> tuple[float, float] | None:
        """The rating scale of the values: 0-100 when most are above 10, else the smallest usual scale
        holding those up to 10 (a stray 12 on a 1-5 item is quarantined, not a reason for another scale)."""
        if self.numeric < 0.5:
            return None
        v = self.numbers[~np.isnan(self.numbers)]
        v = v[v != -1]  # -1: 'not rated' in many exports (Tripadvisor's aspect ratings)
        if not len(v) or v.min() < 0:
            return None
        if (v > 10).mean() > 0.5:
            return (0, 100) if v.max() <= 100 else None
        return rating_scale(v[v <= 10])

    @property
    def not_rated_code(self) -> bool:
        """Whether -1 stands for 'not rated' beside values on a scale: used for at least 2% of the values
        (a code, not a typo) while every other value is 0 or more."""
        v = self.numbers[~np.isnan(self.numbers)]
        return bool(len(v)) and bool((v == -1).mean() >= 0.02) and bool((v[v != -1] >= 0).all())

    @property
    def integerish(self) -> bool:
        v = self.numbers[~np.isnan(self.numbers)]
        return bool(len(v)) and bool(np.all(np.abs(v * 2 - np.round(v * 2)) < 1e-9))


def _profile(arr: pa.ChunkedArray | pa.Array, date_sample: int = 400) -> _Profile:
    from carlzon.ingest import _numbers
    from carlzon.times import parse_times

    vals = pc.drop_null(pc.utf8_trim_whitespace(arr))
    vals = pc.filter(vals, pc.not_equal(vals, ""))
    n = len(vals)
    if n == 0:
        return _Profile(0, np.zeros(0), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False)
    nums, notnum = _numbers(vals)
    labelled = False
    if notnum.mean() > 0.1:
        alt, alt_bad = _numbers(label_numbers(vals))
        if (~alt_bad).mean() >= 0.9 and (~alt_bad).mean() > (~notnum).mean():
            nums, notnum, labelled = alt, alt_bad, True
    numeric = float(1 - notnum.mean())
    lengths = pc.utf8_length(vals).to_numpy(zero_copy_only=False)
    spaced = float(pc.mean(pc.cast(pc.match_substring(vals, " "), pa.int8())).as_py() or 0.0)
    emails = float(pc.mean(pc.cast(pc.match_substring(vals, "@"), pa.int8())).as_py() or 0.0)
    dates = 0.0
    if numeric < 0.5 or bool(np.nanmin(nums) > 1e8 if np.isfinite(nums).any() else False):
        head = vals.slice(0, date_sample)
        if float(pc.mean(pc.utf8_length(head)).as_py() or 0) <= 40:
            _, bad = parse_times(head)
            dates = float(1 - bad.mean())
    distinct = len(pc.unique(vals)) / n
    return _Profile(n, nums, numeric, distinct, float(lengths.mean()), spaced, dates, emails, labelled)


def _dayfirst(arr: pa.ChunkedArray | pa.Array) -> tuple[bool | None, str]:
    """Day-first or month-first for slash/dot dates, decided from the values, and the sentence that says so."""
    firsts, seconds, dotted, total = 0, 0, 0, 0
    for v in pc.drop_null(arr).to_pylist():
        m = _DATEISH.match(str(v))
        if not m:
            continue
        total += 1
        a, b = int(m.group(1)), int(m.group(2))
        firsts += a > 12
        seconds += b > 12
        dotted += "." in str(v)[: m.end()]
    if not total:
        return None, ""
    if firsts and not seconds:
        return True, f"dates are day-first ({firsts:,} of {total:,} have a day above 12 first)"
    if seconds and not firsts:
        return False, f"dates are month-first ({seconds:,} of {total:,} have a day above 12 second)"
    if firsts and seconds:
        return None, "dates mix day-first and month-first orders: rows that do not read are quarantined"
    if dotted > total / 2:
        return True, "dates with dots read day-first (no day above 12 tells it apart); pass --monthfirst if not"
    return False, "dates read month-first (no day above 12 tells it apart); pass --dayfirst if they are day-first"


# ----- header rows ---------------------------------------------------------------------
def header_rows(table: pa.Table) -> tuple[int, dict[str, str]]:
    """Extra header rows at the top of the data (Qualtrics: question texts and ImportIds; SurveyMonkey:
    the answer option under each question) and the names they give the columns.

    Returns ``(rows, names)``: how many of the first rows are header, and column -> readable name.
    """
    n = min(table.num_rows, 3)
    if table.num_rows < 2 or not n:
        return 0, {}
    cols = table.column_names
    head = [[table.column(c)[i].as_py() for c in cols] for i in range(n)]
    rest = table.slice(n, SAMPLE_ROWS)
    numeric_cols = []
    if rest.num_rows:
        from carlzon.ingest import _numbers

        for j, c in enumerate(cols):
            vals = pc.drop_null(rest.column(c))
            if len(vals) >= 2 and (~_numbers(vals)[1]).mean() >= 0.9:
                numeric_cols.append(j)
    skip = 0
    for i, row in enumerate(head):
        import_ids = sum(1 for v in row if isinstance(v, str) and v.startswith('{"ImportId"'))
        contra = sum(1 for j in numeric_cols if row[j] not in (None, "") and not _is_number(row[j]))
        if import_ids >= max(1, len(cols) // 3) or (numeric_cols and contra >= max(1, len(numeric_cols) // 2)):
            skip = i + 1
        else:
            break
    if not skip:
        return 0, {}
    names: dict[str, str] = {}
    question = ""
    for j, c in enumerate(cols):
        labels = [
            str(head[i][j]).strip()
            for i in range(skip)
            if head[i][j] not in (None, "") and not str(head[i][j]).startswith('{"ImportId"')
        ]
        generic = re.fullmatch(r"column_\d+", c) is not None
        if not generic:
            question = c
        label = labels[0] if labels else ""
        if generic and question:  # SurveyMonkey: a matrix question's later columns have an empty header
            names[c] = f"{question} - {label}" if label else question
        elif re.fullmatch(r"Q\d+(_\d+)*(_TEXT)?|QID\d+.*", c) and label:  # Qualtrics: Q3_1 -> its question text
            names[c] = label
        elif (
            label
            and label.lower() not in ("response", "open-ended response")
            and not generic
            and _spelled(label) != _spelled(c)
            and _looks_item(label)
            and (c.endswith("?") or len(c) > 30)
        ):
            names[c] = f"{c} - {label}"  # SurveyMonkey: a matrix question's first item
    return skip, {k: v for k, v in names.items() if v and v != k}


def _spelled(text: str) -> str:
    from carlzon.roles import words

    return "".join(words(text))


def _looks_item(label: str) -> bool:
    return len(label) <= 60 and not label.startswith("{")


def _is_number(v: Any) -> bool:
    try:
        float(str(v).replace(",", "."))
        return True
    except ValueError:
        return False


# ----- roles ---------------------------------------------------------------------------
def _fits(role: str, p: _Profile, header_weight: int) -> bool:
    """Whether a column's values can play ``role`` (the header suggested it)."""
    if p.n == 0:
        return role in ("text", "title") and header_weight >= 8
    if role == "id":  # a record id may repeat (the same row exported twice), a survey's id does not vary
        return p.distinct >= (0.5 if header_weight >= 9 else 0.98) and p.length <= 100
    if role == "timestamp":  # a header that says date: most values must read as dates (the rest are quarantined)
        return p.dates >= (0.5 if header_weight >= 5 else 0.9)
    if role in ("text", "title"):  # words: some values with spaces, or long enough to say something
        return p.numeric < 0.5 and p.dates < 0.8 and (header_weight >= 8 or p.spaced >= 0.2 or p.length >= 15)
    if role in NUMERIC_FIELDS:
        return p.scale is not None
    if role == "location":
        return not (
            p.scale is not None
            and p.integerish
            and len(np.unique(p.numbers[~np.isnan(p.numbers)])) <= 11
            and p.numbers[~np.isnan(p.numbers)].max() <= 10
        )
    if role == "customer_email":
        return p.emails >= 0.5
    if role in ("customer_name", "staff", "channel", "language", "touchpoint"):
        return p.numeric < 0.5 and p.dates < 0.5
    return True


def _rating_like(p: _Profile) -> bool:
    """0-10 numbers with few values: an answer on a rating scale."""
    if p.n == 0 or p.numeric < 0.9 or p.scale is None or p.scale[1] > 10:
        return False
    v = p.numbers[~np.isnan(p.numbers)]
    v = v[v != -1]
    return p.integerish and len(np.unique(v)) <= 11


def _free_text(name: str, p: _Profile) -> bool:
    """A column of customers' own words although its header names no text role (a survey's open question)."""
    if p.n == 0 or p.numeric >= 0.5 or p.dates >= 0.5 or p.emails >= 0.3:
        return False
    if _QUESTION.search(name) and p.spaced >= 0.3:
        return True
    return p.length >= 30 and p.spaced >= 0.6 and p.distinct >= 0.5


def understand(
    mapping: ColumnMapping,
    table: pa.Table,
    journey: Journey | None = None,
    *,
    where: str = "input",
    choose: Callable[[list[str], list[str]], Journey | None] | None = None,
) -> Plan:
    """The plan for an input whose first rows are ``table`` (text columns, as the readers give them).

    ``choose(texts, rating_columns)`` picks the journey when none is given (see
    :func:`carlzon.journey_fit.fit_journey`); it may raise to refuse.
    """
    skip, names = header_rows(table)
    if names:
        table = table.rename_columns([names.get(c, c) for c in table.column_names])
    sample = table.slice(skip, SAMPLE_ROWS)
    columns = sample.column_names
    plan = mapping.resolve(columns, journey, where=where, auto=False)
    plan.header_rows, plan.rename = skip, names
    used = {c for c in plan.fields.values() if c} | {c for c, _, _ in plan.ratings} | {c for c, _ in plan.measures}
    profiles = {c: _profile(sample.column(c)) for c in columns}
    free = [c for c in columns if c not in used]
    candidates = {c: header_roles(c) for c in free}
    roles: dict[str, str] = {}

    def take(role: str, field: str | None = None, *, many: bool = False) -> list[str]:
        got = []
        ranked = sorted(
            (
                (w, -i, c)
                for i, c in enumerate(free)
                for r, w in candidates[c]
                if r == role and c not in roles and _fits(role, profiles[c], w)
            ),
            reverse=True,
        )
        for _, _, c in ranked:
            roles[c] = role
            got.append(c)
            if not many:
                break
        if field and got and not plan.fields.get(field):
            plan.fields[field] = got[0]
            plan.auto.add(field)
        return got

    if mapping.auto:
        for c in free:  # the company's answer, links, counts: claimed first so nothing else takes them
            if candidates[c] and candidates[c][0][0] in ("reply", "skip", "count"):
                roles[c] = candidates[c][0][0]
        if not plan.fields["id"]:
            take("id", "id")
        if not plan.fields["timestamp"]:
            take("timestamp", "timestamp")
        for name in ("nps", "csat", "ces", "stars"):
            if not plan.fields[name]:
                take(name, name)
        texts = take("title", many=True) + take("text", many=True) if not plan.fields["text"] else []
        texts += [c for c in free if c not in roles and not candidates[c] and _free_text(c, profiles[c])]
        for c in texts:
            roles[c] = "text"
        if texts:
            plan.fields["text"] = plan.fields["text"] or texts[0]
            plan.text_columns = [c for c in columns if c in texts]
            plan.auto.add("text")
        if not plan.fields["customer_id"]:
            for role in ("customer_id", "customer_email", "customer_name"):
                got = take(role)
                if got:
                    plan.fields["customer_id"] = got[0]
                    plan.auto.add("customer_id")
                    break
        take("customer_email")  # kept beside the customer id, as attributes with their role said
        take("customer_name")
        for role in ("location", "channel", "language", "touchpoint"):
            if not plan.fields.get(role):
                take(role, role)
        take("staff", many=True)
    _numeric_fields(plan, profiles, where)
    rating_like = [c for c in free if c not in roles and _rating_like(profiles[c])]
    rating_like += [
        c
        for c in free
        if c not in roles
        and c not in rating_like
        and profiles[c].scale is not None
        and any(r == "rating" for r, _ in candidates[c])
    ]
    if journey is None and choose is not None:
        text_col = plan.fields["text"]
        sample_texts = _joined_texts(sample, plan.text_columns or ([text_col] if text_col else []))
        journey = choose(sample_texts, rating_like)
    plan.journey = journey
    _item_ratings(plan, mapping, rating_like, profiles, journey, roles)
    _measures(plan, mapping, free, roles, journey)
    plan.roles = {c: r for c, r in roles.items() if c not in {v for v in plan.fields.values() if v}}
    rated = [plan.fields[n] for n in NUMERIC_FIELDS if plan.fields[n]] + [c for c, _, _ in plan.ratings]
    plan.not_rated = [
        c
        for c in rated
        if c in profiles and profiles[c].not_rated_code and c not in mapping.scales and "*" not in mapping.scales
    ]
    if plan.not_rated:
        plan.notes.append(f"-1 read as 'not rated' in {', '.join(map(repr, plan.not_rated))}")
    plan.attributes = [c for c in columns if c not in _used(plan)]
    _warn(plan, profiles, candidates)
    if plan.fields["timestamp"]:
        plan.dayfirst, note = _dayfirst(sample.column(plan.fields["timestamp"]))
        if mapping.dayfirst is not None:
            plan.dayfirst, note = (
                mapping.dayfirst,
                ("dates read day-first (as asked)" if mapping.dayfirst else "dates read month-first (as asked)"),
            )
        if note:
            plan.notes.append(note)
    _check_found(plan, columns, where)
    return plan


def _used(plan: Plan) -> set[str]:
    return (
        {c for c in plan.fields.values() if c}
        | set(plan.text_columns)
        | {c for c, _, _ in plan.ratings}
        | {c for c, _ in plan.measures}
    )


def _joined_texts(t: pa.Table, cols: list[str], limit: int = 2000) -> list[str]:
    if not cols:
        return []
    parts = [t.column(c).slice(0, limit).to_pylist() for c in cols]
    return [" ".join(str(v) for v in row if v) for row in zip(*parts)]


def _numeric_fields(plan: Plan, profiles: dict[str, _Profile], where: str) -> None:
    """Scales of NPS, CSAT, CES and stars; labels ('Good', '9 - Extremely likely') read as numbers."""
    for name in NUMERIC_FIELDS:
        col = plan.fields[name]
        if not col or col not in profiles:
            continue
        p = profiles[col]
        plan.labels[col] = p.labelled
        explicit = name not in plan.auto
        if name == "nps" or normalise(col) in _FIXED_SCALE:
            continue  # the header names the standard scale itself: values off it are quarantined
        target = RATING_SCALES[name]
        scale = p.scale
        if scale is None:
            if explicit:
                continue  # as the user said: values off the scale are quarantined
            if p.numeric < 0.5:  # words, not numbers: keep the column, say so
                plan.fields[name] = None
                plan.warnings.append(
                    f"column {col!r} looks like {name.upper() if name != 'stars' else 'a rating'} "
                    "but holds words, not numbers: kept as an attribute"
                )
                continue
            v = p.numbers[~np.isnan(p.numbers)]
            raise MappingError(
                f"column {col!r} looks like {name} but its values ({v.min():g} to {v.max():g}) are on no rating scale",
                where=where,
                fix=f"map it yourself (--{name} {col!r} with a --map scales entry), or keep it as an "
                "attribute with a --map file",
            )
        if scale == target or (scale != (1, 5) or name != "ces") and scale[0] >= target[0] and scale[1] <= target[1]:
            continue  # the standard scale, or inside it (a CSAT of 2-5): as it is; a 1-5 CES is read onto 1-7
        if explicit and col in plan.scales:
            continue
        plan.scales[name] = scale
        if name == "stars" and scale in ((0, 10), (1, 10)):
            plan.warnings.append(
                f"column {col!r} is read as the overall rating on a {_fmt_scale(scale)} scale, shown "
                f"as 1-5 stars; if it is NPS, pass --nps {col!r}"
            )


def _item_ratings(
    plan: Plan,
    mapping: ColumnMapping,
    rating_like: list[str],
    profiles: dict[str, _Profile],
    journey: Journey | None,
    roles: dict[str, str],
) -> None:
    """Rating columns that name a touchpoint or an aspect become item ratings, on their own scale."""
    default = mapping.scales.get("*")
    for col, key, scale in list(plan.ratings):
        p = profiles.get(col)
        if p is not None and col not in mapping.scales and default is None and p.scale is not None:
            plan.ratings[plan.ratings.index((col, key, scale))] = (col, key, (0, p.scale[1]))
            plan.item_scales[col] = p.scale
    if not mapping.auto:
        return
    for col in rating_like:
        tp = journey.match_item(col) if journey is not None else None
        aspect = _aspect(col)
        item = _survey_item(journey, col)
        if tp is None and aspect is None and not item:
            continue
        p = profiles[col]
        scale = mapping.scales.get(col) or default or p.scale or (0, 10)
        # valid from 0: a 0 on a 1-5 item is the survey's 'not applicable' (read as such by the analyses)
        plan.ratings.append((col, col, scale if col in mapping.scales or default else (0, scale[1])))
        plan.item_scales[col] = scale
        roles[col] = "rating"
        if tp is not None:
            plan.touchpoints[col] = tp.id
        if aspect is not None:
            plan.aspects[col] = aspect


def _aspect(col: str) -> str | None:
    key = normalise(col)
    if key in ASPECT_WORDS:
        return ASPECT_WORDS[key]
    last = key.split("_")[-1]
    return ASPECT_WORDS.get(last) if len(key.split("_")) <= 3 else None


def _survey_item(journey: Journey | None, col: str) -> bool:
    if journey is None:
        return False
    return any(normalise(i) == normalise(col) for tp in journey.touchpoints for i in tp.survey_items)


def _measures(
    plan: Plan, mapping: ColumnMapping, free: list[str], roles: dict[str, str], journey: Journey | None
) -> None:
    if not mapping.auto:
        return
    expected = {tp.expectation.measure for tp in journey.touchpoints if tp.expectation} if journey else set()
    for c in free:
        if c in roles or c in _used(plan):
            continue
        m = normalise(c, measure=True)
        if m in expected or re.search(r"_(minutes|seconds|hours|days|ms)$", m):
            plan.measures.append((c, m))
            roles[c] = "measure"


def _warn(plan: Plan, profiles: dict[str, _Profile], candidates: dict[str, list[tuple[str, int]]]) -> None:
    """A column that looks like a date, a rating or a place but was left as an attribute gets a warning."""
    for c in plan.attributes:
        p = profiles.get(c)
        if p is None or p.n == 0:
            continue
        suggested = [r for r, _ in candidates.get(c, [])]
        if plan.roles.get(c) in ("reply", "skip", "count", "customer_email", "customer_name", "staff"):
            continue
        if p.dates >= 0.9 and p.numeric < 0.5:
            plan.warnings.append(f"column {c!r} looks like a date but was not used (use it with --timestamp {c!r})")
        elif _rating_like(p) and "count" not in suggested:
            plan.warnings.append(
                f"column {c!r} looks like a rating ({_fmt_scale(p.scale)}) but names no touchpoint "
                f"or aspect: kept as an attribute (use it with --rating {c!r}, or --stars {c!r} "
                "for the overall rating)"
            )
        elif "location" in suggested:
            plan.warnings.append(f"column {c!r} looks like a place but was not used (use it with --location {c!r})")


def _fmt_scale(scale: tuple[float, float] | None) -> str:
    return "no scale" if scale is None else f"{scale[0]:g}-{scale[1]:g}"


def _check_found(plan: Plan, columns: list[str], where: str) -> None:
    is_event_log = bool(
        plan.fields["customer_id"]
        and plan.fields["timestamp"]
        and (plan.fields["touchpoint"] or plan.fields["channel"])
    )
    if (
        not plan.fields["text"]
        and not any(plan.fields[n] for n in NUMERIC_FIELDS)
        and not plan.ratings
        and not plan.measures
        and not is_event_log
    ):
        raise MappingError(
            "found no text or rating column",
            where=where,
            fix="name one with --text COL / --nps COL / --csat COL / --stars COL / --rating COL, or pass --journey so "
            f"that survey items count as ratings (columns: {', '.join(columns[:20])})",
        )


def describe_columns(plan: Plan) -> list[dict[str, Any]]:
    """One row per column of the input: its role, and the scale and touchpoint where they apply."""
    out: list[dict[str, Any]] = []
    field_of = {c: f for f, c in plan.fields.items() if c}
    ratings = {c: scale for c, _, scale in plan.ratings}
    measures = dict(plan.measures)
    for c in plan.columns_in_order():
        row: dict[str, Any] = {"column": c}
        if c in plan.text_columns or field_of.get(c) == "text":
            row["role"] = "text"
            if len(plan.text_columns) > 1:
                row["note"] = "joined with the other text columns, each with its name"
        elif c in field_of:
            f = field_of[c]
            row["role"] = {"stars": "overall rating", "customer_id": "customer"}.get(f, f)
            if f in NUMERIC_FIELDS:
                src = plan.scales.get(f, RATING_SCALES[f])
                row["scale"] = _fmt_scale(src)
                if f in plan.scales:
                    tgt = RATING_SCALES[f]
                    row["note"] = f"read as {_fmt_scale(tgt)} ({'stars' if f == 'stars' else f.upper()})"
                if plan.labels.get(c):
                    row["note"] = (row.get("note", "") + "; " if row.get("note") else "") + "labels read as numbers"
            if f == "customer_id" and plan.roles.get(c) is None:
                pass
        elif c in ratings:
            row["role"] = "rating"
            row["scale"] = _fmt_scale(plan.item_scales.get(c, ratings[c]))
            if c in plan.touchpoints:
                row["touchpoint"] = plan.touchpoints[c]
            if c in plan.aspects:
                row["aspect"] = plan.aspects[c]
            if c not in plan.touchpoints:
                j = plan.journey.name if plan.journey is not None else "no journey"
                row["note"] = f"no touchpoint of {j} names it"
        elif c in measures:
            row["role"] = "measure"
            row["note"] = measures[c]
        else:
            row["role"] = "attribute"
            r = plan.roles.get(c)
            if r in ("reply", "customer_email", "customer_name", "staff", "skip", "count"):
                row["note"] = {
                    "reply": "the company's reply (not read as the customer's words)",
                    "customer_email": "the customer's e-mail",
                    "customer_name": "the customer's name",
                    "staff": "staff member",
                    "skip": "not feedback",
                    "count": "a count",
                }[r]
        if c in plan.rename:
            row["header"] = plan.rename[c]
        out.append(row)
    return out


_ = json
