"""Explanations: hand cases with known reasons, and every claim verified by an independent re-solve."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

import matchmaker as mm
from conftest import EXAMPLES, TINY
from matchmaker._rules import refusal
from matchmaker._scoring import applicant_wishes
from matchmaker.explanations import display_names, explain_all, reserve_lists, what_if


def solved(data: dict[str, Any]) -> tuple[mm.Problem, mm.Result]:
    problem = mm.Problem.model_validate(data)
    return problem, mm.solve(problem)


def base_round() -> dict[str, Any]:
    """The ``tiny`` round with unit names (explanations show them)."""
    data = copy.deepcopy(TINY)
    for unit in data["units"]:
        unit["name"] = unit["area"]
    return data


def _full_and_first_worse(e: mm.ApplicantExplanation, level: str, en: str, sv: str) -> None:
    """The applicant's one option was full, and taking it would first cost ``level``, said in both languages."""
    (option,) = e.options
    assert option.outcome == "full"
    assert option.what_if is not None
    assert option.what_if.first_worse == level
    assert en in e.text("en")
    assert sv in e.text("sv")


def test_equal_candidates_are_told_the_lottery_decided() -> None:
    # A1, A2 and A4 fit BoU equally (0.85); only two places: the one left out lost the lottery.
    p, r = solved(base_round())
    out = next(u.applicant for u in r.unplaced)
    e = mm.explain(p, r, out)
    bou = next(o for o in e.options if o.unit == "BoU")
    assert bou.outcome == "lottery"
    assert bou.what_if is not None
    assert all(not c.worse for c in bou.what_if.changes)
    assert len(bou.what_if.moves) == 1  # someone else leaves BoU
    assert "lottery decided" in e.text("en")
    assert "lottningen (med fast slumpfrö) avgjorde" in e.text("sv")
    assert "seedade" not in e.text("sv")
    assert e.cheapest is not None


def test_full_unit_costs_fit_and_names_who_moves() -> None:
    data = base_round()
    data["applicants"][3]["ranking"] = {"units": {"BoU": 1, "Vux": 2}}  # A4 also accepts Vux, second
    data["units"][0]["max_places"] = 1
    data["supervisors"][1]["capacity"] = 0
    p, r = solved(data)
    # One BoU place (A1, A2, A4 at 0.85: the lottery picks one) and one Vux place (A3 at 0.85; A1 or A4
    # would fit it at 0.5). Whoever is out of A1/A4 with Vux as second choice: forcing them into Vux
    # moves A3 to BoU (0.5) or out, and the total fit drops.
    assert r.placement_of["A3"].unit == "Vux"
    out = [u.applicant for u in r.unplaced if u.applicant in ("A1", "A4")]
    assert out
    e = mm.explain(p, r, out[0])
    vux = next(o for o in e.options if o.unit == "Vux")
    assert vux.outcome == "full"
    assert vux.full == ("unit", "supervisors")
    assert vux.what_if is not None
    assert vux.what_if.first_worse == "total_fit"
    assert "A3" in [m.applicant for m in vux.what_if.moves]
    assert "the total fit" in e.text("en")


def test_rule_reasons() -> None:
    data = base_round()
    data["applicants"][1]["conflicts"] = {"units": ["BoU"]}  # A2 wants only BoU but has jäv there
    data["units"][1]["requirements"] = ["körkort"]
    data["applicants"][0]["ranking"] = {"units": {"Vux": 1, "BoU": 2}}
    p, r = solved(data)
    a2 = mm.explain(p, r, "A2")
    assert a2.placed is None
    assert [(o.unit, o.outcome, o.rule) for o in a2.options] == [("BoU", "rule", "conflict")]
    assert "jäv" in a2.text("sv")
    a1 = mm.explain(p, r, "A1")
    assert ("Vux", "rule", "requirement") in [(o.unit, o.outcome, o.rule) for o in a1.options]


