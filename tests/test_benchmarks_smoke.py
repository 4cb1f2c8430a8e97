"""The benchmark harness gives correct answers on its smallest instances. No duration is asserted here:
timings belong to ``python -m benchmarks.run``, never to the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import matchmaker as mm

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import Variant, build, ensure  # noqa: E402
from benchmarks.groups import with_groups  # noqa: E402
from benchmarks.instance import Arrays, arrays_of, export, level_names, load_arrays, save_arrays  # noqa: E402
from benchmarks.peers import PEERS, PeerOptions  # noqa: E402
from benchmarks.scenarios import JOINT, two_hundred  # noqa: E402
from benchmarks.verify import Evaluation, evaluate, pairs_of  # noqa: E402

OPTIONS = PeerOptions(time_limit=60.0, workers=1)


def plan_of(arrays: Arrays, result: mm.Result) -> np.ndarray:
    """The pair indices of ``result``'s assignments in ``arrays``."""
    return pairs_of(arrays, ((a.applicant, a.supervisor) for a in result.assignments))


def agrees_with_peer(arrays: Arrays, mine: Evaluation, peer: str) -> Evaluation:
    """Solve ``arrays`` with ``peer``; its plan keeps every rule and proves matchmaker's core levels."""
    outcome = PEERS[peer].solve(arrays, OPTIONS)
    assert outcome.status == "optimal"
    assert outcome.chosen is not None
    theirs = evaluate(arrays, outcome.chosen)
    assert theirs.ok, theirs.violations
    for level in level_names(arrays, lottery=False):
        assert theirs.levels[level] == mine.levels[level], level
    return theirs


def test_generator_is_deterministic() -> None:
    assert build(100, "side", seed=3) == build(100, "side", seed=3)
    assert build(100, "side", seed=3) != build(100, "side", seed=4)


@pytest.mark.parametrize("variant", ["dense", "sparse"])
def test_flow_peer_agrees_with_matchmaker(variant: Variant, tmp_path: Path) -> None:
    files = ensure(100, variant, seed=1, data_dir=tmp_path)
    arrays = export(files)
    save_arrays(arrays, files.arrays())
    arrays = load_arrays(files.arrays())
    problem = mm.load_problem(files.problem)
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert result.is_optimal
    mine = evaluate(arrays, plan_of(arrays, result))
    assert mine.ok, mine.violations
    assert mine.levels == dict(result.objective)

    theirs = agrees_with_peer(arrays, mine, "flow")
    assert theirs.levels["placed"] == len(result.assignments)
    assert theirs.levels["total_fit"] == sum(a.fit_points for a in result.assignments)


def test_scipy_peer_agrees_on_the_pure_assignment(tmp_path: Path) -> None:
    arrays = export(ensure(100, "dense", seed=1, data_dir=tmp_path))
    assert PEERS["scipy"].why_not(arrays) is None
    flow = PEERS["flow"].solve(arrays, OPTIONS)
    scipy = PEERS["scipy"].solve(arrays, OPTIONS)
    assert flow.chosen is not None
    assert scipy.chosen is not None
    a, b = evaluate(arrays, flow.chosen), evaluate(arrays, scipy.chosen)
    assert a.ok
    assert b.ok
    core = level_names(arrays, lottery=False)
    assert [a.levels[n] for n in core] == [b.levels[n] for n in core]


def test_verifier_catches_a_broken_plan(tmp_path: Path) -> None:
    arrays = export(ensure(100, "sparse", seed=1, data_dir=tmp_path))
    nobody = evaluate(arrays, np.empty(0, dtype=np.int64))
    assert nobody.ok
    assert nobody.levels["placed"] == 0
    everybody = evaluate(arrays, np.arange(arrays.n_pairs, dtype=np.int64))
    assert "applicants are placed more than once" in " ".join(everybody.violations)


def test_matching_peer_is_stable(tmp_path: Path) -> None:
    if not PEERS["matching"].installed():
        pytest.skip("the matching package is a bench-only dependency: pip install --group bench")
    arrays = export(ensure(100, "stable", seed=1, data_dir=tmp_path))
    outcome = PEERS["matching"].solve(arrays, OPTIONS)
    assert outcome.chosen is not None
    ev = evaluate(arrays, outcome.chosen)
    assert ev.ok, ev.violations
    assert ev.blocking == 0
    assert evaluate(arrays, outcome.chosen[1:]).blocking


@pytest.mark.parametrize("variant", ["dense", "weights"])
def test_peers_model_the_group_rate_rule(variant: Variant, tmp_path: Path) -> None:
    data, meta = build(100, variant, seed=1)
    problem = mm.Problem.model_validate(with_groups(data, 100, "university", 0.98, 5))
    arrays = arrays_of(problem, "groups", meta)
    save_arrays(arrays, tmp_path / "groups.npz")
    arrays = load_arrays(tmp_path / "groups.npz")
    assert arrays.group_rate == (49, 50, 5)
    assert not arrays.pure_network
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert result.is_optimal
    assert mm.check(problem, result).ok
    mine = evaluate(arrays, plan_of(arrays, result))
    assert mine.ok, mine.violations
    # The same round without the rule gives a plan that breaks it, and the verifier says so.
    free = problem.model_copy(update={"policy": problem.policy.model_copy(update={"group_rules": ()})})
    broken = evaluate(arrays, plan_of(arrays, mm.solve(free, mm.SolveOptions(workers=1))))
    assert "groups below 49/50 of the overall placement rate" in " ".join(broken.violations)
    # A plain CP-SAT model of the same rows keeps the rule and finds no better plan (within its limit it
    # may not prove its own optimum; when it does, the two agree). The limit is CP-SAT's deterministic
    # time with one worker, so the answer does not depend on how busy the machine is; the wall-clock
    # limit is only a safety net.
    outcome = PEERS["cpsat"].solve(arrays, PeerOptions(time_limit=600.0, workers=1, deterministic_limit=2.0))
    assert outcome.chosen is not None
    theirs = evaluate(arrays, outcome.chosen)
    assert theirs.ok, theirs.violations
    core = level_names(arrays, lottery=False)
    assert [theirs.levels[n] for n in core] <= [mine.levels[n] for n in core]
    if outcome.status == "optimal":
        assert [theirs.levels[n] for n in core] == [mine.levels[n] for n in core]


