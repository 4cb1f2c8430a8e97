"""Small text helpers shared by validation and the readers: id normalisation and suggestions."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

__all__ = ["fold_field_name", "norm_key", "plural", "suggest"]


def norm_key(text: str) -> str:
    """The key under which two ids or names count as the same.

    Unicode NFKC, case folded, runs of whitespace collapsed to one space and stripped: ``"BoU "``,
    ``"bou"`` and ``"ＢｏＵ"`` share one key.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold_field_name(name: str) -> str:
    """A field or column name folded for comparison: no accents, lower case, ``_`` between words.

    ``"Kön"`` -> ``"kon"``, ``"Mother tongue"`` -> ``"mother_tongue"``.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_only).split()
    return "_".join(words)


def suggest(value: str, known: Iterable[str]) -> str | None:
    """The known id that ``value`` most likely meant, or ``None``."""
    known_list = list(known)
    by_key = {norm_key(k): k for k in known_list}
    hit = by_key.get(norm_key(value))
    if hit is not None:
        return hit
    close = difflib.get_close_matches(value, known_list, n=1, cutoff=0.8)
    return close[0] if close else None


def plural(n: int, word: str, words: str | None = None) -> str:
    """``plural(1, "place") == "1 place"``, ``plural(2, "place") == "2 places"``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"
