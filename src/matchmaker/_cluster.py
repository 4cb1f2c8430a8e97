"""Batches on a cluster: an executor over Ray tasks, and one value shipped once to a cluster's workers.

:class:`RayExecutor` is a :class:`concurrent.futures.Executor` whose every ``submit`` is a Ray task, so
whatever takes an executor (:func:`matchmaker.compare_scenarios`) runs on a Ray cluster unchanged. An
executor of Dask needs no adapter: ``distributed.Client.get_executor()`` is one already.

:func:`share` is how a batch sends its one large input (the base problem) to the workers once rather than
once per task: into Ray's object store with ``ray.put`` (a task given the reference gets the value), or
to every Dask worker with ``Client.scatter(..., broadcast=True)`` (a task given the Dask future gets the
value). Any other executor gets the value itself, pickled with each task as before.

Dask and Ray are optional extras (``matchmaker[dask]``, ``matchmaker[ray]``): they are imported on use,
here only, never when matchmaker is imported.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_for
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from matchmaker._extras import require

if TYPE_CHECKING:
    from ray import ObjectRef
    from ray.remote_function import RemoteFunction

__all__ = ["RayExecutor", "share"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class RayExecutor(Executor):
    """A :class:`concurrent.futures.Executor` that runs each call as a task on Ray.

    Connect first with ``ray.init()`` (a local Ray on this machine) or ``ray.init(address=...)`` (a
    cluster); without it, Ray starts a local one on the first task. ``num_cpus`` is what each task
    reserves (one solve uses one CP-SAT worker by default: keep them equal), ``max_retries`` how often
    Ray reruns a task whose worker died. A call that raises raises the same exception from
    ``future.result()``.

    Stateless tasks rather than Ray's ``multiprocessing.Pool`` or an ``ActorPool``: Ray's scheduler
    spreads tasks over every CPU of the cluster as nodes come and go, reruns a task lost with its
    node, and resolves an object reference given as an argument from the object store, so the one
    large input is stored once (:meth:`share`) and each node fetches it once.

    Raises:
        MissingExtraError: Ray is not installed (``pip install 'matchmaker[ray]'``).
    """

    def __init__(self, *, num_cpus: float = 1, max_retries: int = 3) -> None:
        require("ray", "RayExecutor", "ray")
        import ray  # the ray extra, checked just above

        # One remote function for every call: Ray takes only plain functions, an executor any callable.
        self._call: RemoteFunction = ray.remote(_call).options(num_cpus=num_cpus, max_retries=max_retries)
        self._pending: dict[Future[Any], ObjectRef[Any]] = {}
        self._lock = threading.Lock()
        self._shutdown = False

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Run ``fn(*args, **kwargs)`` as a Ray task; an object reference among ``args`` arrives as its value."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            ref = self._call.remote(fn, *args, **kwargs)
            future: Future[_T] = ref.future()
            self._pending[future] = ref
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.pop(future, None)

    def share(self, value: object) -> ObjectRef[Any]:
        """``value`` put in Ray's object store once; pass the reference to :meth:`submit` in its place."""
        import ray  # the ray extra, checked in __init__

        return ray.put(value)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Take no more calls; ``cancel_futures`` cancels the tasks not yet finished, ``wait`` waits for the rest."""
        import ray  # the ray extra, checked in __init__

        with self._lock:
            self._shutdown = True
            pending = dict(self._pending)
        if cancel_futures:
            for future, ref in pending.items():
                if future.cancel():  # not finished: stop the task too
                    ray.cancel(ref)
        if wait:
            wait_for(list(pending))


def _call(fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """``fn(*args, **kwargs)`` in a Ray worker (module level, so that Ray can ship it by name)."""
    return fn(*args, **kwargs)


def _dask_client(executor: Executor) -> Any:
    """The Dask client behind ``executor``: ``Client.get_executor()``'s, or the client itself; else ``None``."""
    if "distributed" not in sys.modules:
        return None  # Dask was never imported, so this cannot be its executor
    from distributed import Client  # the dask extra, imported already
    from distributed.cfexecutor import ClientExecutor

    if isinstance(executor, Client):  # not an Executor, but its submit and futures serve as one
        return executor
    return executor._client if isinstance(executor, ClientExecutor) else None


def share(executor: Executor, value: _T) -> _T:
    """``value`` as tasks on ``executor`` should receive it: shipped to a cluster once and passed by reference.

    On a :class:`RayExecutor`, an object reference to ``value`` in Ray's object store; on a Dask
    ``Client.get_executor()``, a Dask future of ``value`` scattered to every worker; on any other
    executor, ``value`` itself. Ray and Dask hand a task the value in place of the reference, so the
    result is typed as ``value`` is.
    """
    handle: Any = value
    if isinstance(executor, RayExecutor):
        handle = executor.share(value)
    else:
        client = _dask_client(executor)
        if client is not None:
            # hash=False: tokenizing the value to name it would pickle it once more, for nothing.
            handle = client.scatter(value, broadcast=True, hash=False)
    result: _T = handle
    return result
