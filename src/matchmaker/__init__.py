"""matchmaker: optimal, fair and explainable placement of students with supervisors and units.

Describe a round as a :class:`Problem`, call :func:`solve`, verify with :func:`check`::

    import matchmaker as mm

    problem = mm.load_problem("examples/sodertalje/problem.json")  # or .xlsx, or a folder of CSV files
    result = mm.solve(problem)
    assert mm.check(problem, result).ok
    for a in result.assignments:
        print(a.applicant, a.unit, a.supervisor)
"""

from matchmaker import (
    _moved,
    _native,  # noqa: F401  (first: OR-Tools, with a clear message if highspy clashes)
)
from matchmaker._blocking import BlockingPair, blocking_pairs
from matchmaker._checks import CheckFailedError, CheckReport, Violation, check
from matchmaker._cluster import RayExecutor
from matchmaker._cohorts import CohortFigures, CohortPlacement, CohortRow, SupervisorLoad, cohort_figures
from matchmaker._engines.base import CancelToken
from matchmaker._lattice import ApplicantRange, Rotation, RotationStep, StablePlans, TwoSidedPlan, stable_plans
from matchmaker._limits import Limits, current_limits, use_limits
from matchmaker._metrics import Metrics, MunicipalityMetrics, UnitMetrics
from matchmaker._models import (
    ORDER_PRESETS,
    SCHEMA_VERSION,
    Adjustment,
    Applicant,
    Balance,
    Commitment,
    Conflicts,
    GroupRule,
    Interests,
    InterviewCriterion,
    InterviewScore,
    Link,
    Municipality,
    PairWeight,
    PairWeights,
    Period,
    Pin,
    Policy,
    Problem,
    Ranking,
    Round,
    Stability,
    Supervisor,
    TrainingStatus,
    Unit,
)
from matchmaker._options import SolveOptions
from matchmaker._pair_columns import PairColumns
from matchmaker._pipeline import reoptimise, solve
from matchmaker._planning import (
    FewestSupervisors,
    SupervisorAddition,
    SupervisorOption,
    SupervisorPlanning,
    plan_supervisors,
)
from matchmaker._popular import Popularity, PopularPlan, popular_plan, popularity
from matchmaker._progress import ProgressEvent
from matchmaker._repair import plan_diff
from matchmaker._result import (
    Assignment,
    Decision,
    LevelValue,
    Move,
    PlanDiff,
    RepairRecord,
    Result,
    RunStatistics,
    StageStatistics,
    Status,
    Unplaced,
    UnplacedReason,
)
from matchmaker._rounds import next_round
from matchmaker._scenarios import (
    AddSupervisor,
    ChangePlaces,
    ChangeWeights,
    ForbidPair,
    RemoveSupervisor,
    Scenario,
    ScenarioComparison,
    ScenarioOutcome,
    TrainSupervisor,
    apply_scenario,
    compare_scenarios,
)
from matchmaker._scoring import FIT_SCALE
from matchmaker.errors import (
    ArchiveError,
    InputError,
    InputFileError,
    InputWarning,
    MatchmakerError,
    MissingExtraError,
    OptionsError,
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
from matchmaker.io._archive import Archive, ArchivedRound, ArchiveEntry, ArchiveFinding, ArchiveVerification
from matchmaker.io._arrow import problem_from_arrow, problem_to_arrow, result_from_arrow, result_to_arrow
from matchmaker.io._audit import load_audit
from matchmaker.io._cohorts import save_cohort_figures
from matchmaker.io._formats import load_problem, load_result, save_problem, save_result
from matchmaker.io._frames import problem_from_frames, problem_to_frames, result_from_frames, result_to_frames
from matchmaker.io._json import dump_problem, dump_result, problem_json_schema, result_json_schema
from matchmaker.io._keys import load_public_key, load_signing_key, write_keypair
from matchmaker.io._plans import load_plan
from matchmaker.io._scenarios import load_scenarios
from matchmaker.io._template import write_template
from matchmaker.report._cohorts import cohort_html
from matchmaker.report._html import html_report
from matchmaker.report._plots import plot_result
from matchmaker.review import (
    Approval,
    ApprovalError,
    AuditRecord,
    Override,
    OverrideOutcome,
    Plan,
    PlanEntry,
    PlanEvaluation,
    PublicKey,
    Reproduction,
    SigningKey,
    Verification,
    approve,
    audit_record,
    evaluate_plan,
    generate_keypair,
    reproduce,
    solve_with_overrides,
    verify_approval,
    verify_record,
)

__version__ = "0.1.0"

_moved.install()  # the 0.1 module paths, deprecated (see _moved.py)

__all__ = [
    "FIT_SCALE",
    "ORDER_PRESETS",
    "SCHEMA_VERSION",
    "AddSupervisor",
    "Adjustment",
    "Applicant",
    "ApplicantExplanation",
    "ApplicantRange",
    "Approval",
    "ApprovalError",
    "Archive",
    "ArchiveEntry",
    "ArchiveError",
    "ArchiveFinding",
    "ArchiveVerification",
    "ArchivedRound",
    "Assignment",
    "AuditRecord",
    "Balance",
    "BlockingPair",
    "CancelToken",
    "ChangePlaces",
    "ChangeWeights",
    "CheckFailedError",
    "CheckReport",
    "CohortFigures",
    "CohortPlacement",
    "CohortRow",
    "Commitment",
    "Conflicts",
    "Decision",
    "Diagnostics",
    "FewestSupervisors",
    "ForbidPair",
    "GroupRule",
    "InfeasibilityExplanation",
    "InputError",
    "InputFileError",
    "InputWarning",
    "Interests",
    "InterviewCriterion",
    "InterviewScore",
    "LevelValue",
    "Limits",
    "Link",
    "MatchmakerError",
    "Metrics",
    "MissingExtraError",
    "Move",
    "Municipality",
    "MunicipalityMetrics",
    "OptionsError",
    "Override",
    "OverrideOutcome",
    "PairColumns",
    "PairWeight",
    "PairWeights",
    "Period",
    "Pin",
    "Plan",
    "PlanDiff",
    "PlanEntry",
    "PlanEvaluation",
    "Policy",
    "PopularPlan",
    "Popularity",
    "Problem",
    "ProblemValidationError",
    "ProgressEvent",
    "PublicKey",
    "Ranking",
    "RayExecutor",
    "RemoveSupervisor",
    "RepairRecord",
    "Reproduction",
    "ReserveList",
    "Result",
    "ResultMismatchError",
    "ResultStatusError",
    "Rotation",
    "RotationStep",
    "Round",
    "RunStatistics",
    "Scenario",
    "ScenarioComparison",
    "ScenarioOutcome",
    "SigningKey",
    "SolveOptions",
    "SolverError",
    "Stability",
    "StablePlans",
    "StageStatistics",
    "Status",
    "Supervisor",
    "SupervisorAddition",
    "SupervisorLoad",
    "SupervisorOption",
    "SupervisorPlanning",
    "TrainSupervisor",
    "TrainingStatus",
    "TwoSidedPlan",
    "Unit",
    "UnitMetrics",
    "Unplaced",
    "UnplacedReason",
    "ValidationIssue",
    "Verification",
    "Violation",
    "__version__",
    "apply_scenario",
    "approve",
    "audit_record",
    "blocking_pairs",
    "check",
    "cohort_figures",
    "cohort_html",
    "compare_scenarios",
    "current_limits",
    "diagnose",
    "dump_problem",
    "dump_result",
    "evaluate_plan",
    "explain",
    "explain_all",
    "explain_infeasibility",
    "generate_keypair",
    "html_report",
    "load_audit",
    "load_plan",
    "load_problem",
    "load_public_key",
    "load_result",
    "load_scenarios",
    "load_signing_key",
    "next_round",
    "plan_diff",
    "plan_supervisors",
    "plot_result",
    "popular_plan",
    "popularity",
    "problem_from_arrow",
    "problem_from_frames",
    "problem_json_schema",
    "problem_to_arrow",
    "problem_to_frames",
    "reoptimise",
    "reproduce",
    "reserve_lists",
    "result_from_arrow",
    "result_from_frames",
    "result_json_schema",
    "result_to_arrow",
    "result_to_frames",
    "save_cohort_figures",
    "save_problem",
    "save_result",
    "solve",
    "solve_with_overrides",
    "stable_plans",
    "use_limits",
    "verify_approval",
    "verify_record",
    "write_keypair",
    "write_template",
]
