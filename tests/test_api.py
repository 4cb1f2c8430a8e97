"""The public surface: exactly the names in ``__all__``, each documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import matchmaker


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(matchmaker) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(matchmaker, name))}
    assert set(matchmaker.__all__) == (public - modules) | {"__version__"}

    def kind(name: str) -> tuple[int, str]:  # isort style: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(matchmaker.__all__) == sorted(matchmaker.__all__, key=kind)


def test_every_public_name_has_a_docstring() -> None:
    for name in matchmaker.__all__:
        obj = getattr(matchmaker, name)
        if isinstance(obj, (str, int)):
            continue
        assert inspect.getdoc(obj), f"{name} has no docstring"
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not callable(member):
                    continue
                assert inspect.getdoc(member), f"{name}.{attr} has no docstring"


def test_version_matches_metadata() -> None:
    from importlib.metadata import version

    assert matchmaker.__version__ == version("matchmaker")


def test_py_typed_marker_is_shipped() -> None:
    from pathlib import Path

    assert (Path(matchmaker.__file__).parent / "py.typed").exists()


def test_import_has_no_side_effects() -> None:
    import logging

    assert logging.getLogger("matchmaker").handlers == []


def test_every_public_error_is_in_the_one_tree() -> None:
    """Every exception the package exports derives from MatchmakerError and is drawn in errors.py's tree,
    and is defined there (one place for the whole tree)."""
    import matchmaker.errors as errors

    exported = [getattr(matchmaker, n) for n in matchmaker.__all__]
    found = [e for e in exported if isinstance(e, type) and issubclass(e, BaseException)]
    assert found
    for error in found:
        if issubclass(error, Warning):
            continue
        assert issubclass(error, matchmaker.MatchmakerError), error.__name__
        assert error.__module__ == "matchmaker.errors", error.__name__
        assert error.__name__ in (errors.__doc__ or ""), error.__name__


_MISSING = object()


def test_the_old_module_paths_still_import_with_a_deprecation_warning() -> None:
    """Every module path of 0.1 (MOVED) gives the module at its private home, with a warning; the public
    name ``matchmaker.solve`` stays the function whatever was imported."""
    import importlib
    import sys
    import warnings

    from matchmaker._moved import MOVED

    package = Path(matchmaker.__file__).parent
    private = {
        "matchmaker." + ".".join(p.relative_to(package).with_suffix("").parts).removesuffix(".__init__")
        for p in package.rglob("*.py")
    }
    assert set(MOVED.values()) <= private, set(MOVED.values()) - private
    originals: dict[tuple[str, str], object] = {}
    try:
        for old, new in sorted(MOVED.items()):
            parent_name, _, child = old.rpartition(".")
            with warnings.catch_warnings():  # an old parent path warns too; its own turn checks that
                warnings.simplefilter("ignore", DeprecationWarning)
                parent = importlib.import_module(parent_name)
            originals.setdefault((parent.__name__, child), parent.__dict__.get(child, _MISSING))
            sys.modules.pop(old, None)
            with pytest.warns(DeprecationWarning, match=re.escape(new)):
                module = importlib.import_module(old)
            assert module is importlib.import_module(new), old
    finally:  # an import binds the old name on its parent: leave the package as it was
        for old in MOVED:
            sys.modules.pop(old, None)
        for (parent_name, child), before in originals.items():
            if before is _MISSING:
                sys.modules[parent_name].__dict__.pop(child, None)
            else:
                setattr(sys.modules[parent_name], child, before)
    assert callable(matchmaker.solve)
    assert matchmaker.solve.__module__ == "matchmaker._pipeline"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("matchmaker.solve")


def test_pair_columns_is_exported_as_the_type_of_pair_weights_columns() -> None:
    """``PairWeights.columns`` returns a public type: a caller can name it in an annotation or ``isinstance``."""
    weights = matchmaker.PairWeights.from_arrays(["a", "b"], ["x", "y"], [3, 4])
    assert "PairColumns" in matchmaker.__all__
    assert isinstance(weights.columns, matchmaker.PairColumns)
    assert weights.columns.applicant == ("a", "b")
    assert weights.columns.weight == (3, 4)
