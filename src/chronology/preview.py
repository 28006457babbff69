"""`python -m chronology preview`: edit the data, see the report in about a second.

One warm kernel is kept between renders; the data files and the parameters file are polled
(mtime, size, inode every 0.2 s); a burst of saves is coalesced (0.15 s of quiet) and rendered
once, one render at a time. The data is validated in this process before the kernel runs a cell,
so bad data never reaches the kernel: its `file:line: column: value: expected ...` messages are
shown in place of the report, with the last good render one click away.

The page is served on 127.0.0.1 only, by the standard library's ThreadingHTTPServer: the Host
header must name 127.0.0.1:PORT or localhost:PORT (DNS rebinding), only files inside the output
folder are served (resolved, so no `..` and no symlink leads out; no directory listings), and a
POST must come from the page itself (Origin). The page reloads itself through server-sent events
(/events); that script and the parameters form are added when the page is served, never written
into the report file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ChronologyError
from .preview_server import PAGE_NAME, Server

POLL_SECONDS = 0.1
DEBOUNCE_SECONDS = 0.1
FORM_FIELDS = ("naming", "start", "end", "parties", "topic", "audience")
KEEP_RENDERS = 6  # executed notebooks kept in memory, by what they depend on


# --- the render pipeline, as the preview uses it (the one place that names its internals) -------


def _pipeline():
    """The render pipeline's pieces the preview drives, in one namespace."""
    from types import SimpleNamespace

    from . import cli, kernel, render

    return SimpleNamespace(
        parse_cli_parameters=cli.parse_parameters, Kernel=kernel.Kernel, check_inputs=render.check_inputs,
        safe_output_path=render.safe_output_path, _write=render._write, Progress=render.Progress,
        execute=render.execute, resolve_notebook=render.resolve_notebook,
    )


def _bad_input(err: Exception) -> bool:
    return getattr(err, "exit_code", 1) == 2


# --- state --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What `/` shows: the report (ok), an error message, or 'the first render is running'."""

    generation: int = 0
    ok: bool | None = None
    message: str = ""
    seconds: float = 0.0
    finished: float = 0.0
    last_good: float | None = None  # wall-clock time of the last good render


@dataclass
class Settings:
    notebook: Path
    data: Path | None
    cli_parameters: dict
    parameters_file: Path | None
    out_dir: Path
    timeout: int = 600
    form: dict = field(default_factory=dict)  # parameters set from the page


