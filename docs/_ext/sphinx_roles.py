"""A griffe extension for the API reference: Sphinx roles in docstrings become cross-references.

matchmaker's docstrings use Google sections with Sphinx roles (``:class:`~matchmaker.Result```,
``:func:`check```, ``:meth:`cancel```) and ``::`` before literal blocks, which read well in the source
and in ``help()``. mkdocstrings renders Markdown, where a role would show as raw text. This extension
rewrites each role into an *optional* autorefs link: it points at the object's reference entry when
that object is documented on the site, and stays plain code text when it is not (private modules are
not part of the site). Links written in the Markdown pages themselves stay strict: a broken one fails
``mkdocs build --strict``.

Loaded by ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

__all__ = ["SphinxRoles", "rewrite"]

#: ``:class:`~pkg.Name```, ``:func:`name```, ``:meth:`Class.method``` and the other Python roles.
_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")
#: A paragraph that ends with ``::`` introduces a literal block in reStructuredText.
_LITERAL_INTRO = re.compile(r"(?<=\S)::$", flags=re.MULTILINE)


def _resolve(obj: griffe.Object, target: str) -> str:
    """The full dotted path of ``target`` as seen from ``obj``'s scope, or ``target`` unchanged."""
    if target.startswith("matchmaker."):
        return target
    head, _, rest = target.partition(".")
    try:
        path = obj.resolve(head)
    except griffe.NameResolutionError:
        return target
    return f"{path}.{rest}" if rest else path


def rewrite(obj: griffe.Object, text: str) -> str:
    """``text`` with every role replaced by an optional autorefs link (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        call = "()" if target.endswith("()") else ""
        target = target.removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
        identifier = html.escape(_resolve(obj, target), quote=True)
        return f'<autoref identifier="{identifier}" optional><code>{html.escape(shown + call)}</code></autoref>'

    return _LITERAL_INTRO.sub(":", _ROLE.sub(replace, text))


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            found.extend(_walk(member))
    return found


class SphinxRoles(griffe.Extension):
    """Rewrite the docstrings of a whole package once it is loaded.

    Also drops private pydantic validators (``_cross_record_rules``) from the "Validators" lists that
    griffe-pydantic renders: they are implementation details, and their rules are in the docstrings.
    """

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite every docstring of ``pkg`` and its members."""
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = rewrite(obj, obj.docstring.value)
            if obj.name.startswith("_"):
                obj.labels.discard("pydantic-validator")
