"""Supervisor planning in Swedish and English: the table of new supervisors per unit and the fewest to add."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg, tr, tr_n
from matchmaker.report._format import decimal, number, percent
from matchmaker.report._text import format_table

if TYPE_CHECKING:
    from matchmaker._i18n import Lang
    from matchmaker._planning import FewestSupervisors, SupervisorOption, SupervisorPlanning

__all__ = [
    "fewest_lines",
    "fewest_sentence",
    "planning_html",
    "planning_lines",
    "planning_rows",
    "planning_text",
    "training_rows",
    "training_word",
]

#: A supervisor's training status, as words.
_TRAINING: dict[str, Message] = {
    "none": msg("not trained"),
    "in_progress": msg("in training"),
    "completed": msg("trained"),
}
#: The policy's ``supervisor_training`` rule, as words.
_RULE: dict[str, Message] = {
    "any": msg("any training"),
    "in_progress": msg("in training or trained"),
    "completed": msg("trained"),
}
#: Most newly placed applicants listed in one cell.
_LISTED = 4


def _signed(value: int, lang: Lang) -> str:
    return ("+" if value > 0 else "") + number(value, lang)


def _signed_decimal(value: float, lang: Lang) -> str:
    return ("+" if value > 0 else "") + decimal(value, lang, 2, fixed=True)


def _rate(rate: float | None, change: float | None, lang: Lang) -> str:
    """A rate as a percentage, with its change in percentage points when it moved."""
    if rate is None:
        return ""
    text = percent(rate, lang)
    if change:
        text += f" ({'+' if change > 0 else ''}{decimal(change * 100, lang, 1)} pp)"
    return text


def _ids(ids: tuple[str, ...], lang: Lang) -> str:
    if len(ids) <= _LISTED:
        return ", ".join(ids)
    rest = len(ids) - _LISTED
    return ", ".join(ids[:_LISTED]) + " " + tr_n("and {n} more", "and {n} more", rest, lang)


def training_word(status: str, lang: Lang) -> str:
    """A training status (``none``, ``in_progress``, ``completed``) in words of ``lang``."""
    return _TRAINING[status].text(lang)


def _option_rows(
    options: tuple[SupervisorOption, ...], first: list[str], groups: bool, lang: Lang
) -> tuple[list[str], list[list[str]]]:
    """The header (after the columns ``first``) and one row per option: the unit, its municipality, the
    training, placed, the gains, who would be placed; a trained supervisor's row opens with their id."""
    header = [
        *first,
        tr("unit", lang),
        tr("municipality", lang),
        tr("supervisor training", lang),
        tr("placed", lang),
        tr("more placed", lang),
        tr("fit gained", lang),
        tr("lowest fill rate", lang),
        tr("newly placed", lang),
    ]
    if groups:
        header.insert(-1, tr("lowest group rate", lang))
    rows = []
    for o in options:
        lead = [] if o.new else [o.supervisor]
        if o.status is None or not o.status.has_plan:
            row = [*lead, o.unit, o.municipality, training_word(o.training, lang), tr("no plan", lang), "", "", ""]
            rows.append([*row, "", ""] if groups else [*row, ""])
            continue
        row = [
            *lead,
            o.unit,
            o.municipality,
            training_word(o.training, lang),
            number(o.placed, lang),
            _signed(o.placed_gain, lang),
            _signed_decimal(o.fit_gain, lang),
            _rate(o.lowest_fill_rate, o.fill_rate_change, lang),
        ]
        if groups:
            row.append(_rate(o.lowest_group_rate, o.group_rate_change, lang))
        rows.append([*row, _ids(o.newly_placed, lang)])
    return header, rows


