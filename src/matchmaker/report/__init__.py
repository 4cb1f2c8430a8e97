"""Reports for people: plain text (:mod:`~matchmaker.report.text`), the self-contained HTML report
(:mod:`~matchmaker.report.html`) built on the chart numbers of :mod:`~matchmaker.report.charts`, and
matplotlib plots (:mod:`~matchmaker.report.plots`, the ``plot`` extra)."""

from matchmaker.report.html import html_report
from matchmaker.report.text import format_result, result_html_summary

__all__ = ["format_result", "html_report", "result_html_summary"]
