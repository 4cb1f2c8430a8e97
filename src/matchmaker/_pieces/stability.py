"""Stability as linear constraints: no blocking pair (see :mod:`matchmaker._blocking`), in cutoff form.

For an acceptable pair ``p = (a, s)`` of a non-pinned applicant, with ``s`` in unit ``u`` of
municipality ``m`` and ``k`` the unit's key for ``a``, let ``A`` be the sum of ``a``'s pairs at least
as good as ``p`` (``a`` is placed no worse). Binaries say which supervisors, units and capped
municipalities are full (``theta_s``, ``phi_u``, ``mu_m``, exact: ``count - cap*theta >= 0`` and
``count - theta <= cap - 1``). A *closure* ``c[s, k]`` may be 1 only when ``s`` is full and nobody
movable with ``s`` has a key above ``k`` (``s`` would not take ``a``), the cutoff of score-limit models
(Agoston, Biro & McBride 2016): ``c[s, k] <= theta_s``, ``c[s, k] + x[q] <= 1`` for the pairs ``q``
ranked below ``k``; ``c[u, k]`` likewise for the unit. ``o[a, u]`` may be 1 only when ``u`` has room and
``a``'s capped municipality is full without ``a``. Then ``p`` does not block when:

* ``A + c[s, k] + c[u, k] + o[a, u] >= 1``;
* ``A + c[s, k] >= theta_s`` (``s`` full: nobody with ``s`` ranked below ``a``);
* ``A + c[s, k] >= x[q]`` for ``a``'s worse pairs ``q`` in ``u`` (moving within ``u`` needs no room
  in ``u``).

Each row dominates its big-M counterpart (``A >= theta_s + y[s, k] - 1`` with ``y >= x[q]``): a
fractional ``x[q]`` below ``a`` limits the closure, so the relaxation keeps what the chains lost.
The rows use strict ranks (ties broken by the seeded lottery) or the original ranks (weak stability).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem
    from matchmaker._scoring import Encoding

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

    def _closures(
        self,
        builder: ModelBuilder,
        kind: str,
        owner: npt.NDArray[np.int64],
        ukey: npt.NDArray[np.int64],
        movable: npt.NDArray[np.bool_],
        full: dict[int, int],
        ids: tuple[str, ...],
    ) -> dict[tuple[int, int], int]:
        """``closed[e, k] <= full_e`` and ``closed[e, k] + x[q] <= 1`` for the movable pairs ``q`` of entity
        ``e`` with a key above ``k``; returns (e, k) -> variable."""
        out: dict[tuple[int, int], int] = {}
        for e in np.unique(owner).tolist():
            mine = np.flatnonzero(owner == e)
            keys = sorted(set(ukey[mine].tolist()))
            g = builder.add_group(f"stability_closed_{kind}", ids[e], f"cutoffs of {kind} {ids[e]!r}", structural=True)
            later: int | None = None
            for i in range(len(keys) - 1, -1, -1):  # from the worst key up: closed at k implies closed below it
                k = keys[i]
                var = builder.add_var(0, 1, f"{kind}_closed[{ids[e]},{k}]")
                out[(e, k)] = var
                if later is None:
                    builder.add_row(g, np.array([var, full[e]]), np.array([1, -1]), -1, 0)
                else:
                    builder.add_row(g, np.array([var, later]), np.array([1, -1]), -1, 0)
                    # Only the pairs at the next key need a row: the chain carries the ones after them.
                    step = mine[(ukey[mine] == keys[i + 1]) & movable[mine]]
                    for q in step.tolist():
                        builder.add_row(g, np.array([var, q]), np.array([1, 1]), 0, 1)
                later = var
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
        closed_s = self._closures(builder, "supervisor", ps, ukey, movable, theta, enc.supervisor_ids)
        closed_u = self._closures(builder, "unit", pu, ukey, movable, phi, enc.unit_ids)
        starts = np.flatnonzero(np.r_[True, pa[1:] != pa[:-1]])
        ends = np.r_[starts[1:], n]
        by_applicant = {int(pa[b]): np.arange(b, e, dtype=np.int64) for b, e in zip(starts, ends, strict=True)}
        outside: dict[tuple[int, int], int] = {}
        for p in range(n):
            a = int(pa[p])
            if pinned[a]:
                continue
            mine = by_applicant[a]
            better = mine[arank[mine] <= arank[p]]
            s, u, m, k = int(ps[p]), int(pu[p]), int(pm[p]), int(ukey[p])
            cs, cu = closed_s[(s, k)], closed_u[(u, k)]
            ident = f"{enc.applicant_ids[a]}|{enc.supervisor_ids[s]}"
            g = builder.add_group(
                "stability",
                ident,
                f"applicant {enc.applicant_ids[a]!r} and supervisor {enc.supervisor_ids[s]!r} do not block",
                structural=True,
            )
            ones = np.ones(better.size, dtype=np.int64)
            # a is placed at p or better, or s is closed to a, or u is closed to a, or u has room but a's
            # capped municipality is full of others (a not there).
            idx = [*better.tolist(), cs, cu]
            if m in mu:
                if (a, u) not in outside:
                    outside[(a, u)] = self._kept_out(builder, enc, a, u, mu[m], phi[u], mine[pm[mine] == m])
                idx.append(outside[(a, u)])
            builder.add_row(g, np.array(idx), np.ones(len(idx), dtype=np.int64), 1, len(idx))
            # s full: a is placed at p or better, or nobody with s is ranked below a.
            builder.add_row(g, np.r_[better, cs, theta[s]], np.r_[ones, 1, -1], 0, better.size + 1)
            # a already in u at a worse pair: moving within u needs no room in u, so s must be closed to a.
            worse_in_u = mine[(pu[mine] == u) & (arank[mine] > arank[p])]
            if worse_in_u.size:
                row_cf = np.r_[ones, 1, -np.ones(worse_in_u.size, np.int64)]
                builder.add_row(g, np.r_[better, cs, worse_in_u], row_cf, 0, better.size + 1)

    @staticmethod
    def _kept_out(
        builder: ModelBuilder,
        enc: Encoding,
        a: int,
        u: int,
        mu_m: int,
        phi_u: int,
        in_m: npt.NDArray[np.int64],
    ) -> int:
        """A binary at most 'u has room and a's municipality is full without a'."""
        var = builder.add_var(0, 1, f"kept_out[{enc.applicant_ids[a]},{enc.unit_ids[u]}]")
        g = builder.add_group("stability_muni", enc.applicant_ids[a], "municipality link", structural=True)
        builder.add_row(g, np.array([var, mu_m]), np.array([1, -1]), -1, 0)
        builder.add_row(g, np.array([var, phi_u]), np.array([1, 1]), 0, 1)
        builder.add_row(g, np.r_[var, in_m], np.ones(in_m.size + 1, dtype=np.int64), 0, 1)
        return var
