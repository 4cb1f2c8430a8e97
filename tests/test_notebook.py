"""The example notebooks (examples/notebook.ipynb, examples/integrator.ipynb) run from top to bottom and
show what they say."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "notebook.ipynb"
INTEGRATOR = ROOT / "examples" / "integrator.ipynb"


def _run(path: Path, where: Path) -> tuple[list[Any], list[str], str]:
    """Execute the notebook at ``path`` in folder ``where``: its outputs, HTML outputs and printed text."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("pandas")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(where)}}
    )
    client.execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs if "data" in o and "text/html" in o.data]
    return outputs, html, "".join(o.get("text", "") for o in outputs)


@pytest.mark.slow
def test_the_example_notebook_runs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "sodertalje").mkdir()
    shutil.copy(ROOT / "examples" / "sodertalje" / "problem.json", tmp_path / "sodertalje" / "problem.json")
    outputs, html, text = _run(NOTEBOOK, tmp_path)
    assert any("matchmaker Problem" in h for h in html)  # Problem._repr_html_
    assert any("matchmaker Result" in h for h in html)  # Result._repr_html_
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plots
    assert "optimal" in text
    assert "report written" in text
    page = (tmp_path / "sodertalje-report.html").read_text("utf-8")
    assert "<h1>VT 2026</h1>" in page


@pytest.mark.slow
def test_the_integrator_notebook_runs(tmp_path: Path) -> None:
    # An integrator's path: pair scores as a DataFrame, applicant groups, a group-rate rule, the plan as a
    # DataFrame (issue 22). The notebook asserts the independent checker itself; here it must run to the
    # end, and its printed rates must keep the rule (every group at least 0.9 times the overall rate).
    shutil.copytree(ROOT / "examples" / "huddinge-nacka-tyreso", tmp_path / "huddinge-nacka-tyreso")
    outputs, html, text = _run(INTEGRATOR, tmp_path)
    assert any("matchmaker Result" in h for h in html)
    assert "the scores your system gave" in text
    rates = next(o.data["text/plain"] for o in outputs if "rate / overall" in o.get("data", {}).get("text/plain", ""))
    shares = [float(line.split()[-1]) for line in rates.splitlines()[2:]]
    assert len(shares) == 5
    assert min(shares) >= 0.9
