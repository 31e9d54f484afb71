"""Layout checks in a real browser, shared by the report's and the dashboard's browser tests: no sideways
scroll, no two text boxes on top of each other (chart labels measured with getBoundingClientRect), the
page's height, and a full-page screenshot."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (1280, 390)
"""A laptop and a phone (CSS pixels)."""
SHOTS = Path(os.environ.get("CARLZON_SHOTS") or Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots")

MEASURE = """() => {
  const de = document.documentElement;
  const boxes = [...document.querySelectorAll('svg text, .tag, h1, h2, h3, th')]
    .filter(e => e.getClientRects().length && e.checkVisibility() && (() => { const d = e.closest('details');
      return !d || d.open || e.closest('summary') !== null; })())
    .map(e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top + window.scrollY, w: r.width,
                                                            h: r.height, t: (e.textContent || '').trim().slice(0, 40),
                                                            svg: e.closest('svg') !== null}; })
    .filter(b => b.w > 0 && b.h > 0);
  const over = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
    const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    if (ox > 1 && oy > 1) over.push(a.t + ' / ' + b.t + ' @' + Math.round(a.x) + ',' + Math.round(a.y) + ' ' + Math.round(b.x) + ',' + Math.round(b.y) + ' h' + Math.round(a.h) + ',' + Math.round(b.h));
  }
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > de.clientWidth + 1 && !e.closest('.scroll, .journey-scroll, .paths-graph');
  }).slice(0, 5).map(e => e.tagName + '.' + e.className);
  return {height: de.scrollHeight, scroll_width: de.scrollWidth, width: de.clientWidth, overlaps: over, wide: wide};
}"""


def measure(page) -> dict:
    """Height, widths, overlapping text boxes and elements sticking out on the right, of the open page."""
    return page.evaluate(MEASURE)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def problem(m: dict) -> tuple | None:
    """What a reader would see wrong on a measured page: a sideways scroll or overlapping text (None: neither)."""
    if m["scroll_width"] > m["width"]:
        return ("sideways scroll", m["scroll_width"], m["wide"])
    if m["overlaps"]:
        return ("overlapping text", m["overlaps"][:5])
    return None
