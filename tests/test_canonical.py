"""The canonical form and the fingerprint: the same bytes as the plain definition, and pinned.

A fingerprint ties a decision and an approval record to the problem it was made for, so the bytes it
hashes must never change between releases. :func:`reference_canonical` is the plain definition (every
list of records ordered by each item's encoded JSON text); the library's faster ordering must give the
identical bytes on every problem, and the bundled examples keep the fingerprints pinned here.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchmaker as mm
from conftest import make_problem
from matchmaker import _canonical as canonical
from matchmaker._canonical import _drop_defaults, _sort_key, _sort_records, _sorted, canonical_bytes
from strategies import rich_problems

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: The fingerprints of the bundled examples, as computed since schema version 1 (the first release's
#: plain definition gives the same).
PINNED = {
    "huddinge-nacka-tyreso": "sha256:59b25543dad6fb3575205603050118c091ea95c68b2096ff3bc8d7dfb98c929f",
    "nacka-infeasible": "sha256:93763dfcda2f0530dcbe227d4b123266767fba5396142909613bc567943571fd",
    "sodertalje": "sha256:b79203398c248ae9235930f3417189f2c8cb914d3d310463535c27caa5fcbe2a",
    "year-huddinge-nacka-tyreso": "sha256:4fc5993bc965c909ce6883c20e19aaf2b2962be98708c7f20034d05a3687aac3",
}


def reference_canonical(problem: mm.Problem) -> dict[str, Any]:
    """The canonical form by its plain definition: each list of records sorted by encoded text."""
    data: dict[str, Any] = problem.model_dump(mode="json")
    if data["round"] is not None:
        data["round"]["periods"] = sorted(data["round"]["periods"], key=lambda r: r["id"])
    data["commitments"] = sorted(data["commitments"], key=_sort_key)
    for supervisor in data["supervisors"]:
        supervisor["unavailable_periods"] = sorted(supervisor["unavailable_periods"])
        _drop_defaults(supervisor, "supervisors")
    for applicant in data["applicants"]:
        _drop_defaults(applicant, "applicants")
    _drop_defaults(data["policy"], "policy")
    _drop_defaults(data, "problem")
    for key in ("municipalities", "units", "supervisors", "applicants", "criteria"):
        data[key] = sorted(data[key], key=lambda r: r["id"])
    for key in ("pins", "adjustments", "links"):
        data[key] = sorted(data[key], key=_sort_key)
    for applicant in data["applicants"]:
        applicant["interview"] = sorted(applicant["interview"], key=_sort_key)
        applicant["qualifications"] = sorted(applicant["qualifications"])
        applicant["conflicts"]["units"] = sorted(applicant["conflicts"]["units"])
        applicant["conflicts"]["supervisors"] = sorted(applicant["conflicts"]["supervisors"])
    for unit in data["units"]:
        unit["requirements"] = sorted(unit["requirements"])
    return data


@pytest.mark.parametrize("name", sorted(PINNED))
def test_examples_keep_their_fingerprints(name: str) -> None:
    problem = mm.load_problem(EXAMPLES / name / "problem.json")
    assert problem.fingerprint() == PINNED[name]
    assert canonical_bytes(canonical.canonical_problem(problem)) == canonical_bytes(reference_canonical(problem))
    assert canonical.canonical_problem_bytes(problem) == canonical_bytes(reference_canonical(problem))


@given(raw=rich_problems())
def test_canonical_form_matches_its_definition(raw: dict[str, Any]) -> None:
    problem = make_problem(raw)
    assert canonical_bytes(canonical.canonical_problem(problem)) == canonical_bytes(reference_canonical(problem))
    assert canonical.canonical_problem_bytes(problem) == canonical_bytes(reference_canonical(problem))


def test_canonical_form_with_tricky_criteria_and_shuffled_interviews() -> None:
    # Criteria that are prefixes of each other, that hold characters sorting before the quote (a
    # space, '!'), a quote or a backslash (written escaped), and one criterion scored twice (for two
    # units): the fast order may be used for none of these, or only where it is the texts' order.
    names = ["a", "a b", "a!", "ab", 'a"', "a\\", "b", "é", "a-1", "a1"]
    raw: dict[str, Any] = {
        "schema_version": 1,
        "municipalities": [{"id": "M"}],
        "units": [
            {"id": "U1", "municipality": "M", "area": "BoU", "max_places": 2},
            {"id": "U2", "municipality": "M", "area": "Vuxen", "max_places": 2},
        ],
        "supervisors": [{"id": "S1", "unit": "U1", "capacity": 1}, {"id": "S2", "unit": "U2", "capacity": 1}],
        "criteria": [{"id": n} for n in names],
        "applicants": [],
    }
    rng = random.Random(7)
    for i in range(40):
        chosen = rng.sample(names, rng.randint(0, len(names)))
        interview = [{"criterion": n, "score": rng.randint(1, 5)} for n in chosen]
        if chosen and rng.random() < 0.5:
            interview.append({"criterion": chosen[0], "score": 3, "unit": rng.choice(["U1", "U2"])})
        interests = {"units": {"U1": 0.5, "U2": 0.7}}
        raw["applicants"].append({"id": f"A{i}", "interests": interests, "interview": interview})
    problem = mm.Problem.model_validate(raw)
    assert canonical_bytes(canonical.canonical_problem(problem)) == canonical_bytes(reference_canonical(problem))
    assert canonical.canonical_problem_bytes(problem) == canonical_bytes(reference_canonical(problem))
    shuffled = problem.model_dump(mode="json")
    for applicant in shuffled["applicants"]:
        rng.shuffle(applicant["interview"])
    assert mm.Problem.model_validate(shuffled).fingerprint() == problem.fingerprint()


_VALUES = st.one_of(
    st.text(alphabet=["a", "b", " ", "!", '"', "\\", "\x01", "é", "-", "1"], max_size=4),
    st.integers(-20, 20),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.none(),
    st.booleans(),
)


@given(
    lists=st.lists(st.lists(st.fixed_dictionaries({"k": _VALUES, "m": _VALUES, "z": _VALUES}), max_size=5), max_size=6)
)
def test_sort_records_orders_as_the_encoded_texts(lists: list[list[dict[str, Any]]]) -> None:
    expected = [_sorted(list(items)) for items in lists]
    _sort_records(lists)
    assert [[_sort_key(x) for x in items] for items in lists] == [[_sort_key(x) for x in items] for items in expected]


# Texts with escapes, control characters, non-ASCII and characters that sort before the quote.
_TEXTS = st.text(alphabet=["a", "b", " ", "!", '"', "\\", "\x01", "\n", "é", "€", "-", "1", "\u2028"], max_size=5)
_SCORES = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.sampled_from([1e-05, 1e11, 3.0, -0.0])


@st.composite
def _applicant_records(draw: st.DrawFn, ident: str) -> mm.Applicant:
    """An applicant built without validation (so any text, any float), every optional field drawn set
    or unset: the values the direct writer must write as the general encoder does."""
    weights = st.floats(min_value=0.0, max_value=1.0, allow_nan=False) | st.sampled_from([0.0, 1.0, 1e-07, 0.1])
    interview = tuple(
        mm.InterviewScore.model_construct(
            criterion=draw(_TEXTS),
            score=draw(_SCORES),
            interviewer=draw(st.none() | _TEXTS),
            unit=draw(st.none() | _TEXTS),
            scale_min=draw(st.none() | _SCORES),
            scale_max=draw(st.none() | _SCORES),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    fields: dict[str, Any] = {"id": ident, "interview": interview}
    if draw(st.booleans()):
        weighted: dict[str, Any] = {
            kind: draw(st.dictionaries(_TEXTS, weights, max_size=3)) for kind in ("areas", "units", "supervisors")
        }
        fields["interests"] = mm.Interests.model_construct(**weighted)
    if draw(st.booleans()):
        ranked: dict[str, Any] = {
            kind: draw(st.dictionaries(_TEXTS, st.integers(1, 10_000), max_size=2)) for kind in ("units", "areas")
        }
        fields["ranking"] = mm.Ranking.model_construct(**ranked)
    for key in ("university", "period", "previous_unit", "previous_supervisor"):
        if draw(st.booleans()):
            fields[key] = draw(_TEXTS)
    if draw(st.booleans()):
        fields["priority_tier"] = draw(st.integers(1, 100))
    fields["qualifications"] = tuple(draw(st.lists(_TEXTS, max_size=3)))
    fields["conflicts"] = mm.Conflicts.model_construct(
        units=tuple(draw(st.lists(_TEXTS, max_size=2))), supervisors=tuple(draw(st.lists(_TEXTS, max_size=2)))
    )
    if draw(st.booleans()):
        fields["groups"] = draw(st.dictionaries(_TEXTS, _TEXTS, max_size=2))
    return mm.Applicant.model_construct(**fields)


def _replaced(record: Any, **fields: Any) -> Any:
    """A copy of ``record`` with ``fields`` replaced, not validated (``model_copy`` validates a record)."""
    return type(record).model_construct(**{**record.__dict__, **fields})


_BASE = {
    "municipalities": [{"id": "M"}],
    "units": [{"id": "U", "municipality": "M", "area": "BoU", "max_places": 1}],
    "supervisors": [{"id": "S", "unit": "U"}],
    "applicants": [{"id": "A"}],
}


@given(data=st.data(), ids=st.lists(_TEXTS, min_size=1, max_size=6, unique=True))
def test_direct_applicant_writer_gives_the_general_bytes(data: st.DataObject, ids: list[str]) -> None:
    applicants = tuple(data.draw(_applicant_records(ident)) for ident in ids)
    problem = _replaced(mm.Problem.model_validate(_BASE), applicants=applicants)
    expected = canonical_bytes(reference_canonical(problem))
    assert canonical.canonical_problem_bytes(problem) == expected
    assert canonical_bytes(canonical.canonical_problem(problem)) == expected


def test_records_the_direct_writer_does_not_know_go_the_general_way() -> None:
    # An int score where the model holds floats and a bool where it holds an int (only a record built
    # without validation has them): both applicants are written by the general path, in its bytes.
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    first, second, *rest = sorted(problem.applicants, key=lambda a: a.id)
    score = _replaced(first.interview[0], score=4)
    odd_first = _replaced(first, interview=(score, *first.interview[1:]))
    odd_second = _replaced(second, priority_tier=True)
    odd = _replaced(problem, applicants=(odd_first, odd_second, *rest))
    written = canonical.canonical_problem_bytes(odd)
    assert written == canonical_bytes(reference_canonical(odd))
    assert b'"score":4.0,' in written  # as pydantic writes an int in a float field
    assert b'"priority_tier":1,' in written
