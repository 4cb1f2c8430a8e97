"""Applicant groups and the fairness rules over them (``Applicant.groups``, ``policy.group_rules``).

Brute force from the raw records for every rule on tiny random rounds, hand-solved cases, properties
(a rule that does not bind changes nothing; the checker rejects a plan that breaks a rule), the network
engine's view of group rows, explanations that name a group rule, and the validation errors.
"""

from __future__ import annotations

import gc
import weakref
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import matchmaker as mm
from brute import assert_solved_as_brute_force
from conftest import make_problem
from matchmaker import Problem, SolveOptions, Status, check, solve
from matchmaker._build import build_model
from matchmaker._engines.flow import network_of
from matchmaker._engines.lp import Certificate, LpSession
from matchmaker._engines.parametric import (
    by_parameter,
    flow_bounds,
    is_placed_row,
    parameter_of,
    row_bound,
    substitute,
    substitution,
)
from matchmaker._linear import plan_stages
from matchmaker._scoring import score
from matchmaker.errors import ProblemValidationError
from matchmaker.explanations import explain, explain_infeasibility
from matchmaker.report._content import level_name, level_reading, policy_lines
from strategies import grouped_problems, with_pair_weights


def plan_of(result: mm.Result) -> dict[str, str]:
    return {a.applicant: a.supervisor for a in result.assignments}


def round_of(rules: list[dict[str, Any]], homes: list[str], *, places: int, seed: int = 3) -> Problem:
    """One unit with ``places`` supervisors of capacity 1; applicant ``A<i>`` wishes it and lives in
    ``homes[i]``."""
    return Problem.model_validate(
        {
            "municipalities": [{"id": "M1"}],
            "units": [{"id": "U1", "municipality": "M1", "area": "barn", "max_places": places}],
            "supervisors": [{"id": f"S{i}", "unit": "U1", "capacity": 1} for i in range(places)],
            "applicants": [
                {"id": f"A{i}", "ranking": {"units": {"U1": 1}}, "groups": {"home": home}}
                for i, home in enumerate(homes)
            ],
            "policy": {"group_rules": rules, "lottery_seed": seed},
        }
    )


def placed_by_group(problem: Problem, result: mm.Result, family: str = "home") -> dict[str, int]:
    out: dict[str, int] = {}
    for a in problem.applicants:
        out.setdefault(a.groups[family], 0)
        out[a.groups[family]] += a.id in result.placement_of
    return out


# -- brute force -------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "lp", "cp-sat"])
@settings(max_examples=40)
@given(raw=grouped_problems())
def test_optimum_with_group_rules_equals_brute_force(engine: str, raw: dict[str, Any]) -> None:
    assert_solved_as_brute_force(make_problem(raw), engine)


@settings(max_examples=60)
@given(data=st.data())
def test_weighted_orders_with_group_rules_equal_brute_force(data: st.DataObject) -> None:
    # Pair weights and an objective order beside group rules: with the maximum-weight order the first
    # stage leaves the placed count free, which the flows must prove unique before the lottery.
    raw = data.draw(with_pair_weights(data.draw(grouped_problems())))
    assert_solved_as_brute_force(make_problem(raw), "auto")


# -- hand-solved cases ---------------------------------------------------------------------------------

HOMES = ["Nacka", "Nacka", "Tyreso", "Tyreso", "Tyreso", "Tyreso"]


def test_rate_rule_lowers_the_placed_count_to_what_every_group_can_match() -> None:
    # 5 places for 6 applicants; rate at least the overall rate (ratio 1). 5 placed: Tyreso 3/4 < 5/6.
    # 4 placed: Nacka needs 2 (>= 4/6 * 2) and Tyreso 3 (>= 4/6 * 4): 5 > 4. 3 placed: 1 + 2. So 3.
    problem = round_of([{"family": "home", "rule": "rate", "ratio": 1.0}], HOMES, places=5)
    result = solve(problem)
    assert result.status is Status.OPTIMAL
    assert result.objective["placed"] == 3
    assert placed_by_group(problem, result) == {"Nacka": 1, "Tyreso": 2}
    assert check(problem, result).ok
    assert solve(round_of([], HOMES, places=5)).objective["placed"] == 5


