"""Every module of the package sits on a floor of the layers contract (pyproject.toml, checked in CI by
``lint-imports``): a module the contract does not name could import anything unnoticed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "matchmaker"


def _floors() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    (contract,) = (c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "floors")
    return [{m.strip() for m in re.split(r"[:|]", layer)} for layer in contract["layers"]]


def _modules() -> set[str]:
    out = set()
    for path in PACKAGE.iterdir():
        if path.suffix == ".py" and path.name != "__init__.py":
            out.add(path.stem)
        elif path.is_dir() and (path / "__init__.py").is_file():
            out.add(path.name)
    return out


def test_every_module_is_on_one_floor() -> None:
    floors = _floors()
    named = [m for floor in floors for m in floor]
    assert len(named) == len(set(named)), "a module is named on two floors"
    assert set(named) == _modules()


def test_no_private_name_crosses_modules() -> None:
    """A name with a leading underscore stays in its module: another module may import a private module
    of its package (``from matchmaker.io import _csv``), never a private function, class or constant."""
    import ast

    modules = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE.rglob("*.py")
    }
    crossing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matchmaker"):
                crossing += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                    and not a.name.startswith("__")
                    and f"{node.module}.{a.name}" not in modules
                ]
    assert not crossing, crossing


def test_every_module_says_its_job_in_its_first_docstring_line() -> None:
    import ast

    silent = []
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8")))
        first = doc.splitlines()[0].strip() if doc else ""
        if len(first.split()) < 3:  # a job takes a few words: "The ... of ..."
            silent.append(str(path.relative_to(PACKAGE)))
    assert not silent, f"modules without a first docstring line saying their job: {silent}"
