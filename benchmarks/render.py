"""How long a render takes, against the floor and the naive pipeline, on this machine, in one run.

    python benchmarks/render.py [--runs N] [--warmup N]

Every step is a whole command started as a subprocess (interpreter start-up counts), run from
the project folder with the project's Python (.venv/bin/python when present):

  (a) floor    a fresh Python runs nbclient on a two-cell notebook: `import pandas, altair`, ""
  (b) render   python -m chronology render --out TMP --quiet
  (c) naive    papermill notebooks/report.ipynb TMP/out.ipynb --cwd notebooks
               && jupyter nbconvert --to html TMP/out.ipynb          (timed together)
  (d) batch    python -m chronology render --out TMP --quiet
                   --vary naming dual,azerbaijani,armenian --vary audience reader,class   (6 pages)

Warm-up: (b) runs once untimed first. That fills the caches of normal use that every step relies
on (the Vega bundle in ~/.cache/chronology; the OS page cache of python, pandas, altair, ipykernel,
papermill, nbconvert); --warmup-all warms each step instead. Then N timed rounds. A round
runs a, b, c, d in turn, so a change in the machine's load during the run touches every step
alike. Prints the median, min and max wall time of each step and its median CPU time (the
command's and every process it waited for: the kernel's too), the ratios b/a, c/b, d/b against
their targets, and the default page's size and how many Vega and DataTables bundles it holds.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
VARY = ["--vary", "naming", "dual,azerbaijani,armenian", "--vary", "audience", "reader,class"]
N_VARIANTS = 6

# (ratio name, numerator, denominator, target text, test)
TARGETS = [
    ("b/a  render / floor", "b", "a", "<= 1.3", lambda r: r <= 1.3),
    ("c/b  naive / render", "c", "b", ">= 1.4", lambda r: r >= 1.4),
    ("d/b  6-page batch / render", "d", "b", "<= 3.5", lambda r: r <= 3.5),
]
HTML_TARGET_MB = 2.5

FLOOR_SCRIPT = """\
import nbformat
from nbclient import NotebookClient

nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell("import pandas, altair"), nbformat.v4.new_code_cell("")]
NotebookClient(nb, kernel_name="python3", timeout=600).execute()
"""


def project_python() -> Path:
    venv = PROJECT / ".venv" / "bin" / "python"
    return venv if venv.exists() else Path(sys.executable)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or model
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024**2:.0f} GB RAM"
    except (OSError, AttributeError):
        pass
    py = subprocess.run([str(project_python()), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True).stdout.strip()
    return f"{model}, {cores} cores ({usable} usable){mem}, Python {py} ({project_python()})"


def load_average() -> str:
    """Load average and, where the kernel reports it, the share of the last minute tasks waited for a CPU."""
    try:
        text = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        text = "?"
    try:
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0]
        text += f" (CPU pressure {float(some.split('avg60=')[1].split()[0]):.0f}%)"
    except (OSError, IndexError, ValueError):
        pass
    return text


class Step:
    def __init__(self, key: str, label: str, commands: list[list[str]], out_dir: Path):
        self.key, self.label, self.commands, self.out_dir = key, label, commands, out_dir
        self.times: list[float] = []
        self.cpu: list[float] = []  # CPU seconds of the command and every process it waited for (the kernel)
        self.last_cpu = 0.0
        self.error: str | None = None  # why the step has no figures
        self.unavailable = False

    def run(self, env: dict) -> float | None:
        """Run the commands one after another; their total wall time, or None (self.error says why)."""
        if self.out_dir.exists():
            shutil.rmtree(self.out_dir)
        self.out_dir.mkdir(parents=True)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        for cmd in self.commands:
            proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                if proc.returncode == 2 and "unrecognized arguments" in proc.stderr:
                    self.unavailable = True
                    self.error = "not available (" + proc.stderr.strip().splitlines()[-1][:100] + ")"
                else:
                    tail = "\n".join(proc.stderr.strip().splitlines()[-4:])
                    self.error = f"exit {proc.returncode}: {' '.join(cmd[:4])} ...\n{textwrap.indent(tail, '      ')}"
                return None
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        return wall

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


def fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def page_facts(html_path: Path) -> tuple[float, int, int]:
    """(size in MB, Vega bundles, DataTables bundles) of one page."""
    text = html_path.read_text(encoding="utf-8", errors="replace")
    size = html_path.stat().st_size / 1e6
    vega = text.count("window.vegaEmbed=")
    # A DataTables library carries its banner comment ("/*! DataTables 1.13.8 ...") and defines
    # $.fn.dataTable; count whichever shows more copies (one bundle usually has both).
    banners = len(re.findall(r"/\*!?\s*DataTables \d", text))
    definitions = len(re.findall(r"\.fn\.dataTable\s*=", text))
    return size, vega, max(banners, definitions)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each step (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs of (b) first, which fill the caches all steps use (default 1)")
    ap.add_argument("--warmup-all", action="store_true", help="warm up every step, not only (b)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = ap.parse_args(argv)

    py = str(project_python())
    bindir = Path(py).parent
    papermill = str(bindir / "papermill") if (bindir / "papermill").exists() else shutil.which("papermill") or "papermill"
    jupyter = str(bindir / "jupyter") if (bindir / "jupyter").exists() else shutil.which("jupyter") or "jupyter"
    env = dict(os.environ)
    env.pop("CI", None)

    tmp = Path(tempfile.mkdtemp(prefix="chronology-bench-render-"))
    floor = tmp / "floor.py"
    floor.write_text(FLOOR_SCRIPT)
    naive_out = tmp / "c"
    steps = [
        Step("a", "(a) floor: kernel + import pandas, altair", [[py, str(floor)]], tmp / "a"),
        Step("b", "(b) python -m chronology render", [[py, "-m", "chronology", "render", "--out", str(tmp / "b"), "--quiet"]], tmp / "b"),
        Step("c", "(c) papermill CLI + nbconvert CLI", [
            [papermill, "notebooks/report.ipynb", str(naive_out / "out.ipynb"), "--cwd", "notebooks"],
            [jupyter, "nbconvert", "--to", "html", str(naive_out / "out.ipynb")],
        ], naive_out),
        Step("d", f"(d) render --vary ... ({N_VARIANTS} pages)", [[py, "-m", "chronology", "render", "--out", str(tmp / "d"), "--quiet", *VARY]], tmp / "d"),
    ]

    started = time.perf_counter()
    load_before = load_average()
    batch = steps[3]
    probe = subprocess.run([py, "-m", "chronology", "render", "--help"], cwd=PROJECT, env=env, capture_output=True, text=True)
    if "--vary" not in probe.stdout:
        batch.unavailable, batch.error = True, "not available (render has no --vary option)"
    # Warm-up: (b) fills every cache the four steps use (the Vega bundle in ~/.cache/chronology;
    # python, pandas, altair, ipykernel, papermill, nbconvert and its templates in the page cache).
    # --warmup-all gives each step its own warm-up instead (about a minute longer).
    for _ in range(args.warmup):
        for s in (steps if args.warmup_all else [steps[1]]):
            if s.error is None:
                s.run(env)
    for _ in range(args.runs):
        for s in steps:
            if s.error is None:
                t = s.run(env)
                if t is not None:
                    s.times.append(t)
                    s.cpu.append(s.last_cpu)
    elapsed = time.perf_counter() - started

    # The pages the last runs wrote.
    report = tmp / "b" / "report.html"
    batch_pages = sorted(p for p in (tmp / "d").glob("*.html") if p.name != "index.html") if (tmp / "d").exists() else []

    print("Render benchmark")
    print(f"  machine:   {machine()}")
    print(f"  load:      {load_before} at start, {load_average()} at end")
    print("             (load average; CPU pressure = share of the last minute tasks waited for a CPU. Other work")
    print("             on the machine slows every step; cpu s is our own CPU time, the kernel's included)")
    warmed = "every step" if args.warmup_all else "(b)"
    print(f"  runs:      {args.runs} timed rounds of a, b, c, d after {args.warmup} warm-up of {warmed}; each step a fresh subprocess; {elapsed:.0f} s in all")
    print()
    w = max(len(s.label) for s in steps)
    print(f"  {'step':<{w}}  {'median s':>8}  {'min s':>6}  {'max s':>6}  {'cpu s':>6}")
    print(f"  {'-' * w}  {'-' * 8}  {'-' * 6}  {'-' * 6}  {'-' * 6}")
    for s in steps:
        if s.times:
            print(f"  {s.label:<{w}}  {fmt(s.median):>8}  {fmt(min(s.times)):>6}  {fmt(max(s.times)):>6}  {fmt(statistics.median(s.cpu)):>6}")
        else:
            print(f"  {s.label:<{w}}  {s.error.splitlines()[0] if s.error else 'no runs'}")
            for line in (s.error or "").splitlines()[1:]:
                print(f"  {line}")
    by = {s.key: s for s in steps}
    if by["d"].times and batch_pages:
        print(f"  {'':<{w}}  ({len(batch_pages)} pages written, {by['d'].median / len(batch_pages):.2f} s a page)")
    print()
    print(f"  {'ratio (of medians)':<28}  {'value':>5}  {'target':>7}  result  {'cpu ratio':>9}")
    print(f"  {'-' * 28}  {'-' * 5}  {'-' * 7}  ------  {'-' * 9}")
    for name, num, den, target, ok in TARGETS:
        a, b = by[num].median, by[den].median
        if a is None or b is None:
            why = "not available" if by[num].unavailable or by[den].unavailable else "no figures"
            print(f"  {name:<28}  {'-':>5}  {target:>7}  {why}")
        else:
            r = a / b
            cpu = statistics.median(by[num].cpu) / statistics.median(by[den].cpu)
            print(f"  {name:<28}  {r:5.2f}  {target:>7}  {'PASS' if ok(r) else 'MISS'}    {cpu:>9.2f}")
    print()
    if report.exists():
        size, vega, datatables = page_facts(report)
        print(f"  default page: {report.name} {size:.2f} MB (10^6 bytes; target <= {HTML_TARGET_MB}: {'PASS' if size <= HTML_TARGET_MB else 'MISS'}), "
              f"Vega bundles: {vega}, DataTables bundles: {datatables}")
    else:
        print("  default page: not written (the render failed)")
    if batch_pages:
        sizes = [page_facts(p) for p in batch_pages]
        print(f"  batch pages:  {len(batch_pages)}, {min(s[0] for s in sizes):.2f}-{max(s[0] for s in sizes):.2f} MB, "
              f"Vega bundles per page: {sorted({s[1] for s in sizes})}, DataTables bundles per page: {sorted({s[2] for s in sizes})}")
    if args.keep:
        print(f"  kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
