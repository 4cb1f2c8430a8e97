"""The acceptability rules as masks over candidate pairs, by name, in the order they are charged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._rules import REMOVAL_ORDER, trained_enough
from matchmaker._scoring.encoding import Encoding
from matchmaker._text import norm_key
from matchmaker._types import BoolArray, IntArray

if TYPE_CHECKING:
    from matchmaker._models import Applicant, Problem, Supervisor, Unit

__all__ = ["REMOVAL_RULES", "RULES", "Candidates"]


#: The order in which acceptability rules are applied to an applicant's wishes.
REMOVAL_RULES: tuple[str, ...] = REMOVAL_ORDER


@dataclass(frozen=True, slots=True)
class Candidates:
    """The wished (applicant, supervisor) pairs before the acceptability rules, and what the rules read."""

    problem: Problem
    enc: Encoding
    applicants: Sequence[Applicant]
    supervisors: Sequence[Supervisor]
    units: Sequence[Unit]
    applicant: IntArray
    supervisor: IntArray
    unit: IntArray


def _breaks_requirement(c: Candidates) -> BoolArray | None:
    """Pairs whose unit requires a qualification the applicant has not stated."""
    if not c.supervisor.size:
        return np.zeros(0, dtype=bool)
    none: frozenset[str] = frozenset()
    qual_sets: dict[frozenset[str], int] = {none: 0}  # most applicants state none: no set built for them
    qual_of = np.array(
        [
            qual_sets.setdefault(frozenset(norm_key(q) for q in a.qualifications), len(qual_sets))
            if a.qualifications
            else 0
            for a in c.applicants
        ],
        dtype=np.int64,
    )
    requirement_keys = [frozenset(norm_key(r) for r in u.requirements) for u in c.units]
    req_ok = np.array([[keys <= quals for keys in requirement_keys] for quals in qual_sets], dtype=bool).reshape(
        len(qual_sets), len(c.units)
    )
    breaks: BoolArray = ~req_ok[qual_of[c.applicant], c.unit]
    return breaks


def _breaks_conflict(c: Candidates) -> BoolArray | None:
    """Pairs that a declared conflict of interest (jäv) names, by unit or by supervisor."""
    enc, n_units, n_sup = c.enc, len(c.units), c.enc.n_supervisors
    bad_units: list[int] = []
    bad_sups: list[int] = []
    for ai, a in enumerate(c.applicants):  # one pass; most applicants declare none
        conflicts = a.conflicts
        if conflicts.units:
            bad_units.extend(ai * n_units + enc.unit_index[u] for u in conflicts.units)
        if conflicts.supervisors:
            bad_sups.extend(ai * n_sup + enc.supervisor_index[s] for s in conflicts.supervisors)
    if not bad_units and not bad_sups:
        return None
    return np.isin(c.applicant * n_units + c.unit, np.array(bad_units, dtype=np.int64)) | np.isin(
        c.applicant * n_sup + c.supervisor, np.array(bad_sups, dtype=np.int64)
    )


def _breaks_training(c: Candidates) -> BoolArray | None:
    """Pairs whose supervisor lacks the training the policy requires."""
    required = c.problem.policy.supervisor_training
    trained = np.array([trained_enough(s.training, required) for s in c.supervisors], dtype=bool)
    breaks: BoolArray = ~trained[c.supervisor]
    return breaks


def _breaks_capacity(c: Candidates) -> BoolArray | None:
    """Pairs with no capacity at some level: the supervisor, the unit or the municipality takes none."""
    enc = c.enc
    sup_unit = enc.supervisor_unit
    muni_of_sup = enc.unit_municipality[sup_unit] if enc.n_supervisors else np.empty(0, np.int64)
    has_capacity = (
        (enc.supervisor_capacity > 0) & (enc.unit_max[sup_unit] > 0) & (enc.municipality_max[muni_of_sup] != 0)
    )
    breaks: BoolArray = ~has_capacity[c.supervisor]
    return breaks


def _breaks_unit_ranking(c: Candidates) -> BoolArray | None:
    """Pairs whose unit ranks applicants itself and does not list this one."""
    ranked_unit = np.array([u.ranking is not None for u in c.units], dtype=bool)
    if not ranked_unit.any():
        return None
    n_units, index = len(c.units), c.enc.applicant_index
    listed = [
        index[ident] * n_units + ui for ui, u in enumerate(c.units) for ident in (u.ranking or {}) if ident in index
    ]
    breaks: BoolArray = ranked_unit[c.unit] & ~np.isin(c.applicant * n_units + c.unit, np.array(listed, dtype=np.int64))
    return breaks


def _breaks_availability(c: Candidates) -> BoolArray | None:
    """Pairs whose supervisor is unavailable in the applicant's period."""
    periods = sorted({p for s in c.supervisors for p in s.unavailable_periods})
    if not periods:
        return None
    period_index = {p: i for i, p in enumerate(periods)}
    unavailable = np.zeros((len(periods) + 1, c.enc.n_supervisors), dtype=bool)  # the last row: no such period
    for si, sup in enumerate(c.supervisors):
        for period_id in sup.unavailable_periods:
            unavailable[period_index[period_id], si] = True
    period_of = c.problem.period_of
    app_period = np.array(
        [
            period_index.get(p.id, len(periods)) if (p := period_of[a.id]) is not None else len(periods)
            for a in c.applicants
        ],
        dtype=np.int64,
    )
    breaks: BoolArray = unavailable[app_period[c.applicant], c.supervisor]
    return breaks


#: Each acceptability rule of :data:`REMOVAL_RULES`, by name, as the candidate pairs it rules out
#: (``None``: the round gives the rule nothing to rule out).
RULES: dict[str, Callable[[Candidates], BoolArray | None]] = {
    "requirement": _breaks_requirement,
    "conflict": _breaks_conflict,
    "training": _breaks_training,
    "no_capacity": _breaks_capacity,
    "unit_ranking": _breaks_unit_ranking,
    "availability": _breaks_availability,
}
