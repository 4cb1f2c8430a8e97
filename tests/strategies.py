"""Hypothesis strategies: tiny but complete placement rounds, as raw JSON-like data.

The rounds exercise every core feature (tiers, pins, minimums at unit and municipality level,
requirements, conflicts, training, weights and rankings with ties, interviews on several scales,
adjustments) and are kept small enough for brute force: at most 6 applicants and 4 supervisors.
Everything is drawn from hypothesis primitives (no random seeds inside), so failures shrink.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

AREAS = ["BoU", "Vux", "AF"]
WEIGHTS = [0.5, 1.0, 0.25, 0.75, 0.0]


def _rarely_zero(top: int) -> st.SearchStrategy[int]:
    """1..top most of the time, 0 one time in eight (a supervisor on leave, a closed unit)."""
    return st.integers(0, 8 * top - 1).map(lambda k: 0 if k >= 7 * top else 1 + k % top)


@st.composite
def problems(
    draw: st.DrawFn, max_applicants: int = 6, max_supervisors: int = 4, core_only: bool = False
) -> dict[str, Any]:
    """A valid problem as raw data (pins that would break validation are left out).

    ``core_only`` keeps to the core model: hard minimums, total fit, no links, balance or targets.
    """
    n_munis = draw(st.integers(1, 2))
    n_units = draw(st.integers(1, 3))
    n_sups = draw(st.integers(2, max_supervisors))
    n_apps = draw(st.integers(2, max_applicants))

    units: list[dict[str, Any]] = []
    for u in range(n_units):
        units.append(
            {
                "id": f"U{u}",
                "municipality": f"M{draw(st.integers(0, n_munis - 1))}",
                "area": AREAS[draw(st.integers(0, len(AREAS) - 1))],
                "max_places": draw(_rarely_zero(3)),
                "requirements": ["licence"] if draw(st.booleans()) and draw(st.booleans()) else [],
            }
        )
    sups: list[dict[str, Any]] = []
    for s in range(n_sups):
        sups.append(
            {
                "id": f"S{s}",
                "unit": f"U{draw(st.integers(0, n_units - 1))}",
                "capacity": draw(_rarely_zero(2)),
                "training": draw(st.sampled_from(["completed", "completed", "in_progress", "none"])),
            }
        )
    # Minimums that pass validation: at most the supervisors' total and the maximum.
    for unit in units:
        total = sum(s["capacity"] for s in sups if s["unit"] == unit["id"])
        cap = min(total, unit["max_places"])
        if cap > 0 and draw(st.integers(0, 2)) == 0:
            unit["min_places"] = draw(st.integers(1, cap))
    munis: list[dict[str, Any]] = []
    for m in range(n_munis):
        muni: dict[str, Any] = {"id": f"M{m}"}
        offered = sum(u["max_places"] for u in units if u["municipality"] == f"M{m}")
        if draw(st.integers(0, 2)) == 0:
            muni["max_places"] = offered + 1 - draw(st.integers(0, offered + 1))  # mostly generous
        if offered > 0 and draw(st.integers(0, 4)) == 0:
            hi = offered if "max_places" not in muni else min(offered, muni["max_places"])
            if hi > 0:
                muni["min_places"] = draw(st.integers(1, hi))
        munis.append(muni)

    criteria = [
        {"id": "c1", "weight": 2.0, "scale_min": 1.0, "scale_max": 5.0},
        {"id": "c2", "weight": 1.0, "scale_min": 0.0, "scale_max": 10.0},
    ]
    areas_present = sorted({u["area"] for u in units})
    apps: list[dict[str, Any]] = []
    for a in range(n_apps):
        app: dict[str, Any] = {"id": f"A{a}"}
        mode = draw(st.sampled_from(["weights", "ranks", "weights", "ranks", "none"]))
        if mode == "weights":
            interests: dict[str, Any] = {}
            for kind, ids in (
                ("areas", areas_present),
                ("units", [u["id"] for u in units]),
                ("supervisors", [s["id"] for s in sups]),
            ):
                chosen = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=2)) if ids else []
                if chosen:
                    interests[kind] = {k: draw(st.sampled_from(WEIGHTS)) for k in chosen}
            app["interests"] = interests
        elif mode == "ranks":
            targets = [("units", u["id"]) for u in units] + [("supervisors", s["id"]) for s in sups]
            chosen = draw(st.lists(st.sampled_from(targets), unique=True, min_size=2, max_size=4))
            ranking: dict[str, dict[str, int]] = {}
            rank = 0
            for i, (kind, ident) in enumerate(chosen):
                rank = rank if i > 0 and draw(st.booleans()) else rank + 1  # ties allowed
                ranking.setdefault(kind, {})[ident] = rank
            app["ranking"] = ranking
        if draw(st.integers(0, 3)) != 0:
            app["qualifications"] = ["licence"]
        if draw(st.integers(0, 3)) == 0:
            app["priority_tier"] = draw(st.integers(1, 2))
        scores = []
        if draw(st.booleans()):
            scores.append({"criterion": "c1", "score": float(draw(st.integers(1, 5))), "interviewer": "i1"})
        if draw(st.booleans()):
            unit = draw(st.sampled_from([None] + [u["id"] for u in units]))
            sc: dict[str, Any] = {"criterion": "c2", "score": float(draw(st.integers(0, 10))), "interviewer": "i2"}
            if unit is not None:
                sc["unit"] = unit
            scores.append(sc)
        if scores:
            app["interview"] = scores
        if draw(st.integers(0, 7)) == 0:
            app["conflicts"] = {"units": [f"U{draw(st.integers(0, n_units - 1))}"]}
        apps.append(app)

    pins: list[dict[str, Any]] = []
    for app in apps:
        if draw(st.integers(0, 6)) == 0:
            sup = sups[draw(st.integers(0, n_sups - 1))]
            pins.append(
                {"applicant": app["id"], "supervisor": sup["id"]}
                if draw(st.booleans())
                else {"applicant": app["id"], "unit": sup["unit"]}
            )
    adjustments: list[dict[str, Any]] = []
    if draw(st.integers(0, 3)) == 0:
        adjustments.append(
            {"applicant": apps[0]["id"], "unit": units[0]["id"], "delta": draw(st.sampled_from([-0.5, -0.1, 0.2]))}
        )
    # Units may set a target and rank applicants themselves.
    for unit in units:
        if unit["max_places"] > 0 and draw(st.integers(0, 3)) == 0:
            unit["target_places"] = draw(st.integers(1, unit["max_places"]))
        if draw(st.integers(0, 5)) == 0:
            listed = draw(st.lists(st.sampled_from([a["id"] for a in apps]), unique=True, min_size=1))
            ranks: dict[str, int] = {}
            rank = 0
            for i, ident in enumerate(listed):
                rank = rank if i > 0 and draw(st.booleans()) else rank + 1
                ranks[ident] = rank
            unit["ranking"] = ranks
    links: list[dict[str, Any]] = []
    if core_only:
        for unit in units:
            unit.pop("target_places", None)
            unit.pop("ranking", None)
    if n_apps >= 2 and not core_only and draw(st.integers(0, 2)) == 0:
        pair = draw(st.lists(st.sampled_from([a["id"] for a in apps]), unique=True, min_size=2, max_size=2))
        links.append(
            {
                "applicants": pair,
                "relation": draw(st.sampled_from(["apart", "same_unit", "same_municipality"])),
                "hard": draw(st.booleans()),
            }
        )
    balance = None
    if n_munis == 2 and not core_only and draw(st.integers(0, 2)) == 0:
        balance = {
            "mode": draw(st.sampled_from(["within", "ratio", "maximin"])),
            "tolerance": draw(st.sampled_from([0.0, 0.25, 0.5])),
            "ratio": draw(st.sampled_from([0.5, 0.75, 1.0])),
        }
    policy: dict[str, Any] = {
        "objective": draw(
            st.sampled_from(
                [
                    "total_fit",
                    "rank_maximal",
                    "generous",
                    "minimum_regret",
                    "egalitarian",
                    "leximin",
                    "rank_maximal_irving",
                ]
            )
        ),
        "minimums": draw(st.sampled_from(["hard", "soft"])),
        "targets": draw(st.sampled_from(["soft", "hard"])),
        "unit_preferences": draw(st.sampled_from(["interview", "indifferent"])),
        "balance": balance,
        "interest_weight": draw(st.sampled_from([0.0, 0.5, 0.7, 1.0])),
        "interview_weight": draw(st.sampled_from([0.3, 0.5, 1.0])),
        "supervisor_training": draw(st.sampled_from(["any", "in_progress", "any", "completed"])),
        "missing_interview": draw(st.sampled_from(["neutral", "zero", "cohort_mean"])),
        "lottery_seed": draw(st.integers(0, 2**32)),
    }
    if core_only:
        policy.update(objective="total_fit", minimums="hard", targets="soft")
    return {
        "policy": policy,
        "criteria": criteria,
        "municipalities": munis,
        "units": units,
        "supervisors": sups,
        "applicants": apps,
        "pins": pins,
        "adjustments": adjustments,
        "links": links,
    }


@st.composite
def grouped_problems(draw: st.DrawFn, max_applicants: int = 6) -> dict[str, Any]:
    """A problem of :func:`problems` whose applicants carry groups of one or two families (a few carry
    none), with one to three group rules of any kind over them."""
    raw = draw(problems(max_applicants=max_applicants))
    families = {"home": ["Nacka", "Tyreso", "Huddinge"], "university": ["SU", "SH"]}
    members: dict[str, set[str]] = {f: set() for f in families}
    for app in raw["applicants"]:
        groups: dict[str, str] = {}
        for family, names in families.items():
            pick = draw(st.integers(0, len(names)))  # the last value: no group in this family
            if app is raw["applicants"][0] and family == "home":
                pick = pick % len(names)  # one applicant at least has a group to rule over
            if pick < len(names) and (family == "home" or draw(st.booleans())):
                groups[family] = names[pick]
                members[family].add(names[pick])
        app["groups"] = groups
    rules: list[dict[str, Any]] = []
    used: set[tuple[str, str]] = set()
    for _ in range(draw(st.integers(1, 3))):
        family = draw(st.sampled_from(sorted(f for f in families if members[f])))
        kind = draw(st.sampled_from(["rate", "band", "maximin", "count"]))
        if (family, kind) in used:
            continue
        used.add((family, kind))
        rule: dict[str, Any] = {"family": family, "rule": kind, "min_size": draw(st.integers(1, 3))}
        if kind == "rate":
            rule["ratio"] = draw(st.sampled_from([0.5, 0.75, 1.0, 1 / 3]))
        elif kind == "band":
            rule["tolerance"] = draw(st.sampled_from([0.0, 0.2, 0.5]))
        elif kind == "count":
            del rule["min_size"]
            rule["groups"] = draw(st.lists(st.sampled_from(sorted(members[family])), unique=True, max_size=2))
            low = draw(st.sampled_from([None, 0, 1, 2]))
            high = draw(st.sampled_from([None, 0, 1, 2, 3]))
            if low is None and high is None:
                high = 1
            if low is not None and high is not None and low > high:
                low, high = high, low
            rule["min_count"], rule["max_count"] = low, high
        rules.append(rule)
    raw["policy"]["group_rules"] = rules
    return raw


#: Texts that spreadsheet programs like to misread: leading zeros, numbers, dates, booleans, formulas.
TRICKY = ["001", "0042", "1e3", "1,5", "TRUE", "false", "2024-01-03", "3/1", "=1+1", '="007"', "#N/A", "Åsa Öström"]
_SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Co", "Cn"], blacklist_characters=";"),
    min_size=1,
    max_size=12,
).filter(lambda s: bool(s.strip()) and s == s.strip())


def texts() -> st.SearchStrategy[str]:
    """Labels as a person might type them, including what spreadsheets misread (never a ';')."""
    return st.one_of(st.sampled_from(TRICKY), _SAFE_TEXT)


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def rich_problems(draw: st.DrawFn) -> dict[str, Any]:
    """A valid problem (raw data) that also fills every optional field, with tricky texts and numbers.

    For round trips through the file formats: names, requirements and qualifications, universities,
    interviewers' own scales, ids that look like numbers, floats with 17 significant digits, the
    largest lottery seed, applicants with empty interests, and units with an empty ranking of their own
    (besides the links, unit rankings, targets and balance that :func:`problems` draws).
    """
    data = draw(problems())
    data["name"] = draw(texts())
    prefix = draw(st.sampled_from(["A", "00", "=A", "1e", "TRUE-", "Å "]))

    def rename(ident: str) -> str:
        return prefix + ident[1:]

    for app in data["applicants"]:
        app["id"] = rename(app["id"])
        if draw(st.booleans()):
            app["university"] = draw(texts())
        if draw(st.booleans()):
            app["qualifications"] = sorted({*app.get("qualifications", []), draw(texts())})
        if "interests" in app and draw(st.integers(0, 5)) == 0:
            app["interests"] = {}
        for score in app.get("interview", []):
            if draw(st.booleans()):
                score.update(scale_min=-1.0, scale_max=draw(_floats(10.0, 1e6)))
    for key in ("pins", "adjustments"):
        for item in data[key]:
            item["applicant"] = rename(item["applicant"])
    for link in data["links"]:
        link["applicants"] = [rename(a) for a in link["applicants"]]
    for unit in data["units"]:
        if "ranking" in unit:
            unit["ranking"] = {rename(a): rank for a, rank in unit["ranking"].items()}
    for muni in data["municipalities"]:
        if draw(st.booleans()):
            muni["name"] = draw(texts())
    for unit in data["units"]:
        if draw(st.booleans()):
            unit["name"] = draw(texts())
        if "ranking" not in unit and draw(st.integers(0, 7)) == 0:
            unit["ranking"] = {}  # the unit ranks applicants itself, and lists none
        if unit["requirements"] and draw(st.booleans()):
            unit["requirements"] = [*unit["requirements"], draw(texts())]
            for app in data["applicants"]:
                app.setdefault("qualifications", [])
                app["qualifications"] = sorted({*app["qualifications"], *unit["requirements"]})
    for adj in data["adjustments"]:
        adj["delta"] = draw(_floats(-1.0, 1.0))
    data["criteria"][0]["weight"] = draw(_floats(0.001, 1e6))
    data["policy"]["interest_weight"] = draw(st.sampled_from([data["policy"]["interest_weight"], 1 / 3, 0.1 + 0.2]))
    data["policy"]["lottery_seed"] = draw(st.sampled_from([data["policy"]["lottery_seed"], 2**63 - 1, 10**15]))
    return data


#: Weights as another system might give them: small, negative, large (10,000 and more) and decimal.
PAIR_WEIGHT_VALUES = [0, 1, 3, -2, 7, 10_000, 123_456, 2.5, 0.25]


@st.composite
def with_pair_weights(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a raw round) with a pair-weight table, its mode, and an objective order.

    Rows name supervisors and units at random (wished or not: the table says ``unwished="ignore"``),
    with a scale that admits every decimal drawn (0.25 needs 100). The order is drawn among the
    presets and a few orders of the parts that every objective admits."""
    sups, units = data["supervisors"], data["units"]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for app in data["applicants"]:
        for _ in range(draw(st.integers(0, 3))):
            kind, place = draw(
                st.sampled_from([("supervisor", s["id"]) for s in sups] + [("unit", u["id"]) for u in units])
            )
            if (app["id"], kind, place) in seen:
                continue
            seen.add((app["id"], kind, place))
            rows.append({"applicant": app["id"], kind: place, "weight": draw(st.sampled_from(PAIR_WEIGHT_VALUES))})
    data["pair_weights"] = {"scale": draw(st.sampled_from([100, 1_000])), "unwished": "ignore", "rows": rows}
    policy = data["policy"]
    policy["pair_weights"] = draw(st.sampled_from(["replace", "add"]))
    if policy["objective"] in ("total_fit", "rank_maximal", "rank_maximal_irving"):
        orders: list[Any] = ["placed_first", "objective_first", "maximum_weight", ["objective", "placed"]]
    else:  # the others minimise and need the placed count first
        orders = ["placed_first", ["priority_tiers", "placed", "objective"], ["placed", "objective", "soft"]]
    policy["order"] = draw(st.sampled_from(orders))
    return data


@st.composite
def weighted_problems(draw: st.DrawFn, max_applicants: int = 6, max_supervisors: int = 4) -> dict[str, Any]:
    """A tiny round of :func:`problems` with pair weights and an objective order."""
    data = draw(problems(max_applicants=max_applicants, max_supervisors=max_supervisors))
    return draw(with_pair_weights(data))
