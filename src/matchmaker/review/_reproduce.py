"""Reproduce an audit record: solve its problem again and name every difference that matters.

A difference in the decision, the policy, the options or a decisive version (matchmaker, OR-Tools, numpy,
pydantic) is a :class:`Discrepancy`; another version's difference is a notice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
)

from matchmaker._canonical import canonical_bytes
from matchmaker._i18n import Message, msg, tr, tr_n
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pipeline import repeat_repair, solve
from matchmaker._result import Decision, Result, Status
from matchmaker._solve import versions
from matchmaker.errors import InputError, MatchmakerError
from matchmaker.explanations._types import Lang
from matchmaker.review._audit import AuditData, AuditRecord, decision_fingerprint, records_fingerprint
from matchmaker.review._overrides import apply_overrides

__all__ = ["Discrepancy", "Reproduction", "reproduce"]


#: What a :class:`Discrepancy` says, by its code (``str.format`` placeholders from its params).
_DISCREPANCIES: dict[str, Message] = {
    "self_mismatch": msg("the record's decision does not match its own fingerprint"),
    "records_differ": msg("the problem's records differ (fingerprint was {was}, now {now})"),
    "input_differs": msg("the problem's fingerprint differs"),
    "repair_no_fit": msg("the recorded repair no longer fits the problem: {error}"),
    "overrides_no_fit": msg("the recorded overrides no longer fit the problem: {error}"),
    "seed": msg("the lottery seed was {was}, now {now}"),
    "policy": msg("policy {key} was {was}, now {now}"),
    "option": msg("option {key} was {was}, now {now}"),
    "version": msg("{name} was {was}, now {now}"),
}


#: The kinds of :class:`Discrepancy`, in words.
_KINDS: dict[str, Message] = {
    "input": msg("input"),
    "policy": msg("policy"),
    "seed": msg("seed"),
    "options": msg("options"),
    "version": msg("version"),
    "decision": msg("decision"),
}


#: The versions that can change a decision; a difference in another (Python) is reported as a notice.
_DECISIVE = ("matchmaker", "ortools", "numpy", "pydantic")


class Discrepancy(AuditData):
    """One thing that differs between an audit record and its reproduction: ``kind`` (``input``,
    ``policy``, ``seed``, ``options``, ``version``, ``decision``) and what, in words (ids only):
    ``message`` in English, :meth:`text` in either language (from ``code`` and ``params``). ``cause``,
    the error behind a difference (not written out: ``params`` holds its English text), is said in the
    same language."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kind: Literal["input", "policy", "seed", "options", "version", "decision"]
    message: str
    code: str = ""
    params: dict[str, str | int] = Field(default_factory=dict)
    cause: MatchmakerError | None = Field(default=None, exclude=True, repr=False)

    def text(self, lang: Lang = "en") -> str:
        """What differs, in ``lang``."""
        if not self.code:
            return self.message
        if self.code == "decision":
            return _decision_text(lang, self.params)
        params = self.params if self.cause is None else {**self.params, "error": self.cause.text(lang)}
        return replace(_DISCREPANCIES[self.code], params=params).text(lang)


def _discrepancy(
    kind: Literal["input", "policy", "seed", "options", "version", "decision"], code: str, **params: str | int
) -> Discrepancy:
    message = _decision_text("en", params) if code == "decision" else str(replace(_DISCREPANCIES[code], params=params))
    return Discrepancy(kind=kind, message=message, code=code, params=params)


def _no_fit(code: str, cause: MatchmakerError) -> Discrepancy:
    """The input no longer fits what the record holds (``code``), because of ``cause``."""
    params: dict[str, str | int] = {"error": str(cause)}
    message = str(replace(_DISCREPANCIES[code], params=params))
    return Discrepancy(kind="input", message=message, code=code, params=params, cause=cause)


def _decision_text(lang: Lang, params: dict[str, str | int]) -> str:
    """How two decisions differ (see :func:`_decision_changes` for the parameters)."""
    parts = []
    if "status_was" in params:
        parts.append(tr("status {was} -> {now}", lang, was=params["status_was"], now=params["status_now"]))
    if "levels" in params:
        parts.append(tr("levels {levels}", lang, levels=params["levels"]))
    count = int(params.get("moved", 0))
    if count:
        more = int(params.get("more", 0))
        shown = str(params["shown"]) + (tr(" and {count} more", lang, count=more) if more else "")
        parts.append(tr_n("{n} placement differs: {shown}", "{n} placements differ: {shown}", count, lang, shown=shown))
    if params.get("input_only"):
        parts.append(tr("the input fingerprint recorded in the decision differs", lang))
    text = "; ".join(parts) or tr("the bytes differ (same placements and levels; a message or metric differs)", lang)
    limit = tr(" (a run stopped by a limit is not proven optimal and need not repeat)", lang)
    return text + (limit if params.get("limit") else "")


class Reproduction(AuditData):
    """The outcome of :func:`reproduce`: ``identical`` when the decision is byte-identical (its
    fingerprint equals the record's ``output_fingerprint``, and so does the fingerprint of the decision
    the record holds: an edited record is never identical); ``differences`` says exactly what differs
    (a version or an option may differ while the decision is still identical); ``result`` is the new run."""

    identical: bool
    output_fingerprint: str
    differences: tuple[Discrepancy, ...]
    result: Result

    def text(self, lang: Lang = "en") -> str:
        """A short report in ``lang``: identical or not, then every difference."""
        head = (
            tr("reproduced: the decision is byte-identical ({fingerprint})", lang, fingerprint=self.output_fingerprint)
            if self.identical
            else tr("not reproduced: the decision differs", lang)
        )
        return "\n".join([head, *(f"- {_KINDS[d.kind].text(lang)}: {d.text(lang)}" for d in self.differences)])


