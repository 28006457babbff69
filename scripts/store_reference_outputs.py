"""Store the reference outputs nbval checks: the plain-text facts of `# NBVAL_CHECK_OUTPUT` cells.

Run after a deliberate change of the data or of the report's logic (`make notebook-references`);
every other output is stripped so the notebooks stay reviewable in a diff. nbval compares every
mime type of an output, so a section's HTML is stored too, as the constant that
notebooks/nbval-sanitize.cfg turns every section's HTML into (the same file nbval is given).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "NBVAL_CHECK_OUTPUT"
SANITIZE = Path(__file__).resolve().parents[1] / "notebooks" / "nbval-sanitize.cfg"
KEPT = ("text/plain", "text/html")


def sanitize_patterns(path: Path = SANITIZE) -> list[tuple[str, str]]:
    """The regex/replace pairs of an nbval sanitize file (its documented format)."""
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)


def sanitize(text: str, patterns: list[tuple[str, str]]) -> str:
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def store(path: Path) -> None:
    patterns = sanitize_patterns()
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
                data = {k: sanitize(out["data"][k], patterns) for k in KEPT if k in out["data"]}
                kept.append(nbformat.v4.new_output("execute_result", data=data, execution_count=count))
            elif out.output_type == "stream" and out.name == "stdout":
                kept.append(out)
        cell.outputs = kept
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)
    print(f"stored reference outputs in {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:] or sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        store(Path(arg))
