"""The loader: typed frames from the bundled data, and every problem of a bad file at once."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_bad_inputs import run_cli

from chronology import cache, paths
from chronology.errors import InputError
from chronology.load import (
    DataError,
    Dataset,
    Limits,
    Problem,
    ProblemList,
    detect_table,
    load_dataset,
    load_table,
    read_csv_text,
    sibling_files,
    validate_files,
)
from chronology.schema import PARTIES, PLACES, PRECISIONS, SOURCES, STATEMENTS

CLEAN = Path(__file__).resolve().parent / "bad_inputs" / "accept_clean.csv"


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset()


# ---------------------------------------------------------------- the bundled data


def test_bundled_statements_are_typed(ds):
    st = ds.statements
    assert list(st.columns) == ["line"] + [c.name for c in STATEMENTS.columns] + ["start", "end", "precision"]
    assert st["value"].dtype == np.float64
    assert st["line"].dtype == np.int64
    assert st["start"].dtype == "datetime64[s]" and st["end"].dtype == "datetime64[s]"
    for c in STATEMENTS.columns:
        if c.name != "value":
            assert st[c.name].dtype == "str", c.name
    assert set(st["precision"]) <= set(PRECISIONS)
    assert st["start"].notna().all() and (st["end"] >= st["start"]).all()


def test_bundled_numbers_and_empty_cells(ds):
    st = ds.statements.set_index("id")
    assert st.loc["karabakh-military-deaths", "value"] == 1200.0
    assert np.isnan(st.loc["aliyev-takes-shusha", "value"])
    assert st.loc["aliyev-takes-shusha", "quote"] == ""  # empty cells are empty strings, never NaN
    assert ds.places["latitude"].dtype == np.float64 and ds.places["longitude"].dtype == np.float64


def test_dates_keep_their_precision(ds):
    st = ds.statements.set_index("id")
    war = st.loc["war-late-1980s"]
    assert (war["precision"], war["start"], war["end"]) == ("year", pd.Timestamp("1987-01-01"), pd.Timestamp("1994-12-31"))
    erupts = st.loc["fighting-erupts"]
    assert (erupts["precision"], erupts["start"], erupts["end"]) == ("month", pd.Timestamp("2020-09-01"), pd.Timestamp("2020-09-30"))
    taken = st.loc["aliyev-takes-shusha"]
    assert (taken["precision"], taken["start"], taken["end"]) == ("day", pd.Timestamp("2020-11-08"), pd.Timestamp("2020-11-08"))


def test_lines_are_physical_lines_of_the_file(ds):
    lines = ds.statements["line"].tolist()
    assert lines[0] == 2  # line 1 is the header
    with paths.STATEMENTS_CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        starts, start = [], 2
        for _ in reader:
            starts.append(start)
            start = reader.line_num + 1
    assert lines == starts


def test_other_tables_load(ds):
    assert list(ds.places.columns) == ["line"] + [c.name for c in PLACES.columns]
    assert list(ds.parties.columns) == ["line"] + [c.name for c in PARTIES.columns]
    assert list(ds.sources.columns) == ["line"] + [c.name for c in SOURCES.columns]
    assert "shusha" in set(ds.places["id"]) and "azerbaijan" in set(ds.parties["id"])
    assert ds.files["statements"] == paths.STATEMENTS_CSV


def test_validate_the_bundled_data_exits_0():
    code, out, err = run_cli("validate", *sorted(paths.DATA_DIR.glob("*.csv")))
    assert code == 0, err
    assert out.strip() == "ok: 6 files valid"


def test_load_table_and_detect_table():
    places = load_table(paths.PLACES_CSV, PLACES)
    assert places["latitude"].dtype == np.float64 and places["line"].iloc[0] == 2
    assert detect_table(paths.PLACES_CSV) is PLACES
    assert detect_table(paths.STATEMENTS_CSV) is STATEMENTS


def test_a_table_named_otherwise_is_known_by_its_header(tmp_path):
    odd = tmp_path / "my-places.csv"
    odd.write_bytes(paths.PLACES_CSV.read_bytes())
    assert detect_table(odd) is PLACES
    assert validate_files([odd]) == []


def test_siblings_are_used_when_present(tmp_path):
    st = tmp_path / "statements.csv"
    st.write_bytes(CLEAN.read_bytes())
    assert sibling_files(st)["places"] == paths.PLACES_CSV
    (tmp_path / "places.csv").write_bytes(paths.PLACES_CSV.read_bytes())
    assert sibling_files(st)["places"] == tmp_path / "places.csv"
    assert load_dataset(st).files["places"] == tmp_path / "places.csv"


def test_read_csv_text_gives_stripped_strings_and_lines():
    frame, lines, problems = read_csv_text(CLEAN, STATEMENTS)
    assert problems == []
    assert list(frame.columns) == [c.name for c in STATEMENTS.columns]
    assert frame["value"].iloc[6] == "1200"  # strings: typing comes after
    # babayan-battlefield's quote runs over lines 7 and 8, so the next row starts on line 9
    assert lines.tolist() == [2, 3, 4, 5, 6, 7, 9, 10, 11]


# ---------------------------------------------------------------- every problem at once


BROKEN = """\
id,date,date_end,date_as_reported,kind,speaker,role,party,channel,via,place_id,topic,stance,responds_to,quote,summary,measure,value,qualifier,unit,source_id
aliyev-takes-shusha,2020-11-31,,on Sunday,statement,Ilham Aliyev,President of Azerbaijan,azerbaijan,televised address,,shusha,control-of-shusha,asserts,,,Aliyev announces control of {shusha}.,,,,,bbc-2020-11-08
hovhannisyan-battles-continue,2020-11-08,,,statement,Artsrun Hovhannisyan,official,armenja,Facebook post,,shusha,control-of-shusha,denies,aliyev-takes-shusha,"The battles in Shushi continue",Armenia denies it.,,,,,bbc-2020-11-08
karabakh-military-deaths,2020-11-08,,,figure,Nagorno-Karabakh authorities,,karabakh,,,nagorno-karabakh,casualties,asserts,,,"Nearly 1,200 died.",deaths_military,about twelve hundred,nearly,people,bbc-2020-11-08
"""


def test_a_broken_date_an_unknown_party_and_a_word_for_a_number_are_reported_together(tmp_path):
    bad = tmp_path / "statements.csv"
    bad.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(bad)
    found = [(p.line, p.column, p.value) for p in err.value.problems]
    assert found == [(2, "date", "2020-11-31"), (3, "party", "armenja"), (4, "value", "about twelve hundred")]
    code, _, err = run_cli("validate", bad)
    assert code == 2
    assert err.splitlines() == [
        "3 problems in the data:",
        f"{bad}:2: date: '2020-11-31': expected a date as YYYY, YYYY-MM or YYYY-MM-DD; November 2020 has 30 days",
        f"{bad}:3: party: 'armenja': expected an id in parties.csv (did you mean 'armenia'?)",
        f"{bad}:4: value: 'about twelve hundred': expected a number such as 1200 or \"1,200\"",
    ]


def test_problems_in_several_files_are_reported_together(tmp_path):
    (tmp_path / "statements.csv").write_text(BROKEN, encoding="utf-8")
    parties = paths.PARTIES_CSV.read_text(encoding="utf-8").replace(",third-party,", ",neutral,", 1)
    (tmp_path / "parties.csv").write_text(parties, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(tmp_path / "statements.csv")
    files = {Path(p.file).name for p in err.value.problems}
    assert files == {"statements.csv", "parties.csv"}
    side = [p for p in err.value.problems if p.column == "side"]
    assert side[0].line == 5 and "one of azerbaijani, armenian, third-party, press" in side[0].expected


def test_problem_text_has_the_file_line_column_value_expected_shape():
    assert str(Problem("s.csv", 3, "date", "08/11/2020", "expected a date")) == "s.csv:3: date: '08/11/2020': expected a date"
    assert str(Problem("s.csv", 0, "", "", "the file is empty")) == "s.csv: the file is empty"
    assert str(Problem("s.csv", 7, "", "", "not UTF-8")) == "s.csv:7: not UTF-8"
    long = str(Problem("s.csv", 2, "quote", "x" * 100, "shorter"))
    assert "'" + "x" * 57 + "...'" in long


def test_data_error_lists_forty_and_counts_the_rest():
    problems = [Problem("s.csv", i, "kind", "k", "one of statement, event, figure") for i in range(2, 47)]
    err = DataError(problems)
    assert isinstance(err, InputError) and err.exit_code == 2 and str(err) == err.message()
    lines = err.message().splitlines()
    assert lines[0] == "45 problems in the data:" and len(lines) == 42
    assert lines[-1] == "... and 5 more problems"
    counted = ProblemList(problems[:10])
    counted.omitted = 90
    assert DataError(counted).message(limit=5).splitlines()[-1] == "... and 95 more problems"
    assert DataError(problems[:1]).message().splitlines()[0] == "1 problem in the data:"


def test_limits_given_to_load_dataset_are_used():
    with pytest.raises(DataError) as err:
        load_dataset(CLEAN, limits=Limits(max_file_bytes=100))
    assert "more than the limit of 100" in err.value.message()


def test_the_cache_returns_the_same_dataset_and_rebuilds_a_damaged_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("CHRONOLOGY_CACHE", str(tmp_path))
    monkeypatch.delenv("CHRONOLOGY_NO_CACHE", raising=False)
    first = cache.load_dataset_cached(CLEAN)
    (entry,) = (tmp_path / "datasets").glob("*.pickle")
    assert not list((tmp_path / "datasets").glob("*.partial"))
    pd.testing.assert_frame_equal(cache.load_dataset_cached(CLEAN).statements, first.statements)
    entry.write_bytes(b"damaged")
    pd.testing.assert_frame_equal(cache.load_dataset_cached(CLEAN).statements, first.statements)
    assert entry.read_bytes() != b"damaged"


def test_a_header_after_blank_lines_keeps_physical_line_numbers(tmp_path):
    text = CLEAN.read_text(encoding="utf-8").replace(",televised address,", ",televised address,,", 1)
    (tmp_path / "statements.csv").write_text("\n\n" + text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(tmp_path / "statements.csv")
    # aliyev-takes-shusha is line 4 of the clean file: two blank lines before the header make it 6
    assert [(p.line, p.column) for p in err.value.problems] == [(6, "")]
    assert "more cells than the header" in err.value.problems[0].expected


# ---------------------------------------------------------------- the fast reader's corner cases


def _both_readers(path: Path):
    fast = read_csv_text(path, STATEMENTS)
    exact = read_csv_text(path, STATEMENTS, exact=True)
    if fast[0] is not None or exact[0] is not None:
        pd.testing.assert_frame_equal(fast[0], exact[0])
        assert fast[1].tolist() == exact[1].tolist()
    assert fast[2] == exact[2]
    return fast


def test_quote_marks_inside_unquoted_cells_are_characters(tmp_path, monkeypatch):
    text = CLEAN.read_text(encoding="utf-8")
    text = text.replace("Ilham Aliyev,President", 'Ilham "the president" Aliyev,President', 1)
    text = text.replace("Facebook post", 'Facebook post 5" long', 1)
    text = text.replace("told the BBC", 'told the BBC""', 1)
    path = tmp_path / "statements.csv"
    path.write_text(text, encoding="utf-8")
    frame, lines, problems = _both_readers(path)
    assert problems == []
    assert frame["speaker"].iloc[2] == 'Ilham "the president" Aliyev'
    assert frame["channel"].iloc[4] == 'Facebook post 5" long'
    assert frame["channel"].iloc[5] == 'told the BBC""'
    assert lines.tolist() == [2, 3, 4, 5, 6, 7, 9, 10, 11]  # the quoted cell over lines 7-8 still counts
    monkeypatch.setattr("chronology.csvread.MAX_LITERAL_QUOTES", 1)  # past the cap the exact reader takes over
    assert _both_readers(path)[1].tolist() == lines.tolist()


def test_an_unclosed_quote_is_found_by_both_readers(tmp_path):
    lines = CLEAN.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "statements.csv"
    path.write_text("".join(lines[:3] + [lines[3].replace(",televised address,", ',"televised address,')]), encoding="utf-8")
    frame, _, problems = _both_readers(path)
    assert frame is None
    assert [(p.line, p.column) for p in problems] == [(4, "")] and "never closed" in problems[0].expected


def test_a_quote_left_open_is_named_once_on_its_line(tmp_path):
    """Closed by a later row's quote, an open quote swallows rows: one problem says so, not twenty."""
    text = CLEAN.read_text(encoding="utf-8").replace(",televised address,", ',"televised address,', 1)
    path = tmp_path / "statements.csv"
    path.write_text(text, encoding="utf-8")
    _both_readers(path)
    with pytest.raises(DataError) as err:
        load_dataset(path)
    assert [(p.line, p.column) for p in err.value.problems] == [(4, "channel")]
    assert 'is a quotation mark (") left open?' in err.value.problems[0].expected


def test_rows_longer_than_the_header_are_found_by_both_readers(tmp_path):
    lines = CLEAN.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",,\n"  # stray commas: fine
    lines[4] = lines[4].rstrip("\n") + ",oops\n"  # data past the header: a shifted row
    path = tmp_path / "statements.csv"
    path.write_text("".join(lines), encoding="utf-8")
    frame, _, problems = _both_readers(path)
    assert [(p.line, p.column) for p in problems] == [(5, "")]
    assert "extra 'oops'" in problems[0].expected
