"""One language at a time: every migrated command, on every example, speaks only the language asked for.

Each command runs in-process (click's runner) with ``MATCHMAKER_LANG`` set to ``en`` and to ``sv``; its
output must hold no word of the other language's stop-list and, in Swedish, no English message of the
catalog left untranslated. Ids, names and scenario names of the examples are taken out first (they are
data, in whatever language the user wrote them), and so is what a result records as data (its English
``message`` and unplaced ``detail``, the decision's own record).

To cover another command, add a function to ``COMMANDS``: it gets the example and the language and
returns the text to check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import EXAMPLES
from matchmaker import load_problem, load_result, save_result
from matchmaker._cli import cli
from matchmaker._i18n import LANGS, Lang, load_catalog
from matchmaker.explanations import display_names, explain_infeasibility
from test_privacy import PEOPLE, roster

pytestmark = pytest.mark.slow

EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if (p / "problem.json").is_file())

#: Commands checked by a test of their own below (they need a roster with names, which no example has).
CHECKED_ON_A_ROSTER = ("pseudonymise", "names")

#: Words that betray English in Swedish output.
ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "is",
        "are",
        "was",
        "were",
        "not",
        "no",
        "with",
        "written",
        "error",
        "notice",
        "applicant",
        "applicants",
        "supervisor",
        "supervisors",
        "unit",
        "units",
        "municipality",
        "municipalities",
        "place",
        "places",
        "placed",
        "moved",
        "unchanged",
        "withdrawn",
        "newly",
        "blocking",
        "pair",
        "pairs",
        "stable",
        "valid",
        "template",
        "secret",
        "give",
        "use",
        "rank",
        "problems",
        "found",
        "fix",
        "interrupted",
        "solving",
        "stage",
        "best",
        "bound",
        "gap",
        "which",
        "from",
        "row",
        "column",
        "sheet",
        "override",
        "overrides",
        "approved",
        "signed",
        "verified",
        "reproduced",
        "evaluation",
        "because",
        "cheapest",
        "wished",
        "violation",
    ]
)
#: Words that betray Swedish in English output.
SWEDISH = frozenset(
    [
        "och",
        "är",
        "inte",
        "sökande",
        "handledare",
        "enhet",
        "enheter",
        "kommun",
        "kommuner",
        "plats",
        "platser",
        "placerad",
        "placerade",
        "skrevs",
        "fel",
        "obs",
        "giltigt",
        "flyttade",
        "oförändrade",
        "återkallade",
        "blockerande",
        "stabil",
        "mallen",
        "hemligheten",
        "ange",
        "använd",
        "omgången",
        "hittades",
        "åtgärd",
        "lösningen",
        "ingen",
        "någon",
        "rang",
        "ändringar",
        "godkänd",
        "signerad",
        "verifierad",
        "reproducerad",
        "utvärdering",
        "eftersom",
        "önskade",
        "avvikelse",
    ]
)


@dataclass
class Case:
    """One example, with a solved result (for the commands that read one) and its data words."""

    folder: Path
    result: Path
    other_result: Path
    data_words: frozenset[str]


def _words(text: str) -> list[str]:
    # Identifiers, options and paths (max_pairs, --lang, /tmp/x/secret-sv, H-VUX-1) are not prose.
    prose = re.sub(r"\S*[_/.=-]\S*", " ", text)
    return re.findall(r"[^\W\d_]+", prose.lower())


def _values(data: object) -> list[str]:
    """The words of every text value in ``data`` (not its keys, which are the schema's English)."""
    if isinstance(data, str):
        return _words(data)
    if isinstance(data, dict):
        return [w for v in data.values() for w in _values(v)]  # keys that are data (areas) are values too
    if isinstance(data, list):
        return [w for v in data for w in _values(v)]
    return []


def _data_words(folder: Path, tmp: Path) -> frozenset[str]:
    """The words of the example's own data: ids, names, areas, scenario names, and every path used."""
    words = set(_values(json.loads((folder / "problem.json").read_text("utf-8"))))
    if (folder / "scenarios.json").is_file():
        words |= set(_values(json.loads((folder / "scenarios.json").read_text("utf-8"))))
    words |= set(_words(str(folder))) | set(_words(str(tmp)))
    return frozenset(words)


def run(args: list[str], lang: Lang) -> tuple[int, str]:
    """``matchmaker ARGS`` with ``MATCHMAKER_LANG=lang``: the exit code and standard output and error."""
    result = CliRunner().invoke(cli, args, env={"MATCHMAKER_LANG": lang}, catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture(scope="module", params=EXAMPLE_DIRS, ids=lambda p: p.name)
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder: Path = request.param
    tmp = tmp_path_factory.mktemp(folder.name)
    result, other = tmp / "result.json", tmp / "other.json"
    run(["solve", str(folder / "problem.json"), "-o", str(result), "-q"], "en")
    run(["solve", str(folder / "problem.json"), "-o", str(other), "-q", "--seed", "7"], "en")
    return Case(folder, result, other, _data_words(folder, tmp))


def _without(text: str, *parts: str) -> str:
    for part in parts:
        text = text.replace(part, "")
    return text


def _recorded(path: Path) -> list[str]:
    """The result's own records at ``path``, shown as solved: the solver's English ``message`` and the
    ``detail`` of each applicant not placed (part of the decision, written by solve/decode)."""
    if not path.exists():
        return []
    d = load_result(path).decision
    return sorted([d.message or "", *(u.detail for u in d.unplaced)], key=len, reverse=True)


def _solve(c: Case, lang: Lang, tmp: Path) -> str:
    out = tmp / f"solve-{lang}.json"
    _, text = run(["solve", str(c.folder / "problem.json"), "-o", str(out)], lang)
    return text  # the result is said in the language asked for, its records too (report.text.format_result)


def _validate(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["validate", str(c.folder / "problem.json")], lang)[1]


def _schema(c: Case, lang: Lang, tmp: Path) -> str:
    code, text = run(["schema"], lang)
    assert code == 0
    json.loads(text)  # the JSON Schema itself: the API's field names and docstrings, not prose to translate
    return ""


def _template(c: Case, lang: Lang, tmp: Path) -> str:
    texts = [run(["template", "--xlsx", str(tmp / f"t-{lang}.xlsx")], lang)[1]]
    texts.append(run(["template", "--csv", str(tmp / f"t-{lang}")], lang)[1])
    texts.append(run(["template", "--csv", str(tmp / f"t-{lang}")], lang)[1])  # exists: an error
    texts.append(run(["template"], lang)[1])  # neither: a usage error
    return "\n".join(texts)


def _explain_header(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["explain", "--problem", str(c.folder / "problem.json")], lang)[1]


def _secret(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["secret", str(tmp / f"secret-{lang}")], lang)[1]


def _check(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    marked = tmp / f"unchecked-{lang}.json"
    save_result(load_result(c.result).marked(unchecked=True), marked)
    texts = [run(["check", problem, str(c.result)], lang)[1], run(["check", problem, str(marked)], lang)[1]]
    assert not load_result(marked).unchecked
    return "\n".join(texts)


def _diff(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["diff", str(c.result), str(c.other_result)], lang)[1]


def _stability(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["stability", str(c.folder / "problem.json"), str(c.result)], lang)[1]


def _repair(c: Case, lang: Lang, tmp: Path) -> str:
    out = tmp / f"repair-{lang}.json"
    _, text = run(["repair", str(c.folder / "problem.json"), "--previous", str(c.other_result), "-o", str(out)], lang)
    return text  # the result is said in the language asked for, its records too (report.text.format_result)


def _next_round(c: Case, lang: Lang, tmp: Path) -> str:
    out = tmp / f"next-{lang}.json"
    dates = ["--term", "HT", "--year", "2030", "--start", "2030-08-17", "--end", "2031-06-11"]
    texts = [
        run(
            [
                "next-round",
                str(c.folder / "problem.json"),
                "--result",
                str(c.result),
                "--step",
                "3",
                *dates,
                "-o",
                str(out),
            ],
            lang,
        )[1]
    ]
    texts.append(
        run(
            [
                "next-round",
                str(c.folder / "problem.json"),
                "--result",
                str(c.result),
                "--step",
                "2",
                *dates,
                "-o",
                str(c.result),
            ],
            lang,
        )[1]
    )  # an input as output: an error
    return "\n".join(texts)


def _scenarios(c: Case, lang: Lang, tmp: Path) -> str:
    scenarios = c.folder / "scenarios.json"
    if not scenarios.is_file():
        return ""
    return run(["scenarios", str(c.folder / "problem.json"), str(scenarios)], lang)[1]


def _plan_supervisors(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    return run(["plan-supervisors", problem, "--training", "completed", "--more", "1"], lang)[1]


def _completion(c: Case, lang: Lang, tmp: Path) -> str:
    code, _ = run(["completion", "bash"], lang)
    assert code == 0
    return ""  # a shell script: no prose


def _errors(c: Case, lang: Lang, tmp: Path) -> str:
    """The CLI's own errors: a missing file, bad options, unknown applicants."""
    missing = str(tmp / "missing.json")
    texts = [
        run(["validate", missing], lang)[1],
        run(["solve", str(c.folder / "problem.json"), "--balance-tolerance", "0.2", "--balance", "none"], lang)[1],
        run(["--limit", "max_pairs", "validate", str(c.folder / "problem.json")], lang)[1],
    ]
    if load_result(c.result).status.has_plan:  # without a plan, explain shows the diagnostics instead
        texts.append(run(["explain", str(c.result)], lang)[1])
        texts.append(run(["explain", str(c.result), "--problem", str(c.folder / "problem.json"), "nobody"], lang)[1])
    return "\n".join(texts)


class _Visible(HTMLParser):
    """The text of a page a reader sees: not its style sheet or script, not its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def _workbook_text(path: Path, data: frozenset[str]) -> str:
    """Every sheet name, cell, note and input message of the workbook at ``path``, but the cells that
    are ``data`` (or a list of it, ``a; b``)."""
    book = load_workbook(path)
    texts = list(book.sheetnames)
    for ws in book.worksheets:
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        texts += [cell for cell in cells if not set(cell.split("; ")) <= data]
        texts += [c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None]
        texts += [f"{dv.errorTitle} {dv.error}" for dv in ws.data_validations.dataValidation]
    return "\n".join(texts)


def _report(c: Case, lang: Lang, tmp: Path) -> str:
    """``report`` as HTML and as text, with and without an approval, and the result workbook of ``solve``."""
    problem = load_problem(c.folder / "problem.json")
    result = load_result(c.result)
    texts: list[str] = []
    for name in (f"r-{lang}.html", f"r-{lang}.txt"):
        code, text = run(["report", str(c.result), "-o", str(tmp / name)], lang)
        assert code == 0, text
        page = (tmp / name).read_text("utf-8")
        texts += [text, _visible(page) if name.endswith(".html") else page]
    if result.status.has_plan:
        key, approved = tmp / "office.key", tmp / "approved.json"
        run(["keygen", "--out", str(key)], "en")
        code, text = run(
            ["approve", str(c.folder / "problem.json"), str(c.result), "--official", "tp-1", "--role", "x",
             "-o", str(approved), "--key", str(key)],
            "en",
        )  # fmt: skip
        assert code == 0, text
        for name in (f"a-{lang}.html", f"a-{lang}.txt"):
            args = ["report", str(c.result), "--approval", str(approved), "--public-key", f"{key}.pub"]
            code, text = run([*args, "-o", str(tmp / name)], lang)
            assert code == 0, text
            page = (tmp / name).read_text("utf-8")
            texts += [text, _visible(page) if name.endswith(".html") else page]
    texts.append(run(["report", str(c.result), "-o", str(tmp / "r.doc")], lang)[1])  # a usage error
    texts.append(run(["report", str(c.result), "--public-key", str(tmp / "k.pub")], lang)[1])  # another
    book = tmp / f"result-{lang}.xlsx"
    code, text = run(["solve", str(c.folder / "problem.json"), "-o", str(book), "-q"], lang)
    # The result's own records are data: its levels' names and what _recorded says.
    texts.append(
        _workbook_text(book, frozenset([*(lv.name for lv in result.decision.objective), *_recorded(c.result)]))
    )
    (tmp / "broken.xlsx").write_bytes(b"not a workbook")
    texts.append(run(["report", str(tmp / "broken.xlsx")], lang)[1])
    infeasible = explain_infeasibility(problem) if not result.status.has_plan else None
    others = [] if infeasible is None else infeasible.text(lang, display_names(problem)).splitlines()
    return _without("\n".join(texts), *(line.removeprefix("- ") for line in others if line.strip()))


def _ids(c: Case) -> tuple[str, str, str]:
    """An applicant, a unit and a supervisor of the example (for overrides)."""
    problem = load_problem(c.folder / "problem.json")
    return problem.applicants[0].id, problem.units[-1].id, problem.supervisors[0].id


def _plan(c: Case) -> Path:
    """The example's plan made by hand, or (where it has none) another result used as a plan."""
    hand = c.folder / "hand-plan.csv"
    return hand if hand.is_file() else c.other_result


def _evaluate(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    return run(["evaluate", problem, str(_plan(c)), "--result", str(c.result)], lang)[1]


def _override(c: Case, lang: Lang, tmp: Path) -> str:
    problem, overrides = str(c.folder / "problem.json"), str(tmp / f"overrides-{lang}.json")
    applicant, unit, supervisor = _ids(c)
    base = ["override", overrides, "--problem", problem, "--result", str(c.result), "--official", "o-1"]
    texts = [
        run([*base, "--forbid", applicant, "--supervisor", supervisor, "--reason", "r-1"], lang)[1],
        run([*base, "--pin", applicant, "--unit", unit, "--reason", "r-2"], lang)[1],
        run([*base, "--pin", applicant, "--unit", unit, "--reason", "r-3"], lang)[1],  # pinned twice, or a rule
        run([*base, "--pin", applicant], lang)[1],  # no reason: a usage error
        run(["override", overrides, "--problem", problem, "--pin", "nobody-1", "--unit", unit, "--reason", "r-4",
             "--official", "o-1"], lang)[1],  # an unknown applicant
    ]  # fmt: skip
    return "\n".join(texts)


def _signed(c: Case, lang: Lang, tmp: Path) -> tuple[list[str], Path, Path]:
    """``keygen`` and a signed ``approve`` (with an override where the example allows one): their
    output, the approved record and the public key."""
    key, record, overrides = tmp / f"key-{lang}", tmp / f"approved-{lang}.json", tmp / f"ov-{lang}.json"
    applicant, _, supervisor = _ids(c)
    problem = str(c.folder / "problem.json")
    run(["override", str(overrides), "--problem", problem, "--result", str(c.result), "--forbid", applicant,
         "--supervisor", supervisor, "--reason", "r-1", "--official", "o-1"], "en")  # fmt: skip
    texts = [run(["keygen", "--out", str(key)], lang)[1]]
    args = ["approve", problem, str(c.result), "--official", "o-1", "--role", "enhetschef", "-o", str(record)]
    extra = ["--overrides", str(overrides)] if overrides.exists() else []
    texts.append(run([*args, *extra, "--key", str(key)], lang)[1])
    return texts, record, tmp / f"key-{lang}.pub"


def _keygen(c: Case, lang: Lang, tmp: Path) -> str:
    key = str(tmp / f"office-{lang}")
    return "\n".join(run(["keygen", "--out", key], lang)[1] for _ in range(2))  # the second: exists


def _approve(c: Case, lang: Lang, tmp: Path) -> str:
    texts, _, _ = _signed(c, lang, tmp)
    problem, out = str(c.folder / "problem.json"), str(tmp / "x.json")
    texts.append(
        run(["approve", problem, str(c.result), "--official", "o-1", "-o", out, "--approved-at", "12/5"], lang)[1]
    )
    texts.append(run(["approve", problem, str(c.result), "--official", " ", "-o", out], lang)[1])
    return "\n".join(texts)


def _audit(c: Case, lang: Lang, tmp: Path) -> str:
    return run(["audit", str(c.folder / "problem.json"), "-o", str(tmp / f"audit-{lang}.json")], lang)[1]


def _edited(record: Path, tmp: Path) -> Path:
    """``record`` with its approval's official and the policy's seed changed after signing."""
    data = json.loads(record.read_text("utf-8"))
    data["approval"]["official"] = "o-2"
    data["policy"]["lottery_seed"] = 99
    edited = tmp / "edited.json"
    edited.write_text(json.dumps(data), "utf-8")
    return edited


def _reproduce(c: Case, lang: Lang, tmp: Path) -> str:
    problem, audit = str(c.folder / "problem.json"), tmp / f"audit-{lang}.json"
    run(["audit", problem, "-o", str(audit)], "en")
    texts = [run(["reproduce", str(audit), "--problem", problem], lang)[1]]
    _, record, public = _signed(c, lang, tmp)
    if record.exists():
        texts.append(run(["reproduce", str(record), "--problem", problem, "--public-key", str(public)], lang)[1])
        texts.append(run(["reproduce", str(_edited(record, tmp)), "--problem", problem], lang)[1])
    return "\n".join(texts)


def _verify(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    texts, record, public = _signed(c, lang, tmp)
    if record.exists():
        texts.append(run(["verify", str(record), "--public-key", str(public), "--problem", problem], lang)[1])
        texts.append(
            run(["verify", str(_edited(record, tmp)), "--public-key", str(public), "--problem", problem], lang)[1]
        )
        texts.append(run(["verify", str(_edited(record, tmp))], lang)[1])  # not checked: a notice
    audit = tmp / f"audit-{lang}.json"
    run(["audit", problem, "-o", str(audit)], "en")
    if audit.exists():
        texts.append(run(["verify", str(audit), "--require-signature"], lang)[1])
    return "\n".join(texts)


def _archive(c: Case, lang: Lang, tmp: Path) -> str:
    problem, approved, audit = str(c.folder / "problem.json"), tmp / "archived.json", tmp / f"audit-{lang}.json"
    run(["approve", problem, str(c.result), "--official", "o-1", "-o", str(approved)], "en")
    run(["audit", problem, "-o", str(audit)], "en")
    where = ["--archive", str(tmp / f"archive-{lang}.sqlite")]
    texts = [run(["archive", "list", *where], lang)[1]]  # no archive there yet
    texts.append(run(["archive", "add", problem, str(c.result), str(audit), "--key", "k", *where], lang)[1])
    texts.append(run(["archive", "add", problem, str(c.result), str(approved), "--key", "k", *where], lang)[1])
    texts.append(run(["archive", "add", problem, str(c.result), str(approved), "--key", "k", *where], lang)[1])
    for command in (["list"], ["show", "k"], ["show", "nope"], ["export", str(tmp / f"a-{lang}.xlsx")], ["verify"]):
        texts.append(run(["archive", *command, *where], lang)[1])
    if (tmp / f"a-{lang}.xlsx").exists():  # not for a round without a plan: nothing was approved
        book = load_workbook(tmp / f"a-{lang}.xlsx")
        texts.append(" ".join(book.sheetnames + [str(c.value) for c in next(book.worksheets[0].iter_rows())]))
    texts.append(run(["archive", "verify", "--head", "sha256:00", *where], lang)[1])
    return "\n".join(texts)


def _explain_result(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    return run(["explain", str(c.result), "--problem", problem, "--all", "--reserves", "2"], lang)[1]


def _popular(c: Case, lang: Lang, tmp: Path) -> str:
    problem = str(c.folder / "problem.json")
    texts = [run(["popular", problem], lang)[1], run(["popular", problem, "--check", str(c.result)], lang)[1]]
    return "\n".join(texts)


COMMANDS: dict[str, Callable[[Case, Lang, Path], str]] = {
    "evaluate": _evaluate,
    "override": _override,
    "approve": _approve,
    "audit": _audit,
    "reproduce": _reproduce,
    "keygen": _keygen,
    "verify": _verify,
    "archive": _archive,
    "explain RESULT": _explain_result,
    "popular": _popular,
    "solve": _solve,
    "validate": _validate,
    "schema": _schema,
    "template": _template,
    "explain --problem": _explain_header,
    "secret": _secret,
    "diff": _diff,
    "check": _check,
    "stability": _stability,
    "repair": _repair,
    "next-round": _next_round,
    "scenarios": _scenarios,
    "plan-supervisors": _plan_supervisors,
    "completion": _completion,
    "errors": _errors,
    "report": _report,
}


def _untranslated(text: str) -> list[str]:
    """English catalog messages (of three words or more, no placeholders) that appear in ``text``."""
    catalog = load_catalog("sv")
    assert catalog is not None
    return [m for m in catalog.singular if "{" not in m and len(m.split()) >= 3 and m in text]


def foreign_words(text: str, lang: Lang, data: frozenset[str]) -> list[str]:
    """The words of ``text`` that belong to the other language (data words excepted)."""
    stop = ENGLISH if lang == "sv" else SWEDISH
    return sorted({w for w in _words(text) if w in stop and w not in data})


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_speaks_one_language(case: Case, command: str, lang: Lang, tmp_path: Path) -> None:
    text = COMMANDS[command](case, lang, tmp_path)
    foreign = foreign_words(text, lang, case.data_words | set(_words(str(tmp_path))))
    assert not foreign, f"{command} ({lang}) printed {foreign} in:\n{text}"
    if lang == "sv":
        left = _untranslated(text)
        assert not left, f"{command} printed untranslated messages {left} in:\n{text}"


def test_the_stop_lists_catch_the_other_language() -> None:
    # The check itself must be able to fail: English text is caught in Swedish output, and the other way.
    assert foreign_words("fel: 2 problems found", "sv", frozenset()) == ["found", "problems"]
    assert foreign_words("error: 2 problem hittades", "en", frozenset()) == ["hittades"]
    assert foreign_words("enhet sdt-bou", "en", frozenset({"enhet"})) == []
    assert _untranslated("x: the ranks leave a gap") == []
    assert _untranslated("x: give each record its own id") == ["give each record its own id"]


def test_lang_option_wins_over_the_environment_and_a_bad_value_is_a_usage_error(tmp_path: Path) -> None:
    problem = str(EXAMPLE_DIRS[0] / "problem.json")
    result = CliRunner().invoke(cli, ["validate", problem, "--lang", "en"], env={"MATCHMAKER_LANG": "sv"})
    assert result.exit_code == 0
    assert ": valid." in result.stdout
    result = CliRunner().invoke(cli, ["validate", problem], env={"MATCHMAKER_LANG": "sv"})
    assert ": giltigt." in result.stdout
    result = CliRunner().invoke(cli, ["validate", problem], env={"MATCHMAKER_LANG": "de"})
    assert result.exit_code == 2
    assert "MATCHMAKER_LANG" in result.stderr
    result = CliRunner().invoke(cli, ["validate", problem, "--lang", "de"])
    assert result.exit_code == 2
    assert "'de' is not a language" in result.stderr
    # A command that has no text of its own still takes --lang (added to every command).
    result = CliRunner().invoke(cli, ["secret", str(tmp_path / "s"), "--lang", "sv"])
    assert result.exit_code == 0
    assert "hemligheten skrevs till" in result.stdout


def _validate_both(data: object, path: Path) -> tuple[str, str]:
    """``validate`` a problem written from ``data`` in English and Swedish: each one's output, checked
    for words of the other language, and the exit code shared by both."""
    path.write_text(json.dumps(data), "utf-8")
    en = CliRunner().invoke(cli, ["validate", str(path)], env={"MATCHMAKER_LANG": "en"})
    sv = CliRunner().invoke(cli, ["validate", str(path)], env={"MATCHMAKER_LANG": "sv"})
    assert en.exit_code == sv.exit_code
    words = _data_words(EXAMPLE_DIRS[0], path.parent)
    assert foreign_words(sv.stdout + sv.stderr, "sv", words) == []
    assert foreign_words(en.stdout + en.stderr, "en", words) == []
    return en.stdout + en.stderr, sv.stdout + sv.stderr


def test_validation_errors_are_rendered_in_the_chosen_language(tmp_path: Path) -> None:
    data = json.loads((EXAMPLE_DIRS[0] / "problem.json").read_text("utf-8"))
    data["units"][0]["max_places"] = -1
    data["applicants"][0]["shoe_size"] = 42
    en, sv = _validate_both(data, tmp_path / "bad.json")
    assert "input should be greater than or equal to 0. Fix: use a value of at least 0" in en
    assert "värdet ska vara större än eller lika med 0. Åtgärd: använd ett värde som är minst 0" in sv
    assert "okänt fält. Åtgärd: ta bort 'shoe_size'" in sv
    assert "fel: 2 problem hittades i" in sv
    # A cross-record rule (checked once every record is well formed), with its suggestion.
    data = json.loads((EXAMPLE_DIRS[0] / "problem.json").read_text("utf-8"))
    unit = data["units"][0]["id"]
    data["supervisors"][0]["unit"] = unit + "x"
    en, sv = _validate_both(data, tmp_path / "bad.json")
    assert f"hänvisar till enhet {unit + 'x'!r}, som inte finns (menade du {unit!r}?)" in sv
    assert "Åtgärd: använd id:t för en befintlig enhet, eller lägg till den" in sv
    assert "error: 1 problem found in" in en


def test_notices_are_rendered_in_the_chosen_language(tmp_path: Path) -> None:
    # An older schema version is read with a notice (an InputWarning carrying its message id).
    data = json.loads((EXAMPLE_DIRS[0] / "problem.json").read_text("utf-8"))
    data["schema_version"] = 0
    for unit in data["units"]:
        unit["places"] = unit.pop("max_places")
    en, sv = _validate_both(data, tmp_path / "old.json")
    assert "notice: " in en
    assert "is a version-0 problem file; it was read as version 1 (units[].places -> max_places)" in en
    assert ": valid." in en
    assert "obs: " in sv
    assert "är en problemfil av version 0; den lästes som version 1 (units[].places -> max_places)" in sv
    assert ": giltigt." in sv


@pytest.mark.parametrize("lang", LANGS)
def test_pseudonymise_and_names_speak_one_language(lang: Lang, tmp_path: Path) -> None:
    # No example has a roster with names, so these two run on the privacy tests' roster.
    # The roster's own words (names, sheet names, headers) are data.
    book = load_workbook(roster(tmp_path / "words.xlsx"))
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    words = set(_words(" ".join([str(tmp_path), *book.sheetnames, *cells])))
    words |= {w for person in PEOPLE for w in _words(" ".join(person))}
    secret, key, problem = tmp_path / "secret.key", tmp_path / "key.csv", tmp_path / "problem.xlsx"
    texts = [run(["secret", str(secret)], lang)[1]]
    code, text = run(
        ["pseudonymise", str(roster(tmp_path / "roster.xlsx")), "--secret", str(secret), "-o", str(problem),
         "--key", str(key)],
        lang,
    )  # fmt: skip
    assert code == 0, text
    texts.append(text)
    run(["solve", str(problem), "-o", str(tmp_path / "result.json"), "-q"], lang)
    texts.append(
        run(["names", str(tmp_path / "result.json"), "--key", str(key), "-o", str(tmp_path / "n.csv")], lang)[1]
    )
    code, text = run(
        ["pseudonymise", str(roster(tmp_path / "broken.xlsx", broken=True)), "--secret", str(secret),
         "-o", str(tmp_path / "p2.xlsx"), "--key", str(tmp_path / "k2.csv")],
        lang,
    )  # fmt: skip
    assert code == 2, text
    texts.append(text)
    output = "\n".join(texts)
    assert ("pseudonymiserade" if lang == "sv" else "applicants pseudonymised") in output
    assert foreign_words(output, lang, frozenset(words)) == [], output


def test_every_command_is_covered() -> None:
    # A new command must be added to COMMANDS (or, if no example can drive it, to CHECKED_ON_A_ROSTER).
    listed = {name.split()[0] for name in [*COMMANDS, *CHECKED_ON_A_ROSTER]} - {"errors"}
    assert set(cli.commands) == listed


@pytest.mark.parametrize("lang", LANGS)
def test_the_checkers_findings_in_evaluate_speak_one_language(lang: Lang, tmp_path: Path) -> None:
    # The examples' plans break no count; this one puts three applicants with one supervisor (over
    # their capacity), so `evaluate` prints the checker's own findings, which must follow --lang.
    folder = next(p for p in EXAMPLE_DIRS if (p / "hand-plan.csv").is_file())
    problem = load_problem(folder / "problem.json")
    supervisor = min(problem.supervisors, key=lambda s: s.capacity)
    applicants = [a.id for a in problem.applicants][: supervisor.capacity + 2]
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "applicant,unit,supervisor\n" + "".join(f"{a},{supervisor.unit},{supervisor.id}\n" for a in applicants),
        "utf-8",
    )
    code, text = run(["evaluate", str(folder / "problem.json"), str(plan), "--no-explain"], lang)
    assert code == 0, text
    capacity = f"[supervisor_capacity] {supervisor.id}: {len(applicants)} "
    assert capacity + ("studenter, kapacitet" if lang == "sv" else "students, capacity") in text
    assert foreign_words(text, lang, _data_words(folder, tmp_path)) == [], text
    if lang == "sv":
        assert _untranslated(text) == []
