"""The rendered page in a real headless Chromium, with the network blocked."""

from __future__ import annotations

from pathlib import Path

from helpers import CHARTS_DRAWN, offline_page


def open_offline(browser, path: Path, *, width: int = 1100):
    """Open a report from disk; every request that leaves the file is blocked and recorded."""
    page, requests, console, errors = offline_page(browser, path.as_uri(), width=width)
    # data-drawn: report.js has drawn the chart in its final size (a narrow chart may be drawn twice)
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    return page, requests, console, errors


def test_report_draws_its_charts_offline_without_errors(browser, default_report: Path):
    page, requests, console, errors = open_offline(browser, default_report)
    charts = page.locator(".chronology-chart")
    assert charts.count() == 3
    for i in range(3):
        marks = charts.nth(i).locator("svg g.mark-symbol path, svg g.mark-rect path, svg g.mark-shape path, svg g.mark-tick path")
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
    page.close()


def test_table_search_narrows_the_statements(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report)
    visible = "document.querySelectorAll('table[data-searchable] tbody tr:not([hidden])').length"
    total = page.evaluate("document.querySelectorAll('table[data-searchable] tbody tr').length")
    assert page.evaluate(visible) == min(total, 50)
    page.fill("input[type=search]", "Babayan")
    assert 1 <= page.evaluate(visible) < total
    assert "of" in page.inner_text(".table-status") and "statements" in page.inner_text(".table-status")
    page.fill("input[type=search]", "shusha ceasefire nothing-matches-this")
    assert page.evaluate(visible) == 0
    page.close()


MARKS = "Array.from(document.querySelectorAll('.chronology-chart')[0].querySelectorAll('g.mark-symbol.role-mark path, g.mark-rule.role-mark line')).filter(p => (p.getAttribute('aria-label') || '').includes('Party: '))"


def test_every_timeline_mark_is_reachable_by_pointer_and_keyboard(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=1280)
    # pointer: the topmost element at each dot's centre is that dot (nothing hides it)
    hidden = page.evaluate(
        MARKS.replace(", g.mark-rule.role-mark line", "")
        + ".filter(p => { const r = p.getBoundingClientRect(); const x = r.x + r.width / 2, y = r.y + r.height / 2;"
        " if (y < 0 || y > innerHeight) { p.scrollIntoView({block: 'center'}); } const q = p.getBoundingClientRect();"
        " return document.elementFromPoint(q.x + q.width / 2, q.y + q.height / 2) !== p; }).length"
    )
    assert hidden == 0, f"{hidden} dots are covered by another mark"
    # keyboard: one focusable list item per mark, and focusing it highlights its mark
    n_marks = page.evaluate(MARKS + ".length")
    items = page.locator("[data-mark-list] li[data-id]")
    assert items.count() == n_marks
    assert page.evaluate("Array.from(document.querySelectorAll('[data-mark-list] li[data-id]')).every(li => li.tabIndex === 0)")
    items.nth(0).focus()
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('.chronology-chart')[0].chronologyView.signal('hl')") == items.nth(0).get_attribute("data-id")
    page.close()


def test_legend_click_hides_one_party_and_a_second_click_shows_it(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=1280)
    timeline = page.locator(".chronology-chart").nth(0)
    faded = MARKS + ".filter(p => parseFloat(p.getAttribute('opacity') || '1') < 0.2).length"
    assert page.evaluate(faded) == 0, "every party shown at first"
    label = timeline.locator("g.role-legend-label text", has_text="Turkey").first
    label.click(force=True)
    page.wait_for_timeout(300)
    n_faded = page.evaluate(faded)
    assert n_faded > 0
    assert page.evaluate(MARKS + ".filter(p => parseFloat(p.getAttribute('opacity') || '1') < 0.2).every(p => (p.getAttribute('aria-label') || '').includes('Party: Turkey;'))")
    label.click(force=True)
    page.wait_for_timeout(300)
    assert page.evaluate(faded) == 0
    page.close()


