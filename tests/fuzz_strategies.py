"""Hypothesis strategies for the fuzz suite: hostile values, mutated valid documents and damaged files.

Three layers, each built from hypothesis primitives only (no random seeds inside, so failures shrink):

* **values**: :func:`hostile_values` draws JSON-like values that readers trip over: NaN and infinities,
  huge and negative numbers, empty strings, Unicode oddities (RTL and zero-width marks, NUL, lone
  surrogates, combining marks, digits of other scripts), formula-like text, deep nesting;
* **documents**: :func:`mutated` applies one to four structural mutations to a valid document: a value
  replaced by a hostile one or by another type, a key removed or added (also a protected one such as
  ``gender``), a list item duplicated (duplicate ids), an id replaced by a dangling reference, a value
  buried in deep nesting;
* **files**: :func:`mutated_text` and :func:`mutated_bytes` damage serialised text and file bytes
  (truncation, deletion, insertion, bit flips, a 5,000-digit number, binary garbage);
  :func:`mutated_grid` damages the cells of a table (CSV, worksheet or DataFrame).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

#: Texts that break naive readers.
ODD_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "a\x00b",
    "\u200b",
    "zero\u200bwidth",
    "\u200f",
    "\u202eright-to-left",
    "\ufeff",
    "\u00a0",
    "a\u0301",
    "\ud800",
    "x\udfffy",
    "x" * 5_000,
    "Ａ１",
    "١٢٣",
    "NaN",
    "Infinity",
    "-inf",
    "1e309",
    "-0",
    "0x1F",
    "9" * 5_000,
    "=1+1",
    '="007"',
    "+SUM(A1)",
    "@x",
    "#N/A",
    "TRUE",
    "ja",
    "null",
    '"',
    "'",
    ";",
    ",",
    "{",
    "[]",
    "\\",
    "𝔘𝔫𝔦",
    "😀",
    "sodertalje",
    "bou",
    "A1",
)

#: Numbers that break naive readers (every one is JSON-serialisable by ``json.dumps``).
ODD_NUMBERS: tuple[int | float, ...] = (
    0,
    -1,
    1,
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    10**30,
    10**4_000,
    0.5,
    -0.0,
    1e-320,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
)

#: Field names of the problem and result schemas, some protected names, and near misses.
KEYS: tuple[str, ...] = (
    "id",
    "unit",
    "units",
    "supervisor",
    "supervisors",
    "municipality",
    "municipalities",
    "applicants",
    "area",
    "areas",
    "max_places",
    "min_places",
    "target_places",
    "capacity",
    "training",
    "ranking",
    "interests",
    "interview",
    "criterion",
    "score",
    "conflicts",
    "pins",
    "adjustments",
    "links",
    "policy",
    "balance",
    "mode",
    "schema_version",
    "decision",
    "statistics",
    "status",
    "gender",
    "Kön",
    "personnummer",
    "maxplaces",
    "",
)


def hostile_scalars() -> st.SearchStrategy[Any]:
    """A JSON scalar that readers trip over, or an ordinary one."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(ODD_NUMBERS),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(ODD_TEXTS),
        st.text(max_size=20),
    )


def hostile_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """A JSON-like value: scalars from :func:`hostile_scalars`, nested in lists and objects."""
    return st.recursive(
        hostile_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(ODD_TEXTS)), inner, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def _walk(root: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (path, node) in ``root`` (the root's path is ``()``), depth first, without recursion."""
    out: list[tuple[tuple[Any, ...], Any]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), root)]
    while stack:
        path, node = stack.pop()
        out.append((path, node))
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))
    return out


def _paths(node: Any) -> list[tuple[Any, ...]]:
    """Every path into ``node``, in a stable order."""
    return [path for path, _ in _walk(node)]


def _strings(node: Any) -> list[str]:
    """Every string value in ``node`` (ids among them), in a stable order."""
    return [value for _, value in _walk(node) if isinstance(value, str)]


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


