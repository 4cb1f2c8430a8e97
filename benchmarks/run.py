"""The benchmark runner: matchmaker against its peers on the same instances, in one run.

For each chosen size and variant it generates (or reuses) the instance, then times, each measurement
in its own worker process (:mod:`benchmarks.worker`; median of ``--repeats``, peak memory each; with
``--rounds``, every measurement of the instance runs that many times in turn and the runs are pooled):

* ``json.load`` of the problem file, and matchmaker's ``load_problem`` (read + validate) of it;
* matchmaker end to end (read, validate, solve, write the result), model building alone (scoring and
  the model), and the solve from a validated problem with every engine matchmaker offers
  (``SolveOptions(engine=...)``; new engines are picked up from its ``Engine`` type by themselves);
* every peer of :mod:`benchmarks.peers` that solves the instance exactly.

Then it checks the answers: every plan is verified from the arrays; every optimal plan must have
matchmaker's values on the levels it solves (priority tiers, placed, total fit); the other matchmaker
engines must return matchmaker's exact decision; a stable matching must have no blocking pair. A
disagreement is printed as ``MISMATCH`` and the run exits with status 1 (as it does when a measurement
fails; a solver that overruns its time limit by far is stopped and reported as ``timeout``). The table (medians and the
ratios matchmaker / best peer) is printed and everything is written as JSON to
``benchmarks/results/<timestamp>.json``.

The side and stable variants need policy options beyond the defaults (the municipality ratio rule;
a stable mode): :data:`VARIANT_POLICIES` holds them. Should a policy refuse them (an older matchmaker),
matchmaker is reported as "n/a" there, and on the side variant it is solved without the fairness rule
as an upper bound that every peer's optimum must respect.

    python -m benchmarks.run --sizes 100,1000 --repeats 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from benchmarks.generate import DATA_DIR, NATIONAL_SIZES, SPECS, VARIANTS, Variant, available, ensure
from benchmarks.instance import Arrays, ensure_arrays, level_names, load_arrays
from benchmarks.peers import PEERS, Peer

__all__ = [
    "RESULTS_DIR",
    "VARIANT_POLICIES",
    "InstanceReport",
    "Measurement",
    "main",
    "markdown_summary",
    "matchmaker_engines",
]

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: Policy settings that ask matchmaker for what a variant needs beyond its defaults: the ratio rule
#: (``balance``) on ``side``, the applicant-optimal stable mode on ``stable``. The runner times matchmaker
#: there and checks its answers against the peers.
VARIANT_POLICIES: dict[Variant, dict[str, Any]] = {
    "side": {"balance": {"mode": "ratio", "ratio": 0.75}},
    "stable": {"stability": {"mode": "applicant_optimal"}},
}

Role = Literal["load", "matchmaker", "relaxation", "peer"]
#: Groups of measurements that ``--measure`` selects.
Group = Literal["load", "e2e", "build", "solve", "peers"]
GROUPS: tuple[Group, ...] = get_args(Group)


def matchmaker_engines() -> tuple[str, ...]:
    """The engines ``matchmaker.SolveOptions(engine=...)`` accepts, read from its type."""
    import matchmaker as mm

    annotation = mm.SolveOptions.model_fields["engine"].annotation
    return tuple(str(e) for e in get_args(annotation))


def policy_refusal(settings: dict[str, Any]) -> str | None:
    """``None`` if matchmaker's ``Policy`` accepts ``settings``, else why not (one line)."""
    from pydantic import ValidationError

    import matchmaker as mm

    try:
        mm.Policy.model_validate(settings)
    except (ValidationError, ValueError):
        return f"matchmaker's Policy does not accept {settings} yet (run.VARIANT_POLICIES)"
    return None


