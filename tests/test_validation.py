"""One test per validation rule: the error names the record and field and says how to fix it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from matchmaker import InputError, Problem, ProblemValidationError, Unit

BASE: dict[str, Any] = {
    "criteria": [{"id": "motivation", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0}],
    "municipalities": [{"id": "M1", "max_places": 5}],
    "units": [
        {"id": "BoU", "municipality": "M1", "area": "Barn och ungdom", "max_places": 2},
        {"id": "Vux", "municipality": "M1", "area": "Vuxenenhet", "max_places": 2, "requirements": ["körkort"]},
    ],
    "supervisors": [
        {"id": "H1", "unit": "BoU", "capacity": 2, "training": "completed"},
        {"id": "H2", "unit": "Vux", "capacity": 1, "training": "none"},
    ],
    "applicants": [
        {"id": "A1", "interests": {"areas": {"Barn och ungdom": 1.0}}},
        {"id": "A2", "ranking": {"units": {"BoU": 1, "Vux": 2}}},
    ],
}


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node: Any = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return data


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(ProblemValidationError) as info:
        Problem.model_validate(data)
    return str(info.value)


def test_base_is_valid() -> None:
    p = Problem.model_validate(BASE)
    assert [a.id for a in p.applicants] == ["A1", "A2"]


def test_error_is_an_input_error_and_a_value_error() -> None:
    with pytest.raises(InputError):
        Problem.model_validate(variant(units__0__max_places=-1))
    with pytest.raises(ValueError, match="max_places"):
        Problem.model_validate(variant(units__0__max_places=-1))


def test_duplicate_ids_after_normalisation() -> None:
    data = variant(applicants__1__id=" a1 ")
    assert "2 records share the id 'A1'" in errors_of(data)
    assert "Fix: give each record its own id" in errors_of(data)


def test_duplicate_ids_unicode_forms() -> None:
    data = variant(applicants__1__id="Ａ1")  # full-width A
    assert "share the id" in errors_of(data)


def test_unknown_reference() -> None:
    msg = errors_of(variant(supervisors__1__unit="Vuxx"))
    assert "supervisors['H2'].unit: refers to unit 'Vuxx', which does not exist (did you mean 'Vux'?)" in msg


def test_unknown_municipality() -> None:
    msg = errors_of(variant(units__0__municipality="M2"))
    assert "units['BoU'].municipality: refers to municipality 'M2'" in msg


def test_negative_capacity() -> None:
    msg = errors_of(variant(supervisors__0__capacity=-1))
    assert "supervisors['H1'].capacity: input should be greater than or equal to 0" in msg
    assert "Fix: use a value of at least 0" in msg


def test_minimum_above_maximum() -> None:
    msg = errors_of(variant(units__0__min_places=3))
    assert "units['BoU'].min_places: the minimum (3) is above the maximum (2)" in msg


def test_unit_minimum_above_supervisor_capacity() -> None:
    data = variant(units__1__min_places=2)
    msg = errors_of(data)
    assert "units['Vux'].min_places: the minimum (2) is above the 1 place its supervisors can take together" in msg


def test_municipality_minimum_above_units() -> None:
    data = variant(municipalities__0={"id": "M1", "min_places": 5})
    assert "municipalities['M1'].min_places: the minimum (5) is above the 4 places its units offer" in errors_of(data)


def test_municipality_minimum_above_its_maximum() -> None:
    data = variant(municipalities__0={"id": "M1", "min_places": 3, "max_places": 2})
    assert "municipalities['M1'].min_places: the minimum (3) is above the maximum (2)" in errors_of(data)


def test_score_outside_scale() -> None:
    data = variant(applicants__0__interview=[{"criterion": "motivation", "score": 7.0}])
    msg = errors_of(data)
    assert "applicants['A1'].interview[0].score: the score lies outside its scale 1-5" in msg


def test_interviewer_scale_override_accepts_score() -> None:
    data = variant(
        applicants__0__interview=[{"criterion": "motivation", "score": 7.0, "scale_min": 1.0, "scale_max": 10.0}]
    )
    Problem.model_validate(data)


def test_nan_and_infinity_refused() -> None:
    for bad in (float("nan"), float("inf")):
        data = variant(applicants__0__interests={"areas": {"Barn och ungdom": bad}})
        msg = errors_of(data)
        assert "applicants['A1'].interests.areas['Barn och ungdom']" in msg
        assert "finite" in msg


def test_ranking_gap() -> None:
    data = variant(applicants__1__ranking={"units": {"BoU": 1, "Vux": 3}})
    assert "applicants['A2'].ranking: the ranks leave a gap (no rank 2)" in errors_of(data)


def test_ranking_duplicate_after_normalisation() -> None:
    data = variant(applicants__1__ranking={"units": {"BoU": 1, "bou": 2}})
    msg = errors_of(data)
    assert "applicants['A2'].ranking.units: lists the same unit twice: 'BoU' and 'bou'" in msg


def test_interests_and_ranking_both() -> None:
    data = variant(applicants__0__ranking={"units": {"BoU": 1}})
    assert "both interests (weights) and a ranking are given" in errors_of(data)


def test_unknown_area_in_interests() -> None:
    data = variant(applicants__0__interests={"areas": {"Barn och Ungdom": 1.0}})
    msg = errors_of(data)
    assert "refers to area 'Barn och Ungdom', which does not exist (did you mean 'Barn och ungdom'?)" in msg


def test_area_spelled_two_ways() -> None:
    data = variant(units__1__area="barn och ungdom")
    assert "one area is spelled in 2 ways" in errors_of(data)


def test_pin_clashes_with_conflict() -> None:
    data = variant(applicants__0__conflicts={"units": ["BoU"]})
    data["pins"] = [{"applicant": "A1", "unit": "BoU"}]
    assert "pins[0] (applicant 'A1'): the pin places the applicant in unit 'BoU', which their conflicts forbid" in (
        errors_of(data)
    )


def test_pin_clashes_with_requirement() -> None:
    data = variant()
    data["pins"] = [{"applicant": "A1", "unit": "Vux"}]
    assert "the applicant does not meet the requirements of unit 'Vux'" in errors_of(data)


def test_pin_clashes_with_training_rule() -> None:
    data = variant(policy={"supervisor_training": "completed"}, applicants__0__qualifications=["körkort"])
    data["pins"] = [{"applicant": "A1", "supervisor": "H2"}]
    assert "supervisor 'H2' lacks the training the policy requires (completed)" in errors_of(data)


def test_pin_clashes_with_another_pin() -> None:
    data = variant()
    data["pins"] = [{"applicant": "A1", "unit": "BoU"}, {"applicant": "A1", "supervisor": "H1"}]
    assert "applicant 'A1' is already pinned by pins[0]" in errors_of(data)


def test_pin_supervisor_outside_unit() -> None:
    data = variant()
    data["pins"] = [{"applicant": "A1", "unit": "Vux", "supervisor": "H1"}]
    assert "supervisor 'H1' works in unit 'BoU', not in 'Vux'" in errors_of(data)


def test_pin_without_target() -> None:
    data = variant()
    data["pins"] = [{"applicant": "A1"}]
    assert "pins[0] (applicant 'A1'): names neither a unit nor a supervisor" in errors_of(data)


def test_all_weights_zero() -> None:
    data = variant(policy={"interest_weight": 0.0, "interview_weight": 0.0})
    assert "interest_weight and interview_weight are both 0" in errors_of(data)


def test_all_criterion_weights_zero() -> None:
    data = variant(
        criteria=[{"id": "motivation", "weight": 0.0}],
        applicants__0__interview=[{"criterion": "motivation", "score": 3.0}],
    )
    assert "every interview criterion has weight 0" in errors_of(data)


def test_protected_attribute_refused() -> None:
    data = variant(applicants__0__kön="kvinna")
    msg = errors_of(data)
    assert "applicants['A1']: field 'kön' holds personal data or a protected attribute" in msg
    assert "kvinna" not in msg  # values are never echoed


def test_name_field_refused() -> None:
    data = variant(applicants__0__name="Anna Andersson")
    msg = errors_of(data)
    assert "field 'name' holds personal data" in msg
    assert "Anna" not in msg


def test_unknown_field_refused() -> None:
    msg = errors_of(variant(units__0__capacity=3))
    assert "units['BoU'].capacity: unknown field" in msg


def test_id_as_number_refused() -> None:
    msg = errors_of(variant(applicants__0__id=1))
    assert "applicants[0].id: input should be a valid string" in msg
    assert "ids such as 001 must be quoted" in msg


def test_all_errors_reported_at_once() -> None:
    data = variant(supervisors__0__capacity=-1, units__0__max_places=-2)
    with pytest.raises(ProblemValidationError) as info:
        Problem.model_validate(data)
    assert len(info.value.issues) == 2
    data = variant(units__0__min_places=5, supervisors__1__unit="X", applicants__1__ranking={"units": {"BoU": 2}})
    with pytest.raises(ProblemValidationError) as info:
        Problem.model_validate(data)
    assert len(info.value.issues) == 3


def test_record_constructor_raises_library_error() -> None:
    with pytest.raises(ProblemValidationError, match="max_places: input should be greater than or equal to 0"):
        Unit(id="U", municipality="M", area="A", max_places=-1)


def test_problem_is_immutable() -> None:
    p = Problem.model_validate(BASE)
    with pytest.raises(Exception, match="frozen"):
        p.applicants = ()  # type: ignore[misc]


def test_newer_schema_version_refused() -> None:
    assert Problem.model_validate(variant(schema_version=1)).schema_version == 1
    msg = errors_of(variant(schema_version=2))
    assert "schema_version: schema version 2 is newer than this matchmaker knows (1). Fix: upgrade matchmaker" in msg


def _lookups(p: Problem) -> tuple[object, ...]:
    return (p.municipality_by_id, p.unit_by_id, p.supervisor_by_id, p.applicant_by_id, p.period_by_id, p.period_of)


def test_model_copy_with_an_update_refreshes_the_lookups() -> None:
    # Regression (guide review): model_copy(update=...) copied the cached lookups stale, so changing the
    # units this way gave no plan and no error.
    import matchmaker as mm

    p = Problem.model_validate(BASE)
    _lookups(p)  # fill every cache of the original
    units = tuple(u.model_copy(update={"max_places": 1}) if u.id == "BoU" else u for u in p.units)
    fewer = p.model_copy(update={"units": units})
    assert fewer.unit_by_id["BoU"].max_places == 1
    assert fewer.fingerprint() == Problem.model_validate(variant(units__0__max_places=1)).fingerprint()
    fresh = Problem.model_validate(variant(units__0__max_places=1))
    assert _lookups(fewer) == _lookups(fresh)
    assert mm.solve(fewer).decision_json() == mm.solve(fresh).decision_json()
    one = p.model_copy(update={"applicants": p.applicants[:1]})
    assert sorted(one.applicant_by_id) == ["A1"] == sorted(one.period_of)
    assert [a.applicant for a in mm.solve(one).assignments] == ["A1"]
    assert _lookups(p) == _lookups(Problem.model_validate(BASE))  # the original is unchanged
    assert p.model_copy() == p


def test_model_copy_with_an_update_validates_like_construction() -> None:
    p = Problem.model_validate(BASE)
    stray = p.units[0].model_copy(update={"municipality": "M9"})  # a record alone cannot know M9 is missing
    with pytest.raises(ProblemValidationError, match="M9"):
        p.model_copy(update={"units": (stray, p.units[1])})
    with pytest.raises(ProblemValidationError, match="max_places"):
        p.units[0].model_copy(update={"max_places": -1})
    with pytest.raises(ProblemValidationError, match="nonsense"):
        p.model_copy(update={"nonsense": 1})


def test_result_model_copy_refreshes_its_lookups() -> None:
    import matchmaker as mm

    p = Problem.model_validate(BASE)
    r = mm.solve(p)
    assert r.placement_of  # fill the caches
    assert r.objective
    empty = r.model_copy(update={"decision": r.decision.model_copy(update={"assignments": ()})})
    assert empty.placement_of == {}
    assert empty.objective == r.objective


# -- the applicants' rules on all applicants at once ---------------------------------------------------

#: Ways to break one applicant's wishes, scores or conflicts (each is a field-valid record).
_APPLICANT_BREAKS: dict[str, Any] = {
    "an unknown unit": lambda a: a.update(interests={"units": {"nowhere": 0.5}}),
    "an unknown supervisor": lambda a: a.update(ranking={"supervisors": {"nobody": 1}}),
    "an unknown area": lambda a: a.update(interests={"areas": {"Nowhere": 1.0}}),
    "the same unit twice": lambda a: a.update(interests={"units": {"BoU": 0.5, "bou": 0.4}}),
    "a gap in the ranks": lambda a: a.update(ranking={"units": {"BoU": 1, "Vux": 3}}),
    "interests and a ranking": lambda a: a.update(interests={"units": {"BoU": 0.5}}, ranking={"units": {"BoU": 1}}),
    "an unknown criterion": lambda a: a.update(interview=[{"criterion": "charm", "score": 3.0}]),
    "a score outside the scale": lambda a: a.update(interview=[{"criterion": "motivation", "score": 9.0}]),
    "half an own scale": lambda a: a.update(interview=[{"criterion": "motivation", "score": 3.0, "scale_min": 0.0}]),
    "an empty own scale": lambda a: a.update(
        interview=[{"criterion": "motivation", "score": 3.0, "scale_min": 4.0, "scale_max": 4.0}]
    ),
    "a score given twice": lambda a: a.update(
        interview=[{"criterion": "motivation", "score": 3.0}, {"criterion": "motivation", "score": 4.0}]
    ),
    "a score for an unknown unit": lambda a: a.update(
        interview=[{"criterion": "motivation", "score": 3.0, "unit": "nowhere"}]
    ),
    "a conflict with an unknown unit": lambda a: a.update(conflicts={"units": ["nowhere"]}),
    "a conflict with an unknown supervisor": lambda a: a.update(conflicts={"supervisors": ["nobody"]}),
    "nothing": lambda a: a.update(interview=[{"criterion": "motivation", "score": 3.0, "unit": "BoU"}]),
}


@pytest.mark.parametrize("broken", sorted(_APPLICANT_BREAKS))
@pytest.mark.parametrize("who", [0, 1])
def test_applicants_pass_finds_what_the_loop_finds(broken: str, who: int) -> None:
    """The whole pass over the applicants says "nothing wrong" exactly when the applicant-by-applicant
    rules find nothing, and the problem's issues are those of the loop (the pass only skips it)."""
    from matchmaker import Applicant
    from matchmaker._validation import problem_issues
    from matchmaker._validation.applicants import applicants_pass, check_applicant
    from matchmaker._validation.collector import Collector

    good = Problem.model_validate(BASE)
    data = copy.deepcopy(BASE["applicants"][who])
    data.pop("interests", None)
    data.pop("ranking", None)
    _APPLICANT_BREAKS[broken](data)
    changed = list(good.applicants)
    changed[who] = Applicant.model_validate(data)  # field-valid; the problem is made without its rules
    problem = Problem.model_construct(**{**dict(good), "applicants": tuple(changed)})
    areas = {u.area for u in problem.units}
    criteria = {c.id: c for c in problem.criteria}
    out = Collector()
    for a in problem.applicants:
        check_applicant(out, problem, a, areas, criteria)
    assert applicants_pass(problem, areas, criteria) == (not out.issues)
    assert (broken == "nothing") == (not out.issues)
    assert [i.location for i in problem_issues(problem)] == [i.location for i in out.issues]
