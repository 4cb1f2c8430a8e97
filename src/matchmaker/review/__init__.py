"""Human review: evaluate a coordinator's own plan, override with reasons, approve, and reproduce.

* :mod:`~matchmaker.review._plan`: a plan made by hand (read from JSON, CSV or a workbook by
  :mod:`matchmaker.io._plans`);
* :mod:`~matchmaker.review._evaluate`: its broken rules, objective vector, gap to the optimum, blocking
  pairs and every difference from the optimum explained (:func:`evaluate_plan`);
* :mod:`~matchmaker.review._overrides`: pins and forbidden pairs by an official, with reasons, their
  cost, and conflicts between them (:func:`solve_with_overrides`);
* :mod:`~matchmaker.review._audit`: approval, the audit record and its reproduction (:func:`approve`,
  :func:`verify_approval`, :func:`audit_record`, :func:`reproduce`);
* :mod:`~matchmaker.review._signing`: the office's key pair and signed approvals (:func:`generate_keypair`);
* :mod:`~matchmaker.review._verify`: a record checked without solving again (:func:`verify_record`).
"""

from matchmaker.review._audit import (
    AUDIT_SCHEMA_VERSION,
    Approval,
    ApprovalError,
    AuditRecord,
    approve,
    audit_record,
    decision_fingerprint,
    migration_notice,
    records_fingerprint,
    verify_approval,
)
from matchmaker.review._evaluate import (
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
from matchmaker.review._overrides import (
    Override,
    OverrideConflict,
    OverrideCost,
    OverrideOutcome,
    apply_overrides,
    solve_with_overrides,
)
from matchmaker.review._plan import Plan, PlanEntry
from matchmaker.review._reproduce import Discrepancy, Reproduction, reproduce
from matchmaker.review._signing import PublicKey, Signature, SigningKey, generate_keypair
from matchmaker.review._verify import Finding, Verification, verify_record

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "Approval",
    "ApprovalError",
    "AuditRecord",
    "BlockingPair",
    "Counterfactual",
    "Discrepancy",
    "Finding",
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
    "PublicKey",
    "Reproduction",
    "Signature",
    "SigningKey",
    "StabilityReport",
    "Verification",
    "apply_overrides",
    "approve",
    "audit_record",
    "decision_fingerprint",
    "evaluate_plan",
    "generate_keypair",
    "migration_notice",
    "plan_result",
    "records_fingerprint",
    "reproduce",
    "solve_with_overrides",
    "verify_approval",
    "verify_record",
]