def test_rate_rule_is_exact_at_the_boundary() -> None:
    # ratio 3/4, 3 places: overall 3/6; Nacka needs >= 3/4 * 1/2 * 2 = 3/4, so 1 (not 0).
    problem = round_of([{"family": "home", "rule": "rate", "ratio": 0.75}], HOMES, places=3)
    result = solve(problem)
    assert result.objective["placed"] == 3
    assert placed_by_group(problem, result)["Nacka"] >= 1
    # ratio 1/3 with the lottery favouring Tyreso would allow Nacka 0: 0 < 1/3 * 1/2 is false only at 0.
    lenient = solve(round_of([{"family": "home", "rule": "rate", "ratio": 0.0}], HOMES, places=3))
    assert lenient.objective == solve(round_of([], HOMES, places=3)).objective


def test_min_size_exempts_small_groups() -> None:
    homes = ["Nacka", "Tyreso", "Tyreso", "Tyreso"]
    data = round_of([{"family": "home", "rule": "rate", "ratio": 1.0}], homes, places=3).model_dump(mode="json")
    data["applicants"][0]["ranking"] = None  # the one Nacka applicant has no option: Nacka's rate is 0
    strict = solve(Problem.model_validate(data))
    assert strict.objective["placed"] == 0  # 0 >= overall forces nobody placed
    data["policy"]["group_rules"][0]["min_size"] = 2
    exempt = solve(Problem.model_validate(data))
    assert exempt.objective["placed"] == 3


def test_band_rule_keeps_every_rate_near_the_overall() -> None:
    # 4 places; tolerance 0.1: overall k/6; Nacka x/2, Tyreso y/4 within 0.1 of (x + y)/6.
    problem = round_of([{"family": "home", "rule": "band", "tolerance": 0.1}], HOMES, places=4)
    result = solve(problem)
    counts = placed_by_group(problem, result)
    overall = Fraction(len(result.assignments), 6)
    assert abs(Fraction(counts["Nacka"], 2) - overall) <= Fraction(1, 10)
    assert abs(Fraction(counts["Tyreso"], 4) - overall) <= Fraction(1, 10)
    assert result.objective["placed"] == 3  # 4 would need x/2 and y/4 within 0.1 of 2/3: impossible


def test_maximin_level_raises_the_lowest_group_rate() -> None:
    # Seed 3 alone places A0, A1 (Nacka 2/2) and one of Tyreso; maximin asks Tyreso's rate up first.
    homes = ["Nacka", "Nacka", "Tyreso", "Tyreso"]
    problem = round_of([{"family": "home", "rule": "maximin"}], homes, places=2)
    result = solve(problem)
    assert result.objective["lowest_group_rate_ppm[home]"] == 500_000
    assert placed_by_group(problem, result) == {"Nacka": 1, "Tyreso": 1}
    names = [lv.name for lv in result.decision.objective]
    assert names.index("placed") < names.index("lowest_group_rate_ppm[home]") < names.index("total_fit")


def test_count_rule_bounds_each_named_group() -> None:
    rule = {"family": "home", "rule": "count", "max_count": 0, "groups": ["Nacka"]}
    problem = round_of([rule], HOMES, places=3)
    result = solve(problem)
    assert placed_by_group(problem, result) == {"Nacka": 0, "Tyreso": 3}
    floor = {"family": "home", "rule": "count", "min_count": 2, "groups": ["Nacka"]}
    result = solve(round_of([floor], HOMES, places=2))
    assert set(result.placement_of) == {"A0", "A1"}


def test_count_rule_without_groups_covers_every_group() -> None:
    rule = {"family": "home", "rule": "count", "max_count": 1}
    problem = round_of([rule], HOMES, places=4)
    result = solve(problem)
    assert placed_by_group(problem, result) == {"Nacka": 1, "Tyreso": 1}


def test_rules_beside_municipality_balance_share_the_placed_count() -> None:
    data = round_of([{"family": "home", "rule": "rate", "ratio": 1.0}], HOMES, places=5).model_dump(mode="json")
    data["municipalities"].append({"id": "M2"})
    data["units"].append({"id": "U2", "municipality": "M2", "area": "barn", "max_places": 1})
    data["supervisors"].append({"id": "S9", "unit": "U2", "capacity": 1})
    data["policy"]["balance"] = {"mode": "ratio", "ratio": 0.5}
    problem = Problem.model_validate(data)
    model = build_model(problem, score(problem))
    assert model.aux_names == ("placed_total",)
    result = solve(problem)
    assert check(problem, result).ok
    assert result.status is Status.OPTIMAL


