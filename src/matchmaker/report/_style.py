"""The report page's own CSS and its one small sorting script: inline, nothing loaded from anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

__all__ = ["CSS", "SCRIPT"]


CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --bar: #2f6f9f; --cap: #dce7f1; --warn: #a4471f; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid var(--line); padding-bottom: 4px;
     break-after: avoid; }
.status { font-weight: 600; }
.status.optimal { color: #1e7a3c; } .status.feasible { color: #8a6d00; }
.status.infeasible, .status.unknown { color: var(--warn); }
.cards { display: flex; flex-wrap: nowrap; gap: 8px; }
.card { flex: 1 1 0; min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.card .n { font-size: 22px; font-weight: 600; display: block; white-space: nowrap; }
.card .l { color: var(--muted); font-size: 12px; display: block; overflow-wrap: anywhere; hyphens: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .bar { fill: var(--bar); } svg .cap { fill: var(--cap); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td { overflow-wrap: break-word; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.id { white-space: nowrap; overflow-wrap: normal; font-variant-numeric: tabular-nums; }
td.name { min-width: 11em; }
th { background: #f3f5f8; cursor: pointer; user-select: none; }
tr { break-inside: avoid; }
td ul, #decision ul ul { margin: 0; padding-left: 18px; }
.note { color: var(--warn); }
.muted { color: var(--muted); }
details { margin: 6px 0; } summary { cursor: pointer; font-weight: 600; }
.approval dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
.approval dt { font-weight: 600; }
.sign { display: grid; grid-template-columns: 1fr 1fr; gap: 28px 32px; margin-top: 18px; }
.sign p { border-top: 1px solid var(--ink); margin: 34px 0 0; padding-top: 2px; color: var(--muted); font-size: 12px; }
.approval { break-inside: avoid; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 10.5px; }
  .no-print { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  th { background: none; }
  thead { display: table-header-group; }
  .card .n { font-size: 16px; }
  summary { list-style: none; }
}
"""


# Sorting by a click on a column header; numbers (data-sort) sort as numbers.
SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var col = th.cellIndex;
    var body = th.closest("table").tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.getAttribute("aria-sort") !== "ascending";
    var key = function (row) {
      var cell = row.cells[col];
      var n = cell.getAttribute("data-sort");
      return n === null ? cell.textContent : parseFloat(n);
    };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return up ? c : -c;
    });
    th.closest("tr").querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""