class Preview:
    """The warm kernel, the watcher, the render loop and what the server shows."""

    def __init__(self, settings: Settings, log=None):
        self.s = settings
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.outcome = Outcome()
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._kernel = None
        self._done: OrderedDict[str, tuple] = OrderedDict()  # key -> (executed notebook, assets copy)
        self._shown_key: str | None = None
        self.rendering = False
        self.renders = 0
        self.steps: dict[str, float] = {}

    # -- parameters and watched files --

    def parameters(self) -> dict:
        pipeline = _pipeline()
        values: dict = {}
        if self.s.parameters_file is not None:
            values.update(pipeline.parse_cli_parameters([], str(self.s.parameters_file)))
        values.update(self.s.cli_parameters)
        values.update(self.s.form)
        if self.s.data is not None:
            values["statements_csv"] = str(self.s.data)
        return values

    def statements_path(self) -> Path:
        try:
            given = self.parameters().get("statements_csv")
        except Exception:
            given = None
        return Path(given) if isinstance(given, str) and given else paths.STATEMENTS_CSV

    def watched(self) -> list[Path]:
        """The statements file, everything beside it (places, parties, sources, other data), the bundled fallbacks, the parameters file."""
        from .load import sibling_files

        statements = self.statements_path()
        files = {statements}
        try:
            files.update(p for p in statements.parent.iterdir() if p.is_file() and not p.name.startswith(".") and not p.name.endswith(("~", ".partial", ".swp")))
        except OSError:
            pass
        files.update(sibling_files(statements).values())
        if self.s.parameters_file is not None:
            files.add(self.s.parameters_file)
        return sorted(files)

    @staticmethod
    def snapshot(files: list[Path]) -> dict:
        out = {}
        for f in files:
            try:
                st = f.stat()
                out[f] = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                out[f] = None
        return out

    # -- the loops --

    def request(self) -> None:
        self._wanted.set()

    def watch_loop(self) -> None:
        seen = self.snapshot(self.watched())
        pending_since = None
        checked = time.monotonic()
        while not self.stopping.is_set():
            self.stopping.wait(0.05 if pending_since else POLL_SECONDS)
            if time.monotonic() - checked > 2:  # a crashed kernel is replaced before the next edit needs it
                checked = time.monotonic()
                self._watchdog()
            now = self.snapshot(self.watched())
            if now != seen:
                seen = now
                pending_since = time.monotonic()  # wait for the burst of saves to end
            elif pending_since and time.monotonic() - pending_since >= DEBOUNCE_SECONDS:
                pending_since = None
                self.request()

    def render_loop(self) -> None:
        while not self.stopping.is_set():
            if not self._wanted.wait(0.5):
                continue
            self._wanted.clear()
            if self.stopping.is_set():
                return
            self.render_once()

    # -- one render --

    def _key(self, nb_path: Path, parameters: dict) -> str:
        from .cache import dataset_key

        h = hashlib.sha256(nb_path.read_bytes())
        h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
        h.update(dataset_key(Path(parameters.get("statements_csv") or paths.STATEMENTS_CSV)).encode())
        for f in sorted(paths.PACKAGE_DIR.glob("*.py")):  # the code that builds the sections
            st = f.stat()
            h.update(f"{f.name}{st.st_mtime_ns}{st.st_size}".encode())
        return h.hexdigest()

    def _kernel_ready(self):
        pipeline = _pipeline()
        if self._kernel is not None:
            from jupyter_core.utils import run_sync

            km = self._kernel.km
            alive = False
            try:
                alive = km is not None and run_sync(km.is_alive)()
            except Exception:
                alive = False
            if not alive and not self._kernel._thread.is_alive():  # started (or failed to) and gone
                self.log("preview: the kernel is gone; starting a new one")
                self._kernel.shutdown()
                self._kernel = None
        if self._kernel is None:
            self._kernel = pipeline.Kernel(self.s.notebook.parent)
        return self._kernel

    def _watchdog(self) -> None:
        if self._lock.acquire(blocking=False):
            try:
                if not self.stopping.is_set() and self._kernel is not None and not self._kernel._thread.is_alive() and not self._alive(self._kernel):
                    self._kernel_ready()
            finally:
                self._lock.release()

    def start_kernel(self) -> None:
        with self._lock:
            self._kernel_ready()

    def render_once(self) -> None:
        with self._lock:
            started = time.monotonic()
            self.rendering = True
            self._publish_event("rendering")
            try:
                result = self._render()
            except ChronologyError as err:
                result = ("error", str(err))
            except Exception as err:  # pipeline errors not yet on the common base class
                if hasattr(err, "exit_code"):
                    result = ("error", str(err))
                else:
                    result = ("error", f"internal error: {type(err).__name__}: {err}")
            finally:
                self.rendering = False
            seconds = time.monotonic() - started
            kind, message = result
            if kind == "same":
                self._publish_event("rendered")  # nothing changed: the open page stays as it is
                return
            with self.changed:
                o = self.outcome
                o.generation += 1
                o.ok = kind == "ok"
                o.message = "" if o.ok else message
                o.seconds = seconds
                o.finished = time.time()
                if o.ok:
                    o.last_good = o.finished
                self.renders += 1
                self.changed.notify_all()
            detail = ", ".join(f"{k} {v:.2f}" for k, v in self.steps.items())
            self.log(f"preview: rendered in {seconds:.2f} s ({detail})" if kind == "ok" else f"preview: error ({seconds:.2f} s):\n{message}")

    def _render(self) -> tuple[str, str]:
        pipeline = _pipeline()
        nb_path = self.s.notebook
        try:
            parameters = self.parameters()
        except Exception as err:
            if _bad_input(err):
                return "error", str(err)
            raise
        steps = self.steps = {}
        t = time.monotonic()
        # Bad data or parameters stop here, in this process: the kernel never sees them.
        p = pipeline.check_inputs(nb_path, parameters)
        steps["check"] = time.monotonic() - t
        if p.statements_csv:
            parameters["statements_csv"] = str(Path(p.statements_csv).resolve())
        key = self._key(nb_path, parameters)
        if key == self._shown_key and self.outcome.ok:
            return "same", ""
        out_dir = self.s.out_dir
        target = pipeline.safe_output_path(out_dir, PAGE_NAME)
        assets = Path(tempfile.mkdtemp(prefix="chronology-preview-assets-"))
        try:
            if key in self._done:
                nb, kept = self._done[key]
                self._done.move_to_end(key)
                shutil.copytree(kept, assets, dirs_exist_ok=True)
            else:
                t = time.monotonic()
                nb = self._execute(pipeline, nb_path, parameters, assets)
                steps["kernel"] = time.monotonic() - t
                kept = Path(tempfile.mkdtemp(prefix="chronology-preview-kept-"))
                shutil.copytree(assets, kept, dirs_exist_ok=True)
                self._done[key] = (nb, kept)
                while len(self._done) > KEEP_RENDERS:
                    _, (_, old) = self._done.popitem(last=False)
                    shutil.rmtree(old, ignore_errors=True)
            # No SVG copies while previewing (no drawer): `render` makes them.
            t = time.monotonic()
            pipeline._write(nb, nb_path, parameters, out_dir, target, pipeline.Progress(PAGE_NAME, False), assets, None)
            steps["export"] = time.monotonic() - t
        finally:
            shutil.rmtree(assets, ignore_errors=True)
        self._shown_key = key
        return "ok", ""

    def _execute(self, pipeline, nb_path: Path, parameters: dict, assets: Path):
        failed_dir = None  # render.execute keeps a failed notebook in a private per-user folder
        for attempt in (1, 2):
            kernel = self._kernel_ready()
            try:
                return pipeline.execute(nb_path, parameters, kernel=kernel, timeout=self.s.timeout, failed_dir=failed_dir, assets=(assets, f"{PAGE_NAME}_files"))
            except Exception as err:
                if self.stopping.is_set() or attempt == 2 or "kernel died" not in str(err) and self._alive(kernel):
                    raise
                self.log("preview: the kernel died; starting a new one and rendering again")
                kernel.shutdown()
                self._kernel = None

    @staticmethod
    def _alive(kernel) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return kernel.km is not None and bool(run_sync(kernel.km.is_alive)())
        except Exception:
            return False

    def _publish_event(self, name: str) -> None:
        with self.changed:
            self._last_event = name
            self.changed.notify_all()

    def kernel_pid(self) -> int | None:
        try:
            return self._kernel.km.provisioner.process.pid
        except Exception:
            return None

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            pid = None
            try:
                pid = kernel.km.provisioner.process.pid
            except Exception:
                pass
            try:
                kernel.shutdown()
            except Exception:
                pass
            if pid:  # never leave a kernel behind, whatever state its manager was in
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        for _, kept in self._done.values():
            shutil.rmtree(kept, ignore_errors=True)
        self._done.clear()

    # -- what the server shows --

    def form_values(self) -> dict:
        try:
            values = self.parameters()
        except Exception:
            values = dict(self.s.cli_parameters, **self.s.form)
        parties = values.get("parties")
        if isinstance(parties, (list, tuple)):
            parties = ", ".join(map(str, parties))
        return {"naming": values.get("naming") or "dual", "start": values.get("start"), "end": values.get("end"), "parties": parties, "topic": values.get("topic"), "audience": values.get("audience") or "reader"}

    def set_form(self, fields: dict[str, list[str]]) -> None:
        if fields.get("reset"):
            self.s.form = {}
        else:
            form = {}
            for name in FORM_FIELDS:
                if name not in fields:
                    continue
                value = fields[name][0].strip()
                if name == "parties":
                    form[name] = [s.strip() for s in value.strip("[]").split(",") if s.strip()] or None
                else:
                    form[name] = value or None
            self.s.form = form
        self.request()


