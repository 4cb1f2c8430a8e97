"""Templates: a workbook (or CSV folder) with every table, headers in Swedish or English and one example row.

The example rows form a small valid round (one municipality, unit, supervisor and applicant), so a
template can be validated and solved as it is; a coordinator replaces the example rows with the real
ones. The conflicts table is left empty, because a conflict with the example's only unit would leave the
example applicant nowhere to go.
"""

from __future__ import annotations

import os
from pathlib import Path

from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io.csv import dump_problem_csv
from matchmaker.io.excel import dump_problem_excel
from matchmaker.io.formats import format_of
from matchmaker.io.tables import Lang
from matchmaker.models import (
    Adjustment,
    Applicant,
    InterviewCriterion,
    InterviewScore,
    Municipality,
    Pin,
    Problem,
    Ranking,
    Supervisor,
    TrainingStatus,
    Unit,
)

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
                requirements=("körkort",),
            ),
        ),
        supervisors=(Supervisor(id="h1", unit="bou", capacity=1, training=TrainingStatus.COMPLETED),),
        applicants=(
            Applicant(
                id="A1",
                university="Södertörns högskola",
                ranking=Ranking(units={"bou": 1}),
                interview=(InterviewScore(criterion="motivation", score=4.0, interviewer="i1"),),
                qualifications=("körkort",),
            ),
        ),
        pins=(Pin(applicant="A1", unit="bou"),),
        adjustments=(Adjustment(applicant="A1", unit="bou", delta=-0.05),),
    )


_README = {
    "en": [
        "matchmaker workbook: one placement round",
        "",
        "1. Replace the example row on every sheet with your own rows (delete rows you do not need).",
        "2. Ids are short codes, never names: applicants are known by an opaque id such as A1 or HT26-001.",
        "   Keep names, personal numbers and e-mail addresses out of this workbook (matchmaker refuses them);",
        "   `matchmaker pseudonymise` turns a sheet with names into ids and a separate key file.",
        "3. An empty cell takes the default (capacity 1, no minimum, ...). Every column has a note on its header.",
        "4. Lists (requirements, qualifications) are separated by ;  Wishes go on the preferences sheet:",
        "   one row per wish, with a rank (1 = first choice) or a weight from 0 to 1.",
        "5. Check it:  matchmaker validate round.xlsx     Solve it:  matchmaker solve round.xlsx -o result.xlsx",
        "Columns whose header starts with # are notes and are ignored. This sheet is ignored too.",
    ],
    "sv": [
        "matchmaker-arbetsbok: en placeringsomgång",
        "",
        "1. Ersätt exempelraden på varje blad med era egna rader (ta bort rader ni inte behöver).",
        "2. Id är korta koder, aldrig namn: sökande anges med ett id som A1 eller HT26-001.",
        "   Namn, personnummer och e-post hör inte hemma här (matchmaker vägrar ta emot dem);",
        "   `matchmaker pseudonymise` gör om ett blad med namn till id och en separat nyckelfil.",
        "3. En tom cell ger standardvärdet (kapacitet 1, inget minimum, ...). Varje kolumn har en kommentar.",
        "4. Listor (krav, kvalifikationer) skiljs åt med ;  Önskemål skrivs på bladet Önskemål:",
        "   en rad per önskemål, med rang (1 = förstahandsval) eller vikt från 0 till 1.",
        "5. Kontrollera:  matchmaker validate omgang.xlsx     Lös:  matchmaker solve omgang.xlsx -o resultat.xlsx",
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
            [ValidationIssue(str(target), "already exists", "choose a new file or folder name")], source=str(target)
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
            [ValidationIssue(str(target), "a template is a workbook or a folder", "give a .xlsx file or a folder")],
            source=str(target),
        )
