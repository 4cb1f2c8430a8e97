"""Templates: a workbook (or CSV folder) with every table, headers in Swedish or English and example rows.

The example rows form a small valid round (one municipality, unit and supervisor, two applicants who
would like to be in the same unit, from two home municipalities under a group rule), so a template can
be validated and solved as it is; a coordinator replaces the example rows with the real ones. The
conflicts table is left empty, because a conflict with the example's only unit would leave an example
applicant nowhere to go.
"""

from __future__ import annotations

import os
from pathlib import Path

from matchmaker._i18n import msg
from matchmaker._models import (
    Adjustment,
    Applicant,
    GroupRule,
    InterviewCriterion,
    InterviewScore,
    Link,
    Municipality,
    Pin,
    Policy,
    Problem,
    Ranking,
    Supervisor,
    TrainingStatus,
    Unit,
)
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io._csv import dump_problem_csv
from matchmaker.io._excel import dump_problem_excel
from matchmaker.io._formats import format_of
from matchmaker.io._tables import Lang

__all__ = ["example_problem", "readme_lines", "write_template"]


def example_problem() -> Problem:
    """The round a template shows as its example rows."""
    return Problem(
        name="VT 2026",
        criteria=(InterviewCriterion(id="motivation", weight=1.0, scale_min=1.0, scale_max=5.0),),
        municipalities=(Municipality(id="sodertalje", name="Södertälje", max_places=10),),
        units=(
            Unit(
                id="bou",
                name="Barn och ungdom, mottagning",
                municipality="sodertalje",
                area="Barn och ungdom",
                max_places=2,
                target_places=2,
                requirements=("körkort",),
                ranking={"A1": 1, "A2": 2},
            ),
        ),
        supervisors=(Supervisor(id="h1", unit="bou", capacity=2, training=TrainingStatus.COMPLETED),),
        applicants=tuple(
            Applicant(
                id=ident,
                university=university,
                ranking=ranking,
                interview=(InterviewScore(criterion="motivation", score=score, interviewer="i1"),),
                qualifications=("körkort",),
                groups={"home_municipality": home},
            )
            for ident, university, ranking, score, home in (
                ("A1", "Södertörns högskola", Ranking(units={"bou": 1}), 4.0, "Södertälje"),
                ("A2", "Stockholms universitet", Ranking(areas={"Barn och ungdom": 1}), 3.0, "Nykvarn"),
            )
        ),
        pins=(Pin(applicant="A1", unit="bou"),),
        adjustments=(Adjustment(applicant="A1", unit="bou", delta=-0.05),),
        links=(Link(applicants=("A1", "A2"), relation="same_unit", hard=False),),
        policy=Policy(group_rules=(GroupRule(family="home_municipality", rule="rate", ratio=0.75),)),
    )


_README = {
    "en": [
        "matchmaker workbook: one placement round",
        "",
        "1. Replace the example rows on every sheet with your own rows (delete rows you do not need).",
        "2. Ids are short codes, never names: applicants are known by an opaque id such as A1 or HT26-001.",
        "   Keep names, personal numbers and e-mail addresses out of this workbook (matchmaker refuses them);",
        "   `matchmaker pseudonymise` turns a sheet with names into ids and a separate key file.",
        "3. An empty cell takes the default (capacity 1, no minimum, ...). Every column has a note on its header.",
        "4. Lists (requirements, qualifications) are separated by ;  Wishes go on the preferences sheet:",
        "   one row per wish, with a rank (1 = first choice) or a weight from 0 to 1.",
        "5. Optional sheets: unit_rankings (a unit's own ranking of applicants; it then takes no one it leaves",
        "   out), links (two applicants apart, or in the same unit or municipality), and on the round sheet the",
        "   objective, soft or hard minimums and targets, and balance between municipalities.",
        "   pairs: scores your own system gave (applicant, unit or supervisor, weight); the round sheet says",
        "   whether they replace the fit or add to it, their scale, and the order of the objective.",
        "   Groups for fairness rules: a column group:<family> on applicants (e.g. group:home_municipality),",
        "   one group per cell, empty = none; the rules per family go on the group_rules sheet.",
        "6. Check it:  matchmaker validate round.xlsx     Solve it:  matchmaker solve round.xlsx -o result.xlsx",
        "Columns whose header starts with # are notes and are ignored. This sheet is ignored too.",
    ],
    "sv": [
        "matchmaker-arbetsbok: en placeringsomgång",
        "",
        "1. Ersätt exempelraderna på varje blad med era egna rader (ta bort rader ni inte behöver).",
        "2. Id är korta koder, aldrig namn: sökande anges med ett id som A1 eller HT26-001.",
        "   Namn, personnummer och e-post hör inte hemma här (matchmaker vägrar ta emot dem);",
        "   `matchmaker pseudonymise` gör om ett blad med namn till id och en separat nyckelfil.",
        "3. En tom cell ger standardvärdet (kapacitet 1, inget minimum, ...). Varje kolumn har en kommentar.",
        "4. Listor (krav, kvalifikationer) skiljs åt med ;  Önskemål skrivs på bladet Önskemål:",
        "   en rad per önskemål, med rang (1 = förstahandsval) eller vikt från 0 till 1.",
        "5. Blad som kan lämnas tomma: Enheternas rangordning (enhetens egen rangordning av sökande; den tar då",
        "   ingen den utelämnar), Kopplingar (två sökande isär, eller på samma enhet eller i samma kommun), och på",
        "   bladet Omgång målet, hårda eller mjuka minimum och målantal, och balans mellan kommuner.",
        "   Par: poäng ert eget system gav (sökande, enhet eller handledare, vikt); bladet Omgång anger om de",
        "   ersätter matchningsvärdet eller läggs till det, deras skala och målvektorns ordning.",
        "   Grupper för rättviseregler: en kolumn grupp:<familj> på bladet Sökande (t.ex. grupp:hemkommun),",
        "   en grupp per cell, tomt = ingen; reglerna per gruppfamilj står på bladet Gruppregler.",
        "6. Kontrollera:  matchmaker validate omgang.xlsx     Lös:  matchmaker solve omgang.xlsx -o resultat.xlsx",
        "Kolumner vars rubrik börjar med # är anteckningar och läses inte. Det här bladet läses inte heller.",
    ],
}


def readme_lines(lang: Lang) -> list[str]:
    """The instructions a template carries, in ``lang``."""
    return list(_README[lang])


def write_template(path: str | os.PathLike[str], *, lang: Lang = "en") -> None:
    """Write a template to ``path``: an ``.xlsx`` workbook (with a "Read me" sheet) or a folder of CSV files.

    Raises:
        InputFileError: ``path`` already exists (a template never replaces a file or folder), or names
            another format.
        MissingExtraError: an ``.xlsx`` template needs the ``excel`` extra.
    """
    target = Path(path)
    fmt = format_of(target, writing=True)
    if target.exists():
        raise InputFileError(
            [ValidationIssue.of(str(target), msg("already exists"), msg("choose a new file or folder name"))],
            source=str(target),
        )
    if fmt == "excel":
        dump_problem_excel(example_problem(), target, lang=lang, readme=readme_lines(lang))
    elif fmt == "csv":
        dump_problem_csv(example_problem(), target, lang=lang)
        (target / ("LASMIG.txt" if lang == "sv" else "README.txt")).write_text(
            "\n".join(readme_lines(lang)) + "\n", encoding="utf-8"
        )
    else:
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(target), msg("a template is a workbook or a folder"), msg("give a .xlsx file or a folder")
                )
            ],
            source=str(target),
        )
