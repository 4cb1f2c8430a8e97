"""Write the report screenshots of the docs (docs/assets/report*.png) from the bundled joint example.

Not a test: run ``python tests/make_screenshots.py`` after a change to the report's look (it needs
Chromium, as the report's browser test does). The top of the report in English and Swedish, and the
approval block of a plan approved with one override and signed, in both languages.
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

import matchmaker as mm
from browser import Browser, find_chromium
from matchmaker._i18n import Lang
from matchmaker.report._approval import approval_from_record
from matchmaker.report._html import html_report
from matchmaker.review._audit import approve
from matchmaker.review._overrides import Override, apply_overrides

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "docs" / "assets"
WIDTH, TOP = 1100, 1250


def _shot(browser: Browser, page: Path, out: Path, section: str | None) -> None:
    browser.open(page)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": TOP, "deviceScaleFactor": 1, "mobile": False},
        session=True,
    )
    if section is None:
        clip: dict[str, float] = {"x": 0, "y": 0, "width": WIDTH, "height": TOP, "scale": 1}
    else:
        box = browser.evaluate(
            f"(() => {{ const r = document.getElementById('{section}').getBoundingClientRect();"
            " return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]; })()"
        )
        _x, y, _w, h = (float(v) for v in box)
        clip = {"x": 0, "y": max(0.0, y - 16), "width": WIDTH, "height": h + 32, "scale": 1}
    shot = browser.send(
        "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session=True
    )
    out.write_bytes(base64.b64decode(shot["data"]))
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")


def main() -> int:
    """Write the four screenshots; 1 if there is no Chromium."""
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium: install chromium", file=sys.stderr)
        return 1
    problem = mm.load_problem(ROOT / "examples" / "huddinge-nacka-tyreso" / "problem.json")
    result = mm.solve(problem)
    moved = next(a for a in result.assignments if a.municipality != "tyreso")
    override = Override(
        action="pin", applicant=moved.applicant, unit="tyreso-bou", reason="närhet till hemmet", official="tp-2"
    )
    key, public = mm.generate_keypair()
    record = approve(
        problem, result, "tp-1", role="enhetschef", approved_at="2026-12-06", overrides=(override,), signing_key=key
    )
    approved = result.model_copy(update={"decision": record.decision})
    approval = approval_from_record(record, approved, public_key=public)
    round_of_approval = apply_overrides(problem, (override,))
    with tempfile.TemporaryDirectory() as tmp, Browser(chromium, width=WIDTH, height=TOP) as browser:
        languages: tuple[tuple[Lang, str], ...] = (("en", ""), ("sv", "-sv"))
        for lang, suffix in languages:
            page = Path(tmp) / f"report-{lang}.html"
            page.write_text(html_report(result, problem, lang=lang), "utf-8")
            _shot(browser, page, ASSETS / f"report{suffix}.png", None)
            page = Path(tmp) / f"approved-{lang}.html"
            page.write_text(html_report(approved, round_of_approval, lang=lang, approval=approval), "utf-8")
            _shot(browser, page, ASSETS / f"report-approval{suffix}.png", "approval")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