@dataclass
class Measurement:
    """One timed measurement and its outcome.

    ``key`` names it in the table (``"matchmaker solve [auto]"``, ``"peer flow"``); ``task`` is the
    worker's task, or ``None`` for a row that was not run (``status`` then says why: ``"n/a"`` or
    ``"not installed"``, with ``note``).
    """

    key: str
    role: Role
    task: dict[str, Any] | None
    status: str = "pending"
    note: str = ""
    times: list[float] = field(default_factory=list)
    base_rss_mib: float | None = None
    peak_rss_mib: float | None = None
    levels: dict[str, int] = field(default_factory=dict)
    levels_solved: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    blocking_pairs: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    chosen: list[int] | None = None

    @property
    def median(self) -> float | None:
        """Median time in seconds, if measured."""
        return statistics.median(self.times) if self.times else None

    @property
    def solved(self) -> bool:
        """Proven optimal (or, for loads, done)."""
        return self.status in ("optimal", "ok")

    def to_json(self) -> dict[str, Any]:
        """The measurement for the results file (without the chosen pairs)."""
        return {
            "key": self.key,
            "role": self.role,
            "status": self.status,
            "note": self.note,
            "median_s": self.median,
            "min_s": min(self.times) if self.times else None,
            "times_s": self.times,
            "base_rss_mib": self.base_rss_mib,
            "peak_rss_mib": self.peak_rss_mib,
            "levels": self.levels,
            "levels_solved": self.levels_solved,
            "violations": self.violations,
            "blocking_pairs": self.blocking_pairs,
            "detail": self.detail,
        }


