"""Reports for people: plain-text tables now; HTML reports build on the same numbers."""

from matchmaker.report.text import format_result, result_html_summary

__all__ = ["format_result", "result_html_summary"]
