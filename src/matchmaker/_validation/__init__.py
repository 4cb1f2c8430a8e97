"""Cross-record validation rules of a :class:`~matchmaker._models.Problem`.

Each rule appends :class:`~matchmaker.errors.ValidationIssue` s; :class:`Problem` raises one
:class:`~matchmaker.errors.ProblemValidationError` listing all of them. Field-level rules (types, ranges,
unknown fields) are enforced by the pydantic models themselves.

Rules checked here:

* ids unique per kind, also after case, whitespace and Unicode normalisation;
* every reference resolves (unit -> municipality, supervisor -> unit, interests, rankings, interview
  scores, conflicts, pins and adjustments);
* an area is spelled one way;
* minimum <= maximum for units and municipalities; a unit's minimum within its supervisors' total
  capacity; a municipality's minimum within its units' total maximum;
* rankings have no gaps and no entry twice; interests and ranking are not both given;
* interview scores lie within their scale, each scale has min < max, no score is given twice;
* criterion weights are not all zero when interviews count;
* a pin names exactly one place, no applicant is pinned twice, and no pin clashes with a conflict, a
  unit requirement or the supervisor-training rule;
* adjustments name a place that exists and are not given twice for the same pair;
* pair weights name an applicant and exactly one place (a supervisor or a unit) that exist, at most once
  per pair, with no more decimals than their scale allows and within range, and (unless the table says
  ``unwished="ignore"``) for a pair the applicant wished for or is pinned to;
* a round's periods end on or after their first day, and at most one period belongs to each university
  (and at most one to none); every applicant has a period when the round has any; an applicant's and a
  supervisor's periods exist;
* a step-1 placement (``previous_unit``/``previous_supervisor``) names a unit of the round, and a
  supervisor of the round who works there; a supervisor is not given without the unit;
* commitments name a supervisor of the round, end on or after their first day, and never exceed the
  supervisor's load limit by themselves;
* a group rule names a family some applicant carries and groups of it, one rule of each kind per family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._validation.applicants import applicants_pass, check_applicant, check_links, check_unit_rankings
from matchmaker._validation.capacity import check_areas, check_capacities, check_criteria
from matchmaker._validation.collector import Collector, check_ref, unique_ids
from matchmaker._validation.dates import check_commitments, check_periods, check_previous
from matchmaker._validation.groups import check_group_rules
from matchmaker._validation.places import check_adjustments, check_pair_weights, check_pins
from matchmaker.errors import ValidationIssue

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["problem_issues"]


def problem_issues(p: Problem) -> list[ValidationIssue]:
    """Every cross-record issue of ``p``, in a stable order."""
    out = Collector()
    for kind, ids in (
        ("municipalities", [m.id for m in p.municipalities]),
        ("units", [u.id for u in p.units]),
        ("supervisors", [s.id for s in p.supervisors]),
        ("applicants", [a.id for a in p.applicants]),
        ("criteria", [c.id for c in p.criteria]),
        ("round.periods", [q.id for q in p.round.periods] if p.round is not None else []),
    ):
        unique_ids(out, kind, ids)

    municipalities = p.municipality_by_id
    units = p.unit_by_id
    supervisors = p.supervisor_by_id

    for u in p.units:
        check_ref(out, f"units[{u.id!r}].municipality", "municipality", u.municipality, municipalities)

    for s in p.supervisors:
        check_ref(out, f"supervisors[{s.id!r}].unit", "unit", s.unit, units)

    check_areas(out, p)
    check_capacities(out, p)
    check_criteria(out, p)
    areas = {u.area for u in p.units}
    criteria = {c.id: c for c in p.criteria}
    if not applicants_pass(p, areas, criteria):  # else the applicants one by one say what is wrong and where
        for a in p.applicants:
            check_applicant(out, p, a, areas, criteria)
    check_pins(out, p, units, supervisors)
    check_adjustments(out, p, units, supervisors)
    check_pair_weights(out, p, units, supervisors)
    check_unit_rankings(out, p)
    check_links(out, p)
    check_periods(out, p)
    check_previous(out, p)
    check_commitments(out, p)
    check_group_rules(out, p)
    return out.issues
