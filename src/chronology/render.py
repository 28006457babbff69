"""Parameters -> execute -> export -> atomic write -> reports/index.html, in one process.

A render that fails leaves every earlier report as it was and no half-written file behind;
the failing notebook is kept in a temporary folder named in the message.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
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
    """Parameters and data, checked before any kernel starts."""
    from .load import DataError, load_dataset
    from .params import ParameterError, check

    declared = declared_parameters(notebook)
    try:
        p = check(parameters, declared=declared)
    except ParameterError as err:
        raise RenderError(str(err), 2) from None
    try:
        data = load_dataset(p.statements_path)
    except DataError as err:
        raise RenderError(err.message(), 2) from None
    try:
        check(parameters, declared=declared, known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]))
    except ParameterError as err:
        raise RenderError(str(err), 2) from None
    return p


def execute(notebook: Path, parameters: dict, *, timeout: int, progress: Progress, failed_dir: Path):
    """Run the notebook in a kernel with papermill's parameters; a failing cell becomes one message."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / f"{notebook.stem}-failed.ipynb"
    try:
        nb = papermill.execute_notebook(
            str(notebook),
            str(kept),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(notebook.parent),
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as err:
        source = _cell_source(kept, err.cell_index)
        raise RenderError(
            f"{notebook.name}: cell {err.exec_count or err.cell_index} ({source}) failed: {err.ename}: {_strip_ansi(err.evalue)}\n"
            f"The failed notebook is kept for debugging: {kept}",
            1,
        ) from None
    except Exception as err:  # kernel died, timeout, ...
        raise RenderError(f"{notebook.name}: the kernel stopped: {type(err).__name__}: {_strip_ansi(str(err))}\nThe notebook as far as it ran: {kept}", 1) from None
    kept.unlink(missing_ok=True)
    return nb


def _cell_source(path: Path, index: int) -> str:
    try:
        import nbformat

        nb = nbformat.read(str(path), as_version=4)
        lines = [ln for ln in nb.cells[index].source.splitlines() if ln.strip() and not ln.startswith("#")]
        text = lines[-1] if lines else ""
        return text if len(text) < 70 else text[:67] + "..."
    except Exception:
        return "?"


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
) -> Path:
    """Render one notebook to OUT/NAME.html and refresh OUT/index.html; return the report's path."""
    from .html import export_html

    parameters = dict(parameters or {})
    nb_path = resolve_notebook(str(notebook))
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    name = name or nb_path.stem
    target = safe_output_path(out_dir, name)
    if quiet is None:
        quiet = not sys.stderr.isatty() or bool(os.environ.get("CI"))
    progress = Progress(name, not quiet)

    progress.step("checking parameters and data")
    p = check_inputs(nb_path, parameters)
    if p.statements_csv:
        parameters["statements_csv"] = str(Path(p.statements_csv).resolve())
    progress.step(f"running {nb_path.name}")
    failed_dir = Path(tempfile.gettempdir()) / "chronology-failed"
    env_before = os.environ.get("CHRONOLOGY_LAB")
    os.environ.pop("CHRONOLOGY_LAB", None)  # exported pages need the offline chart renderer
    try:
        nb = execute(nb_path, parameters, timeout=timeout, progress=progress, failed_dir=failed_dir)
    finally:
        if env_before is not None:
            os.environ["CHRONOLOGY_LAB"] = env_before
    progress.step("writing HTML")
    title = _page_title(nb) or name
    meta = {META_PARAMETERS: json.dumps(parameters, sort_keys=True, default=str), META_NOTEBOOK: nb_path.name}
    body = export_html(nb, title=title, meta=meta)
    try:
        atomic_write(target, body)
        write_index(out_dir)
    except OSError as err:
        raise RenderError(f"cannot write {target}: {err.strerror or err}; the earlier report is unchanged", 1) from None
    progress.step(f"wrote {target} ({len(body.encode()) / 1e6:.2f} MB)")
    return target


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
            f"<td>{escape(notebook or '')}</td><td>{escape(shown_text)}</td></tr>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Rendered reports</title><style>body{font-family:Helvetica Neue,Arial,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}</style></head>"
        "<body><h1>Rendered reports</h1><table><thead><tr><th>File</th><th>Title</th><th>Notebook</th><th>Parameters</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></body></html>\n"
    )
    target = out_dir / "index.html"
    atomic_write(target, page)
    return target


def _meta(head: str, name: str) -> str | None:
    """A <meta> tag's content, whatever the order of its attributes."""
    tag = re.search(rf'<meta[^>]*\bname="{re.escape(name)}"[^>]*>', head)
    content = tag and re.search(r"""\bcontent=(?:"([^"]*)"|'([^']*)')""", tag.group(0))
    return html_lib.unescape(content.group(1) if content.group(1) is not None else content.group(2)) if content else None


def parse_cli_parameters(pairs: list[list[str]], params_file: str | None) -> dict:
    """-f YAML first, then -p NAME VALUE pairs typed as papermill types them."""
    import yaml
    from papermill.cli import _resolve_type

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
        values[name] = _resolve_type(value)
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
        path = render(args.notebook, parameters, out_dir=Path(args.out) if args.out else None, name=args.name, timeout=args.timeout, quiet=args.quiet)
    except RenderError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    print(path)
    return 0