# -- properties ----------------------------------------------------------------------------------------


def _without_rules(problem: Problem) -> Problem:
    return problem.model_copy(update={"policy": problem.policy.model_copy(update={"group_rules": ()})})


@settings(max_examples=40)
@given(raw=grouped_problems())
def test_a_rule_that_does_not_bind_changes_nothing(raw: dict[str, Any]) -> None:
    free = _without_rules(make_problem(raw))
    base = solve(free)
    if not base.status.has_plan:
        return
    counts: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for a in free.applicants:
        group = a.groups.get("home")
        if group is not None:
            sizes[group] = sizes.get(group, 0) + 1
            counts[group] = counts.get(group, 0) + (a.id in base.placement_of)
    if not sizes:
        return
    overall = Fraction(len(base.assignments), len(free.applicants))
    lowest = min(Fraction(counts[g], sizes[g]) for g in sizes)
    # The plan's own lowest ratio (rounded down to a 10,000th) and its own counts as bounds: it keeps them.
    ratio = float(Fraction(int(lowest / overall * 10_000), 10_000)) if overall else 1.0
    rules = [
        {"family": "home", "rule": "rate", "ratio": min(ratio, 1.0)},
        {"family": "home", "rule": "count", "max_count": max(counts.values())},
    ]
    data = free.model_dump(mode="json")
    data["policy"]["group_rules"] = rules
    ruled = solve(Problem.model_validate(data))
    assert plan_of(ruled) == plan_of(base)
    assert dict(ruled.objective) == dict(base.objective)


@settings(max_examples=40)
@given(raw=grouped_problems())
def test_the_checker_rejects_a_plan_that_breaks_a_group_rule(raw: dict[str, Any]) -> None:
    free = _without_rules(make_problem(raw))
    base = solve(free)
    if not base.assignments:
        return
    counts: dict[str, int] = {}
    for a in free.applicants:
        if "home" in a.groups and a.id in base.placement_of:
            counts[a.groups["home"]] = counts.get(a.groups["home"], 0) + 1
    if not counts:
        return
    group, count = max(sorted(counts.items()), key=lambda kv: kv[1])
    data = free.model_dump(mode="json")
    data["policy"]["group_rules"] = [{"family": "home", "rule": "count", "max_count": count - 1, "groups": [group]}]
    ruled = Problem.model_validate(data)
    report = check(ruled, base)
    assert any(v.kind == "group_max" and v.record == f"home|{group}" for v in report.violations)


# -- the network engine ----------------------------------------------------------------------------------


def test_one_partition_of_applicants_is_a_level_of_the_network() -> None:
    rule = {"family": "home", "rule": "count", "max_count": 1}
    problem = round_of([rule], HOMES, places=4)
    model = build_model(problem, score(problem))
    assert network_of(model) is not None
    assert solve(problem).statistics.engine == "flow"


def test_a_rate_rule_is_solved_through_the_placed_count_on_the_network() -> None:
    result = solve(round_of([{"family": "home", "rule": "rate", "ratio": 1.0}], HOMES, places=5))
    assert result.statistics.engine == "lp-bound+flow"
    assert result.status is Status.OPTIMAL


def weighted_round(weights: list[int], homes: list[str], *, places: int, ratio: float) -> Problem:
    """:func:`round_of` with a rate rule, pair weights ``weights[i]`` for applicant ``A<i>`` that
    replace the fit, and the maximum-weight order."""
    data = round_of([{"family": "home", "rule": "rate", "ratio": ratio}], homes, places=places).model_dump(mode="json")
    data["pair_weights"] = {"rows": [{"applicant": f"A{i}", "unit": "U1", "weight": w} for i, w in enumerate(weights)]}
    data["policy"] |= {"pair_weights": "replace", "order": "maximum_weight"}
    return Problem.model_validate(data)


