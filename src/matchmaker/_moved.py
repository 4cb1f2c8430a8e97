"""Deprecated import paths: the modules of 0.1 that moved to private names in 0.2, still importable.

Importing an old path (``matchmaker.models``, ``matchmaker.review.audit``, ...) gives the module at
its new place and a :class:`DeprecationWarning`; the old paths go in 0.3. Import the public names from
``matchmaker`` (or ``matchmaker.io``, ``matchmaker.report``, ``matchmaker.review``,
``matchmaker.explanations``) instead. ``matchmaker.solve`` is not aliased (that name is the function),
nor are the modules split or moved in 0.2 (``matchmaker.cli.commands``, ``matchmaker.io.convert``,
``matchmaker.explanations.render``, ``matchmaker.review.render``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

__all__ = ["MOVED", "install"]

_ROOT_MODULES = [
    "blocking",
    "build",
    "canonical",
    "decode",
    "lexicographic",
    "limits",
    "linear",
    "lottery",
    "metrics",
    "models",
    "options",
    "pipeline",
    "popular",
    "progress",
    "repair",
    "result",
    "rounds",
    "rules",
    "scenarios",
    "timeline",
]
_PACKAGES: dict[str, tuple[str, ...]] = {
    "checks": ("checker", "levels", "report", "stability", "truth"),
    "cli": ("common", "console", "interrupt", "review"),
    "engines": ("auto", "base", "cpsat", "deferred_acceptance", "flow", "lp", "parametric"),
    "pieces": ("balance", "change", "constraints", "links", "load", "objectives", "soft", "stability"),
    "scoring": ("acceptable", "arrays", "encoding", "scores", "values", "wishes"),
    "validation": ("applicants", "capacity", "collector", "dates", "places"),
}
_PUBLIC_PACKAGES: dict[str, tuple[str, ...]] = {
    "explanations": ("alternates", "applicant", "diagnose", "infeasible", "types"),
    "io": (
        *("audit", "csv", "excel", "files", "formats", "frames", "json", "keys", "migrate", "overrides"),
        *("plans", "pseudonym", "scenarios", "sheet", "tables", "template"),
    ),
    "report": ("approval", "charts", "content", "frame", "html", "pdf", "plots", "text"),
    "review": ("audit", "evaluate", "overrides", "plan", "signing", "verify"),
}

#: Old module path -> its private home since 0.2.
MOVED: dict[str, str] = {
    **{f"matchmaker.{m}": f"matchmaker._{m}" for m in _ROOT_MODULES},
    **{f"matchmaker.{p}": f"matchmaker._{p}" for p in _PACKAGES},
    **{f"matchmaker.{p}.{m}": f"matchmaker._{p}.{m}" for p, ms in _PACKAGES.items() for m in ms},
    **{f"matchmaker.{p}.{m}": f"matchmaker.{p}._{m}" for p, ms in _PUBLIC_PACKAGES.items() for m in ms},
}


class _AliasLoader(importlib.abc.Loader):
    """Hands out the already imported module at its new path."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self._module

    def exec_module(self, module: ModuleType) -> None:
        # The module ran at its new path already; importing it again would make a second copy.
        return None


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old paths of :data:`MOVED`, warns, and returns the module at its new path."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        warnings.warn(
            f"{fullname} is deprecated and goes in matchmaker 0.3: it is now the private module {new}; "
            "import the public names from matchmaker instead",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(new)
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))
        if hasattr(module, "__path__"):
            spec.submodule_search_locations = list(module.__path__)
        return spec


_FINDER = _MovedFinder()


def install() -> None:
    """Put the finder on ``sys.meta_path`` once (called by ``import matchmaker``)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
