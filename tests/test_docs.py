"""The documentation cannot rot: every snippet runs, and the reference covers the public API.

What is checked, page by page (``docs/**/*.md`` and the contributor files the site includes):

* ``python`` blocks run in order, in one namespace per page, in a scratch directory where
  ``examples/`` is available. A ``text`` block right after a ``python`` block is its expected output.
* ``json`` blocks parse. One that is a problem (it has ``"applicants"``) validates, unless its title is
  one of :data:`BROKEN` (then it must fail). A block with a ``title="name.json"`` is written to the
  scratch directory under that name, so shell snippets can use it.
* ``console`` blocks: each ``$ command`` runs in the scratch directory; the lines below it are its
  expected output. A plain ``matchmaker ARGS [> FILE] [; echo "exit code: $?"]`` runs in-process
  through click's test runner (the same command object, without a second of interpreter start-up per
  command); anything else runs in bash. ``bash`` blocks are shown, not run (installs, loops over the
  reader's own files).

Expected output is matched line by line, in order; lines of the output may be skipped, and ``...``
matches anything (a whole line, or part of one).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import matchmaker as mm
from conftest import EXAMPLES, ROOT

DOCS = ROOT / "docs"
#: Markdown outside docs/ that the site includes (see docs/ARCHITECTURE.md and friends).
INCLUDED = [ROOT / "ARCHITECTURE.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
#: Titles of JSON blocks that show a broken input on purpose.
BROKEN = {"broken.json", "trasig.json"}

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```\s*$", re.DOTALL | re.MULTILINE)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str
    line: int
    lang: str
    title: str | None
    body: str


def _pages() -> list[Path]:
    pages = [p for p in sorted(DOCS.rglob("*.md")) if "_ext" not in p.parts]
    return pages + INCLUDED


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        title = _TITLE.search(m["attrs"])
        out.append(
            Block(
                page=str(path.relative_to(ROOT)),
                line=text.count("\n", 0, m.start()) + 1,
                lang=m["lang"],
                title=title["title"] if title else None,
                body=m["body"],
            )
        )
    return out


PAGES = _pages()
BLOCKS = [b for p in PAGES for b in _blocks(p)]


def assert_output(expected: str, actual: str, where: str) -> None:
    """Every expected line appears in ``actual``, in order (``...`` is a wildcard)."""
    lines = [line.rstrip() for line in actual.splitlines()]
    pos = 0
    for want in (w.rstrip() for w in expected.splitlines()):
        if not want.strip() or want.strip() == "...":
            continue
        pattern = re.compile(".*?".join(re.escape(part) for part in want.split("...")))
        for i in range(pos, len(lines)):
            if pattern.fullmatch(lines[i]):
                pos = i + 1
                break
        else:
            pytest.fail(f"{where}: expected the line\n  {want}\nin the output (after line {pos}):\n{actual}")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with examples/ and every titled JSON block of the docs."""
    work = tmp_path_factory.mktemp("docs")
    (work / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    for block in BLOCKS:
        if block.lang == "json" and block.title:
            (work / block.title).write_text(block.body, encoding="utf-8")
    return work


@pytest.fixture
def in_scratch(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in the scratch directory, with this environment's ``matchmaker`` first on PATH."""
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    yield scratch
    logging.getLogger("matchmaker").setLevel(logging.NOTSET)  # a page may turn logging on


def test_the_docs_have_snippets() -> None:
    langs = {b.lang for b in BLOCKS}
    assert {"python", "json", "console"} <= langs


PYTHON_PAGES = [p for p in PAGES if any(b.lang == "python" for b in _blocks(p))]


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_snippets_run(page: Path, in_scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _blocks(page)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for i, block in enumerate(blocks):
        if block.lang != "python":
            continue
        where = f"{block.page}:{block.line}"
        exec(compile(block.body, where, "exec"), namespace)
        out = capsys.readouterr().out
        if i + 1 < len(blocks) and blocks[i + 1].lang == "text":
            assert_output(blocks[i + 1].body, out, where)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "json"], ids=lambda b: f"{b.page}:{b.line}")
def test_json_snippets_parse(block: Block) -> None:
    data = json.loads(block.body)
    if not (isinstance(data, dict) and "applicants" in data):
        return
    if block.title in BROKEN:
        with pytest.raises(mm.ProblemValidationError):
            mm.Problem.model_validate(data)
    else:
        mm.Problem.model_validate(data)


def test_titled_json_snippets_agree() -> None:
    """A file name shown twice (say, in both languages) shows the same file."""
    seen: dict[str, str] = {}
    for block in BLOCKS:
        if block.lang == "json" and block.title:
            assert seen.setdefault(block.title, block.body) == block.body, block.title


def _commands(block: Block) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
        else:
            pytest.fail(f"{block.page}:{block.line}: a console block starts with '$ command'")
    return [(cmd, "\n".join(expected)) for cmd, expected in out]


_PLAIN = re.compile(r'^matchmaker(?P<args>[^;>|&$`<]*?)(?: > (?P<to>[\w.-]+))?(?P<echo>; echo "exit code: \$\?")?$')


def _run(command: str, cwd: Path) -> tuple[int, str]:
    """Exit code and the output a terminal would show (standard output and error)."""
    plain = _PLAIN.fullmatch(command)
    if plain is None:
        done = subprocess.run(  # the docs' own commands, in a scratch directory
            ["bash", "-c", command],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout
    from click.testing import CliRunner

    from matchmaker._cli import cli

    run = CliRunner().invoke(cli, shlex.split(plain["args"]), prog_name="matchmaker", catch_exceptions=False)
    shown = run.output
    if plain["to"]:
        (cwd / plain["to"]).write_text(run.stdout, encoding="utf-8")
        shown = run.stderr
    if plain["echo"]:
        return 0, f"{shown}exit code: {run.exit_code}\n"
    return run.exit_code, shown


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "console"], ids=lambda b: f"{b.page}:{b.line}")
def test_console_snippets_run(block: Block, in_scratch: Path) -> None:
    pytest.importorskip("click")
    for command, expected in _commands(block):
        where = f"{block.page}:{block.line}: $ {command}"
        code, output = _run(command, in_scratch)
        if expected.strip():
            assert_output(expected, output, where)
        else:
            assert code == 0, f"{where}\n{output}"


