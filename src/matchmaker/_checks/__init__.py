"""The independent checker: verifies any result against the raw problem, whoever produced it.

:func:`check` shares no code with scoring or model building. It re-derives from the problem's records,
in plain Python, which pairs are acceptable, every capacity at every level, each supervisor's load on
every date, the pins, the group rules, the fit of each placement and every level of the objective vector, and compares
them with the result. A repaired result is checked too: its diff against the previous plan, its hard
keeps and its level ``moved`` (against the previous result itself when it is given). It cannot prove
optimality (that would need a solver); it proves that the plan is valid and that every number the
result reports is true.
"""

from matchmaker._checks.checker import check, check_balance, check_links
from matchmaker._checks.groups import check_groups
from matchmaker._checks.levels import level_vector
from matchmaker._checks.report import CheckFailedError, CheckReport, Violation
from matchmaker._checks.stability import stability_audit
from matchmaker._checks.truth import Truth

__all__ = [
    "CheckFailedError",
    "CheckReport",
    "Truth",
    "Violation",
    "check",
    "check_balance",
    "check_groups",
    "check_links",
    "level_vector",
    "stability_audit",
]
