"""Translated text: the gettext catalogs under ``matchmaker/locale`` and the calls that read them.

Message ids are the English text itself (gettext's convention): English needs no catalog, and a
translator sees the sentence to translate. Placeholders are ``str.format`` fields by name
(``"{count} problems found"``). The Swedish catalog is
``src/matchmaker/locale/sv/LC_MESSAGES/matchmaker.po``; it is read as text (no compiled ``.mo``, no
dependency beyond the standard library), once per process, under a lock.

There is no global language: every call names its language, and the command line resolves it from
``--lang``, then ``MATCHMAKER_LANG``, then English. Code marks its text with:

* :func:`tr` / :func:`tr_n`: translate now (``tr_n`` picks the plural form for ``n``);
* :func:`msg` / :func:`msg_n`: a :class:`Message` to translate later, e.g. an error's issue, which
  prints in English with ``str()`` and in any language with :meth:`Message.text`.

``tests/test_i18n.py`` collects the literal first arguments of these four calls in ``src/`` and fails
if one is missing from the catalog, untranslated, fuzzy, or has other placeholders than its
translation, or if the catalog holds an id no longer used; ``python tests/i18n_catalog.py`` brings the
catalog up to date with the code for the translator.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, Protocol, get_args, runtime_checkable

__all__ = [
    "LANGS",
    "Catalog",
    "Lang",
    "Message",
    "Translatable",
    "Translator",
    "load_catalog",
    "msg",
    "msg_n",
    "parse_po",
    "tr",
    "tr_n",
    "translator",
]

#: A language of matchmaker's text: English or Swedish.
Lang = Literal["en", "sv"]
#: Every language, the source language first.
LANGS: tuple[Lang, ...] = get_args(Lang)

_DOMAIN = "matchmaker"


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's translations, as read from its ``.po`` file.

    Attributes:
        singular: msgid -> msgstr.
        plural: (msgid, msgid_plural) -> the msgstr forms, in the catalog's plural order.
        fuzzy: the msgids marked fuzzy (a translation to check; never used).
        plural_rule: the catalog's ``Plural-Forms`` as a function of ``n`` to a form index.
    """

    singular: Mapping[str, str]
    plural: Mapping[tuple[str, str], tuple[str, ...]]
    fuzzy: frozenset[str]
    plural_rule: Callable[[int], int]


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string")
    body = text[1:-1]
    out: list[str] = []
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(text: str, name: str = "catalog") -> Catalog:
    """Read a ``.po`` file's text: its entries, fuzzy flags and plural rule (obsolete ``#~`` entries skipped).

    Raises:
        ValueError: a line that is not ``.po`` syntax, named by its number in ``name``.
    """
    entries: list[dict[str, str]] = []
    flags: list[set[str]] = []
    current: dict[str, str] = {}
    current_flags: set[str] = set()
    key: str | None = None

    def finish() -> None:
        nonlocal current, current_flags
        if "msgid" in current:
            entries.append(current)
            flags.append(current_flags)
        current, current_flags = {}, set()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name} line {number}"
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if "msgid" in current:
                    finish()
                current_flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{where}: a continued string without a keyword")
            current[key] += _unquote(line, where)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid" and "msgid" in current:
            finish()
        if keyword not in {"msgctxt", "msgid", "msgid_plural", "msgstr"} and not keyword.startswith("msgstr["):
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
        key = keyword
        current[key] = _unquote(rest, where)
    finish()

    singular: dict[str, str] = {}
    plural: dict[tuple[str, str], tuple[str, ...]] = {}
    fuzzy: set[str] = set()
    header = ""
    for entry, entry_flags in zip(entries, flags, strict=True):
        msgid = entry["msgid"]
        if msgid == "":
            header = entry.get("msgstr", "")
            continue
        if "fuzzy" in entry_flags:
            fuzzy.add(msgid)
        if "msgid_plural" in entry:
            count = sum(1 for k in entry if k.startswith("msgstr["))
            plural[(msgid, entry["msgid_plural"])] = tuple(entry.get(f"msgstr[{i}]", "") for i in range(count))
        else:
            singular[msgid] = entry.get("msgstr", "")
    rule_text = "nplurals=2; plural=(n != 1);"
    for line in header.splitlines():
        if line.lower().startswith("plural-forms:"):
            rule_text = line.split(":", 1)[1]
    expression = rule_text.split("plural=", 1)[1].strip().rstrip(";")
    return Catalog(singular, plural, frozenset(fuzzy), gettext.c2py(expression))