def test_both_languages_have_the_same_guide() -> None:
    english = DOCS / "guide"
    swedish = DOCS / "sv" / "guide"
    assert sorted(p.name for p in english.glob("*.md")) == sorted(p.name for p in swedish.glob("*.md"))
    for page in english.glob("*.md"):
        kinds_en = [b.lang for b in _blocks(page)]
        kinds_sv = [b.lang for b in _blocks(swedish / page.name)]
        assert kinds_en == kinds_sv, f"guide/{page.name} and sv/guide/{page.name} show different snippets"


def _reference_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "reference").glob("*.md")))


def test_every_public_name_has_a_reference_entry() -> None:
    text = _reference_text()
    entries = set(re.findall(r"^::: matchmaker\.(\w+)$", text, flags=re.MULTILINE))
    missing = sorted(set(mm.__all__) - entries)
    assert not missing, f"add '::: matchmaker.NAME' for these to a page of docs/reference/: {missing}"
    assert all(hasattr(mm, name) for name in entries)


def test_every_public_name_has_a_docstring() -> None:
    """What the reference shows, read as the site reads it (source, with ``#:`` comments)."""
    griffe = pytest.importorskip("griffe", reason="the docs dependency group is not installed")
    extensions = griffe.load_extensions("griffe_sphinx")
    package = griffe.load("matchmaker", search_paths=[str(ROOT / "src")], extensions=extensions)
    undocumented = []
    for name in mm.__all__:
        if name == "__version__":
            continue
        member = package.members[name]
        target = member.final_target if member.is_alias else member
        if target.docstring is None or not target.docstring.value.strip():
            undocumented.append(name)
    assert not undocumented, f"public names without a docstring: {undocumented}"


def test_every_cli_option_is_documented() -> None:
    pytest.importorskip("click")
    from matchmaker._cli import cli

    page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"## `matchmaker {name}" in page, f"no section for 'matchmaker {name}'"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-") and opt not in ("-h", "--help"):
                    assert f"`{opt}" in page, f"option {opt} of 'matchmaker {name}' is not documented"
    for code in ("0", "1", "2", "3"):
        assert f"| **{code}** |" in page
