"""Reports for people: the self-contained HTML report (:mod:`~matchmaker.report.html`), printed to PDF by
Chromium (:mod:`~matchmaker.report.pdf`), and plain text (:mod:`~matchmaker.report.text`), all saying the
same in Swedish or English (:mod:`~matchmaker.report.content`), with the approval of an audit record
(:mod:`~matchmaker.report.approval`); the chart numbers of :mod:`~matchmaker.report.charts`, and
matplotlib plots (:mod:`~matchmaker.report.plots`, the ``plot`` extra)."""

from matchmaker.report.approval import ReportApproval, approval_from_record
from matchmaker.report.html import html_report
from matchmaker.report.pdf import html_to_pdf
from matchmaker.report.text import format_result, result_html_summary, text_report

__all__ = [
    "ReportApproval",
    "approval_from_record",
    "format_result",
    "html_report",
    "html_to_pdf",
    "result_html_summary",
    "text_report",
]
