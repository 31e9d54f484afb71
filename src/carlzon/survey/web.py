"""Survey and walk pages: public survey links (no account), the surveys' status, and the store-walk form.

Public routes, for customers (no token):

* ``GET /s/{survey}/i/{token}``: the survey behind a one-time invitation link; ``POST`` stores the
  answer once: a second answer with the same link is refused (410), as is a link that is not valid (404).
* ``GET /s/{survey}``: the open link, when the survey allows one (``open_link: true``); each form carries
  a signed one-time form token, so one form gives one answer.
* ``POST /s/{survey}/i/{token}/optout``: "don't ask me again".

Cross-site posting: every public form carries its own token (the invitation's, or the signed form
token) and every POST must come from this site: an ``Origin`` header of another host (or ``null``), or a
``Sec-Fetch-Site`` of ``cross-site`` / ``same-site``, is refused (403). Pages send a strict
Content-Security-Policy, ``Referrer-Policy: same-origin`` (the link's token never leaves the site) and
``Cache-Control: no-store``.

Dashboard routes (token): ``GET /surveys`` (viewer) lists the surveys with their response rate per
invitation batch; ``GET /walks/new`` and ``POST /walks`` (agent) fill in a store walk.

Example:
    >>> from carlzon.survey.web import router
    >>> sorted({r.path for r in router.routes})[:3]
    ['/s/{survey_id}', '/s/{survey_id}/i/{token}', '/s/{survey_id}/i/{token}/optout']
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carlzon.errors import CarlzonError, SurveyError
from carlzon.survey.definition import NOT_USED, Question, Survey
from carlzon.web.deps import require
from carlzon.web.auth import Principal
from datetime import UTC

__all__ = ["router", "same_origin"]

router = APIRouter(include_in_schema=False)

FORM_TOKEN_SECONDS = 3 * 24 * 3600
"""An open-link form may be sent up to three days after it was shown."""

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _env() -> Any:
    from carlzon.report.builder import jinja_env

    return jinja_env(
        [str(resources.files("carlzon.survey") / "templates"), str(resources.files("carlzon.web") / "templates")]
    )


def _page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env().get_template(name).render(**ctx), status_code=status, headers=HEADERS)


def _message(title: str, text: str, status: int) -> HTMLResponse:
    return _page("survey_message.html.j2", status, title=title, text=text)


def same_origin(request: Request) -> bool:
    """Whether a state-changing request comes from this site (Origin, else Sec-Fetch-Site; a request with
    neither is a non-browser client and rests on its form token alone)."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()
    site = request.headers.get("sec-fetch-site")
    return site is None or site in ("same-origin", "none")