MUTATIONS = ("replace", "retype", "delete", "add_key", "duplicate", "dangling", "reuse_id", "nest")


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Any]) -> Any:
    """A document drawn from ``base`` with one to four structural mutations (see the module docstring)."""
    doc = copy.deepcopy(draw(base))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        node = _get(doc, path)
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "replace":
            doc = _set(doc, path, draw(hostile_values()))
        elif kind == "retype":
            doc = _set(doc, path, _retyped(node))
        elif kind == "delete" and path:
            parent = _get(doc, path[:-1])
            del parent[path[-1]]
        elif kind == "add_key" and isinstance(node, dict):
            node[draw(st.sampled_from(KEYS))] = draw(hostile_values(4))
        elif kind == "duplicate" and isinstance(node, list) and node:
            node.append(copy.deepcopy(node[draw(st.integers(0, len(node) - 1))]))
        elif kind == "dangling" and isinstance(node, str):
            doc = _set(doc, path, draw(st.sampled_from(["nowhere", node + "x", node.upper(), f" {node} "])))
        elif kind == "reuse_id" and isinstance(node, str):
            strings = _strings(doc)
            doc = _set(doc, path, strings[draw(st.integers(0, len(strings) - 1))])
        elif kind == "nest":
            depth = draw(st.sampled_from([3, 40, 200]))  # deeper: test_fuzz's own cases
            wrapped: Any = node
            for _ in range(depth):
                wrapped = [wrapped]
            doc = _set(doc, path, wrapped)
    return doc


def _retyped(node: Any) -> Any:
    """``node`` as another JSON type (a number as text, text as a number, a list as an object, ...)."""
    if isinstance(node, bool):
        return str(node).lower()
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return {str(i): v for i, v in enumerate(node)}
    if isinstance(node, dict):
        return list(node.values())
    return 0


TEXT_MUTATIONS = ("truncate", "delete", "insert", "replace", "duplicate", "big_number", "deep")


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` damaged by one to three edits: truncated, a slice deleted or duplicated, odd text inserted,
    a character replaced, a 5,000-digit number or 100,000 brackets inserted."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(text)
        at = draw(st.integers(0, n))
        kind = draw(st.sampled_from(TEXT_MUTATIONS))
        if kind == "truncate":
            text = text[:at]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 50)) :]
        elif kind == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(ODD_TEXTS), st.text(max_size=5))) + text[at:]
        elif kind == "replace" and n:
            text = text[: min(at, n - 1)] + draw(st.characters()) + text[min(at, n - 1) + 1 :]
        elif kind == "duplicate":
            end = min(n, at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
        elif kind == "big_number":
            text = text[:at] + "9" * 5_000 + text[at:]
        elif kind == "deep":
            text = text[:at] + "[" * 100_000 + text[at:]
    return text


BYTE_MUTATIONS = ("truncate", "flip", "insert", "zero", "garbage")


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` damaged by one to three edits: truncated, a bit flipped, bytes inserted or zeroed, or
    replaced by binary garbage altogether."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(data)
        at = draw(st.integers(0, max(n - 1, 0)))
        kind = draw(st.sampled_from(BYTE_MUTATIONS))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip" and n:
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif kind == "zero":
            end = min(n, at + draw(st.integers(1, 64)))
            data = data[:at] + bytes(end - at) + data[end:]
        elif kind == "garbage":
            data = draw(st.binary(max_size=256))
    return data


#: A grid: table name -> rows of cells (the header first).
Grid = dict[str, list[list[Any]]]

GRID_MUTATIONS = ("cell", "clear", "drop_row", "copy_row", "drop_column", "header", "drop_table", "extra_table")


@st.composite
def mutated_grid(draw: st.DrawFn, grid: Grid, cell: Callable[[], st.SearchStrategy[Any]] = hostile_scalars) -> Grid:
    """``grid`` with one to four edits: a cell set to a hostile value or cleared, a row dropped or copied
    (duplicate ids), a column dropped, a header renamed, a table dropped or an unknown one added."""
    out = {name: [list(row) for row in rows] for name, rows in grid.items()}
    for _ in range(draw(st.integers(1, 4))):
        names = sorted(out)
        kind = draw(st.sampled_from(GRID_MUTATIONS))
        if kind == "extra_table" or not names:
            out[draw(st.sampled_from((*ODD_TEXTS[:8], "units ", "Enheter", "unknown")))] = [["id"], ["x"]]
            continue
        name = draw(st.sampled_from(names))
        rows = out[name]
        if kind == "drop_table":
            del out[name]
            continue
        if not rows:
            continue
        r = draw(st.integers(0, len(rows) - 1))
        width = max(len(row) for row in rows)
        c = draw(st.integers(0, max(width - 1, 0)))
        if kind == "cell":
            row = rows[r]
            row.extend([None] * (c + 1 - len(row)))
            row[c] = draw(cell())
        elif kind == "clear" and c < len(rows[r]):
            rows[r][c] = None
        elif kind == "drop_row":
            del rows[r]
        elif kind == "copy_row":
            rows.append(list(rows[r]))
        elif kind == "drop_column":
            for row in rows:
                if c < len(row):
                    del row[c]
        elif kind == "header" and c < len(rows[0]):
            rows[0][c] = draw(st.one_of(st.sampled_from(KEYS), st.sampled_from(ODD_TEXTS)))
    return out
