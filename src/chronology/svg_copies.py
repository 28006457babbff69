"""Static SVG copies of a page's charts (for slides), drawn in a worker process while the notebook runs.

vl-convert holds the interpreter lock while it draws, so drawing on a thread of the driver stalled
the driver's handling of the kernel's messages (about a second per chart). A worker process draws
on the other core instead. It is a plain subprocess (`python -m chronology.svg_copies`), not a
multiprocessing pool, so a script that calls `render()` without a `__main__` guard still works.
One worker serves every render of a process (a batch's share too); it reads one spec per line on
stdin and answers one JSON line per spec, in order.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

_LOCK = threading.Lock()
DRAW_TIMEOUT = 300  # seconds a chart may take to draw (the largest take about one)
_WORKER: _Worker | None = None


class DrawError(Exception):
    """What vl-convert said about a chart it could not draw."""


class _Worker:
    def __init__(self) -> None:
        package_parent = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)}
        # -P: the current folder is not put on the path (a file there must not shadow a module).
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "chronology.svg_copies"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, text=True, encoding="utf-8", bufsize=1)
        self.pending: list[Future] = []
        self.lock = threading.Lock()
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.writer = threading.Thread(target=self._write, daemon=True, name="svg-copies-writer")
        self.writer.start()
        self.reader = threading.Thread(target=self._read, daemon=True, name="svg-copies")
        self.reader.start()

    def submit(self, spec: dict) -> Future:
        future: Future = Future()
        try:
            line = json.dumps(spec, allow_nan=False) + "\n"
        except (TypeError, ValueError) as err:  # not JSON: Vega could not read it either
            future.set_exception(DrawError(f"{type(err).__name__}: {err}"))
            return future
        self.outbox.put((future, line))  # written by the writer thread: a large spec must not block the caller
        return future

    def _write(self) -> None:
        while True:
            item = self.outbox.get()
            if item is None:
                break
            future, line = item
            if future.cancelled():  # its render has ended
                continue
            with self.lock:
                self.pending.append(future)
            try:
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
            except (OSError, ValueError):
                break  # the worker is gone: the reader fails every pending chart
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        while True:  # anything still queued is never drawn
            try:
                item = self.outbox.get_nowait()
            except queue.Empty:
                break
            if item is not None and not item[0].done():
                item[0].set_exception(ChildProcessError("the drawing process stopped"))

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.lock:
                future = self.pending.pop(0) if self.pending else None
            if future is None or future.cancelled():
                continue
            try:
                answer = json.loads(line)
            except ValueError:
                answer = {"error": f"the drawing process answered {line[:200]!r}"}
            if "svg" in answer:
                future.set_result(answer["svg"].encode("utf-8"))
            else:
                future.set_exception(DrawError(answer.get("error", "unknown error")))
        with self.lock:
            left, self.pending = self.pending, []
        for future in left:
            if not future.cancelled():
                future.set_exception(ChildProcessError("the drawing process stopped (out of memory?)"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, kill: bool = False) -> None:
        self.outbox.put(None)  # the writer closes the worker's input once the queue is written
        if kill:
            self.proc.kill()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _worker() -> _Worker:
    global _WORKER
    with _LOCK:
        if _WORKER is None or not _WORKER.alive():
            if _WORKER is None:
                atexit.register(shutdown)
            _WORKER = _Worker()
        return _WORKER


def start() -> None:
    """Start the worker now: it imports vl-convert while the kernel warms up."""
    _worker()


def shutdown(kill: bool = False) -> None:
    global _WORKER
    with _LOCK:
        worker, _WORKER = _WORKER, None
    if worker is not None:
        worker.stop(kill)


class ChartDrawer:
    """Collects a page's charts as their cells finish and has the worker draw each."""

    def __init__(self) -> None:
        start()
        self.futures: list[Future] = []

    def on_cell_executed(self, cell=None, **_) -> None:
        for out in cell.get("outputs", []) if cell is not None else []:
            spec = next((v for k, v in out.get("data", {}).items() if k.startswith("application/vnd.vegalite")), None)
            if spec is not None:
                self.futures.append(_worker().submit(spec))

    def charts(self) -> dict[str, bytes]:
        from .inputs import RenderError  # a chart missing from the copies is a failed render (exit 1)

        out = {}
        for n, future in enumerate(self.futures, 1):
            try:
                out[f"chart-{n}.svg"] = future.result(timeout=DRAW_TIMEOUT)
            except TimeoutError:
                shutdown(kill=True)
                raise RenderError(f"chart {n} could not be drawn as SVG: still drawing after {DRAW_TIMEOUT} s") from None
            except Exception as err:
                # vl-convert's message: a heading, the JavaScript error, then its stack ("at ...") left out
                lines = [ln.strip() for ln in str(err).splitlines() if ln.strip() and not ln.strip().startswith("at ")]
                first = " ".join(lines[:2])[:300]
                said = first if isinstance(err, DrawError) else f"{type(err).__name__}: {first}"
                raise RenderError(f"chart {n} could not be drawn as SVG: {said}") from None
        return out

    def close(self) -> None:
        for future in self.futures:
            future.cancel()


def serve() -> None:
    """The worker: a spec per line in, {"svg": ...} or {"error": ...} per line out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the driver stops us
    # The answers get stdout to themselves: anything else printed goes to stderr (discarded by the driver).
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    import vl_convert

    for line in sys.stdin:
        try:
            answer = {"svg": vl_convert.vegalite_to_svg(json.loads(line))}
        except Exception as err:
            answer = {"error": f"{type(err).__name__}: {err}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