def _policy_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Discrepancy]:
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if canonical_bytes(old) == canonical_bytes(new):
            continue
        if key == "lottery_seed":
            out.append(_discrepancy("seed", "seed", was=str(old), now=str(new)))
        else:
            was, now = canonical_bytes(old).decode(), canonical_bytes(new).decode()
            out.append(_discrepancy("policy", "policy", key=key, was=was, now=now))
    return out


def _decision_changes(before: Decision, after: Decision) -> dict[str, str | int]:
    """The parameters of a decision discrepancy: status, levels and placements that differ."""
    params: dict[str, str | int] = {}
    if before.status != after.status:
        params.update(status_was=before.status.value, status_now=after.status.value)
    old = {lv.name: lv.value for lv in before.objective}
    new = {lv.name: lv.value for lv in after.objective}
    levels = [f"{k} {old.get(k)} -> {new.get(k)}" for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    if levels:
        params["levels"] = ", ".join(levels)
    was = {a.applicant: a.supervisor for a in before.assignments}
    now = {a.applicant: a.supervisor for a in after.assignments}
    moved = sorted(a for a in set(was) | set(now) if was.get(a) != now.get(a))
    if moved:
        params["moved"] = len(moved)
        params["shown"] = ", ".join(f"{a} {was.get(a) or '-'} -> {now.get(a) or '-'}" for a in moved[:10])
        params["more"] = max(len(moved) - 10, 0)
    if before.input_fingerprint != after.input_fingerprint and not params:
        params["input_only"] = 1
    return params


def _rerun(record: AuditRecord, problem: Problem, options: SolveOptions, diffs: list[Discrepancy]) -> Result:
    """The run again: a fresh solve, or the repair the record describes."""
    if record.repair is None:
        return solve(problem, options)
    try:
        return repeat_repair(problem, record.repair, options=options)
    except InputError as exc:
        diffs.append(_no_fit("repair_no_fit", exc))
        return solve(problem, options)


def reproduce(
    record: AuditRecord,
    problem: Problem,
    *,
    options: SolveOptions | None = None,
    current_versions: dict[str, str] | None = None,
) -> Reproduction:
    """Solve ``problem`` again as ``record`` says (its overrides, options and, for a repaired plan, the
    repair from its previous plan) and compare.

    Args:
        record: the audit record of the run.
        problem: the problem as it is now (its fingerprint is compared with the record's).
        options: solve options to use instead of the recorded ones (reported if they differ).
        current_versions: the versions to compare with (default: this installation's).

    Returns:
        A :class:`Reproduction`: ``identical``, or every difference of input, policy, seed, options,
        version and decision. Overrides that no longer fit the problem are reported as an input
        difference.
    """
    diffs: list[Discrepancy] = []
    own = decision_fingerprint(record.decision) == record.output_fingerprint
    if not own:
        diffs.append(_discrepancy("decision", "self_mismatch"))
    if problem.fingerprint() != record.input_fingerprint:
        if records_fingerprint(problem) != record.records_fingerprint:
            was, now = record.input_fingerprint, problem.fingerprint()
            diffs.append(_discrepancy("input", "records_differ", was=was, now=now))
        diffs += _policy_changes(record.policy, problem.policy.model_dump(mode="json"))
        if len(diffs) == 0:  # pragma: no cover - a fingerprint covers exactly records and policy
            diffs.append(_discrepancy("input", "input_differs"))
    opts = options if options is not None else SolveOptions.model_validate(record.options)
    now_options = opts.model_dump(mode="json")
    for key in sorted(set(record.options) | set(now_options)):
        if key == "workers":
            continue  # the number of workers never changes a proven-optimal decision
        if canonical_bytes(record.options.get(key)) != canonical_bytes(now_options.get(key)):
            was, now = repr(record.options.get(key)), repr(now_options.get(key))
            diffs.append(_discrepancy("options", "option", key=key, was=was, now=now))
    now_versions = current_versions if current_versions is not None else versions()
    for name in _DECISIVE:
        before, after = record.versions.get(name), now_versions.get(name)
        if before != after:
            diffs.append(_discrepancy("version", "version", name=name, was=str(before), now=str(after)))
    try:
        changed = apply_overrides(problem, record.overrides) if record.overrides else problem
    except MatchmakerError as exc:
        diffs.append(_no_fit("overrides_no_fit", exc))
        changed = problem
    result = _rerun(record, changed, opts, diffs)
    got = decision_fingerprint(result.decision)
    # Identical only if the re-run gives the recorded fingerprint AND the record's own decision is the
    # one that fingerprint stands for: an edited decision is never "reproduced".
    identical = got == record.output_fingerprint and own
    if got != record.output_fingerprint or not own:
        params = _decision_changes(record.decision, result.decision)
        if not result.status.is_optimal or record.decision.status is not Status.OPTIMAL:
            params["limit"] = 1
        diffs.append(_discrepancy("decision", "decision", **params))
    return Reproduction(identical=identical, output_fingerprint=got, differences=tuple(diffs), result=result)
