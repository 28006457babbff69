"""Parameters -> execute -> export -> atomic write -> reports/index.html, in one process.

A render that fails leaves every earlier report as it was and no half-written file behind;
the failing notebook is kept in a temporary folder named in the message.
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

NOTEBOOKS = {"report": paths.NOTEBOOKS_DIR / "report.ipynb", "handout": paths.NOTEBOOKS_DIR / "handout.ipynb"}
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
META_PARAMETERS = "chronology:parameters"
META_NOTEBOOK = "chronology:notebook"


class RenderError(Exception):
    """A render that could not finish; `exit_code` 2 for bad input, 1 for an internal failure."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


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
    raise RenderError(f"--notebook: {name!r}: expected one of {', '.join(NOTEBOOKS)} or the path of a notebook", 2)


def declared_parameters(notebook: Path) -> dict:
    """The notebook's parameters cell as papermill reads it: name -> default text."""
    from papermill.inspection import _infer_parameters
    from papermill.iorw import load_notebook_node

    nb = load_notebook_node(str(notebook))
    return {p.name: p.default for p in _infer_parameters(nb)}


def safe_output_path(out_dir: Path, name: str) -> Path:
    """A report name cannot climb out of the output folder."""
    if not SAFE_NAME.match(name) or name in (".", "..") or name.lower() == "index":
        raise RenderError(f"--name: {name!r}: expected a plain file name (letters, digits, '-', '_', '.'), not a path, and not 'index'", 2)
    target = (out_dir / f"{name}.html").resolve()
    if target.parent != out_dir.resolve():
        raise RenderError(f"--name: {name!r}: the report must be written inside {out_dir}", 2)
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
        raise RenderError(str(err), 2) from None
    try:
        data = load_dataset_cached(p.statements_path)
    except DataError as err:
        raise RenderError(err.message(), 2) from None
    try:
        check(parameters, declared=declared, known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]))
    except ParameterError as err:
        raise RenderError(str(err), 2) from None
    return p


class Kernel:
    """A kernel started at once and warmed (the package imported) while the driver checks inputs."""

    WARM_UP = "import chronology.report, chronology.html\nchronology.html.enable_renderer()"

    def __init__(self, cwd: Path):
        import threading

        self.cwd = cwd
        self.km = None
        # The kernel's own log (start-up notices, a crash) goes to a file, quoted when it fails.
        fd, log_path = tempfile.mkstemp(prefix="chronology-kernel-", suffix=".log")
        os.close(fd)
        self.log = open(log_path, "w")
        self.error: BaseException | None = None
        self.cancelled = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._start, daemon=True)
        self._thread.start()

    def _start(self) -> None:
        # Two kernels starting at the same moment (a batch on two cores) can pick the same free
        # port; the loser dies at start-up, so a failed start is tried again on fresh ports.
        for attempt in range(3):
            try:
                self._start_once()
                self.error = None
                return
            except BaseException as err:  # reported when the kernel is first needed
                self.error = err
                with self._lock:
                    if self.cancelled:
                        return
                    if self.km is not None and self.km.has_kernel:
                        from jupyter_core.utils import run_sync

                        run_sync(self.km.shutdown_kernel)(now=True)
                    self.km = None

    def _start_once(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # Pages need the offline renderer and the page's outputs (not the notebook front ends': frontends.py).
        env = {**{k: v for k, v in os.environ.items() if k != "CHRONOLOGY_LAB"}, "CHRONOLOGY_OUTPUTS": "page"}
        # An async manager, as nbclient's own: with a blocking client nbclient's event loop would
        # wait on a silent cell forever, and neither the timeout nor a dead kernel would be noticed.
        km = AsyncKernelManager(kernel_name="python3")
        with self._lock:
            if self.cancelled:
                return
            run_sync(km.start_kernel)(cwd=str(self.cwd), env=env, extra_arguments=["--HistoryManager.enabled=False"], stdout=self.log, stderr=self.log)
            self.km = km
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=120)
            # Wait for the imports too, so that --timeout counts a cell's own time, not the start-up's.
            reply = run_sync(kc.execute_interactive)(self.WARM_UP, silent=True, store_history=False, timeout=300)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the kernel could not import the package: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()

    def ready(self):
        self._thread.join()
        if self.error is not None:
            raise RenderError(f"the Python kernel did not start: {type(self.error).__name__}: {self.error}", 1)
        return self.km

    def log_tail(self, lines: int = 8) -> str:
        self.log.flush()
        tail = Path(self.log.name).read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(line for line in tail if "without encryption" not in line)

    def shutdown(self) -> None:
        """Stop the kernel at once, ready or not (a refused render should not wait for it)."""
        with self._lock:
            self.cancelled = True
            if self.km is not None and self.km.has_kernel:
                from jupyter_core.utils import run_sync

                run_sync(self.km.shutdown_kernel)(now=True)
        # A kernel killed before it was ready leaves its start-up thread polling for up to a second:
        # it is a daemon and ends by itself.
        self._thread.join(timeout=0.2)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def execute(notebook: Path, parameters: dict, *, kernel: Kernel, timeout: int, failed_dir: Path, assets: tuple[Path, str] | None = None, drawer: FigureDrawer | None = None):
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
            1,
        ) from None
    except CellTimeoutError:
        index, source = _running_cell(nb)
        _keep(nb, kept)
        raise RenderError(f"{notebook.name}: cell {index} ({source}) ran for more than {timeout} s and was stopped (--timeout to allow longer)\nThe notebook as far as it ran: {kept}", 1) from None
    except DeadKernelError as err:
        _keep(nb, kept)
        log = kernel.log_tail()
        raise RenderError(f"{notebook.name}: the kernel died (out of memory?): {_strip_ansi(str(err))}" + (f"\nkernel log:\n{log}" if log else "") + f"\nThe notebook as far as it ran: {kept}", 1) from None
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


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write beside the target, then rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    drawer = FigureDrawer()
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


