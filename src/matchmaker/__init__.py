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
    Stability,
    Supervisor,
    TrainingStatus,
    Unit,
)
from matchmaker.options import SolveOptions
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
from matchmaker.review import (
    Approval,
    ApprovalError,
    AuditRecord,
    Override,
    OverrideOutcome,
    Plan,
    PlanEntry,
    PlanEvaluation,
    Reproduction,
    approve,
    audit_record,
    evaluate_plan,
    load_plan,
    reproduce,
    solve_with_overrides,
    verify_approval,
)
from matchmaker.scoring import FIT_SCALE
from matchmaker.solve import solve
from matchmaker.stability import BlockingPair, Popularity, PopularPlan, blocking_pairs, popular_plan, popularity

__version__ = "0.1.0"

__all__ = [
    "FIT_SCALE",
    "SCHEMA_VERSION",
    "Adjustment",
    "Applicant",
    "ApplicantExplanation",
    "Approval",
    "ApprovalError",
    "Assignment",
    "AuditRecord",
    "Balance",
    "BlockingPair",
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
    "Override",
    "OverrideOutcome",
    "Pin",
    "Plan",
    "PlanEntry",
    "PlanEvaluation",
    "Policy",
    "PopularPlan",
    "Popularity",
    "Problem",
    "ProblemValidationError",
    "Ranking",
    "Reproduction",
    "ReserveList",
    "Result",
    "ResultMismatchError",
    "ResultStatusError",
    "RunStatistics",
    "SolveOptions",
    "SolverError",
    "Stability",
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
    "approve",
    "audit_record",
    "blocking_pairs",
    "check",
    "diagnose",
    "dump_problem",
    "dump_result",
    "evaluate_plan",
    "explain",
    "explain_all",
    "explain_infeasibility",
    "load_plan",
    "load_problem",
    "load_result",
    "popular_plan",
    "popularity",
    "problem_from_frames",
    "problem_json_schema",
    "problem_to_frames",
    "reproduce",
    "reserve_lists",
    "result_from_frames",
    "result_json_schema",
    "result_to_frames",
    "save_problem",
    "save_result",
    "solve",
    "solve_with_overrides",
    "verify_approval",
    "write_template",
]
