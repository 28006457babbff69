"""A render's inputs, checked before any kernel starts: the notebook, its declared parameters and
their values, the data path, the output folder and file names. Every refusal is a BadRenderInput
(exit 2) naming the option or file and what was expected."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from . import paths
from .errors import ChronologyError, InputError

NOTEBOOKS = {"report": paths.NOTEBOOKS_DIR / "report.ipynb", "handout": paths.NOTEBOOKS_DIR / "handout.ipynb"}
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,80}")  # fullmatch: no final newline


class RenderError(ChronologyError):
    """A render that could not finish: a failing cell, a dead kernel, a write error (exit 1)."""


class BadRenderInput(RenderError, InputError):
    """A render refused before it ran: a bad notebook, name, parameter or data (exit 2)."""


MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


def _not_a_notebook(name, reason: str) -> BadRenderInput:
    return BadRenderInput(f"--notebook: {name}: expected a Jupyter notebook (.ipynb JSON): {reason}")


def read_notebook(path: Path):
    """The notebook node, read once with the size limit (a FIFO, a device, a folder or a broken link is refused)."""
    import nbformat

    from .fileio import FileProblem, read_regular

    try:
        raw = read_regular(path, limit=MAX_NOTEBOOK_BYTES, too_large="the file is {size:,} bytes, more than the limit of {limit:,} for a notebook")
    except FileProblem as err:
        raise _not_a_notebook(path, err.reason) from None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as err:  # not UTF-8, not JSON, not a notebook
        raise _not_a_notebook(path, f"{type(err).__name__}: {' '.join(str(err).split())[:200]}") from None
    return nb


def resolve_notebook(name: str) -> Path:
    if name in NOTEBOOKS:
        return NOTEBOOKS[name]
    path = Path(name)
    if path.suffix == ".ipynb" and os.path.lexists(path):
        read_notebook(path)
        return Path(os.path.abspath(path)) if path.is_symlink() else path.resolve()
    raise BadRenderInput(f"--notebook: {name!r}: expected one of {', '.join(NOTEBOOKS)} or the path of a notebook")


def inspect(notebook: Path) -> dict:
    """papermill.inspect_notebook's answer (name -> inferred_type_name, default, help), for a notebook already read."""
    from papermill import inspect_notebook

    try:
        st = os.stat(notebook)
        key = (str(notebook), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        key = None
    if key is not None and key in _INSPECTED:
        return _INSPECTED[key]
    read_notebook(notebook)  # regular file, size limit, JSON: before papermill opens it
    try:
        found = inspect_notebook(str(notebook))
    except Exception as err:
        raise _not_a_notebook(notebook, f"{type(err).__name__}: {' '.join(str(err).split())[:200]}") from None
    if key is not None:
        _INSPECTED.clear()
        _INSPECTED[key] = found
    return found


_INSPECTED: dict = {}


def declared_parameters(notebook: Path) -> dict:
    """The notebook's parameters cell as papermill reads it: name -> default text."""
    return {name: p["default"] for name, p in inspect(notebook).items()}


def parameter_types(notebook: Path) -> dict:
    """name -> (type names, None allowed), from the notebook's parameters cell; the bundled notebooks keep their rules."""
    from .params import BUNDLED_TYPES, declared_types

    types = declared_types(inspect(notebook))
    return {name: BUNDLED_TYPES.get(name, kind) for name, kind in types.items()}


def gather_parameters(pairs, params_file: str | None, notebook: Path | None = None) -> tuple[dict, dict]:
    """-f YAML first, then -p NAME VALUE pairs typed by the notebook's declared types: (values, origin)."""
    from .params import BUNDLED_TYPES, expected_phrase, type_cli_value
    from .params_file import load_yaml

    types = parameter_types(notebook) if notebook is not None else dict(BUNDLED_TYPES)
    values: dict = {}
    origin: dict = {}
    if params_file:
        loaded, origin = load_yaml(params_file, expect=lambda name: expected_phrase(types.get(name)))
        values.update(loaded)
    for name, value in pairs:
        values[name] = type_cli_value(value, types.get(name))
        origin.pop(name, None)
    return values, origin


def check_data_path(path: str, flag: str = "--data") -> None:
    """A data path must be UTF-8: it is hashed for the cache and written into the page."""
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRenderInput(f"{flag}: {path!r}: expected a path in UTF-8 (byte 0x{raw[err.start]:02X} in a folder or file name): rename it") from None


def safe_output_path(out_dir: Path, name: str, *, flag: str = "--name", blame: str | None = None) -> Path:
    """A report name cannot climb out of the output folder; the folder and the files to replace are checked."""
    from .fileio import check_output_file, check_output_folder

    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or name in (".", "..") or name.lower() == "index":
        if blame:
            raise BadRenderInput(f"{flag}: {blame} makes the file name {name!r}: expected values of letters, digits, '-', '_' or '.'")
        raise BadRenderInput(f"{flag}: {name!r}: expected a plain file name (letters, digits, '-', '_', '.'), not a path, and not 'index'")
    check_output_folder(out_dir)
    target = Path(os.path.realpath(out_dir)) / f"{name}.html"
    check_output_file(target)
    files = target.with_name(f"{name}_files")
    try:
        st = os.lstat(files)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        from .fileio import kind_of

        raise BadRenderInput(f"--out: {files}: expected a folder of the page's files, not {kind_of(st.st_mode) if not stat.S_ISREG(st.st_mode) else 'a file'}")
    return target


def check_parameters(notebook: Path, parameters: dict, origin: dict | None = None):
    """The parameters alone (no data): names, types, plain values. Cheap: done before any kernel starts."""
    from .params import ParameterError, check

    if isinstance(parameters.get("statements_csv"), str):
        check_data_path(parameters["statements_csv"], "statements_csv")
    declared = declared_parameters(notebook)
    try:
        return check(parameters, declared=declared, types=parameter_types(notebook), origin=origin)
    except ParameterError as err:
        raise BadRenderInput(str(err)) from None


def check_inputs(notebook: Path, parameters: dict, origin: dict | None = None):
    """Parameters and data, checked before any kernel runs a cell."""
    from .cache import load_dataset_cached
    from .load import DataError
    from .params import ParameterError, check

    p = check_parameters(notebook, parameters, origin)
    try:
        data = load_dataset_cached(p.statements_path)
    except DataError as err:
        raise BadRenderInput(err.message()) from None
    try:
        check(parameters, declared=declared_parameters(notebook), known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]), types=parameter_types(notebook), origin=origin)
    except ParameterError as err:
        raise BadRenderInput(str(err)) from None
    return p


def check_render(notebook: str | Path, parameters: dict, *, out_dir: Path | None = None, name: str | None = None, origin: dict | None = None, vary=None):
    """Every check `render` (or a --vary batch) makes before it runs a cell, and no kernel: `render --check-only`."""
    nb_path = resolve_notebook(str(notebook))
    out_dir = Path(out_dir or paths.REPORTS_DIR)
    if vary:
        from .batch import check_variants

        check_variants(nb_path, parameters, vary, out_dir=out_dir, stem=name, origin=origin)
        return nb_path
    safe_output_path(out_dir, name or nb_path.stem)
    check_inputs(nb_path, parameters, origin)
    return nb_path


