"""The web dashboard and REST API behind `carlzon serve`.

Example:
    >>> from carlzon.web import create_app                # doctest: +SKIP
    >>> app = create_app("carlzon.db")                     # doctest: +SKIP
"""

from carlzon.web.app import create_app

__all__ = ["create_app"]