def _sign(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def _open_token(key: bytes, survey_id: str) -> str:
    nonce, ts = secrets.token_hex(12), str(int(time.time()))
    return f"{nonce}.{ts}.{_sign(key, 'open', survey_id, nonce, ts)}"


def _check_open_token(key: bytes, survey_id: str, token: str) -> str:
    parts = str(token or "").split(".")
    if len(parts) != 3 or not hmac.compare_digest(_sign(key, "open", survey_id, parts[0], parts[1]), parts[2]):
        raise SurveyError("this form is not valid", status=403, fix="open the survey link again and answer there")
    if not parts[1].isdigit() or time.time() - int(parts[1]) > FORM_TOKEN_SECONDS:
        raise SurveyError("this form has expired", status=403, fix="open the survey link again")
    return parts[0]


def _blocks(survey: Survey, order: list[str], skip: set[str]) -> list[tuple[Any, list[Question]]]:
    """Blocks and their questions in the respondent's order."""
    by_id = {q.id: (b, q) for b in survey.blocks for q in b.questions}
    out: list[tuple[Any, list[Question]]] = []
    for qid in order:
        if qid in skip:
            continue
        b, q = by_id[qid]
        if not out or out[-1][0].id != b.id:
            out.append((b, []))
        out[-1][1].append(q)
    return out


_SHORT = {
    "Moderately important": "Somewhat",
    "Very dissatisfied": "Very unhappy",
    "Somewhat difficult": "Fairly hard",
    "Somewhat easy": "Fairly easy",
    "Very difficult": "Very hard",
}
"""Words that fit a tile on a phone (the full words stay in the label for screen readers)."""


def _options(q: Question) -> list[tuple[str, str, str, str]]:
    """(value, shown, words, short words on the tile) for each answer of a choice question."""
    if q.kind == "persona":
        return [(c, label, "", "") for c, label in q.choices]
    opts = [(str(v), str(v), w, _SHORT.get(w, w.removesuffix(" important"))) for v, w in q.labels()]
    if q.kind == "performance":
        opts.append(("na", "–", NOT_USED, NOT_USED))
    return opts


def _form(
    request: Request,
    survey: Survey,
    *,
    key: str,
    action: str,
    form_token: str,
    skip: set[str],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    optout: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    block_order, order = survey.order_for(key)
    return _page(
        "survey_form.html.j2",
        status,
        survey=survey,
        blocks=_blocks(survey, order, skip),
        action=action,
        form_token=form_token,
        values=values or {},
        errors=errors or {},
        options=_options,
        optout_action=optout,
        csrf_token=getattr(request.state, "csrf", ""),
    )


def _answers(survey: Survey, form: dict[str, str], skip: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    answers, errors = {}, {}
    for q in survey.questions:
        if q.id in skip:
            continue
        try:
            answers[q.id] = q.check(form.get(q.id))
        except SurveyError as exc:
            errors[q.id] = exc.message[:1].upper() + exc.message[1:]
    return answers, errors


def _record(survey: Survey, key: str, rid: str, answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    block_order, order = survey.order_for(key)
    return {"response_id": rid, "answers": answers, "block_order": block_order, "question_order": order, **extra}


def _store(
    request: Request, survey: Survey, record: dict[str, Any], *, invitation: str | None = None, nonce: str | None = None
) -> None:
    """Store one answer, in one transaction with using up its invitation (or its open-link form token)."""
    from carlzon.survey.answers import store_answers

    st = request.app.state.store
    with request.app.state.write_lock, st.transaction():
        if nonce is not None:
            if len(st.query("SELECT nonce FROM survey_form_tokens WHERE nonce = :n", {"n": nonce})):
                raise SurveyError("this form has already been sent", status=410, fix="thank you for your answer")
            st.execute(
                "INSERT INTO survey_form_tokens (nonce, survey_id, used_at) VALUES (:n, :s, :at)",
                {"n": nonce, "s": survey.id, "at": _now()},
            )
        if invitation is not None:
            n = st.execute(
                "UPDATE survey_invitations SET answered_at = :at, interaction_id = :i "
                "WHERE id = :id AND answered_at IS NULL",
                {"at": _now(), "i": record["response_id"], "id": invitation},
            )
            if n == 0:
                raise SurveyError(
                    "this survey link has already been used",
                    status=410,
                    fix="each invitation takes one answer; thank you for yours",
                )
        res = store_answers(st, survey, [record], source=f"survey {survey.id} (web)")
        if res.stored != 1:
            raise SurveyError(
                "this answer could not be stored"
                + (f": {res.quarantine[0]['reason']}" if res.quarantine else " (it was sent before)"),
                status=409 if res.duplicates else 400,
                fix="open the survey link again",
            )


def _now() -> Any:
    from datetime import datetime

    return datetime.now(UTC)


def _survey(request: Request, survey_id: str) -> Survey:
    from carlzon.survey.tables import get_survey

    try:
        return get_survey(request.app.state.store, survey_id)
    except SurveyError:
        raise SurveyError("there is no such survey", status=404, fix="check the link") from None


def _refuse(exc: CarlzonError) -> HTMLResponse:
    status = getattr(exc, "status", 400)
    titles = {404: "This link does not work", 410: "Already answered", 403: "Not sent", 409: "Already answered"}
    return _message(titles.get(status, "Something went wrong"), str(exc.message) + ".", status)


# ----------------------------------------------------------------------------------- invitation link
@router.get("/s/{survey_id}/i/{token}", response_class=HTMLResponse)
def invitation_form(survey_id: str, token: str, request: Request) -> Response:
    from carlzon.survey.invitations import check_invitation

    try:
        survey = _survey(request, survey_id)
        inv = check_invitation(request.app.state.store, survey_id, token)
    except SurveyError as exc:
        return _refuse(exc)
    if inv.answered:
        return _message("Already answered", "This link has already been used: thank you for your answer.", 410)
    key = _secret(request)
    skip = {"persona"} if inv.persona else set()
    return _form(
        request,
        survey,
        key=inv.id,
        action=f"/s/{survey_id}/i/{token}",
        skip=skip,
        form_token=_sign(key, "inv", survey_id, inv.id),
        optout=f"/s/{survey_id}/i/{token}/optout",
    )


def _posted_invitation(request: Request, survey_id: str, token: str, form: dict[str, str]) -> Any:
    """The invitation a POST is for, once it came from this site with the invitation's form token (else 403/404)."""
    from carlzon.survey.invitations import check_invitation

    if not same_origin(request):
        raise SurveyError("this was not sent from the survey's own page", status=403, fix="open the survey link")
    inv = check_invitation(request.app.state.store, survey_id, token)
    if not hmac.compare_digest(_sign(_secret(request), "inv", survey_id, inv.id), form.pop("form_token", "")):
        raise SurveyError("this form is not valid", status=403, fix="open the survey link again and answer there")
    return inv


@router.post("/s/{survey_id}/i/{token}", response_class=HTMLResponse)
async def invitation_answer(survey_id: str, token: str, request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        inv = _posted_invitation(request, survey_id, token, form)
        survey = _survey(request, survey_id)
        if inv.answered:
            raise SurveyError("this survey link has already been used", status=410, fix="thank you for your answer")
        skip = {"persona"} if inv.persona else set()
        answers, errors = _answers(survey, form, skip)
        if errors:
            return _form(
                request,
                survey,
                key=inv.id,
                action=f"/s/{survey_id}/i/{token}",
                skip=skip,
                form_token=_sign(_secret(request), "inv", survey_id, inv.id),
                values=form,
                errors=errors,
                optout=f"/s/{survey_id}/i/{token}/optout",
                status=400,
            )
        rec = _record(
            survey,
            inv.id,
            f"sv-{survey.id}-{inv.id}",
            answers,
            customer_id=inv.customer_id,
            persona=inv.persona,
            batch=inv.batch,
            invitation=inv.id,
        )
        _store(request, survey, rec, invitation=inv.id)
    except SurveyError as exc:
        return _refuse(exc)
    return _message("Thank you", survey.thanks, 200)


@router.post("/s/{survey_id}/i/{token}/optout", response_class=HTMLResponse)
async def invitation_optout(survey_id: str, token: str, request: Request) -> Response:
    from carlzon.survey.invitations import opt_out

    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        inv = _posted_invitation(request, survey_id, token, form)
        opt_out(request.app.state.store, inv.customer_id)
    except SurveyError as exc:
        return _refuse(exc)
    return _message("You will not be asked again", "We will not send you surveys any more.", 200)


# ----------------------------------------------------------------------------------------- open link
@router.get("/s/{survey_id}", response_class=HTMLResponse)
def open_form(survey_id: str, request: Request) -> Response:
    try:
        survey = _survey(request, survey_id)
        if not survey.open_link:
            raise SurveyError("this survey is answered by invitation only", status=404, fix="use your invitation link")
    except SurveyError as exc:
        return _refuse(exc)
    token = _open_token(_secret(request), survey_id)
    return _form(request, survey, key=token.split(".")[0], action=f"/s/{survey_id}", form_token=token, skip=set())


@router.post("/s/{survey_id}", response_class=HTMLResponse)
async def open_answer(survey_id: str, request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        if not same_origin(request):
            raise SurveyError("this was not sent from the survey's own page", status=403, fix="open the survey link")
        survey = _survey(request, survey_id)
        if not survey.open_link:
            raise SurveyError("this survey is answered by invitation only", status=404, fix="use your invitation link")
        token = form.pop("form_token", "")
        nonce = _check_open_token(_secret(request), survey_id, token)
        answers, errors = _answers(survey, form, set())
        if errors:
            return _form(
                request,
                survey,
                key=nonce,
                action=f"/s/{survey_id}",
                form_token=token,
                skip=set(),
                values=form,
                errors=errors,
                status=400,
            )
        _store(request, survey, _record(survey, nonce, f"sv-{survey.id}-{nonce}", answers), nonce=nonce)
    except SurveyError as exc:
        return _refuse(exc)
    return _message("Thank you", survey.thanks, 200)


def _secret(request: Request) -> bytes:
    from carlzon.survey.tables import secret

    state = request.app.state
    if not hasattr(state, "survey_secret"):
        state.survey_secret = secret(state.store)
    return state.survey_secret


# -------------------------------------------------------------------------------------- dashboard
@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, principal: Principal = Depends(require("viewer"))) -> HTMLResponse:
    from carlzon.survey.invitations import response_rates
    from carlzon.survey.tables import list_surveys

    st = request.app.state.store
    rates = response_rates(st)
    rows = []
    for s in list_surveys(st):
        n = int(
            st.query(
                "SELECT COUNT(*) AS n FROM interactions WHERE channel = 'survey' AND attributes LIKE :p",
                {"p": f'%"survey":"{s.id}"%'},
            )["n"].iloc[0]
        )
        rows.append({"survey": s, "answers": n, "batches": rates[rates["survey_id"] == s.id].to_dict("records")})
    html = _env().get_template("surveys.html.j2").render(principal=principal, rows=rows, active="surveys")
    return HTMLResponse(html)


@router.get("/walks/new", response_class=HTMLResponse)
def walk_form(
    request: Request, journey: str | None = None, principal: Principal = Depends(require("agent"))
) -> HTMLResponse:
    from carlzon.walk import build_checklist, render_checklist

    c = build_checklist(journey or _store_journey(request))
    html = render_checklist(
        c,
        action="/walks",
        form_token=_sign(_secret(request), "walk", principal.token_id),
        csrf_token=getattr(request.state, "csrf", ""),
    )
    return HTMLResponse(html)


@router.get("/walks/checklist.css")
def walk_stylesheet() -> Response:
    """The walk page's stylesheet (the page's policy allows no inline style)."""
    css = (resources.files("carlzon.walk") / "templates" / "checklist.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css")


def _store_journey(request: Request) -> Any:
    """The journey the app serves, else the one the store's moments were derived with (a name or YAML text)."""
    import yaml

    from carlzon.journey import journey_from_dict

    if request.app.state.journey is not None:
        return request.app.state.journey
    note = request.app.state.store.meta("journey")
    if note and "\n" in note:
        return journey_from_dict(yaml.safe_load(note), source="the store's journey")
    return note or "retail_clothing"


@router.post("/walks", response_class=HTMLResponse)
async def walk_save(request: Request, principal: Principal = Depends(require("agent"))) -> Response:
    import pandas as pd

    from carlzon.walk import build_checklist, render_checklist, store_walk

    form = {k: str(v) for k, v in (await request.form()).items()}
    if not same_origin(request) or not hmac.compare_digest(
        _sign(_secret(request), "walk", principal.token_id), form.get("form_token", "")
    ):
        return _message("Not saved", "This walk did not come from the walk page of this site.", 403)
    from carlzon.journey import load_journey

    j = load_journey(_store_journey(request))
    if form.get("journey") and form["journey"] != j.name:
        j = load_journey(form["journey"])  # a built-in journey named in the form
    c = build_checklist(j)
    rows = [
        {
            "step": s.touchpoint,
            "result": form.get(f"result:{s.touchpoint}", ""),
            "value": form.get(f"value:{s.touchpoint}", ""),
            "note": form.get(f"note:{s.touchpoint}", ""),
            "location": form.get("location", ""),
            "observer": form.get("observer") or principal.name,
            "observed_at": form.get("observed_at", ""),
        }
        for s in c.steps
    ]
    with request.app.state.write_lock:
        res = store_walk(request.app.state.store, j, pd.DataFrame(rows), source=f"walk (web, {principal.name})")
    if res.quarantined:
        html = render_checklist(
            c,
            action="/walks",
            form_token=form.get("form_token", ""),
            values=form,
            csrf_token=getattr(request.state, "csrf", ""),
        )
        return HTMLResponse(
            html.replace(
                '<ol class="steps">',
                '<p class="lead" role="alert">Not saved: '
                + _esc("; ".join(q["reason"] for q in res.quarantine[:3]))
                + '</p><ol class="steps">',
            ),
            status_code=400,
        )
    return RedirectResponse("/moments?channel=observation", status_code=303)


def _esc(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))
