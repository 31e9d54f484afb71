"""Observe: store walks built from the journey (a printable, phone-friendly checklist of its touchpoints and
expectations) and filled-in walks stored as interactions of channel ``observation``.

Example:
    >>> from carlzon.walk import build_checklist
    >>> build_checklist("retail_clothing").steps[0].name
    'Signage and shop window'
"""

from carlzon.walk.checklist import RESULTS, Checklist, Step, build_checklist, render_checklist
from carlzon.walk.observations import WalkResult, store_walk, walk_frame

__all__ = [
    "RESULTS",
    "Checklist",
    "Step",
    "WalkResult",
    "build_checklist",
    "render_checklist",
    "store_walk",
    "walk_frame",
]
