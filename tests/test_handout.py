"""The classroom handout: seeded exercises, the answer key, naming, print layout and the PDF.

Rendering is slow (a kernel per render), so three renders are shared by the module:
seed 1 twice (byte-identical pages) and seed 2 with the answer key in Armenian naming.
The browser and PDF tests use the system's Chromium and are skipped, with the reason, without it.
"""

from __future__ import annotations

import html as html_lib
import random
import re
import shutil
from pathlib import Path

import pytest

from chronology import paths
from chronology.__main__ import main
from chronology.handout import Handout, css_string, date_with_precision
from chronology.pdf import find_chromium, print_pdf
from chronology.render import declared_parameters, render

NOTEBOOK = paths.NOTEBOOKS_DIR / "handout.ipynb"
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not found (no `chromium` on the PATH, no /usr/bin/chromium): browser and PDF tests skipped")

RENDERS = {
    "handout-seed1": {"seed": 1},
    "handout-seed1-again": {"seed": 1},
    "handout-seed2-key": {"seed": 2, "answers": True, "naming": "armenian"},
}


def body_text(html: str) -> str:
    """The page's text as a reader sees it: no styles, scripts or tags."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, pattern: str) -> str:
    m = re.search(pattern, html, re.S)
    assert m, f"no match for {pattern!r}"
    return m.group(0)


CHRON = r"<table class=[\"']data chron[\"']>.*?</table>"  # the exporter may rewrite the quotes


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, kernel) -> dict[str, str]:
    out = tmp_path_factory.mktemp("handouts")
    pages = {}
    for name, parameters in RENDERS.items():
        path = render("handout", parameters, out_dir=out, name=name, quiet=True, kernel=kernel)
        pages[name] = path.read_text(encoding="utf-8")
    pages["_dir"] = str(out)
    return pages


@pytest.fixture(scope="module")
def key_handout() -> Handout:
    """The in-process twin of the seed-2 render with the answer key."""
    return Handout.from_parameters(seed=2, answers=True, naming="armenian")


# ---------------------------------------------------------------- fast checks, no kernel


def test_parameters_cell_lists_every_parameter_with_a_description():
    declared = declared_parameters(NOTEBOOK)
    assert list(declared) == ["statements_csv", "naming", "start", "end", "as_of", "parties", "topic", "title", "seed", "answers"]
    assert declared["seed"] == "1" and declared["answers"] == "False" and declared["naming"] == '"dual"'
    import nbformat

    cell = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    for line in cell.source.splitlines()[1:]:
        code, _, comment = line.partition("  # ")
        assert ":" in code and comment, f"parameter without a type or a description: {line}"
        assert "=" not in comment, f"papermill cuts a description at '=': {line}"


def test_dates_keep_the_precision_the_source_gives():
    assert date_with_precision("2020-10") == "October 2020 (month)"
    assert date_with_precision("2020-11-08") == "8 November 2020 (day)"
    assert date_with_precision("1994") == "1994 (year)"
    assert date_with_precision("1987", "1994") == "1987 to 1994 (years)"
    assert date_with_precision("2020-09", "2020-11-08") == "September 2020 to 8 November 2020 (start known to the month, end to the day)"


def test_css_string_cannot_be_closed_by_data():
    out = css_string('a "b" \\ </style><script>x</script>\n“é”')
    assert out.startswith('"') and out.endswith('"')
    inner = out[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "\n" not in inner
    assert inner.count("\\") == len(re.findall(r"\\[0-9A-F]{6}", inner))


def test_exercises_come_from_their_own_generator_not_the_global_one():
    random.seed(0)
    a = repr(Handout.from_parameters(seed=5, answers=True).answer_key())
    random.seed(12345)
    random.random()
    b = repr(Handout.from_parameters(seed=5, answers=True).answer_key())
    assert a == b


def test_order_exercise_has_exactly_one_right_order():
    for seed in range(1, 8):
        h = Handout.from_parameters(seed=seed, answers=True)
        order = next(e for e in h._exercise_set if e.title == "Put the events in order")
        numbers = [int(n) for n in re.findall(r"entry (\d+)", order.answer_text)]
        rows = h.view.iloc[[n - 1 for n in numbers]]
        assert len(rows) >= 3
        # each entry ends before the next begins: the dates settle the order
        assert all(rows["end"].iloc[i] < rows["start"].iloc[i + 1] for i in range(len(rows) - 1)), seed
        letters = re.search(r"Order: ([A-Z, ]+)\.", order.answer_text).group(1).split(", ")
        assert letters != sorted(letters), "the shuffled list must not already be in order"


def test_data_text_is_escaped_everywhere(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for f in ("statements", "places", "parties", "sources"):
        shutil.copy(paths.DATA_DIR / f"{f}.csv", folder / f"{f}.csv")
    csv = folder / "statements.csv"
    text = csv.read_text(encoding="utf-8")
    text = text.replace("Aliyev announces that Azerbaijani forces", "Aliyev <b>announces</b> that Azerbaijani forces")
    text = text.replace("The battles in Shushi continue", "The battles in Shushi </style><script>alert(1)</script> continue")
    csv.write_text(text, encoding="utf-8")
    h = Handout.from_parameters(statements_csv=str(csv), answers=True)
    markup = "".join(getattr(h, s)()._repr_html_() for s in ("heading", "chronology", "claims_and_denials", "figures", "glossary", "sources", "exercises", "answer_key"))
    assert "<b>announces</b>" not in markup and "&lt;b&gt;announces&lt;/b&gt;" in markup
    assert "<script>alert" not in markup and "</style><script>" not in markup


def test_pdf_command_says_run_make_report_first(tmp_path, capsys):
    assert main(["pdf", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "handout.html does not exist yet" in err and "make report" in err
    assert not list(tmp_path.iterdir())


def test_pdf_command_says_when_chromium_is_missing(tmp_path, capsys, monkeypatch):
    import chronology.pdf as pdf

    (tmp_path / "handout.html").write_text("<!DOCTYPE html><p>hi</p>", encoding="utf-8")
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    assert main(["pdf", "--out", str(tmp_path)]) == 2
    assert "Chromium was not found" in capsys.readouterr().err
    assert not (tmp_path / "handout.pdf").exists()


def test_pdf_command_refuses_an_unknown_paper(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["pdf", "--paper", "A3"])
    assert exc.value.code == 2
    assert "expected A4 or Letter" in capsys.readouterr().err


# ---------------------------------------------------------------- rendered pages


def test_same_seed_gives_identical_html(rendered):
    assert rendered["handout-seed1"].encode() == rendered["handout-seed1-again"].encode()


def test_two_seeds_give_different_exercise_orders(rendered):
    def quotes(html):  # verbatim quotes do not depend on the naming convention
        block = section(html, r"<ul class=[\"']lettered quotes[\"']>.*?</ul>")
        return re.findall(r"<q class=[\"']verbatim[\"']>(.*?)</q>", block)

    assert quotes(rendered["handout-seed1"]) != quotes(rendered["handout-seed2-key"])
    orders = {repr(Handout.from_parameters(seed=s).exercises()).split("2. Who said it?")[0] for s in (1, 2, 3)}
    assert len(orders) == 3


def test_answer_key_is_absent_unless_asked_for(rendered):
    page = rendered["handout-seed1"]
    text = body_text(page)
    key = Handout.from_parameters(seed=1, answers=True)
    assert "Answer key" not in text
    assert not re.search(r"class=[\"']answer-key|id=[\"']answer-", page)
    for ex in key._exercise_set:
        assert body_text(ex.markup) in text  # the questions are there ...
        assert body_text(ex.answer_markup) not in text, ex.title  # ... the answers are not,
        assert squash(ex.answer_text)[:60] not in squash(html_lib.unescape(page)), ex.title  # not even hidden
    order = re.search(r"Order: [A-Z, ]+", key._exercise_set[0].answer_text).group(0)
    assert order not in page


def test_answer_key_is_rendered_with_answers_true(rendered, key_handout):
    text = body_text(rendered["handout-seed2-key"])
    assert "Answer key, version 2 (for the teacher)" in text
    for ex in key_handout._exercise_set:
        assert body_text(ex.answer_markup) in text, ex.title


def test_armenian_naming_says_shushi_in_the_chronology(rendered):
    chron = section(rendered["handout-seed2-key"], CHRON)
    assert "gained control of Shushi." in chron
    assert "Shusha/Shushi" not in chron
    dual = section(rendered["handout-seed1"], CHRON)
    assert "gained control of Shusha/Shushi." in dual


def test_chronology_shows_each_date_with_its_precision(rendered):
    chron = section(rendered["handout-seed1"], CHRON)
    assert "<td>October 2020 (month)</td>" in chron
    assert "<td>8 November 2020 (day)</td>" in chron
    assert "<td>1994 (year)</td>" in chron


def test_index_lists_the_handouts(rendered):
    index = (Path(rendered["_dir"]) / "index.html").read_text(encoding="utf-8")
    for name in RENDERS:
        assert f'href="{name}.html"' in index


# ---------------------------------------------------------------- print: headless Chromium


@pytest.fixture(scope="module")
def key_page_path(rendered) -> Path:
    return Path(rendered["_dir"]) / "handout-seed2-key.html"


@pytest.fixture(scope="module")
def chromium(request):
    """The session's shared headless Chromium (tests/conftest.py `browser`) where there is one:
    Playwright's sync API cannot run twice at once. Else one started here, as `pdf` starts it."""
    if CHROMIUM is None:
        pytest.skip("Chromium not found: browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Playwright package is not installed")
    try:
        shared = request.getfixturevalue("browser")
    except pytest.FixtureLookupError:
        shared = None
    if shared is not None:
        yield shared
        return
    from chronology.pdf import launch

    with sync_api.sync_playwright() as p:
        b = launch(p, CHROMIUM)
        yield b
        b.close()