def test_priority_is_named_as_the_first_worse_level() -> None:
    data = base_round()
    data["units"][0]["max_places"] = 1
    data["supervisors"][1]["capacity"] = 0
    data["units"][1]["max_places"] = 0
    data["applicants"][3]["priority_tier"] = 1  # A4 has förtur for the one BoU place
    p, r = solved(data)
    assert r.placement_of["A4"].unit == "BoU"
    e = mm.explain(p, r, "A2")
    _full_and_first_worse(
        e,
        "placed_tier_1",
        "applicants placed with priority tier 1 1 -> 0",
        "placerade sökande med förtursnivå 1 1 -> 0",
    )


def test_forcing_into_a_pinned_full_unit_is_infeasible() -> None:
    data = base_round()
    data["pins"] = [{"applicant": "A1", "supervisor": "H1"}, {"applicant": "A2", "supervisor": "H2"}]
    p, r = solved(data)
    a4 = mm.explain(p, r, "A4")
    assert [(o.unit, o.outcome) for o in a4.options] == [("BoU", "infeasible")]
    pinned = mm.explain(p, r, "A1")
    assert pinned.pinned
    assert "pinned" in pinned.text("en")


def test_result_and_problem_must_match() -> None:
    p, r = solved(base_round())
    other = base_round()
    other["units"][0]["max_places"] = 1
    with pytest.raises(mm.ResultMismatchError):
        mm.explain(mm.Problem.model_validate(other), r, "A1")
    with pytest.raises(mm.InputError, match="is not in the problem"):
        mm.explain(p, r, "Z9")
    with pytest.warns(DeprecationWarning, match="matchmaker.explain"):
        assert r.explain(p, "A1").applicant == "A1"  # the deprecated alias still answers


def test_reserve_list_names_the_next_in_line() -> None:
    p, r = solved(base_round())
    out = next(u.applicant for u in r.unplaced)
    (bou,) = reserve_lists(p, r, depth=2, units=["BoU"])
    assert bou.reserves[0].applicant == out
    assert bou.reserves[0].unit == "BoU"
    assert bou.reserves[0].moves == ()
    assert len(bou.reserves) == 1  # nobody else wants BoU


def test_diagnostics_find_each_problem() -> None:
    data = base_round()
    data["applicants"].append({"id": "A5"})
    data["units"][1]["min_places"] = 1
    data["applicants"][0]["ranking"] = {"units": {"BoU": 1}}
    data["applicants"][2]["ranking"] = {"units": {"BoU": 1}}  # nobody wants Vux any more
    data["supervisors"].append({"id": "H4", "unit": "BoU", "capacity": 0})
    data["pins"] = [{"applicant": "A1", "supervisor": "H1"}, {"applicant": "A2", "supervisor": "H1"}]
    d = mm.diagnose(mm.Problem.model_validate(data))
    codes = {(f.code, f.records) for f in d.findings}
    assert ("no_acceptable_option", ("A5",)) in codes
    assert ("minimum_unreachable", ("Vux",)) in codes
    assert ("idle_supervisor", ("H4",)) in codes
    assert ("pins_over_capacity", ("H1",)) in codes
    bou = next(s for s in d.supply if s.name == "Barn och ungdom")
    assert (bou.places, bou.wishing) == (2, 4)
    text = d.text("sv")
    assert "behöver minst 1 student, men bara 0 sökande" in text


def test_minimal_core_and_relaxation_on_a_hand_case() -> None:
    data = base_round()
    data["units"][1]["min_places"] = 1
    data["applicants"][0]["ranking"] = {"units": {"BoU": 1}}
    data["applicants"][2]["ranking"] = {"units": {"BoU": 1, "Vux": 2}}
    data["applicants"][2]["conflicts"] = {"units": ["Vux"]}  # the only one who wants Vux has jäv there
    p, r = solved(data)
    assert r.status is mm.Status.INFEASIBLE
    e = mm.explain_infeasibility(p)
    assert e is not None
    assert {(c.kind, c.record) for c in e.core} == {("unit_min", "Vux"), ("conflict", "A3|Vux")}
    assert [(x.kind, x.record, x.before, x.after) for x in e.relaxation] == [("unit_min", "Vux", 1, 0)]
    assert e.slack == 1
    assert "jäv" in e.text("sv", display_names(p))
    assert "Vuxenenhet (Vux) needs at least 1 student, but only 0 applicants can be placed there" in e.text(
        "en", display_names(p)
    )
    assert r.decision.message is not None
    assert "conflict of interest" in r.decision.message


