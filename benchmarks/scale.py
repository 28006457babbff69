"""How validation and rendering scale with the number of rows: time, peak memory, page size.

    python benchmarks/scale.py [--sizes 10000 100000 1000000] [--timeout SECONDS]

For each size, synthetic data (benchmarks/synthetic.py, seed 0) is generated once into
/tmp/chronology-bench/ROWS/ and reused by later runs. Then, each as a subprocess started
from the project folder with the project's Python:

  validate   python -m chronology validate ROWS/statements.csv     (time and peak memory)
  render     python -m chronology render --data ROWS/statements.csv --out TMP --quiet

Memory: every 0.1 s the render's process tree is walked (psutil, else /proc/PID/task/*/children)
and each process's high-water mark (VmHWM in /proc/PID/status: the true peak resident size, not
a sample) is kept. "driver" is the render process itself, "kernel" the largest ipykernel below
it, "together" the largest sampled sum of the tree's resident sizes (what the machine must hold
at once). os.wait4 gives the render process's own ru_maxrss as a cross-check: it covers the
driver and the children it reaped, so a peak too short for the sampler is still caught. (It also
counts this script's pages between fork and exec, so the data is generated in a subprocess and this
script stays small.)
"cpu s" is the render's CPU time with the kernel's (wait4), less sensitive than wall time to other
work on the machine. GB and MB are 10^9 and 10^6 bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402  (benchmarks/synthetic.py)

try:
    import psutil
except ImportError:  # /proc is enough on Linux
    psutil = None

PROJECT = Path(__file__).resolve().parents[1]
CACHE = Path("/tmp/chronology-bench")
GB = 1e9

# (rows, what, limit, unit): the figure must be <= limit (memory: < limit).
TARGETS = [
    (100_000, "render", 15, "s"),
    (1_000_000, "validate", 10, "s"),
    (1_000_000, "render", 45, "s"),
    (1_000_000, "driver", 3, "GB"),
    (1_000_000, "kernel", 3, "GB"),
    (1_000_000, "together", 3, "GB"),
    (1_000_000, "html", 5, "MB"),
]
LABELS = {
    "render": "render time", "validate": "validate time", "driver": "peak memory, driver",
    "kernel": "peak memory, kernel", "together": "peak memory, driver + kernel at once", "html": "HTML size",
}


def project_python() -> Path:
    venv = PROJECT / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


# ------------------------------------------------------------------ measuring a process tree


def _status(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process in bytes; (0, 0) when it is gone."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        if psutil is not None:  # no /proc (not Linux): resident size only
            try:
                rss = psutil.Process(pid).memory_info().rss
                hwm = rss
            except psutil.Error:
                pass
    return hwm, rss


def _descendants(pid: int) -> list[int]:
    if psutil is not None:
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += kids
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        if psutil is not None:
            try:
                return " ".join(psutil.Process(pid).cmdline())
            except psutil.Error:
                pass
        return ""


@dataclass
class Run:
    cmd: list[str]
    returncode: int | None = None
    wall: float = 0.0
    timed_out: bool = False
    stderr: str = ""
    root_hwm: int = 0  # the command's own peak (sampled high-water mark)
    children: dict = field(default_factory=dict)  # pid -> [cmdline, peak]
    together: int = 0  # largest sampled sum of resident sizes over the tree
    ru_maxrss: int = 0  # os.wait4: max over the command and the children it reaped
    cpu: float = 0.0  # os.wait4: CPU seconds of the command and the children it reaped (the kernel)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def kernel(self) -> int:
        peaks = [peak for cmd, peak in self.children.values() if "ipykernel" in cmd]
        return max(peaks, default=0)

    @property
    def driver(self) -> int:
        # ru_maxrss above every child's own peak can only be the command's own.
        child_max = max((peak for _, peak in self.children.values()), default=0)
        return max(self.root_hwm, self.ru_maxrss if self.ru_maxrss > child_max else 0)

    def tail(self, n: int = 4) -> str:
        lines = [ln for ln in self.stderr.strip().splitlines() if "Kernel is running over TCP" not in ln]
        return "\n".join(lines[-n:])


def measure(cmd: list[str], *, timeout: float, env: dict, interval: float = 0.1) -> Run:
    """Run cmd to the end, sampling its process tree's memory; kill the tree after `timeout` s."""
    run = Run(cmd)
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            hwm, rss = _status(proc.pid)
            run.root_hwm = max(run.root_hwm, hwm)
            total = rss
            for child in _descendants(proc.pid):
                c_hwm, c_rss = _status(child)
                entry = run.children.setdefault(child, [_cmdline(child), 0])
                entry[1] = max(entry[1], c_hwm)
                total += c_rss
            run.together = max(run.together, total)
            if time.perf_counter() - t0 > timeout and not run.timed_out:
                run.timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # the group this command leads (start_new_session)
                except ProcessLookupError:
                    pass
            time.sleep(interval)
        run.wall = time.perf_counter() - t0
        proc.returncode = run.returncode = os.waitstatus_to_exitcode(status)
        run.ru_maxrss = usage.ru_maxrss * 1024  # kilobytes on Linux
        run.cpu = usage.ru_utime + usage.ru_stime
        err.seek(0)
        run.stderr = err.read().decode("utf-8", "replace")
    if run.timed_out:
        run.stderr += f"\n(stopped after {timeout:.0f} s)"
    return run


# ------------------------------------------------------------------ the benchmark


