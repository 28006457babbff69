"""TimelineJS export and import, as a teacher uses them (`python -m chronology timeline ...`)."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

import pytest
from helpers import run_cli

from chronology import paths
from chronology.load import load_dataset
from chronology.text import plain_text
from chronology.timelinejs_export import HEADER

_SAMPLE = "shared/external/timelinejs/women_in_computing.csv"  # beside the checkout (or a worktree's checkout)
SAMPLE = next((p / _SAMPLE for p in Path(__file__).resolve().parents[1:] if (p / _SAMPLE).exists()), Path(__file__).resolve().parents[2] / _SAMPLE)


def export(*args: str) -> str:
    code, stdout, err = run_cli("timeline", "export", *args)
    assert code == 0, err
    return stdout


def rows_of(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, r)) for r in reader]


def events(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["Type"] != "title"]


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(paths.STATEMENTS_CSV)


@pytest.fixture(scope="module")
def exported() -> tuple[list[str], list[dict]]:
    return rows_of(export())


def copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for f in ("statements", "places", "parties", "sources"):
        shutil.copy(paths.DATA_DIR / f"{f}.csv", folder / f"{f}.csv")
    return folder / "statements.csv"


def edit_statements(path: Path, row_id: str, **changes: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for r in rows:
        if r["id"] == row_id:
            r.update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


# ---------------------------------------------------------------- export


def test_export_csv_has_the_timelinejs_header_and_one_row_per_statement(exported, bundled):
    header, rows = exported
    assert header == list(HEADER)
    assert ",".join(header) == (
        "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
        "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background"
    )
    titles = [r for r in rows if r["Type"] == "title"]
    assert len(titles) == 1 and titles[0]["Headline"] == "The battle for Shusha/Shushi (November 2020)"
    assert len(events(rows)) == len(bundled.statements)


def test_dates_keep_their_precision(exported, bundled):
    _, rows = exported
    for r, (_, st) in zip(events(rows), bundled.statements.iterrows()):
        parts = st["date"].split("-")
        assert [r["Year"], r["Month"], r["Day"]] == [str(int(p)) for p in parts] + [""] * (3 - len(parts)), st["id"]
        end = st["date_end"].split("-") if st["date_end"] else []
        assert [r["End Year"], r["End Month"], r["End Day"]] == [str(int(p)) for p in end] + [""] * (3 - len(end)), st["id"]
    month_rows = [r for r in events(rows) if r["Month"] and not r["Day"]]
    assert month_rows, "the bundled data has month-precision rows"
    row = next(r for r in events(rows) if r["Year"] == "2020" and r["Month"] == "9")
    assert row["Day"] == "" and row["Display Date"].startswith("September 2020")


def test_group_is_the_party_name_and_events_are_grouped_together(exported, bundled):
    _, rows = exported
    names = dict(zip(bundled.parties["id"], bundled.parties["name"]))
    for r, (_, st) in zip(events(rows), bundled.statements.iterrows()):
        joint = " + ".join(names[p] for p in st["party"].split(";") if p)  # a joint statement's group names every party
        assert r["Group"] == (html.escape(joint) if st["party"] else "Events")
    assert {"Azerbaijan", "Armenia", "Nagorno-Karabakh authorities", "Events"} <= {r["Group"] for r in rows}


def test_text_holds_the_verbatim_quote_and_the_source(exported):
    _, rows = exported
    aliyev = next(r for r in rows if "There is no force in the world that can stop us" in r["Text"])
    assert "\u201cThere is no force in the world that can stop us\u201d" in aliyev["Text"]
    assert "Ilham Aliyev, President of Azerbaijan" in aliyev["Text"]
    assert "Source: BBC News" in aliyev["Text"]
    assert aliyev["Display Date"] == "8 November 2020 \u2014 on Sunday"


def test_script_in_a_quote_is_escaped_in_csv_and_json(tmp_path):
    data = copy_data(tmp_path)
    edit_statements(data, "aliyev-no-force", quote='<script>alert("x")</script> & more', summary="<b>Aliyev</b> speaks about {shusha}.")
    for fmt in ("csv", "json"):
        text = export("--data", str(data), "--format", fmt)
        assert "<script>" not in text and "<b>" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in text
        assert "&lt;b&gt;Aliyev&lt;/b&gt; speaks about Shusha/Shushi." in text
    _, rows = rows_of(export("--data", str(data)))
    quoted = next(r for r in rows if "alert" in r["Text"])
    assert plain_text(quoted["Text"]).startswith('\u201c<script>alert("x")</script> & more\u201d')


def test_formula_cells_are_neutralised(tmp_path):
    data = copy_data(tmp_path)
    edit_statements(data, "truce-1994", summary='=HYPERLINK("http://evil.example","click")')
    edit_statements(data, "fighting-erupts", summary="@SUM(A1:A9)", date_as_reported="")
    edit_statements(data, "barda-strike", summary="-1+2 strikes on {barda}")
    _, rows = rows_of(export("--data", str(data)))
    headlines = [r["Headline"] for r in rows]
    assert "'=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)" in headlines
    assert "'@SUM(A1:A9)" in headlines
    assert "'-1+2 strikes on Barda/Partav" in headlines
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_naming_changes_headlines_but_never_quotes(bundled):
    _, arm = rows_of(export("--naming", "armenian"))
    _, aze = rows_of(export("--naming", "azerbaijani"))
    arm_headlines = " ".join(r["Headline"] for r in arm)
    aze_headlines = " ".join(r["Headline"] for r in aze)
    assert "Shushi" in arm_headlines and "Shusha" not in arm_headlines
    assert "Shusha" in aze_headlines and "Shushi" not in aze_headlines
    for rows in (arm, aze):
        for r, (_, st) in zip(events(rows), bundled.statements.iterrows()):
            if st["quote"]:
                assert html.escape(st["quote"]) in r["Text"], st["id"]
    # The Armenian official's words keep "Shushi" whatever the naming.
    assert any("The battles in Shushi continue" in r["Text"] for r in aze)


def test_json_follows_the_timelinejs3_format(bundled):
    data = json.loads(export("--format", "json"))
    assert data["title"]["text"]["headline"] == "The battle for Shusha/Shushi (November 2020)"
    assert len(data["events"]) == len(bundled.statements)
    by_id = {e["unique_id"]: e for e in data["events"]}
    assert by_id["fighting-erupts"]["start_date"] == {"year": 2020, "month": 9}
    assert by_id["truce-1994"]["start_date"] == {"year": 1994}
    assert by_id["aliyev-takes-shusha"]["start_date"] == {"year": 2020, "month": 11, "day": 8}
    assert by_id["war-late-1980s"]["end_date"] == {"year": 1994}
    assert "end_date" not in by_id["truce-1994"]
    assert by_id["aliyev-takes-shusha"]["group"] == "Azerbaijan"
    assert by_id["aliyev-takes-shusha"]["text"]["headline"] == "Aliyev announces that Azerbaijani forces have gained control of Shusha/Shushi."


def test_export_out_writes_atomically_and_bad_data_exits_2(tmp_path):
    out = tmp_path / "timeline.csv"
    code, stdout, err = run_cli("timeline", "export", "--out", str(out))
    assert code == 0, err
    assert out.read_text(encoding="utf-8").startswith("Year,Month,Day,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.csv"]  # no temporary file left

    data = copy_data(tmp_path)
    edit_statements(data, "truce-1994", date="1994-13")
    code, stdout, err = run_cli("timeline", "export", "--data", str(data), "--out", str(tmp_path / "bad.csv"))
    assert code == 2
    assert "Traceback" not in err
    assert "statements.csv:4: date: '1994-13'" in err
    assert not (tmp_path / "bad.csv").exists()


# ---------------------------------------------------------------- import


def test_round_trip_keeps_dates_headlines_and_groups(tmp_path, bundled):
    exported_csv = tmp_path / "timeline.csv"
    assert run_cli("timeline", "export", "--out", str(exported_csv))[0] == 0
    _, rows = rows_of(exported_csv.read_text(encoding="utf-8"))
    out = tmp_path / "imported" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(exported_csv), "--out", str(out))
    assert code == 0, err
    assert "# title: The battle for Shusha/Shushi (November 2020)" in err

    code, stdout, err = run_cli("validate", str(out))
    assert code == 0, err
    back = load_dataset(out)
    st, orig = back.statements, bundled.statements
    assert len(st) == len(orig)
    assert list(st["date"]) == list(orig["date"])
    assert list(st["date_end"]) == list(orig["date_end"])
    assert list(st["precision"]) == list(orig["precision"])
    assert list(st["date_as_reported"]) == list(orig["date_as_reported"])
    for summary, r in zip(st["summary"], events(rows)):
        assert summary.startswith(html.unescape(r["Headline"])), summary
    party_names = dict(zip(back.parties["id"], back.parties["name"]))
    groups = [" + ".join(party_names[x] for x in p.split(";")) if p else "Events" for p in st["party"]]
    assert groups == [html.unescape(r["Group"]) for r in events(rows)]
    assert list(st["party"]) == list(orig["party"])  # groups map back to the known party ids
    assert set(st["quote"]) == {""}  # TimelineJS text is never taken for a speaker's words
    assert back.sources["title"].tolist() == ["The battle for Shusha/Shushi (November 2020)"]


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"the TimelineJS sample is not here: {SAMPLE} (needs /work/shared)")
    return SAMPLE


def test_importing_the_women_in_computing_sample(tmp_path, sample):
    out = tmp_path / "wic" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(sample), "--out", str(out))
    assert code == 0, err
    assert "# title: Women in Computing" in err
    assert run_cli("validate", str(out))[0] == 0

    ds = load_dataset(out)
    st = ds.statements.set_index("id")
    assert len(st) == 10  # 11 rows under the header: the title row is not an event
    assert ds.sources["title"].tolist() == ["Women in Computing"]
    assert set(st["kind"]) == {"event"}  # the sample has no groups
    assert not st["summary"].str.contains("<", regex=False).any()
    ada = st.loc["1815-12-10-ada-lovelace"]
    assert (ada["date"], ada["date_end"], ada["precision"]) == ("1815-12-10", "1852-11-27", "day")
    eniac = st.loc[st["summary"].str.startswith("...And the women who made it work")].iloc[0]
    assert (eniac["date"], eniac["date_end"], eniac["precision"]) == ("1943-07", "1946", "month")
    assert "Betty\" Holberton" in eniac["summary"]  # quotes and newlines inside cells survive
    assert "\n" not in eniac["summary"]
    peter = st.loc[st["summary"].str.startswith("Rózsa Péter writes recursion")].iloc[0]
    assert (peter["date"], peter["precision"]) == ("1951", "year")
    assert "1951-rozsa-peter-writes-recursion" in st.index
    assert st.loc[st["summary"].str.startswith("Edith Clarke")].iloc[0]["summary"] == "Edith Clarke: Bucking the Trend"
    last = st.loc[st["summary"].str.startswith('"The Mother of the Internet"')].iloc[0]  # the row without a final newline
    assert last["date"] == "1985"


def test_import_groups_eras_bom_crlf_and_entities(tmp_path):
    sheet = tmp_path / "class.csv"
    text = (
        ",".join(HEADER) + "\r\n"
        ",,,,,,,,,My <b>class</b> &amp; timeline,intro,,,,,title,,\r\n"
        "1990,5,,,1995,,,,,The nineties,,,,,,era,,\r\n"
        '2001,,,,,,,,Spring 2001,"Two\r\nlines <i>here</i>","a &lt;script&gt; tag, {foo}",,,,,,Science &amp; Tech,\r\n'
        "2001,,,,,,,,,Two lines here,,,,,,,,\r\n"
        "2002,03,,,,,,,,'=1+2,,,,,,,Science & Tech,"  # no final newline
    )
    sheet.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = tmp_path / "out" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(sheet), "--out", str(out), "--source-id", "my-class")
    assert code == 0, err
    assert run_cli("validate", str(out))[0] == 0
    ds = load_dataset(out)
    st = ds.statements
    assert list(st["id"]) == ["1990-05-the-nineties", "2001-two-lines-here", "2001-two-lines-here-2", "2002-03-1-2"]
    era = st.iloc[0]
    assert (era["kind"], era["topic"], era["date"], era["date_end"], era["party"]) == ("event", "era", "1990-05", "1995", "")
    science = st.iloc[1]
    assert (science["kind"], science["party"], science["stance"], science["topic"]) == ("statement", "science-tech", "reports", "science-tech")
    assert science["summary"] == "Two lines here. a <script> tag, (foo)"
    assert science["date_as_reported"] == "Spring 2001"
    assert (st.iloc[2]["kind"], st.iloc[2]["topic"]) == ("event", "timeline")
    assert (st.iloc[3]["summary"], st.iloc[3]["date"]) == ("=1+2", "2002-03")
    assert set(st["source_id"]) == {"my-class"}
    assert ds.parties.set_index("id").loc["science-tech", "name"] == "Science & Tech"
    assert ds.sources.set_index("id").loc["my-class", "title"] == "My class & timeline"

    # And back out: the era is an era again, its title the title slide.
    _, rows = rows_of(export("--data", str(out)))
    assert [r["Type"] for r in rows] == ["title", "era", "", "", ""]
    assert rows[0]["Headline"] == "My class &amp; timeline"
    data = json.loads(export("--data", str(out), "--format", "json"))
    assert len(data["eras"]) == 1 and len(data["events"]) == 3


def test_bad_year_names_the_line_and_column(tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        ",".join(HEADER) + "\n"
        ",,,,,,,,,Title,,,,,,title,,\n"
        "-5000,,,,,,,,,Ancient,,,,,,,,\n"
        'abc,,,,,,,,,"Not a\nyear",,,,,,,,\n'
        "2020,2,30,,,,,,,No such day,,,,,,,,\n",
        encoding="utf-8",
    )
    code, stdout, err = run_cli("timeline", "import", str(sheet), "--out", str(tmp_path / "out" / "statements.csv"))
    assert code == 2
    assert "Traceback" not in err
    assert f"{sheet}:3: Year: '-5000': a year from 1 to 9999" in err
    assert f"{sheet}:4: Year: 'abc': a year as digits" in err
    assert f"{sheet}:6: Day: '30': a day from 1 to 29" in err  # line 6: the quoted newline counts
    assert not (tmp_path / "out").exists()


def test_import_without_out_prints_statements(tmp_path, sample):
    code, stdout, err = run_cli("timeline", "import", str(sample))
    assert code == 0, err
    header, rows = rows_of(stdout)
    assert header[:3] == ["id", "date", "date_end"] and len(rows) == 10


def test_party_default_turns_ungrouped_slides_into_statements(tmp_path, sample):
    out = tmp_path / "wic" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(sample), "--out", str(out), "--party-default", "Computing history")
    assert code == 0, err
    ds = load_dataset(out)
    assert set(ds.statements["kind"]) == {"statement"} and set(ds.statements["party"]) == {"computing-history"}
    assert ds.parties.set_index("id").loc["computing-history", "name"] == "Computing history"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--source-id", "My Class"], "error: --source-id 'My Class': expected an identifier in lower case letters, digits, '-' or '_' (for example 'my-class')"),
        ([], "the file is empty: expected a TimelineJS spreadsheet saved as CSV"),
    ],
)
def test_import_refusals_are_one_message_and_exit_2(tmp_path, args, message):
    sheet = tmp_path / "empty.csv"
    sheet.write_text("", encoding="utf-8")
    code, stdout, err = run_cli("timeline", "import", str(sheet), "--out", str(tmp_path / "out" / "statements.csv"), *args)
    assert (code, stdout) == (2, "")
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
