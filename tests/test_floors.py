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
