"""The message ids the code uses (an ast scan of ``src/``), and the Swedish catalog written from them.

A call counts when its function is named ``tr``, ``msg`` (one id: the first argument), ``tr_n`` or
``msg_n`` (two ids: singular and plural) and the ids are string literals. A call of one of these names
whose id is not a literal is reported too, so that no text escapes the catalog.

``python tests/i18n_catalog.py`` brings the catalog up to date with the code: every id in use, in the
order of first use, with the files that use it, its translation kept, a new id with an empty one (for
the translator; ``tests/test_i18n.py`` fails until it is filled in), an id no longer used dropped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from matchmaker._i18n import Catalog, parse_po

__all__ = ["PO", "SRC", "Use", "collect_uses", "render_catalog"]

SRC = Path(__file__).resolve().parent.parent / "src" / "matchmaker"
PO = SRC / "locale" / "sv" / "LC_MESSAGES" / "matchmaker.po"
_HEADER = """# Swedish translation of matchmaker's messages.
# The msgid is the English text; translate msgstr, keep every {placeholder} as it is.
# Words: the glossary, docs/concepts/glossary.md. Checked by tests/test_i18n.py; brought up to date with
# the code by `python tests/i18n_catalog.py`.
msgid ""
msgstr ""
"Project-Id-Version: matchmaker\\n"
"Language: sv\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"""
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


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def render_catalog(uses: list[Use], old: Catalog) -> str:
    """The catalog's text for ``uses``, with the translations (and fuzzy marks) of ``old``."""
    files: dict[tuple[str, str | None], list[str]] = {}
    for use in uses:
        if use.msgid is not None:
            where = files.setdefault((use.msgid, use.plural), [])
            if use.path not in where:
                where.append(use.path)
    entries = [_HEADER]
    for (msgid, plural), where in files.items():
        lines = [f"#: {' '.join(where)}"]
        if msgid in old.fuzzy:
            lines.append("#, fuzzy")
        lines.append(f"msgid {_quote(msgid)}")
        if plural is None:
            lines.append(f"msgstr {_quote(old.singular.get(msgid, ''))}")
        else:
            forms = old.plural.get((msgid, plural), ("", ""))
            lines.append(f"msgid_plural {_quote(plural)}")
            lines += [f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(forms)]
        entries.append("\n".join(lines) + "\n")
    return "\n".join(entries)


def main() -> None:
    """Rewrite the Swedish catalog from the code (see the module docstring)."""
    old = parse_po(PO.read_text("utf-8"), PO.name)
    text = render_catalog(collect_uses(), old)
    PO.write_text(text, "utf-8")
    new = parse_po(text, PO.name)
    empty = [k for k, v in new.singular.items() if not v] + [k for k, v in new.plural.items() if not all(v)]
    print(f"{PO}: {len(new.singular) + len(new.plural)} messages, {len(empty)} to translate")


if __name__ == "__main__":
    main()