def test_maximum_weight_with_a_binding_rate_rule_is_proven_on_the_network() -> None:
    # Nacka's one applicant weighs 1, Tyreso's three 10 each, two places. Without the rule: both to
    # Tyreso (20). Rate at least 0.5 x overall: placing 2 needs Nacka's rate 1/1 and Tyreso's k/3 at
    # least 1/4, so one each (11); placing 1 leaves one home at 0 below 1/8: no. Placing none meets
    # the rule (0), so the best is 11, at one placed count only.
    problem = weighted_round([1, 10, 10, 10], ["Nacka", "Tyreso", "Tyreso", "Tyreso"], places=2, ratio=0.5)
    result = solve(problem)
    assert result.status is Status.OPTIMAL
    assert result.statistics.engine == "flow-bound+flow"
    assert result.objective["total_weight"] == 11
    assert placed_by_group(problem, result) == {"Nacka": 1, "Tyreso": 1}
    assert check(problem, result).ok


def test_two_placed_counts_reaching_the_optimum_are_not_settled_on_one_network() -> None:
    # Weights 0 for everyone: every plan the rule admits has weight 0 (placing none, or one of each
    # home), so the placed count is not fixed by the first stage and the lottery must choose among
    # plans of different sizes: the flows may not prove it on one network.
    problem = weighted_round([0, 0, 0, 0], ["Nacka", "Nacka", "Tyreso", "Tyreso"], places=2, ratio=1.0)
    model = build_model(problem, score(problem))
    t = parameter_of(model)
    assert t is not None
    stage = plan_stages(model.levels, LpSession.stage_limit)[0]
    c = np.zeros(model.n_vars, dtype=np.int64)
    c[stage.objective.indices] = stage.objective.coefs
    low, high = int(model.var_lb[t]), int(model.var_ub[t])
    found = flow_bounds(model, SolveOptions(), c[: model.n_pairs], low, high, ties=True)
    assert found is not None
    assert found.stage_value == 0
    assert not found.proven
    assert by_parameter(model, SolveOptions()) is not None
    result = solve(problem)
    assert result.status is Status.OPTIMAL
    assert not result.statistics.engine.startswith("flow-bound")
    assert check(problem, result).ok


def test_two_crossing_families_are_not_a_network_but_still_exact() -> None:
    data = round_of([], HOMES, places=4).model_dump(mode="json")
    for i, a in enumerate(data["applicants"]):
        a["groups"]["university"] = "SU" if i % 2 else "SH"
    data["policy"]["group_rules"] = [
        {"family": "home", "rule": "count", "max_count": 1, "groups": ["Tyreso"]},
        {"family": "university", "rule": "count", "max_count": 1},
    ]
    problem = Problem.model_validate(data)
    assert network_of(build_model(problem, score(problem))) is None
    result = solve(problem)
    assert result.status is Status.OPTIMAL
    assert check(problem, result).ok
    assert result.objective["placed"] == 2


# -- explanations -------------------------------------------------------------------------------------------


def test_infeasibility_names_the_group_rule() -> None:
    rule = {"family": "home", "rule": "count", "min_count": 3, "groups": ["Nacka"]}
    problem = round_of([rule], HOMES, places=3)
    result = solve(problem)
    assert result.status is Status.INFEASIBLE
    e = explain_infeasibility(problem)
    assert e is not None
    assert [(c.kind, c.record) for c in e.core] == [("group_min", "home|Nacka")]
    assert [(r.kind, r.before, r.after) for r in e.relaxation] == [("group_min", 3, 2)]
    assert "group Nacka of home needs at least 3" in e.text("en")
    assert "gruppen Nacka i home behöver minst 3" in e.text("sv")


def test_a_non_placement_decided_by_a_group_rule_names_it() -> None:
    # Nacka's two applicants cannot be placed (no wishes); the rate rule (ratio 1/2) caps the overall
    # rate at twice Nacka's 0: nobody is placed, although the unit has free places.
    data = round_of([{"family": "home", "rule": "rate", "ratio": 0.5}], HOMES, places=3).model_dump(mode="json")
    data["applicants"][0]["ranking"] = None
    data["applicants"][1]["ranking"] = None
    problem = Problem.model_validate(data)
    result = solve(problem)
    assert result.objective["placed"] == 0
    e = explain(problem, result, "A2")
    assert [(o.unit, o.outcome, o.full) for o in e.options] == [("U1", "infeasible", ("group_rule",))]
    assert "fairness rule over applicant groups" in e.text("en")
    assert "rättviseregel för grupper av sökande" in e.text("sv")


# -- validation -----------------------------------------------------------------------------------------------


