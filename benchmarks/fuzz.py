"""The long fuzz run: the fuzz suite's targets for as long as asked, counting the inputs tried.

``tests/test_fuzz.py`` runs in CI with a few dozen examples per target and fixed seeds. This runs the
same hypothesis tests round after round with fresh random seeds and many more examples, until the time
budget is spent, and prints how many inputs each target tried. A failure stops the run and prints the
failing input (hypothesis shrinks it first); the exit status is then 1::

    python -m benchmarks.fuzz --minutes 10            # every target, round-robin
    python -m benchmarks.fuzz --minutes 2 --only json # the targets whose name contains "json"
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

TESTS = Path(__file__).resolve().parent.parent / "tests"


def fuzz_tests() -> dict[str, Callable[..., None]]:
    """The hypothesis tests of ``tests/test_fuzz.py``, by name."""
    sys.path.insert(0, str(TESTS))
    import test_fuzz

    return {
        name: fn
        for name, fn in vars(test_fuzz).items()
        if name.startswith("test_") and callable(fn) and hasattr(fn, "hypothesis")
    }


def run_round(name: str, test: Callable[..., None], examples: int, counts: dict[str, int]) -> None:
    """Run ``test`` once with ``examples`` fresh random examples, adding the inputs it tried to ``counts``."""
    inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> None:
        counts[name] = counts.get(name, 0) + 1
        inner(*args, **kwargs)

    # The suite's own settings (a few examples, fixed seeds) replaced for this round: hypothesis keeps
    # a test's settings in this attribute, and refuses a second settings decorator.
    own = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    test._hypothesis_internal_use_settings = settings(  # type: ignore[attr-defined]
        own,
        max_examples=examples,
        derandomize=False,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
    try:
        test()
    finally:
        test.hypothesis.inner_test = inner  # type: ignore[attr-defined]
        test._hypothesis_internal_use_settings = own  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the fuzz targets until the budget is spent; print the inputs tried per target and in all."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10)")
    parser.add_argument("--examples", type=int, default=200, help="examples per target per round (default 200)")
    parser.add_argument("--only", default="", help="run only the targets whose name contains this")
    args = parser.parse_args(argv)

    tests = {name: fn for name, fn in fuzz_tests().items() if args.only in name}
    if not tests:
        parser.error(f"no fuzz target matches {args.only!r}")
    counts: dict[str, int] = {}
    start = time.monotonic()
    deadline = start + args.minutes * 60
    rounds = 0
    failed = False
    while time.monotonic() < deadline and not failed:
        rounds += 1
        for name, test in tests.items():
            if time.monotonic() >= deadline:
                break
            try:
                run_round(name, test, args.examples, counts)
            except Exception as exc:  # noqa: BLE001 - report the target's failure, with its input
                print(f"FAILED {name}: {type(exc).__name__}: {exc}")
                failed = True
                break
    elapsed = time.monotonic() - start
    width = max(len(name) for name in tests)
    for name in tests:
        print(f"{name:<{width}}  {counts.get(name, 0):>9,}")
    total = sum(counts.values())
    print(f"{'total':<{width}}  {total:>9,} inputs in {elapsed / 60:.1f} min, {rounds} round(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
