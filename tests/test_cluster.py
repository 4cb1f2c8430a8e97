"""Scenario batches on a local Dask cluster and a local Ray: the same comparison, byte for byte, as the
sequential run, and the problem shipped to the cluster once, not once per scenario."""

from __future__ import annotations

import operator
import pickle
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import pytest

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._canonical import problem_fingerprint
from matchmaker._cluster import share
from matchmaker._models import Problem

pytestmark = pytest.mark.slow  # each cluster takes seconds to start; CI runs these all the same

JOINT = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"


@pytest.fixture(scope="module")
def joint() -> mm.Problem:
    return mm.load_problem(JOINT)


def twenty_scenarios(problem: mm.Problem) -> list[mm.Scenario]:
    """Twenty what-ifs of ``problem``: supervisors away, places added and removed, and one that names a
    supervisor the problem does not have (reported invalid, through the cluster too)."""
    out = [
        mm.Scenario(name=f"{s.id} away", changes=[mm.RemoveSupervisor(supervisor=s.id)])
        for s in problem.supervisors[:10]
    ]
    out += [
        mm.Scenario(name=f"{u.id} {places:+d}", changes=[mm.ChangePlaces(unit=u.id, places=places)])
        for u in problem.units[:4]
        for places in (-1, 2)
    ]
    out.append(mm.Scenario(name="interviews", changes=[mm.ChangeWeights(interest_weight=0.2, interview_weight=0.8)]))
    out.append(mm.Scenario(name="nobody away", changes=[mm.RemoveSupervisor(supervisor="nobody")]))
    assert len(out) == 20
    return out


@pytest.fixture(scope="module")
def sequential(joint: mm.Problem) -> bytes:
    """The comparison run here, one scenario after the other, as JSON."""
    return mm.compare_scenarios(joint, twenty_scenarios(joint)).model_dump_json().encode()


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client.get_executor()


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[mm.RayExecutor]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield mm.RayExecutor()
    finally:
        ray.shutdown()


class Pickles:
    """Counts, in this (the driver's) process, how often a problem is pickled."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = Problem.__getstate__

        def counting(problem: Problem) -> dict[Any, Any]:
            self.count += 1
            return original(problem)

        monkeypatch.setattr(Problem, "__getstate__", counting)


def test_the_counter_counts_each_pickling(joint: mm.Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    pickles = Pickles(monkeypatch)
    for _ in range(3):
        pickle.dumps(joint)
    assert pickles.count == 3


def test_a_batch_on_dask_is_the_sequential_batch_and_ships_the_problem_once(
    joint: mm.Problem, sequential: bytes, dask_executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    pickles = Pickles(monkeypatch)
    comparison = mm.compare_scenarios(joint, twenty_scenarios(joint), executor=dask_executor)
    assert pickles.count == 1
    assert comparison.model_dump_json().encode() == sequential
    assert comparison.scenarios[-1].status is None
    assert "nobody" in (comparison.scenarios[-1].message or "")


def test_a_batch_on_ray_is_the_sequential_batch_and_ships_the_problem_once(
    joint: mm.Problem, sequential: bytes, ray_executor: mm.RayExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    pickles = Pickles(monkeypatch)
    comparison = mm.compare_scenarios(joint, twenty_scenarios(joint), executor=ray_executor)
    assert pickles.count == 1
    assert comparison.model_dump_json().encode() == sequential


def test_a_task_on_dask_gets_the_problem_from_the_shared_handle(joint: mm.Problem, dask_executor: Executor) -> None:
    handle = share(dask_executor, joint)
    assert handle is not joint
    fingerprints = [dask_executor.submit(problem_fingerprint, handle) for _ in range(4)]
    assert {f.result() for f in fingerprints} == {joint.fingerprint()}


def test_a_dask_client_passed_as_the_executor_ships_the_problem_once_too(
    joint: mm.Problem, sequential: bytes, dask_executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = dask_executor._client  # type: ignore[attr-defined]
    pickles = Pickles(monkeypatch)
    comparison = mm.compare_scenarios(joint, twenty_scenarios(joint), executor=client)
    assert pickles.count == 1
    assert comparison.model_dump_json().encode() == sequential


def test_the_ray_executor_behaves_as_an_executor(ray_executor: mm.RayExecutor) -> None:
    assert list(ray_executor.map(operator.mul, [1, 2, 3], [4, 5, 6])) == [4, 10, 18]
    with pytest.raises(ZeroDivisionError):
        ray_executor.submit(operator.truediv, 1, 0).result()
    handle = share(ray_executor, [1, 2, 3])
    assert handle != [1, 2, 3]  # a reference to the object store, which the task gets as the list
    assert ray_executor.submit(sum, handle).result() == 6


def test_a_shut_down_ray_executor_takes_no_more_calls(ray_executor: mm.RayExecutor) -> None:
    executor = mm.RayExecutor()
    assert executor.submit(operator.add, 2, 3).result() == 5
    executor.shutdown()
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(operator.add, 2, 3)


def test_other_executors_get_the_problem_itself(joint: mm.Problem) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert share(pool, joint) is joint


def test_without_ray_the_executor_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails as if it were not installed
    with pytest.raises(mm.MissingExtraError, match=r"pip install 'matchmaker\[ray\]'"):
        mm.RayExecutor()
