"""The record model (issue 10): its columns' checks, its derived columns and structures, on the
second record (tests/fixtures/hadrut/, 2020 Nagorno-Karabakh war: Hadrut, four truces, Barda,
a running toll).

Bad inputs are made in process: the fixture copied, one cell changed, and the loader must say
exactly that problem (file, line, column, what was expected) and nothing else.
"""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from chronology import record
from chronology.load import DataError, load_dataset, sibling_files
from chronology.params import Parameters
from chronology.selection import Selection

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hadrut"
STATEMENTS = FIXTURE / "statements.csv"
with STATEMENTS.open(encoding="utf-8", newline="") as _f:
    LINE = {r["id"]: i + 2 for i, r in enumerate(csv.DictReader(_f))}  # no cell of the fixture spans lines


# ---------------------------------------------------------------- helpers


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def copy(tmp_path) -> Path:
    for f in FIXTURE.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def problems_after(folder: Path, table: str, edits: dict[str, dict[str, str]]) -> list:
    """Edit cells (row id -> column -> value) of one file of the copy, load, and return the problems."""
    path = folder / f"{table}.csv"
    fields, rows = _rows(path)
    for r in rows:
        for column, value in edits.get(r["id"], {}).items():
            if column not in fields:
                fields.append(column)
            r[column] = value
    _write(path, fields, rows)
    try:
        load_dataset(folder / "statements.csv")
    except DataError as err:
        return err.problems
    return []


def expect_one(problems, line: int, column: str, *texts: str) -> str:
    assert len(problems) == 1, "\n".join(map(str, problems))
    p = problems[0]
    assert (p.line, p.column) == (line, column), str(p)
    for t in texts:
        assert t in p.expected, f"{t!r} not in {p}"
    return str(p)


# ---------------------------------------------------------------- the fixture is valid


def test_the_hadrut_fixture_validates_with_its_siblings():
    files = sibling_files(STATEMENTS)
    assert {k: v.parent for k, v in files.items()} == {k: FIXTURE for k in ("statements", "places", "parties", "sources", "topics", "measures")}
    data = load_dataset(STATEMENTS)
    assert len(data.statements) == 55 and len(data.topics) == 10 and len(data.measures) == 4
    assert not (FIXTURE / "report.yaml").exists()  # it shows the generic text


def test_old_files_without_the_new_columns_or_files_still_load(tmp_path):
    """A statements file of the first model, with no topics.csv or measures.csv beside it."""
    fields, rows = _rows(FIXTURE / "statements.csv")
    old = ["id", "date", "date_end", "date_as_reported", "kind", "speaker", "role", "party", "channel", "via", "place_id", "topic",
           "stance", "responds_to", "quote", "summary", "measure", "value", "qualifier", "unit", "source_id"]
    keep = [r for r in rows if ";" not in r["party"] + r["source_id"] and r["stance"] not in ("confirms", "concedes", "retracts", "announces")]
    ids = {r["id"] for r in keep}
    for r in keep:
        if r["responds_to"] not in ids:
            r["responds_to"] = ""
    _write(tmp_path / "statements.csv", old, [{k: r[k] for k in old} for r in keep])
    for name in ("places", "sources"):
        shutil.copy(FIXTURE / f"{name}.csv", tmp_path)
    pf, prow = _rows(FIXTURE / "parties.csv")
    _write(tmp_path / "parties.csv", ["id", "name", "side", "note"], [{k: r[k] for k in ("id", "name", "side", "note")} for r in prow])
    data = load_dataset(tmp_path / "statements.csv")  # bundled measures.csv hold deaths_military etc.
    assert data.files["measures"].parent.name == "data" and data.files["topics"].parent.name == "data"
    sel = Selection(Parameters(statements_csv=str(tmp_path / "statements.csv")), data)
    assert set(sel.parties["role"]) <= {"belligerent", "outside-power", "ngo"}
    assert all(c.startswith("#") and len(c) == 7 for c in sel.parties["colour"])
    assert (sel.rows["time_text"] == "").all() and sel.rows["sort_key"].is_monotonic_increasing


# ---------------------------------------------------------------- one bad cell, one problem


def test_time_not_hh_mm(copy):
    msg = expect_one(problems_after(copy, "statements", {"truce1-in-force": {"time": "12.00"}}), LINE["truce1-in-force"], "time", "HH:MM", "did you mean 12:00")
    assert msg.startswith(f"{copy}/statements.csv:9: time: '12.00': expected a time of day")