def test_rounds_pool_the_runs_and_hold_matchmaker_to_one_decision(tmp_path: Path) -> None:
    from benchmarks.run import Measurement, _parse, _pool, run_instance

    args = "--sizes 100 --variants sparse --peers flow --engines auto --measure solve,peers --repeats 1 --rounds 2"
    settings = _parse([*args.split(), "--data-dir", str(tmp_path), "--no-write"])
    report = run_instance(100, "sparse", settings)
    assert report.problems == []
    assert [(m.key, len(m.times)) for m in report.measurements] == [
        ("matchmaker solve [auto]", 2),
        ("matchmaker solve+check [auto]", 2),
        ("peer flow", 2),
    ]

    mine = report.measurements[0]
    other = Measurement(mine.key, mine.role, mine.task, status="optimal", times=[1.0], levels=dict(mine.levels))
    other.chosen = (mine.chosen or [])[1:]
    _pool(mine, other, 3, report)
    assert report.problems == [f"MISMATCH {mine.key}: round 3 gave a different decision from round 1"]
    assert len(mine.times) == 3


def test_checker_timing_agrees_and_flags_a_forged_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.checker import load_round, main

    args = ["--sizes", "100", "--variants", "side,stable", "--repeats", "1", "--data-dir", str(tmp_path)]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "| 100 side |" in table
    assert "| 100 stable |" in table
    # A forged fit in the cached result: the checker finds it, and the run fails.
    _, result = load_round(100, "side", tmp_path)
    first, *rest = result.decision.assignments
    forged = first.model_copy(update={"fit_points": first.fit_points + 1})
    decision = result.decision.model_copy(update={"assignments": (forged, *rest)})
    mm.dump_result(result.model_copy(update={"decision": decision}), tmp_path / "g1-100-side-s1.result.json")
    assert main(args) == 1
    assert "side check: check: " in capsys.readouterr().out


def test_the_scenario_batch_has_200_named_what_ifs_of_the_joint_example() -> None:
    problem = mm.load_problem(JOINT)
    batch = two_hundred(problem)
    assert len({s.name for s in batch}) == len(batch) == 200
    assert two_hundred(problem) == batch  # the same batch every run
    kinds = {change.kind for s in batch for change in s.changes}
    assert kinds == {"places", "add_supervisor", "remove_supervisor", "weights"}
    invalid: dict[str, set[str]] = {}
    for scenario in batch:  # every change names a record of the example (a wrong id raises InputError)
        try:
            mm.apply_scenario(problem, scenario)
        except mm.ProblemValidationError as exc:  # a what-if all the same: the comparison reports it invalid
            invalid[scenario.name] = {i.location for i in exc.issues}
    # Tyresö's unit for work and income needs 3 students: fewer places or a supervisor away break it.
    broken = {"units['tyreso-af'].min_places"}
    assert invalid == dict.fromkeys(
        ("tyreso-af-h3 away", "tyreso-af -2", "tyreso-af -1", "huddinge-bou-h1 and tyreso-af-h3 away"), broken
    )


def test_archive_benchmark_builds_a_verified_history(tmp_path: Path) -> None:
    from benchmarks.archive import run

    figures = run(tmp_path / "history.sqlite", years=2, per_round=12, repeats=1)
    assert (figures["rounds"], figures["applicants"]) == (4, 48)
    assert figures["placements"] == 4 * round(0.6 * 12)  # every place filled: each wish list covers enough units
    assert figures["archive_bytes"] == (tmp_path / "history.sqlite").stat().st_size
    with mm.Archive(tmp_path / "history.sqlite") as archive:
        assert [e.key for e in archive.rounds()] == ["2007-VT-1", "2007-HT-1", "2008-VT-1", "2008-HT-1"]


def test_columnar_benchmark_loads_the_json_routes_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyarrow")
    from benchmarks.columnar import main

    assert main(["--size", "100", "--variant", "weights", "--rounds", "1", "--breakdown"]) == 0  # same fingerprint
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert '"same_fingerprint": true' in summary


def test_the_joint_profile_bounds_the_proven_first_stage() -> None:
    """The first stage's LP bound with the stability rows lies between the proven optimum and the bound
    without them (a relaxation of a relaxation), on a small stable round with binding caps."""
    from benchmarks.stable_joint import first_stage_bounds
    from benchmarks.stable_rounds import build_round

    problem = mm.Problem.model_validate(build_round(30, 1))
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert mm.check(problem, result).ok
    first = result.statistics.stages[0]
    assert first.status == "optimal"
    assert first.value is not None
    kept, dropped = first_stage_bounds(problem)
    assert first.value - 1e-6 <= kept <= dropped + 1e-6
