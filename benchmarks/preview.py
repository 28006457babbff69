"""Edit-to-page latency of `python -m chronology preview` beside the cold render and the floor, in one run.

    python benchmarks/preview.py [--edits 7] [--runs 3]

  (a) floor    a fresh Python runs nbclient on a two-cell notebook: `import pandas, altair`, ""
               (the same script as benchmarks/render.py)
  (b) render   python -m chronology render --out TMP --quiet  (cold: a new process and kernel)
  (e) edit     `preview` runs on a copy of the data in TMP; one row's summary is changed (written
               beside and renamed over, as editors save) and the time until GET / on the preview's
               port returns a page holding the new text is measured: as the open tab does, the
               benchmark waits for a new render (the /generation counter, polled every 20 ms) and
               then loads the page. The watcher's polling and debounce are part of the figure.

(b) runs once untimed first (it fills the caches every step relies on); then --runs rounds of a, b;
then the preview starts (its first render is timed too) and takes --edits edits. Prints median,
min and max of each, the ratios b/a (target <= 1.3) and e/b (target < 0.25), the preview's own
breakdown of an edit (check: validation in the driver; kernel: the notebook in the warm kernel;
export: HTML and the atomic write), and the load average and CPU pressure before and after.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import FLOOR_SCRIPT, PROJECT, load_average, machine, project_python  # noqa: E402  (benchmarks/render.py)

ORIGINAL = "Fresh fighting erupts over {nagorno-karabakh}."


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read().decode("utf-8", "replace")


def wait_page(url: str, marker: str, timeout: float, proc: subprocess.Popen) -> float:
    """When GET / first returns a page holding `marker`. As the open tab does: wait for a new render
    (the preview's tiny /generation counter, polled every 20 ms, stands in for the /events stream
    the page listens to), then load the page once; polling the 1.8 MB page itself would take CPU
    from the render being measured."""
    deadline = time.perf_counter() + timeout
    seen = None
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"preview exited with {proc.returncode}")
        try:
            generation = fetch(url + "generation")
            if generation != seen:
                seen = generation
                if marker in fetch(url):
                    return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{marker!r} not seen in the page within {timeout} s")


def stats(xs: list[float]) -> str:
    return f"{statistics.median(xs):8.2f}  {min(xs):6.2f}  {max(xs):6.2f}" if xs else "       -"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=7, help="edits timed in the preview (default 7, at least 5 for the median)")
    ap.add_argument("--runs", type=int, default=3, help="timed rounds of floor and cold render (default 3)")
    args = ap.parse_args(argv)
    py = str(project_python())
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "src"))
    env.pop("CI", None)
    tmp = Path(tempfile.mkdtemp(prefix="chronology-bench-preview-"))
    floor = tmp / "floor.py"
    floor.write_text(FLOOR_SCRIPT)
    load_start = load_average()
    started = time.perf_counter()

    render_cmd = [py, "-m", "chronology", "render", "--out", str(tmp / "b"), "--quiet"]
    timed(render_cmd, env)  # warm-up: the caches of normal use
    floors, colds = [], []
    for _ in range(args.runs):
        floors.append(timed([py, str(floor)], env))
        colds.append(timed(render_cmd, env))

    data = tmp / "data"
    data.mkdir()
    for f in ("statements.csv", "places.csv", "parties.csv", "sources.csv"):
        shutil.copy(PROJECT / "data" / f, data / f)
    csv = data / "statements.csv"
    err_log = tmp / "preview.err"
    t0 = time.perf_counter()
    proc = subprocess.Popen([py, "-m", "chronology", "preview", "--data", str(csv), "--port", "0", "--out", str(tmp / "e")], cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=err_log.open("w"), text=True)
    edits: list[float] = []
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise SystemExit(f"preview did not print its address: {line!r}\n{err_log.read_text()[-2000:]}")
        url = f"http://127.0.0.1:{m.group(1)}/"
        first = wait_page(url, "At a glance", 600, proc) - t0
        text = csv.read_text(encoding="utf-8")
        previous = ORIGINAL
        for i in range(args.edits):
            time.sleep(0.5)
            marker = f"edit {i} {time.time_ns()}"
            new = f"Fresh fighting erupts over {{nagorno-karabakh}} ({marker})."
            text = text.replace(previous, new, 1)
            previous = new
            part = csv.with_name(".statements.csv.part")
            part.write_text(text, encoding="utf-8")
            t_edit = time.perf_counter()
            os.replace(part, csv)
            edits.append(wait_page(url, marker, 120, proc) - t_edit)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    steps: dict[str, list[float]] = {}
    for ln in err_log.read_text().splitlines()[1:]:  # the first render is not an edit
        m = re.search(r"rendered in [\d.]+ s \((.*)\)", ln)
        if m:
            for part in m.group(1).split(", "):
                k, v = part.rsplit(" ", 1)
                steps.setdefault(k, []).append(float(v))
    elapsed = time.perf_counter() - started

    print("Preview benchmark")
    print(f"  machine:   {machine()}")
    print(f"  load:      {load_start} at start, {load_average()} at end ({elapsed:.0f} s in all)")
    print(f"  runs:      1 warm-up render, {args.runs} rounds of (a, b), then the preview: its first render and {len(edits)} edits")
    print()
    print(f"  {'step':<48}  {'median s':>8}  {'min s':>6}  {'max s':>6}")
    print(f"  {'(a) floor: kernel + import pandas, altair':<48}  {stats(floors)}")
    print(f"  {'(b) cold render: python -m chronology render':<48}  {stats(colds)}")
    print(f"  {'    preview: first render (kernel start included)':<48}  {first:8.2f}")
    print(f"  {'(e) preview: edit to page':<48}  {stats(edits)}")
    for k, xs in steps.items():
        print(f"  {'      of which ' + k:<48}  {stats(xs)}")
    print()
    b_a = statistics.median(colds) / statistics.median(floors)
    e_b = statistics.median(edits) / statistics.median(colds)
    print(f"  b/a  cold render / floor     {b_a:5.2f}  target <= 1.3   {'PASS' if b_a <= 1.3 else 'MISS'}")
    print(f"  e/b  edit to page / render   {e_b:5.2f}  target <  0.25  {'PASS' if e_b < 0.25 else 'MISS'}")
    print(f"  edits: {', '.join(f'{x:.2f}' for x in edits)} s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