def test_feasible_round_has_no_core() -> None:
    p, _ = solved(base_round())
    assert mm.explain_infeasibility(p) is None


def _best_over_pins(problem: mm.Problem, applicant: str, unit: str) -> tuple[int, ...] | None:
    """Independent: the best objective vector (without the lottery) over pinning the applicant to the
    unit (when every usable supervisor there is one they wished for, a pin to the unit is the same
    thing), else to each supervisor they wished for there."""
    wished = applicant_wishes(problem, applicant)
    usable = [s.id for s in problem.supervisors if s.unit == unit and refusal(problem, applicant, s.id) is None]
    mine = [s for s in usable if s in wished]
    targets: list[dict[str, str]] = [{"unit": unit}] if set(mine) == set(usable) else [{"supervisor": s} for s in mine]
    best: tuple[int, ...] | None = None
    for target in targets:
        data = problem.model_dump(mode="json")
        data["pins"] = [*data["pins"], {"applicant": applicant, **target}]
        r = mm.solve(mm.Problem.model_validate(data))
        if not r.status.has_plan:
            continue
        vec = tuple(
            (lv.value if lv.sense == "max" else -lv.value)
            for lv in r.decision.objective
            if lv.name != "lottery" and lv.value is not None
        )
        if best is None or vec > best:
            best = vec
    return best


@pytest.mark.slow
def test_every_joint_programme_applicant_is_explained_and_verified() -> None:
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    result = mm.solve(problem)
    names = display_names(problem)
    explanations = explain_all(problem, result)
    assert len(explanations) == 90
    plan = result.placement_of
    counts_unit: dict[str, int] = {}
    for a in result.assignments:
        counts_unit[a.unit] = counts_unit.get(a.unit, 0) + 1
    verified = 0
    for e in explanations:
        for lang in ("en", "sv"):
            text = e.text(lang, names)
            assert e.applicant in text
        assert (e.placed is None) == (e.applicant not in plan)
        for o in e.options:
            if o.outcome == "rule":
                continue
            w = o.what_if
            assert w is not None
            if "unit" in o.full:
                assert counts_unit.get(o.unit, 0) == problem.unit_by_id[o.unit].max_places
            if "municipality" in o.full:
                muni = problem.unit_by_id[o.unit].municipality
                placed_there = sum(1 for a in result.assignments if a.municipality == muni)
                assert placed_there == problem.municipality_by_id[muni].max_places
            if "supervisors" in o.full:
                for s in problem.supervisors:
                    if s.unit == o.unit and refusal(problem, e.applicant, s.id) is None:
                        taken = sum(1 for a in result.assignments if a.supervisor == s.id)
                        if s.id in applicant_wishes(problem, e.applicant):
                            assert taken >= s.capacity
            if o.outcome == "full":
                assert w.first_worse is not None
                first = next(c for c in w.changes if c.name == w.first_worse)
                assert first.worse
                assert all(not c.worse for c in w.changes[: w.changes.index(first)])
            # Independent check of the reported cost: the best plan over pinning the applicant to each of
            # their acceptable supervisors in the unit has exactly the reported levels.
            best = _best_over_pins(problem, e.applicant, o.unit)
            if o.outcome == "infeasible":
                assert best is None
                continue
            reported = tuple((c.after if c.sense == "max" else -c.after) for c in w.changes)
            assert best == reported, (e.applicant, o.unit)
            verified += 1
    assert verified > 100


