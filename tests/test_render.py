"""End to end: render the report with chosen parameters and check what the page says."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chronology import paths
from chronology.render import RenderError, render

PROJECT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=PROJECT):
    return subprocess.run([sys.executable, "-m", "chronology", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600)


def visible_text(page: str) -> str:
    """The page's text without scripts and tags: what a reader sees (roughly)."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# ------------------------------------------------------------------ the default report


def test_default_report_says_what_the_data_holds(default_report: Path):
    page = default_report.read_text(encoding="utf-8")
    text = visible_text(page)
    assert "The battle for Shusha/Shushi, November 2020" in text
    assert "The data holds 37 rows from 1987 to 8 November 2020: 24 statements, 8 events, 5 figures, from 6 parties." in text
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


def test_rendering_twice_gives_identical_html(tmp_path: Path):
    params = {"naming": "azerbaijani", "parties": ["armenia", "azerbaijan"]}
    first = render("report", params, out_dir=tmp_path / "1", quiet=True).read_bytes()
    second = render("report", params, out_dir=tmp_path / "2", quiet=True).read_bytes()
    assert first == second
    text = visible_text(first.decode("utf-8"))
    assert "The battle for Shusha, November 2020" in text and "Shushi" not in text.split("Azerbaijani name")[0].replace("Shushi continue", "")
    assert "Selection: parties Armenia, Azerbaijan." in text


def test_index_lists_reports_with_their_parameters(tmp_path: Path):
    render("report", {"naming": "armenian"}, out_dir=tmp_path, name="armenian", quiet=True)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="armenian.html"' in index and "naming=armenian" in index
    assert "The battle for Shushi, November 2020" in index


def test_statements_table_has_every_row_and_the_data_is_downloadable(default_report: Path):
    page = default_report.read_text(encoding="utf-8")
    table = page[page.index("data-searchable") :]
    assert table.count('<tr id="row-') == 37
    link = re.search(r'download="statements-selection.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    import base64

    rows = list(csv.DictReader(base64.b64decode(link.group(1)).decode("utf-8").splitlines()))
    assert len(rows) == 37 and rows[0]["id"] == "war-late-1980s"


# ------------------------------------------------------------------ parameters change the page


@pytest.fixture(scope="module")
def armenian_october(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("armenian")
    return render("report", {"naming": "armenian", "start": "2020-10", "end": "2020-10"}, out_dir=out, quiet=True).read_text(encoding="utf-8")


def test_armenian_naming_changes_our_text_never_the_quotes(armenian_october: str):
    text = visible_text(armenian_october)
    assert "The battle for Shushi, November 2020" in text
    assert "Shusha/Shushi" not in text and "Khankendi" not in text.replace("Khankendi</td>", "")
    assert "Barda" not in visible_text(armenian_october.split("<table")[0])  # narrative uses Partav
    assert "Partav" in text


def test_october_window_keeps_only_october(armenian_october: str):
    text = visible_text(armenian_october)
    # rows overlapping October 2020: the month's own rows and the spans across it
    assert "The data holds 16 rows from September 2020 to 8 November 2020" in text
    assert 'id="row-truce-1994"' not in armenian_october  # background outside the window
    assert 'id="row-cathedral-accusation"' in armenian_october  # "last month": October 2020
    assert 'id="row-aliyev-takes-shusha"' not in armenian_october  # 8 November is outside the window


def test_parties_filter_and_its_reactions(tmp_path: Path):
    page = render("report", {"parties": ["turkey", "russia"]}, out_dir=tmp_path, quiet=True).read_text(encoding="utf-8")
    text = visible_text(page)
    assert "from 2 parties" in text
    assert "Selection: parties Turkey, Russia." in text
    assert page.count('<tr id="row-') == 5
    # the Kremlin's account answers Erdogan's call: shown as a claim and its response
    assert "Negotiations: Recep Tayyip Erdogan, 7 November 2020" in text
    assert "No claims with responses" not in text
    assert "a sign that the rest of the occupied lands will be liberated soon too" in text


def test_an_empty_window_renders_a_report_that_says_so(tmp_path: Path):
    page = render("report", {"start": "2019", "end": "2019"}, out_dir=tmp_path, quiet=True).read_text(encoding="utf-8")
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
    ],
)
def test_bad_parameters_are_refused_before_any_kernel_starts(tmp_path: Path, args, message):
    result = run_cli("render", "--out", tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir()), "nothing written"