def _raw(rules: list[dict[str, Any]], groups: dict[str, str] | None = None) -> dict[str, Any]:
    data = round_of([], HOMES, places=2).model_dump(mode="json")
    if groups is not None:
        data["applicants"][0]["groups"] = groups
    data["policy"]["group_rules"] = rules
    return data


def test_unknown_family_is_named_with_a_suggestion() -> None:
    with pytest.raises(
        ProblemValidationError, match=r"no applicant has a group in family 'hom'.*did you mean 'home'"
    ) as e:
        Problem.model_validate(_raw([{"family": "hom", "rule": "rate"}]))
    assert e.value.issues[0].location == "policy.group_rules[0].family"


def test_unknown_group_of_a_count_rule_is_named() -> None:
    rule = {"family": "home", "rule": "count", "max_count": 1, "groups": ["Nackka"]}
    with pytest.raises(ProblemValidationError, match=r"no applicant is in group 'Nackka'.*did you mean 'Nacka'"):
        Problem.model_validate(_raw([rule]))


@pytest.mark.parametrize("family", ["gender", "Kön", "Age group", "mother_tongue", "Födelseland"])
def test_a_protected_family_is_refused(family: str) -> None:
    with pytest.raises(ProblemValidationError, match="protected attribute") as e:
        Problem.model_validate(_raw([], {family: "x"}))
    assert "applicants['A0'].groups" in str(e.value)
    with pytest.raises(ProblemValidationError, match="protected attribute"):
        mm.GroupRule(family=family, rule="maximin")


@pytest.mark.parametrize("value", ["female", "Kvinna", "age 30-39", "Religion: none"])
def test_a_protected_value_is_refused_without_being_echoed(value: str) -> None:
    with pytest.raises(ProblemValidationError, match="protected attribute") as e:
        Problem.model_validate(_raw([], {"cohort": value}))
    assert value not in str(e.value)


def test_ordinary_families_and_values_are_accepted() -> None:
    problem = Problem.model_validate(_raw([], {"home_municipality": "Nacka", "university": "SU", "step": "2"}))
    assert problem.applicant_by_id["A0"].groups["university"] == "SU"


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ({"family": "home", "rule": "count"}, "needs min_count, max_count or both"),
        ({"family": "home", "rule": "count", "min_count": 3, "max_count": 1}, "min_count 3 is above max_count 1"),
        ({"family": "home", "rule": "rate", "min_count": 1}, "belong to a 'count' rule"),
        ({"family": "home", "rule": "rate", "ratio": 1.5}, "ratio"),
        ({"family": "home", "rule": "average"}, "rule"),
    ],
)
def test_malformed_rules_are_refused(rule: dict[str, Any], words: str) -> None:
    with pytest.raises(ProblemValidationError, match=words):
        Problem.model_validate(_raw([rule]))


def test_a_repeated_rule_and_a_group_counted_twice_are_refused() -> None:
    with pytest.raises(ProblemValidationError, match=r"repeats the 'rate' rule of family 'home'"):
        Problem.model_validate(_raw([{"family": "home", "rule": "rate"}, {"family": "home", "rule": "rate"}]))
    counts = [
        {"family": "home", "rule": "count", "max_count": 1},
        {"family": "home", "rule": "count", "min_count": 1, "groups": ["Nacka"]},
    ]
    with pytest.raises(ProblemValidationError, match="is in two 'count' rules"):
        Problem.model_validate(_raw(counts))


def test_a_rule_error_is_reported_beside_a_broken_applicant_only_when_reliable() -> None:
    data = _raw([{"family": "hom", "rule": "rate"}])
    data["applicants"][3]["priority_tier"] = 0  # a field error in another applicant
    with pytest.raises(ProblemValidationError) as e:
        Problem.model_validate(data)
    locations = [i.location for i in e.value.issues]
    assert any("priority_tier" in loc for loc in locations)
    # which families exist is unsettled while an applicant is broken: the family issue waits
    assert "policy.group_rules[0].family" not in locations


def test_groups_leave_the_fingerprint_of_a_round_without_them_unchanged() -> None:
    plain = round_of([], HOMES, places=2).model_dump(mode="json")
    for a in plain["applicants"]:
        del a["groups"]
    without = Problem.model_validate(plain)
    explicit = Problem.model_validate({**plain, "applicants": [{**a, "groups": {}} for a in plain["applicants"]]})
    assert without.fingerprint() == explicit.fingerprint()
    grouped = round_of([], HOMES, places=2)
    assert grouped.fingerprint() != without.fingerprint()