def planning_rows(planning: SupervisorPlanning, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The header and one row per unit and training status: placed, the gains, who would be placed."""
    return _option_rows(planning.options, [], planning.base_lowest_group_rate is not None, lang)


def training_rows(planning: SupervisorPlanning, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The header and one row per supervisor of the round trained to meet the training rule (the
    training column is the status they are trained to)."""
    groups = planning.base_lowest_group_rate is not None
    return _option_rows(planning.trainings, [tr("supervisor", lang)], groups, lang)


def _training_heading(planning: SupervisorPlanning, lang: Lang) -> str:
    return tr(
        "Or train a supervisor of the round who falls short of the training rule ({rule}):",
        lang,
        rule=_RULE[planning.supervisor_training].text(lang),
    )


def fewest_sentence(f: FewestSupervisors, lang: Lang) -> str:
    """What :class:`~matchmaker.FewestSupervisors` found, in one or two sentences of ``lang``."""
    if f.outcome == "found":
        if f.total == 0:
            return tr("No new supervisor is needed: the plan already places {target}.", lang, target=f.target)
        where = ", ".join(f"{a.unit} {number(a.count, lang)}" for a in f.additions)
        training = training_word(f.additions[0].training, lang) if f.additions else ""
        return tr_n(
            "To place {more} more ({target} in all), add at least {n} supervisor ({training}): {where}. "
            "Solved again with them and checked, the plan places {placed}.",
            "To place {more} more ({target} in all), add at least {n} supervisors ({training}): {where}. "
            "Solved again with them and checked, the plan places {placed}.",
            f.total or 0,
            lang,
            more=number(f.more, lang),
            target=number(f.target, lang),
            training=training,
            where=where,
            placed=number(f.placed or 0, lang),
        )
    if f.outcome == "impossible":
        most = "?" if f.most_placed is None else number(f.most_placed, lang)
        return tr(
            "{more} more ({target} in all) cannot be placed with any number of new supervisors: at most {most} "
            "applicants can be placed, and {without} have no acceptable option in any unit.",
            lang,
            more=number(f.more, lang),
            target=number(f.target, lang),
            most=most,
            without=number(f.without_option or 0, lang),
        )
    if f.outcome == "blocked":
        return tr(
            "New supervisors would give room for {more} more ({target} in all), but the policy's other rules "
            "(balance, group rules, links, minimums, loads or stability) keep the plan below it with every "
            "number tried ({tried}).",
            lang,
            more=number(f.more, lang),
            target=number(f.target, lang),
            tried=number(f.tried, lang),
        )
    if f.outcome == "no_plan":
        return tr(
            "The round has no plan as it is, so there is nothing to add to: see why with `matchmaker explain`.",
            lang,
        )
    if f.outcome == "untrained":
        return tr(
            "No training status asked for meets the policy's supervisor training rule, so a new supervisor "
            "could take no one.",
            lang,
        )
    return tr(
        "The fewest supervisors to place {more} more were not proven: {tried} numbers were solved again "
        "without reaching {target}; allow more tries or more time.",
        lang,
        more=number(f.more, lang),
        target=number(f.target, lang),
        tried=number(f.tried, lang),
    )


def planning_lines(planning: SupervisorPlanning, lang: Lang) -> list[str]:
    """The heading lines: what was asked and the round as it is."""
    places = (
        tr("the unit's places grow with each new supervisor", lang)
        if planning.unit_places == "grow"
        else tr("the units' places stay as they are", lang)
    )
    fill = "" if planning.base_lowest_fill_rate is None else percent(planning.base_lowest_fill_rate, lang)
    lines = [
        tr_n(
            "One more supervisor in each unit, taking {n} student; {places}.",
            "One more supervisor in each unit, taking {n} students; {places}.",
            planning.capacity,
            lang,
            places=places,
        ),
        tr(
            "Now: {placed} of {applicants} applicants placed, total fit {fit}, lowest fill rate {fill}.",
            lang,
            placed=number(planning.base_placed, lang),
            applicants=number(planning.applicants, lang),
            fit=decimal(planning.base_fit, lang, 2, fixed=True),
            fill=fill or "-",
        ),
    ]
    if planning.base_lowest_group_rate is not None:
        lines.append(
            tr(
                "Lowest placed rate of an applicant group the group rules name: {rate}.",
                lang,
                rate=percent(planning.base_lowest_group_rate, lang),
            )
        )
    return lines


def fewest_lines(planning: SupervisorPlanning, lang: Lang) -> list[str]:
    """The answer to ``more``, if it was asked, with a note when the caps were kept."""
    f = planning.fewest
    if f is None:
        return []
    lines = [fewest_sentence(f, lang)]
    if planning.unit_places == "keep" and f.outcome == "impossible":
        lines.append(tr("The units' and municipalities' caps were kept as they are.", lang))
    return lines


def planning_text(planning: SupervisorPlanning, lang: Lang = "en") -> str:
    """The supervisor planning as plain text in ``lang``: the heading, the table, the fewest to add."""
    header, rows = planning_rows(planning, lang)
    lines = [tr("Supervisor planning", lang), "", *planning_lines(planning, lang), "", format_table(header, rows)]
    if planning.trainings:
        lines += ["", _training_heading(planning, lang), "", format_table(*training_rows(planning, lang))]
    more = fewest_lines(planning, lang)
    return "\n".join([*lines, "", *more] if more else lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def planning_html(planning: SupervisorPlanning, lang: Lang = "en") -> str:
    """The supervisor planning as a self-contained HTML page in ``lang`` (nothing loaded from elsewhere)."""
    title = html.escape(tr("Supervisor planning", lang))
    paragraphs = [*planning_lines(planning, lang), *fewest_lines(planning, lang)]
    text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    trained = ""
    if planning.trainings:
        trained = f"<h2>{html.escape(_training_heading(planning, lang))}</h2>" + _html_table(
            *training_rows(planning, lang)
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body><h1>{title}</h1>{text}"
        f"{_html_table(*planning_rows(planning, lang))}{trained}</body></html>"
    )
