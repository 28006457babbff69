"""The render pipeline: check the inputs -> execute the notebook -> export the page -> write it atomically.

A render that fails leaves every earlier report as it was and no half-written file behind;
the failing notebook is kept in a temporary folder named in the message. The kernel is in
kernel.py, --vary batches in batch.py, reports/index.html in index.py, the command line in cli.py.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ChronologyError, InputError
from .fileio import atomic_write
from .index import META_NOTEBOOK, META_PARAMETERS, META_READABLE, readable_parameters, write_index
from .kernel import Kernel

NOTEBOOKS = {"report": paths.NOTEBOOKS_DIR / "report.ipynb", "handout": paths.NOTEBOOKS_DIR / "handout.ipynb"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


class RenderError(ChronologyError):
    """A render that could not finish: a failing cell, a dead kernel, a write error (exit 1)."""


class BadRenderInput(RenderError, InputError):
    """A render refused before it ran: a bad notebook, name, parameter or data (exit 2)."""


@dataclass
class Progress:
    """Progress lines on a terminal; silent in CI or when asked."""

    label: str
    enabled: bool
    started: float = field(default_factory=time.monotonic)

    def step(self, text: str) -> None:
        if self.enabled:
            print(f"[{self.label}] {text} ({time.monotonic() - self.started:.1f}s)", file=sys.stderr, flush=True)


def resolve_notebook(name: str) -> Path:
    if name in NOTEBOOKS:
        return NOTEBOOKS[name]
    path = Path(name)
    if path.suffix == ".ipynb" and path.exists():
        return path.resolve()
    raise BadRenderInput(f"--notebook: {name!r}: expected one of {', '.join(NOTEBOOKS)} or the path of a notebook")


def declared_parameters(notebook: Path) -> dict:
    """The notebook's parameters cell as papermill reads it: name -> default text."""
    from papermill import inspect_notebook

    return {name: p["default"] for name, p in inspect_notebook(str(notebook)).items()}


def safe_output_path(out_dir: Path, name: str) -> Path:
    """A report name cannot climb out of the output folder."""
    if not SAFE_NAME.match(name) or name in (".", "..") or name.lower() == "index":
        raise BadRenderInput(f"--name: {name!r}: expected a plain file name (letters, digits, '-', '_', '.'), not a path, and not 'index'")
    target = (out_dir / f"{name}.html").resolve()
    if target.parent != out_dir.resolve():
        raise BadRenderInput(f"--name: {name!r}: the report must be written inside {out_dir}")
    return target


def check_inputs(notebook: Path, parameters: dict):
    """Parameters and data, checked before any kernel runs a cell."""
    from .cache import load_dataset_cached
    from .load import DataError
    from .params import ParameterError, check

    declared = declared_parameters(notebook)
    try:
        p = check(parameters, declared=declared)
    except ParameterError as err:
        raise BadRenderInput(str(err)) from None
    try:
        data = load_dataset_cached(p.statements_path)
    except DataError as err:
        raise BadRenderInput(err.message()) from None
    try:
        check(parameters, declared=declared, known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]))
    except ParameterError as err:
        raise BadRenderInput(str(err)) from None
    return p



