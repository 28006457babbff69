"""The report on a second record (tests/fixtures/hadrut: the Hadrut capture, a running military toll,
the Barda toll revised the same day, four truces, joint statements): what each section says.

Sections are called in process (Report.from_parameters and the section methods); one real render
through the pipeline (module-scoped) checks the page end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import visible_text

from chronology.answer_check import AnswerKeyError, check
from chronology.handout import Handout
from chronology.report import Report

FIXTURE = Path(__file__).parent / "fixtures" / "hadrut" / "statements.csv"
BUNDLED_ARTICLE = ("Shusha", "Shushi", "embedded social-media post", "one source, written on the day", "8 November 2020 is October", "estimated by an outsider", "each counting something different")


@pytest.fixture(scope="module")
def report() -> Report:
    return Report.from_parameters(statements_csv=str(FIXTURE))


@pytest.fixture(scope="module")
def armenian() -> Report:
    return Report.from_parameters(statements_csv=str(FIXTURE), naming="armenian")


def _layers(spec: dict):
    for key in ("vconcat", "layer", "hconcat"):
        for sub in spec.get(key, []):
            yield sub
            yield from _layers(sub)


def test_running_toll_is_drawn_against_a_date_axis(report):
    spec = report.figures_chart().spec(validate=True)
    temporal = [lay for lay in _layers(spec) if lay.get("encoding", {}).get("x", {}).get("type") == "temporal"]
    assert temporal, "no layer has a temporal x encoding"
    datasets = spec["datasets"].values()
    points = [row for rows in datasets for row in rows if row.get("date_iso")]
    toll = sorted((p["date_iso"], p["value"]) for p in points if "Military deaths" in p["series_label"])
    assert toll == [("2020-09-30", 100), ("2020-10-15", 604), ("2020-10-18", 673), ("2020-10-22", 873), ("2020-11-02", 1177), ("2020-11-09", 1221)]
    assert [p["figure_text"] for p in points if p["latest"]] == ["1,221"]
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    title = " ".join(title) if isinstance(title, list) else title
    assert "running total" in title and "each counting something different" not in title


def test_bounds_keep_their_shape_and_revised_marks_are_faded(report):
    spec = report.figures_chart().spec()
    rows = [row for rows in spec["datasets"].values() for row in rows if "bound_label" in row]
    by_text = {r["figure_text"]: r for r in rows}
    assert by_text["more than 100"]["bound_label"] == "above this (lower bound)"
    assert by_text["19"]["opacity"] < 1 and by_text["19"]["mark_text"] == "19 (revised)"
    assert by_text["21"]["opacity"] == 1


def test_figures_text_says_revision_chains_series_sources_and_roles(report):
    text = repr(report.figures_text())
    assert "28 October 2020: 19, revised the same day to 21." in text
    assert "more than 60, revised the same day to about 70" in text
    assert "9, revised on 12 October 2020 to 10" in text
    assert "a running total given 6 times, from more than 100 (30 September 2020) to 1,221 (9 November 2020)" in text
    assert "Human Rights Watch (a human-rights organisation)" in text
    assert "Caucasian Knot, 9 November 2020" in text  # the Source column
    assert "Military deaths" in text and "Peacekeepers deployed" in text  # measure labels from measures.csv
    markup = report.figures_text()._repr_html_()
    assert "<th>Source</th>" in markup and "<s>19</s>" in markup


def test_bounds_of_one_claimant_on_one_day_read_as_an_interval(tmp_path):
    rows = FIXTURE.read_text(encoding="utf-8").splitlines()
    extra = [
        "barda-injured-low,2020-10-29,,,,,figure,Prosecutor General's Office of Azerbaijan,,azerbaijan,,,barda,strike-on-barda,asserts,,,,,,Prosecutors say at least 70 were wounded in {barda}.,injured_civilian,70,at_least,people,incident,,,,sputnik-2020-10-28",
        "barda-injured-high,2020-10-29,,,,,figure,Prosecutor General's Office of Azerbaijan,,azerbaijan,,,barda,strike-on-barda,asserts,,,,,,Prosecutors say fewer than 90 were wounded in {barda}.,injured_civilian,90,fewer_than,people,incident,,,,sputnik-2020-10-28",
    ]
    for f in FIXTURE.parent.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "statements.csv").write_text("\n".join(rows + extra) + "\n", encoding="utf-8")
    text = repr(Report.from_parameters(statements_csv=str(tmp_path / "statements.csv")).figures_text())
    assert "“at least 70” and “fewer than 90” civilians injured in Barda/Partav are one interval (between 70 and 90), not a contradiction." in text


def test_truces_have_lifecycles_with_durations(report):
    text = repr(report.truces())
    assert text.count("Truce announced") == 4
    assert "Truce announced 10 October 2020 by Russia, Armenia and Azerbaijan." in text
    assert "Brokered by Russia." in text and "Brokered by United States." in text
    assert "In force: 10 November 2020, 00:00 Moscow time" in text
    assert "It held for less than a day, as the sources say" in text
    assert "came 1 hour 10 minutes after it came into force" in text  # 08:00 -> 09:10 on 26 October
    assert "Armenia accused Azerbaijan" in text and "Nagorno-Karabakh authorities denied it" in text
    assert "Deadline 15 November 2020" in text and "Deadline 25 November 2020" in text
    assert "Peacekeepers deployed: 1,960 servicemen" in text
    assert "No violation and no end of it is recorded in these sources." in text
    assert "substantive negotiations" not in text  # the Moscow talks are not a truce
    markup = report.truces()._repr_html_()
    assert markup.count('class="truce-line"') == 4 and "style=\"left: " in markup


def test_truce_held_for_hours_and_days_from_times_and_dates(tmp_path):
    import pandas as pd

    from chronology.report_truces import held_text

    def row(date, time="", zone=""):
        return pd.Series({"date": date, "time": time, "time_zone": zone, "start": pd.Timestamp(date), "end": pd.Timestamp(date), "precision": "day", "date_as_reported": ""})

    force = {"row": row("2020-10-26", "08:00", "+04:00"), "when": "26 October 2020, 08:00"}
    stop = {"row": row("2020-10-26", "09:10", "+04:00"), "phase": "violated", "who": "Armenia", "when": "09:10"}
    assert held_text(force, [stop]).startswith("It held for 1 hour 10 minutes, as the sources say")
    stop = {"row": row("2020-10-29"), "phase": "ended", "who": "Azerbaijan", "when": "29 October 2020"}
    assert held_text(force, [stop]).startswith("It held for 3 days, as the sources say")


def test_claims_headings_in_the_naming_joint_statements_and_sources(report, armenian):
    text = repr(report.claims_and_denials())
    assert text.startswith("Control of Hadrut: Ilham Aliyev, 9 October 2020")
    assert "Missile strikes on Ganja/Gandzak" in text
    assert "Missile strikes on Gandzak" in repr(armenian.claims_and_denials())
    assert "Ceasefires in Artsakh" in repr(armenian.claims_and_denials())
    markup = report.claims_and_denials()._repr_html_()
    assert "Sources: Day.Az (October 2020); Armenpress (9 October 2020)" in markup
    assert "Event Event" not in visible_text(markup)
    assert "Concession ↩ answers the claim" in markup


def test_cards_show_every_party_of_a_joint_statement_and_deadlines_are_not_claims(report):
    from chronology.report import card, card_label

    rows = report.view.set_index("id", drop=False)
    joint = card(report.sel, rows.loc["trilateral-announced"], "Announcement")
    assert [p["name"] for p in joint["parties"]] == ["Russia", "Armenia", "Azerbaijan"]
    assert len(joint["sources"]) == 3
    assert card_label(rows.loc["deadline-kalbajar"]) == "Deadline"
    assert card_label(rows.loc["barda-strike"]) == "Event"
    assert card(report.sel, rows.loc["barda-strike"], "Event")["parties"] == []


def test_reactions_are_outside_powers_only_and_ngo_figures_are_in_figures(report):
    text = repr(report.reactions())
    assert text == "Russia: 1"
    assert "Human Rights Watch" not in report.reactions()._repr_html_()


def test_title_lede_and_limits_are_written_from_the_data(report):
    heading = repr(report.heading())
    assert heading.startswith("Nagorno-Karabakh/Artsakh/Karabakh, Barda/Partav and Ganja/Gandzak: statements and figures, 30 September 2020 to 19 October 2021")
    assert "taken from 23 sources by 19 publishers" in heading
    method = repr(report.sources_and_method())
    assert "Limits: 23 sources from 19 publishers" in method
    everything = " ".join(repr(getattr(report, s)()) for s in ("heading", "at_a_glance", "claims_and_denials", "figures_text", "truces", "reactions", "sources_and_method", "places_text"))
    for words in BUNDLED_ARTICLE:
        assert words not in everything, words


def test_heading_in_armenian_naming(armenian):
    assert repr(armenian.heading()).startswith("Artsakh, Partav and Gandzak: statements and figures")


@pytest.mark.parametrize("data", [str(FIXTURE), None], ids=["fixture", "bundled"])
@pytest.mark.parametrize("seed", range(1, 9))
def test_handout_answer_key_is_right_for_seeds_1_to_8(data, seed):
    values = {"seed": seed, "answers": True} | ({"statements_csv": data} if data else {})
    h = Handout.from_parameters(**values)
    key = repr(h.answer_key())  # built only after every answer was re-derived from its rows
    assert "Answer key" in key
    for ex in h._exercise_set:
        check(h, ex)
    figures = [e for e in h._exercise_set if e.kind == "figures"]
    if figures and data:
        reason = figures[0].answer["items"][-1]
        assert "Human Rights Watch (a party" not in reason and "(speaking for Human Rights Watch, a party" not in reason


def test_a_wrong_answer_is_refused(report):
    h = Handout.from_parameters(statements_csv=str(FIXTURE), seed=3, answers=True)
    ex = next(e for e in h._exercise_set if e.kind == "figures")
    wrong = type(ex)(ex.number, ex.title, ex.kind, ex.data, ex.text, ex.answer_kind, {**ex.answer, "facts": {**ex.answer["facts"], "revision": True}}, ex.answer_text)
    with pytest.raises(AnswerKeyError):
        check(h, wrong)
    bad_text = type(ex)(ex.number, ex.title, ex.kind, ex.data, ex.text, ex.answer_kind, ex.answer, ex.answer_text + " Both come from the same office.")
    if not ex.answer["facts"]["same"]["claimant"]:
        with pytest.raises(AnswerKeyError):
            check(h, bad_text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, kernel) -> Path:
    from chronology.render import render

    return render("report", {"statements_csv": str(FIXTURE)}, out_dir=tmp_path_factory.mktemp("hadrut"), quiet=True, kernel=kernel)


def test_the_rendered_page_says_it_end_to_end(rendered):
    html = rendered.read_text(encoding="utf-8")
    text = visible_text(html)
    assert "19, revised the same day to 21" in text
    assert "It held for less than a day, as the sources say" in text
    assert "Control of Hadrut" in text
    assert '"type": "temporal"' in html or '"type":"temporal"' in html
    for words in BUNDLED_ARTICLE:
        assert words not in text, words
    assert not re.search(r"\bEvent Event\b", text)
