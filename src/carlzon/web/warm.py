"""Keep the dashboard's heavy views computed ahead of the first request, and current as data arrive.

Themes (clustering per touchpoint), alerts (a phrase scan) and the overview take seconds on a
store of some ten thousand moments; a page must answer in under one. The views are cached per
filter until the store's change token moves (:func:`carlzon.web.views._cached`); the warmer is a
background thread that, whenever the token has moved, computes the unfiltered views (overview,
themes, alerts, paths, filter options, today's magic on the store's last day) into that cache, so
the first visitor finds them ready. A request for a view the warmer is computing waits for it
instead of computing it again.

Example:
    >>> app = create_app("carlzon.db", warm_every=5.0)   # doctest: +SKIP
"""

from __future__ import annotations

import threading
from typing import Any

from carlzon.store.changes import change_token

__all__ = ["Warmer", "warm_views"]


def warm_views(state: Any) -> None:
    """Compute the unfiltered views into the app's cache (each returns at once when already current)."""
    from carlzon.web.views import Filters, alerts, magic_today, options, overview, paths, themes

    f = Filters()
    for view in (options, overview, themes, alerts, paths):
        view(state) if view is options else view(state, f)
    magic_today(state, None)


class Warmer:
    """A daemon thread that runs :func:`warm_views` when the store's change token has moved.

    ``every``: seconds between checks of the token (a cheap query). ``ready`` is set after the
    first round; ``error`` holds what the last round raised (the next round tries again).
    """

    def __init__(self, state: Any, every: float = 5.0) -> None:
        self.state = state
        self.every = every
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="carlzon-warm", daemon=True)
        self._seen: tuple[Any, ...] | None = None

    def start(self) -> Warmer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def wait_current(self, timeout: float = 600.0) -> bool:
        """Block until a round has warmed the views for the store as it is now (False on timeout)."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.ready.is_set() and self._seen == change_token(self.state.store):
                return True
            time.sleep(0.05)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                token = change_token(self.state.store)
                if token != self._seen:
                    warm_views(self.state)
                    self._seen = token
                self.error = None
            except Exception as exc:  # noqa: BLE001 - kept for the health of the dashboard, retried next round
                self.error = exc
            self.ready.set()
            self._stop.wait(self.every)
