"""Same input, policy and seed: the same decision, byte for byte, whatever the process, hash seed,
worker count, engine or record order."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

SCRIPT = r"""
import json, random, sys
import matchmaker as mm
path, shuffle_seed, engine, workers = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
data = json.loads(open(path, encoding="utf-8").read())
if shuffle_seed:
    rng = random.Random(shuffle_seed)
    for key in ("municipalities", "units", "supervisors", "applicants", "pins", "adjustments", "criteria"):
        rng.shuffle(data.get(key, []))
    for a in data["applicants"]:
        rng.shuffle(a.get("interview", []))
        for kind in ("interests", "ranking"):
            if kind in a:
                for sub in list(a[kind]):
                    items = list(a[kind][sub].items()); rng.shuffle(items); a[kind][sub] = dict(items)
problem = mm.Problem.model_validate(data)
result = mm.solve(problem, mm.SolveOptions(engine=engine, workers=workers))
assert result.is_optimal, result.status
assert mm.check(problem, result).ok
sys.stdout.buffer.write(result.decision_json())
"""


def decision(path: Path, shuffle: int, engine: str, workers: int, hashseed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), str(shuffle), engine, str(workers)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.mark.slow
def test_sodertalje_decision_is_byte_identical_everywhere() -> None:
    path = EXAMPLES / "sodertalje" / "problem.json"
    runs = [
        decision(path, shuffle, engine, workers, hashseed)
        for shuffle, engine, workers, hashseed in [
            (0, "auto", 1, "0"),
            (0, "auto", 2, "1"),
            (7, "auto", 8, "random"),
            (0, "cp-sat", 1, "2"),
            (3, "cp-sat", 2, "3"),
            (5, "cp-sat", 8, "4"),
        ]
    ]
    digests = {hashlib.sha256(r).hexdigest() for r in runs}
    assert len(digests) == 1, digests
    assert json.loads(runs[0])["status"] == "optimal"


@pytest.mark.slow
def test_joint_programme_decision_is_byte_identical() -> None:
    path = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"
    runs = [
        decision(path, shuffle, "auto", workers, hashseed)
        for shuffle, workers, hashseed in [(0, 1, "0"), (11, 2, "123"), (12, 8, "random")]
    ]
    runs += [
        decision(path, shuffle, "cp-sat", workers, hashseed)
        for shuffle, workers, hashseed in [(0, 1, "5"), (13, 2, "6"), (14, 8, "7")]
    ]
    assert len(set(runs)) == 1
