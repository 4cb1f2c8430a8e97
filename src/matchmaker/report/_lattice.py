"""The stable plans of a round in Swedish and English: the count, the rotations, each applicant's range."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._i18n import msg, tr, tr_n

if TYPE_CHECKING:
    from matchmaker._i18n import Lang
    from matchmaker._lattice import StablePlans
    from matchmaker._result import Result

__all__ = ["render_stable_plans", "stable_range_rows", "stable_summary"]

#: A rotation with more moves than this is shown one move a line.
_STEPS_ON_ONE_LINE = 4


def _place(rank: int | None, sup: str | None, lang: Lang) -> str:
    if sup is None:
        return tr("no place", lang)
    return tr("{supervisor} (rank {rank})", lang, supervisor=sup, rank=rank)


def render_stable_plans(r: StablePlans, lang: Lang) -> str:
    """The count, the rotations, each applicant's range and the two-sided optima, in plain words of ``lang``."""
    lines = []
    if r.complete:
        lines.append(tr_n("{n} stable plan.", "{n} stable plans.", r.count, lang))
    elif r.count >= r.limit:
        lines.append(
            tr_n(
                "More than {n} stable plan: only the first is listed; raise the limit to see more.",
                "More than {n} stable plans: only the first {n} are listed; raise the limit to see more.",
                r.limit,
                lang,
            )
        )
    else:
        lines.append(
            tr_n(
                "{n} stable plan found before the time limit; there may be more.",
                "{n} stable plans found before the time limit; there may be more.",
                r.count,
                lang,
            )
        )
    if r.rotations is None:
        lines.append(
            tr(
                "A unit's maximum or a municipality's cap can bind, or the round has links, balance or hard "
                "minimums: the plans were found with the exact stable model, and there are no rotations to show.",
                lang,
            )
        )
    elif r.rotations:
        lines.append(tr_n("{n} rotation:", "{n} rotations:", len(r.rotations), lang))
        for rot in r.rotations:
            moves = [
                tr("{applicant} from {old} to {new}", lang, applicant=s.applicant, old=s.old, new=s.new)
                for s in rot.steps
            ]
            after = (
                tr_n(
                    "after rotation {rotations}",
                    "after rotations {rotations}",
                    len(rot.after),
                    lang,
                    rotations=", ".join(str(q) for q in rot.after),
                )
                if rot.after
                else tr("can come first", lang)
            )
            if len(moves) <= _STEPS_ON_ONE_LINE:
                lines.append(f"  {rot.number}. {', '.join(moves)} ({after})")
            else:  # a long rotation: one move a line
                lines.append(f"  {rot.number}. ({after})")
                lines.extend(f"     {m}" for m in moves)
    if r.ranges:
        lines.append(tr("Each applicant's range across the stable plans (best to worst):", lang))
        for rg in r.ranges:
            if rg.best == rg.worst and (rg.best is None or len(rg.options) == 1):
                lines.append(
                    f"  {rg.applicant}: " + tr("always {place}", lang, place=_place(rg.best_rank, rg.best, lang))
                )
            else:
                lines.append(
                    f"  {rg.applicant}: "
                    + tr(
                        "{best} to {worst}",
                        lang,
                        best=_place(rg.best_rank, rg.best, lang),
                        worst=_place(rg.worst_rank, rg.worst, lang),
                    )
                )
    # with a single stable plan there is nothing to choose
    if r.egalitarian is not None and r.minimum_regret is not None and (r.count > 1 or not r.complete):
        eg, mr = r.egalitarian, r.minimum_regret
        for best, label in (
            (
                eg,
                msg(
                    "Egalitarian stable plan (least sum of both sides' ranks, {sum}; worst rank {worst}):",
                    sum=eg.rank_sum,
                    worst=eg.worst_rank,
                ),
            ),
            (
                mr,
                msg(
                    "Minimum-regret stable plan (least worst rank on either side, {worst}; rank sum {sum}):",
                    sum=mr.rank_sum,
                    worst=mr.worst_rank,
                ),
            ),
        ):
            lines.append(label.text(lang))
            lines.append("  " + ", ".join(f"{a} -> {s}" for a, s in sorted(best.plan.items())))
    return "\n".join(lines)


def stable_summary(stable: StablePlans, result: Result, lang: Lang) -> str:
    """How many stable plans the round has and whether ``result``'s plan is one of them."""
    plan = {a.applicant: a.supervisor for a in result.assignments}
    if stable.complete:
        count = tr_n("The round has {n} stable plan.", "The round has {n} stable plans.", stable.count, lang)
    else:
        count = tr_n(
            "The round has at least {n} stable plan (not all were listed).",
            "The round has at least {n} stable plans (not all were listed).",
            stable.count,
            lang,
        )
    if plan in stable.plans:
        return count + " " + tr("This plan is one of them.", lang)
    if stable.complete:
        return count + " " + tr("This plan is not one of them.", lang)
    return count + " " + tr("This plan is not among those listed.", lang)


def stable_range_rows(stable: StablePlans, result: Result, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The table of each applicant's range across the stable plans, beside their place in ``result``:
    headers and rows (ids only)."""
    here = {a.applicant: a for a in result.assignments}
    headers = [tr("applicant", lang), tr("this plan", lang), tr("best stable", lang), tr("worst stable", lang)]
    rows = []
    for rg in stable.ranges:
        a = here.get(rg.applicant)
        rows.append(
            [
                rg.applicant,
                _place(a.rank if a else None, a.supervisor if a else None, lang),
                _place(rg.best_rank, rg.best, lang),
                _place(rg.worst_rank, rg.worst, lang),
            ]
        )
    return headers, rows
