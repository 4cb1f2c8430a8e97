"""Ids to indices and the capacity arrays of a round: every axis sorted by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._types import IntArray

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["Encoding", "encode"]


@dataclass(frozen=True, eq=False)
class Encoding:
    """Id <-> index maps and the capacity structure, in sorted-id order.

    Axes: ``applicant`` indexes :attr:`applicant_ids`, ``supervisor`` :attr:`supervisor_ids`, ``unit``
    :attr:`unit_ids`, ``municipality`` :attr:`municipality_ids`. A missing cap is ``-1``.
    """

    applicant_ids: tuple[str, ...]
    supervisor_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]
    municipality_ids: tuple[str, ...]
    supervisor_unit: IntArray
    unit_municipality: IntArray
    supervisor_capacity: IntArray
    unit_max: IntArray
    unit_min: IntArray
    municipality_max: IntArray
    municipality_min: IntArray
    applicant_tier: IntArray
    applicant_index: Mapping[str, int] = field(repr=False)
    supervisor_index: Mapping[str, int] = field(repr=False)
    unit_index: Mapping[str, int] = field(repr=False)
    municipality_index: Mapping[str, int] = field(repr=False)

    @property
    def n_applicants(self) -> int:
        """Number of applicants."""
        return len(self.applicant_ids)

    @property
    def n_supervisors(self) -> int:
        """Number of supervisors."""
        return len(self.supervisor_ids)


def encode(problem: Problem) -> Encoding:
    applicants = sorted(problem.applicants, key=lambda a: a.id)
    supervisors = sorted(problem.supervisors, key=lambda s: s.id)
    units = sorted(problem.units, key=lambda u: u.id)
    municipalities = sorted(problem.municipalities, key=lambda m: m.id)
    a_idx = {a.id: i for i, a in enumerate(applicants)}
    s_idx = {s.id: i for i, s in enumerate(supervisors)}
    u_idx = {u.id: i for i, u in enumerate(units)}
    m_idx = {m.id: i for i, m in enumerate(municipalities)}
    return Encoding(
        applicant_ids=tuple(a.id for a in applicants),
        supervisor_ids=tuple(s.id for s in supervisors),
        unit_ids=tuple(u.id for u in units),
        municipality_ids=tuple(m.id for m in municipalities),
        supervisor_unit=np.array([u_idx[s.unit] for s in supervisors], dtype=np.int64),
        unit_municipality=np.array([m_idx[u.municipality] for u in units], dtype=np.int64),
        supervisor_capacity=np.array([s.capacity for s in supervisors], dtype=np.int64),
        unit_max=np.array([u.max_places for u in units], dtype=np.int64),
        unit_min=np.array([u.min_places for u in units], dtype=np.int64),
        municipality_max=np.array(
            [-1 if m.max_places is None else m.max_places for m in municipalities], dtype=np.int64
        ),
        municipality_min=np.array([m.min_places for m in municipalities], dtype=np.int64),
        applicant_tier=np.array([a.priority_tier or 0 for a in applicants], dtype=np.int64),
        applicant_index=a_idx,
        supervisor_index=s_idx,
        unit_index=u_idx,
        municipality_index=m_idx,
    )