def execute(notebook: Path, parameters: dict, *, kernel: Kernel, timeout: int, failed_dir: Path, assets: tuple[Path, str] | None = None, drawer: ChartDrawer | None = None):
    """Run the notebook with papermill's parameters in the warm kernel; a failing cell becomes one message."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(notebook))
    nb = parameterize_notebook(nb, parameters, report_mode=False) if parameters else nb
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id; pages must not change
    if assets is not None:
        # Files too large for the page (the data download) are written where the driver collects them.
        setup = nbformat.v4.new_code_cell(f"import chronology.report\nchronology.report.set_assets({str(assets[0])!r}, {assets[1]!r})")
        setup.id = "chronology-setup"
        setup.metadata["tags"] = ["chronology-setup"]
        nb.cells.insert(0, setup)
    client = NotebookClient(nb, km=kernel.ready(), timeout=timeout, allow_errors=False, record_timing=False, resources={"metadata": {"path": str(notebook.parent)}})
    if drawer is not None:
        client.on_cell_executed = drawer.on_cell_executed
    kept = failed_dir / f"{notebook.stem}-failed.ipynb"
    try:
        client.execute()
    except CellExecutionError as err:
        index, source = _failed_cell(nb)
        _keep(nb, kept)
        raise RenderError(
            f"{notebook.name}: cell {index} ({source}) failed: {err.ename}: {_strip_ansi(err.evalue)}\nThe failed notebook is kept for debugging: {kept}",
        ) from None
    except CellTimeoutError:
        index, source = _running_cell(nb)
        _keep(nb, kept)
        raise RenderError(f"{notebook.name}: cell {index} ({source}) ran for more than {timeout} s and was stopped (--timeout to allow longer)\nThe notebook as far as it ran: {kept}") from None
    except DeadKernelError as err:
        _keep(nb, kept)
        log = kernel.log_tail()
        raise RenderError(f"{notebook.name}: the kernel died (out of memory?): {_strip_ansi(str(err))}" + (f"\nkernel log:\n{log}" if log else "") + f"\nThe notebook as far as it ran: {kept}") from None
    return nb


def _keep(nb, path: Path) -> None:
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def _failed_cell(nb) -> tuple[int, str]:
    for i, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i, _summary(cell.source)
    return -1, "?"


def _running_cell(nb) -> tuple[int, str]:
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    last = [(i, c) for i, c in code if c.get("outputs") or c.get("execution_count")]
    i, cell = (last[-1] if last else code[0])
    nxt = next(((j, c) for j, c in code if j > i and not c.get("execution_count")), (i, cell))
    return nxt[0], _summary(nxt[1].source)


def _summary(source: str) -> str:
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.startswith("#")]
    text = lines[-1] if lines else ""
    return text if len(text) < 70 else text[:67] + "..."


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text or "")



def render(
    notebook: str | Path = "report",
    parameters: dict | None = None,
    *,
    out_dir: Path | None = None,
    name: str | None = None,
    timeout: int = 600,
    quiet: bool | None = None,
    kernel: Kernel | None = None,
) -> Path:
    """Render one notebook to OUT/NAME.html and refresh OUT/index.html; return the report's path."""
    parameters = dict(parameters or {})
    nb_path = resolve_notebook(str(notebook))
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    name = name or nb_path.stem
    target = safe_output_path(out_dir, name)
    if quiet is None:
        quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    progress = Progress(name, not quiet)
    own_kernel = kernel is None
    if own_kernel:
        kernel = Kernel(nb_path.parent)  # starts now, while the inputs are checked
    assets = Path(tempfile.mkdtemp(prefix="chronology-assets-"))
    drawer = ChartDrawer()
    try:
        progress.step("checking parameters and data")
        p = check_inputs(nb_path, parameters)
        if p.statements_csv:
            parameters["statements_csv"] = str(Path(p.statements_csv).resolve())
        progress.step(f"running {nb_path.name}")
        nb = execute(nb_path, parameters, kernel=kernel, timeout=timeout, failed_dir=Path(tempfile.gettempdir()) / "chronology-failed", assets=(assets, f"{target.stem}_files"), drawer=drawer)
        progress.step("writing HTML")
        return _write(nb, nb_path, parameters, out_dir, target, progress, assets, drawer)
    finally:
        drawer.close()
        if own_kernel:
            kernel.shutdown()
        shutil.rmtree(assets, ignore_errors=True)


def _write(nb, nb_path: Path, parameters: dict, out_dir: Path, target: Path, progress: Progress, assets: Path | None = None, drawer: ChartDrawer | None = None) -> Path:
    from .page import export_html

    title = _page_title(nb) or target.stem
    meta = {META_PARAMETERS: json.dumps(parameters, sort_keys=True, default=str), META_NOTEBOOK: nb_path.name,
            META_READABLE: json.dumps(readable_parameters(parameters), default=str)}
    body = export_html(nb, title=title, meta=meta)
    charts = drawer.charts() if drawer is not None else {}
    try:
        atomic_write(target, body)
        _replace_files(target.with_name(f"{target.stem}_files"), charts, assets)
        write_index(out_dir)
    except OSError as err:
        raise RenderError(f"cannot write {target}: {err.strerror or err}; the earlier report is unchanged") from None
    progress.step(f"wrote {target} ({len(body.encode()) / 1e6:.2f} MB)")
    return target


class ChartDrawer:
    """Static SVG copies of the charts (for slides), drawn on a thread while the notebook still runs.

    vl-convert releases the GIL, so drawing overlaps the kernel's work and the export.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="svg")
        self.futures: list = []

    @staticmethod
    def _draw(spec: dict) -> bytes:
        import vl_convert

        return vl_convert.vegalite_to_svg(spec).encode("utf-8")

    def on_cell_executed(self, cell=None, **_) -> None:
        for out in cell.get("outputs", []) if cell is not None else []:
            spec = next((v for k, v in out.get("data", {}).items() if k.startswith("application/vnd.vegalite")), None)
            if spec is not None:
                self.futures.append(self.pool.submit(self._draw, spec))

    def charts(self) -> dict[str, bytes]:
        out = {}
        for n, future in enumerate(self.futures, 1):
            try:
                out[f"chart-{n}.svg"] = future.result()
            except Exception:  # the page matters more than its slide copies
                continue
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _replace_files(folder: Path, charts: dict[str, bytes], assets: Path | None = None) -> None:
    """Swap in the page's folder (SVG copies, large downloads) whole: old files never mix with new ones."""
    extra = sorted(assets.iterdir()) if assets is not None and assets.is_dir() else []
    if not charts and not extra and not folder.exists():
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in charts.items():
            (staging / name).write_bytes(data)
        for path in extra:
            shutil.move(str(path), staging / path.name)
        os.chmod(staging, 0o755)
        old = folder.with_name(f".{folder.name}.old")
        if folder.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise



def _page_title(nb) -> str:
    """The first <h1> the notebook printed."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            m = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
            if m:
                return html_lib.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
    return ""
