"""The charts and the styled sections in notebook front ends, offline, in headless Chromium.

- JupyterLab (the pinned version, from this environment, no extension installed): one server per
  module on 127.0.0.1 with a token and temporary root and settings folders; each notebook is opened,
  run with Run > Run All Cells, and every chart must be drawn by JupyterLab's own Vega renderer.
- papermill then `jupyter nbconvert --to html`: every chart is drawn (its SVG copy) with no network.

Every request to a host other than the local server is aborted. Screenshots go to
$CHRONOLOGY_SCREENS (default: a temporary folder).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from chronology import frontends
from chronology.report import Report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHARTS = {"report": 3, "handout": 0}
BIN = Path(sys.executable).parent


def env_for_kernels() -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    for name in ("CHRONOLOGY_OUTPUTS", "CHRONOLOGY_LAB"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("CHRONOLOGY_SCREENS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def offline(context) -> list[str]:
    """Abort every request that leaves this machine; return the list of aborted URLs."""
    aborted: list[str] = []

    def route(r):
        url = r.request.url
        if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]", url) or url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            aborted.append(url)
            r.abort()

    context.route("**/*", route)
    return aborted


# ---------------------------------------------------------------- the bundle itself


@pytest.fixture(scope="module")
def default_report():
    return Report.from_parameters()


def test_chart_bundle_is_vegalite_v5_with_an_svg_copy(default_report):
    chart = default_report.figures_chart()
    data, metadata = chart._repr_mimebundle_()
    assert set(data) == {frontends.VEGALITE_V5_MIME, "image/svg+xml"}
    assert data[frontends.VEGALITE_V5_MIME]["$schema"] == frontends.VEGALITE_V5_SCHEMA
    assert data["image/svg+xml"].lstrip().startswith("<svg") and 'class="mark-' in data["image/svg+xml"]
    assert metadata[frontends.VEGALITE_V5_MIME]["embed_options"]["renderer"] == "svg"
    # A wide/narrow pair shows its wide chart in a notebook: no page-only narrow copy in the spec.
    assert "narrow" not in data[frontends.VEGALITE_V5_MIME].get("usermeta", {})


def test_every_chart_compiles_with_vega_lite_5(default_report):
    """JupyterLab 4.6 draws with vega-lite 5.6: the Altair 6 specs must compile with Vega-Lite 5."""
    import vl_convert

    oldest = vl_convert.get_vegalite_versions()[0]
    assert oldest.startswith("5.")
    for make in (default_report.timeline, default_report.figures_chart, default_report.place_map):
        chart = make()
        # A wide/narrow pair (charts.Responsive): the page may draw either, so both must compile.
        for version, made in (("wide", getattr(chart, "wide", chart)), ("narrow", getattr(chart, "narrow", chart))):
            spec = frontends.as_vegalite_v5(made.spec())
            vega = vl_convert.vegalite_to_vega(spec, vl_version=oldest)
            assert vega["marks"], f"{make.__name__} ({version})"


def test_specs_declare_altairs_vega_lite_and_convert_to_altair(default_report):
    """charts.py writes Vega-Lite itself: its schema is the one Altair (and the page's bundle) speaks,
    and a chart still becomes an Altair object for a notebook user who wants to restyle it."""
    import altair as alt

    from chronology import charts

    assert charts.SCHEMA_URL == alt.SCHEMA_URL
    chart = default_report.figures_chart()
    restyled = chart.to_altair().properties(title="Restyled")
    assert isinstance(restyled, alt.TopLevelMixin)
    spec = restyled.to_dict()  # validates against the schema
    assert spec["title"] == "Restyled" and spec["vconcat"] == chart.wide.spec()["vconcat"]


def test_page_outputs_in_the_render_route(default_report, monkeypatch):
    """With CHRONOLOGY_OUTPUTS=page (set by render.Kernel) the page's own outputs are unchanged."""
    monkeypatch.setenv("CHRONOLOGY_OUTPUTS", "page")
    bundle = default_report.figures_chart()._repr_mimebundle_()
    assert "text/html" in bundle and "chronology-chart" in bundle["text/html"]
    assert default_report.heading()._repr_html_() == default_report.heading().markup


def test_sections_carry_scoped_css(default_report):
    html = default_report.at_a_glance()._repr_html_()
    assert html.startswith(f'<div class="{frontends.SECTION_CLASS}"><style>')
    css = frontends.scoped_report_css()
    rules = [r for r in re.findall(r"([^{}]+)\{", css) if not r.strip().startswith("@")]
    assert rules and all(s.strip().startswith(f".{frontends.SECTION_CLASS}") for r in rules for s in r.split(","))
    assert ".jp-" not in css and "@page" not in css


# ---------------------------------------------------------------- JupyterLab


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    for name in CHARTS:
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", root / f"{name}.ipynb")
    settings = base / "settings"
    # No news or update checks (they would go to the network); no autosave into the copies.
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    (settings / "@jupyterlab" / "docmanager-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    env = env_for_kernels()
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"))
    token = secrets.token_hex(16)
    port = free_port()
    log = (base / "lab.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--LabApp.news_url=", "--ServerApp.port_retries=0"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{(base / 'lab.log').read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield {"url": url, "token": token, "log": base / "lab.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_kernel_idle(page, lab, name: str, seconds: float) -> None:
    """The notebook's kernel, as the server reports it (REST API), is started and idle.

    Waits with page.wait_for_timeout, not time.sleep: the route handler that keeps the page offline
    runs only while Playwright has control, and a sleeping test would hold every request of the page.
    """
    deadline = time.time() + seconds
    state = None
    while time.time() < deadline:
        sessions = json.loads(urllib.request.urlopen(f"{lab['url']}/api/sessions?token={lab['token']}", timeout=10).read())
        state = next((s["kernel"]["execution_state"] for s in sessions if s["path"].endswith(f"{name}.ipynb")), None)
        if state == "idle":
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the kernel of {name}.ipynb is {state!r} after {seconds} s:\n{lab['log'].read_text()[-3000:]}")


def run_in_lab(browser, lab, name: str, screens: Path) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    aborted = offline(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # A workspace of its own per notebook: the other notebook's tab is not restored beside it.
        page.goto(f"{lab['url']}/lab/workspaces/{name}/tree/{name}.ipynb?reset&token={lab['token']}", timeout=120_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
        wait_kernel_idle(page, lab, name, 300)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        # Done when every code cell has a number and the kernel is idle again.
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
                return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
            }""",
            timeout=600_000,
        )
        wait_kernel_idle(page, lab, name, 120)
        expected = CHARTS[name]
        if expected:
            page.wait_for_function(
                f"() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedVegaLite')].filter(c => c.querySelector('svg g[class*=\"mark-\"]')).length >= {expected}",
                timeout=120_000,
            )
        charts = page.evaluate(
            """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedVegaLite')].map(c => ({
                marks: c.querySelectorAll('svg g[class*="mark-"] > *').length,
                groups: [...new Set([...c.querySelectorAll('svg g[class*="mark-"]')].map(g => g.getAttribute('class').split(' ')[0]))],
                svg: !!c.querySelector('.vega-embed svg'),
            }))"""
        )
        errors_shown = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count()
        section = page.evaluate(
            f"""() => {{ const s = document.querySelector('.{frontends.SECTION_CLASS}');
                 return s && {{font: getComputedStyle(s).fontFamily, count: document.querySelectorAll('.{frontends.SECTION_CLASS}').length}}; }}"""
        )
        fallback_texts = page.locator("text=(chart needs JavaScript)").count() + page.locator("text=<chart:").count()
        shots = []
        for i, handle in enumerate(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedVegaLite").all(), 1):
            handle.scroll_into_view_if_needed()
            path = screens / f"lab-{name}-chart-{i}.png"
            handle.screenshot(path=str(path))
            shots.append(path)
        page.locator(".jp-Cell").nth(2).scroll_into_view_if_needed()
        page.screenshot(path=str(screens / f"lab-{name}-top.png"))
        return {"charts": charts, "errors": errors, "errors_shown": errors_shown, "section": section, "aborted": aborted, "fallback_texts": fallback_texts, "shots": shots}
    finally:
        context.close()


@pytest.mark.parametrize("name", list(CHARTS))
def test_jupyterlab_draws_every_chart_and_styles_the_sections(browser, lab, name, screens):
    result = run_in_lab(browser, lab, name, screens)
    assert result["errors_shown"] == 0, "a cell failed in JupyterLab"
    charts = result["charts"]
    assert len(charts) == CHARTS[name], charts
    for chart in charts:
        assert chart["svg"] and chart["marks"] >= 10, chart  # drawn by JupyterLab's Vega renderer, interactive
    assert result["fallback_texts"] == 0
    section = result["section"]
    assert section and section["count"] >= 5 and "Georgia" in section["font"], section
    assert not [e for e in result["errors"] if "vega" in e.lower()], result["errors"]
    assert all(p.stat().st_size > 5000 for p in result["shots"])


# ---------------------------------------------------------------- papermill + nbconvert


@pytest.fixture(scope="module")
def nbconvert_page(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("nbconvert")
    out = folder / "out.ipynb"
    env = env_for_kernels()
    subprocess.run([sys.executable, "-m", "papermill", "--no-progress-bar", "--log-level", "WARNING", "-k", "python3", str(NOTEBOOKS / "report.ipynb"), str(out)],
                   check=True, env=env, cwd=NOTEBOOKS, capture_output=True, timeout=900)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)], check=True, env=env, cwd=folder, capture_output=True, timeout=600)
    return out, folder / "out.html"


def test_executed_notebook_carries_vegalite_v5_and_svg(nbconvert_page):
    nb = nbformat.read(nbconvert_page[0], as_version=4)
    charts = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if frontends.VEGALITE_V5_MIME in o.get("data", {})]
    assert len(charts) == CHARTS["report"]
    for out in charts:
        assert "image/svg+xml" in out["data"] and "text/html" not in out["data"]


def test_nbconvert_page_draws_every_chart_offline(browser, nbconvert_page, screens):
    html = nbconvert_page[1]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    aborted = offline(context)
    page = context.new_page()
    try:
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        images = page.locator("[data-mime-type='image/svg+xml'] img")
        assert images.count() == CHARTS["report"]
        for i, img in enumerate(images.all(), 1):
            assert img.evaluate("i => i.complete && i.naturalWidth > 100 && i.naturalHeight > 100")
            svg = base64.b64decode(img.get_attribute("src").split(",", 1)[1]).decode("utf-8")
            assert svg.count('class="mark-') >= 5, f"chart {i} has no marks"
            img.scroll_into_view_if_needed()
            img.screenshot(path=str(screens / f"nbconvert-report-chart-{i}.png"))
        styled = page.evaluate(f"() => {{ const s = document.querySelector('.{frontends.SECTION_CLASS}'); return s && getComputedStyle(s).fontFamily; }}")
        assert styled and "Georgia" in styled
        page.screenshot(path=str(screens / "nbconvert-report-page.png"), full_page=False)
        assert not [u for u in aborted if not u.startswith("http")], aborted
    finally:
        context.close()
