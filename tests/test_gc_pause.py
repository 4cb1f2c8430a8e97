"""Loading pauses the cyclic garbage collector and always restores the state it found."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import matchmaker as mm
from matchmaker import _gc

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sodertalje" / "problem.json"


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_pause_disables_and_restores() -> None:
    gc.enable()
    with _gc.paused():
        assert not gc.isenabled()
        with _gc.paused():  # nested: still paused
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    with _gc.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    mm.load_problem(EXAMPLE)
    assert not gc.isenabled()


def test_an_error_inside_still_restores() -> None:
    gc.enable()
    with pytest.raises(mm.ProblemValidationError):
        mm.Problem.model_validate({"applicants": [{"id": "A"}, {"id": "A"}]})
    assert gc.isenabled()
    with pytest.raises(mm.InputFileError):
        mm.io.problem_from_json("{not json")
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_end_with_the_last() -> None:
    gc.enable()
    inside = threading.Barrier(2)
    first_done = threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with _gc.paused():
            inside.wait()
        first_done.set()

    def second() -> None:
        with _gc.paused():
            inside.wait()
            first_done.wait()
            seen.append(gc.isenabled())  # the first pause ended, this one still holds

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [False]
    assert gc.isenabled()


def test_loading_leaves_the_collector_enabled() -> None:
    gc.enable()
    problem = mm.load_problem(EXAMPLE)
    assert gc.isenabled()
    assert mm.solve(problem).is_optimal


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_during_a_pause_gets_the_collector_back() -> None:
    gc.enable()
    other_holds = threading.Event()
    release = threading.Event()

    def hold() -> None:  # another thread is loading a round when the fork happens
        with _gc.paused():
            other_holds.set()
            release.wait(timeout=60)

    holder = threading.Thread(target=hold)
    holder.start()
    other_holds.wait(timeout=60)
    assert not gc.isenabled()
    pid = os.fork()
    if pid == 0:  # the child: the holding thread does not exist here
        ok = gc.isenabled()
        with _gc.paused():
            ok = ok and not gc.isenabled()
        ok = ok and gc.isenabled()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    release.set()
    holder.join()
    assert os.waitstatus_to_exitcode(status) == 0
    assert gc.isenabled()