# --- command line -------------------------------------------------------------------------------


class _Stop(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def run(args) -> int:
    # The same checks as `render` (regular files, UTF-8 paths, a writable folder); a refusal is an
    # InputError that cli.main prints with exit 2.
    from .fileio import check_output_folder, open_regular
    from .inputs import check_data_path

    pipeline = _pipeline()
    nb_path = pipeline.resolve_notebook(args.notebook)
    cli = pipeline.parse_cli_parameters(args.parameter, None)
    for given, flag in ((args.parameters_file, "-f"), (args.data, "--data")):
        if given:
            check_data_path(given, flag)
            os.close(open_regular(given))
    params_file = Path(args.parameters_file).resolve() if args.parameters_file else None
    data = Path(args.data).resolve() if args.data else None
    own_out = args.out is None
    if not own_out:
        check_output_folder(args.out)
    out_dir = Path(tempfile.mkdtemp(prefix="chronology-preview-")) if own_out else Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    preview = Preview(Settings(notebook=nb_path, data=data, cli_parameters=cli, parameters_file=params_file, out_dir=out_dir, timeout=args.timeout))
    try:
        server = Server(args.port, preview)
    except OSError as err:
        print(f"error: --port {args.port}: cannot listen on 127.0.0.1:{args.port}: {err.strerror or err}", file=sys.stderr)
        return 2

    def on_signal(signum, frame):
        raise _Stop(signum)

    old_term = signal.signal(signal.SIGTERM, on_signal)
    old_int = signal.signal(signal.SIGINT, on_signal)
    threads = []
    code = 0
    try:
        preview.start_kernel()  # starts now; the first render waits for it
        threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True),
            threading.Thread(target=preview.render_loop, name="render", daemon=True),
            threading.Thread(target=preview.watch_loop, name="watch", daemon=True),
        ]
        for t in threads:
            t.start()
        port = server.server_address[1]
        print(f"preview: http://127.0.0.1:{port}/  (output in {out_dir}; Ctrl-C to stop)", flush=True)
        preview.request()
        while True:
            time.sleep(0.5)
    except _Stop as stop:
        code = 143 if stop.signum == signal.SIGTERM else 130
    except KeyboardInterrupt:
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the clean-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.closing = True
        preview.stop()
        server.shutdown() if threads else None
        server.server_close()
        if own_out:
            shutil.rmtree(out_dir, ignore_errors=True)
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
    print("preview: stopped", file=sys.stderr, flush=True)
    return code

