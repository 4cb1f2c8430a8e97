"""National scale (issue 23, item 4): the generator's national round, and deferred acceptance in rounds.

The engine answers a hospitals/residents round (a supervisor per unit, or one level of capacity that
cannot bind in each unit) by proposals in rounds over arrays; every other round by the loop of the
SPA-student algorithm. Both must give the same plan, the applicant-optimal one: here on random rounds
(pins included) and on a national-shaped round, where the checker confirms it independently. That plan
equals the `matching` package's in tests/test_stability.py. No duration is asserted: the figures are in
benchmarks/README.md.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import matchmaker as mm
from matchmaker._engines import deferred_acceptance as da
from matchmaker._scoring import score
from test_stability import SHAPES, random_strict_round

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import NATIONAL_PLACES, SPECS, build, build_national  # noqa: E402


def by_loop(monkeypatch: pytest.MonkeyPatch, problem: mm.Problem) -> Any:
    """The plan of the SPA-student loop alone (the rounds over arrays turned off)."""
    with monkeypatch.context() as m:
        m.setattr(da, "_hospitals", lambda *_: None)
        return da.deferred_acceptance(score(problem))


def test_the_national_generator_makes_a_valid_strict_round() -> None:
    raw, meta = build_national(1_000, seed=2)
    assert build_national(1_000, seed=2) == (raw, meta)
    assert build_national(1_000, seed=3)[0] != raw
    assert build(1_000, "national", 2) == (raw, meta)
    problem = mm.Problem.model_validate(raw)  # valid: raises otherwise
    assert len(problem.applicants) == 1_000
    assert len(problem.units) == len(problem.supervisors) == 20
    # One supervisor per unit, holding all of its places; about 1.1 places per applicant.
    caps = {s.unit: s.capacity for s in problem.supervisors}
    assert caps == {u.id: u.max_places for u in problem.units}
    assert abs(sum(caps.values()) - NATIONAL_PLACES * 1_000) <= 20
    # Each applicant ranks 5 to 10 distinct units strictly (ranks 1..k), and has one grade.
    for a in problem.applicants:
        assert a.ranking is not None
        ranks = sorted(a.ranking.units.values())
        assert 5 <= len(ranks) <= 10
        assert ranks == list(range(1, len(ranks) + 1))
        assert [s.criterion for s in a.interview] == ["betyg"]
        assert 1.0 <= a.interview[0].score <= 7.0
    # Popularity is skewed: the most wished unit is wished far more often than the least.
    wished = Counter(u for a in problem.applicants if a.ranking is not None for u in a.ranking.units)
    assert max(wished.values()) >= 3 * min(wished.values())
    assert problem.policy.stability is not None
    assert problem.policy.stability.mode == "applicant_optimal"


def test_the_capacity_round_of_issue_23_has_40000_supervisors() -> None:
    assert SPECS[100_000].supervisors == 40_000


def test_other_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="national"):
        build_national(123)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(25))
def test_rounds_over_arrays_equal_the_loop(seed: int, shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7_000 + seed)
    raw = random_strict_round(rng, rng.randint(3, 25), rng.randint(2, 5), shape)
    if seed % 3 == 0:  # a pinned applicant takes a place out first
        first = raw["applicants"][0]
        raw["pins"] = [{"applicant": first["id"], "supervisor": next(iter(first["ranking"]["supervisors"]))}]
    problem = mm.Problem.model_validate(raw)
    sc = score(problem)
    start = da._start(sc)
    assert start is not None
    if shape != "spa":
        assert da._hospitals(sc, start[2], start[3]) is not None
    fast = da.deferred_acceptance(sc)
    assert fast is not None
    assert np.array_equal(fast, by_loop(monkeypatch, problem))
    result = mm.solve(problem)
    assert result.statistics.engine == "deferred-acceptance"
    assert mm.check(problem, result).ok


def test_the_hospitals_are_found_only_where_one_level_cannot_bind() -> None:
    rng = random.Random(5)
    for shape in ("one", "supervisors", "unit"):
        sc = score(mm.Problem.model_validate(random_strict_round(rng, 12, 4, shape)))
        start = da._start(sc)
        assert start is not None
        assert da._hospitals(sc, start[2], start[3]) is not None, shape
    # Two supervisors of capacity 2 in a unit of 3: both levels can bind, so it is no hospitals round.
    raw = {
        "municipalities": [{"id": "M"}],
        "units": [{"id": "U0", "municipality": "M", "area": "A", "max_places": 3}],
        "supervisors": [{"id": f"U0S{i}", "unit": "U0", "capacity": 2} for i in range(2)],
        "applicants": [{"id": f"A{i}", "ranking": {"supervisors": {"U0S0": 1, "U0S1": 2}}} for i in range(5)],
        "policy": {"stability": {"mode": "applicant_optimal"}},
    }
    sc = score(mm.Problem.model_validate(raw))
    start = da._start(sc)
    assert start is not None
    assert da._hospitals(sc, start[2], start[3]) is None


@pytest.mark.slow
def test_a_national_shaped_round_of_20000_is_the_loops_plan_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    raw, _ = build_national(20_000, seed=1)
    problem = mm.Problem.model_validate(raw)
    result = mm.solve(problem)
    assert result.is_optimal
    assert result.statistics.engine == "deferred-acceptance"
    report = mm.check(problem, result)
    assert report.ok, report.violations[:3]
    assert result.decision.metrics is not None
    assert result.decision.metrics.blocking_pairs == 0
    fast = da.deferred_acceptance(score(problem))
    assert fast is not None
    assert np.array_equal(fast, by_loop(monkeypatch, problem))
    placed = {a.applicant for a in result.assignments}
    assert 0.85 * 20_000 < len(placed) < 20_000  # popular units turn applicants away; places are left over


def test_id_hashes_are_the_same_remembered_or_not() -> None:
    from matchmaker._lottery import _id_hash, id_hashes

    ids = tuple(f"A{i:03d}" for i in range(50))
    first = id_hashes(ids)
    assert id_hashes(ids) is first  # remembered for the tuple
    assert np.array_equal(id_hashes(list(ids)), first)
    assert np.array_equal(id_hashes(tuple(f"A{i:03d}" for i in range(50))), first)  # an equal tuple
    assert first.tolist() == [_id_hash(i) for i in ids]
    assert not first.flags.writeable  # shared, so nobody may change it
