"""Human review: evaluate a coordinator's own plan, override with reasons, approve, and reproduce.

* :mod:`~matchmaker.review.plan` and :mod:`~matchmaker.review.io`: a plan made by hand, read from JSON,
  CSV or a workbook;
* :mod:`~matchmaker.review.evaluate`: its broken rules, objective vector, gap to the optimum, blocking
  pairs and every difference from the optimum explained (:func:`evaluate_plan`);
* :mod:`~matchmaker.review.overrides`: pins and forbidden pairs by an official, with reasons, their
  cost, and conflicts between them (:func:`solve_with_overrides`);
* :mod:`~matchmaker.review.audit`: approval, the audit record and its reproduction (:func:`approve`,
  :func:`verify_approval`, :func:`audit_record`, :func:`reproduce`).
"""

from matchmaker.review.audit import (
    AUDIT_SCHEMA_VERSION,
    Approval,
    ApprovalError,
    AuditRecord,
    Discrepancy,
    Reproduction,
    approve,
    audit_record,
    decision_fingerprint,
    records_fingerprint,
    reproduce,
    verify_approval,
)
from matchmaker.review.evaluate import (
    BlockingPair,
    Counterfactual,
    LevelGap,
    PlanDifference,
    PlanEvaluation,
    PlanViolation,
    StabilityReport,
    evaluate_plan,
    plan_result,
)
from matchmaker.review.io import dump_plan, load_plan
from matchmaker.review.overrides import (
    Override,
    OverrideConflict,
    OverrideCost,
    OverrideOutcome,
    apply_overrides,
    solve_with_overrides,
)
from matchmaker.review.plan import Plan, PlanEntry

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "Approval",
    "ApprovalError",
    "AuditRecord",
    "BlockingPair",
    "Counterfactual",
    "Discrepancy",
    "LevelGap",
    "Override",
    "OverrideConflict",
    "OverrideCost",
    "OverrideOutcome",
    "Plan",
    "PlanDifference",
    "PlanEntry",
    "PlanEvaluation",
    "PlanViolation",
    "Reproduction",
    "StabilityReport",
    "apply_overrides",
    "approve",
    "audit_record",
    "decision_fingerprint",
    "dump_plan",
    "evaluate_plan",
    "load_plan",
    "plan_result",
    "records_fingerprint",
    "reproduce",
    "solve_with_overrides",
    "verify_approval",
]
