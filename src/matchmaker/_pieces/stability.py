"""Stability as linear constraints: no blocking pair (see :mod:`matchmaker._blocking`).

For an acceptable pair ``p = (a, s)`` of a non-pinned applicant, with ``s`` in unit ``u`` of
municipality ``m``, let ``A`` be the sum of ``a``'s pairs at least as good as ``p`` (``a`` is placed no
worse). Binary variables say which supervisors, units and (capped) municipalities are full:
``theta_s``, ``phi_u``, ``mu_m``, tied to the counts by ``count - cap*theta >= 0`` and
``count - theta <= cap - 1``. ``z[a, m] = mu_m and a not in m``. Chains ``y[u, k]`` (and ``y[s, k]``)
are at least every placed, movable applicant of ``u`` (of ``s``) whose key in the unit's ranking
exceeds ``k``: they are 1 when ``u`` has someone it likes less than key ``k``, and the objective never
needs them higher. Then ``p`` does not block when:

* ``A + theta_s + phi_u + z[a, m] >= 1`` (not both ``s`` and ``u`` with room, with room in ``m`` or
  ``a`` already there);
* ``sum(a's pairs in u) - A - theta_s + phi_u <= 1`` (``u`` full: ``a`` is not elsewhere in ``u``);
* ``y[u, key(a)] - A - theta_s + phi_u <= 1`` (``u`` full: nobody in ``u`` ranked below ``a``);
* ``y[s, key(a)] - A + theta_s <= 1`` (``s`` full: nobody with ``s`` ranked below ``a``).

The rows use strict ranks (ties broken by the seeded lottery) or the original ranks (weak stability).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem

__all__ = ["Stable"]


class Stable:
    """No blocking pair, for strict (``strict=True``) or weak preferences."""

    name = "stability"

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def _full_flags(
        self,
        builder: ModelBuilder,
        kind: str,
        keys: npt.NDArray[np.int64],
        caps: npt.NDArray[np.int64],
        ids: tuple[str, ...],
    ) -> dict[int, int]:
        """A 'full' binary per entity with pairs and a cap; returns entity -> variable."""
        out: dict[int, int] = {}
        for e in np.unique(keys).tolist():
            cap = int(caps[e])
            if cap < 0:
                continue
            pairs = np.flatnonzero(keys == e)
            var = builder.add_var(0, 1, f"{kind}_full[{ids[e]}]")
            out[e] = var
            g = builder.add_group(f"stability_{kind}", ids[e], f"whether {kind} {ids[e]!r} is full", structural=True)
            ones = np.ones(pairs.size, dtype=np.int64)
            builder.add_row(g, np.r_[pairs, var], np.r_[ones, -cap], 0, pairs.size)
            builder.add_row(g, np.r_[pairs, var], np.r_[ones, -1], -1, cap - 1)
        return out

    def _chains(
        self,
        builder: ModelBuilder,
        kind: str,
        owner: npt.NDArray[np.int64],
        ukey: npt.NDArray[np.int64],
        movable: npt.NDArray[np.bool_],
        ids: tuple[str, ...],
    ) -> dict[tuple[int, int], int]:
        """y[e, k] >= x[q] for movable pairs q of entity e with key > k; returns (e, k) -> variable."""
        out: dict[tuple[int, int], int] = {}
        for e in np.unique(owner).tolist():
            mine = np.flatnonzero(owner == e)
            keys = sorted(set(ukey[mine].tolist()))
            g = builder.add_group(
                f"stability_chain_{kind}", ids[e], f"ranking chain of {kind} {ids[e]!r}", structural=True
            )
            previous: int | None = None
            for k in reversed(keys):  # from the worst key down
                var = builder.add_var(0, 1, f"{kind}_below[{ids[e]},{k}]")
                out[(e, k)] = var
                if previous is not None:
                    builder.add_row(g, np.array([var, previous]), np.array([1, -1]), 0, 1)
                # Only the pairs at the next key need a row: the chain carries the rest.
                nxt = [kk for kk in keys if kk > k]
                if nxt:
                    step = mine[(ukey[mine] == nxt[0]) & movable[mine]]
                    for q in step.tolist():
                        builder.add_row(g, np.array([var, q]), np.array([1, -1]), 0, 1)
                previous = var
        return out

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Full-flags, chains and the four non-blocking rows per pair."""
        builder.declare_not_lp_tight()  # blocking-pair rows: a weak LP relaxation
        if not self.strict:
            # With ties kept, the placed count merged with level 3 (total fit, a rank sum) is much harder
            # to prove than the placed count first, then level 3 held after it (figures:
            # benchmarks/README.md, "Stable rounds").
            builder.split_levels_at(3.0)
        sc = builder.scores
        enc = sc.encoding
        n = sc.n_pairs
        if n == 0:
            return
        pa = sc.applicant.astype(np.int64)
        ps = sc.supervisor.astype(np.int64)
        pu = sc.unit.astype(np.int64)
        pm = sc.municipality.astype(np.int64)
        arank = (sc.rank_strict if self.strict else sc.rank).astype(np.int64)
        ukey = (sc.unit_rank_strict if self.strict else sc.unit_rank).astype(np.int64)
        pinned = np.zeros(enc.n_applicants, dtype=bool)
        for pin in problem.pins:
            pinned[enc.applicant_index[pin.applicant]] = True
        movable = ~pinned[pa]
        theta = self._full_flags(builder, "supervisor", ps, enc.supervisor_capacity, enc.supervisor_ids)
        phi = self._full_flags(builder, "unit", pu, enc.unit_max, enc.unit_ids)
        mu = self._full_flags(builder, "municipality", pm, enc.municipality_max, enc.municipality_ids)
        y_unit = self._chains(builder, "unit", pu, ukey, movable, enc.unit_ids)
        y_sup = self._chains(builder, "supervisor", ps, ukey, movable, enc.supervisor_ids)
        by_applicant: dict[int, npt.NDArray[np.int64]] = defaultdict(lambda: np.empty(0, np.int64))
        starts = np.flatnonzero(np.r_[True, pa[1:] != pa[:-1]])
        for i, start in enumerate(starts.tolist()):
            end = int(starts[i + 1]) if i + 1 < starts.size else n
            by_applicant[int(pa[start])] = np.arange(start, end, dtype=np.int64)
        z: dict[tuple[int, int], int] = {}
        for p in range(n):
            a = int(pa[p])
            if pinned[a]:
                continue
            mine = by_applicant[a]
            better = mine[arank[mine] <= arank[p]]
            s, u, m = int(ps[p]), int(pu[p]), int(pm[p])
            th, ph = theta[s], phi[u]
            ident = f"{enc.applicant_ids[a]}|{enc.supervisor_ids[s]}"
            g = builder.add_group(
                "stability",
                ident,
                f"applicant {enc.applicant_ids[a]!r} and supervisor {enc.supervisor_ids[s]!r} do not block",
                structural=True,
            )
            ones = np.ones(better.size, dtype=np.int64)
            # Not both s and u with room (and m with room, or a already in m).
            idx = [*better.tolist(), th, ph]
            cf = [*ones.tolist(), 1, 1]
            if m in mu:
                key = (a, m)
                if key not in z:
                    zv = builder.add_var(0, 1, f"muni_closed[{enc.applicant_ids[a]},{enc.municipality_ids[m]}]")
                    in_m = mine[pm[mine] == m]
                    zg = builder.add_group("stability_muni", enc.applicant_ids[a], "municipality link", structural=True)
                    builder.add_row(zg, np.array([zv, mu[m]]), np.array([1, -1]), -1, 0)
                    builder.add_row(zg, np.r_[zv, in_m], np.r_[1, np.ones(in_m.size, np.int64)], 0, 1)
                    builder.add_row(
                        zg, np.r_[zv, mu[m], in_m], np.r_[1, -1, np.ones(in_m.size, np.int64)], 0, 2 + in_m.size
                    )
                    z[key] = zv
                idx.append(z[key])
                cf.append(1)
            builder.add_row(g, np.array(idx), np.array(cf), 1, len(idx))
            # u full: a is not elsewhere in u.
            in_u = mine[pu[mine] == u]
            row_idx = np.r_[in_u, better, th, ph]
            row_cf = np.r_[np.ones(in_u.size, np.int64), -ones, -1, 1]
            builder.add_row(g, row_idx, row_cf, -better.size - 1, 1)
            # u full: nobody in u ranked below a.
            yu = y_unit.get((u, int(ukey[p])))
            if yu is not None:
                builder.add_row(g, np.r_[yu, better, th, ph], np.r_[1, -ones, -1, 1], -better.size - 1, 1)
            # s full: nobody with s ranked below a.
            ys = y_sup.get((s, int(ukey[p])))
            if ys is not None:
                builder.add_row(g, np.r_[ys, better, th], np.r_[1, -ones, 1], -better.size, 1)
