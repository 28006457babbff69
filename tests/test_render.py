"""End to end: render the report with chosen parameters and check what the page says.

Each parameter set is rendered once (module fixtures); failures go through the command line.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from helpers import run_cli, visible_text

from chronology import paths
from chronology.batch import render_batch
from chronology.render import RenderError, render


def broken_notebook(folder: Path, at: int, source: str) -> Path:
    """The report notebook with one cell of ours inserted at `at`."""
    nb = nbformat.read(paths.NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    nb.cells.insert(at, nbformat.v4.new_code_cell(source))
    path = folder / "report.ipynb"
    nbformat.write(nb, path)
    return path


def inputs_digest() -> dict[str, str]:
    files = [p for p in sorted(paths.DATA_DIR.iterdir()) if p.is_file()] + sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# ------------------------------------------------------------------ the default report


def test_default_report_says_what_the_data_holds(default_report: Path):
    page = default_report.read_text(encoding="utf-8")
    text = visible_text(page)
    assert "The battle for Shusha/Shushi, November 2020" in text
    # the lead says what the bundled data holds, in entries (not "rows"): 167 entries from 84 sources
    assert "in 167 entries (101 statements, 24 events, 42 figures) dated 1987 to 1 December 2020, taken from 84 sources" in text
    for section in ("At a glance", "Chronology", "Claims and denials", "Figures and their uncertainty", "Truces and ceasefires", "Places", "Reactions", "All statements", "Sources and method"):
        assert re.search(rf"<h2[^>]*>{section}<", page), section
    # qualifiers are kept, never rounded into facts
    assert "nearly 1,200" in text and "more than 80" in text and "almost 5,000" in text
    # the central contested claim and its denial, quoted verbatim
    assert "The battles in Shushi continue - wait and believe in our troops" in text
    assert "Aliyev announces that Azerbaijani forces have gained control of Shusha/Shushi." in text


def test_page_is_self_contained_with_one_vega_bundle(default_report: Path):
    page = default_report.read_text(encoding="utf-8")
    assert page.count("window.vegaEmbed=") == 1, "exactly one Vega bundle"
    assert len(re.findall(r'class="chronology-chart"', page)) == 3
    # nothing is loaded from elsewhere: no external script, stylesheet, font or image
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"<(script|img|iframe|audio|video|source)[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert not re.search(r"url\((?!data:)", markup)
    assert "cdn." not in page and "require.js" not in page and "MathJax" not in page
    # code cells are hidden
    assert "Report.from_parameters" not in page and "jp-InputArea-editor" not in page


def test_statements_table_has_every_row_and_the_data_is_downloadable(default_report: Path):
    page = default_report.read_text(encoding="utf-8")
    table = page[page.index("data-searchable") :]
    with (paths.DATA_DIR / "statements.csv").open(encoding="utf-8", newline="") as f:
        data = list(csv.DictReader(f))
    assert len(data) == 167
    assert table.count('<tr id="row-') == len(data)
    link = re.search(r'download="statements-selection.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    rows = list(csv.DictReader(base64.b64decode(link.group(1)).decode("utf-8").splitlines()))
    assert len(rows) == len(data) and rows[0]["id"] == "war-late-1980s"
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in data)


# ------------------------------------------------------------------ parameters change the page


@pytest.fixture(scope="module")
def batch(tmp_path_factory, kernel) -> dict:
    """naming armenian and azerbaijani as a --vary batch, and armenian again as a single render."""
    out = tmp_path_factory.mktemp("batch")
    before = inputs_digest()
    results = render_batch("report", {}, [("naming", "armenian,azerbaijani")], out_dir=out / "batch", quiet=True)
    single = render("report", {"naming": "armenian"}, out_dir=out / "single", name="report-naming-armenian", quiet=True, kernel=kernel)
    return {"results": results, "out": out / "batch", "single": single, "before": before, "after": inputs_digest()}


def test_a_batch_of_variants_gives_the_same_pages_as_single_renders(batch):
    assert [(name, code) for name, _, code in batch["results"]] == [("report-naming-armenian", 0), ("report-naming-azerbaijani", 0)]
    assert (batch["out"] / "report-naming-armenian.html").read_bytes() == batch["single"].read_bytes(), "renders are byte-identical"
    assert sorted(p.name for p in (batch["out"] / "report-naming-armenian_files").iterdir()) == ["chart-1.svg", "chart-2.svg", "chart-3.svg"]
    text = visible_text((batch["out"] / "report-naming-azerbaijani.html").read_text(encoding="utf-8"))
    assert "The battle for Shusha, November 2020" in text and "Shusha/Shushi" not in text
    assert "The battles in Shushi continue" in text, "a quote keeps the speaker's own place names"


def test_index_lists_reports_with_their_parameters(batch):
    index = (batch["out"] / "index.html").read_text(encoding="utf-8")
    assert 'href="report-naming-armenian.html"' in index and 'href="report-naming-azerbaijani.html"' in index
    assert "naming: Armenian" in index and "The battle for Shushi, November 2020" in index
    assert 'href="report-naming-armenian_files/chart-1.svg"' in index


def test_inputs_are_never_modified(batch):
    assert batch["after"] == batch["before"]


@pytest.fixture(scope="module")
def armenian_october(tmp_path_factory, kernel) -> str:
    out = tmp_path_factory.mktemp("armenian")
    return render("report", {"naming": "armenian", "start": "2020-10", "end": "2020-10"}, out_dir=out, quiet=True, kernel=kernel).read_text(encoding="utf-8")


def test_armenian_naming_changes_our_text(armenian_october: str):
    text = visible_text(armenian_october)
    assert "The battle for Shushi, November 2020" in text
    assert "Shusha/Shushi" not in text
    # our text says Partav and Stepanakert; only the Places section lists every name of a place,
    # and a quote keeps the speaker's own words (an Azerbaijani quote says Khankendi)
    outside_places = re.sub(r"<h2[^>]*>Places<.*?(?=<h2)", " ", armenian_october, flags=re.S)
    ours = visible_text(re.sub(r"<(blockquote|q)\b.*?</\1>", " ", outside_places, flags=re.S))
    assert "Partav" in ours and "Barda" not in ours
    assert "Stepanakert" in ours and "Khankendi" not in ours


def test_october_window_keeps_only_october(armenian_october: str):
    text = visible_text(armenian_october)
    # rows overlapping October 2020: the month's own rows and the spans across it
    m = re.search(r"in (\d+) entries \([^)]*\) dated September 2020 to 8 November 2020", text)
    assert m, "the lead gives the window's entries: the month's own and the spans across it"
    assert armenian_october.count('<tr id="row-') == int(m.group(1))
    assert "Selection: dates 2020-10 to 2020-10." in text
    assert 'id="row-truce-1994"' not in armenian_october  # background outside the window
    assert 'id="row-cathedral-accusation"' in armenian_october  # "last month": October 2020
    assert 'id="row-aliyev-takes-shusha"' not in armenian_october  # 8 November is outside the window


def test_parties_filter_and_its_reactions(tmp_path: Path, kernel):
    page = render("report", {"parties": ["turkey", "russia"]}, out_dir=tmp_path, quiet=True, kernel=kernel).read_text(encoding="utf-8")
    text = visible_text(page)
    assert "Selection: parties Turkey, Russia." in text
    # every entry a Turkish or Russian party spoke in, joint statements included, and nothing else
    with (paths.DATA_DIR / "statements.csv").open(encoding="utf-8", newline="") as f:
        expected = {r["id"] for r in csv.DictReader(f) if {"turkey", "russia"} & set(r["party"].split(";"))}
    assert set(re.findall(r'<tr id="row-([^"]+)"', page)) == expected
    assert f"in {len(expected)} entries" in text
    # the Kremlin's account answers Erdogan's call: shown as a claim and its response
    assert "Negotiations: Recep Tayyip Erdogan, 7 November 2020" in text
    assert "No claims with responses" not in text
    assert "a sign that the rest of the occupied lands will be liberated soon too" in text


def test_an_empty_window_renders_a_report_that_says_so(tmp_path: Path, kernel):
    page = render("report", {"start": "2019", "end": "2019"}, out_dir=tmp_path, quiet=True, kernel=kernel).read_text(encoding="utf-8")
    text = visible_text(page)
    assert "No statements, events or figures in this selection (dates 2019 to 2019)." in text
    assert 'class="chronology-chart"' not in page


# ------------------------------------------------------------------ refusals and failures


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "namng", "armenian"], "namng: unknown parameter; expected one of"),
        (["-p", "naming", "armenain"], "naming: 'armenain': expected one of dual, azerbaijani, armenian, international (did you mean 'armenian'?)"),
        (["-p", "start", "2020-11", "-p", "end", "2020-10"], "start: '2020-11' is after end '2020-10'"),
        (["-p", "parties", "turky"], "parties: 'turky': expected a party id in parties.csv"),
        (["-p", "start", "08/11/2020"], "08/11/2020 is ambiguous"),
        (["-p", "seed", "x"], "seed: 'x': expected a whole number"),
        (["--name", "../../etc/x"], "expected a plain file name"),
        (["--notebook", "reprot"], "error: --notebook: 'reprot': expected one of report, handout or the path of a notebook"),
        (["-p", "naming", "armenian", "--vary", "naming", "dual,armenian"], "error: -p naming and --vary naming: give the parameter once"),
        (["--vary", "naming", "armenain,dual"], "error: report-naming-armenain: bad parameters:\n  naming: 'armenain'"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel_starts(tmp_path: Path, args, message):
    code, _, err = run_cli("render", "--out", tmp_path, *args)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir()), "nothing written"


def test_bad_data_is_refused_with_every_problem(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    rows = (paths.STATEMENTS_CSV.read_text(encoding="utf-8")).splitlines()
    rows[3] = rows[3].replace(",1994,", ",1994-13,", 1)
    rows[5] = rows[5].replace(",azerbaijan,", ",azerbajan,", 1)
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert ",1994-13," in rows[3] and ",azerbajan," in rows[5]
    code, _, err = run_cli("render", "--data", bad, "--out", tmp_path / "out")
    assert code == 2
    assert err.startswith("error: 2 problems in the data:\n")
    assert f"{bad}:4: date: '1994-13'" in err
    assert f"{bad}:6: party: 'azerbajan':" in err and "(did you mean 'azerbaijan'?)" in err
    assert "Traceback" not in err


def test_a_failed_render_leaves_the_earlier_report_untouched(tmp_path: Path, default_report: Path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "report.html").write_bytes(default_report.read_bytes())
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # bad data
    bad = tmp_path / "statements.csv"
    bad.write_text("id,date\nx,2020-02-30\n", encoding="utf-8")
    assert run_cli("render", "--data", bad, "--out", out)[0] == 2
    # a cell that fails inside the kernel
    broken = broken_notebook(tmp_path, 5, "raise RuntimeError('boom in a cell')")
    code, _, err = run_cli("render", "--notebook", broken, "--out", out, "--name", "report")
    assert code == 1
    assert "error: report.ipynb: cell 6 (raise RuntimeError('boom in a cell')) failed: RuntimeError: boom in a cell" in err
    kept = re.search(r"kept for debugging: (\S+)", err).group(1)
    assert Path(kept).exists()
    assert "Traceback" not in err

    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before, "earlier report byte-identical, no partial file"


@pytest.mark.parametrize(
    "cell, timeout, message",
    [
        ("import time\ntime.sleep(600)", "3", "ran for more than 3 s and was stopped"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "600", "the kernel died"),
    ],
)
def test_a_hung_cell_or_a_killed_kernel_is_a_message(tmp_path: Path, cell, timeout, message):
    broken = broken_notebook(tmp_path, 3, cell)
    out = tmp_path / "out"
    code, _, err = run_cli("render", "--notebook", broken, "--out", out, "--timeout", timeout)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert not out.exists() or not list(out.glob("*.html"))


def test_a_write_error_leaves_the_earlier_report_untouched(tmp_path: Path, monkeypatch):
    """A notebook of one heading is enough: the page is written, and the disk is full."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML('<h1>Small</h1>')")])
    small = tmp_path / "small.ipynb"
    nbformat.write(nb, small)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "small.html").write_bytes(b"the earlier report")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(RenderError) as err:
        render(small, {}, out_dir=out, quiet=True)
    assert err.value.exit_code == 1
    assert "No space left on device" in str(err.value) and "earlier report is unchanged" in str(err.value)
    assert (out / "small.html").read_bytes() == b"the earlier report"
    assert sorted(p.name for p in out.iterdir()) == ["small.html"]


