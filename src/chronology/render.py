"""The render pipeline: check the inputs -> execute the notebook -> export the page -> write it atomically.

A render that fails leaves every earlier report as it was and no half-written file behind;
the failing notebook is kept in a temporary folder named in the message. The kernel is in
kernel.py, --vary batches in batch.py, reports/index.html in index.py, the command line in cli.py.
"""

from __future__ import annotations

import errno
import html as html_lib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import InputError
from .fileio import atomic_write
from .index import META_NOTEBOOK, META_PARAMETERS, META_READABLE, readable_parameters, write_index
from .inputs import (  # noqa: F401  (the pipeline's checks, also reached as render.*)
    MAX_NOTEBOOK_BYTES,
    NOTEBOOKS,
    SAFE_NAME,
    BadRenderInput,
    RenderError,
    _not_a_notebook,
    check_data_path,
    check_inputs,
    check_parameters,
    check_render,
    declared_parameters,
    gather_parameters,
    inspect,
    parameter_types,
    read_notebook,
    resolve_notebook,
    safe_output_path,
)
from .kernel import Kernel
from .svg_copies import ChartDrawer


@dataclass
class Progress:
    """Progress lines on a terminal; silent in CI or when asked."""

    label: str
    enabled: bool
    started: float = field(default_factory=time.monotonic)

    def step(self, text: str) -> None:
        if self.enabled:
            print(f"[{self.label}] {text} ({time.monotonic() - self.started:.1f}s)", file=sys.stderr, flush=True)


def execute(notebook: Path, parameters: dict, *, kernel: Kernel, timeout: int, failed_dir: Path | None = None, assets: tuple[Path, str] | None = None, drawer: ChartDrawer | None = None):
    """Run the notebook with papermill's parameters in the warm kernel; a failing cell becomes one message."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.parameterize import parameterize_notebook

    from .params import plain_problem

    for key, value in parameters.items():  # defence in depth: papermill writes str() of anything else unescaped
        why = plain_problem(value)
        if why or not isinstance(key, str) or not key.isidentifier():
            raise BadRenderInput(f"{key}: {why or 'expected a parameter name'}")
    nb = _papermill_node(notebook)
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
    cli = sys.modules.get("chronology.cli")
    handling = bool(getattr(cli, "HANDLING_SIGNALS", False))
    if handling:
        client.on_notebook_start = lambda **_: _record_signals(client, cli)
    try:
        client.execute()
    except CellExecutionError as err:
        _interrupted_meanwhile()
        index, source = _failed_cell(nb)
        ename, evalue = _cell_error(nb, err)
        kept = _keep(nb, notebook, failed_dir)
        raise RenderError(
            f"{notebook.name}: cell {index} ({source}) failed: {ename}: {_strip_ansi(evalue)}\nThe failed notebook is kept for debugging: {kept}",
        ) from None
    except CellTimeoutError:
        _interrupted_meanwhile()
        index, source = _running_cell(nb)
        kept = _keep(nb, notebook, failed_dir)
        raise RenderError(f"{notebook.name}: cell {index} ({source}) ran for more than {timeout} s and was stopped (--timeout to allow longer)\nThe notebook as far as it ran: {kept}") from None
    except DeadKernelError as err:
        _interrupted_meanwhile()
        kept = _keep(nb, notebook, failed_dir)
        log = kernel.log_tail()
        raise RenderError(f"{notebook.name}: the kernel died (out of memory?): {_strip_ansi(str(err))}" + (f"\nkernel log:\n{log}" if log else "") + f"\nThe notebook as far as it ran: {kept}") from None
    finally:
        if handling:
            cli._install_signal_handlers()  # nbclient put the default handlers back when it finished
    _interrupted_meanwhile()
    return nb


def _record_signals(client, cli) -> None:
    """nbclient answers SIGINT/SIGTERM by shutting the kernel down (then 'the kernel died'): do that too,
    but note the signal first, so that the render stops as 'interrupted' (exit 130/143)."""
    import asyncio
    import signal

    loop = asyncio.get_event_loop()

    def on_signal(signum: int) -> None:
        if cli.PENDING_SIGNAL is not None:
            os._exit(128 + signum)
        cli.PENDING_SIGNAL = signum
        client._async_cleanup_kernel_future = asyncio.ensure_future(client._async_cleanup_kernel())

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (RuntimeError, ValueError, NotImplementedError):
            pass


def _papermill_node(notebook: Path):
    """The notebook read with our reader (regular file, size limit), then given papermill's metadata as load_notebook_node does."""
    import nbformat
    from papermill import __version__

    nb = read_notebook(notebook)
    upgraded = nbformat.v4.upgrade(nb)
    if upgraded is not None:
        nb = upgraded
    if not hasattr(nb.metadata, "papermill"):
        nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {}, "environment_variables": {}, "version": __version__}
    for cell in nb.cells:
        if not hasattr(cell.metadata, "tags"):
            cell.metadata["tags"] = []
        if not hasattr(cell.metadata, "papermill"):
            cell.metadata["papermill"] = {}
    return nb