def test_what_if_cost_is_the_difference_of_two_optima() -> None:
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    result = mm.solve(problem)
    unplaced = [u.applicant for u in result.unplaced if u.reason is mm.UnplacedReason.NOT_SELECTED]
    w = what_if(problem, result, unplaced[0], "sdt-bou")
    data = json.loads(json.dumps(problem.model_dump(mode="json")))
    data["pins"] = [{"applicant": unplaced[0], "unit": "sdt-bou"}]
    forced = mm.solve(mm.Problem.model_validate(data))
    after = {c.name: c.after for c in w.changes}
    for lv in forced.decision.objective:
        if lv.name in after:
            assert after[lv.name] == lv.value, lv.name


def _tiny_repaired() -> tuple[mm.Problem, mm.Result, mm.Result]:
    """The base round solved, then the lottery drawn again (seed 2, which a fresh solve answers by
    placing A2 instead of A1 or A4) and repaired: nobody moves, A2 stays unplaced."""
    _, before = solved(base_round())
    data = base_round()
    data["policy"] = {"lottery_seed": 2}
    changed = mm.Problem.model_validate(data)
    after = mm.reoptimise(changed, before, options=mm.SolveOptions(workers=1))
    assert {a.applicant for a in after.assignments} == {a.applicant for a in before.assignments} == {"A1", "A3", "A4"}
    assert "A2" in {a.applicant for a in mm.solve(changed).assignments}
    return changed, before, after


def test_a_repaired_result_is_explained_with_its_disruption_level() -> None:
    # Regression (guide review): "equally good on every level; the lottery decided", although giving A2
    # the place would move someone of the previous plan, which the repair counts before fit and lottery.
    changed, _, after = _tiny_repaired()
    e = mm.explain(changed, after, "A2")
    _full_and_first_worse(e, "moved", "people moved 0 -> 1", "flyttade personer 0 -> 1")
    assert "lottery" not in e.text("en")


def test_a_repaired_result_with_a_penalty_or_keeps_is_explained_as_that_repair() -> None:
    changed, before, _ = _tiny_repaired()
    paid = mm.reoptimise(changed, before, penalty=0.3, options=mm.SolveOptions(workers=1))
    (bou,) = mm.explain(changed, paid, "A2").options
    assert bou.what_if is not None
    assert bou.what_if.first_worse == "total_fit_less_moves"
    assert "the total fit less the penalty for moves 2.5500 -> 2.2500" in mm.explain(changed, paid, "A2").text("en")
    kept = mm.reoptimise(changed, before, keep=["A1"], options=mm.SolveOptions(workers=1))
    a1 = mm.explain(changed, kept, "A1")
    assert a1.kept
    assert "The repair keeps this placement from the previous plan." in a1.text("en")
    assert "Omplaneringen behåller placeringen från den tidigare planen." in a1.text("sv")


def _balanced_round(mode: str) -> tuple[mm.Problem, mm.Result]:
    """Two municipalities, two places each. S1 and S2 want a-bou (S1 only as a second choice, after a
    unit it has a conflict with), S3 wants b-bou. The balance rule lets A fill only as much as B: one
    place each, so a-bou keeps a free place and S1 is not placed."""
    return solved(
        {
            "policy": {"balance": {"mode": mode}},
            "municipalities": [{"id": "A"}, {"id": "B"}],
            "units": [
                {"id": "a-bou", "municipality": "A", "area": "Barn och ungdom", "max_places": 2},
                {"id": "b-bou", "municipality": "B", "area": "Barn och ungdom", "max_places": 2},
            ],
            "supervisors": [
                {"id": "HA1", "unit": "a-bou", "capacity": 2},
                {"id": "HB1", "unit": "b-bou", "capacity": 2},
            ],
            "applicants": [
                {"id": "S1", "ranking": {"units": {"b-bou": 1, "a-bou": 2}}, "conflicts": {"units": ["b-bou"]}},
                {"id": "S2", "ranking": {"units": {"a-bou": 1, "b-bou": 2}}},
                {"id": "S3", "ranking": {"units": {"b-bou": 1}}},
            ],
        }
    )