def _write(nb, nb_path: Path, parameters: dict, out_dir: Path, target: Path, progress: Progress, assets: Path | None = None, drawer: FigureDrawer | None = None) -> Path:
    from .html import export_html

    title = _page_title(nb) or target.stem
    meta = {META_PARAMETERS: json.dumps(parameters, sort_keys=True, default=str), META_NOTEBOOK: nb_path.name}
    body = export_html(nb, title=title, meta=meta)
    figures = drawer.figures() if drawer is not None else {}
    try:
        atomic_write(target, body)
        _replace_figures(target.with_name(f"{target.stem}_files"), figures, assets)
        write_index(out_dir)
    except OSError as err:
        raise RenderError(f"cannot write {target}: {err.strerror or err}; the earlier report is unchanged", 1) from None
    progress.step(f"wrote {target} ({len(body.encode()) / 1e6:.2f} MB)")
    return target


class FigureDrawer:
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

    def figures(self) -> dict[str, bytes]:
        out = {}
        for n, future in enumerate(self.futures, 1):
            try:
                out[f"chart-{n}.svg"] = future.result()
            except Exception:  # the page matters more than its slide copies
                continue
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _replace_figures(folder: Path, figures: dict[str, bytes], assets: Path | None = None) -> None:
    """Swap in the page's folder (SVG copies, large downloads) whole: old files never mix with new ones."""
    extra = sorted(assets.iterdir()) if assets is not None and assets.is_dir() else []
    if not figures and not extra and not folder.exists():
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in figures.items():
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


def variants(vary: list[tuple[str, str]]) -> list[dict]:
    """--vary naming dual,armenian --vary audience reader,class -> the cross product of parameters."""
    import itertools

    from .params import papermill_type

    axes = [(name, [papermill_type(v.strip()) for v in values.split(",") if v.strip()]) for name, values in vary]
    return [dict(zip([a for a, _ in axes], combo)) for combo in itertools.product(*[vals for _, vals in axes])]


def variant_name(stem: str, variant: dict) -> str:
    return "-".join([stem] + [f"{k}-{v}" for k, v in variant.items()])


def _render_share(job: tuple) -> list[tuple[str, str | None, int]]:
    """One worker's share of a batch: its variants one after another in one warm kernel."""
    notebook, base, share, out_dir, stem, timeout, quiet = job
    nb_path = resolve_notebook(notebook)
    kernel = Kernel(nb_path.parent)
    results = []
    try:
        for variant in share:
            name = variant_name(stem, variant)
            try:
                path = render(notebook, {**base, **variant}, out_dir=out_dir, name=name, timeout=timeout, quiet=quiet, kernel=kernel)
                results.append((name, str(path), 0))
            except RenderError as err:
                results.append((name, str(err), err.exit_code))
    finally:
        kernel.shutdown()
    return results


def render_batch(notebook: str, base: dict, vary: list[tuple[str, str]], *, out_dir: Path | None = None, stem: str | None = None, timeout: int = 600, quiet: bool | None = None, workers: int | None = None) -> list[tuple[str, str, int]]:
    """Every combination of the varied parameters, spread over the cores, each core with one kernel."""
    from concurrent.futures import ProcessPoolExecutor

    nb_path = resolve_notebook(notebook)
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    jobs = variants(vary)
    if not jobs:
        raise RenderError("--vary: expected NAME VALUE[,VALUE...] with at least one value", 2)
    stem = stem or nb_path.stem
    # Check every variant's parameters first: a typo should not cost a batch.
    problems = []
    for variant in jobs:
        try:
            check_inputs(nb_path, {**base, **variant})
        except RenderError as err:
            problems.append(f"{variant_name(stem, variant)}: {err}")
    if problems:
        raise RenderError("\n".join(problems), 2)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    shares = [jobs[i::workers] for i in range(workers)]
    args = [(str(nb_path), base, share, out_dir, stem, timeout, quiet) for share in shares]
    if workers == 1:
        results = [r for a in args for r in _render_share(a)]
    else:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = [r for share in pool.map(_render_share, args) for r in share]
    write_index(out_dir)
    return results


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


