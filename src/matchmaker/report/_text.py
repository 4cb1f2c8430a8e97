"""Plain-text reports and small HTML summaries of a result (ids only, never personal data).

:func:`format_result` is the terse view the ``solve`` command prints; :func:`text_report` is the report
for people (``matchmaker report -o r.txt``), with the content of the HTML report in plain words. Both
speak English or Swedish (the catalog of :mod:`matchmaker._i18n`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import msg, tr
from matchmaker.errors import ResultMismatchError
from matchmaker.report._content import (
    approval_labels,
    decision_lines,
    level_name,
    level_reading,
    no_plan_explanation,
    note_facts,
    override_line,
    placement_notes,
    policy_lines,
    reason_label,
    round_line,
    signature_text,
    status_text,
    unchecked_text,
    unplaced_facts,
    unplaced_reason,
)
from matchmaker.report._format import date, decimal, number, percent
from matchmaker.report._lattice import stable_range_rows, stable_summary

if TYPE_CHECKING:
    from matchmaker._i18n import Lang
    from matchmaker._lattice import StablePlans
    from matchmaker._models import Problem
    from matchmaker._result import Result
    from matchmaker.report._approval import ReportApproval

__all__ = ["format_result", "format_table", "text_report"]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width text table."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in out)


def format_result(result: Result, *, max_levels: int = 12, lang: Lang = "en", problem: Problem | None = None) -> str:
    """The status, the objective vector (at most ``max_levels`` rows), the rank profile, the
    placements and the unplaced applicants as text, in ``lang``.

    In English the levels, reasons and the result's own ``message`` and ``detail`` are shown as recorded
    (the API's names). In any other language they are said in it: levels by their plain names with
    readable values, each unplaced applicant's reason from the round's facts (with ``problem``), a round
    without a plan explained again in that language (:func:`no_plan_explanation`, which solves again),
    and numbers in the language's format.
    """
    d = result.decision
    recorded = lang == "en"
    parts = [tr("status: {status}", lang, status=d.status.text(lang))]
    if result.unchecked:
        parts.insert(0, unchecked_text(lang))
    if recorded and d.message:
        parts.append(d.message)
    elif d.status.value == "unknown":
        parts.append(tr("No plan was found before the time limit or cancellation; allow more time.", lang))
    elif not d.status.has_plan:
        said = no_plan_explanation(result, problem, lang)
        parts.append(said if said else tr("No plan satisfies every constraint.", lang))
    if result.gap not in (None, 0.0):
        gap = f"{result.gap:.4%}" if recorded else percent(result.gap, lang)
        parts.append(tr("gap of the first unproven stage: {gap}", lang, gap=gap))
    parts.append("")
    n_placed = len(d.assignments)
    rows = [
        [str(i), lv.name, lv.sense, "-" if lv.value is None else str(lv.value)]
        if recorded
        else [
            str(i),
            level_name(lv.name, lang),
            lv.sense,
            level_reading(lv, lang, placed=n_placed, seed=d.lottery_seed),
        ]
        for i, lv in enumerate(d.objective, start=1)
    ]
    if len(rows) > max_levels:  # e.g. leximin's one level per distinct fit value
        hidden = len(rows) - max_levels + 1
        rows = [*rows[: max_levels - 2], ["...", tr("({hidden} more levels)", lang, hidden=hidden), "", ""], rows[-1]]
    parts.append(format_table([tr("level", lang), tr("objective", lang), tr("sense", lang), tr("value", lang)], rows))
    m = d.metrics
    if d.status.has_plan and m is not None and m.rank_profile:  # a migrated result may have no metrics
        profile = ", ".join(f"{k}: {n}" for k, n in enumerate(m.rank_profile, start=1))
        parts.append(
            tr(
                "rank profile (choice: placed): {profile}; worst rank {worst}",
                lang,
                profile=profile,
                worst=m.worst_rank,
            )
        )
    if d.assignments:
        parts.append("")
        parts.append(
            format_table(
                [
                    tr("applicant", lang),
                    tr("unit", lang),
                    tr("supervisor", lang),
                    tr("municipality", lang),
                    tr("rank", lang),
                    tr("fit", lang),
                ],
                [
                    [
                        x.applicant,
                        x.unit,
                        x.supervisor,
                        x.municipality,
                        str(x.rank),
                        f"{x.fit:.4f}" if recorded else decimal(x.fit, lang, 4, fixed=True),
                    ]
                    for x in d.assignments
                ],
            )
        )
    if d.unplaced and d.status.has_plan:
        facts = {} if recorded or problem is None else unplaced_facts(problem, [y.applicant for y in d.unplaced])
        parts.append("")
        parts.append(
            format_table(
                [tr("unplaced", lang), tr("reason", lang), tr("detail", lang)],
                [
                    [y.applicant, y.reason.value, y.detail]
                    if recorded
                    else [
                        y.applicant,
                        reason_label(y.reason.value, lang),
                        unplaced_reason(y, lang, facts.get(y.applicant)),
                    ]
                    for y in d.unplaced
                ],
            )
        )
    parts.append("")
    wall = result.statistics.wall_time
    parts.append(
        tr(
            "{placed} placed, {unplaced} unplaced; solved by {engine} in {time} s",
            lang,
            placed=len(d.assignments),
            unplaced=len(d.unplaced),
            engine=result.statistics.engine,
            time=f"{wall:.3f}" if recorded else decimal(wall, lang, 3, fixed=True),
        )
    )
    return "\n".join(parts)


def _lines(items: Sequence[object], indent: str = "- ") -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, list):
            out += _lines(item, "  " + indent)
        else:
            out.append(f"{indent}{item}")
    return out


def _heading(text: str) -> list[str]:
    return ["", text, "=" * len(text)]


def text_report(
    result: Result,
    problem: Problem | None = None,
    *,
    lang: Lang = "en",
    title: str | None = None,
    approval: ReportApproval | None = None,
    stable: StablePlans | None = None,
) -> str:
    """The report for people as plain text: the decision in plain words, the policy (with ``problem``),
    the objective levels by name and readable value, the placements with priority tier and notes, the
    applicants not placed with their reasons, with ``stable`` (:func:`matchmaker.stable_plans` of the
    round) each applicant's range across the stable plans, and the approval (or lines to sign)."""
    if problem is not None and result.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError(msg("the result was solved for a different problem"))
    d = result.decision
    heading = title or tr("Placement plan", lang)
    out = [heading, "=" * len(heading), tr("Status: {status}", lang, status=status_text(d.status.value, lang))]
    if result.unchecked:
        out.append(unchecked_text(lang))
    intake = round_line(problem, lang)
    if intake is not None:
        out.append(intake)
    out += _heading(tr("The decision", lang)) + _lines(decision_lines(result, lang, approval))
    names: dict[str, str] = {}
    if problem is not None:
        names = {u.id: u.name for u in problem.units if u.name}
        names.update({m.id: m.name for m in problem.municipalities if m.name})
    why = no_plan_explanation(result, problem, lang)
    if why is not None:
        out += ["", tr("Why there is no plan", lang) + ":", why]
    out += _heading(tr("The policy in force", lang))
    out += (
        _lines(policy_lines(problem.policy, lang, weights=problem.pair_weights is not None))
        if problem is not None
        else [tr("The policy is in the problem file; give it (--problem) to show the policy here.", lang)]
    )
    out += _heading(tr("The rules and how well the plan meets them", lang))
    out.append(
        format_table(
            [tr("order", lang), tr("rule", lang), tr("value", lang)],
            [
                [
                    number(i, lang),
                    level_name(lv.name, lang),
                    level_reading(lv, lang, placed=len(d.assignments), seed=d.lottery_seed),
                ]
                for i, lv in enumerate(d.objective, start=1)
            ],
        )
    )
    facts = note_facts(problem, approval)
    if d.status.has_plan:
        out += _heading(tr("Placements ({n})", lang, n=number(len(d.assignments), lang)))
        out.append(
            format_table(
                [
                    tr("applicant", lang),
                    tr("priority tier", lang),
                    tr("unit", lang),
                    tr("supervisor", lang),
                    tr("choice", lang),
                    tr("fit", lang),
                    tr("note", lang),
                ],
                [
                    [
                        a.applicant,
                        str(facts.tiers.get(a.applicant, "-")),
                        names.get(a.unit, a.unit),
                        a.supervisor,
                        number(a.rank, lang),
                        decimal(a.fit, lang, fixed=True),
                        "; ".join(placement_notes(a, lang, facts)),
                    ]
                    for a in d.assignments
                ],
            )
        )
        out += _heading(tr("Applicants not placed ({n})", lang, n=number(len(d.unplaced), lang)))
        known = unplaced_facts(problem, [u.applicant for u in d.unplaced]) if problem is not None else {}
        out += [
            f"- {u.applicant} ({tr('priority tier', lang)} {facts.tiers.get(u.applicant, '-')}): "
            f"{unplaced_reason(u, lang, known.get(u.applicant))}"
            for u in d.unplaced
        ] or [tr("Every applicant has a place.", lang)]
    if stable is not None:
        out += _heading(tr("The stable plans", lang))
        out.append(stable_summary(stable, result, lang))
        headers, rows = stable_range_rows(stable, result, lang)
        if rows:
            out.append(format_table(headers, rows))
    out += _heading(tr("Approval", lang))
    if approval is None:
        out.append(tr("Not approved yet. The approving official fills in and signs:", lang))
        out += [f"{label}: ______________________________" for label in approval_labels(lang)]
    else:
        missing = tr("not recorded", lang)
        out += [
            f"{tr('Official', lang)}: {approval.official}",
            f"{tr('Role', lang)}: {approval.role or missing}",
            f"{tr('Date', lang)}: {date(approval.date, lang) if approval.date else missing}",
            f"{tr('Signature', lang)}: {signature_text(approval.signature, lang)}",
            f"{tr('Overrides', lang)}:",
        ]
        out += ["- " + override_line(o, lang, names) for o in approval.overrides] or [
            "- " + tr("none: approved as recommended", lang)
        ]
    return "\n".join(out) + "\n"