# ------------------------------------------------------------------ hostile text


def test_hostile_text_is_escaped_in_the_html(hostile_report: Path):
    page = hostile_report.read_text(encoding="utf-8")
    assert "<script>document.title" not in page
    assert "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;document.title=" in page
    assert 'href="javascript:' not in page and "<script>console.log('PWNED-url')" not in page
    assert 'href="https://example.invalid' not in page, "a URL with markup in it is not made a link"
    assert "<b onmouseover" not in page
    # spreadsheet formulas are neutralised in the downloadable CSV
    data = base64.b64decode(re.search(r"base64,([^\"]+)", page).group(1)).decode()
    assert "'=HYPERLINK" in data


def test_svg_copies_from_a_script_without_a_main_guard(tmp_path: Path):
    """The SVG copies are drawn by a plain worker subprocess: a script that draws at import level
    (no `if __name__ == "__main__"`, as a re-runner's script calling render() may be) is not run a
    second time, a chart Vega refuses is named, and no worker is left behind."""
    import json
    import subprocess
    import sys

    import psutil

    good = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    bad = {**good, "params": [{"name": "p", "expr": "1 +"}]}
    script = tmp_path / "draw.py"
    script.write_text(
        "from chronology import svg_copies\n"
        "from chronology.inputs import RenderError\n"
        "print('started')\n"
        "outputs = lambda spec: {'outputs': [{'data': {'application/vnd.vegalite.v6+json': spec}}]}\n"
        f"drawer = svg_copies.ChartDrawer()\ndrawer.on_cell_executed(cell=outputs({json.dumps(good)}))\n"
        "print('svg', drawer.charts()['chart-1.svg'][:4].decode())\n"
        f"drawer = svg_copies.ChartDrawer()\ndrawer.on_cell_executed(cell=outputs({json.dumps(good)}))\ndrawer.on_cell_executed(cell=outputs({json.dumps(bad)}))\n"
        "try:\n    drawer.charts()\nexcept RenderError as err:\n    print('refused', err)\n"
        "print('worker', svg_copies._WORKER.proc.pid)\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("started") == 1  # the script ran once
    assert "svg <svg" in proc.stdout
    assert "refused chart 2 could not be drawn as SVG: " in proc.stdout and "Expression parse error: 1 +" in proc.stdout
    worker = int(proc.stdout.split("worker ")[1])
    try:
        psutil.Process(worker).wait(timeout=10)  # returns once it has exited; raises if it lingers
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(worker)
