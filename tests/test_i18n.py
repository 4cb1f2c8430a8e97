"""The catalogs: every message id the code uses is translated, and the machinery reads and fills them right."""

from __future__ import annotations

import re
import string
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from i18n_catalog import PO, collect_uses, render_catalog
from matchmaker._i18n import LANGS, Message, load_catalog, msg, msg_n, parse_po, tr, tr_n, translator
from matchmaker._progress import ProgressEvent
from matchmaker._result import Status
from matchmaker.errors import InputError, ValidationIssue


def _fields(text: str) -> set[str]:
    parsed = string.Formatter().parse(text)
    return {f"{name}!{conv}" if conv else name for _, name, _, conv in parsed if name is not None}


def test_every_translation_call_has_a_literal_id() -> None:
    dynamic = [f"{u.path}:{u.line}" for u in collect_uses() if u.msgid is None]
    assert not dynamic, f"a message id must be a string literal (the scan reads it): {dynamic}"


def test_the_swedish_catalog_translates_every_id_in_use_and_nothing_else() -> None:
    catalog = parse_po(PO.read_text("utf-8"), PO.name)
    used = {(u.msgid, u.plural) for u in collect_uses() if u.msgid is not None}
    problems: list[str] = []
    for msgid, plural in sorted(used, key=str):
        if plural is None:
            text = catalog.singular.get(msgid)
            forms: tuple[str, ...] = () if text is None else (text,)
            wanted = _fields(msgid)
        else:
            forms = catalog.plural.get((msgid, plural), ())
            wanted = _fields(msgid) | _fields(plural)
        if not forms:
            problems.append(f"missing: {msgid!r}")
            continue
        if not all(forms):
            problems.append(f"untranslated: {msgid!r}")
        if msgid in catalog.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        for form in forms:
            # A plural form may leave out {n} (as English "one" could), but never invent a placeholder.
            got = _fields(form)
            if got - wanted or (plural is None and got != wanted):
                problems.append(f"placeholders differ: {msgid!r} has {sorted(wanted)}, {form!r} has {sorted(got)}")
    stale = {(k, None) for k in catalog.singular} | set(catalog.plural)
    problems += [f"no longer used: {k[0]!r}" for k in sorted(stale - used, key=str)]
    assert not problems, "\n".join(problems)


def test_the_catalog_is_read_correctly() -> None:
    po = r"""
msgid ""
msgstr ""
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: somewhere.py:1
msgid "a \"quoted\" "
"line"
msgstr "en \"citerad\" rad\n"

#, fuzzy
msgid "to check"
msgstr "att kolla"

msgid "{n} apple"
msgid_plural "{n} apples"
msgstr[0] "{n} äpple"
msgstr[1] "{n} äpplen"
"""
    catalog = parse_po(po)
    assert catalog.singular == {'a "quoted" line': 'en "citerad" rad\n', "to check": "att kolla"}
    assert catalog.fuzzy == {"to check"}
    assert catalog.plural == {("{n} apple", "{n} apples"): ("{n} äpple", "{n} äpplen")}
    assert [catalog.plural_rule(n) for n in (0, 1, 2)] == [1, 0, 1]
    with pytest.raises(ValueError, match="line 2"):
        parse_po('msgid "x"\nbogus "y"\n', "x.po")


def test_swedish_text_comes_from_the_catalog_and_english_is_the_id() -> None:
    assert tr("error: {message}", "en", message="x") == "error: x"
    assert tr("error: {message}", "sv", message="x") == "fel: x"
    assert tr_n("{n} unit", "{n} units", 1, "sv") == "1 enhet"
    assert tr_n("{n} unit", "{n} units", 2, "sv") == "2 enheter"
    assert tr_n("{n} unit", "{n} units", 0, "en") == "0 units"
    # An id the catalog lacks falls back to English rather than failing at run time.
    assert tr("not in any catalog {x}", "sv", x=1) == "not in any catalog 1"
    with pytest.raises(ValueError, match="unknown language"):
        translator("de")  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**6))
def test_plural_forms_follow_n(n: int) -> None:
    english = tr_n("{n} municipality", "{n} municipalities", n, "en")
    swedish = tr_n("{n} municipality", "{n} municipalities", n, "sv")
    assert english == (f"{n} municipality" if n == 1 else f"{n} municipalities")
    assert swedish == (f"{n} kommun" if n == 1 else f"{n} kommuner")


def test_a_message_is_english_as_a_string_and_any_language_as_text() -> None:
    m = msg("not applicants of the problem: {ids}", ids="A1")
    assert str(m) == "not applicants of the problem: A1"
    assert m.text("sv") == "inte sökande i problemet: A1"
    nested = msg("error: {message}", message=m)
    assert nested.text("sv") == "fel: inte sökande i problemet: A1"
    assert msg_n("{n} place", "{n} places", 3).text("sv") == "3 platser"
    assert isinstance(m, Message)


def test_an_input_error_keeps_its_issues_translatable() -> None:
    issue = ValidationIssue.of("units['U1']", msg("not applicants of the problem: {ids}", ids="A1"), msg("unit full"))
    err = InputError([issue, issue], source="p.json")
    assert str(err).startswith("2 problems found in p.json:")
    assert "Fix: unit full" in str(err)
    sv = err.text("sv")
    assert sv.startswith("2 problem hittades i p.json:")
    assert "units['U1']: inte sökande i problemet: A1. Åtgärd: enheten full" in sv
    # An issue without message ids (e.g. one of pydantic's own texts) keeps its English words.
    plain = InputError([ValidationIssue("x", "odd", "fix it")])
    assert plain.text("sv") == "1 problem hittades:\n  - x: odd. Åtgärd: fix it"


def test_catalogs_load_once_and_safely_from_many_threads() -> None:
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        seen.append(load_catalog("sv"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1
    assert seen[0] is not None
    assert load_catalog("en") is None
    assert set(LANGS) == {"en", "sv"}


def test_the_catalog_ships_with_the_package() -> None:
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
    assert re.search(r'"locale/\*/LC_MESSAGES/\*\.po"', pyproject)


def test_progress_lines_and_statuses_speak_the_language_asked_for() -> None:
    event = ProgressEvent("solution", 4.25, stage=3, stages=5, levels=("total_fit",), objective=8392, bound=8457)
    assert event.text() == "4.2 s  stage 3/5 total_fit  best 8 392  bound 8 457  gap 0.77%"
    assert event.text("sv") == "4.2 s  steg 3/5 total_fit  bästa 8 392  gräns 8 457  lucka 0.77%"
    assert [s.text("sv") for s in Status] == ["optimal", "genomförbar", "ogenomförbar", "okänd"]
    assert [s.text() for s in Status] == [s.value for s in Status]


def test_the_catalog_is_up_to_date_with_the_code() -> None:
    # Entries in the order of first use, each with the files that use it: what the tool writes.
    text = PO.read_text("utf-8")
    assert render_catalog(collect_uses(), parse_po(text)) == text, "run `python tests/i18n_catalog.py`"


def test_the_tool_keeps_translations_and_marks_new_ids() -> None:
    text = PO.read_text("utf-8")
    old = parse_po(text)
    uses = collect_uses()
    extra = type(uses[0])("a new message {x}", None, "matchmaker/new.py", 1)
    rendered = parse_po(render_catalog([*uses, extra], old))
    assert rendered.singular["a new message {x}"] == ""
    assert {k: v for k, v in rendered.singular.items() if k != "a new message {x}"} == old.singular
    assert rendered.plural == old.plural