def test_time_without_zone(copy):
    expect_one(problems_after(copy, "statements", {"truce1-in-force": {"time_zone": ""}}), LINE["truce1-in-force"], "time_zone", "a time zone with the time")


@pytest.mark.parametrize("zone, hint", [("GMT+4", "did you mean +04:00"), ("Moscow", "did you mean 'Europe/Moscow'"), ("Mars/Olympus", ""),
                                        ("local time", "'local time' is not a zone"), ("+4:00", "did you mean +04:00")])
def test_unknown_zone(copy, zone, hint):
    expect_one(problems_after(copy, "statements", {"truce1-in-force": {"time_zone": zone}}), LINE["truce1-in-force"], "time_zone", "a UTC offset such as +04:00", hint)


def test_zones_accepted(copy):
    assert problems_after(copy, "statements", {"truce1-in-force": {"time_zone": "Asia/Baku"}, "truce2-in-force": {"time_zone": "-05:00"},
                                               "truce3-in-force": {"time_zone": "UTC"}}) == []


def test_each_id_of_a_party_list_exists(copy):
    expect_one(problems_after(copy, "statements", {"moscow-statement-truce": {"party": "russia;armenai;azerbaijan"}}), LINE["moscow-statement-truce"], "party",
               "each id in parties.csv: unknown 'armenai' (did you mean 'armenia'?)")


def test_a_list_with_an_empty_id(copy):
    expect_one(problems_after(copy, "statements", {"moscow-statement-truce": {"party": "russia;;azerbaijan"}}), LINE["moscow-statement-truce"], "party", "no empty ones")


def test_a_list_separated_by_commas(copy):
    expect_one(problems_after(copy, "statements", {"moscow-statement-truce": {"party": "russia,armenia"}}), LINE["moscow-statement-truce"], "party", "separated by ';', not ','",
               "did you mean 'russia;armenia'")


def test_each_source_id_exists(copy):
    expect_one(problems_after(copy, "statements", {"aliyev-claims-hadrut": {"source_id": "dayaz-2020-10-09;nowhere-2020"}}), LINE["aliyev-claims-hadrut"], "source_id",
               "each id in sources.csv: unknown 'nowhere-2020'")


def test_about_party_exists(copy):
    expect_one(problems_after(copy, "statements", {"truce1-armenia-accuses": {"about_party": "azerbaijn"}}), LINE["truce1-armenia-accuses"], "about_party",
               "an id in parties.csv (did you mean 'azerbaijan'?)")


def test_revises_unknown_id(copy):
    expect_one(problems_after(copy, "statements", {"barda-toll-21": {"revises": "barda-toll-18"}}), LINE["barda-toll-21"], "revises", "the id of an earlier row")


def test_revises_itself(copy):
    expect_one(problems_after(copy, "statements", {"barda-toll-21": {"revises": "barda-toll-21"}}), LINE["barda-toll-21"], "revises", "cannot revise itself")


def test_revises_a_cycle_names_the_ids(copy):
    problems = problems_after(copy, "statements", {"barda-toll-19": {"revises": "barda-toll-21"}})
    assert [(p.line, p.column) for p in problems] == sorted([(LINE["barda-toll-19"], "revises"), (LINE["barda-toll-21"], "revises")])
    for p in problems:
        assert "not a cycle" in p.expected and "barda-toll-19" in p.expected and "barda-toll-21" in p.expected


def test_revises_another_claimant(copy):
    expect_one(problems_after(copy, "statements", {"hrw-barda-deaths": {"revises": "barda-toll-21"}}), LINE["hrw-barda-deaths"], "revises", "a row of the same party",
               "responds_to")


def test_revises_a_later_row(copy):
    problems = problems_after(copy, "statements", {"ganja-1011-toll-10": {"revises": ""}, "ganja-1011-toll-9": {"revises": "ganja-1011-toll-10"}})
    expect_one(problems, LINE["ganja-1011-toll-9"], "revises", "an EARLIER row", "dated 2020-10-12")


def test_truce_phase_without_truce(copy):
    expect_one(problems_after(copy, "statements", {"truce1-in-force": {"truce": ""}}), LINE["truce1-in-force"], "truce", "a truce id with the truce_phase")


def test_truce_phase_not_allowed(copy):
    expect_one(problems_after(copy, "statements", {"truce1-in-force": {"truce_phase": "in force"}}), LINE["truce1-in-force"], "truce_phase", "did you mean 'in_force'")