def write_index(out_dir: Path) -> Path:
    """reports/index.html, derived from the reports on disk and the parameters each one records."""
    from .html import escape

    rows = []
    for report in sorted(out_dir.glob("*.html")):
        if report.name == "index.html" or report.name.startswith("."):
            continue
        figures = report.with_name(f"{report.stem}_files")
        svgs = sorted(figures.glob("*.svg")) if figures.is_dir() else []
        head = report.read_text(encoding="utf-8", errors="replace")[:20000]
        title = re.search(r"<title>(.*?)</title>", head, re.S)
        params = _meta(head, META_PARAMETERS)
        notebook = _meta(head, META_NOTEBOOK)
        if params is None:
            continue
        shown = json.loads(params)
        shown_text = ", ".join(f"{k}={v}" for k, v in shown.items()) or "defaults"
        rows.append(
            f'<tr><td><a href="{escape(report.name)}">{escape(report.name)}</a></td><td>{escape(html_lib.unescape(title.group(1)) if title else "")}</td>'
            f"<td>{escape(notebook or '')}</td><td>{escape(shown_text)}</td>"
            f"<td>{' '.join(_svg_link(figures.name, svg.name) for svg in svgs)}</td></tr>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Rendered reports</title><style>body{font-family:Helvetica Neue,Arial,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}</style></head>"
        "<body><h1>Rendered reports</h1><table><thead><tr><th>File</th><th>Title</th><th>Notebook</th><th>Parameters</th><th>Charts as SVG (for slides)</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></body></html>\n"
    )
    target = out_dir / "index.html"
    atomic_write(target, page)
    return target


def _svg_link(folder: str, name: str) -> str:
    from .html import escape

    return f'<a href="{escape(folder)}/{escape(name)}">{escape(Path(name).stem)}</a>'


def _meta(head: str, name: str) -> str | None:
    """A <meta> tag's content, whatever the order of its attributes."""
    tag = re.search(rf'<meta[^>]*\bname="{re.escape(name)}"[^>]*>', head)
    content = tag and re.search(r"""\bcontent=(?:"([^"]*)"|'([^']*)')""", tag.group(0))
    return html_lib.unescape(content.group(1) if content.group(1) is not None else content.group(2)) if content else None


def parse_cli_parameters(pairs: list[list[str]], params_file: str | None) -> dict:
    """-f YAML first, then -p NAME VALUE pairs typed as papermill types them."""
    import yaml

    from .params import papermill_type

    values: dict = {}
    if params_file:
        try:
            loaded = yaml.safe_load(Path(params_file).read_text(encoding="utf-8"))
        except OSError as err:
            raise RenderError(f"{params_file}: cannot read the parameters file: {err.strerror}", 2) from None
        except yaml.YAMLError as err:
            raise RenderError(f"{params_file}: not valid YAML: {err}", 2) from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise RenderError(f"{params_file}: expected a YAML mapping of parameter names to values", 2)
        values.update(loaded)
    for name, value in pairs:
        values[name] = papermill_type(value)
        if name == "parties" and isinstance(values[name], str):
            values[name] = [s.strip() for s in value.strip("[]").split(",") if s.strip()]
    # dates are text: YAML reads 2020-10-01 as a date
    for key in ("start", "end"):
        if key in values and values[key] is not None and not isinstance(values[key], str):
            values[key] = str(values[key])
    return values


def render_from_cli(args) -> int:
    try:
        parameters = parse_cli_parameters(args.parameter, args.parameters_file)
        if args.data:
            parameters["statements_csv"] = args.data
        if args.vary:
            results = render_batch(args.notebook, parameters, args.vary, out_dir=Path(args.out) if args.out else None, stem=args.name, timeout=args.timeout, quiet=args.quiet)
            failed = [(n, msg, code) for n, msg, code in results if code]
            for n, msg, code in results:
                print(msg if not code else f"error: {n}: {msg}", file=sys.stderr if code else sys.stdout)
            return max((code for _, _, code in failed), default=0)
        path = render(args.notebook, parameters, out_dir=Path(args.out) if args.out else None, name=args.name, timeout=args.timeout, quiet=args.quiet)
    except RenderError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    print(path)
    return 0