@pytest.mark.parametrize("mode", ["within", "ratio"])
def test_the_balance_rule_is_named_when_it_keeps_a_free_place_closed(mode: str) -> None:
    # Regression (guide review): "a-bou was full (its places)", although a-bou had a free place.
    p, r = _balanced_round(mode)
    assert [a.applicant for a in r.assignments] == ["S2", "S3"]
    e = mm.explain(p, r, "S1")
    a_bou = next(o for o in e.options if o.unit == "a-bou")
    assert a_bou.outcome == "full"
    assert a_bou.full == ("balance",)
    en, sv = e.text("en"), e.text("sv")
    assert "was full" not in en
    assert "a-bou (choice 2) has a free place, but the balance rule between municipalities keeps it closed" in en
    assert "a-bou (val 2) har en ledig plats, men regeln om balans mellan kommunerna håller den stängd" in sv
    # Without the rule the place is simply taken.
    data = p.model_dump(mode="json")
    data["policy"]["balance"] = None
    assert "S1" in mm.solve(mm.Problem.model_validate(data)).placement_of


def test_counts_of_one_read_as_one() -> None:
    # Regression (guide review): "These 1 constraints", "1 places", "1 applicants wish for it".
    from matchmaker.explanations._types import CoreItem, Diagnostics, InfeasibilityExplanation, SupplyDemand

    core = InfeasibilityExplanation(
        core=(CoreItem(kind="unit_max", record="BoU", params={"unit": "BoU", "bound": 1}),), relaxation=(), slack=None
    )
    assert "This constraint cannot hold:" in core.text("en")
    assert "Detta villkor kan inte gälla:" in core.text("sv")
    assert "These 1" not in core.text("en")
    assert "Dessa 1" not in core.text("sv")
    one = SupplyDemand(scope="area", name="Vux", places=1, supervisor_capacity=1, wishing=1, acceptable=1)
    d = Diagnostics(supply=(one,), findings=())
    assert "- Vux: 1 place, supervisor capacity 1, 1 applicant wishes for it, 1 can be placed there." in d.text("en")
    assert "- Vux: 1 plats, handledarkapacitet 1, 1 sökande önskar det, 1 kan placeras där." in d.text("sv")
    two = one.model_copy(update={"places": 2, "wishing": 2})
    assert "2 places, supervisor capacity 1, 2 applicants wish for it" in Diagnostics(supply=(two,), findings=()).text()


def test_no_acceptable_option_is_one_well_formed_sentence_in_each_language() -> None:
    data = base_round()
    data["units"].append(
        {"id": "Krav", "municipality": "M", "area": "Krav", "max_places": 1, "requirements": ["körkort"]}
    )
    data["supervisors"] += [{"id": "H5", "unit": "Krav", "capacity": 1}, {"id": "H6", "unit": "Krav", "capacity": 0}]
    data["applicants"] += [
        {"id": "A5", "ranking": {"units": {"Krav": 1}}},
        {
            "id": "A6",
            "ranking": {"units": {"Krav": 1}},
            "qualifications": ["körkort"],
            "conflicts": {"supervisors": ["H5"]},
        },
        {"id": "A7", "ranking": {"supervisors": {"H5": 1}}},
        {"id": "A8"},
    ]
    d = mm.diagnose(mm.Problem.model_validate(data))
    en = [line for line in d.text("en").splitlines() if "no acceptable option" in line]
    sv = [line for line in d.text("sv").splitlines() if "inget möjligt alternativ" in line]
    assert en == [
        "- Applicant A5 has no acceptable option: all 2 wished placements are ruled out, 2 because the unit requires "
        "a qualification the applicant has not stated.",
        "- Applicant A6 has no acceptable option: all 2 wished placements are ruled out, 1 because a declared "
        "conflict of interest (jäv) rules it out and 1 because the supervisor, the unit or the municipality has no "
        "places this round.",
        "- Applicant A7 has no acceptable option: the one wished placement is ruled out because the unit requires a "
        "qualification the applicant has not stated.",
        "- Applicant A8 has no acceptable option: no wishes were given.",
    ]
    assert sv == [
        "- Sökande A5 har inget möjligt alternativ: alla 2 önskade placeringarna är uteslutna, 2 eftersom enheten "
        "kräver en behörighet som den sökande inte har angett.",
        "- Sökande A6 har inget möjligt alternativ: alla 2 önskade placeringarna är uteslutna, 1 eftersom ett "
        "anmält jäv utesluter det och 1 eftersom handledaren, enheten eller kommunen har inga platser denna omgång.",
        "- Sökande A7 har inget möjligt alternativ: den enda önskade placeringen är utesluten eftersom enheten "
        "kräver en behörighet som den sökande inte har angett.",
        "- Sökande A8 har inget möjligt alternativ: inga önskemål har angetts.",
    ]


