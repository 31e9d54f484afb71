"""The self-contained HTML report: journey map, drivers, key moments, trends, customers' own words.

Example:
    >>> from carlzon.report import build_report          # doctest: +SKIP
    >>> build_report("carlzon.db", "report.html")         # doctest: +SKIP
"""

from carlzon.report.builder import build_report, render_report, report_context
from carlzon.report.data import Section

__all__ = ["Section", "build_report", "render_report", "report_context"]
