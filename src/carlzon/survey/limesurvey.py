"""LimeSurvey: export a survey as its tab-separated survey structure, and read its response export back.

**Structure** (:func:`to_limesurvey`): LimeSurvey imports a survey from a tab-separated ``.txt`` file
("Tab Separated Value survey structure" in its manual): one row per survey setting (class ``S``),
language setting (``SL``), group (``G``), question (``Q``), subquestion (``SQ``) and answer (``A``), with
the columns ``class``, ``type/scale``, ``name``, ``relevance``, ``text``, ``help``, ``language``,
``validation``, ``mandatory``, ``other``, ``default``, ``same_default`` and question attributes (here
``random_order``); relationships follow from the order of the rows. The survey becomes: a persona
question (type ``L``, answer codes ``P1``...), the importance block as an array (type ``F``, question
code ``IMP``, one subquestion per touchpoint, answers ``1``-``5``, shown in random order), the
performance block likewise (``PERF``, plus ``0`` = did not use), the outcome (``NPS`` / ``CSAT`` /
``CES``, type ``L``) and the open question (``COMMENT``, type ``T``). Question codes are letters and
digits (LimeSurvey allows no ``_``): each question's ``code`` in the survey YAML.

**Responses** (:func:`read_limesurvey`): LimeSurvey's "Export responses" as CSV with question codes as
headings and answer codes as answers: ``id, submitdate, lastpage, startlanguage, seed, token, startdate,
datestamp, IMP[greeting], ..., PERF[greeting], ..., NPS, COMMENT``. Headings written ``IMP [greeting]``
(older versions) or ``IMP_greeting`` (the R / SPSS syntax) and answers given as their labels ("Very
important") are read too. Incomplete responses (no ``submitdate``) are quarantined with that reason.
LimeSurvey does not record the order it showed the questions in, so imported answers carry no order.

Example:
    >>> from carlzon.survey import build_survey
    >>> s = build_survey("hotel", persona="business")
    >>> txt = to_limesurvey(s)
    >>> txt.lstrip("\\ufeff").splitlines()[0].split("\\t")[:5]
    ['id', 'related_id', 'class', 'type/scale', 'name']
    >>> rows = limesurvey_responses(s, [{"response_id": "r1", "answers": {"nps": 8, "imp_check_in": 5}}])
    >>> [r["answers"]["imp_check_in"] for r in read_limesurvey(s, rows)[0]]
    [5]
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from carlzon.errors import IngestError
from carlzon.survey.definition import LABELS, NOT_USED, Question, Survey

__all__ = ["COLUMNS", "import_limesurvey", "limesurvey_responses", "read_limesurvey", "to_limesurvey"]

COLUMNS = (
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
    "random_order",
)
"""Columns of LimeSurvey's tab-separated survey structure that this export fills."""

SYSTEM = ("id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp")
"""The first columns of LimeSurvey's response export (question-code headings)."""

GROUP_CODES = {"importance": "IMP", "performance": "PERF"}
NOT_USED_CODE = "0"


def _persona_codes(q: Question) -> dict[str, str]:
    return {cid: f"P{i}" for i, (cid, _) in enumerate(q.choices, 1)}


def _row(**kw: Any) -> list[str]:
    return [str(kw.get(c.replace("/", "_"), "")) for c in COLUMNS]


def _clean(text: str) -> str:
    return " ".join(str(text).split())  # no tabs or new lines inside a cell


