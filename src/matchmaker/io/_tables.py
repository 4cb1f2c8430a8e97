"""The table layout shared by the CSV, Excel and DataFrame formats.

A problem is a set of tables (one CSV file, one sheet or one DataFrame each); a result is another set.
Every table and column has an English and a Swedish name, and every enumeration an English and a
Swedish word: a reader accepts either, compared without case, accents, spaces or underscores
(``"Max platser"`` = ``"max_platser"``, ``"Pågår"`` = ``"pagar"``); a writer uses one language.

Problem tables (``*`` = the file or sheet must be there):

=================  ==================  ======================================================================
English            Swedish             one row per
=================  ==================  ======================================================================
round              Omgång              the round: name, schema version and policy (one row; ``balance``,
                                       ``balance_tolerance`` and ``balance_ratio`` are ``policy.balance``)
municipalities *   Kommuner            municipality
units *            Enheter             unit; ``requirements`` separated by ``;``; ``ranks_applicants`` says
                                       whether the unit ranks applicants itself (on ``unit_rankings``)
supervisors *      Handledare          supervisor
applicants *       Sökande             applicant; ``preferences`` = ``ranking`` or ``weights``; one
                                       column ``group:<family>`` (``grupp:<family>``) per family of
                                       applicant groups, empty = no group in that family
preferences        Önskemål            wish: applicant, kind (area/unit/supervisor), option, rank or weight
unit_rankings      Enheternas          a unit's own rank of an applicant: unit, applicant, rank
                   rangordning
interview_scores   Intervjupoäng       score: applicant, criterion, score, interviewer, unit, own scale
criteria           Kriterier           interview criterion
conflicts          Jäv                 forbidden pair: applicant and a unit or a supervisor (or both)
pins               Låsta placeringar   pin: applicant and a unit or a supervisor
adjustments        Justeringar         fit adjustment: applicant, unit or supervisor, delta
pairs              Par                 pair weight: applicant, unit or supervisor, weight (the settings
                                       ``pair_weight_scale`` and ``pair_weights_unwished`` are on ``round``)
links              Kopplingar          link: applicant, other applicant, relation, hard (yes/no)
periods            Perioder            dated period of the round (its term, year and step are on ``round``)
commitments        Åtaganden           placement of another round that still loads a supervisor
group_rules        Gruppregler         fairness rule over a family of applicant groups (``groups`` separated
                                       by ``;``)
=================  ==================  ======================================================================

Result tables: result (one row: status, fingerprint, seed, message, whether the decision has metrics,
worst and mean rank), objective, assignments, unplaced, rank_profile, fit_percentiles, unit_metrics,
municipality_metrics, statistics (one row), stages, versions, parameters, and for a repaired result
repair (one row: the previous fingerprint, position or penalty, keeps, unchanged count) and moves (the
diff, one row per applicant who changed). A result migrated from schema
version 0 has no metrics: its ``metrics`` cell says no and the four metrics tables are empty. The
writers take any mapping of tables to rows (:data:`matchmaker.io._convert.Rows`), so a later record (an
audit record: approvals and overrides) adds its own tables beside these without changing them.

A yes/no cell is written as ``yes``/``no`` (``ja``/``nej``); the readers also take ``true``/``false``
and a spreadsheet's TRUE/FALSE.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from matchmaker._i18n import Lang
from matchmaker._text import fold_field_name

__all__ = [
    "APPLICANT_REF",
    "ARCHIVE_PLACEMENTS",
    "BALANCE_COLUMNS",
    "BOOL_WORDS",
    "COHORT_LOAD",
    "COHORT_ROWS",
    "GROUP_PREFIXES",
    "LIST_SEPARATOR",
    "METRICS_TABLES",
    "PAIR_WEIGHT_COLUMNS",
    "PROBLEM_TABLES",
    "README_SHEETS",
    "RESULT_TABLES",
    "ROUND_COLUMNS",
    "STABILITY_COLUMNS",
    "Column",
    "Kind",
    "Lang",
    "Table",
    "find_table",
    "group_column",
    "group_family",
]


#: Separates the items of a list in one cell (``requirements``, ``qualifications``, stage levels).
LIST_SEPARATOR = ";"

#: The column key by which applicant-related tables name their applicant.
APPLICANT_REF = "applicant"

#: How a yes/no cell is written in each language (true, false).
BOOL_WORDS: Mapping[Lang, tuple[str, str]] = {"en": ("yes", "no"), "sv": ("ja", "nej")}

#: How a group column's header starts in each language; the rest of the header is the family, exactly as
#: in ``Applicant.groups`` (never translated or folded), so any family name round-trips.
GROUP_PREFIXES: Mapping[Lang, str] = {"en": "group:", "sv": "grupp:"}

#: Sheet or file names that are instructions for people and never data (compared folded).
README_SHEETS = frozenset({"read_me", "readme", "las_mig", "instructions", "instruktioner"})


class Kind(enum.Enum):
    """What a column holds, which decides how a cell is read and written."""

    ID = "id"  # an opaque id: text; a number is read as text (with a notice)
    TEXT = "text"  # a label: text
    INT = "int"  # a whole number
    FLOAT = "float"  # a number (a decimal comma is accepted)
    ENUM = "enum"  # one word of a fixed vocabulary
    LIST = "list"  # labels separated by LIST_SEPARATOR
    BOOL = "bool"  # true/false, ja/nej
    JSON = "json"  # a JSON value as text
    DATE = "date"  # a calendar date, written YYYY-MM-DD (a spreadsheet's date cell is accepted)


@dataclass(frozen=True, eq=False)
class Column:
    """One column: its key (the English header, the model's field name), Swedish header, kind and help."""

    key: str
    sv: str
    kind: Kind
    help_en: str
    help_sv: str
    required: bool = False
    words: Mapping[str, str] = field(default_factory=dict)  # ENUM: value -> Swedish word
    minimum: int | None = None  # INT: the smallest allowed value (for spreadsheet validation)
    refers_to: str | None = None  # the table whose ids this column holds (for spreadsheet drop-downs)
    #: Earlier Swedish headers, still read (never written): workbooks made by older versions keep loading.
    sv_before: tuple[str, ...] = ()
    #: Earlier Swedish words of an enumeration, still read (never written): earlier word -> value.
    words_before: Mapping[str, str] = field(default_factory=dict)

    def header(self, lang: Lang) -> str:
        """The header in ``lang``."""
        return self.key if lang == "en" else self.sv

    def word(self, value: str, lang: Lang) -> str:
        """An enumeration value as written in ``lang``."""
        return value if lang == "en" else self.words.get(value, value)

    def parse_word(self, text: str) -> str | None:
        """The enumeration value that ``text`` names in either language, or ``None``."""
        folded = fold_field_name(text)
        for value, sv in self.words.items():
            if folded in (fold_field_name(value), fold_field_name(sv)):
                return value
        return next((v for old, v in self.words_before.items() if fold_field_name(old) == folded), None)

    def vocabulary(self, lang: Lang) -> list[str]:
        """Every allowed word in ``lang``, in order (``yes``, ``no`` for a yes/no column)."""
        if self.kind is Kind.BOOL:
            return list(BOOL_WORDS[lang])
        return [self.word(v, lang) for v in self.words]

    def names(self) -> tuple[str, ...]:
        """The folded English and Swedish headers, and the earlier Swedish ones still read."""
        return (fold_field_name(self.key), fold_field_name(self.sv), *(fold_field_name(h) for h in self.sv_before))


@dataclass(frozen=True, eq=False)
class Table:
    """One table: its key (the English name and CSV file stem), Swedish name and columns.

    ``personal`` tables hold one row per applicant fact: a reader never echoes their cell values in an
    error message (ids are shown; they are opaque).
    """

    key: str
    sv: str
    columns: tuple[Column, ...]
    required: bool = False
    single_row: bool = False
    personal: bool = False
    #: Whether the table takes ``group:<family>`` columns besides its own (the applicants table).
    groups: bool = False

    def name(self, lang: Lang) -> str:
        """The sheet name in ``lang``."""
        return self.key if lang == "en" else self.sv

    def file_name(self, lang: Lang) -> str:
        """The CSV file name in ``lang`` (ASCII: accents removed)."""
        return fold_field_name(self.name(lang)) + ".csv"

    def names(self) -> tuple[str, str]:
        """The folded English and Swedish names."""
        return fold_field_name(self.key), fold_field_name(self.sv)

    def column(self, key: str) -> Column:
        """The column with ``key`` (a group column's key is ``group:<family>``)."""
        for col in self.columns:
            if col.key == key:
                return col
        family = group_family(key)
        if self.groups and family:
            return group_column(family)
        raise KeyError(key)

    def find_column(self, header: str) -> Column | None:
        """The column whose English or Swedish header is ``header`` (folded), or ``None``.

        In a table with ``groups``, a header ``group:<family>`` or ``grupp:<family>`` (the prefix in any
        case) is the group column of ``<family>`` (a family name left empty gives ``None``).
        """
        if self.groups and group_family(header) is not None:
            family = group_family(header)
            return group_column(family) if family else None
        folded = fold_field_name(header)
        return next((c for c in self.columns if folded in c.names()), None)


def group_family(header: str) -> str | None:
    """The family a group column's header names (``"group: Nacka"`` -> ``"Nacka"``, ``""`` if none is
    given), or ``None`` if the header is not a group column's."""
    head, colon, family = header.strip().partition(":")
    if not colon or fold_field_name(head) not in {fold_field_name(p) for p in GROUP_PREFIXES.values()}:
        return None
    return family.strip()


def group_column(family: str) -> Column:
    """The applicants table's column of the group family ``family``."""
    return Column(
        GROUP_PREFIXES["en"] + family,
        GROUP_PREFIXES["sv"] + family,
        Kind.TEXT,
        "The applicant's group in the family named after group: (empty: none). One column per family.",
        "Den sökandes grupp i familjen som står efter grupp: (tomt: ingen). En kolumn per familj.",
    )


def find_table(name: str, tables: tuple[Table, ...]) -> Table | None:
    """The table named ``name`` (a sheet name or CSV file stem, either language, folded), or ``None``."""
    folded = fold_field_name(name)
    return next((t for t in tables if folded in t.names()), None)


def _c(
    key: str,
    sv: str,
    kind: Kind,
    help_en: str,
    help_sv: str,
    *,
    required: bool = False,
    words: Mapping[str, str] | None = None,
    minimum: int | None = None,
    refers_to: str | None = None,
    sv_before: tuple[str, ...] = (),
    words_before: Mapping[str, str] | None = None,
) -> Column:
    return Column(
        key,
        sv,
        kind,
        help_en,
        help_sv,
        required,
        dict(words or {}),
        minimum,
        refers_to,
        sv_before,
        dict(words_before or {}),
    )


_TRAINING = {"none": "ingen", "in_progress": "pågår", "completed": "genomförd"}
_TERMS = {"VT": "VT", "HT": "HT"}

_ID = _c("id", "id", Kind.ID, "Opaque id, unique in this table.", "Id som är unikt i tabellen.", required=True)


def _ref(key: str, sv: str, table: str, en_what: str, sv_what: str, *, required: bool = False) -> Column:
    return _c(key, sv, Kind.ID, f"Id of the {en_what}.", f"Id för {sv_what}.", required=required, refers_to=table)


_APPLICANT = _ref(APPLICANT_REF, "sökande", "applicants", "applicant", "den sökande", required=True)
_UNIT = _ref("unit", "enhet", "units", "unit", "enheten")
_SUPERVISOR = _ref("supervisor", "handledare", "supervisors", "supervisor", "handledaren")
_SCALE_MIN = _c("scale_min", "skala min", Kind.FLOAT, "Lowest score of the scale.", "Skalans lägsta poäng.")
_SCALE_MAX = _c("scale_max", "skala max", Kind.FLOAT, "Highest score of the scale.", "Skalans högsta poäng.")

ROUND = Table(
    "round",
    "Omgång",
    (
        _c(
            "schema_version",
            "schemaversion",
            Kind.INT,
            "Table layout version (1).",
            "Tabellernas version (1).",
            minimum=1,
        ),
        _c("name", "namn", Kind.TEXT, "Name of the round, e.g. VT 2026.", "Omgångens namn, t.ex. VT 2026."),
        _c("interest_weight", "vikt intresse", Kind.FLOAT, "Weight of interest in the fit.", "Intressets vikt."),
        _c("interview_weight", "vikt intervju", Kind.FLOAT, "Weight of the interview.", "Intervjuns vikt."),
        _c(
            "supervisor_training",
            "krav handledarutbildning",
            Kind.ENUM,
            "Least training a supervisor needs.",
            "Minsta handledarutbildning som krävs.",
            words={"any": "inget krav", "in_progress": "pågår", "completed": "genomförd"},
        ),
        _c(
            "missing_interview",
            "saknad intervju",
            Kind.ENUM,
            "Interview value when no score is given.",
            "Intervjuvärde när poäng saknas.",
            words={"neutral": "neutral", "zero": "noll", "cohort_mean": "medelvärde"},
        ),
        _c(
            "objective",
            "mål",
            Kind.ENUM,
            "What the plan optimises once the most applicants are placed.",
            "Vad planen optimerar när så många som möjligt har fått plats.",
            words={
                "total_fit": "totalt matchningsvärde",
                "rank_maximal": "flest förstahandsval",
                "rank_maximal_irving": "flest förstahandsval före antal placerade",
                "generous": "generös",
                "minimum_regret": "bästa sämsta rang",
                "egalitarian": "minsta rangsumma",
                "leximin": "leximin",
                "sex_equal": "jämlik",
                "egalitarian_two_sided": "minsta rangsumma för båda sidor",
                "minimum_regret_two_sided": "bästa sämsta rang för båda sidor",
            },
            words_before={"total passning": "total_fit"},
        ),
        _c(
            "unit_preferences",
            "enheternas preferenser",
            Kind.ENUM,
            "How a unit without its own ranking ranks applicants.",
            "Hur en enhet utan egen rangordning rangordnar sökande.",
            words={"interview": "intervju", "indifferent": "alla lika"},
        ),
        _c(
            "minimums",
            "minimum",
            Kind.ENUM,
            "Unit and municipality minimums: a rule (hard) or a goal (soft).",
            "Enheters och kommuners minimum: ett krav (hård) eller ett mål (mjuk).",
            words={"hard": "hård", "soft": "mjuk"},
        ),
        _c(
            "targets",
            "målantal",
            Kind.ENUM,
            "Units' target places: a goal (soft) or a lower bound (hard).",
            "Enheternas målantal: ett mål (mjuk) eller ett krav (hård).",
            words={"soft": "mjuk", "hard": "hård"},
        ),
        _c(
            "balance",
            "balans",
            Kind.ENUM,
            "Balance between municipalities' fill rates (empty: none).",
            "Balans mellan kommunernas fyllnadsgrad (tomt: ingen).",
            words={"within": "inom tolerans", "ratio": "andel", "maximin": "maximin"},
        ),
        _c(
            "balance_tolerance",
            "balans tolerans",
            Kind.FLOAT,
            "Within: the most two fill rates may differ, 0-1 (empty: 0.1).",
            "Inom tolerans: högsta skillnad mellan två kommuner, 0-1 (tomt: 0,1).",
        ),
        _c(
            "balance_ratio",
            "balans andel",
            Kind.FLOAT,
            "Ratio: each fill rate at least this share of the overall rate, 0-1 (empty: 0.75).",
            "Andel: varje kommuns fyllnadsgrad minst denna andel av den totala, 0-1 (tomt: 0,75).",
        ),
        _c(
            "stability",
            "stabilitet",
            Kind.ENUM,
            "Stable plans only: which stable plan (empty: stability not required).",
            "Endast stabila planer: vilken stabil plan (tomt: stabilitet krävs inte).",
            words={"applicant_optimal": "bäst för sökande", "unit_optimal": "bäst för enheter", "optimise": "optimera"},
        ),
        _c(
            "stability_ties",
            "stabilitet lika",
            Kind.ENUM,
            "Stable mode with tied preferences: break ties by lottery, or keep them (empty: lottery).",
            "Stabila planer med lika preferenser: lotta, eller behåll dem (tomt: lotta).",
            words={"lottery": "lotta", "keep": "behåll"},
        ),
        _c(
            "load_step_1",
            "belastning steg 1",
            Kind.FLOAT,
            "Share of a supervisor's week one step-1 (VFU) student takes, in the unit of the load limits (empty: 1).",
            "Hur mycket av en handledares vecka en student i steg 1 (VFU) tar, i belastningsgränsens enhet (tomt: 1).",
        ),
        _c(
            "load_step_2",
            "belastning steg 2",
            Kind.FLOAT,
            "The same for one step-2 student (studentmedarbetare) (empty: 0.5).",
            "Detsamma för en student i steg 2 (studentmedarbetare) (tomt: 0,5).",
        ),
        _c(
            "load_step_3",
            "belastning steg 3",
            Kind.FLOAT,
            "The same for one step-3 employee (a graduate in a post; a manager, not a student supervisor) (empty: 0).",
            "Detsamma för en anställd i steg 3 (en utexaminerad i en tjänst; en chef, inte en handledare) (tomt: 0).",
        ),
        _c(
            "continuity_same_supervisor",
            "kontinuitet samma handledare",
            Kind.FLOAT,
            "Fit bonus for the step-1 supervisor again (empty: 0.15).",
            "Passningsbonus för samma handledare som i steg 1 (tomt: 0,15).",
        ),
        _c(
            "continuity_same_unit",
            "kontinuitet samma enhet",
            Kind.FLOAT,
            "Fit bonus for the step-1 unit with another supervisor (empty: 0.1).",
            "Passningsbonus för samma enhet som i steg 1 med annan handledare (tomt: 0,1).",
        ),
        _c("term", "termin", Kind.ENUM, "Term: VT (spring) or HT (autumn).", "Termin: VT eller HT.", words=_TERMS),
        _c("year", "år", Kind.INT, "Year of the round.", "Omgångens år.", minimum=2000),
        _c(
            "step",
            "steg",
            Kind.INT,
            "Step: 1 = VFU, 2 = studentmedarbetare, 3 = employment (empty: 1).",
            "Steg: 1 = VFU, 2 = studentmedarbetare, 3 = anställning (tomt: 1).",
            minimum=1,
        ),
        _c(
            "lottery_seed",
            "slumpfrö",
            Kind.INT,
            "Seed of the tie-break lottery.",
            "Slumpfrö för lottningen.",
            minimum=0,
            sv_before=("lottningsfrö",),
        ),
        _c(
            "pair_weights",
            "parvikter",
            Kind.ENUM,
            "What the weights on the pairs sheet do: replace the fit, or add to it (empty: replace).",
            "Vad vikterna på bladet Par gör: ersätter matchningsvärdet eller läggs till det (tomt: ersätter).",
            words={"replace": "ersätter", "add": "läggs till"},
        ),
        _c(
            "pair_weight_scale",
            "parvikter skala",
            Kind.INT,
            "How finely pair weights are given: 1 (whole numbers), 10 (one decimal), 100, ... (empty: 1).",
            "Hur fint parvikterna anges: 1 (heltal), 10 (en decimal), 100, ... (tomt: 1).",
            minimum=1,
        ),
        _c(
            "pair_weights_unwished",
            "parvikter utan önskemål",
            Kind.ENUM,
            "A pair weight for a place the applicant did not wish for: an error, or ignored (empty: error).",
            "En parvikt för en plats den sökande inte önskat: ett fel, eller bortser (tomt: fel).",
            words={"error": "fel", "ignore": "bortse"},
        ),
        _c(
            "order",
            "ordning",
            Kind.LIST,
            "Order of the objective: placed_first, objective_first, maximum_weight, or parts separated by ; "
            "(priority_tiers; placed; soft; objective) (empty: placed_first).",
            "Målfunktionens ordning: placed_first, objective_first, maximum_weight, eller delar åtskilda med ; "
            "(priority_tiers; placed; soft; objective) (tomt: placed_first).",
        ),
    ),
    single_row=True,
)

#: Round columns of ``Problem.pair_weights`` (the table's own settings): column -> field.
PAIR_WEIGHT_COLUMNS: Mapping[str, str] = {"pair_weight_scale": "scale", "pair_weights_unwished": "unwished"}

#: The round table's columns that hold ``Problem.round`` (its periods are on the periods table).
ROUND_COLUMNS: tuple[str, ...] = ("term", "year", "step")

_START = _c("start", "start", Kind.DATE, "First day, YYYY-MM-DD.", "Första dag, ÅÅÅÅ-MM-DD.", required=True)
_END = _c("end", "slut", Kind.DATE, "Last day, YYYY-MM-DD.", "Sista dag, ÅÅÅÅ-MM-DD.", required=True)

PERIODS = Table(
    "periods",
    "Perioder",
    (
        _ID,
        _START,
        _END,
        _c(
            "university",
            "lärosäte",
            Kind.TEXT,
            "The university whose applicants this period is for (empty: the default period).",
            "Lärosätet vars sökande perioden gäller (tomt: standardperioden).",
        ),
    ),
)

COMMITMENTS = Table(
    "commitments",
    "Åtaganden",
    (
        _ref("supervisor", "handledare", "supervisors", "supervisor", "handledaren", required=True),
        _START,
        _END,
        _c("step", "steg", Kind.INT, "Step of the placement (empty: 1).", "Placeringens steg (tomt: 1).", minimum=1),
        _c(
            "load",
            "belastning",
            Kind.FLOAT,
            "Its load (empty: the load of its step).",
            "Dess belastning (tomt: stegets belastning).",
        ),
        _c(
            "applicant",
            "sökande",
            Kind.ID,
            "Id of the student whose placement it is; if they are an applicant of this round, it counts only "
            "before their period starts (empty: it counts throughout).",
            "Id för studenten vars placering det är; är hen sökande i omgången räknas åtagandet bara före "
            "hens period (tomt: det räknas hela tiden).",
        ),
    ),
)

#: The round table's columns that hold ``policy.balance`` (column key -> field of :class:`~matchmaker.Balance`).
BALANCE_COLUMNS: Mapping[str, str] = {"balance": "mode", "balance_tolerance": "tolerance", "balance_ratio": "ratio"}
#: The round table's columns that hold ``policy.stability`` (column key -> field of :class:`~matchmaker.Stability`).
STABILITY_COLUMNS: Mapping[str, str] = {"stability": "mode", "stability_ties": "ties"}

MUNICIPALITIES = Table(
    "municipalities",
    "Kommuner",
    (
        _ID,
        _c("name", "namn", Kind.TEXT, "Name for people.", "Namn."),
        _c(
            "max_places",
            "max platser",
            Kind.INT,
            "Most places in total (empty: no limit).",
            "Högst antal platser.",
            minimum=0,
        ),
        _c("min_places", "min platser", Kind.INT, "Fewest places to fill.", "Minst antal platser.", minimum=0),
    ),
    required=True,
)

UNITS = Table(
    "units",
    "Enheter",
    (
        _ID,
        _c("name", "namn", Kind.TEXT, "Name for people.", "Namn."),
        _ref("municipality", "kommun", "municipalities", "municipality", "kommunen", required=True),
        _c("area", "område", Kind.TEXT, "Area, e.g. Barn och ungdom.", "Område, t.ex. Barn och ungdom.", required=True),
        _c("max_places", "max platser", Kind.INT, "Most students this round.", "Högst antal studenter.", minimum=0),
        _c("min_places", "min platser", Kind.INT, "Fewest students this round.", "Minst antal studenter.", minimum=0),
        _c("requirements", "krav", Kind.LIST, "Requirements, separated by ;", "Krav, åtskilda med ;"),
        _c(
            "target_places",
            "målantal",
            Kind.INT,
            "Students the unit would like (empty: no target).",
            "Antal studenter enheten helst vill ha (tomt: inget mål).",
            minimum=0,
        ),
        _c(
            "ranks_applicants",
            "rangordnar sökande",
            Kind.BOOL,
            "Yes: the unit ranks applicants itself (unit rankings sheet) and takes no one it leaves out. "
            "Empty: yes if that sheet lists any.",
            "Ja: enheten rangordnar sökande själv (bladet Enheternas rangordning) och tar ingen den utelämnar. "
            "Tomt: ja om bladet tar upp någon.",
        ),
    ),
    required=True,
)

SUPERVISORS = Table(
    "supervisors",
    "Handledare",
    (
        _ID,
        _ref("unit", "enhet", "units", "unit", "enheten", required=True),
        _c(
            "capacity",
            "kapacitet",
            Kind.INT,
            "Students this round (empty: 1).",
            "Antal studenter (tomt: 1).",
            minimum=0,
        ),
        _c(
            "training",
            "handledarutbildning",
            Kind.ENUM,
            "Supervisor training.",
            "Handledarutbildning.",
            words=_TRAINING,
        ),
        _c(
            "load_limit",
            "belastningsgräns",
            Kind.FLOAT,
            "Most supervision load per week at any date (empty: no limit).",
            "Högsta handledningsbelastning per vecka vid varje datum (tomt: ingen gräns).",
        ),
        _c(
            "unavailable_periods",
            "otillgängliga perioder",
            Kind.LIST,
            "Periods in which the supervisor takes no student, separated by ;",
            "Perioder då handledaren inte tar någon student, med ;",
        ),
    ),
    required=True,
)

APPLICANTS = Table(
    "applicants",
    "Sökande",
    (
        _ID,
        _c("university", "lärosäte", Kind.TEXT, "University.", "Lärosäte."),
        _c("priority_tier", "förtur", Kind.INT, "Priority tier, 1 = highest.", "Förtursgrupp, 1 = högst.", minimum=1),
        _c(
            "preferences",
            "önskemål",
            Kind.ENUM,
            "How the wishes are given (empty: from the preferences table).",
            "Hur önskemålen anges (tomt: enligt önskemålstabellen).",
            words={"ranking": "rangordning", "weights": "vikter"},
        ),
        _c("qualifications", "kvalifikationer", Kind.LIST, "Qualifications, separated by ;", "Kvalifikationer, med ;"),
        _ref("period", "period", "periods", "period (empty: the university's)", "perioden (tomt: lärosätets)"),
        _ref("previous_unit", "tidigare enhet", "units", "step-1 unit", "enheten i steg 1"),
        _c(
            "previous_supervisor",
            "tidigare handledare",
            Kind.ID,
            "Id of the step-1 supervisor.",
            "Id för handledaren i steg 1.",
        ),
    ),
    required=True,
    personal=True,
    groups=True,
)

PREFERENCES = Table(
    "preferences",
    "Önskemål",
    (
        _APPLICANT,
        _c(
            "kind",
            "typ",
            Kind.ENUM,
            "What the wish names.",
            "Vad önskemålet gäller.",
            required=True,
            words={"area": "område", "unit": "enhet", "supervisor": "handledare"},
        ),
        _c(
            "option",
            "alternativ",
            Kind.TEXT,
            "Area name, unit id or supervisor id.",
            "Område, enhet eller handledare.",
            required=True,
        ),
        _c("rank", "rang", Kind.INT, "Rank, 1 = first choice (or give a weight).", "Rang, 1 = förstahand.", minimum=1),
        _c("weight", "vikt", Kind.FLOAT, "Weight 0-1 (or give a rank).", "Vikt 0-1 (eller rang)."),
    ),
    personal=True,
)

UNIT_RANKINGS = Table(
    "unit_rankings",
    "Enheternas rangordning",
    (
        _ref("unit", "enhet", "units", "unit", "enheten", required=True),
        _APPLICANT,
        _c(
            "rank",
            "rang",
            Kind.INT,
            "The unit's rank of the applicant, 1 = most wanted; equal ranks tie.",
            "Enhetens rang för den sökande, 1 = helst; lika rang är likvärdiga.",
            required=True,
            minimum=1,
        ),
    ),
    personal=True,
)

INTERVIEW_SCORES = Table(
    "interview_scores",
    "Intervjupoäng",
    (
        _APPLICANT,
        _ref("criterion", "kriterium", "criteria", "criterion", "kriteriet", required=True),
        _c("score", "poäng", Kind.FLOAT, "The score.", "Poängen.", required=True),
        _c("interviewer", "intervjuare", Kind.ID, "Interviewer id.", "Intervjuarens id."),
        _UNIT,
        _SCALE_MIN,
        _SCALE_MAX,
    ),
    personal=True,
)

CRITERIA = Table(
    "criteria",
    "Kriterier",
    (
        _ID,
        _c("weight", "vikt", Kind.FLOAT, "Weight of the criterion.", "Kriteriets vikt."),
        _SCALE_MIN,
        _SCALE_MAX,
    ),
)

CONFLICTS = Table("conflicts", "Jäv", (_APPLICANT, _UNIT, _SUPERVISOR), personal=True)

PINS = Table("pins", "Låsta placeringar", (_APPLICANT, _UNIT, _SUPERVISOR), personal=True)

ADJUSTMENTS = Table(
    "adjustments",
    "Justeringar",
    (
        _APPLICANT,
        _UNIT,
        _SUPERVISOR,
        _c(
            "delta",
            "justering",
            Kind.FLOAT,
            "Change of the fit, -1 to 1.",
            "Ändring av matchningsvärdet, -1 till 1.",
            required=True,
        ),
    ),
    personal=True,
)

PAIRS = Table(
    "pairs",
    "Par",
    (
        _APPLICANT,
        _UNIT,
        _SUPERVISOR,
        _c(
            "weight",
            "vikt",
            Kind.FLOAT,
            "The score your system gave the pair (a supervisor's row overrides its unit's).",
            "Poängen ert system gav paret (en handledares rad gäller före enhetens).",
            required=True,
        ),
    ),
    personal=True,
)

LINKS = Table(
    "links",
    "Kopplingar",
    (
        _APPLICANT,
        _ref("other_applicant", "annan sökande", "applicants", "other applicant", "den andra sökande", required=True),
        _c(
            "relation",
            "relation",
            Kind.ENUM,
            "Apart: never in one unit; same unit or same municipality: together, or neither placed.",
            "Isär: aldrig på samma enhet; samma enhet eller samma kommun: tillsammans, eller ingen av dem.",
            required=True,
            words={"apart": "isär", "same_unit": "samma enhet", "same_municipality": "samma kommun"},
        ),
        _c(
            "hard",
            "tvingande",
            Kind.BOOL,
            "Yes: a rule; no: a wish, kept when possible (empty: yes).",
            "Ja: ett krav; nej: ett önskemål som uppfylls om det går (tomt: ja).",
        ),
    ),
    personal=True,
)

GROUP_RULES = Table(
    "group_rules",
    "Gruppregler",
    (
        _c(
            "family",
            "gruppfamilj",
            Kind.TEXT,
            "The family of groups, as in the applicants' group: columns.",
            "Familjen av grupper, som i de sökandes grupp:-kolumner.",
            required=True,
        ),
        _c(
            "rule",
            "regel",
            Kind.ENUM,
            "Rate: each group's placement rate at least ratio times the overall; within tolerance: within "
            "tolerance of it; maximin: the lowest rate as high as possible; count: min/max placed per group.",
            "Lägsta andel: varje grupps placeringsgrad minst andel gånger den totala; inom tolerans: högst "
            "tolerans från den; maximin: lägsta graden så hög som möjligt; antal: minst/högst placerade per grupp.",
            required=True,
            words={"rate": "lägsta andel", "band": "inom tolerans", "maximin": "maximin", "count": "antal"},
        ),
        _c(
            "ratio",
            "andel",
            Kind.FLOAT,
            "Rate: the share, 0-1 (empty: 0.75).",
            "Lägsta andel: andelen, 0-1 (tomt: 0,75).",
        ),
        _c(
            "tolerance",
            "tolerans",
            Kind.FLOAT,
            "Band: the most a rate may differ from the overall, 0-1 (empty: 0.1).",
            "Inom tolerans: största skillnad mot den totala graden, 0-1 (tomt: 0,1).",
        ),
        _c(
            "min_size",
            "minsta gruppstorlek",
            Kind.INT,
            "Rate, band, maximin: leave out groups with fewer applicants (empty: 1).",
            "Lägsta andel, inom tolerans, maximin: bortse från grupper med färre sökande (tomt: 1).",
            minimum=1,
        ),
        _c(
            "min_count",
            "minst antal",
            Kind.INT,
            "Count: fewest placed per group.",
            "Antal: minst antal placerade per grupp.",
            minimum=0,
        ),
        _c(
            "max_count",
            "högst antal",
            Kind.INT,
            "Count: most placed per group.",
            "Antal: högst antal placerade per grupp.",
            minimum=0,
        ),
        _c(
            "groups",
            "grupper",
            Kind.LIST,
            "Count: the groups it holds for, separated by ; (empty: every group of the family).",
            "Antal: grupperna regeln gäller, med ; (tomt: alla grupper i familjen).",
        ),
    ),
)

#: The problem's tables in writing order.
PROBLEM_TABLES: tuple[Table, ...] = (
    ROUND,
    MUNICIPALITIES,
    UNITS,
    SUPERVISORS,
    APPLICANTS,
    PREFERENCES,
    UNIT_RANKINGS,
    INTERVIEW_SCORES,
    CRITERIA,
    CONFLICTS,
    PINS,
    ADJUSTMENTS,
    PAIRS,
    LINKS,
    PERIODS,
    COMMITMENTS,
    GROUP_RULES,
)

_STATUS = {"optimal": "optimal", "feasible": "tillåten", "infeasible": "omöjlig", "unknown": "okänd"}
_REASON = {
    "no_acceptable_option": "inget godtagbart alternativ",
    "not_selected": "ej vald",
    "no_plan": "ingen plan",
}


def _n(
    key: str,
    sv: str,
    kind: Kind,
    *,
    required: bool = True,
    words: Mapping[str, str] | None = None,
    sv_before: tuple[str, ...] = (),
) -> Column:
    return _c(key, sv, kind, "", "", required=required, words=words, sv_before=sv_before)


RESULT = Table(
    "result",
    "Resultat",
    (
        _n("schema_version", "schemaversion", Kind.INT),
        _n("kind", "sort", Kind.TEXT),
        _n("status", "status", Kind.ENUM, words=_STATUS),
        _n("input_fingerprint", "fingeravtryck", Kind.TEXT),
        _n("lottery_seed", "slumpfrö", Kind.INT, sv_before=("lottningsfrö",)),
        _n("message", "meddelande", Kind.TEXT, required=False),
        _n("metrics", "nyckeltal", Kind.BOOL, required=False),
        _n("worst_rank", "sämsta rang", Kind.INT, required=False),
        _n("mean_rank", "medelrang", Kind.FLOAT, required=False),
        _n("blocking_pairs", "blockerande par", Kind.INT, required=False),
    ),
    required=True,
    single_row=True,
)
OBJECTIVE = Table(
    "objective",
    "Mål",
    (
        _n("name", "namn", Kind.TEXT),
        _n("sense", "riktning", Kind.ENUM, words={"max": "max", "min": "min"}),
        _n("value", "värde", Kind.INT, required=False),
        # The level in words and its value as a person reads it: written to workbooks, ignored on reading.
        _n("rule", "regel", Kind.TEXT, required=False),
        _n("reading", "klartext", Kind.TEXT, required=False),
    ),
    required=True,
)
ASSIGNMENTS = Table(
    "assignments",
    "Placeringar",
    (
        _n("applicant", "sökande", Kind.ID),
        _n("supervisor", "handledare", Kind.ID),
        _n("unit", "enhet", Kind.ID),
        _n("municipality", "kommun", Kind.ID),
        _n("fit", "matchningsvärde", Kind.FLOAT, sv_before=("passning",)),
        _n("fit_points", "matchningspoäng", Kind.INT, sv_before=("passningspoäng",)),
        _n("rank", "rang", Kind.INT),
        _n("continuity", "kontinuitet", Kind.FLOAT, required=False),
    ),
    required=True,
)
UNPLACED = Table(
    "unplaced",
    "Ej placerade",
    (
        _n("applicant", "sökande", Kind.ID),
        _n("reason", "skäl", Kind.ENUM, words=_REASON),
        _n("detail", "förklaring", Kind.TEXT),
    ),
    required=True,
)
RANK_PROFILE = Table(
    "rank_profile",
    "Rangprofil",
    (_n("rank", "rang", Kind.INT), _n("placed", "placerade", Kind.INT)),
)
FIT_PERCENTILES = Table(
    "fit_percentiles",
    "Passning percentiler",
    (_n("percentile", "percentil", Kind.TEXT), _n("fit", "matchningsvärde", Kind.FLOAT, sv_before=("passning",))),
)
UNIT_METRICS = Table(
    "unit_metrics",
    "Utfall enheter",
    (
        _n("unit", "enhet", Kind.ID),
        _n("municipality", "kommun", Kind.ID),
        _n("placed", "placerade", Kind.INT),
        _n("max_places", "max platser", Kind.INT),
        _n("min_places", "min platser", Kind.INT),
        _n("fill_rate", "fyllnadsgrad", Kind.FLOAT, required=False),
        _n("mean_fit", "matchningsvärde i medel", Kind.FLOAT, required=False, sv_before=("medelpassning",)),
    ),
)
MUNICIPALITY_METRICS = Table(
    "municipality_metrics",
    "Utfall kommuner",
    (
        _n("municipality", "kommun", Kind.ID),
        _n("placed", "placerade", Kind.INT),
        _n("offered", "erbjudna platser", Kind.INT),
        _n("fill_rate", "fyllnadsgrad", Kind.FLOAT, required=False),
        _n("mean_fit", "matchningsvärde i medel", Kind.FLOAT, required=False, sv_before=("medelpassning",)),
        _n(
            "fit_per_offered_place",
            "matchningsvärde per erbjuden plats",
            Kind.FLOAT,
            required=False,
            sv_before=("passning per erbjuden plats",),
        ),
    ),
)
STATISTICS = Table(
    "statistics",
    "Körning",
    (
        _n("engine", "motor", Kind.TEXT),
        _n("wall_time", "total tid", Kind.FLOAT),
        _n("score_time", "tid poäng", Kind.FLOAT),
        _n("build_time", "tid bygge", Kind.FLOAT),
        _n("solve_time", "tid lösning", Kind.FLOAT),
        _n("workers", "trådar", Kind.INT),
        _n("solver_seed", "lösarfrö", Kind.INT),
        _n("time_limit", "tidsgräns", Kind.FLOAT, required=False),
        _n("cancelled", "avbruten", Kind.BOOL),
        _n("n_pairs", "par", Kind.INT),
        _n("n_rows", "rader", Kind.INT),
        _n("input", "indata", Kind.TEXT, required=False),
        _n("unchecked", "ej kontrollerad", Kind.BOOL, required=False),
    ),
    required=True,
    single_row=True,
)
STAGES = Table(
    "stages",
    "Steg",
    (
        _n("levels", "nivåer", Kind.LIST),
        _n("status", "status", Kind.TEXT),
        _n("value", "värde", Kind.INT, required=False),
        _n("bound", "gräns", Kind.INT, required=False),
        _n("wall_time", "tid", Kind.FLOAT),
        _n("engine_status", "motorstatus", Kind.TEXT),
    ),
)
VERSIONS = Table("versions", "Versioner", (_n("name", "namn", Kind.TEXT), _n("version", "version", Kind.TEXT)))
PARAMETERS = Table("parameters", "Parametrar", (_n("name", "namn", Kind.TEXT), _n("value", "värde", Kind.JSON)))

REPAIR = Table(
    "repair",
    "Omplanering",
    (
        _n("previous_fingerprint", "tidigare fingeravtryck", Kind.TEXT),
        _n("position", "position", Kind.FLOAT, required=False),
        _n("penalty", "straff", Kind.FLOAT, required=False),
        _n("keep", "behålls", Kind.LIST, required=False),
        _n("unchanged", "oförändrade", Kind.INT),
    ),
    single_row=True,
)
_MOVE_KINDS = {
    "moved": "flyttad",
    "newly_placed": "ny placering",
    "newly_unplaced": "ej längre placerad",
    "withdrawn": "återtagen",
}
MOVES = Table(
    "moves",
    "Förändringar",
    (
        _n("kind", "typ", Kind.ENUM, words=_MOVE_KINDS),
        _n("applicant", "sökande", Kind.ID),
        _n("before", "före", Kind.ID, required=False),
        _n("before_unit", "enhet före", Kind.ID, required=False),
        _n("after", "efter", Kind.ID, required=False),
        _n("after_unit", "enhet efter", Kind.ID, required=False),
    ),
)

#: The result's tables in writing order.
RESULT_TABLES: tuple[Table, ...] = (
    RESULT,
    OBJECTIVE,
    ASSIGNMENTS,
    UNPLACED,
    RANK_PROFILE,
    FIT_PERCENTILES,
    UNIT_METRICS,
    MUNICIPALITY_METRICS,
    STATISTICS,
    STAGES,
    VERSIONS,
    PARAMETERS,
    REPAIR,
    MOVES,
)

#: The result tables that hold a decision's metrics.
METRICS_TABLES: tuple[Table, ...] = (RANK_PROFILE, FIT_PERCENTILES, UNIT_METRICS, MUNICIPALITY_METRICS)

#: The programme archive's export (:meth:`matchmaker.Archive.export`): one row per approved placement per
#: round, ids only.
ARCHIVE_PLACEMENTS = Table(
    "archive",
    "Arkiv",
    (
        _n("round", "omgång", Kind.TEXT),
        _n("term", "termin", Kind.TEXT, required=False),
        _n("year", "år", Kind.INT, required=False),
        _n("step", "steg", Kind.INT, required=False),
        _n("applicant", "sökande", Kind.ID),
        _n("unit", "enhet", Kind.ID),
        _n("supervisor", "handledare", Kind.ID),
        _n("municipality", "kommun", Kind.ID),
    ),
)

#: The cohort figures (:meth:`matchmaker.Archive.cohort_figures`): one row per cohort (and every cohort
#: together, year and term empty) and breakdown; counts, rates and whether the row is withheld as small.
COHORT_ROWS = Table(
    "cohorts",
    "Kullar",
    (
        _n("year", "år", Kind.INT, required=False),
        _n("term", "termin", Kind.TEXT, required=False),
        _n(
            "by",
            "uppdelning",
            Kind.ENUM,
            words={"all": "alla", "group": "grupp", "unit": "enhet", "municipality": "kommun"},
        ),
        _n("value", "värde", Kind.TEXT, required=False),
        _n("step_1", "steg 1", Kind.INT, required=False),
        _n("step_2", "steg 2", Kind.INT, required=False),
        _n("step_3", "anställda", Kind.INT, required=False),
        _n("open_2", "öppna för steg 2", Kind.INT, required=False),
        _n("open_3", "öppna för anställning", Kind.INT, required=False),
        _n("same_supervisor_2", "samma handledare i steg 2", Kind.INT, required=False),
        _n("same_unit_2", "samma enhet i steg 2", Kind.INT, required=False),
        _n("same_supervisor_3", "samma handledare som anställd", Kind.INT, required=False),
        _n("same_unit_3", "samma enhet som anställd", Kind.INT, required=False),
        _n("complete", "komplett", Kind.BOOL, required=False),
        _n("rate_2", "andel steg 1 till 2", Kind.FLOAT, required=False),
        _n("rate_3", "andel steg 2 till anställning", Kind.FLOAT, required=False),
        _n("rate_1_3", "andel steg 1 till anställning", Kind.FLOAT, required=False),
        _n("suppressed", "dold", Kind.BOOL),
    ),
)

#: Supervisor load per year and step, beside the cohort figures.
COHORT_LOAD = Table(
    "supervisor_load",
    "Handledarbelastning",
    (
        _n("year", "år", Kind.INT),
        _n("step", "steg", Kind.INT),
        _n("supervisors", "handledare", Kind.INT),
        _n("placements", "placeringar", Kind.INT),
        _n("mean", "medel per handledare", Kind.FLOAT),
        _n("most", "flest per handledare", Kind.INT),
    ),
)