def test_bad_data_is_refused_with_every_problem(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    rows = (paths.STATEMENTS_CSV.read_text(encoding="utf-8")).splitlines()
    rows[3] = rows[3].replace(",1994,", ",1994-13,", 1)
    rows[5] = rows[5].replace(",azerbaijan,", ",azerbajan,", 1)
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert ",1994-13," in rows[3] and ",azerbajan," in rows[5]
    out = tmp_path / "out"
    result = run_cli("render", "--data", bad, "--out", out)
    assert result.returncode == 2
    assert f"{bad}:4: date: '1994-13'" in result.stderr
    assert f"{bad}:6: party: 'azerbajan':" in result.stderr and "(did you mean 'azerbaijan'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_render_leaves_the_earlier_report_untouched(tmp_path: Path, default_report: Path):
    out = tmp_path / "reports"
    out.mkdir()
    good = out / "report.html"
    good.write_bytes(default_report.read_bytes())
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # bad data
    bad = tmp_path / "statements.csv"
    bad.write_text("id,date\nx,2020-02-30\n", encoding="utf-8")
    assert run_cli("render", "--data", bad, "--out", out).returncode == 2
    # a cell that fails inside the kernel
    import nbformat

    nb = nbformat.read(paths.NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('boom in a cell')"))
    broken = tmp_path / "report.ipynb"
    nbformat.write(nb, broken)
    result = run_cli("render", "--notebook", broken, "--out", out, "--name", "report")
    assert result.returncode == 1
    assert "report.ipynb: cell" in result.stderr and "RuntimeError: boom in a cell" in result.stderr
    kept = re.search(r"kept for debugging: (\S+)", result.stderr).group(1)
    assert Path(kept).exists()
    assert "Traceback" not in result.stderr

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
    import nbformat

    nb = nbformat.read(paths.NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(cell))
    broken = tmp_path / "report.ipynb"
    nbformat.write(nb, broken)
    out = tmp_path / "out"
    result = run_cli("render", "--notebook", broken, "--out", out, "--timeout", timeout)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not list(out.glob("*.html"))


def test_inputs_are_never_modified(tmp_path: Path):
    import hashlib

    def digest():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths.DATA_DIR.iterdir()) if p.is_file()} | {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")
        }

    before = digest()
    render("report", {"naming": "armenian"}, out_dir=tmp_path, quiet=True)
    assert digest() == before


def test_a_write_error_leaves_the_earlier_report_untouched(tmp_path: Path, default_report: Path, monkeypatch):
    from chronology import render as render_module

    out = tmp_path / "reports"
    out.mkdir()
    (out / "report.html").write_bytes(default_report.read_bytes())

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render_module.os, "fsync", disk_full)
    with pytest.raises(RenderError) as err:
        render("report", {}, out_dir=out, quiet=True)
    assert "No space left on device" in str(err.value) and "earlier report is unchanged" in str(err.value)
    assert (out / "report.html").read_bytes() == default_report.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


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
    import base64

    data = base64.b64decode(re.search(r"base64,([^\"]+)", page).group(1)).decode()
    assert "'=HYPERLINK" in data


def test_a_batch_of_variants_gives_the_same_pages_as_single_renders(tmp_path: Path):
    from chronology.render import render_batch

    results = render_batch("report", {}, [("naming", "armenian,azerbaijani")], out_dir=tmp_path / "batch", quiet=True)
    assert [(name, code) for name, _, code in results] == [("report-naming-armenian", 0), ("report-naming-azerbaijani", 0)]
    single = render("report", {"naming": "armenian"}, out_dir=tmp_path / "single", name="report-naming-armenian", quiet=True)
    assert (tmp_path / "batch" / "report-naming-armenian.html").read_bytes() == single.read_bytes()
    index = (tmp_path / "batch" / "index.html").read_text(encoding="utf-8")
    assert "report-naming-armenian.html" in index and "report-naming-azerbaijani.html" in index
    assert sorted(p.name for p in (tmp_path / "batch" / "report-naming-armenian_files").iterdir()) == ["chart-1.svg", "chart-2.svg", "chart-3.svg"]
