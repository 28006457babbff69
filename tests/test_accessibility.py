"""axe-core (bundled by axe-playwright-python) on the report, the handout and the index, in headless
Chromium with the network blocked: no serious or critical violation, at a desktop and a phone width."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CHARTS_DRAWN, offline_page

from chronology.render import render

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


@pytest.fixture(scope="module")
def handout_and_index(tmp_path_factory, kernel) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("handout")
    handout = render("handout", {}, out_dir=out, quiet=True, kernel=kernel)
    return handout, out / "index.html"


def serious(browser, path: Path, width: int) -> list[str]:
    page, _requests, _console, _errors = offline_page(browser, path.as_uri(), width=width)
    if page.locator(".chronology-chart").count():
        page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    results = axe_module.Axe().run(page, options={"resultTypes": ["violations"]})  # passes are not collected: quicker
    page.close()
    found = []
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            found.append(f"{v['id']} ({v['impact']}): {v['help']}; e.g. " + " | ".join(n["html"][:160] for n in v["nodes"][:3]) + f" [{len(v['nodes'])} elements]")
    return found


@pytest.mark.parametrize("width", [1280, 360])
def test_report_has_no_serious_accessibility_violation(browser, default_report: Path, width: int):
    assert serious(browser, default_report, width) == []


@pytest.mark.parametrize("width", [1280, 360])
def test_handout_has_no_serious_accessibility_violation(browser, handout_and_index, width: int):
    assert serious(browser, handout_and_index[0], width) == []


def test_index_has_no_serious_accessibility_violation(browser, default_report: Path, handout_and_index):
    assert serious(browser, handout_and_index[1], 1280) == []
