"""How coordinator-sv.xlsx was made: typed here as a coordinator types in a spreadsheet, then saved by LibreOffice.

The workbook is built with openpyxl the way a person fills one in (a merged title row above the header,
Swedish headers in their own spelling, ids typed as numbers, a zero-padded number format, stray spaces,
empty rows, one applicant's cell merged over their wish rows, a notes column, an instructions sheet) and
then opened and saved again by LibreOffice Calc (``soffice --headless --convert-to xlsx``), so the
committed file is a spreadsheet program's own output. Run from this folder; needs LibreOffice.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Läs mig"
    ws["A1"] = "Platser VT 2026. Fyll i bladen; ta inte bort rubrikraderna."

    ws = wb.create_sheet("Omgång")
    ws.append(["Namn", "Vikt intresse", "Vikt intervju", "Krav handledarutbildning", "Lottningsfrö"])
    ws.append(["VT 2026 ", 0.6, 0.4, "Pågår", 7])

    ws = wb.create_sheet("Kommuner")
    ws.append(["Id", "Namn", "Max platser"])
    ws.append(["sodertalje", "Södertälje kommun", 3])

    ws = wb.create_sheet("Enheter")
    ws["A1"] = "Enheter som tar emot studenter"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["ID", "Namn", "Kommun", "Område ", "Max platser", "Krav"])
    ws.append(["bou ", "Barn och ungdom", "sodertalje", "Barn och ungdom", 2, "körkort"])
    ws.append([])
    ws.append(["vux", "Vuxenenheten", "sodertalje", "Vuxen", 1, None])

    ws = wb.create_sheet("Handledare")
    ws.append(["id", "enhet", "kapacitet", "handledarutbildning", "# anteckning"])
    ws.append([1, "bou", 1, "Genomförd", "tar gärna studenter från SH"])
    ws.append([2, "bou", 1, "pågår", None])
    ws.append([3, "vux", 1, "genomförd", None])

    ws = wb.create_sheet("Sökande")
    ws.append(["Id", "Lärosäte", "Förtur", "Kvalifikationer"])
    for number, university, tier, quals in [
        (1, "Södertörns högskola", None, "körkort"),
        (2, "Stockholms universitet ", 1, None),
        (3, "Marie Cederschiölds högskola", None, "körkort; engelska"),
    ]:
        ws.append([number, university, tier, quals])
        ws.cell(ws.max_row, 1).number_format = "000"

    ws = wb.create_sheet("Önskemål")
    ws.append(["Sökande", "Typ", "Alternativ", "Rang"])
    rows = [
        ("001", "enhet", "bou", 1),
        (None, "enhet", "vux", 2),
        ("002", "enhet", "vux", 1),
        ("003", "område", "Barn och ungdom", 1),
        (None, "enhet", "vux", 2),
    ]
    for applicant, kind, option, rank in rows:
        ws.append([applicant, kind, option, rank])
    ws.merge_cells("A2:A3")
    ws.merge_cells("A5:A6")

    ws = wb.create_sheet("Jäv")
    ws.append(["Sökande", "Enhet", "Handledare"])
    ws.append(["002", None, "2"])
    wb.save(path)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "coordinator-sv.xlsx"
        build(src)
        out = Path(tmp) / "out"
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(src)],
            check=True,
            capture_output=True,
        )
        (HERE / "coordinator-sv.xlsx").write_bytes((out / "coordinator-sv.xlsx").read_bytes())


if __name__ == "__main__":
    main()