def test_table_formats_keep_groups_and_rules(tmp_path: Any) -> None:
    problem = round_of([{"family": "home", "rule": "maximin"}], HOMES, places=2)
    mm.io.dump_problem_csv(problem, tmp_path / "csv", lang="sv")
    header = (tmp_path / "csv" / "sokande.csv").read_text("utf-8-sig").splitlines()[0]
    assert header.endswith(";grupp:home")
    assert (tmp_path / "csv" / "gruppregler.csv").read_text("utf-8-sig").splitlines()[1].startswith("home;maximin;")
    again = mm.io.load_problem_csv(tmp_path / "csv")
    assert again == problem
    assert solve(again).decision_json() == solve(problem).decision_json()


_APPS = "id,group:home\nA1,Nacka\nA2,\n"
_RULE = "family,rule,ratio,min_count,groups\n"


@pytest.mark.parametrize(
    ("files", "where", "words"),
    [
        ({"group_rules.csv": _RULE + "home,rates,,,\n"}, "group_rules.csv, row 2, column rule", "is not one of"),
        ({"group_rules.csv": _RULE + "home,rate,1.5,,\n"}, "group_rules.csv, row 2, column ratio", "less than or"),
        (
            {"group_rules.csv": _RULE + "home,rate,,2,Nacka\n"},
            "group_rules.csv, row 2",
            "min_count, max_count and groups belong to a 'count' rule",
        ),
        ({"applicants.csv": "id,group:Kön\nA1,x\n"}, "applicants.csv, row 1, column group:Kön", "group family 'Kön'"),
        ({"applicants.csv": "id,grupp:\nA1,x\n"}, "applicants.csv, row 1, column grupp:", "names no family"),
        (
            {"applicants.csv": "id,group:home\nA1,kvinna\n"},
            "applicants.csv, row 2, column group:home",
            "the group of family 'home' names personal data",
        ),
        ({"applicants.csv": "id,group:home,Group:home\nA1,x,y\n"}, "row 1, column Group:home", "a second"),
    ],
)
def test_bad_group_cells_name_the_file_row_and_column(
    files: dict[str, str], where: str, words: str, tmp_path: Any
) -> None:
    base = {
        "municipalities.csv": "id\nM\n",
        "units.csv": "id,municipality,area,max_places\nU1,M,BoU,1\n",
        "supervisors.csv": "id,unit\nS1,U1\n",
        "applicants.csv": _APPS,
    }
    for name, text in {**base, **files}.items():
        (tmp_path / name).write_text(text, "utf-8")
    with pytest.raises(mm.InputError) as info:
        mm.io.load_problem_csv(tmp_path)
    shown = [f"{i.location}: {i.message}" for i in info.value.issues]
    assert any(f"{where}: " in line and words in line for line in shown), shown
    assert "kvinna" not in str(info.value)  # a group's value is never echoed


def test_a_workbook_names_the_sheet_and_column_letter_of_a_protected_family(tmp_path: Any) -> None:
    path = tmp_path / "omgang.xlsx"
    mm.save_problem(round_of([{"family": "home", "rule": "maximin"}], HOMES, places=2), path, lang="sv")
    wb = load_workbook(path)
    sheet = wb["Sökande"]
    sheet.cell(1, sheet.max_column + 1).value = "Grupp: Modersmål"
    sheet.cell(2, sheet.max_column).value = "x"
    wb.save(path)
    with pytest.raises(mm.InputError) as info:
        mm.load_problem(path)
    (issue,) = info.value.issues
    assert issue.location.endswith("sheet Sökande, row 1, column Grupp: Modersmål (J)")
    assert "gruppfamiljen 'Modersmål' anger personuppgifter" in issue.text("sv")


def test_a_bad_group_cell_reads_in_swedish(tmp_path: Any) -> None:
    (tmp_path / "w").mkdir()
    mm.io.dump_problem_csv(round_of([{"family": "home", "rule": "rate"}], HOMES, places=2), tmp_path / "w", lang="sv")
    rules = tmp_path / "w" / "gruppregler.csv"
    rules.write_text(rules.read_text("utf-8-sig").replace("lägsta andel", "andelar"), "utf-8")
    with pytest.raises(mm.InputError) as info:
        mm.io.load_problem_csv(tmp_path / "w")
    shown = info.value.issues[0].text("sv")
    assert "gruppregler.csv, rad 2, kolumn regel: " in shown
    assert "lägsta andel" in shown.split("Åtgärd:")[1]