@dataclass
class InstanceReport:
    """Everything measured and checked on one instance."""

    name: str
    size: int
    variant: Variant
    counts: dict[str, int]
    measurements: list[Measurement]
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)
    best_peer: str | None = None
    load_average: tuple[float, float] = (0.0, 0.0)

    def get(self, key: str) -> Measurement | None:
        """The measurement named ``key``."""
        return next((m for m in self.measurements if m.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """The report for the results file."""
        return {
            "name": self.name,
            "size": self.size,
            "variant": self.variant,
            "counts": self.counts,
            "load_average_1min": {"start": self.load_average[0], "end": self.load_average[1]},
            "best_peer": self.best_peer,
            "ratios": self.ratios,
            "checks": self.checks,
            "problems": self.problems,
            "measurements": [m.to_json() for m in self.measurements],
        }


@dataclass(frozen=True)
class Settings:
    """The run's settings (from the command line)."""

    sizes: tuple[int, ...]
    variants: tuple[Variant, ...]
    peers: tuple[str, ...]
    engines: tuple[str, ...]
    measure: tuple[Group, ...]
    repeats: int
    rounds: int
    warmup: int
    budget: float
    time_limit: float
    workers: int
    seed: int
    data_dir: Path
    out_dir: Path | None
    verbose: bool


def _plan(
    size: int, variant: Variant, settings: Settings, problem: Path, arrays_path: Path, arrays: Arrays
) -> list[Measurement]:
    """The measurements of one instance, in the order they run."""
    common = {
        "problem": str(problem),
        "arrays": str(arrays_path),
        "repeats": settings.repeats,
        "warmup": settings.warmup,
        "budget": settings.budget,
        "time_limit": settings.time_limit,
        "workers": settings.workers,
    }
    out: list[tuple[Group, Measurement]] = [
        ("load", Measurement("json.load", "load", {**common, "kind": "json-load"})),
        ("load", Measurement("matchmaker load+validate", "load", {**common, "kind": "mm-load"})),
    ]
    policy = VARIANT_POLICIES.get(variant)
    refusal = policy_refusal(policy) if policy else None
    if refusal is None:
        extra = {"policy": policy} if policy else {}
        if not policy:
            out.append(("e2e", Measurement("matchmaker end-to-end [auto]", "matchmaker", {**common, "kind": "mm-e2e"})))
        out.append(
            ("build", Measurement("matchmaker build (score+model)", "load", {**common, "kind": "mm-build", **extra}))
        )
        out.extend(
            (
                "solve",
                Measurement(
                    f"matchmaker solve [{engine}]",
                    "matchmaker",
                    {**common, "kind": "mm-solve", "engine": engine, **extra},
                ),
            )
            for engine in settings.engines
        )
        if not policy and "auto" in settings.engines:
            out.append(
                (
                    "solve",
                    Measurement(
                        "matchmaker solve+check [auto]",
                        "matchmaker",
                        {**common, "kind": "mm-solve", "engine": "auto", "check": True},
                    ),
                )
            )
    else:
        out.append(("solve", Measurement("matchmaker solve", "matchmaker", None, status="n/a", note=refusal)))
        if variant == "side":
            out.append(
                (
                    "solve",
                    Measurement(
                        "matchmaker solve [auto] without fairness (bound)",
                        "relaxation",
                        {**common, "kind": "mm-solve", "engine": "auto", "relaxed_fairness": True},
                    ),
                )
            )
    kind = "stable" if arrays.unit_ranked else "lexicographic"
    for name in settings.peers:
        peer: Peer = PEERS[name]
        if peer.solves != kind:
            continue
        key = f"peer {name}"
        if not peer.installed():
            row = Measurement(key, "peer", None, status="not installed", note=f"pip install {peer.module}")
        elif (why := peer.why_not(arrays)) is not None:
            row = Measurement(key, "peer", None, status="n/a", note=why)
        else:
            row = Measurement(key, "peer", {**common, "kind": "peer", "peer": name})
        out.append(("peers", row))
    return [m for group, m in out if group in settings.measure]


def _run_worker(m: Measurement, settings: Settings) -> None:
    """Run ``m``'s task in a worker process and fill in the outcome."""
    assert m.task is not None
    timeout = settings.budget + 2 * settings.time_limit + 600
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", json.dumps(m.task)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        m.status, m.note = "timeout", f"the worker took over {timeout:.0f} s and was stopped"
        return
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        m.status = "error"
        m.note = f"worker exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
        return
    out: dict[str, Any] = json.loads(lines[-1])
    m.status = str(out.get("status", "error"))
    m.note = str(out.get("error", ""))
    m.times = [float(t) for t in out.get("times", [])]
    m.base_rss_mib = out.get("base_rss_mib")
    m.peak_rss_mib = out.get("peak_rss_mib")
    m.levels = {str(k): int(v) for k, v in out.get("levels", {}).items()}
    m.levels_solved = [str(x) for x in out.get("levels_solved", [])]
    m.violations = [str(v) for v in out.get("violations", [])]
    m.blocking_pairs = out.get("blocking_pairs")
    m.detail = dict(out.get("detail", {}))
    m.chosen = out.get("chosen")


def _core(m: Measurement, arrays: Arrays) -> tuple[int, ...]:
    return tuple(m.levels[name] for name in level_names(arrays, lottery=False))


def _check(report: InstanceReport, arrays: Arrays) -> None:
    """Verify every answer and compare them; fill ``report.checks`` and ``report.problems``."""
    core_names = level_names(arrays, lottery=False)
    for m in report.measurements:
        if m.status == "error":
            report.problems.append(f"{m.key}: {m.status}: {m.note}")
        elif m.status == "timeout":
            report.checks.append(f"{m.key}: no answer ({m.note})")
        if m.violations:
            report.problems.append(f"{m.key}: INVALID PLAN: {'; '.join(m.violations)}")
        if m.blocking_pairs and m.levels_solved and m.levels_solved[0].startswith("stable"):
            report.problems.append(f"{m.key}: its stable matching has {m.blocking_pairs} blocking pairs")
    planned = [m for m in report.measurements if m.levels and not m.violations]
    optimal = [m for m in planned if m.status == "optimal"]
    if arrays.unit_ranked:
        stable = [m for m in optimal if m.role in ("peer", "matchmaker")]
        for m in stable:
            if m.blocking_pairs == 0:
                report.checks.append(f"{m.key}: stable (no blocking pair), {m.levels.get('placed', 0)} placed")
        if len(stable) > 1:
            first = stable[0]
            for m in stable[1:]:
                same = sorted(m.chosen or []) == sorted(first.chosen or [])
                line = f"{m.key} vs {first.key}: {'identical' if same else 'DIFFERENT'} matchings"
                (report.checks if same else report.problems).append(line if same else f"MISMATCH {line}")
        return
    reference = report.get("matchmaker solve [auto]")
    if reference is None or reference.status != "optimal" or reference.violations:
        reference = next((m for m in optimal if m.role == "peer"), None)
    if reference is None:
        report.checks.append("no optimal plan to compare against")
        return
    ref_core = _core(reference, arrays)
    for m in optimal:
        if m is reference or m.role == "relaxation":
            continue
        if _core(m, arrays) != ref_core:
            report.problems.append(
                f"MISMATCH {m.key} vs {reference.key} on {core_names}: {_core(m, arrays)} != {ref_core}"
            )
        elif m.role == "matchmaker" and reference.role == "matchmaker":
            same = m.levels == reference.levels and sorted(m.chosen or []) == sorted(reference.chosen or [])
            if same:
                report.checks.append(f"{m.key}: the same decision as {reference.key}")
            else:
                report.problems.append(f"MISMATCH {m.key}: a different decision from {reference.key}")
        else:
            report.checks.append(f"{m.key}: agrees with {reference.key} on {core_names} = {ref_core}")
    for m in planned:
        if m.status != "optimal" and m.role != "relaxation" and _core(m, arrays) > ref_core:
            report.problems.append(f"MISMATCH {m.key}: its feasible plan beats the optimum {ref_core}")
    relaxation = next((m for m in planned if m.role == "relaxation" and m.status == "optimal"), None)
    if relaxation is not None:
        bound = _core(relaxation, arrays)
        if ref_core > bound:
            report.problems.append(f"MISMATCH {reference.key}: {ref_core} beats the relaxation's optimum {bound}")
        else:
            binds = "binds" if ref_core < bound else "does not bind"
            report.checks.append(f"the fairness rule {binds}: optimum {ref_core}, without it {bound}")


def _ratios(report: InstanceReport) -> None:
    """matchmaker / best peer, end to end / (json.load + flow), load / json.load."""

    def med(key: str) -> float | None:
        m = report.get(key)
        return m.median if m is not None and m.solved else None

    peers = [m for m in report.measurements if m.role == "peer" and m.solved and m.median is not None]
    best = min(peers, key=lambda m: m.median or 0.0) if peers else None
    solve = med("matchmaker solve [auto]")
    if best is not None and best.median:
        report.best_peer = best.key.removeprefix("peer ")
        report.ratios["best_peer_s"] = best.median
        if solve is not None:
            report.ratios["solve_vs_best_peer"] = solve / best.median
    e2e, jl, flow = med("matchmaker end-to-end [auto]"), med("json.load"), med("peer flow")
    checked = med("matchmaker solve+check [auto]")
    if checked is not None and flow:
        report.ratios["solve_check_vs_flow"] = checked / flow
    if solve is not None and flow:
        report.ratios["solve_vs_flow"] = solve / flow
    if e2e is not None and jl is not None and flow is not None:
        report.ratios["end_to_end_vs_json_load_plus_flow"] = e2e / (jl + flow)
    load = med("matchmaker load+validate")
    if load is not None and jl:
        report.ratios["load_vs_json_load"] = load / jl
    # Memory a load adds: the peak minus the resident memory just before it (imports excluded).
    lm, jm = report.get("matchmaker load+validate"), report.get("json.load")
    if lm and jm and lm.peak_rss_mib and jm.peak_rss_mib and lm.base_rss_mib and jm.base_rss_mib:
        grown_json = jm.peak_rss_mib - jm.base_rss_mib
        if grown_json > 0:
            report.ratios["load_memory_growth_vs_json_load"] = (lm.peak_rss_mib - lm.base_rss_mib) / grown_json


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.4f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def _note(m: Measurement, report: InstanceReport) -> str:
    bits: list[str] = []
    if m.note:
        bits.append(m.note)
    engine = m.detail.get("engine")
    if engine:
        bits.append(f"engine {engine}")
    if m.role == "peer" and m.levels_solved:
        mode = m.detail.get("mode")
        bits.append(f"levels: {', '.join(m.levels_solved)}" + (f" ({mode})" if mode else ""))
    if m.status == "feasible" and m.levels:
        bits.append(f"levels reached: {m.levels}")
    if m.key == "matchmaker solve [auto]" and "solve_vs_best_peer" in report.ratios:
        bits.append(f"{report.ratios['solve_vs_best_peer']:.1f}x the best peer ({report.best_peer})")
    if m.key == "matchmaker solve+check [auto]" and "solve_check_vs_flow" in report.ratios:
        r = report.ratios
        bits.append(f"{r['solve_check_vs_flow']:.2f}x the flow peer (solve alone: {r['solve_vs_flow']:.2f}x)")
    if m.key == "matchmaker end-to-end [auto]" and "end_to_end_vs_json_load_plus_flow" in report.ratios:
        bits.append(f"{report.ratios['end_to_end_vs_json_load_plus_flow']:.1f}x json.load+flow")
    if m.key == "matchmaker load+validate" and "load_vs_json_load" in report.ratios:
        bits.append(f"{report.ratios['load_vs_json_load']:.1f}x json.load")
        if "load_memory_growth_vs_json_load" in report.ratios:
            bits.append(f"memory growth {report.ratios['load_memory_growth_vs_json_load']:.1f}x json.load's")
    if m.role == "load" and m.base_rss_mib is not None and m.peak_rss_mib is not None:
        bits.append(f"+{m.peak_rss_mib - m.base_rss_mib:.0f} MiB over {m.base_rss_mib:.0f} MiB before")
    if m.key == "matchmaker build (score+model)" and m.detail:
        bits.append(f"score {_fmt_s(m.detail.get('score_median'))} s, model {_fmt_s(m.detail.get('build_median'))} s")
        if m.detail.get("without"):
            bits.append(
                "the model solve() builds: without " + ", ".join(m.detail["without"]) + " (deferred acceptance)"
            )
    if len(m.times) > 1:
        bits.append(f"n={len(m.times)}")
    return "; ".join(bits)


def format_report(report: InstanceReport) -> str:
    """The instance's table, for people."""
    c = report.counts
    lines = [
        f"== {report.size:,} applicants, {report.variant}: {c['supervisors']:,} supervisors, {c['units']:,} units, "
        f"{c['municipalities']} municipalities, {c['pairs']:,} acceptable pairs, {c['places']:,} places "
        f"[{report.name}; load average {report.load_average[0]:.1f} -> {report.load_average[1]:.1f}]",
        f"  {'measurement':<56} {'median s':>9} {'peak MiB':>9}  {'status':<13} note",
    ]
    for m in report.measurements:
        peak = f"{m.peak_rss_mib:.0f}" if m.peak_rss_mib else "-"
        lines.append(f"  {m.key:<56} {_fmt_s(m.median):>9} {peak:>9}  {m.status:<13} {_note(m, report)}")
    lines.extend(f"  check: {line}" for line in report.checks)
    lines.extend(f"  PROBLEM: {line}" for line in report.problems)
    return "\n".join(lines)


def _pool(m: Measurement, again: Measurement, round_no: int, report: InstanceReport) -> None:
    """Add a later round's runs of ``m`` to its times. matchmaker must give the same answer every
    round (its decision is deterministic); a status or plan that changes is reported as a problem."""
    if again.status != m.status:
        report.problems.append(f"{m.key}: {m.status} in round 1 but {again.status} in round {round_no}: {again.note}")
        return
    if (
        m.role == "matchmaker"
        and m.status == "optimal"
        and (again.levels, sorted(again.chosen or []))
        != (
            m.levels,
            sorted(m.chosen or []),
        )
    ):
        report.problems.append(f"MISMATCH {m.key}: round {round_no} gave a different decision from round 1")
    m.times.extend(again.times)
    if again.peak_rss_mib is not None:
        m.peak_rss_mib = max(m.peak_rss_mib or 0.0, again.peak_rss_mib)


def run_instance(size: int, variant: Variant, settings: Settings) -> InstanceReport:
    """Generate (or reuse), measure and check one instance."""
    files = ensure(size, variant, settings.seed, settings.data_dir)
    arrays_path = ensure_arrays(files)
    arrays = load_arrays(arrays_path)
    report = InstanceReport(
        files.name, size, variant, arrays.describe(), _plan(size, variant, settings, files.problem, arrays_path, arrays)
    )
    start_load = os.getloadavg()[0]
    for round_ in range(settings.rounds):
        for m in report.measurements:
            if m.task is None or (round_ and not m.times):
                continue  # not run, or failed in an earlier round: nothing to pool
            if settings.verbose:
                print(f"  ... {m.key}" + (f" (round {round_ + 1})" if settings.rounds > 1 else ""), file=sys.stderr)
            if round_ == 0:
                _run_worker(m, settings)
            else:
                again = Measurement(m.key, m.role, m.task)
                _run_worker(again, settings)
                _pool(m, again, round_ + 1, report)
    report.load_average = (start_load, os.getloadavg()[0])
    _check(report, arrays)
    _ratios(report)
    return report


def _cell(m: dict[str, Any], memory: bool = False) -> str:
    status = str(m["status"])
    peak = m.get("peak_rss_mib")
    mib = f" / {peak:,.0f} MiB" if memory and peak is not None else ""
    if status in ("optimal", "ok") and m.get("median_s") is not None:
        return _fmt_s(float(m["median_s"])) + mib
    if status == "feasible" and m.get("median_s") is not None:
        return f"{_fmt_s(float(m['median_s']))} (not proven)" + mib
    return status


def markdown_summary(documents: Sequence[dict[str, Any]], memory: bool = False) -> str:
    """One Markdown table over results files: the median seconds of every measurement per instance
    (with ``memory``, each worker's peak memory too), and matchmaker's ratios to the flow peer."""
    columns: list[str] = []
    rows: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {}
    for doc in documents:
        for inst in doc["instances"]:
            # An instance measured in several files is one row; a later file's measurement wins.
            by_key = rows[inst["name"]][1] if inst["name"] in rows else {}
            rows[inst["name"]] = (inst, by_key)
            by_key.update({m["key"]: m for m in inst["measurements"] if m["status"] != "n/a" or m["key"] not in by_key})
            columns.extend(m["key"] for m in inst["measurements"] if m["key"] not in columns)
    short = [c.replace("matchmaker ", "mm ").replace("peer ", "") for c in columns]
    against_flow = {"solve_vs_flow": "mm solve / flow", "solve_check_vs_flow": "mm solve+check / flow"}
    shown = [k for k in against_flow if any(k in inst.get("ratios", {}) for inst, _ in rows.values())]
    head = ["instance", "pairs", "load avg", *short, "mm solve / best peer", *(against_flow[k] for k in shown)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for inst, by_key in rows.values():
        ratio = inst.get("ratios", {}).get("solve_vs_best_peer")
        best = inst.get("best_peer")
        cells = [
            f"{inst['size']:,} {inst['variant']}",
            f"{inst['counts']['pairs']:,}",
            f"{inst['load_average_1min']['start']:.1f}-{inst['load_average_1min']['end']:.1f}",
            *(_cell(by_key[c], memory) if c in by_key else "" for c in columns),
            f"{ratio:.1f}x ({best})" if ratio is not None else "",
            *(f"{inst['ratios'][k]:.2f}x" if k in inst.get("ratios", {}) else "" for k in shown),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def _versions() -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for dist in ("matchmaker", "ortools", "numpy", "scipy", "pydantic", "highspy", "matching"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _parse(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time matchmaker against its peers on generated instances (see benchmarks/README.md).",
    )
    parser.add_argument(
        "--sizes",
        default="100,1000",
        help="comma-separated from 100,1000,10000,50000,100000 (national: 1000,10000,20000,100000,500000)",
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated from {','.join(VARIANTS)}")
    parser.add_argument("--peers", default=",".join(PEERS), help=f"comma-separated from {','.join(PEERS)}")
    parser.add_argument("--engines", default="all", help="matchmaker engines, comma-separated, or 'all'")
    parser.add_argument(
        "--measure",
        default=",".join(GROUPS),
        help=f"measurement groups, comma-separated from {','.join(GROUPS)} (loads, end to end, model building, "
        "matchmaker solves, peers)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every measurement of an instance this many times in turn, each time with --repeats runs, "
        "and report the median of all runs (the machine's drift then falls on every row alike)",
    )
    parser.add_argument("--warmup", type=int, default=0, help="untimed runs before the timed ones (default: none)")
    parser.add_argument("--budget", type=float, default=60.0, help="stop repeating once runs took this long (s)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="per solve, matchmaker and peers (s)")
    parser.add_argument("--workers", type=int, default=2, help="threads for matchmaker, CP-SAT and HiGHS")
    parser.add_argument("--seed", type=int, default=1, help="instance seed")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where instances are cached")
    parser.add_argument("--out-dir", type=Path, default=RESULTS_DIR, help="where the JSON results go")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("-v", "--verbose", action="store_true", help="name each measurement as it starts")
    parser.add_argument(
        "--summarize",
        nargs="+",
        type=Path,
        metavar="RESULTS_JSON",
        help="print a Markdown table of earlier results files (median seconds) and exit",
    )
    parser.add_argument(
        "--memory", action="store_true", help="with --summarize: each cell's peak memory (MiB) beside its seconds"
    )
    args = parser.parse_args(argv)
    if args.summarize:
        documents = [json.loads(p.read_text(encoding="utf-8")) for p in args.summarize]
        print(markdown_summary(documents, memory=args.memory))
        raise SystemExit(0)
    sizes = tuple(int(s) for s in _csv(args.sizes))
    for s in sizes:
        if s not in SPECS and s not in NATIONAL_SIZES:
            parser.error(f"size {s} is not one of {','.join(map(str, sorted({*SPECS, *NATIONAL_SIZES})))}")
    variants: list[Variant] = []
    for v in _csv(args.variants):
        if v not in VARIANTS:
            parser.error(f"variant {v!r} is not one of {','.join(VARIANTS)}")
        variants.append(next(x for x in VARIANTS if x == v))
    peers = tuple(_csv(args.peers))
    for p in peers:
        if p not in PEERS:
            parser.error(f"peer {p!r} is not one of {','.join(PEERS)}")
    known = matchmaker_engines()
    engines = known if args.engines == "all" else tuple(_csv(args.engines))
    for e in engines:
        if e not in known:
            parser.error(f"engine {e!r} is not one of matchmaker's {','.join(known)}")
    measure: list[Group] = []
    for g in _csv(args.measure):
        if g not in GROUPS:
            parser.error(f"measurement group {g!r} is not one of {','.join(GROUPS)}")
        measure.append(next(x for x in GROUPS if x == g))
    if args.repeats < 1 or args.rounds < 1 or args.warmup < 0 or args.time_limit <= 0 or args.workers < 1:
        parser.error("--repeats, --rounds and --workers must be at least 1, --warmup at least 0, --time-limit positive")
    return Settings(
        sizes=sizes,
        variants=tuple(variants),
        peers=peers,
        engines=engines,
        measure=tuple(measure),
        repeats=args.repeats,
        rounds=args.rounds,
        warmup=args.warmup,
        budget=args.budget,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        data_dir=args.data_dir,
        out_dir=None if args.no_write else args.out_dir,
        verbose=args.verbose,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; exit status 1 if any answer is wrong or a measurement failed."""
    settings = _parse(argv)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    print(
        f"matchmaker benchmarks, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}; repeats {settings.repeats}, rounds {settings.rounds}, "
        f"time limit {settings.time_limit:g} s, workers {settings.workers}",
        flush=True,
    )
    reports: list[InstanceReport] = []
    for size in settings.sizes:
        for variant in settings.variants:
            if not available(size, variant):
                continue  # e.g. national at 100, or dense at 500,000
            report = run_instance(size, variant, settings)
            reports.append(report)
            print(format_report(report), flush=True)
    problems = [f"{r.name}: {p}" for r in reports for p in r.problems]
    if settings.out_dir is not None:
        settings.out_dir.mkdir(parents=True, exist_ok=True)
        path = settings.out_dir / f"{started:%Y%m%dT%H%M%SZ}.json"
        document = {
            "started": started.isoformat(),
            "wall_time_s": time.perf_counter() - t0,
            "machine": _machine(),
            "versions": _versions(),
            "settings": {
                "sizes": list(settings.sizes),
                "variants": list(settings.variants),
                "peers": list(settings.peers),
                "engines": list(settings.engines),
                "measure": list(settings.measure),
                "repeats": settings.repeats,
                "rounds": settings.rounds,
                "warmup": settings.warmup,
                "budget_s": settings.budget,
                "time_limit_s": settings.time_limit,
                "workers": settings.workers,
                "seed": settings.seed,
            },
            "caveat": "timings depend on the machine and its load; see load_average_1min per instance",
            "instances": [r.to_json() for r in reports],
            "problems": problems,
        }
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"results: {path}")
    if problems:
        print(f"{len(problems)} PROBLEMS:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    checks = sum(len(r.checks) for r in reports)
    print(f"every plan verified; {checks} checks passed, no disagreement")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
