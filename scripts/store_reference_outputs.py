"""Store the reference outputs nbval checks: plain text of `# NBVAL_CHECK_OUTPUT` cells only.

Run after a deliberate change of the data or of the report's logic (`make notebook-references`);
every other output is stripped so the notebooks stay reviewable in a diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "NBVAL_CHECK_OUTPUT"


def store(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}, timeout=600).execute()
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        # nbval refuses a reference output on a cell without an execution count.
        cell.execution_count = count if MARK in cell.source else None
        cell.metadata.pop("execution", None)
        if MARK not in cell.source:
            cell.outputs = []
            continue
        kept = []
        for out in cell.outputs:
            if out.output_type in ("execute_result", "display_data") and "text/plain" in out.get("data", {}):
                kept.append(nbformat.v4.new_output("execute_result", data={"text/plain": out["data"]["text/plain"]}, execution_count=count))
            elif out.output_type == "stream" and out.name == "stdout":
                kept.append(out)
        cell.outputs = kept
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)
    print(f"stored reference outputs in {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:] or sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        store(Path(arg))
