"""The web dashboard and REST API behind `carlzon serve`.

``create_app`` loads on first use, so the routers' modules (``carlzon.web.deps`` and the
routers under ``carlzon.loop`` and ``carlzon.survey``) import without the app.

Example:
    >>> from carlzon.web import create_app                # doctest: +SKIP
    >>> app = create_app("carlzon.db")                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carlzon.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from carlzon.web.app import create_app

        return create_app
    raise AttributeError(f"module 'carlzon.web' has no attribute {name!r}")
