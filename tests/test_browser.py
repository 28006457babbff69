"""The rendered page in a real headless Chromium, with the network blocked."""

from __future__ import annotations

from pathlib import Path

import pytest


def open_offline(browser, path: Path, *, width: int = 1100):
    """Open a report from disk; every request that leaves the file is blocked and recorded."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests, console, errors = [], [], []

    def block(route):
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.on("console", lambda msg: console.append((msg.type, msg.text)))
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.chronology-chart svg').length === document.querySelectorAll('.chronology-chart').length", timeout=15000)
    return page, requests, console, errors


def test_report_draws_its_charts_offline_without_errors(browser, default_report: Path):
    page, requests, console, errors = open_offline(browser, default_report)
    charts = page.locator(".chronology-chart")
    assert charts.count() == 3
    for i in range(3):
        marks = charts.nth(i).locator("svg g.mark-symbol path, svg g.mark-rect path, svg g.mark-geoshape path, svg g.mark-tick path")
        assert marks.count() > 0, f"chart {i} drew no marks"
    # the timeline draws a dot for every row known to the day and a bar for every month or span
    timeline = charts.nth(0)
    assert timeline.locator("svg g.mark-rect path").count() > 5
    assert timeline.locator("svg g.mark-symbol path").count() > 5
    assert requests == [], f"the page asked the network for {requests}"
    assert errors == [] and [c for c in console if c[0] in ("error", "warning")] == []
    page.close()


def test_section_headings_and_prose_are_visible(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report)
    headings = page.locator("h2")
    assert headings.count() >= 9
    for i in range(headings.count()):
        assert headings.nth(i).is_visible(), headings.nth(i).inner_text()
    assert page.get_by_text("Every dated row, one lane per party.").is_visible()
    assert page.locator("h1").inner_text() == "The battle for Shusha/Shushi, November 2020"
    page.close()


def test_table_search_narrows_the_rows(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report)
    visible = "document.querySelectorAll('table[data-searchable] tbody tr:not([hidden])').length"
    assert page.evaluate(visible) == 37
    page.fill("input[type=search]", "Babayan")
    assert page.evaluate(visible) == 1
    assert "Shushi is a battlefield" in page.inner_text("table[data-searchable] tbody tr:not([hidden])")
    assert page.inner_text(".table-status") == "1 of 37 rows"
    page.fill("input[type=search]", "shusha ceasefire nothing-matches-this")
    assert page.evaluate(visible) == 0
    page.close()


def test_legend_click_hides_a_party(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report)
    timeline = page.locator(".chronology-chart").nth(0)
    faded = (
        "Array.from(document.querySelectorAll('.chronology-chart')[0].querySelectorAll('g.mark-symbol.role-mark path'))"
        ".filter(p => parseFloat(p.getAttribute('opacity') || '1') < 0.2).length"
    )
    assert page.evaluate(faded) == 0, "every party shown at first"
    timeline.locator("g.role-legend-label text", has_text="Armenia").first.click(force=True)  # Vega listens on the svg
    page.wait_for_timeout(300)
    # every party but Armenia fades; Armenia's own dots stay
    assert page.evaluate(faded) > 0
    kept = page.evaluate(
        "Array.from(document.querySelectorAll('.chronology-chart')[0].querySelectorAll('g.mark-symbol.role-mark path'))"
        ".filter(p => parseFloat(p.getAttribute('opacity') || '1') >= 0.5).map(p => p.getAttribute('aria-label'))"
    )
    assert kept and all("Party: Armenia;" in label for label in kept), kept
    page.close()


def test_narrow_screen_keeps_the_text_readable(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=360)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, "the page itself does not scroll sideways on a phone (charts scroll inside their box)"
    page.close()


def test_script_payloads_in_the_data_do_not_run(browser, hostile_report: Path):
    page, requests, console, errors = open_offline(browser, hostile_report)
    page.hover(".chronology-chart svg g.mark-symbol path >> nth=0")
    page.mouse.move(5, 5)
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    assert "PWNED" not in page.title()
    assert not [text for _, text in console if "PWNED" in text], console
    assert "<script>document.title='PWNED'" in page.inner_text("table[data-searchable]")
    assert errors == []
    assert requests == []
    page.close()