def test_basis_on_a_non_figure(copy):
    expect_one(problems_after(copy, "statements", {"aliyev-claims-hadrut": {"basis": "cumulative"}}), LINE["aliyev-claims-hadrut"], "basis", "only kind=figure rows carry a figure")


def test_basis_not_allowed(copy):
    expect_one(problems_after(copy, "statements", {"barda-toll-21": {"basis": "running"}}), LINE["barda-toll-21"], "basis", "one of cumulative, incident, period")


def test_unknown_measure(copy):
    expect_one(problems_after(copy, "statements", {"barda-toll-21": {"measure": "deaths_civillian"}}), LINE["barda-toll-21"], "measure",
               "an id in measures.csv (did you mean 'deaths_civilian'?)")


def test_measure_not_in_a_local_measures_file(copy):
    """A measures.csv beside the statements replaces the bundled one: its ids are the ones allowed."""
    expect_one(problems_after(copy, "statements", {"barda-toll-21": {"measure": "displaced"}}), LINE["barda-toll-21"], "measure", "an id in measures.csv")


def test_quote_translated_yes_no(copy):
    expect_one(problems_after(copy, "statements", {"aliyev-claims-hadrut": {"quote_translated": "Y"}}), LINE["aliyev-claims-hadrut"], "quote_translated", "one of yes, no")


def test_quote_language_two_letters(copy):
    expect_one(problems_after(copy, "statements", {"aliyev-claims-hadrut": {"quote_language": "Russian"}}), LINE["aliyev-claims-hadrut"], "quote_language", "ISO 639-1",
               "did you mean 'ru'")


def test_stances_of_the_record_model_are_allowed(copy):
    assert problems_after(copy, "statements", {"aliyev-claims-hadrut": {"stance": "announces"}, "nk-mod-hadrut-raid": {"stance": "confirms"},
                                               "hovhannisyan-in-hadrut": {"stance": "retracts"}}) == []


def test_unknown_role(copy):
    expect_one(problems_after(copy, "parties", {"hrw": {"role": "charity"}}), 7, "role", "one of belligerent, outside-power")


def test_colour_not_rrggbb(copy):
    expect_one(problems_after(copy, "parties", {"hrw": {"colour": "2ca02c"}}), 7, "colour", "#rrggbb", "did you mean '#2ca02c'")


def test_measures_casualty_yes_no(copy):
    expect_one(problems_after(copy, "measures", {"peacekeepers": {"casualty": "maybe"}}), 5, "casualty", "one of yes, no")


def test_topics_need_a_label(copy):
    expect_one(problems_after(copy, "topics", {"ceasefire": {"label": ""}}), 3, "label", "required")


def test_topic_label_tokens_name_places(copy):
    expect_one(problems_after(copy, "topics", {"control-of-hadrut": {"label": "Control of {hadrud}"}}), 2, "label",
               "unknown {hadrud} (did you mean 'hadrut'?)")


def test_all_problems_at_once(copy):
    problems = problems_after(copy, "statements", {"truce1-in-force": {"time": "25:00", "time_zone": "Mars"},
                                                   "barda-toll-21": {"measure": "nothing", "basis": "x"},
                                                   "aliyev-claims-hadrut": {"quote_translated": "si"}})
    t, b, a = LINE["truce1-in-force"], LINE["barda-toll-21"], LINE["aliyev-claims-hadrut"]
    assert {(p.line, p.column) for p in problems} == {(t, "time"), (t, "time_zone"), (b, "measure"), (b, "basis"), (a, "quote_translated")}


# ---------------------------------------------------------------- derived columns and structures


@pytest.fixture(scope="module")
def sel() -> Selection:
    return Selection(Parameters(statements_csv=str(STATEMENTS)), load_dataset(STATEMENTS))


