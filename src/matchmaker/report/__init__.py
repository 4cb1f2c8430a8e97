"""Reports for people: the self-contained HTML report (:mod:`~matchmaker.report._html`), printed to PDF by
Chromium (:mod:`~matchmaker.report._pdf`), and plain text (:mod:`~matchmaker.report._text`), all saying the
same in Swedish or English (:mod:`~matchmaker.report._content`), with the approval of an audit record
(:mod:`~matchmaker.report._approval`); a result's notebook view (:mod:`~matchmaker.report._notebook`); the
chart numbers of :mod:`~matchmaker.report._charts`, and matplotlib plots (:mod:`~matchmaker.report._plots`,
the ``plot`` extra)."""

from matchmaker.report._approval import ReportApproval, approval_from_record
from matchmaker.report._cohorts import cohort_html
from matchmaker.report._html import html_report
from matchmaker.report._notebook import result_html_summary, result_repr
from matchmaker.report._pdf import html_to_pdf
from matchmaker.report._planning import planning_html, planning_text
from matchmaker.report._text import format_result, text_report

__all__ = [
    "ReportApproval",
    "approval_from_record",
    "cohort_html",
    "format_result",
    "html_report",
    "html_to_pdf",
    "planning_html",
    "planning_text",
    "result_html_summary",
    "result_repr",
    "text_report",
]
