"""Pre-solve diagnostics: what the data already says, before any solving.

* supply and demand per area and per municipality: places offered, supervisor capacity, applicants
  who wish for it, and applicants who can actually be placed there;
* applicants with no acceptable option, and how many of their wishes each rule removed;
* unit and municipality minimums that cannot be reached (more than the applicants or the capacity
  available there);
* supervisors nobody can be placed with, and why;
* pins that cannot all hold (more pins on a supervisor, unit or municipality than its capacity).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from matchmaker._metrics import offered_places
from matchmaker._models import Problem
from matchmaker._rules import trained_enough
from matchmaker._scoring import REMOVAL_RULES, applicant_wishes, score
from matchmaker.explanations._types import Diagnostics, Finding, SupplyDemand

__all__ = ["diagnose"]


def diagnose(problem: Problem) -> Diagnostics:
    """Every finding about ``problem`` that needs no solver."""
    sc = score(problem)
    enc = sc.encoding
    findings: list[Finding] = []
    pair_unit = sc.unit
    pair_muni = sc.municipality
    policy = problem.policy

    wished_units: dict[str, set[str]] = {}
    for a in problem.applicants:
        wished_units[a.id] = {problem.supervisor_by_id[s].unit for s in applicant_wishes(problem, a.id)}

    supply: list[SupplyDemand] = []
    offered = offered_places(problem)
    for area in sorted({u.area for u in problem.units}):
        units = [u for u in problem.units if u.area == area]
        ids = {u.id for u in units}
        idx = [enc.unit_index[u] for u in ids]
        supply.append(
            SupplyDemand(
                scope="area",
                name=area,
                places=sum(u.max_places for u in units),
                supervisor_capacity=sum(s.capacity for s in problem.supervisors if s.unit in ids),
                wishing=sum(1 for w in wished_units.values() if w & ids),
                acceptable=int(np.unique(sc.applicant[np.isin(pair_unit, idx)]).size),
            )
        )
    for m in sorted(problem.municipalities, key=lambda m: m.id):
        ids = {u.id for u in problem.units if u.municipality == m.id}
        supply.append(
            SupplyDemand(
                scope="municipality",
                name=m.id,
                places=offered[m.id],
                supervisor_capacity=sum(s.capacity for s in problem.supervisors if s.unit in ids),
                wishing=sum(1 for w in wished_units.values() if w & ids),
                acceptable=int(np.unique(sc.applicant[pair_muni == enc.municipality_index[m.id]]).size),
            )
        )

    has_pairs = np.bincount(sc.applicant, minlength=enc.n_applicants) > 0
    for ai in np.flatnonzero(~has_pairs).tolist():
        removed = {rule: int(n) for rule, n in zip(REMOVAL_RULES, sc.removed[ai].tolist(), strict=True) if n}
        findings.append(
            Finding(
                code="no_acceptable_option",
                severity="warning",
                records=(enc.applicant_ids[ai],),
                params={"wished": int(sc.wished[ai]), **removed},
            )
        )

    for u in sorted(problem.units, key=lambda u: u.id):
        lo = u.min_places if policy.minimums == "hard" else 0
        if lo == 0:
            continue
        ui = enc.unit_index[u.id]
        candidates = int(np.unique(sc.applicant[pair_unit == ui]).size)
        capacity = sum(
            s.capacity
            for s in problem.supervisors
            if s.unit == u.id and trained_enough(s.training, policy.supervisor_training)
        )
        if candidates < lo or capacity < lo:
            findings.append(
                Finding(
                    code="minimum_unreachable",
                    severity="error",
                    records=(u.id,),
                    params={"minimum": lo, "applicants": candidates, "capacity": capacity},
                )
            )
    for m in sorted(problem.municipalities, key=lambda m: m.id):
        lo = m.min_places if policy.minimums == "hard" else 0
        if lo == 0:
            continue
        candidates = int(np.unique(sc.applicant[pair_muni == enc.municipality_index[m.id]]).size)
        if candidates < lo:
            findings.append(
                Finding(
                    code="minimum_unreachable",
                    severity="error",
                    records=(m.id,),
                    params={"minimum": lo, "applicants": candidates, "capacity": offered[m.id]},
                )
            )

    placed_with = Counter(sc.supervisor.tolist())
    for s in sorted(problem.supervisors, key=lambda s: s.id):
        if placed_with[enc.supervisor_index[s.id]]:
            continue
        if s.capacity == 0:
            why = "no_capacity"
        elif not trained_enough(s.training, policy.supervisor_training):
            why = "training"
        else:
            why = "no_acceptable_applicant"
        findings.append(Finding(code="idle_supervisor", severity="info", records=(s.id,), params={"why": why}))

    by_sup: Counter[str] = Counter(p.supervisor for p in problem.pins if p.supervisor is not None)
    by_unit: Counter[str] = Counter()
    by_muni: Counter[str] = Counter()
    for pin in problem.pins:
        unit = pin.unit if pin.unit is not None else problem.supervisor_by_id[pin.supervisor or ""].unit
        by_unit[unit] += 1
        by_muni[problem.unit_by_id[unit].municipality] += 1
    caps: list[tuple[str, int, int | None]] = [
        *((sid, n, problem.supervisor_by_id[sid].capacity) for sid, n in sorted(by_sup.items())),
        *((uid, n, problem.unit_by_id[uid].max_places) for uid, n in sorted(by_unit.items())),
        *((mid, n, problem.municipality_by_id[mid].max_places) for mid, n in sorted(by_muni.items())),
    ]
    for record, n, cap in caps:
        if cap is not None and n > cap:
            params: dict[str, int | str] = {"pins": n, "capacity": cap}
            findings.append(Finding(code="pins_over_capacity", severity="error", records=(record,), params=params))
    for k, (ai, pairs) in enumerate(sc.pins):
        if pairs.size == 0:
            findings.append(
                Finding(code="pin_without_place", severity="error", records=(enc.applicant_ids[ai],), params={"pin": k})
            )
    return Diagnostics(supply=tuple(supply), findings=tuple(findings))