def to_limesurvey(survey: Survey, *, language: str = "en") -> str:
    """The survey as LimeSurvey's tab-separated survey structure (UTF-8 with a BOM, as LimeSurvey writes it)."""
    rows: list[list[str]] = [list(COLUMNS)]
    for name, value in (
        ("language", language),
        ("format", "G"),
        ("datestamp", "Y"),
        ("anonymized", "N"),
        ("allowprev", "Y"),
        ("showprogress", "Y"),
    ):
        rows.append(_row(**{"class": "S", "name": name, "text": value}))
    for name, value in (
        ("surveyls_title", survey.title),
        ("surveyls_description", survey.intro),
        ("surveyls_endtext", survey.thanks),
    ):
        rows.append(_row(**{"class": "SL", "name": name, "text": _clean(value), "language": language}))
    blocks = list(survey.blocks)
    if survey.block_order == "importance_last":
        imp = [b for b in blocks if b.id == "importance"]
        rest = [b for b in blocks if b.id != "importance"]
        at = next((i for i, b in enumerate(rest) if b.id == "open"), len(rest))
        blocks = rest[:at] + imp + rest[at:]
    qid = 0
    for b in blocks:
        rows.append(
            _row(
                **{
                    "class": "G",
                    "name": _clean(b.title or b.id),
                    "relevance": "1",
                    "text": _clean(b.intro),
                    "language": language,
                }
            )
        )
        if b.id in GROUP_CODES:
            qid += 1
            kind = b.questions[0].kind
            rows.append(
                _row(
                    **{
                        "id": qid,
                        "class": "Q",
                        "type_scale": "F",
                        "name": GROUP_CODES[b.id],
                        "relevance": "1",
                        "text": _clean(b.intro or b.title),
                        "language": language,
                        "mandatory": "N",
                        "other": "N",
                        "same_default": "0",
                        "random_order": "1" if b.randomise else "0",
                    }
                )
            )
            for q in b.questions:
                rows.append(
                    _row(
                        **{
                            "class": "SQ",
                            "type_scale": "0",
                            "name": q.code,
                            "relevance": "1",
                            "text": _clean(q.text),
                            "language": language,
                        }
                    )
                )
            for v, words in zip(range(1, 6), LABELS[kind]):
                rows.append(
                    _row(
                        **{
                            "class": "A",
                            "type_scale": "0",
                            "name": str(v),
                            "relevance": str(v),
                            "text": words,
                            "language": language,
                        }
                    )
                )
            if kind == "performance":
                rows.append(
                    _row(
                        **{
                            "class": "A",
                            "type_scale": "0",
                            "name": NOT_USED_CODE,
                            "relevance": "0",
                            "text": NOT_USED,
                            "language": language,
                        }
                    )
                )
            continue
        for q in b.questions:
            qid += 1
            qtype = "T" if q.kind == "open" else "L"
            rows.append(
                _row(
                    **{
                        "id": qid,
                        "class": "Q",
                        "type_scale": qtype,
                        "name": q.code or q.id.upper(),
                        "relevance": "1",
                        "text": _clean(q.text),
                        "language": language,
                        "mandatory": "Y" if q.required else "N",
                        "other": "N",
                        "same_default": "0",
                    }
                )
            )
            if q.kind == "persona":
                codes = _persona_codes(q)
                for cid, label in q.choices:
                    rows.append(
                        _row(
                            **{
                                "class": "A",
                                "type_scale": "0",
                                "name": codes[cid],
                                "relevance": "0",
                                "text": _clean(label),
                                "language": language,
                            }
                        )
                    )
            elif q.kind != "open":
                for v, words in q.labels():
                    rows.append(
                        _row(
                            **{
                                "class": "A",
                                "type_scale": "0",
                                "name": str(v),
                                "relevance": str(v),
                                "text": f"{v} {words}".strip(),
                                "language": language,
                            }
                        )
                    )
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return "\ufeff" + buf.getvalue()


def _heading(q: Question) -> str:
    if q.kind in ("importance", "performance"):
        return f"{GROUP_CODES[q.kind]}[{q.code}]"
    return q.code or q.id.upper()