def test_one_colour_per_party_across_the_page(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=1280)
    pairs = page.evaluate(
        "Array.from(document.querySelectorAll('.chronology-chart g.role-mark path, .chronology-chart g.role-mark line'))"
        ".map(p => [((p.getAttribute('aria-label') || '').match(/Party: ([^;]+);/) || [])[1], p.getAttribute('fill') !== 'none' && p.tagName === 'path' ? p.getAttribute('fill') : p.getAttribute('stroke')])"
        ".filter(x => x[0])"
    )
    pairs += page.evaluate("Array.from(document.querySelectorAll('[data-mark-list] li[data-id]')).map(li => [li.getAttribute('data-lane'), li.querySelector('.swatch').style.background])")
    colours: dict = {}
    import re
    for party, colour in pairs:
        m = re.match(r"rgb\((\d+), (\d+), (\d+)\)", colour or "")
        colour = "#{:02x}{:02x}{:02x}".format(*(int(x) for x in m.groups())) if m else (colour or "").lower()
        colours.setdefault(party, set()).add(colour)
    assert colours and all(len(c) == 1 for c in colours.values()), {p: c for p, c in colours.items() if len(c) > 1}
    page.close()


def test_map_labels_do_not_overlap_and_sit_by_their_own_dot(browser, default_report: Path):
    for width in (1280, 360):
        page, *_ = open_offline(browser, default_report, width=width)
        found = page.evaluate(
            """() => { const chart = Array.from(document.querySelectorAll('.chronology-chart')).find(c => c.querySelector('g.mark-shape'));
            const labels = Array.from(chart.querySelectorAll('g.mark-text.role-mark text')).filter(t => t.getAttribute('font-weight') === 'bold').map(t => { const r = t.getBoundingClientRect(); return {name: t.textContent, r}; });
            const dots = Array.from(chart.querySelectorAll('g.mark-symbol.role-mark path')).map(p => { const r = p.getBoundingClientRect(); const m = (p.getAttribute('aria-label') || '').match(/Place: ([^;]+);/); return {name: m && m[1], x: r.x + r.width / 2, y: r.y + r.height / 2, top: r.y}; });
            return {labels: labels.map(l => ({name: l.name, x0: l.r.left, x1: l.r.right, y0: l.r.top, y1: l.r.bottom})), dots}; }"""
        )
        labels, dots = found["labels"], found["dots"]
        assert len(labels) >= 4
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                overlap = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1 and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > 1
                assert not overlap, (width, a["name"], b["name"])
            cx, cy = (a["x0"] + a["x1"]) / 2, (a["y0"] + a["y1"]) / 2
            panel_dots = [d for d in dots if abs(d["x"] - cx) < 400]
            nearest = min(panel_dots, key=lambda d: (d["x"] - cx) ** 2 + (d["y"] - cy) ** 2)
            assert nearest["name"] == a["name"], (width, a["name"], nearest["name"])
        page.close()


def test_narrow_screen_keeps_the_text_readable(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "the page does not scroll sideways on a phone"
    small = page.evaluate(
        "Array.from(document.querySelectorAll('.chronology-chart svg text')).filter(t => t.textContent.trim() && t.getBoundingClientRect().height > 0)"
        ".filter(t => parseFloat(getComputedStyle(t).fontSize) * (t.closest('svg').getBoundingClientRect().width / (t.closest('svg').viewBox.baseVal.width || t.closest('svg').getBoundingClientRect().width)) < 10).map(t => t.textContent)"
    )
    assert small == [], small[:10]
    # the charts fit the screen
    assert page.evaluate("Array.from(document.querySelectorAll('.chronology-chart svg')).every(s => s.getBoundingClientRect().right <= innerWidth + 1)")
    page.close()


def test_table_fits_the_screen_without_clipping(browser, default_report: Path):
    page, *_ = open_offline(browser, default_report, width=1280)
    right = page.evaluate("document.querySelector('table.statements').getBoundingClientRect().right")
    assert right <= 1280
    clipped = page.evaluate("Array.from(document.querySelectorAll('table.statements td')).filter(td => td.scrollWidth > td.clientWidth + 1).length")
    assert clipped == 0
    assert page.evaluate("getComputedStyle(document.querySelector('table.statements th')).position") == "sticky"
    page.close()


def test_script_payloads_in_the_data_do_not_run(browser, hostile_report: Path):
    page, requests, console, errors = open_offline(browser, hostile_report)
    page.hover(".chronology-chart svg g.mark-symbol path >> nth=0", force=True)
    page.mouse.move(5, 5)
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    assert "PWNED" not in page.title()
    assert not [text for _, text in console if "PWNED" in text], console
    page.fill("input[type=search]", "PWNED-script")  # the row may sit on a later page of the table
    assert "<script>document.title='PWNED'" in page.inner_text("table[data-searchable]")
    assert errors == []
    assert requests == []
    page.close()
