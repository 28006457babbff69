"""Issue 12: the program used as an attacker and as a careless user would.

Each test is one case of the issue and asserts what the issue requires: exit 0 with the right
output, or exit 2 with a message naming the file/line/parameter and what was expected, 130/143
for signals, nothing written or replaced, and bounded time. Tests that fail on the current code
are marked `xfail(strict=True)`: each fix flips one to pass, and the fixer removes its marker.
The wording the messages must contain is in the E_* constants below.

Speed: most cases run in-process (`chronology.__main__.main`, or the `render --check-only`
flag the fix adds: every check of `render` without starting a kernel). Subprocesses, always
with a timeout and a memory limit, only where a real process is needed (FIFOs, devices,
signals, memory blow-ups). Three cases start a kernel, on tiny notebooks in tests/hostile/.

Set HOSTILE_RECORD=FILE to append each case's observed exit code and first message line
(JSON lines): that is how the before/after table of the plan is made.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CASES = Path(__file__).resolve().parent / "hostile"
DATA = ROOT / "data"
RECORD = os.environ.get("HOSTILE_RECORD")
GB = 1024**3

# The wording a fix must use (substrings; see the plan for the full messages).
E_REGULAR = "expected a regular file"
E_LOOP = "symbolic link loops"
E_DANGLING = "does not exist"
E_FIFO = "named pipe"
E_DEVICE = "device"
E_SYMLINK = "symbolic link"
E_INTERRUPTED = "interrupted"


def issue(case: str):
    """A case the current code gets wrong (the fixer removes the marker with the fix)."""
    return pytest.mark.xfail(strict=True, reason=f"issue 12: {case}")


# ---------------------------------------------------------------- running the command


@dataclass
class Run:
    case: str
    rc: int | str  # an exit code, or "timeout"
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err

    def no_traceback(self) -> bool:
        return "Traceback (most recent call last)" not in self.text and "internal error" not in self.text


def _record(run: Run) -> Run:
    if RECORD:
        lines = [ln for ln in run.err.splitlines() + run.out.splitlines() if ln.strip() and "Warning" not in ln and "warnings.warn" not in ln]
        first = lines[0] if lines else ""
        with open(RECORD, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"case": run.case, "rc": run.rc, "first": first[:200], "err_chars": len(run.err), "seconds": round(run.seconds, 1)}) + "\n")
    return run


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CHRONOLOGY_MAX_CELL_CHARS", "CHRONOLOGY_MAX_FILE_BYTES", "CHRONOLOGY_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(extra or {})
    return env


def cli(case: str, *args, timeout: float = 60, env: dict | None = None, memory: int | None = 2 * GB, cwd: Path | None = None) -> Run:
    """`python -m chronology ARGS` in its own session, killed (whole group) after `timeout`.

    `memory` bounds the address space (RLIMIT_AS), so a read that never ends fails instead of
    exhausting the machine. Arguments may be bytes (names that are not UTF-8).
    """
    argv = [sys.executable, "-m", "chronology", *[a if isinstance(a, bytes) else str(a) for a in args]]

    def limit():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd or ROOT, env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc: int | str = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = "timeout"
    return _record(Run(case, rc, out.decode("utf-8", "replace")[:200_000], err.decode("utf-8", "replace")[:200_000], time.monotonic() - started))


def main(case: str, *args) -> Run:
    """`chronology.__main__.main(ARGS)` in this process, its output captured."""
    from chronology.__main__ import main as chronology_main

    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = chronology_main([str(a) for a in args])
        except SystemExit as exit_:
            rc = exit_.code if isinstance(exit_.code, int) else 2
        except BaseException:  # a traceback out of main() is a failure of the case too
            traceback.print_exc()
            rc = "exception"
    return _record(Run(case, rc, out.getvalue()[:200_000], err.getvalue()[:200_000], time.monotonic() - started))


_CHECK_ONLY: bool | None = None


def _has_check_only() -> bool:
    global _CHECK_ONLY
    if _CHECK_ONLY is None:
        from chronology.__main__ import main as chronology_main

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            try:
                chronology_main(["render", "--help"])
            except SystemExit:
                pass
        _CHECK_ONLY = "--check-only" in buf.getvalue()
    return _CHECK_ONLY


def check_only(case: str, *args) -> Run:
    """`render --check-only ARGS` in this process: every check of `render`, no kernel.

    Until the fix adds the flag, the checks the current driver makes before the notebook runs
    are called directly (what `render` would refuse before its first cell).
    """
    if _has_check_only():
        return main(case, "render", "--check-only", *args)
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = _emulate_check_only([str(a) for a in args])
    return _record(Run(case, rc, out.getvalue()[:200_000], err.getvalue()[:200_000], time.monotonic() - started))


def _emulate_check_only(args: list[str]) -> int | str:  # pragma: no cover - replaced by the flag
    from chronology import paths
    from chronology.cli import build_parser
    from chronology.render import RenderError, check_inputs, parse_cli_parameters, resolve_notebook, safe_output_path, variants

    try:
        ns = build_parser().parse_args(["render", *args])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        params = parse_cli_parameters(ns.parameter, ns.parameters_file)
        if ns.data:
            params["statements_csv"] = ns.data
        nb = resolve_notebook(ns.notebook)
        out = Path(ns.out) if ns.out else paths.REPORTS_DIR
        if ns.vary:
            jobs = variants(ns.vary)
            if not jobs:
                raise RenderError("--vary: expected NAME VALUE[,VALUE...] with at least one value", 2)
            for variant in jobs:
                check_inputs(nb, {**params, **variant})
        else:
            safe_output_path(out, ns.name or nb.stem)
            check_inputs(nb, params)
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except Exception as error:
        print(f"internal error: {type(error).__name__}: {str(error)[:2000]}", file=sys.stderr)
        traceback.print_exc(limit=3)
        return 1
    return 0


# Names the refactor changed: the hook is looked up under either name.
_RENAMED = {"FigureDrawer": "ChartDrawer", "_replace_figures": "_replace_files"}


def _attr(name: str, *modules: str):
    """A function wherever the refactor put it (under its old or its new name)."""
    import importlib

    for module, key in [(m, n) for n in (name, _RENAMED.get(name)) if n for m in modules]:
        try:
            found = getattr(importlib.import_module(module), key, None)
        except ImportError:
            continue
        if found is not None:
            return found
    raise AttributeError(f"{name} not found in {modules}")


def write_index(out_dir: Path):
    return _attr("write_index", "chronology.index", "chronology.render")(out_dir)


def _kill_strays(marker: Path) -> None:
    """End kernels a killed render left behind: only processes whose command line names `marker` (our tmp folder)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\x00", b" ")
        except OSError:
            continue
        if os.fsencode(str(marker)) in cmdline:
            with contextlib.suppress(OSError):
                os.kill(int(proc.name), signal.SIGKILL)