@settings(max_examples=60)
@given(raw=grouped_problems())
def test_the_search_by_flows_alone_finds_the_lp_searchs_first_stage(raw: dict[str, Any]) -> None:
    # Exact both ways: the branch and bound over the placed count with flow bounds only (used at scale)
    # and the one with LP bounds reach the same placed count and first-stage value.
    kept = [r for r in raw["policy"]["group_rules"] if r["rule"] == "count"]
    raw["policy"]["group_rules"] = [*kept, {"family": "home", "rule": "rate", "ratio": 1.0}]
    if raw["policy"]["balance"] is not None and raw["policy"]["balance"]["mode"] == "maximin":
        raw["policy"]["balance"] = None  # a threshold level: not a search over one variable
    raw["policy"].update(objective="total_fit", minimums="hard", targets="soft")
    raw["links"] = []  # soft links and targets add auxiliary variables of their own
    for unit in raw["units"]:
        unit.pop("target_places", None)
    problem = make_problem(raw)
    model = build_model(problem, score(problem))
    options = SolveOptions(workers=1)
    by_flows = flow_bounds_search(model, options)
    by_lp = by_parameter(model, options, by_flow=False)
    if by_lp is None or not by_lp.proven or by_flows is None:
        return  # the search does not apply, or the flows give up (then the LP search runs)
    assert by_flows.proven
    assert (by_flows.value, by_flows.stage_value) == (by_lp.value, by_lp.stage_value)


def ruled_model(raw: dict[str, Any]) -> Any:
    """The model of ``raw`` with a rate rule over homes, where the search over the placed count applies."""
    kept = [r for r in raw["policy"]["group_rules"] if r["rule"] == "count"]
    raw["policy"]["group_rules"] = [*kept, {"family": "home", "rule": "rate", "ratio": 1.0}]
    if raw["policy"]["balance"] is not None and raw["policy"]["balance"]["mode"] == "maximin":
        raw["policy"]["balance"] = None
    raw["policy"].update(objective="total_fit", minimums="hard", targets="soft")
    raw["links"] = []
    for unit in raw["units"]:
        unit.pop("target_places", None)
    problem = make_problem(raw)
    return build_model(problem, score(problem))


@settings(max_examples=60)
@given(raw=grouped_problems(), data=st.data())
def test_a_ranges_duals_bound_every_part_of_it(raw: dict[str, Any], data: st.DataObject) -> None:
    # The bound a solved range's duals give a part of it (exact weak duality over the part's row
    # bounds) is never below the part's own optimum, and over the range itself it is the optimum.
    model = ruled_model(raw)
    t = parameter_of(model)
    sub = substitution(model) if t is not None and is_placed_row(model) else None
    if sub is None or sub.network is None:
        return
    first = plan_stages(model.levels, LpSession.stage_limit)[0]
    c = np.zeros(model.n_vars, dtype=np.int64)
    c[first.objective.indices] = first.objective.coefs
    c = c[: model.n_pairs]
    low, high = int(model.var_lb[t]), int(model.var_ub[t])
    a = data.draw(st.integers(low, high))
    b = data.draw(st.integers(a, high))
    bounds = sub.relaxed(a, b)
    if bounds is None:  # a row over the placed count alone fails at an end
        return
    whole = sub.flow(c, *bounds)
    if not isinstance(whole, Certificate):
        return
    assert row_bound(whole, bounds, bounds) == whole.value
    part_low = data.draw(st.integers(a, b))
    part_high = data.draw(st.integers(part_low, b))
    part = sub.relaxed(part_low, part_high)
    if part is None:
        return
    got = sub.flow(c, *part)
    if isinstance(got, Certificate):
        assert row_bound(whole, bounds, part) >= got.value
    # each value's model is the one substitute builds on its own, with the same row bounds
    at, at_bounds = substitute(model, part_low), sub.bounds(part_low)
    assert at is not None
    assert at_bounds is not None
    assert np.array_equal(at.row_lb, at_bounds[0])
    assert np.array_equal(at.row_ub, at_bounds[1])


