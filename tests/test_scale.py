"""Large data stays light: charts never embed more than MARK_LIMIT marks, the table says what it left out.

Structural checks only; speed and size targets live in benchmarks/ (make bench).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from chronology import paths
from chronology.charts import MARK_LIMIT
from chronology.render import render
from chronology.report import EMBED_LIMIT, TABLE_ROW_LIMIT, Report

ROWS = 12_000


def _values_in(spec) -> int:
    """How many data rows a Vega-Lite spec carries, wherever they are."""
    if isinstance(spec, dict):
        own = len(spec["values"]) if isinstance(spec.get("values"), list) else 0
        return own + sum(_values_in(v) for k, v in spec.items() if k != "values")
    if isinstance(spec, list):
        return sum(_values_in(v) for v in spec)
    return 0


@pytest.fixture(scope="module")
def big_data(tmp_path_factory) -> Path:
    """The bundled rows repeated with new ids and parties, day-dated rows spread over the autumn of 2020.

    The timeline draws the 75 days up to the last row (older rows are named in a note), so the dates stay
    inside that period: thousands of marks there are what must be aggregated."""
    folder = tmp_path_factory.mktemp("big")
    rows = list(csv.DictReader(paths.STATEMENTS_CSV.open(encoding="utf-8")))
    parties = list(csv.DictReader(paths.PARTIES_CSV.open(encoding="utf-8")))
    extra_parties = [{"id": f"party-{i}", "name": f"Party {i}", "side": "third-party", "note": ""} for i in range(40)]
    out = []
    for n in range(ROWS):
        row = dict(rows[n % len(rows)])
        row["id"] = f"{row['id']}-{n}"
        row["responds_to"] = f"{row['responds_to']}-{n - (n % len(rows)) + [r['id'] for r in rows].index(row['responds_to'])}" if row["responds_to"] else ""
        if row["party"] and n % 3 == 0:
            row["party"] = f"party-{n % 40}"
        if not row["date_end"] and len(row["date"]) == 10:
            row["date"] = f"2020-{10 + n % 2}-{1 + n % 28:02d}"
        out.append(row)
    with (folder / "statements.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(out)
    with (folder / "parties.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(parties[0]))
        writer.writeheader()
        writer.writerows(parties + extra_parties)
    return folder / "statements.csv"


def test_every_chart_spec_is_valid_vega_lite():
    """Renders skip schema validation for speed; this is where it happens."""
    for params in ({}, {"naming": "armenian", "start": "2020-10", "end": "2020-10"}):
        report = Report.from_parameters(**params)
        for chart in (report.timeline(), report.figures_chart(), report.place_map()):
            chart.spec(validate=True)


def test_large_data_is_aggregated_and_capped(big_data: Path):
    report = Report.from_parameters(statements_csv=str(big_data))
    assert len(report.view) == ROWS
    for chart in (report.timeline(), report.figures_chart(), report.place_map()):
        spec = chart.spec(validate=True)
        assert _values_in(spec) <= MARK_LIMIT, chart
    # the title and its subtitle head the whole chart (detail view and overview strip); the subtitle is wrapped in lines
    subtitle = report.timeline().spec()["title"]["subtitle"]
    assert "too many to draw one by one" in " ".join([subtitle] if isinstance(subtitle, str) else subtitle)
    table = report.statements_table()
    assert table.markup.count("<tr id=") == TABLE_ROW_LIMIT
    assert "large-data-note" in table.markup and f"first {TABLE_ROW_LIMIT:,} of {ROWS:,} statements" in table.markup
    glance = report.at_a_glance().text
    # a long tail of parties is counted, not listed: the 40 extra parties are in the count, three are named
    speaking = re.search(r"(\d+) parties made", glance)
    assert speaking and int(speaking.group(1)) > 40, glance
    assert glance.split(" spoke most")[0].rsplit(". ", 1)[-1].count(" (") <= 3, "a long tail of parties is counted, not listed"
    assert "more claims have responses" in report.claims_and_denials().text


def test_large_render_keeps_one_bundle_and_the_full_data_beside_the_page(big_data: Path, tmp_path: Path, kernel):
    """The data is too large to travel inside the page (the default report's does: test_render)."""
    assert big_data.stat().st_size > EMBED_LIMIT
    page = render("report", {"statements_csv": str(big_data)}, out_dir=tmp_path, quiet=True, kernel=kernel)
    html = page.read_text(encoding="utf-8")
    assert html.count("window.vegaEmbed=") == 1
    assert "large-data-note" in html
    assert 'href="report_files/statements-selection.csv"' in html and "data:text/csv" not in html
    download = tmp_path / "report_files" / "statements-selection.csv"
    assert sum(1 for _ in csv.reader(download.open(encoding="utf-8"))) == ROWS + 1
