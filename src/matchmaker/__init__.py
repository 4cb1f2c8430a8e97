"""matchmaker: optimal, fair and explainable placement of students with supervisors and units.

Describe a round as a :class:`Problem`, call :func:`solve`, verify with :func:`check`::

    import matchmaker as mm

    problem = mm.load_problem("examples/sodertalje/problem.json")  # or .xlsx, or a folder of CSV files
    result = mm.solve(problem)
    assert mm.check(problem, result).ok
    for a in result.assignments:
        print(a.applicant, a.unit, a.supervisor)
"""

from matchmaker.checks import CheckFailedError, CheckReport, Violation, check
from matchmaker.engines.base import CancelToken
from matchmaker.errors import (
    InputError,
    InputFileError,
    InputWarning,
    MatchmakerError,
    MissingExtraError,
    ProblemValidationError,
    ResultMismatchError,
    ResultStatusError,
    SolverError,
    ValidationIssue,
)
from matchmaker.explanations import (
    ApplicantExplanation,
    Diagnostics,
    InfeasibilityExplanation,
    ReserveList,
    diagnose,
    explain,
    explain_all,
    explain_infeasibility,
    reserve_lists,
)
from matchmaker.io.formats import load_problem, load_result, save_problem, save_result
from matchmaker.io.frames import problem_from_frames, problem_to_frames, result_from_frames, result_to_frames
from matchmaker.io.json import dump_problem, dump_result, problem_json_schema, result_json_schema
from matchmaker.io.template import write_template
from matchmaker.metrics import Metrics, MunicipalityMetrics, UnitMetrics
from matchmaker.models import (
    SCHEMA_VERSION,
    Adjustment,
    Applicant,
    Balance,
    Conflicts,
    Interests,
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
from matchmaker.options import SolveOptions
from matchmaker.progress import ProgressEvent
from matchmaker.report.html import html_report
from matchmaker.report.plots import plot_result
from matchmaker.result import (
    Assignment,
    Decision,
    LevelValue,
    Result,
    RunStatistics,
    StageStatistics,
    Status,
    Unplaced,
    UnplacedReason,
)
from matchmaker.scoring import FIT_SCALE
from matchmaker.solve import solve

__version__ = "0.1.0"

__all__ = [
    "FIT_SCALE",
    "SCHEMA_VERSION",
    "Adjustment",
    "Applicant",
    "ApplicantExplanation",
    "Assignment",
    "Balance",
    "CancelToken",
    "CheckFailedError",
    "CheckReport",
    "Conflicts",
    "Decision",
    "Diagnostics",
    "InfeasibilityExplanation",
    "InputError",
    "InputFileError",
    "InputWarning",
    "Interests",
    "InterviewCriterion",
    "InterviewScore",
    "LevelValue",
    "Link",
    "MatchmakerError",
    "Metrics",
    "MissingExtraError",
    "Municipality",
    "MunicipalityMetrics",
    "Pin",
    "Policy",
    "Problem",
    "ProblemValidationError",
    "ProgressEvent",
    "Ranking",
    "ReserveList",
    "Result",
    "ResultMismatchError",
    "ResultStatusError",
    "RunStatistics",
    "SolveOptions",
    "SolverError",
    "StageStatistics",
    "Status",
    "Supervisor",
    "TrainingStatus",
    "Unit",
    "UnitMetrics",
    "Unplaced",
    "UnplacedReason",
    "ValidationIssue",
    "Violation",
    "__version__",
    "check",
    "diagnose",
    "dump_problem",
    "dump_result",
    "explain",
    "explain_all",
    "explain_infeasibility",
    "html_report",
    "load_problem",
    "load_result",
    "plot_result",
    "problem_from_frames",
    "problem_json_schema",
    "problem_to_frames",
    "reserve_lists",
    "result_from_frames",
    "result_json_schema",
    "result_to_frames",
    "save_problem",
    "save_result",
    "solve",
    "write_template",
]
