"""Linked applicants: ``apart``, ``same_unit`` and ``same_municipality`` links, hard or soft.

* ``apart``: the two are never placed in the same unit;
* ``same_unit`` / ``same_municipality``: the two are placed in the same unit (municipality). A hard
  link allows only that, or neither placed; a soft link counts as honoured only when both are placed
  together.

Soft links are counted at level ``link_violations`` (position 2.3, minimised): after the placed count,
before the policy's objective.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._linear import Level

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Link, Problem
    from matchmaker._types import IntArray

__all__ = ["Links", "link_violated"]

_WORDS = {
    "apart": "are never placed in the same unit",
    "same_unit": "are placed in the same unit, or neither is placed",
    "same_municipality": "are placed in the same municipality, or neither is placed",
}


def link_violated(relation: str, place_a: tuple[str, str] | None, place_b: tuple[str, str] | None) -> bool:
    """Whether a plan violates a link, given each applicant's (unit, municipality) or ``None``.

    For a soft ``same_*`` link "violated" means "not placed together"; a hard one is also satisfied by
    neither being placed (see the module docstring); callers handle that case.
    """
    if relation == "apart":
        return place_a is not None and place_b is not None and place_a[0] == place_b[0]
    level = 0 if relation == "same_unit" else 1
    return place_a is None or place_b is None or place_a[level] != place_b[level]


class Links:
    """The problem's links: hard ones as constraints, soft ones as a minimised count."""

    name = "links"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Rows per link and shared place; one level if any link is soft."""
        if not problem.links:
            return
        sc = builder.scores
        enc = sc.encoding
        n = sc.n_pairs
        pair_unit = sc.unit
        pair_muni = sc.municipality
        by_app_unit: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        by_app_muni: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for p, (a, u, m) in enumerate(zip(sc.applicant.tolist(), pair_unit.tolist(), pair_muni.tolist(), strict=True)):
            by_app_unit[a][u].append(p)
            by_app_muni[a][m].append(p)
        violation_vars: list[int] = []
        soft_links: list[Link] = []
        for link in sorted(problem.links, key=lambda k: (k.applicants, k.relation)):
            a = enc.applicant_index[link.applicants[0]]
            b = enc.applicant_index[link.applicants[1]]
            record = f"{link.applicants[0]}~{link.applicants[1]}"
            label = f"applicants {link.applicants[0]!r} and {link.applicants[1]!r} {_WORDS[link.relation]}"
            g = builder.add_group("link", record, label if link.hard else f"(wish) {label}")
            groups_a, groups_b = (
                (by_app_unit[a], by_app_unit[b])
                if link.relation != "same_municipality"
                else (by_app_muni[a], by_app_muni[b])
            )
            v = -1 if link.hard else builder.add_var(0, 1, f"link_violated[{record}]")
            if not link.hard:
                violation_vars.append(v)
                soft_links.append(link)
            if link.relation == "apart":
                # Never both in one unit (a soft link may break this once, counted by v).
                for place in sorted(set(groups_a) & set(groups_b)):
                    idx = np.array(groups_a[place] + groups_b[place], dtype=np.int64)
                    if link.hard:
                        builder.add_row(g, idx, 1, 0, 1)
                    else:
                        builder.add_row(g, np.r_[idx, v], np.r_[np.ones(idx.size, np.int64), -1], -1, 1)
            elif link.hard:
                # Together: in every unit (municipality) both or neither.
                for place in sorted(set(groups_a) | set(groups_b)):
                    ia = np.array(groups_a.get(place, []), dtype=np.int64)
                    ib = np.array(groups_b.get(place, []), dtype=np.int64)
                    builder.add_row(
                        g, np.r_[ia, ib], np.r_[np.ones(ia.size, np.int64), -np.ones(ib.size, np.int64)], 0, 0
                    )
            else:
                # Soft together: y[place] <= each side's placements there; sum(y) + v = 1.
                shared = sorted(set(groups_a) & set(groups_b))
                ys = []
                for place in shared:
                    y = builder.add_var(0, 1, f"link_together[{record},{place}]")
                    ys.append(y)
                    for side in (groups_a[place], groups_b[place]):
                        idx = np.array(side, dtype=np.int64)
                        builder.add_row(g, np.r_[idx, y], np.r_[np.ones(idx.size, np.int64), -1], 0, idx.size)
                builder.add_row(g, np.array([*ys, v], dtype=np.int64), 1, 1, 1)
        if not violation_vars:
            return
        unit_of = enc.unit_ids
        muni_of = enc.municipality_ids
        pair_a = sc.applicant

        def violations(values: IntArray) -> int:
            placed = np.flatnonzero(values[:n] == 1)
            where = {
                enc.applicant_ids[int(pair_a[p])]: (unit_of[int(pair_unit[p])], muni_of[int(pair_muni[p])])
                for p in placed.tolist()
            }
            return sum(
                link_violated(k.relation, where.get(k.applicants[0]), where.get(k.applicants[1])) for k in soft_links
            )

        builder.add_level(
            Level(
                "link_violations",
                "min",
                "soft links not honoured",
                np.array(violation_vars, dtype=np.int64),
                np.ones(len(violation_vars), dtype=np.int64),
                0,
                len(violation_vars),
                position=2.3,
                evaluate=violations,
            )
        )