@settings(max_examples=60)
@given(raw=grouped_problems(), data=st.data())
def test_a_plan_fits_the_rules_up_to_the_value_found(raw: dict[str, Any], data: st.DataObject) -> None:
    # fits_up_to: a plan's rows with the placed count hold at the value it returns and some fails just
    # above it (checked row by row on the whole model, with every inequality row over t).
    model = ruled_model(raw)
    t = parameter_of(model)
    sub = substitution(model) if t is not None else None
    if sub is None:
        return
    x = np.array(data.draw(st.lists(st.integers(0, 1), min_size=model.n_pairs, max_size=model.n_pairs)), np.int64)
    value = int(x.sum())
    a = sp_matrix(model)
    activity = a @ np.r_[x, value]
    top = sub.fits_up_to(activity, value)
    with_t = np.flatnonzero((a[:, t].toarray().ravel() != 0) & (model.row_lb != model.row_ub))
    if top is None:
        assert with_t.size == 0
        return

    def upper_rows_hold(at: int) -> bool:
        act = a @ np.r_[x, at]
        coef = a[:, t].toarray().ravel()
        ok_up = np.where(coef > 0, act <= model.row_ub, act >= model.row_lb)
        return bool(np.all(ok_up[with_t]))

    assert not upper_rows_hold(top + 1)
    # the rows that bound t from above hold at every value up to top
    assert upper_rows_hold(top)


def test_a_models_substitution_does_not_keep_it_alive() -> None:
    # The substitution is cached per model in a weak dictionary: it must not hold its model (the key),
    # or every solved model of a rule at scale would stay in memory.
    problem = round_of([{"family": "home", "rule": "rate", "ratio": 1.0}], HOMES, places=5)
    model = build_model(problem, score(problem))
    sub = substitution(model)
    assert sub is not None
    assert sub.bounds(3) is not None
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def sp_matrix(model: Any) -> Any:
    return sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, model.n_vars))


def flow_bounds_search(model: Any, options: SolveOptions) -> Any:
    """:func:`flow_bounds` as :func:`by_parameter` calls it, on a model where the search applies."""
    t = parameter_of(model)
    if t is None or not is_placed_row(model):
        return None
    first = plan_stages(model.levels, LpSession.stage_limit)[0]
    c = np.zeros(model.n_vars, dtype=np.int64)
    c[first.objective.indices] = first.objective.coefs
    return flow_bounds(model, options, c[: model.n_pairs], int(model.var_lb[t]), int(model.var_ub[t]))


def test_the_report_words_the_rules_and_the_maximin_level_in_both_languages() -> None:
    rules = [
        {"family": "home", "rule": "maximin", "min_size": 2},
        {"family": "home", "rule": "count", "min_count": 1, "max_count": 2, "groups": ["Nacka"]},
    ]
    problem = round_of(rules, HOMES, places=3)
    result = solve(problem)
    level = next(lv for lv in result.decision.objective if lv.name == "lowest_group_rate_ppm[home]")
    assert level_name(level.name, "en") == "Lowest placement rate among the groups of home"
    assert level_name(level.name, "sv") == "Lägsta placeringsgrad bland grupperna i home"
    assert level_reading(level, "en", placed=3, seed=3) == "50%"
    en = policy_lines(problem.policy, "en")
    assert "Groups of home (from 2 applicants): the lowest placement rate as high as possible." in en
    assert "Groups of home: Nacka each at least 1 and at most 2 placed." in en
    assert "Grupper i home: Nacka var och en minst 1 och högst 2 placerade." in policy_lines(problem.policy, "sv")


def test_a_rule_that_does_not_bind_costs_one_check() -> None:
    # Nacka 1 of 2 and Tyreso 2 of 4 at ratio 0.5: the plan without the rule meets it, and is kept.
    rules = [{"family": "home", "rule": "rate", "ratio": 0.5}, {"family": "home", "rule": "count", "max_count": 5}]
    ruled = solve(round_of(rules, HOMES, places=6))
    free = solve(round_of([], HOMES, places=6))
    assert ruled.statistics.engine == "slack-rules+flow"
    assert plan_of(ruled) == plan_of(free)
    assert ruled.decision.objective == free.decision.objective
