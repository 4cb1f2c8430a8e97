"""The stability audit: every blocking pair of a plan, on arrays.

A pair (applicant ``a``, supervisor ``s`` in unit ``u`` of municipality ``m``) *blocks* a plan when the
pair is acceptable, ``a`` is not pinned, ``a`` strictly prefers ``s`` to their placement (or is
unplaced), and one of these holds (Abraham, Irving & Manlove 2007, the unit in the lecturer's role,
the supervisor in the project's; a municipality cap is respected as a third level):

* ``undersubscribed``: ``s`` and ``u`` have room, and so has ``m`` unless ``a`` is already placed there;
* ``unit_full``: ``s`` has room, ``u`` is full, and ``a`` is already in ``u`` or ``u`` strictly prefers
  ``a`` to one of its placed applicants;
* ``supervisor_full``: ``s`` is full and ``u`` strictly prefers ``a`` to one of the applicants placed
  with ``s``.

Pinned applicants never block and are never displaced. With ``strict=True`` both sides' ties are first
broken by the seeded lottery (:func:`matchmaker._scoring.strict_ranks`); otherwise ties are kept and a
pair blocks only on strict preferences (weak stability).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from matchmaker._engines.blocking import blocking_cases
from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker._scoring import Scores, score
from matchmaker.errors import InputError, ValidationIssue

__all__ = [
    "BlockingPair",
    "blocking_pairs",
    "blocking_pairs_of_scores",
    "check_plan_ids",
    "count_blocking_at",
    "count_blocking_pairs",
]

Case = Literal["undersubscribed", "unit_full", "supervisor_full"]


class BlockingPair(BaseModel):
    """An applicant and a supervisor who would both rather be together than keep the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant: str
    supervisor: str
    unit: str
    case: Case


def check_plan_ids(sc: Scores, plan: Mapping[str, str]) -> None:
    """Refuse a plan (applicant id -> supervisor id) that names an applicant or supervisor the problem
    does not have, with every such entry listed."""
    enc = sc.encoding
    issues = [
        ValidationIssue.of(
            f"plan[{a_id!r}]",
            msg("names an applicant the problem does not have")
            if a_id not in enc.applicant_index
            else msg("names a supervisor the problem does not have"),
            msg(
                "use the ids of the problem's applicants and supervisors, or check that plan and problem "
                "belong together"
            ),
        )
        for a_id, s_id in sorted(plan.items())
        if a_id not in enc.applicant_index or s_id not in enc.supervisor_index
    ]
    if issues:
        raise InputError(issues)


def _blocking(
    problem: Problem, sc: Scores, plan: Mapping[str, str], strict: bool
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The three blocking cases as masks over the scored pairs (see the module docstring)."""
    enc = sc.encoding
    pa = sc.applicant.astype(np.int64)
    ps = sc.supervisor.astype(np.int64)
    n_s = enc.n_supervisors
    # the plan's pairs, found by key (applicant * supervisors + supervisor), not by a scan per entry
    chosen = [
        enc.applicant_index[a_id] * n_s + enc.supervisor_index[s_id]
        for a_id, s_id in plan.items()
        if a_id in enc.applicant_index and s_id in enc.supervisor_index
    ]
    placed = np.isin(pa * n_s + ps, np.array(chosen, dtype=np.int64)) if chosen else np.zeros(sc.n_pairs, dtype=bool)
    cases = blocking_cases(sc, placed, _pinned(problem, sc), strict=strict)
    return cases.undersubscribed, cases.unit_full, cases.supervisor_full


def count_blocking_at(problem: Problem, sc: Scores, placed: npt.NDArray[np.bool_], *, strict: bool = False) -> int:
    """How many blocking pairs the plan has whose pairs are ``placed`` (a mask over the scored pairs)."""
    if sc.n_pairs == 0:
        return 0
    cases = blocking_cases(sc, placed, _pinned(problem, sc), strict=strict)
    return int(np.count_nonzero(cases.undersubscribed | cases.unit_full | cases.supervisor_full))


def _pinned(problem: Problem, sc: Scores) -> npt.NDArray[np.bool_]:
    enc = sc.encoding
    pinned = np.zeros(enc.n_applicants, dtype=bool)
    for pin in problem.pins:
        pinned[enc.applicant_index[pin.applicant]] = True
    return pinned


def count_blocking_pairs(problem: Problem, sc: Scores, plan: Mapping[str, str], *, strict: bool = False) -> int:
    """How many blocking pairs ``plan`` has (what :func:`blocking_pairs_of_scores` lists)."""
    if sc.n_pairs == 0:
        return 0
    case_a, case_b, case_c = _blocking(problem, sc, plan, strict)
    return int(np.count_nonzero(case_a | case_b | case_c))


def blocking_pairs_of_scores(
    problem: Problem, sc: Scores, plan: Mapping[str, str], *, strict: bool = False
) -> tuple[BlockingPair, ...]:
    """Every blocking pair of ``plan`` (applicant id -> supervisor id) over the scored pairs."""
    if sc.n_pairs == 0:
        return ()
    enc = sc.encoding
    case_a, case_b, case_c = _blocking(problem, sc, plan, strict)
    out: list[BlockingPair] = []
    for p in np.flatnonzero(case_a | case_b | case_c).tolist():
        case: Case = "undersubscribed" if case_a[p] else ("unit_full" if case_b[p] else "supervisor_full")
        out.append(
            BlockingPair(
                applicant=enc.applicant_ids[int(sc.applicant[p])],
                supervisor=enc.supervisor_ids[int(sc.supervisor[p])],
                unit=enc.unit_ids[int(sc.unit[p])],
                case=case,
            )
        )
    return tuple(out)


def blocking_pairs(
    problem: Problem, plan: Result | Mapping[str, str], *, strict: bool = False
) -> tuple[BlockingPair, ...]:
    """Every blocking pair of a result or of a plan given from outside (applicant id -> supervisor id),
    sorted by applicant then supervisor. See the module docstring for the definition. A placement at
    a pair that is not acceptable counts as no placement.

    Raises:
        InputError: if the plan names an applicant or a supervisor the problem does not have.
    """
    mapping = {a.applicant: a.supervisor for a in plan.assignments} if isinstance(plan, Result) else dict(plan)
    sc = score(problem)
    check_plan_ids(sc, mapping)
    return blocking_pairs_of_scores(problem, sc, mapping, strict=strict)