@pytest.fixture(scope="module")
def print_page(chromium, key_page_path):
    page = chromium.new_page()
    page.goto(key_page_path.as_uri(), wait_until="load")
    page.emulate_media(media="print")
    yield page
    page.close()


@needs_chromium
def test_nothing_is_cut_across_pages_in_print(print_page):
    styles = print_page.evaluate(
        """() => {
        // elements the page does not have (charts, figures) get the same rules: add one of each
        for (const html of ['<figure>x</figure>', '<div class="chronology-chart">x</div>']) {
            document.body.insertAdjacentHTML('beforeend', html);
        }
        const out = {};
        for (const sel of ['tr', 'figure', '.chronology-chart', '.claim', '.exercise', '.term', '.answer']) {
            const els = Array.from(document.querySelectorAll(sel));
            out[sel] = {count: els.length, avoid: els.filter(e => getComputedStyle(e).breakInside === 'avoid').length};
        }
        return out;
    }"""
    )
    for sel, found in styles.items():
        assert found["count"] > 0, f"no {sel} in the page to check"
        assert found["avoid"] == found["count"], f"{sel}: {found['count'] - found['avoid']} of {found['count']} may be cut across pages"


@needs_chromium
def test_page_breaks_before_the_exercises_and_the_answer_key_only(print_page):
    breaks = print_page.evaluate("() => Array.from(document.querySelectorAll('h2')).map(h => [h.textContent.replace('¶', '').trim(), getComputedStyle(h).breakBefore, getComputedStyle(h).breakAfter])")
    by_title = {title: (before, after) for title, before, after in breaks}
    assert by_title["Exercises"][0] == "page"
    assert by_title["Answer key, version 2 (for the teacher)"][0] == "page"
    for title in ("Chronology", "Claims and denials", "Figures and their qualifiers", "Glossary", "Sources"):
        assert by_title[title][0] != "page", f"{title}: no page break expected before it"
    assert all(after == "avoid" for _, after in by_title.values()), "a heading must stay with what follows it"