def _interrupted_meanwhile() -> None:
    """A signal that arrived while nbclient waited (the kernel stopped by it) is the real reason: say so."""
    from .errors import Interrupted

    pending = getattr(sys.modules.get("chronology.cli"), "PENDING_SIGNAL", None)
    if pending:
        raise Interrupted(pending)


def _cell_error(nb, err) -> tuple[str, str]:
    """The failed cell's exception: from its error output (a display formatter that raised leaves err.ename None)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename"):
                return str(out.get("ename")), str(out.get("evalue") or "")
    if getattr(err, "ename", None):
        return str(err.ename), str(err.evalue or "")
    lines = [ln for ln in _strip_ansi(str(err)).splitlines() if ln.strip()]
    return "Error", (lines[-1] if lines else "")


def failed_folder() -> Path:
    """A private per-user folder for failed notebooks (0700, ours, never a link), in the cache folder; else a new temp folder."""
    try:
        base = paths.cache_dir() / "failed"
        try:
            os.mkdir(base, 0o700)
        except FileExistsError:
            pass
        st = os.lstat(base)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            raise OSError(f"{base} is not a folder of ours")
        if stat.S_IMODE(st.st_mode) & 0o077:
            os.chmod(base, 0o700)
        return base
    except OSError:
        return Path(tempfile.mkdtemp(prefix="chronology-failed-"))


def _keep(nb, notebook: Path, failed_dir: Path | None = None) -> Path:
    """Write the failed notebook into a new private folder (0700) as a new file (0600, O_EXCL|O_NOFOLLOW): no planted link is followed."""
    import nbformat

    folder = Path(tempfile.mkdtemp(prefix=f"{notebook.stem}-", dir=failed_dir if failed_dir is not None else failed_folder()))
    path = folder / f"{notebook.stem}-failed.ipynb"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(nbformat.writes(nb))
    return path


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
    origin: dict | None = None,
) -> Path:
    """Render one notebook to OUT/NAME.html and refresh OUT/index.html; return the report's path.

    Every check that needs no kernel (notebook, name, output folder, parameters) comes first;
    the kernel starts only then, and warms up while the data is validated.
    """
    parameters = dict(parameters or {})
    nb_path = resolve_notebook(str(notebook))
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    name = name or nb_path.stem
    target = safe_output_path(out_dir, name)
    check_parameters(nb_path, parameters, origin)
    if quiet is None:
        quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    progress = Progress(name, not quiet)
    own_kernel = kernel is None
    assets = drawer = None
    try:
        if own_kernel:
            kernel = Kernel(nb_path.parent)  # starts now, while the data is checked
        assets = Path(tempfile.mkdtemp(prefix="chronology-assets-"))
        drawer = ChartDrawer()
        progress.step("checking parameters and data")
        p = check_inputs(nb_path, parameters, origin)
        if p.statements_csv:
            parameters["statements_csv"] = str(Path(p.statements_csv).resolve())
        progress.step(f"running {nb_path.name}")
        nb = execute(nb_path, parameters, kernel=kernel, timeout=timeout, failed_dir=None, assets=(assets, f"{target.stem}_files"), drawer=drawer)
        progress.step("writing HTML")
        return _write(nb, nb_path, parameters, out_dir, target, progress, assets, drawer)
    finally:
        if drawer is not None:
            drawer.close()
        if own_kernel and kernel is not None:
            kernel.shutdown()
        if assets is not None:
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
    except OSError as err:
        raise RenderError(f"cannot write {target}: {err.strerror or err}; the earlier report is unchanged") from None
    try:
        _replace_files(target.with_name(f"{target.stem}_files"), charts, assets)
        write_index(out_dir)
    except OSError as err:
        raise RenderError(f"wrote {target}, but could not update its files or {Path(out_dir) / 'index.html'}: {err.strerror or err}") from None
    progress.step(f"wrote {target} ({len(body.encode()) / 1e6:.2f} MB)")
    return target


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
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, folder: Path) -> None:
    """Rename `staging` to `folder`; the folder there now is moved into a private, unique `.NAME.XXXX.old`
    folder first and removed from there: no name another process may be using is ever deleted."""
    for _attempt in range(3):
        old = None
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            st = None
        if st is not None:
            if not stat.S_ISDIR(st.st_mode):
                from .fileio import kind_of

                raise InputError(f"--out: {folder}: expected a folder of the page's files, not {kind_of(st.st_mode) if not stat.S_ISREG(st.st_mode) else 'a file'}")
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
            try:
                os.rename(folder, old / "x")
            except FileNotFoundError:
                pass  # another process moved it meanwhile
        try:
            os.rename(staging, folder)
            return
        except OSError as err:
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    raise OSError(errno.EBUSY, f"{folder} keeps being replaced by another process")


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