def test_lists_labels_roles(sel):
    r = sel.by_id
    assert r.loc["moscow-statement-truce", "parties_list"] == ["russia", "armenia", "azerbaijan"]
    assert r.loc["moscow-statement-truce", "lane"] == "Russia, Armenia, Azerbaijan"
    assert r.loc["aliyev-claims-hadrut", "sources_list"] == ["dayaz-2020-10-09", "armenpress-2020-10-09"]
    assert r.loc["aliyev-claims-hadrut", "source"].startswith("Day.Az")
    assert r.loc["aliyev-claims-hadrut", "topic_label"] == "Control of Hadrut"
    assert r.loc["barda-toll-21", "measure_label"] == "Civilian deaths"
    assert r.loc["hrw-barda-deaths", "party_role"] == "ngo" and r.loc["hrw-barda-deaths", "party_colour"] == "#2ca02c"
    assert sel.role_of("russia") == "outside-power" and sel.is_casualty("deaths_civilian") and not sel.is_casualty("peacekeepers")
    assert sel.topic_label("control-of-barda") == f"Control of {sel.place('barda')}"  # not in topics.csv: made from the id
    assert record.topic_fallback("front-line", {}) == "Front line"
    assert record.topic_fallback("war-in-nagorno-karabakh", {"nagorno-karabakh": "Nagorno-Karabakh"}) == "War in Nagorno-Karabakh"
    assert sel.measure_label("prisoners_exchanged") == "Prisoners exchanged"


def test_time_text_and_order(sel):
    r = sel.by_id
    assert r.loc["trilateral-in-force", "time_text"] == "00:00 Moscow time"
    assert r.loc["truce3-in-force", "time_text"] == "08:00 (UTC+04:00)"
    assert r.loc["trilateral-in-force", "time_utc"] == pd.Timestamp("2020-11-09 21:00", tz="UTC")
    assert record.time_text("12:00", "UTC") == "12:00 UTC"
    rows = sel.rows
    assert list(rows["sort_key"]) == list(range(len(rows)))
    order = list(rows["id"])
    assert order.index("truce3-in-force") < order.index("truce3-armenia-accuses")  # 08:00 before 09:10 (+04:00)
    assert order.index("truce1-in-force") < order.index("truce1-armenia-accuses")  # an untimed row keeps its file place


def test_time_order_converts_to_utc():
    """Same day: 03:00 Moscow (00:00 UTC) is before 05:00 Baku (01:00 UTC) and after 23:30 the previous day in +04:00 written."""
    day = "2020-11-10"
    assert record.time_utc(day, "03:00", "Europe/Moscow") < record.time_utc(day, "05:00", "Asia/Baku") < record.time_utc(day, "02:00", "+00:00")


def test_series(sel):
    found = sel.series()
    assert len(found) == 1
    s = found[0]
    assert (s.parties, s.measure, s.place_id, s.unit) == (("karabakh",), "deaths_military", "nagorno-karabakh", "soldiers")
    assert list(s.rows["value"]) == [100, 604, 673, 873, 1177, 1221] and s.latest["id"] == "nk-military-toll-2020-11-09"


def test_revision_chains(sel):
    chains = {tuple(c.ids): c for c in sel.revision_chains()}
    assert set(chains) == {("ganja-1011-toll-9", "ganja-1011-toll-10"), ("barda-toll-19", "barda-toll-21"), ("barda-injured-60", "barda-injured-70")}
    assert list(chains[("barda-toll-19", "barda-toll-21")].rows["superseded"]) == [True, False]
    assert sel.by_id.loc["barda-toll-19", "superseded"] and not sel.by_id.loc["barda-toll-21", "superseded"]
    assert not sel.by_id.loc["hrw-barda-deaths", "superseded"]


def test_truces(sel):
    t = {x.id: x for x in sel.truces()}
    assert list(t) == ["truce-2020-10-10", "truce-2020-10-17", "truce-2020-10-25", "truce-2020-11-09"]
    assert t["truce-2020-10-10"].brokers == ["russia"] and t["truce-2020-10-17"].brokers == []
    assert t["truce-2020-10-25"].brokers == ["united-states"]
    us = t["truce-2020-10-25"]
    assert (us.held_for, us.held_for_unit) == (timedelta(hours=1, minutes=10), "hours")
    assert ("armenia", "azerbaijan") in {(a.party, a.about_party) for a in us.accusations}
    assert (t["truce-2020-10-10"].held_for, t["truce-2020-10-10"].held_for_unit) == (timedelta(0), "days")  # within the day
    last = t["truce-2020-11-09"]
    assert last.held_for is None and len(last.deadline) >= 3 and list(last.in_force["time_text"]) == ["00:00 Moscow time"]


def test_parties_filter_keeps_joint_statements():
    data = load_dataset(STATEMENTS)
    sel = Selection(Parameters(statements_csv=str(STATEMENTS), parties=["russia"]), data)
    assert "moscow-statement-truce" in set(sel.rows["id"]) and "aliyev-claims-hadrut" not in set(sel.rows["id"])
