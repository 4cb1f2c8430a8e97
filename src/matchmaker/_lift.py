"""A plan of a model without its slack rules, lifted to the whole model: exactly, or not at all.

A rule that only removes plans and adds no level of its own (:class:`~matchmaker._linear.SlackRule`:
the municipality ``ratio`` and ``within`` rules) may be left out of a first solve. If that model's
lexicographic optimum meets the rule, it is the optimum with the rule too: the rule removes plans but
not this one, and nothing the rule keeps is better on any level (the lottery's last level makes the
optimum unique, so it is the same plan). So a rule that does not bind costs one check instead of a
harder model (for the ratio rule: a network again, where with the rule the model is not one).

:func:`lift` is that check. The two models share the pair variables and, by name, every auxiliary of
the smaller one; the rule's own auxiliaries (``placed_total``) are read off the equality rows that
define them; then every row and bound of the whole model is evaluated in integers, and every level
must have the value it had without the rule.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from matchmaker._linear import LinearModel
from matchmaker._types import IntArray

__all__ = ["lift", "relax"]


def relax(full: LinearModel, kinds: frozenset[str]) -> LinearModel | None:
    """``full`` without the rows of the groups of ``kinds`` and the auxiliaries only they use, or
    ``None`` when another auxiliary is left (then the rest is no network, and the first try would not
    be cheap) or a level's thresholds name rows by index."""
    for lv in full.levels:
        if np.any(lv.indices >= full.n_pairs):
            return None
        if lv.kind == "threshold" and len(lv.thresholds) and lv.thresholds[0].row_lbs:
            return None
    kind_of = np.array([g.kind in kinds for g in full.groups], dtype=bool)
    keep = ~kind_of[full.row_group] if full.n_rows else np.zeros(0, bool)
    sizes = np.diff(full.indptr)
    kept_entries = np.repeat(keep, sizes)
    indices = full.indices[kept_entries]
    if np.any(indices >= full.n_pairs):
        return None
    n = full.n_pairs
    return dataclasses.replace(
        full,
        var_lb=full.var_lb[:n],
        var_ub=full.var_ub[:n],
        aux_names=(),
        indptr=np.r_[0, np.cumsum(sizes[keep])].astype(full.indptr.dtype),
        indices=indices,
        coefs=full.coefs[kept_entries],
        row_lb=full.row_lb[keep],
        row_ub=full.row_ub[keep],
        row_group=full.row_group[keep],
    )


def _carried(full: LinearModel, part: LinearModel, values: IntArray) -> tuple[IntArray, np.ndarray] | None:
    """``full``'s variables with the values ``part`` gives them, and which are known."""
    n = full.n_pairs
    if part.n_pairs != n or len(set(full.aux_names)) != len(full.aux_names):
        return None
    where = {name: n + i for i, name in enumerate(full.aux_names)}
    x = np.zeros(full.n_vars, np.int64)
    known = np.zeros(full.n_vars, bool)
    x[:n] = values[:n]
    known[:n] = True
    for i, name in enumerate(part.aux_names):
        j = where.get(name)
        if j is None or known[j]:
            return None
        x[j] = values[n + i]
        known[j] = True
    return x, known


def _derive(a: sp.csr_matrix, full: LinearModel, x: IntArray, known: np.ndarray) -> bool:
    """Fill the unknown variables that an equality row defines alone; ``False`` if one stays unknown."""
    equality = full.row_lb == full.row_ub
    pattern = a.copy()
    pattern.data = np.ones_like(pattern.data)
    while not known.all():
        unknown_per_row = np.asarray(pattern @ (~known).astype(np.int64))
        rows = np.flatnonzero(equality & (unknown_per_row == 1))
        if rows.size == 0:
            return False
        for r in rows:
            idx, coefs = full.row(int(r))
            free = ~known[idx]
            if free.sum() != 1:  # an earlier row of this pass defined it
                continue
            rest = int(full.row_lb[r]) - int(np.dot(coefs[~free], x[idx[~free]]))
            coef = int(coefs[free][0])
            if rest % coef:
                return False
            j = int(idx[free][0])
            x[j] = rest // coef
            known[j] = True
    return True


def lift(full: LinearModel, part: LinearModel, values: IntArray) -> IntArray | None:
    """``part``'s plan ``values`` as a plan of ``full`` (``part`` is ``full`` without some rules that
    add no level), or ``None`` if it breaks a row or bound of ``full`` or changes a level's value."""
    if [lv.name for lv in full.levels] != [lv.name for lv in part.levels]:
        return None
    carried = _carried(full, part, values)
    if carried is None:
        return None
    x, known = carried
    a = sp.csr_matrix((full.coefs, full.indices, full.indptr), shape=(full.n_rows, full.n_vars))
    if not _derive(a, full, x, known):
        return None
    if np.any(x < full.var_lb) or np.any(x > full.var_ub):
        return None
    activity = np.asarray(a @ x)
    if np.any(activity < full.row_lb) or np.any(activity > full.row_ub):
        return None
    same = all(f.value(x) == p.value(values) for f, p in zip(full.levels, part.levels, strict=True))
    return x if same else None