_LOCK = threading.Lock()
_CATALOGS: dict[str, Catalog | None] = {}


def load_catalog(lang: Lang) -> Catalog | None:
    """The catalog of ``lang`` shipped with matchmaker (read once), or ``None`` for English (the source)."""
    with _LOCK:
        if lang not in _CATALOGS:
            if lang == "en":
                _CATALOGS[lang] = None
            else:
                po = resources.files("matchmaker").joinpath("locale", lang, "LC_MESSAGES", f"{_DOMAIN}.po")
                _CATALOGS[lang] = parse_po(po.read_text("utf-8"), f"locale/{lang}/LC_MESSAGES/{_DOMAIN}.po")
        return _CATALOGS[lang]


@dataclass(frozen=True, slots=True)
class Translator:
    """The text of one language: :meth:`gettext` and :meth:`ngettext` with ``str.format`` placeholders.

    A message the catalog lacks (or has empty or fuzzy) is shown in English; the tests keep the catalog
    complete.
    """

    lang: Lang
    catalog: Catalog | None

    def gettext(self, msgid: str, /, **params: object) -> str:
        """``msgid`` in this language, its placeholders filled from ``params``."""
        text = msgid
        if self.catalog is not None and msgid not in self.catalog.fuzzy:
            text = self.catalog.singular.get(msgid) or msgid
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """The form of ``singular``/``plural`` for ``n`` in this language; ``{n}`` and ``params`` filled in."""
        text = singular if n == 1 else plural
        if self.catalog is not None and singular not in self.catalog.fuzzy:
            forms = self.catalog.plural.get((singular, plural))
            if forms:
                index = self.catalog.plural_rule(n)
                if 0 <= index < len(forms) and forms[index]:
                    text = forms[index]
        return text.format(n=n, **params)


def translator(lang: Lang) -> Translator:
    """The :class:`Translator` of ``lang`` (``"en"`` or ``"sv"``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return Translator(lang, load_catalog(lang))


def tr(msgid: str, lang: Lang, /, **params: object) -> str:
    """``msgid`` (English source text) in ``lang``, with its ``{placeholders}`` filled from ``params``."""
    return translator(lang).gettext(msgid, **params)


def tr_n(singular: str, plural: str, n: int, lang: Lang, /, **params: object) -> str:
    """The singular or plural form for ``n`` in ``lang``; ``{n}`` is ``n``, other placeholders from ``params``."""
    return translator(lang).ngettext(singular, plural, n, **params)


@runtime_checkable
class Translatable(Protocol):
    """Anything that can say itself in a language (a :class:`Message`, a status): a parameter of this
    kind is translated along with the message it fills."""

    def text(self, lang: Lang = "en") -> str:
        """The text in ``lang``."""
        ...


@dataclass(frozen=True, slots=True)
class Message:
    """Text to translate when it is shown: a message id, its parameters, and a plural form if any.

    ``str(message)`` is the English text; :meth:`text` gives it in any language. Parameters that are
    :class:`Translatable` (another message, a status) are translated too.
    """

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    n: int = 1

    def text(self, lang: Lang = "en") -> str:
        """The message in ``lang``."""
        params = {k: v.text(lang) if isinstance(v, Translatable) else v for k, v in self.params.items()}
        if self.plural is not None:
            return tr_n(self.msgid, self.plural, self.n, lang, **params)
        return tr(self.msgid, lang, **params)

    def __str__(self) -> str:
        return self.text("en")


def msg(msgid: str, /, **params: object) -> Message:
    """A :class:`Message` of ``msgid`` with ``params``, translated when shown."""
    return Message(msgid, params)


def msg_n(singular: str, plural: str, n: int, /, **params: object) -> Message:
    """A plural :class:`Message`: ``singular`` or ``plural`` by ``n`` (``{n}`` in the text), translated when shown."""
    return Message(singular, params, plural, n)
