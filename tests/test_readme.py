"""Every Python snippet in the README runs, from the repository root, and its claims hold."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_snippets() -> None:
    assert len(SNIPPETS) >= 3


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_snippet_runs(index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    code = compile(SNIPPETS[index], f"README.md snippet {index}", "exec")
    exec(code, {"__name__": f"readme_{index}"})
    out = capsys.readouterr().out
    # Comments that show output ("#   - ...") must match what the snippet printed.
    for shown in re.findall(r"^    #   (- .*)$", SNIPPETS[index], flags=re.MULTILINE):
        assert shown in out


def test_readme_commands_are_the_ci_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -q -e ".[cli]" --group test' in README
    assert "pytest" in ci
    assert "--group test" in ci
    assert "matchmaker solve examples/huddinge-nacka-tyreso/problem.json -o out.json" in README