def limesurvey_responses(survey: Survey, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Answers as LimeSurvey's response export writes them (question-code headings, answer codes), e.g. to move
    them to a tool that reads LimeSurvey exports; :func:`read_limesurvey` reads it back."""
    out = []
    for i, rec in enumerate(records, 1):
        a = rec.get("answers") or {}
        row: dict[str, Any] = {
            "id": str(i),
            "submitdate": str(rec.get("submitted_at") or "2026-01-01 00:00:00"),
            "lastpage": "5",
            "startlanguage": "en",
            "seed": "",
            "token": rec.get("customer_id") or "",
            "startdate": str(rec.get("submitted_at") or ""),
            "datestamp": str(rec.get("submitted_at") or ""),
        }
        for q in survey.questions:
            v = a.get(q.id)
            if q.kind == "persona":
                v = _persona_codes(q).get(str(v or rec.get("persona") or ""), "")
            elif q.kind == "performance" and v is None and q.id in a:
                v = NOT_USED_CODE
            row[_heading(q)] = "" if v is None else str(v)
        out.append(row)
    return pd.DataFrame(out, columns=[*SYSTEM, *[_heading(q) for q in survey.questions]])


def _norm_heading(h: str) -> str:
    """``IMP [x]``, ``IMP_x`` and ``IMP[x]`` as ``imp[x]``; plain codes lower-cased."""
    h = str(h).strip().lstrip("\ufeff")
    m = re.match(r"^([A-Za-z][A-Za-z0-9]*)\s*\[\s*([^\]]+?)\s*\]$", h)
    if m:
        return f"{m.group(1).lower()}[{m.group(2).lower()}]"
    m = re.match(r"^(IMP|PERF)_([A-Za-z0-9]+)$", h, re.I)
    if m:
        return f"{m.group(1).lower()}[{m.group(2).lower()}]"
    return h.lower()


def _value(q: Question, raw: Any) -> Any:
    text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
    if text in ("", "N/A", "n/a"):
        return None
    if q.kind == "persona":
        back = {code: cid for cid, code in _persona_codes(q).items()}
        labels = {label.lower(): cid for cid, label in q.choices}
        return back.get(text) or labels.get(text.lower()) or text
    if q.kind == "performance" and (text == NOT_USED_CODE or text.lower() == NOT_USED.lower()):
        return None
    if q.kind in LABELS:
        points = {w.lower(): v for v, w in q.labels()}
        if text.lower() in points:
            return points[text.lower()]
    m = re.match(r"^(-?\d+(?:\.0+)?)(\s.*)?$", text)  # '7' or '7 Very easy' (an answer's label with its code)
    return int(float(m.group(1))) if m else text


def read_limesurvey(
    survey: Survey, export: pd.DataFrame | str | Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Records for :func:`carlzon.survey.answers.store_answers` from a LimeSurvey response export, and the rows
    refused (incomplete responses: ``{row, reason, raw}``)."""
    if isinstance(export, pd.DataFrame):
        df = export.astype(object)
    else:
        try:
            df = pd.read_csv(export, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python")
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise IngestError(
                f"cannot read the LimeSurvey export: {exc}",
                where=str(export),
                fix="export responses from LimeSurvey as CSV with question codes and answer codes",
            ) from None
    cols = {_norm_heading(c): c for c in df.columns}
    wanted = {q.id: _norm_heading(_heading(q)) for q in survey.questions}
    found = [qid for qid, h in wanted.items() if h in cols]
    if not found:
        raise IngestError(
            f"none of the survey's questions is in this export (looked for {list(wanted.values())[:4]}...)",
            fix="export with 'Question code' headings, from the survey carlzon survey export wrote",
        )
    sys_col = {k: cols.get(k) for k in ("id", "submitdate", "token", "completed", "date submitted", "response id")}
    rid_col = sys_col["id"] or sys_col["response id"]
    sub_col = sys_col["submitdate"] or sys_col["date submitted"] or sys_col["completed"]
    records, bad = [], []
    for i, r in enumerate(df.to_dict("records")):
        rid = str(r.get(rid_col, "") if rid_col else "").strip() or str(i + 1)
        submitted = str(r.get(sub_col, "") if sub_col else "").strip()
        if sub_col and not submitted:
            bad.append(
                {
                    "row": i,
                    "reason": "incomplete response (no submitdate): not stored",
                    "raw": ",".join(str(v) for v in r.values())[:4000],
                }
            )
            continue
        answers = {qid: _value(survey.question(qid), r.get(cols[wanted[qid]])) for qid in found}
        records.append(
            {
                "response_id": f"ls-{survey.id}-{rid}",
                "submitted_at": submitted or None,
                "customer_id": None,
                "persona": answers.get("persona") or survey.persona,
                "answers": answers,
            }
        )
    return records, bad


def import_limesurvey(
    store: Any, survey: Survey, export: pd.DataFrame | str | Path, *, source: str | None = None
) -> Any:
    """Read a LimeSurvey response export and store its answers (an :class:`~carlzon.survey.answers.AnswerResult`;
    incomplete responses count as quarantined)."""
    from carlzon.survey.answers import store_answers

    name = source or (Path(export).name if isinstance(export, (str, Path)) else f"limesurvey {survey.id}")
    records, bad = read_limesurvey(survey, export)
    res = store_answers(store, survey, records, source=name)
    if bad:
        store.add_quarantine([{"source": name, **b} for b in bad])
    res.read += len(bad)
    res.quarantined += len(bad)
    res.quarantine.extend({"row": b["row"], "reason": b["reason"]} for b in bad)
    return res
