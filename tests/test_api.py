"""The public surface: exactly the names in ``__all__``, each documented."""

from __future__ import annotations

import inspect

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