def copy_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("statements.csv", "places.csv", "parties.csv", "sources.csv"):
        shutil.copy(DATA / name, folder / name)
    return folder / "statements.csv"


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CHRONOLOGY_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


# ======================================================================================
# 1. Parameters typed and checked for any notebook; YAML loaded safely
# ======================================================================================


def _binary_payload(marker: Path) -> str:
    code = f'"+__import__("pathlib").Path({str(marker)!r}).write_text("pwned")+"'
    return base64.b64encode(code.encode()).decode()


def test_binary_yaml_value_is_refused_for_a_custom_notebook(tmp_path):
    marker = tmp_path / "pwned"
    params = tmp_path / "evil.yaml"
    params.write_text(f"note: !!binary {_binary_payload(marker)}\n", encoding="utf-8")
    run = check_only("yaml-binary-code", "--notebook", CASES / "notes.ipynb", "-f", params, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "evil.yaml:1" in run.err and "note" in run.err and "!!binary" in run.err and "expected" in run.err, run.err
    assert not marker.exists()


def test_custom_notebook_parameters_are_typed_from_their_defaults(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("note: [1, 2]\n", encoding="utf-8")
    run = check_only("custom-nb-untyped", "--notebook", CASES / "notes.ipynb", "-f", params, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "p.yaml:1" in run.err and "note" in run.err and "expected text" in run.err, run.err


@pytest.mark.parametrize("line", ["start: 2020-13-01", "end: 2020-02-30"], ids=["month-13", "february-30"])
def test_impossible_unquoted_yaml_date(tmp_path, line):
    params = tmp_path / "dates.yaml"
    params.write_text(f"naming: dual\n{line}\n", encoding="utf-8")
    run = check_only(f"yaml-date {line}", "-f", params, "--out", tmp_path / "out")
    name, value = line.split(": ")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert f"dates.yaml:2: {name}: {value}" in run.err and "expected" in run.err, run.err


def test_huge_integer_in_yaml(tmp_path):
    params = tmp_path / "seed.yaml"
    params.write_text("seed: " + "9" * 5000 + "\n", encoding="utf-8")
    run = check_only("yaml-5000-digit-int", "--notebook", "handout", "-f", params, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "seed.yaml:1" in run.err and "seed" in run.err and "expected a whole number" in run.err, run.err
    assert len(run.err) < 2000


def test_deeply_nested_yaml(tmp_path):
    params = tmp_path / "deep.yaml"
    params.write_text("parties: " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    run = check_only("yaml-nested-2000", "-f", params, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "deep.yaml:1" in run.err and "nested" in run.err and "expected" in run.err, run.err


def alias_bomb(levels: int) -> str:
    """Each level is a list of nine aliases of the one before: 9**levels strings (6 levels: 232 bytes, 9: 334)."""
    names = "abcdefghijk"
    lines = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for i in range(1, levels):
        lines.append(f"{names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]")
    lines.append(f"parties: *{names[levels - 1]}")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_small(tmp_path):
    params = tmp_path / "bomb.yaml"
    params.write_text(alias_bomb(6), encoding="utf-8")
    run = check_only("yaml-alias-bomb-small", "-f", params, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err[:500]
    assert "bomb.yaml" in run.err and "alias" in run.err.lower() and "expected" in run.err, run.err[:500]
    assert len(run.err) < 10_000


def test_yaml_alias_bomb_large(tmp_path):
    params = tmp_path / "bomb.yaml"
    params.write_text(alias_bomb(9), encoding="utf-8")
    assert len(params.read_bytes()) < 350
    run = cli("yaml-alias-bomb-large", "render", "-f", params, "--out", tmp_path / "out", timeout=20, env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    _kill_strays(tmp_path)
    assert run.rc == 2 and run.no_traceback(), run.err[:500]
    assert "alias" in run.err.lower() and len(run.err) < 10_000


def test_numeric_looking_text_parameter(tmp_path):
    run = check_only("p-title-1984", "-p", "title", "1984", "--out", tmp_path / "out")
    assert run.rc == 0, run.err


def test_parameter_that_is_not_utf8(tmp_path):
    value = os.fsdecode(b"Shusha \xff")  # what Python makes of such a command-line byte
    run = check_only("p-title-invalid-utf8", "-p", "title", value, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "title" in run.err and "UTF-8" in run.err and "expected" in run.err, run.err


def _page(title: str, params: str, notebook: str = "report.ipynb") -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="chronology:parameters" content="{params}"><meta name="chronology:notebook" content="{notebook}"></head><body></body></html>\n')


def test_index_survives_a_page_with_bad_metadata(tmp_path):
    (tmp_path / "good.html").write_text(_page("Good", "{}"), encoding="utf-8")
    (tmp_path / "bad.html").write_text(_page("Bad", "{&quot;title&quot;: &quot;\\udcff&quot;}"), encoding="utf-8")
    (tmp_path / "worse.html").write_text(_page("Worse", "{not json"), encoding="utf-8")
    write_index(tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "good.html" in index


def test_data_folder_not_utf8(tmp_path):
    folder = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/data\xff"))
    statements = copy_data(folder)
    run = check_only("data-folder-not-utf8", "--data", statements, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--data" in run.err and "UTF-8" in run.err and "expected" in run.err, run.err


def test_validate_in_a_folder_not_utf8(tmp_path):
    folder = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/data\xff"))
    statements = copy_data(folder)
    run = cli("validate-folder-not-utf8", "validate", os.fsencode(str(statements)), timeout=60)
    assert run.rc == 0 and run.no_traceback(), run.err


def test_notebook_not_json(tmp_path):
    run = check_only("notebook-not-json", "--notebook", CASES / "not_json.ipynb", "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "not_json.ipynb" in run.err and "expected a Jupyter notebook" in run.err, run.err


def test_notebook_is_a_folder(tmp_path):
    folder = tmp_path / "folder.ipynb"
    folder.mkdir()
    run = check_only("notebook-is-folder", "--notebook", folder, "--out", tmp_path / "out")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "folder.ipynb" in run.err and "expected a Jupyter notebook" in run.err, run.err


def test_statements_symlink_loop(tmp_path):
    link = tmp_path / "statements.csv"
    link.symlink_to(link)
    run = main("statements-symlink-loop", "validate", link)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "statements.csv" in run.err and E_REGULAR in run.err and E_LOOP in run.err, run.err


def test_schema_out_is_a_folder(tmp_path):
    run = main("schema-out-dir", "schema", "--out", tmp_path)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--out" in run.err and "expected a file" in run.err, run.err


# ======================================================================================
# 2. Inputs must be regular files, read with a limit that holds for devices and pipes
# ======================================================================================


def test_fifo_statements(tmp_path):
    fifo = tmp_path / "statements.csv"
    os.mkfifo(fifo)
    run = cli("fifo-statements", "validate", fifo, timeout=15)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "statements.csv" in run.err and E_REGULAR in run.err and E_FIFO in run.err, run.err


def test_fifo_parameters_file(tmp_path):
    fifo = tmp_path / "params.yaml"
    os.mkfifo(fifo)
    run = cli("fifo-parameters-file", "render", "-f", fifo, "--out", tmp_path / "out", timeout=15, env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    _kill_strays(tmp_path)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "params.yaml" in run.err and E_REGULAR in run.err and E_FIFO in run.err, run.err


_INDEX_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    try:
        from chronology.index import write_index
    except ImportError:
        from chronology.render import write_index
    write_index(Path(sys.argv[1]))
""")


def test_fifo_html_in_out(tmp_path):
    (tmp_path / "good.html").write_text(_page("Good", "{}"), encoding="utf-8")
    os.mkfifo(tmp_path / "trap.html")
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", _INDEX_SCRIPT, str(tmp_path)], env=_env(), capture_output=True, text=True, timeout=15)
        rc, err = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired:
        rc, err = "timeout", ""
    _record(Run("fifo-html-in-out", rc, "", err, time.monotonic() - started))
    assert rc == 0, err
    assert "good.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_device_as_statements(tmp_path, device):
    run = cli(f"device-statements {device}", "validate", device, timeout=20)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert device in run.err and E_REGULAR in run.err and E_DEVICE in run.err, run.err


def test_places_symlink_to_device(tmp_path):
    statements = copy_data(tmp_path / "data")
    (tmp_path / "data" / "places.csv").unlink()
    (tmp_path / "data" / "places.csv").symlink_to("/dev/zero")
    run = cli("places-symlink-dev-zero", "validate", statements, timeout=60)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "places.csv" in run.err and E_REGULAR in run.err and E_DEVICE in run.err, run.err


def test_dangling_places_symlink(tmp_path):
    statements = copy_data(tmp_path / "data")
    (tmp_path / "data" / "places.csv").unlink()
    (tmp_path / "data" / "places.csv").symlink_to(tmp_path / "gone.csv")
    run = main("places-symlink-dangling", "validate", statements)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "places.csv" in run.err and E_REGULAR in run.err and E_DANGLING in run.err, run.err


def test_looping_parties_symlink(tmp_path):
    statements = copy_data(tmp_path / "data")
    link = tmp_path / "data" / "parties.csv"
    link.unlink()
    link.symlink_to(link)
    run = main("parties-symlink-loop", "validate", statements)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "parties.csv" in run.err and E_REGULAR in run.err and E_LOOP in run.err, run.err


def test_device_as_parameters_file(tmp_path):
    run = cli("device-parameters-file", "render", "-f", "/dev/zero", "--out", tmp_path / "out", timeout=60, env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    _kill_strays(tmp_path)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "/dev/zero" in run.err and E_REGULAR in run.err and E_DEVICE in run.err, run.err


def test_device_as_notebook(tmp_path):
    link = tmp_path / "zero.ipynb"
    link.symlink_to("/dev/zero")
    run = cli("device-notebook", "render", "--notebook", link, "--out", tmp_path / "out", timeout=60, env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")})
    _kill_strays(tmp_path)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "zero.ipynb" in run.err and E_REGULAR in run.err and E_DEVICE in run.err, run.err


# ======================================================================================
# 3. Outputs: checked up front, never replacing what is not a regular file
# ======================================================================================


def test_out_is_a_file(tmp_path):
    out = tmp_path / "reports"
    out.write_text("not a folder", encoding="utf-8")
    run = check_only("out-is-a-file", "--out", out)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--out" in run.err and "expected a folder" in run.err, run.err


def test_index_skips_a_folder_named_html(tmp_path):
    (tmp_path / "good.html").write_text(_page("Good", "{}"), encoding="utf-8")
    (tmp_path / "notes.html").mkdir()
    write_index(tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "good.html" in index and "notes.html" not in index


def test_index_lists_a_page_with_a_very_long_title(tmp_path):
    (tmp_path / "long.html").write_text(_page("T" * 30_000, "{}"), encoding="utf-8")
    write_index(tmp_path)
    assert "long.html" in (tmp_path / "index.html").read_text(encoding="utf-8")


def _export_onto(tmp_path: Path, target: Path, case: str) -> Run:
    return main(case, "timeline", "export", "--out", target)


def test_export_onto_symlink(tmp_path):
    victim = tmp_path / "victim.csv"
    victim.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "timeline.csv"
    link.symlink_to(victim)
    run = _export_onto(tmp_path, link, "export-out-symlink")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--out" in run.err and E_SYMLINK in run.err and "expected" in run.err, run.err
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "keep me\n"


def test_export_onto_fifo(tmp_path):
    fifo = tmp_path / "timeline.csv"
    os.mkfifo(fifo)
    run = cli("export-out-fifo", "timeline", "export", "--out", fifo, timeout=30)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--out" in run.err and E_FIFO in run.err and "expected" in run.err, run.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_onto_device(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    run = cli("export-out-device", "timeline", "export", "--out", node, timeout=30)
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "--out" in run.err and E_DEVICE in run.err and "expected" in run.err, run.err
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_figure_folder_swap_leaves_another_process_alone(tmp_path):
    replace_figures = _attr("_replace_figures", "chronology.render", "chronology.batch", "chronology.index", "chronology.kernel")
    folder = tmp_path / "report_files"
    folder.mkdir()
    (folder / "chart-1.svg").write_text("<svg>old</svg>")
    other = tmp_path / ".report_files.old"  # the name another process, mid-swap, is using now
    other.mkdir()
    (other / "chart-1.svg").write_text("<svg>the other process's</svg>")
    replace_figures(folder, {"chart-1.svg": b"<svg>new</svg>"}, None)
    assert (folder / "chart-1.svg").read_bytes() == b"<svg>new</svg>"
    assert (other / "chart-1.svg").exists(), "another process's swap folder was deleted"


# ---------------------------------------------------------------- one failing render, shared


@pytest.fixture(scope="module")
def failed_render(tmp_path_factory):
    """fails.ipynb rendered once: its cell raises inside a display formatter.

    A symlink is planted where the current code keeps failed notebooks ($TMPDIR/chronology-failed/).
    """
    base = tmp_path_factory.mktemp("failed")
    tmp = base / "tmp"
    (tmp / "chronology-failed").mkdir(parents=True)
    victim = base / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (tmp / "chronology-failed" / "fails-failed.ipynb").symlink_to(victim)
    run = cli("failed-render", "render", "--notebook", CASES / "fails.ipynb", "--out", base / "out", timeout=240,
              env={"TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(base / "rt"), "CHRONOLOGY_CACHE": str(base / "cache")})
    _kill_strays(base)
    return run, victim


def test_failed_notebook_is_kept_privately(failed_render):
    run, victim = failed_render
    assert run.rc == 1, run.err
    assert victim.read_text(encoding="utf-8") == "precious", "the planted symlink was followed"
    m = re.search(r"kept[^:]*: (\S+\.ipynb)", run.err)
    assert m, run.err
    kept = Path(m.group(1))
    assert kept.is_file() and not kept.is_symlink()
    folder = os.lstat(kept.parent)
    assert folder.st_uid == os.getuid() and stat.S_IMODE(folder.st_mode) & 0o077 == 0, oct(folder.st_mode)
    assert stat.S_IMODE(os.lstat(kept).st_mode) & 0o077 == 0


def test_failing_cell_message_names_the_real_exception(failed_render):
    run, _ = failed_render
    assert run.rc == 1, run.err
    assert "ValueError: hostile-repr-marker" in run.err and "NoneType: None" not in run.err, run.err


# ======================================================================================
# 4. Charts never receive non-finite numbers or degenerate extents; drawing failures are loud
# ======================================================================================


def _report(**params):
    from chronology.report import Report

    return Report.from_parameters(**params)


def _json_ok(spec: dict) -> None:
    json.dumps(spec, allow_nan=False)  # what the page's renderer does: NaN/Infinity fail the render


def _svg(spec: dict) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


def test_topic_reactions_map():
    spec = _report(topic="reactions").place_map().spec()
    _json_ok(spec)
    assert "<svg" in _svg(spec)


def test_huge_figure_value(tmp_path):
    statements = copy_data(tmp_path)
    rows = read_rows(statements)
    figure = next(r for r in rows if r["kind"] == "figure")
    figure["value"] = "1e308"
    write_rows(statements, rows)
    spec = _report(statements_csv=str(statements)).figures_chart().spec()
    _json_ok(spec)
    assert "<svg" in _svg(spec)


def test_line_separator_in_party_name(tmp_path):
    statements = copy_data(tmp_path)
    parties = read_rows(tmp_path / "parties.csv")
    parties[0]["name"] = "Azer\u2028baijan\u2029"
    write_rows(tmp_path / "parties.csv", parties)
    spec = _report(statements_csv=str(statements)).timeline().spec()
    _json_ok(spec)
    assert "<svg" in _svg(spec)


def test_many_parties(tmp_path):
    statements = copy_data(tmp_path)
    parties = read_rows(tmp_path / "parties.csv")
    rows = read_rows(statements)
    template = next(r for r in rows if r["kind"] == "statement")
    for i in range(1500):
        parties.append({"id": f"party-{i}", "name": f"Party {i}", "side": "third-party", "note": ""})
        rows.append({**template, "id": f"many-{i}", "party": f"party-{i}", "responds_to": ""})
    write_rows(tmp_path / "parties.csv", parties)
    write_rows(statements, rows)
    spec = _report(statements_csv=str(statements)).timeline().spec()
    _json_ok(spec)
    assert "<svg" in _svg(spec)


def test_years_before_100(tmp_path):
    statements = copy_data(tmp_path)
    rows = read_rows(statements)
    for r in rows:  # 1987 -> 0087, 2020 -> 0020: the same story, 1,900 years earlier
        for key in ("date", "date_end"):
            if r[key]:
                r[key] = "00" + r[key][2:]
    write_rows(statements, rows)
    svg = _svg(_report(statements_csv=str(statements)).timeline().spec())
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    wrong = [t for t in labels if re.search(r"\b(19|20)\d\d\b", t)]  # e.g. '23 Oct 1994' for 23 Oct 0094
    assert not wrong, wrong[:10]


def test_chart_that_fails_to_draw_fails_clearly():
    drawer_class = _attr("FigureDrawer", "chronology.render", "chronology.batch", "chronology.kernel", "chronology.index")
    drawer = drawer_class()
    try:
        bad = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "params": [{"name": "p", "expr": "1 +"}], "mark": "point", "data": {"values": [{}]}}
        drawer.on_cell_executed(cell={"outputs": [{"output_type": "display_data", "data": {"application/vnd.vegalite.v6+json": bad}}]})
        with pytest.raises(Exception, match="chart 1"):
            (getattr(drawer, "charts", None) or drawer.figures)()  # FigureDrawer.figures() became ChartDrawer.charts()
    finally:
        drawer.close()


# ======================================================================================
# 5. Signals: stop the kernel, remove temp files, say 'interrupted', exit 130/143
# ======================================================================================


def _start_render(tmp_path: Path, *args) -> tuple[subprocess.Popen, dict]:
    env = _env({"TMPDIR": str(tmp_path / "tmp"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "CHRONOLOGY_NO_CACHE": "1"})
    (tmp_path / "tmp").mkdir()
    (tmp_path / "rt").mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "chronology", "render", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    return proc, env


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _finish(case: str, proc: subprocess.Popen, started: float, tmp_path: Path) -> Run:
    try:
        out, err = proc.communicate(timeout=60)
        rc: int | str = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = "timeout"
    time.sleep(0.5)
    leftovers = sorted(p.name for p in (tmp_path / "tmp").iterdir()) + sorted(p.name for p in (tmp_path / "rt").glob("kernel-*.json"))
    strays = _stray_pids(tmp_path)
    _kill_strays(tmp_path)
    run = _record(Run(case, rc, out.decode(errors="replace"), err.decode(errors="replace") + (f"\n[leftovers: {leftovers}; stray kernels: {strays}]" if leftovers or strays else ""), time.monotonic() - started))
    run.leftovers, run.strays = leftovers, strays  # type: ignore[attr-defined]
    return run


def _stray_pids(marker: Path) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if os.fsencode(str(marker)) in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
    return pids


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_signal_while_cells_run(tmp_path, signum, code):
    marker = tmp_path / "running"
    proc, _ = _start_render(tmp_path, "--notebook", CASES / "sleeps.ipynb", "-p", "marker", marker, "--out", tmp_path / "out", "--timeout", "300")
    started = time.monotonic()
    try:
        assert _wait_for(marker.exists, 180), "the long cell never started"
        os.killpg(proc.pid, signum)  # as a terminal (Ctrl-C) or a process manager sends it: to the group
    finally:
        run = _finish(f"signal-during-cells {signal.Signals(signum).name}", proc, started, tmp_path)
    assert run.rc == code, run.err
    assert E_INTERRUPTED in run.err and "kernel died" not in run.err, run.err
    assert not run.leftovers and not run.strays, run.err


def test_sigterm_during_checks(tmp_path):
    proc, _ = _start_render(tmp_path, "--notebook", CASES / "notes.ipynb", "--out", tmp_path / "out")
    started = time.monotonic()
    try:
        # the kernel is starting (its connection file exists) while the driver checks the inputs
        # (jupyter_client puts the connection file in $TMPDIR as tmpXXXX.json, or kernel-*.json in the runtime dir)
        assert _wait_for(lambda: any((tmp_path / "tmp").glob("*.json")) or any((tmp_path / "rt").glob("kernel-*.json")), 120), "no kernel started"
        os.kill(proc.pid, signal.SIGTERM)  # `kill PID`: the driver alone
    finally:
        run = _finish("sigterm-during-checks", proc, started, tmp_path)
    assert run.rc == 143, run.err
    assert E_INTERRUPTED in run.err, run.err
    assert not run.leftovers and not run.strays, run.err


# ======================================================================================
# 6. TimelineJS import
# ======================================================================================


def _import(case: str, source: Path, out: Path | None, *extra) -> Run:
    args = ["timeline", "import", source, *extra] + (["--out", out] if out else [])
    return main(case, *args)


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh) for c in row]


def _formula(cell: str) -> bool:
    return cell.startswith(("=", "+", "@", "\t", "\r")) or (cell.startswith("-") and not re.match(r"^-?\d", cell[1:2] or "x"))


def test_import_neutralises_formula_cells(tmp_path):
    out = tmp_path / "data" / "statements.csv"
    run = _import("import-formula-cells", CASES / "timeline_formulas.csv", out)
    assert run.rc == 0, run.err
    for path in (out, out.parent / "parties.csv"):
        bad = [c for c in _cells(path) if _formula(c)]
        assert not bad, f"{path.name}: {bad}"


def test_import_keeps_a_protective_apostrophe(tmp_path):
    out = tmp_path / "data" / "statements.csv"
    run = _import("import-apostrophe", CASES / "timeline_formulas.csv", out)
    assert run.rc == 0, run.err
    summaries = [r["summary"] for r in read_rows(out)]
    assert any(s.startswith("'=1+1 is how") for s in summaries), summaries


def test_import_braces(tmp_path):
    out = tmp_path / "data" / "statements.csv"
    run = _import("import-braces", CASES / "timeline_braces.csv", out)
    assert run.rc == 0, run.err
    summary = read_rows(out)[0]["summary"]
    assert "USD 5" in summary and "{USD 5}" not in summary and "{shusha}" in summary, summary
    assert main("import-braces-validate", "validate", out).rc == 0


def test_import_non_latin_groups(tmp_path):
    out = tmp_path / "data" / "statements.csv"
    run = _import("import-non-latin-groups", CASES / "timeline_cyrillic_groups.csv", out)
    assert run.rc == 0, run.err
    statements = read_rows(out)
    parties = {r["id"]: r["name"] for r in read_rows(out.parent / "parties.csv")}
    assert len({r["party"] for r in statements[:3]}) == 1, [r["party"] for r in statements]
    assert statements[3]["party"] != statements[0]["party"]
    assert parties[statements[0]["party"]] == "Министерство обороны"
    assert parties[statements[3]["party"]] == "Վարչություն"


def test_import_huge_year(tmp_path):
    source = tmp_path / "year.csv"
    header = (CASES / "timeline_braces.csv").read_text(encoding="utf-8").splitlines()[0]
    source.write_text(header + "\n" + "9" * 5000 + ",,,,,,,,,Far future,,,,,,,,\n", encoding="utf-8")
    run = _import("import-5000-digit-year", source, None)
    assert run.rc == 2 and run.no_traceback(), run.err[:500]
    assert "year.csv:2: Year" in run.err and "expected a year" in run.err and len(run.err) < 2000, run.err[:500]


def _identical_headlines(path: Path, n: int) -> None:
    header = (CASES / "timeline_braces.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n" + "2020,11,8,,,,,,,Same headline,,,,,,,,\n" * n, encoding="utf-8")


def test_import_identical_headlines_is_linear(tmp_path):
    source = tmp_path / "same.csv"
    _identical_headlines(source, 16_000)
    run = cli("import-16000-identical", "timeline", "import", source, timeout=20)
    assert run.rc == 0, run.err[-500:]


def test_import_beside_a_cp1252_parties_file(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "parties.csv").write_bytes("id,name,side,note\nbaku,Bakı Café,azerbaijani,\n".encode("cp1252", "replace").replace(b"?", b"\xe9"))
    run = _import("import-cp1252-parties", CASES / "timeline_cyrillic_groups.csv", folder / "statements.csv")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert "parties.csv" in run.err and "UTF-8" in run.err, run.err
    assert not (folder / "statements.csv").exists()


def test_failed_import_leaves_sibling_files_alone(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    parties = b"id,name,side,note\r\nbaku-office,Baku office,azerbaijani,a note,an extra cell\r\n"
    (folder / "parties.csv").write_bytes(parties)
    sources = b"id,publisher,title,published,url,obtained\r\nbad-source,Someone,Something,2020,ftp://not-a-web-address,by hand\r\n"
    (folder / "sources.csv").write_bytes(sources)
    run = _import("import-fails-after-writing", CASES / "timeline_cyrillic_groups.csv", folder / "statements.csv")
    assert run.rc == 2 and run.no_traceback(), run.err
    assert (folder / "parties.csv").read_bytes() == parties
    assert (folder / "sources.csv").read_bytes() == sources
    assert not (folder / "statements.csv").exists()


def test_import_messages_say_what_was_expected(tmp_path):
    run = _import("import-messages-expected", CASES / "timeline_messages.csv", None)
    assert run.rc == 2 and run.no_traceback(), run.err
    problems = [ln for ln in run.err.splitlines() if ln.startswith(str(CASES / "timeline_messages.csv"))]
    assert len(problems) >= 7, run.err
    assert all("expected" in ln for ln in problems), "\n".join(ln for ln in problems if "expected" not in ln)


# ======================================================================================
# Smaller cases
# ======================================================================================


@pytest.mark.parametrize("value", ["0", "-5"])
def test_timeout_must_be_positive(tmp_path, value):
    run = check_only(f"timeout {value}", "--timeout", value, "--out", tmp_path / "out")
    assert run.rc == 2 and "--timeout" in run.err and "expected" in run.err, run.err


def test_name_with_newline(tmp_path):
    run = check_only("name-newline", "--name", "x\n", "--out", tmp_path / "out")
    assert run.rc == 2 and "--name" in run.err and "expected" in run.err, run.err


def test_vary_is_checked_before_kernels_start(tmp_path):
    run = check_only("vary-title", "--vary", "title", "A,B", "--out", tmp_path / "out")
    # either every variant is fine (exit 0), or the refusal names --vary and comes before any kernel
    assert run.rc in (0, 2) and run.no_traceback(), run.err
    if run.rc == 2:
        assert "--vary" in run.err and "--name" not in run.err, run.err
    names_run = check_only("vary-bad-name", "--vary", "title", "A b,C/d", "--out", tmp_path / "out")
    assert names_run.rc == 2 and "--vary" in names_run.err and "--name" not in names_run.err, names_run.err


def _fake_kernel(tmp_path: Path) -> tuple[dict, Path]:
    """A `python3` kernel spec that only leaves a mark: shows whether a kernel was started at all."""
    marker = tmp_path / "kernel-started"
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", f"open({str(marker)!r}, 'w').close()", "{connection_file}"],
        "display_name": "marker", "language": "python",
    }))
    return {"JUPYTER_PATH": str(tmp_path / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}, marker


def test_no_kernel_for_bad_parameters(tmp_path):
    env, marker = _fake_kernel(tmp_path)
    run = cli("kernel-before-refusal", "render", "-p", "naming", "bogus", "--out", tmp_path / "out", timeout=60, env=env)
    _kill_strays(tmp_path)
    assert run.rc == 2 and "naming" in run.err, run.err
    assert not marker.exists(), "a kernel was started for parameters that were then refused"


def test_max_problems_negative(tmp_path):
    statements = tmp_path / "statements.csv"
    statements.write_text("id,date\nx,2020-13-45\n", encoding="utf-8")
    run = main("max-problems-negative", "validate", "--max-problems", "-1", statements)
    assert run.rc == 2 and "--max-problems" in run.err and "expected" in run.err, run.err


def _css_unescape(css: str) -> str:
    """A CSS string token's value, as a browser reads it (CSS Syntax 4.3.7: one whitespace after a hex escape is eaten)."""
    assert css[0] == css[-1] == '"'
    body, out, i = css[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            m = re.match(r"[0-9A-Fa-f]{1,6}", body[i + 1:])
            if m:
                out.append(chr(int(m.group(0), 16)))
                i += 1 + len(m.group(0))
                if i < len(body) and body[i] in " \t\n":
                    i += 1
                continue
            out.append(body[i + 1])
            i += 2
            continue
        out.append(body[i])
        i += 1
    return "".join(out)


def test_css_string_keeps_spaces_after_escapes():
    from chronology.handout import css_string

    text = "Şuşa / Շուշի – compiled by Zoë «test» é end"
    assert _css_unescape(css_string(text)) == text


# ======================================================================================
# Property-based: whatever the input, exit 0 or 2 and never a traceback
# ======================================================================================

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROPERTY = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STATEMENT_COLUMNS = read_rows(DATA / "statements.csv")[0].keys()
_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "2020", "2020-13-01", "2020-02-30", "0000", "1e308", "-1", "nan", "inf", "figure", "statement", "event",
                     "azerbaijan", "shusha", "{shusha}", "{x}", '"', "'=1+1", "\u2028", "9" * 400]),
)


def _no_crash(run: Run) -> None:
    assert run.rc in (0, 2), (run.rc, run.err[-2000:])
    assert run.no_traceback(), run.err[-2000:]


@PROPERTY
@given(raw=st.binary(max_size=2000))
def test_property_validate_random_bytes(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "statements.csv").write_bytes(raw)
    _no_crash(main("property-bytes", "validate", folder / "statements.csv"))


@PROPERTY
@given(header=st.lists(st.one_of(st.sampled_from(list(STATEMENT_COLUMNS)), st.text(max_size=8)), min_size=1, max_size=25),
       rows=st.lists(st.lists(_cell, max_size=25), max_size=8),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_property_validate_random_csv_shapes(tmp_path_factory, header, rows, newline):
    folder = tmp_path_factory.mktemp("shapes")
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows([header] + rows)
    (folder / "statements.csv").write_text(buf.getvalue(), encoding="utf-8", errors="surrogatepass", newline="")
    _no_crash(main("property-csv", "validate", folder / "statements.csv"))


PARAMETER_NAMES = ["statements_csv", "naming", "start", "end", "parties", "topic", "audience", "title", "seed", "answers", "note", "bogus"]
_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                    st.sampled_from(["2020", "2020-13-01", "dual", "class", "turkey", "control-of-shusha", "1984", "True", "None"]))


def _nested(children):
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=3))


_value = st.recursive(_scalar, _nested, max_leaves=8)
_yaml_raw = st.sampled_from([
    "start: 2020-13-01", "end: 2020-02-30", "seed: " + "9" * 5000, "parties: " + "[" * 300 + "]" * 300, "title: !!binary aGk=",
    "title: !!python/object/apply:os.system ['true']", "naming: &a dual\naudience: *a", "- a\n- b", "just text", ":", "{", "title: 1984",
    "start: 2020-11-08", "answers: yes", "seed: 0x10", "title: .inf", "title: 2001-12-14t21:59:43.10-05:00", "\ufeffnaming: dual",
])


@PROPERTY
@given(doc=st.one_of(st.dictionaries(st.sampled_from(PARAMETER_NAMES), _value, max_size=5).map(lambda d: __import__("yaml").safe_dump(d, allow_unicode=True)),
                     _yaml_raw, st.text(max_size=60)),
       notebook=st.sampled_from(["report", "handout", str(CASES / "notes.ipynb")]))
def test_property_parameters_file(tmp_path_factory, doc, notebook):
    folder = tmp_path_factory.mktemp("yaml")
    (folder / "p.yaml").write_text(doc, encoding="utf-8", errors="surrogatepass")
    _no_crash(check_only("property-yaml", "--notebook", notebook, "-f", folder / "p.yaml", "--out", folder / "out"))


@PROPERTY
@given(pairs=st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES), st.one_of(st.text(max_size=20), st.sampled_from(["1984", "None", "True", "1e308", "[a, b]", "-1"]))), max_size=4))
def test_property_cli_parameters(tmp_path_factory, pairs):
    folder = tmp_path_factory.mktemp("pairs")
    args = [a for name, value in pairs for a in ("-p", name, value)]
    _no_crash(check_only("property-p", *args, "--out", folder / "out"))