def fmt(x, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=lambda s: int(s.replace(",", "").replace("_", "")), default=[10_000, 100_000, 1_000_000], help="row counts (default 10000 100000 1000000)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before a command is stopped (default 1800)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    py = str(project_python())
    env = dict(os.environ)
    env.pop("CI", None)
    out_root = Path(tempfile.mkdtemp(prefix="chronology-bench-scale-"))
    subprocess.run([py, "-m", "chronology", "validate", "--quiet", str(PROJECT / "data" / "statements.csv")], cwd=PROJECT, env=env, capture_output=True)  # warm-up

    rows_out = []
    notes: list[str] = []
    figures: dict[tuple[int, str], float | None] = {}
    started = time.perf_counter()
    for rows in args.sizes:
        path, gen_seconds = synthetic.cached(rows, CACHE, args.seed, python=py)
        csv_mb = path.stat().st_size / 1e6
        if gen_seconds is not None:
            notes.append(f"{rows:,} rows: generated {csv_mb:.0f} MB into {path.parent} in {gen_seconds:.1f} s")
        val = measure([py, "-m", "chronology", "validate", str(path)], timeout=args.timeout, env=env)
        if not val.ok:
            notes.append(f"{rows:,} rows: validate exit {val.returncode}:\n" + _indent(val.tail()))
        out_dir = out_root / str(rows)
        ren = measure([py, "-m", "chronology", "render", "--data", str(path), "--out", str(out_dir), "--quiet"], timeout=args.timeout, env=env)
        html = out_dir / "report.html"
        html_mb = html.stat().st_size / 1e6 if ren.ok and html.exists() else None
        if not ren.ok:
            notes.append(f"{rows:,} rows: render exit {ren.returncode} after {ren.wall:.1f} s:\n" + _indent(ren.tail(6)))
        kernels = sum(1 for cmd, _ in ren.children.values() if "ipykernel" in cmd)
        if kernels != 1:
            notes.append(f"{rows:,} rows: the render ran {kernels} kernels (the kernel column is the largest)")
        figures.update({
            (rows, "validate"): val.wall if val.ok else None,
            (rows, "render"): ren.wall if ren.ok else None,
            (rows, "driver"): ren.driver / GB,
            (rows, "kernel"): ren.kernel / GB if kernels else None,
            (rows, "together"): ren.together / GB,
            (rows, "html"): html_mb,
        })
        rows_out.append((rows, csv_mb, val, ren, html_mb))
        shutil.rmtree(out_dir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(out_root, ignore_errors=True)

    print("Scale benchmark")
    print(f"  machine:  {_machine(py)}")
    print(f"  data:     {CACHE}/ROWS/ (benchmarks/synthetic.py, seed {args.seed}); one run per size; {elapsed:.0f} s in all")
    print(f"  load:     {load_text()} at end")
    print("            (other work on the machine slows every step; cpu s is our own, the kernel's included)")
    print()
    columns = [("rows", 9), ("CSV MB", 6), ("validate s", 10), ("val. GB", 7), ("render s", 8), ("cpu s", 6), ("driver GB", 9), ("kernel GB", 9), ("together GB", 11), ("HTML MB", 7)]
    print("  " + "  ".join(f"{name:>{w}}" for name, w in columns))
    print("  " + "  ".join("-" * w for _, w in columns))
    for rows, csv_mb, val, ren, html_mb in rows_out:
        v = figures[(rows, "validate")]
        r = figures[(rows, "render")]
        print(
            f"  {rows:>9,}  {csv_mb:>6.0f}  {fmt(v, '.1f') if v is not None else 'failed':>10}  {val.driver / GB:>7.2f}  "
            f"{fmt(r, '.1f') if r is not None else 'failed':>8}  {ren.cpu:>6.1f}  {ren.driver / GB:>9.2f}  {fmt(figures[(rows, 'kernel')], '.2f'):>9}  "
            f"{ren.together / GB:>11.2f}  {fmt(html_mb, '.2f'):>7}"
        )
    print()
    chosen = [t for t in TARGETS if t[0] in args.sizes]
    labels = [f"{rows:,} rows: {LABELS[what]} {'<' if unit == 'GB' else '<='} {limit} {unit}" for rows, what, limit, unit in chosen]
    w = max([len(x) for x in labels] + [6])
    print(f"  {'target':<{w}}  {'measured':>10}  result")
    print(f"  {'-' * w}  {'-' * 10}  ------")
    for (rows, what, limit, unit), label in zip(chosen, labels):
        value = figures.get((rows, what))
        if value is None:
            print(f"  {label:<{w}}  {'-':>10}  MISS (failed)")
            continue
        ok = value < limit if unit == "GB" else value <= limit
        print(f"  {label:<{w}}  {value:>7.2f} {unit:<2}  {'PASS' if ok else 'MISS'}")
    if notes:
        print()
        print("  notes:")
        for note in notes:
            print("  - " + note)
    return 0


def load_text() -> str:
    """Load average and, where the kernel reports it, the share of the last minute tasks waited for a CPU."""
    try:
        text = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        text = "load average ?"
    try:
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0]
        avg60 = float(some.split("avg60=")[1].split()[0])
        text += f", CPU pressure {avg60:.0f}% (share of the last minute tasks waited for a CPU)"
    except (OSError, IndexError, ValueError):
        pass
    return text


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines())


def _machine(py: str) -> str:
    model = "unknown CPU"
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    version = subprocess.run([py, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {os.cpu_count()} cores, Python {version}, psutil {'yes' if psutil else 'no (/proc)'}"


if __name__ == "__main__":
    sys.exit(main())