@needs_chromium
def test_headings_are_visible_on_screen_and_in_print(chromium, key_page_path):
    page = chromium.new_page()
    page.goto(key_page_path.as_uri(), wait_until="load")
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        hidden = page.evaluate("() => Array.from(document.querySelectorAll('h1, h2')).filter(h => h.getClientRects().length === 0).map(h => h.textContent)")
        assert hidden == [], f"{media}: headings not shown: {hidden}"
    page.close()


@needs_chromium
def test_no_interactive_widget_is_visible_in_print(print_page):
    # The handout has none; a search box and buttons like the report's must not print either.
    print_page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend',
        '<div class="table-tools no-print"><input type="search"><button type="button">next</button></div><button type="button">more</button><select><option>a</option></select>')"""
    )
    widgets = print_page.locator("input, button, select, textarea")
    assert widgets.count() >= 4
    visible = [widgets.nth(i).evaluate("e => e.outerHTML") for i in range(widgets.count()) if widgets.nth(i).is_visible()]
    assert visible == []


@pytest.fixture(scope="module")
def pdfs(chromium, key_page_path, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return {paper: print_pdf(key_page_path, out / f"handout-{paper}.pdf", paper=paper, browser=chromium) for paper in ("A4", "Letter")}


@needs_chromium
@pytest.mark.parametrize("paper, size_pt", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_pdf_is_written_on_the_paper_asked_for(pdfs, paper, size_pt):
    from pypdf import PdfReader

    path = pdfs[paper]
    assert path.read_bytes().startswith(b"%PDF")
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 3
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - size_pt[0]) < 2 and abs(float(box.height) - size_pt[1]) < 2, (box.width, box.height)
    assert not list(path.parent.glob(".*.partial")), "the PDF is written atomically"


@needs_chromium
def test_pdf_has_the_source_line_and_page_number_on_every_page(pdfs):
    from pypdf import PdfReader

    pages = [squash(p.extract_text()) for p in PdfReader(str(pdfs["A4"])).pages]
    for i, text in enumerate(pages, start=1):
        assert "Sources: BBC News, " in text and " more (see Sources)." in text, f"page {i} has no source line"  # 84 sources: 'Sources: BBC News, …; and 82 more (see Sources).'
        assert f"{i} / {len(pages)}" in text, f"page {i} has no page number"


@needs_chromium
def test_pdf_cuts_no_chronology_row_across_pages(pdfs, key_handout):
    from pypdf import PdfReader

    def flat(text: str) -> str:  # a line broken after a hyphen ('US-|brokered') is extracted as 'US- brokered'
        return re.sub(r"(?<=\w-) ", "", squash(text))

    pages = [flat(p.extract_text()) for p in PdfReader(str(pdfs["A4"])).pages]
    for summary in key_handout.view["summary_text"]:
        # the row's longest cell, whole on one page: a row cut in two would split it
        on = [i for i, text in enumerate(pages, start=1) if flat(summary) in text]
        assert on, f"row cut across pages or missing: {summary!r}"


def test_handout_on_the_hadrut_record_reasons_from_the_rows():
    """Seeds 1-8 on both records are in test_report_record.py; here the handout's own text on the fixture."""
    from chronology.handout import Handout

    fixture = Path(__file__).parent / "fixtures" / "hadrut" / "statements.csv"
    h = Handout.from_parameters(statements_csv=str(fixture), seed=3, answers=True)
    figures = repr(h.figures())
    assert "19, revised the same day to 21" in figures and "19 (revised later)" in figures
    key = repr(h.answer_key())
    assert "Human Rights Watch (a human-rights organisation)" in key
    assert "Shusha" not in repr(h.heading()) + repr(h.glossary())