# -- both languages carry the same facts -----------------------------------------------------------

#: English words that never belong in a Swedish sentence.
_ENGLISH = {
    "the", "and", "of", "with", "is", "not", "to", "was", "by", "for", "but", "their", "applicant", "applicants",
    "supervisor", "supervisors", "unit", "units", "placed", "choice", "fit", "moving", "other", "place", "places",
    "lottery", "rule", "rules", "because", "would", "could", "cannot", "minimum", "capacity", "pinned",
}  # fmt: skip


def _facts(text: str, ids: set[str]) -> list[str]:
    """The numbers and ids of a text, in order (a token with a digit, or a known id)."""
    tokens = (t.rstrip(".-") for t in re.findall(r"[\w][\w.-]*", text))
    return [t for t in tokens if any(c.isdigit() for c in t) or t in ids]


def _same_facts(en: str, sv: str, ids: set[str]) -> None:
    assert _facts(en, ids) == _facts(sv, ids), (en, sv)
    english = {w for w in re.findall(r"[A-Za-z]+", sv) if w.lower() in _ENGLISH} - ids
    assert not english, (english, sv)


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "problem.json").is_file()))
def test_swedish_and_english_explanations_carry_the_same_facts(example: str) -> None:
    problem = mm.load_problem(EXAMPLES / example / "problem.json")
    names = display_names(problem)
    ids = {*problem.applicant_by_id, *problem.supervisor_by_id, *problem.unit_by_id, *problem.municipality_by_id}
    d = mm.diagnose(problem)
    _same_facts(d.text("en", names), d.text("sv", names), ids)
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    if not result.status.has_plan:
        e = mm.explain_infeasibility(problem)
        assert e is not None
        _same_facts(e.text("en", names), e.text("sv", names), ids)
        return
    for x in explain_all(problem, result, options=mm.SolveOptions(workers=1)):
        _same_facts(x.text("en", names), x.text("sv", names), ids)


def test_a_very_low_fit_says_so_and_why() -> None:
    data = base_round()
    data["policy"] = {"interest_weight": 1.0, "interview_weight": 0.0}
    data["applicants"] = [{"id": "A1", "interests": {"units": {"BoU": 0.12}}, "priority_tier": 1}]
    p, r = solved(data)
    e = mm.explain(p, r, "A1")
    assert e.low_fit
    assert e.tier == 1
    assert "The fit 0.1200 is very low (below 0.25).\nThe applicant has priority tier 1:" in e.text("en")
    assert "Matchningsvärdet 0.1200 är mycket lågt (under 0.25).\nDen sökande har förtursnivå 1:" in e.text("sv")
    data["applicants"][0]["interests"] = {"units": {"BoU": 0.3}}
    p, r = solved(data)
    assert not mm.explain(p, r, "A1").low_fit  # at or above the threshold, nothing is said
