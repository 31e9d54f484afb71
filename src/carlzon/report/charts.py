"""Server-side inline SVG charts for the report and the dashboard.

No chart library and no script: each function returns one ``<svg>`` string
with every label escaped, so the HTML works offline and prints well.

Example:
    >>> from carlzon.report.charts import balance_colour, interval_bar_svg
    >>> balance_colour(-1.0)
    '#b2182b'
    >>> interval_bar_svg(0.2, 0.1, 0.3).startswith('<svg')
    True
"""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from typing import Any
from collections.abc import Sequence

__all__ = [
    "MAGIC",
    "MISERY",
    "NEUTRAL",
    "balance_colour",
    "interval_bar_svg",
    "ipa_svg",
    "journey_map_svg",
    "nice_ticks",
    "trend_svg",
]

MAGIC = "#1b7837"
MISERY = "#b2182b"
NEUTRAL = "#d9d9d9"
_INK = "#1f2933"
_MUTED = "#6b7280"
_GRID = "#e5e7eb"


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """About ``count`` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten).

    >>> nice_ticks(0, 0.33)
    [0.0, 0.1, 0.2, 0.3, 0.4]
    >>> nice_ticks(3.42, 4.27)
    [3.4, 3.6, 3.8, 4.0, 4.2, 4.4]
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks, v = [], start
    while v < hi + step * 0.999:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi - 1e-12:
        ticks.append(round(v, 10))
    return ticks


def _tick_label(v: float, step: float, percent: bool) -> str:
    if percent:
        digits = 0 if step * 100 >= 1 - 1e-9 else 1
        return f"{v * 100:.{digits}f}%"
    digits = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step < 1 and abs(step * 10**digits - round(step * 10**digits)) > 1e-6:
        digits += 1
    return f"{v:,.{digits}f}"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _mix(a: str, b: str, t: float) -> str:
    ra, rb = _rgb(a), _rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ra, rb))


def balance_colour(balance: float | None) -> str:
    """Colour for a balance of magic and misery in [-1, 1]: red (misery) to grey to green (magic)."""
    if balance is None or (isinstance(balance, float) and math.isnan(balance)):
        return "#f3f4f6"
    b = max(-1.0, min(1.0, float(balance)))
    # saturate quickly: a balance of +-0.5 is already a strong colour
    t = min(1.0, abs(b) / 0.5)
    return _mix(NEUTRAL, MAGIC if b > 0 else MISERY, t)


def _t(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "middle",
    fill: str = _INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}" font-family="inherit"{extra}>{escape(str(text))}</text>'
    )


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = str(text).split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return lines[:3] or [""]


def _compact(n: int) -> str:
    """1234 -> '1.2k', 103904 -> '104k'."""
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 10_000:
        return f"{n / 1e3:.0f}k"
    if n >= 1_000:
        return f"{n / 1e3:.1f}k"
    return str(n)


def _pct(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    r = round(x * 100)
    return f"{r:+d}" if r else "0"


def journey_map_svg(stages: Sequence[dict[str, Any]], *, title: str = "Journey map") -> str:
    """The journey as a line of touchpoints grouped by stage.

    ``stages``: ``[{"name": str, "touchpoints": [{"id", "name", "balance", "importance", "n"}]}]``;
    balance in [-1, 1] colours the circle, importance in [0, 1] sizes it.
    """
    col_w, top, r_max = 92, 56, 26
    total = sum(len(s["touchpoints"]) for s in stages) or 1
    width = col_w * total + 20
    height = top + 2 * r_max + 96
    cy = top + r_max + 4
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart journey-map">',
    ]
    parts: list[str] = []
    x0 = 10
    for si, stage in enumerate(stages):
        k = len(stage["touchpoints"])
        if not k:
            continue
        w = k * col_w
        shade = "#f8fafc" if si % 2 == 0 else "#eef2f7"
        head.append(f'<rect x="{x0}" y="4" width="{w}" height="{height - 8}" rx="8" fill="{shade}"/>')
        parts.append(_t(x0 + w / 2, 24, stage["name"], size=13, weight="600"))
        for ti, tp in enumerate(stage["touchpoints"]):
            cx = x0 + ti * col_w + col_w / 2
            imp = tp.get("importance")
            imp = 0.0 if imp is None or (isinstance(imp, float) and math.isnan(imp)) else max(0.0, min(1.0, float(imp)))
            r = 9 + (r_max - 9) * math.sqrt(imp)
            n = int(tp.get("n") or 0)
            colour = balance_colour(tp.get("balance") if n else None)
            tip = f"{tp['name']}: balance {_pct(tp.get('balance'))} points, n={n}"
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy}" r="{r:.1f}" fill="{colour}" stroke="#ffffff" stroke-width="2">'
                f"<title>{escape(tip)}</title></circle>"
            )
            for li, line in enumerate(_wrap(tp["name"], 13)):
                parts.append(_t(cx, cy + r_max + 18 + li * 14, line, size=11))
            if tp.get("rated"):
                label = f"rated · n={_compact(n)}"
            else:
                label = f"{_pct(tp.get('balance'))} · n={_compact(n)}" if n else "no data"
            parts.append(_t(cx, cy + r_max + 66, label, size=10, fill=_MUTED))
        x0 += w
    head.append(f'<line x1="10" y1="{cy}" x2="{width - 10}" y2="{cy}" stroke="#cbd5e1" stroke-width="4"/>')
    return "".join(head + parts + ["</svg>"])


def ipa_svg(
    points: Sequence[dict[str, Any]],
    *,
    x_mid: float | None = None,
    y_mid: float | None = None,
    x_label: str = "Importance (derived)",
    y_label: str = "Performance",
    y_percent: bool | None = None,
) -> str:
    """Importance-performance chart with four labelled quadrants.

    ``points``: ``[{"id", "name", "importance", "performance", "n"}]``; the cross sits at the means
    unless ``x_mid`` / ``y_mid`` are given.
    """
    pts = [
        p
        for p in points
        if p.get("importance") is not None
        and p.get("performance") is not None
        and not any(math.isnan(float(p[k])) for k in ("importance", "performance"))
    ]
    W, H, L, R, T, B = 720, 460, 64, 20, 20, 52
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="Importance-performance chart" class="chart ipa">'
    ]
    if not pts:
        parts.append(_t(W / 2, H / 2, "not enough data for the importance-performance chart", fill=_MUTED))
        parts.append("</svg>")
        return "".join(parts)
    xs = [float(p["importance"]) for p in pts]
    ys = [float(p["performance"]) for p in pts]
    xm = x_mid if x_mid is not None else sum(xs) / len(xs)
    ym = y_mid if y_mid is not None else sum(ys) / len(ys)

    def padded(v: list[float]) -> tuple[float, float]:
        pad = (max(v) - min(v)) * 0.06 or 0.05  # no point on the frame
        return min(v) - pad, max(v) + pad

    xt = nice_ticks(*padded(xs + [xm]))
    yt = nice_ticks(*padded(ys + [ym]))
    if min(xs) >= 0 and xt[0] < 0:
        xt = [t for t in xt if t >= 0] or [0.0, xt[-1]]
    xlo, xhi, ylo, yhi = xt[0], xt[-1], yt[0], yt[-1]
    x_pct = xhi <= 1.0 and xlo >= 0.0
    y_pct = y_percent if y_percent is not None else (yhi <= 1.0 and ylo >= -1.0 and "balance" in y_label.lower())

    def sx(v: float) -> float:
        return L + (v - xlo) / (xhi - xlo) * (W - L - R)

    def sy(v: float) -> float:
        return H - B - (v - ylo) / (yhi - ylo) * (H - T - B)

    mx, my = sx(xm), sy(ym)
    quads = [
        (mx, T, W - R - mx, my - T, "#ecfdf5", "Important, above average", "end", W - R - 8, T + 16),
        (L, T, mx - L, my - T, "#f9fafb", "Less important, above average", "start", L + 8, T + 16),
        (mx, my, W - R - mx, H - B - my, "#fef2f2", "Important, below average", "end", W - R - 8, H - B - 8),
        (L, my, mx - L, H - B - my, "#f9fafb", "Less important, below average", "start", L + 8, H - B - 8),
    ]
    for x, y, w, h, fill, label, anchor, lx, qy in quads:
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}"/>')
        parts.append(_t(lx, qy, label, size=12, anchor=anchor, fill=_MUTED, weight="600"))
    parts.append(f'<line x1="{mx:.1f}" y1="{T}" x2="{mx:.1f}" y2="{H - B}" stroke="#9ca3af" stroke-dasharray="4 4"/>')
    parts.append(f'<line x1="{L}" y1="{my:.1f}" x2="{W - R}" y2="{my:.1f}" stroke="#9ca3af" stroke-dasharray="4 4"/>')
    parts.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#cbd5e1"/>')
    for v in xt:
        parts.append(_t(sx(v), H - B + 16, _tick_label(v, xt[1] - xt[0], x_pct), size=10, fill=_MUTED))
    for v in yt:
        parts.append(_t(L - 6, sy(v) + 3, _tick_label(v, yt[1] - yt[0], y_pct), size=10, fill=_MUTED, anchor="end"))
    parts.append(_t(L + (W - L - R) / 2, H - 12, x_label, size=12))
    parts.append(
        _t(16, T + (H - T - B) / 2, y_label, size=12, extra=f' transform="rotate(-90 16 {T + (H - T - B) / 2:.1f})"')
    )
    placed: list[tuple[float, float, float]] = [  # the quadrant labels: point labels keep clear of them
        (lx - (8.0 * len(label) if anchor == "end" else 0), ly, 8.0 * len(label))
        for _, _, _, _, _, label, anchor, lx, ly in quads
    ]
    for p in sorted(pts, key=lambda q: -float(q["performance"])):
        x, y = sx(float(p["importance"])), sy(float(p["performance"]))
        colour = (
            MISERY
            if (float(p["importance"]) >= xm and float(p["performance"]) < ym)
            else (MAGIC if float(p["performance"]) >= ym else "#4b5563")
        )
        tip = f"{p['name']}: importance {float(p['importance']):.2f}, performance {float(p['performance']):.2f}, n={int(p.get('n') or p.get('survey_n') or 0):,}"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"><title>{escape(tip)}</title></circle>')
        anchor = "end" if x > W - 150 else "start"
        dx = -9 if anchor == "end" else 9
        w = 6.6 * len(str(p["name"]))
        x1 = x + dx - (w if anchor == "end" else 0)
        ly = y + 4
        for _ in range(len(placed) + 4):  # nudge the label down until it overlaps no earlier one
            hit = [b for b in placed if abs(b[1] - ly) < 13 and x1 < b[0] + b[2] and b[0] < x1 + w]
            if not hit:
                break
            ly = max(b[1] for b in hit) + 13
        placed.append((x1, ly, w))
        parts.append(_t(x + dx, ly, p["name"], size=11, anchor=anchor))
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(
    periods: Sequence[dict[str, Any]],
    *,
    series: Sequence[tuple[str, str, str]] | None = None,
    y_label: str = "share of moments",
) -> str:
    """Lines over time with interval bands.

    ``periods``: ``[{"period": datetime|str, "n": int, "<key>": rate, "<key>_low": .., "<key>_high": ..}]``;
    ``series``: ``[(key, label, colour)]``, default magic and misery rates.
    """
    series = series or [("magic_rate", "magic", MAGIC), ("misery_rate", "misery", MISERY)]
    W, H, L, R, T, B = 720, 300, 56, 20, 28, 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="Trend over time" class="chart trend">'
    ]
    rows = [p for p in periods if int(p.get("n") or 0) > 0]
    if len(rows) < 2:
        parts.append(_t(W / 2, H / 2, "not enough periods to draw a trend", fill=_MUTED))
        parts.append("</svg>")
        return "".join(parts)
    vals = [float(p.get(f"{k}_high", p.get(k)) or 0) for p in rows for k, _, _ in series]
    yt = [v for v in nice_ticks(0.0, min(1.0, max(0.05, max(vals))), 5) if v <= 1.0 + 1e-9]
    ymax = yt[-1]  # a share never runs past 100%

    def sx(i: int) -> float:
        return L + i / (len(rows) - 1) * (W - L - R)

    def sy(v: float) -> float:
        return H - B - min(v, ymax) / ymax * (H - T - B)

    for v in yt:
        parts.append(f'<line x1="{L}" y1="{sy(v):.1f}" x2="{W - R}" y2="{sy(v):.1f}" stroke="{_GRID}"/>')
        parts.append(_t(L - 6, sy(v) + 3, _tick_label(v, yt[1] - yt[0], True), size=10, fill=_MUTED, anchor="end"))
    step = max(1, len(rows) // 8)
    ticks: list[tuple[float, float, str, str]] = []  # (left, right, anchor, label) along x
    for i in sorted({*range(0, len(rows), step), len(rows) - 1}):
        p = rows[i]
        label = p["period"].strftime("%d %b %Y") if isinstance(p["period"], datetime) else str(p["period"])[:10]
        anchor = "end" if i == len(rows) - 1 else ("start" if i == 0 else "middle")
        w = 5.8 * len(label)  # about 0.58 em a character at size 10
        left = sx(i) - {"start": 0, "middle": w / 2, "end": w}[anchor]
        while ticks and left < ticks[-1][1] + 8 and i == len(rows) - 1 and len(ticks) > 1:
            ticks.pop()  # the last period always gets its label; earlier ones give way
        if not ticks or left >= ticks[-1][1] + 8:
            ticks.append((left, left + w, anchor, label))
    for left, right, anchor, label in ticks:
        x = {"start": left, "middle": (left + right) / 2, "end": right}[anchor]
        parts.append(_t(x, H - B + 16, label, size=10, fill=_MUTED, anchor=anchor))
    few = [bool(p.get("too_few")) for p in rows]
    for key, label, colour in series:
        runs: list[list[int]] = [[]]  # stretches of periods with enough moments, each drawn as one line
        for i in range(len(rows)):
            if few[i]:
                runs.append([])
            else:
                runs[-1].append(i)
        for run in (r for r in runs if r):
            if all(f"{key}_low" in rows[i] for i in run) and len(run) > 1:
                upper = " ".join(f"{sx(i):.1f},{sy(float(rows[i][f'{key}_high'])):.1f}" for i in run)
                lower = " ".join(f"{sx(i):.1f},{sy(float(rows[i][f'{key}_low'])):.1f}" for i in reversed(run))
                parts.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.15"/>')
            if len(run) > 1:
                line = " ".join(f"{sx(i):.1f},{sy(float(rows[i][key])):.1f}" for i in run)
                parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, p in enumerate(rows):
            tip = f"{label} {float(p[key]) * 100:.1f}% (n={int(p['n']):,}{', too few to judge' if few[i] else ''})"
            fill = "#ffffff" if few[i] else colour
            parts.append(
                f'<circle cx="{sx(i):.1f}" cy="{sy(float(p[key])):.1f}" r="3" fill="{fill}" stroke="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    lx = L + 8
    for _key, label, colour in series:
        parts.append(f'<rect x="{lx}" y="8" width="14" height="4" fill="{colour}"/>')
        parts.append(_t(lx + 18, 14, label, size=11, anchor="start"))
        lx += 26 + 7 * len(label)
    parts.append(_t(W - R, 14, f"{y_label}; bands are 95% intervals", size=10, anchor="end", fill=_MUTED))
    parts.append("</svg>")
    return "".join(parts)


def interval_bar_svg(
    value: float | None, low: float | None, high: float | None, *, lo: float = -1.0, hi: float = 1.0, width: int = 140
) -> str:
    """A small inline bar from 0 to ``value`` with its interval whisker (for table cells)."""
    H = 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {H}" width="{width}" height="{H}" class="spark">'
    ]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        parts.append("</svg>")
        return "".join(parts)

    def sx(v: float) -> float:
        return (max(lo, min(hi, v)) - lo) / (hi - lo) * width

    zero = sx(0.0)
    x = sx(float(value))
    colour = MAGIC if value > 0 else MISERY
    parts.append(f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{H}" stroke="#9ca3af"/>')
    parts.append(
        f'<rect x="{min(zero, x):.1f}" y="4" width="{abs(x - zero):.1f}" height="8" fill="{colour}" fill-opacity="0.8"/>'
    )
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        parts.append(f'<line x1="{sx(low):.1f}" y1="8" x2="{sx(high):.1f}" y2="8" stroke="{_INK}" stroke-width="1.5"/>')
        for v in (low, high):
            parts.append(f'<line x1="{sx(v):.1f}" y1="4" x2="{sx(v):.1f}" y2="12" stroke="{_INK}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)
