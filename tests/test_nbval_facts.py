"""nbval, through its public interface only, fails the cells whose facts changed.

The notebooks' stored reference outputs are the plain-text facts of `# NBVAL_CHECK_OUTPUT` cells
(and their HTML as the constant of notebooks/nbval-sanitize.cfg). Here the data is copied with
"nearly" changed to "almost" (both are upper bounds, so the data stays valid) and nbval runs the
report notebook on the copy: exactly the cells that state that figure must fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_nbval(notebook: Path, junit: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    env.pop("CHRONOLOGY_OUTPUTS", None)
    # -c: the project's own pytest configuration (it names the sanitize file), run from the project folder.
    cmd = [sys.executable, "-m", "pytest", "-q", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(notebook.parent), "--nbval-lax", "--noconftest",
           "-p", "no:cacheprovider", f"--junitxml={junit}", str(notebook)]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def outcomes(junit: Path) -> dict[str, bool]:
    """Cell name (e.g. 'Cell 4') -> passed."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        out[name.split("::")[-1]] = case.find("failure") is None and case.find("error") is None
    return out


@pytest.fixture(scope="module")
def changed_fact_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nearly-almost")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    statements = data / "statements.csv"
    text = statements.read_text(encoding="utf-8")
    assert text.count("nearly") >= 1
    statements.write_text(text.replace("nearly", "almost"), encoding="utf-8")
    nb = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += f"\nstatements_csv = {json.dumps(str(statements))}  # injected by the test\n"
    notebook = folder / "report.ipynb"
    nbformat.write(nb, notebook)
    junit = folder / "junit.xml"
    proc = run_nbval(notebook, junit)
    return nb, proc, outcomes(junit)


def test_a_changed_fact_fails_the_cells_that_state_it(changed_fact_run):
    nb, proc, result = changed_fact_run
    assert result, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == 1, proc.stdout[-3000:]
    failed = {name for name, ok in result.items() if not ok}
    # The checked cells whose stored facts quote the changed figure ("nearly 1,200") ...
    # (nbval numbers the code cells from 0.)
    stating = set()
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        if "NBVAL_CHECK_OUTPUT" in cell.source:
            text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
            if "nearly 1,200" in text:
                stating.add(f"Cell {i}")
    assert stating, "the stored facts no longer mention 'nearly 1,200': choose another fact for this test"
    # ... fail, and only they: the other cells (and every cell without a stored fact) still pass.
    assert failed == stating, f"failed: {sorted(failed)}; expected: {sorted(stating)}"
    assert "nearly 1,200" in proc.stdout and "almost 1,200" in proc.stdout  # nbval shows the changed text

