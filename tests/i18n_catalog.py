"""The message ids the code uses: an ast scan of ``src/`` for the translation calls of :mod:`matchmaker._i18n`.

A call counts when its function is named ``tr``, ``msg`` (one id: the first argument), ``tr_n`` or
``msg_n`` (two ids: singular and plural) and the ids are string literals. A call of one of these names
whose id is not a literal is reported too, so that no text escapes the catalog.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SRC", "Use", "collect_uses"]

SRC = Path(__file__).resolve().parent.parent / "src" / "matchmaker"
_SINGULAR = frozenset({"tr", "msg"})
_PLURAL = frozenset({"tr_n", "msg_n"})


@dataclass(frozen=True)
class Use:
    """One translation call: its ids (``plural`` for ``tr_n``/``msg_n``), file and line."""

    msgid: str | None
    plural: str | None
    path: str
    line: int


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def collect_uses(root: Path = SRC) -> list[Use]:
    """Every call of ``tr``/``msg``/``tr_n``/``msg_n`` under ``root``, in file and line order."""
    uses: list[Use] = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "_i18n.py":
            continue  # the definitions themselves
        tree = ast.parse(path.read_text("utf-8"), str(path))
        rel = path.relative_to(root.parent).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            first = node.args[0] if node.args else None
            if name in _SINGULAR:
                uses.append(Use(_literal(first), None, rel, node.lineno))
            elif name in _PLURAL:
                second = node.args[1] if len(node.args) > 1 else None
                uses.append(Use(_literal(first), _literal(second), rel, node.lineno))
    uses.sort(key=lambda u: (u.path, u.line))
    return uses
