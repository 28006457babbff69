"""TimelineJS export and import, as a teacher uses them (`python -m chronology timeline ...`)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import offline_page, run_cli

from chronology import paths
from chronology.load import load_dataset
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
    for f in ("statements", "places", "parties", "sources", "topics", "measures"):
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
        # a joint statement ('russia;armenia;azerbaijan'): every party's name, in the row's order
        assert r["Group"] == ("; ".join(names[p] for p in st["party"].split(";")) if st["party"] else "Events"), st["id"]
    groups = {r["Group"] for r in rows}
    assert {"Azerbaijan", "Armenia", "Nagorno-Karabakh authorities", "Events", "Russia; Armenia; Azerbaijan"} <= groups


def test_text_holds_the_verbatim_quote_and_the_source(exported):
    _, rows = exported
    aliyev = next(r for r in rows if "There is no force in the world that can stop us" in r["Text"])
    assert "\u201cThere is no force in the world that can stop us\u201d" in aliyev["Text"]
    assert "Ilham Aliyev, President of Azerbaijan" in aliyev["Text"]
    assert "Source: BBC News" in aliyev["Text"]
    assert aliyev["Display Date"] == "8 November 2020 \u2014 on Sunday"


def test_script_in_a_quote_is_plain_in_csv_and_escaped_in_json(tmp_path):
    data = copy_data(tmp_path)
    edit_statements(data, "aliyev-no-force", quote='<script>alert("x")</script> & more', summary="<b>Aliyev</b> speaks about {shusha}.")
    # JSON: every text TimelineJS shows is HTML with the data escaped, the same way in every field
    text = export("--data", str(data), "--format", "json")
    event = next(e for e in json.loads(text)["events"] if e["unique_id"] == "aliyev-no-force")
    assert "<script>" not in event["text"]["text"] and "<b>" not in event["text"]["text"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in event["text"]["text"]
    assert "&lt;b&gt;Aliyev&lt;/b&gt; speaks about Shusha/Shushi." in event["text"]["text"]
    assert event["chronology"]["quote"] == '<script>alert("x")</script> & more'  # the hidden row: plain data
    # CSV: plain text in every cell, no entities (a spreadsheet shows what the data says)
    _, rows = rows_of(export("--data", str(data)))
    quoted = next(r for r in rows if "alert" in r["Text"])
    assert '\u201c<script>alert("x")</script> & more\u201d' in quoted["Text"]
    assert quoted["Text"].startswith("<b>Aliyev</b> speaks about Shusha/Shushi.")
    for r in rows:
        for column, cell in r.items():
            if column != "Media Credit":
                assert not re.search(r"&(amp|lt|gt|quot|#x27|#39);", cell), (column, cell)


def test_formula_cells_are_neutralised(tmp_path):
    data = copy_data(tmp_path)
    edit_statements(data, "truce-1994", summary='=HYPERLINK("http://evil.example","click")')
    edit_statements(data, "fighting-erupts", summary="@SUM(A1:A9)", date_as_reported="")
    edit_statements(data, "barda-strike", summary="-1+2 strikes on {barda}")
    edit_statements(data, "aliyev-no-force", speaker="=cmd|' /C calc'!A0")
    _, rows = rows_of(export("--data", str(data)))
    texts = [r["Text"] for r in rows]
    assert any(t.startswith("'=HYPERLINK(\"http://evil.example\",\"click\")") for t in texts)
    assert any(t.startswith("'@SUM(A1:A9)") for t in texts)
    assert any(t.startswith("'-1+2 strikes on Barda/Partav") for t in texts)
    assert "'=cmd|' /C calc'!A0 \u2014 Control of Nagorno-Karabakh/Artsakh/Karabakh" in [r["Headline"] for r in rows]
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_headlines_are_short_and_the_summary_is_in_the_text(exported, bundled):
    _, rows = exported
    for r in events(rows):
        assert len(r["Headline"]) <= 80 and "\n" not in r["Headline"], r["Headline"]
    aliyev = next(r for r in rows if "There is no force in the world" in r["Text"])
    assert aliyev["Headline"] == "Ilham Aliyev \u2014 Control of Nagorno-Karabakh/Artsakh/Karabakh"  # topics.csv's label
    assert aliyev["Text"].splitlines()[0] == "Aliyev pledges to retake Nagorno-Karabakh/Artsakh/Karabakh for Azerbaijan."
    assert [r["Headline"] for r in events(rows)][:4] == [
        "Background of the conflict over Nagorno-Karabakh/Artsakh/Karabakh", "BBC News \u2014 Casualties",
        "Ceasefires and truces", "Outbreak of fighting in September 2020",
    ]
    # a long label is cut at a word, the speaker kept whole
    road = [r["Headline"] for r in events(rows) if r["Headline"].startswith("Nagorno-Karabakh Defence Army \u2014 The road from")]
    assert road and all(h.endswith("\u2026") for h in road), road


def test_naming_changes_headlines_but_never_quotes(bundled):
    _, arm = rows_of(export("--naming", "armenian"))
    _, aze = rows_of(export("--naming", "azerbaijani"))
    arm_headlines = " ".join(r["Headline"] + " " + r["Text"].splitlines()[0] for r in arm if r["Type"] != "title")
    aze_headlines = " ".join(r["Headline"] + " " + r["Text"].splitlines()[0] for r in aze if r["Type"] != "title")
    assert "Shushi" in arm_headlines and "Shusha " not in arm_headlines.replace("Shushan", "")
    assert "Shusha" in aze_headlines and "Shushi" not in aze_headlines
    for rows in (arm, aze):
        for r, (_, st) in zip(events(rows), bundled.statements.iterrows()):
            if st["quote"]:
                assert st["quote"] in r["Text"], st["id"]
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
    assert by_id["aliyev-takes-shusha"]["text"]["headline"] == "Ilham Aliyev \u2014 Control of Shusha/Shushi"
    assert by_id["aliyev-takes-shusha"]["text"]["text"].startswith("<p>Aliyev announces that Azerbaijani forces have gained control of Shusha/Shushi.</p>")
    assert by_id["aliyev-takes-shusha"]["chronology"]["id"] == "aliyev-takes-shusha"
    assert data["title"]["chronology"]["format"] == "chronology-timelinejs/1"


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


def assert_same_frames(back, orig, what: str) -> None:
    """Every column of every row, compared column by column (by id)."""
    back, orig = back.set_index("id").sort_index(), orig.set_index("id").sort_index()
    columns = [c for c in orig.columns if c != "line"]
    assert list(back.index) == list(orig.index), what
    for column in columns:
        assert column in back.columns, f"{what}: {column} lost"
        assert back[column].equals(orig[column]), f"{what}: column {column} differs"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_of_our_export_is_lossless(tmp_path, bundled, fmt):
    exported_file = tmp_path / f"timeline.{fmt}"
    assert run_cli("timeline", "export", "--format", fmt, "--out", str(exported_file))[0] == 0
    out = tmp_path / "imported" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(exported_file), "--out", str(out))
    assert code == 0, err
    assert "# title: The battle for Shusha/Shushi (November 2020)" in err
    code, stdout, err = run_cli("validate", str(out))
    assert code == 0, err
    back = load_dataset(out)
    assert_same_frames(back.statements, bundled.statements, "statements")
    st = back.statements
    assert (st["quote"] != "").sum() == (bundled.statements["quote"] != "").sum() > 5
    assert (st["speaker"] != "").sum() > 10 and (st["responds_to"] != "").sum() > 3 and (st["kind"] == "figure").sum() > 3
    assert out.read_bytes() == paths.STATEMENTS_CSV.read_bytes()  # the file itself, byte for byte
    for table in ("sources", "places", "topics", "measures"):
        assert_same_frames(getattr(back, table), getattr(bundled, table), table)
    assert (out.parent / "topics.csv").exists() and (out.parent / "measures.csv").exists()
    used = set(bundled.statements["party"]) - {""}
    assert_same_frames(back.parties, bundled.parties[bundled.parties["id"].isin(used)], "parties")


def test_round_trip_carries_new_columns(tmp_path):
    """The record model's columns (time, time_zone, truce, ...) and a column no schema knows (editor_note,
    between summary and measure) survive, in their place."""
    data = copy_data(tmp_path)
    with data.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames), list(reader)
    assert {"time", "time_zone", "truce", "about_party", "basis", "revises"} <= set(fields)
    fields.insert(fields.index("summary") + 1, "editor_note")
    for r in rows:
        r.update(editor_note="")
    by_id = {r["id"]: r for r in rows}
    by_id["aliyev-no-force"].update(time="14:05", time_zone="Asia/Baku", truce="russian-truce-1", editor_note="checked, 1 & 2")
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    for fmt in ("csv", "json"):
        exported_file = tmp_path / f"timeline.{fmt}"
        assert run_cli("timeline", "export", "--data", str(data), "--format", fmt, "--out", str(exported_file))[0] == 0
        out = tmp_path / fmt / "statements.csv"
        code, stdout, err = run_cli("timeline", "import", str(exported_file), "--out", str(out))
        assert code == 0, err
        with out.open(encoding="utf-8", newline="") as fh:
            back = {r["id"]: r for r in csv.DictReader(fh)}
        assert back["aliyev-no-force"]["time"] == "14:05" and back["aliyev-no-force"]["time_zone"] == "Asia/Baku"
        assert back["aliyev-no-force"]["truce"] == "russian-truce-1" and back["aliyev-no-force"]["editor_note"] == "checked, 1 & 2"
        assert list(back["aliyev-no-force"]) == fields
        assert out.read_text(encoding="utf-8") == data.read_text(encoding="utf-8")


def test_party_and_source_lists(bundled, tmp_path):
    """';'-separated party and source_id lists (record model v2): one group naming every party on export;
    kept as written in the hidden row; a Group with ';' names several parties on import."""
    from chronology.timelinejs_export import build_slides, export_csv, export_json
    from chronology.timelinejs_import import read_timeline

    ds = load_dataset(paths.STATEMENTS_CSV)
    st = ds.statements
    st.loc[st["id"] == "azerbaijan-blames-outbreak", "party"] = "azerbaijan;turkey"
    st.loc[st["id"] == "azerbaijan-blames-outbreak", "source_id"] = "bbc-2020-11-08;bbc-2020-11-08"
    ds.files = {}  # the frame, not the file, is exported
    slides = build_slides(ds)
    joint = next(s for s in slides if s.unique_id == "azerbaijan-blames-outbreak")
    assert joint.group == "Azerbaijan; Turkey" and joint.headline == "Azerbaijan \u2014 Outbreak of fighting in September 2020"
    assert "Sources: BBC News" in joint.text_plain
    assert {p["id"] for p in slides[0].hidden["parties"]} >= {"azerbaijan", "turkey"}
    for fmt, text in (("json", export_json(slides)), ("csv", export_csv(slides))):
        path = tmp_path / f"t.{fmt}"
        path.write_text(text, encoding="utf-8")
        back = {r["id"]: r for r in read_timeline(path).statements}
        assert back["azerbaijan-blames-outbreak"]["party"] == "azerbaijan;turkey", fmt
        assert back["azerbaijan-blames-outbreak"]["source_id"] == "bbc-2020-11-08;bbc-2020-11-08", fmt
    sheet = tmp_path / "joint.csv"
    sheet.write_text(",".join(HEADER) + "\n2020,11,10,,,,,,,Truce signed,,,,,,,Russia; Armenia ;Azerbaijan,\n", encoding="utf-8")
    imported = read_timeline(sheet, known_parties={"russia": "Russia"})
    assert imported.statements[0]["party"] == "russia;armenia;azerbaijan"
    assert set(imported.parties) == {"armenia", "azerbaijan"}  # russia is known beside: not a new party


def test_export_selection_start_end_parties_naming(bundled):
    data = json.loads(export("--format", "json", "--start", "2020-11", "--end", "2020-11-10", "--parties", "azerbaijan,armenia", "--naming", "armenian"))
    rows = [e["chronology"] for e in data["events"]]
    # a kept row names one of the parties, alone or in a joint statement ('russia;armenia;azerbaijan')
    assert rows and all({"azerbaijan", "armenia"} & set(r["party"].split(";")) for r in rows), [r["party"] for r in rows]
    assert any(";" in r["party"] for r in rows)
    ends = {r["id"]: e for r, e in zip(rows, data["events"])}
    assert all(r["date"] <= "2020-11-10" and max(r["date"], r["date_end"]) >= "2020-11" for r in rows), [r["date"] for r in rows]
    assert len(ends) < len(bundled.statements)
    assert not any(r["date"].startswith("1987") for r in rows)  # the background is left out: it set the zoom
    assert "Shushi" in " ".join(e["text"]["headline"] + e["text"]["text"] for e in data["events"])
    named = {p for r in rows for column in ("party", "about_party") for p in r[column].split(";") if p}
    assert {p["id"] for p in data["title"]["chronology"]["parties"]} == named  # the parties the kept rows name, no other
    _, csv_rows = rows_of(export("--start", "2020-09-27"))
    assert len(events(csv_rows)) == (bundled.statements["end"] >= "2020-09-27").sum() < len(bundled.statements)
    code, stdout, err = run_cli("timeline", "export", "--parties", "nobody")
    assert code == 2 and "parties: 'nobody': expected a party id" in err
    code, stdout, err = run_cli("timeline", "export", "--start", "2020-13")
    assert code == 2 and "start" in err and "expected" in err


def test_round_trip_of_a_selection_imports(tmp_path):
    exported_file = tmp_path / "t.json"
    assert run_cli("timeline", "export", "--format", "json", "--parties", "armenia", "--out", str(exported_file))[0] == 0
    out = tmp_path / "sel" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(exported_file), "--out", str(out))
    assert code == 0, err
    ds = load_dataset(out)
    parties = [set(cell.split(";")) for cell in ds.statements["party"]]
    assert parties and all("armenia" in p for p in parties)  # joint statements Armenia signed are kept
    named = set().union(*parties, *(set(c.split(";")) for c in ds.statements["about_party"] if c))
    assert set(ds.parties["id"]) == named and "turkey" not in named  # only the parties the kept rows name
    assert (out.parent / "topics.csv").exists() and (out.parent / "measures.csv").exists()


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"the TimelineJS sample is not here: {SAMPLE} (it ships in ../shared/external beside the checkout)")
    return SAMPLE


def test_importing_the_women_in_computing_sample(tmp_path, sample):
    out = tmp_path / "wic" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(sample), "--out", str(out), "--published", "2019")
    assert code == 0, err
    assert "# title: Women in Computing" in err
    assert not (out.parent / "parties.csv").exists()  # the sample names no party: none is seeded
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
    code, stdout, err = run_cli("timeline", "import", str(sheet), "--out", str(out), "--source-id", "my-class", "--published", "2001")
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
    assert (st.iloc[3]["summary"], st.iloc[3]["date"]) == ("'=1+2", "2002-03")  # the user's apostrophe stays
    assert list(ds.parties["id"]) == ["science-tech"]  # only the parties the sheet names
    assert set(st["source_id"]) == {"my-class"}
    assert ds.parties.set_index("id").loc["science-tech", "name"] == "Science & Tech"
    assert ds.sources.set_index("id").loc["my-class", "title"] == "My class & timeline"

    # And back out: the era is an era again, its title the title slide.
    _, rows = rows_of(export("--data", str(out)))
    assert [r["Type"] for r in rows] == ["title", "era", "", "", ""]
    assert rows[0]["Headline"] == "My class & timeline"
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
    assert f"{sheet}:3: Year: '-5000': expected a year from 1 to 9999" in err
    assert f"{sheet}:4: Year: 'abc': expected a year as digits" in err
    assert f"{sheet}:6: Day: '30': expected a day from 1 to 29" in err  # line 6: the quoted newline counts
    assert not (tmp_path / "out").exists()


def test_import_without_out_prints_statements(tmp_path, sample):
    code, stdout, err = run_cli("timeline", "import", str(sample))
    assert code == 0, err
    header, rows = rows_of(stdout)
    assert header[:3] == ["id", "date", "date_end"] and len(rows) == 10


def test_party_default_turns_ungrouped_slides_into_statements(tmp_path, sample):
    out = tmp_path / "wic" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(sample), "--out", str(out), "--party-default", "Computing history", "--published", "2019")
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


# ---------------------------------------------------------------- TimelineJS's own JSON

TEMPLATES = Path(__file__).resolve().parent / "timelinejs"  # Knight Lab's templates (MPL-2.0, see its README)
TIMELINEJS = Path(__file__).resolve().parent / "js" / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


def test_timelinejs_eras_template_imports_and_validates(tmp_path):
    out = tmp_path / "eras" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(TEMPLATES / "eras.json"), "--out", str(out), "--published", "2023")
    assert code == 0, err
    assert "# title: Eras Test" in err
    assert run_cli("validate", str(out))[0] == 0
    ds = load_dataset(out)
    st = ds.statements
    assert len(st) == 23 and (st["topic"] == "era").sum() == 3
    mecca = st[st["summary"].str.startswith("Muhammad Migrates")].iloc[0]
    assert (mecca["date"], mecca["date_end"]) == ("0622-08-09", "0622-08-23")
    assert not (out.parent / "parties.csv").exists()
    assert ds.sources["published"].tolist() == ["2023"] and ds.sources["title"].tolist() == ["Eras Test"]


def test_timelinejs_cosmology_template_is_refused_slide_by_slide(tmp_path):
    """Its years are before the common era (-13800000000): the schema stores years 1 to 9999."""
    out = tmp_path / "cosmo" / "statements.csv"
    code, stdout, err = run_cli("timeline", "import", str(TEMPLATES / "cosmo.json"), "--out", str(out))
    assert code == 2 and "Traceback" not in err
    assert f"{TEMPLATES / 'cosmo.json'}: events[0].start_date.year: '-13800000000': expected a year from 1 to 9999" in err
    assert err.count("expected a year from 1 to 9999") == 8  # 7 starts and one end
    assert not out.parent.exists()


def test_json_problems_name_the_event_and_the_key(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"events": [{"start_date": {"year": "2020", "month": "13"}, "text": {"headline": "x"}}, {"text": {}}]}), encoding="utf-8")
    code, stdout, err = run_cli("timeline", "import", str(bad))
    assert code == 2
    assert "events[0].start_date.month: '13': expected a month" in err
    assert "events[1].start_date.year: '': expected a year" in err
    (tmp_path / "not.json").write_text("{", encoding="utf-8")
    code, stdout, err = run_cli("timeline", "import", str(tmp_path / "not.json"))
    assert code == 2 and "expected TimelineJS JSON" in err


def test_our_json_export_loads_in_timelinejs(tmp_path, browser):
    """Knight Lab's TimelineJS (npm @knight-lab/timelinejs, installed by `npm ci` in tests/js) draws our JSON."""
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        pytest.skip(f"TimelineJS is not installed: run `npm ci` in {TIMELINEJS.parents[3]} (CI does)")
    data = export("--format", "json", "--start", "2020-09")
    page_file = tmp_path / "timeline.html"
    page_file.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<link rel='stylesheet' href='{(TIMELINEJS / 'css' / 'timeline.css').as_uri()}'>"
        f"<script src='{(TIMELINEJS / 'js' / 'timeline.js').as_uri()}'></script></head>"
        "<body><div id='timeline-embed' style='width:1000px;height:700px'></div>"
        f"<script>window.tl = new TL.Timeline('timeline-embed', {data.strip()}, {{script_path: '{(TIMELINEJS / 'js').as_uri()}/'}});</script>"
        "</body></html>",
        encoding="utf-8",
    )
    page, _requests, _console, errors = offline_page(browser, page_file.as_uri(), height=800)
    page.wait_for_function("document.querySelectorAll('.tl-slide').length > 1", timeout=20000)
    n_events = len(json.loads(data)["events"])
    assert page.evaluate("document.querySelectorAll('.tl-slide').length") == n_events + 1  # and the title slide
    assert page.evaluate("document.querySelectorAll('.tl-timemarker').length") == n_events
    assert page.evaluate("window.tl.config.messages.errors.length") == 0
    assert "Ilham Aliyev \u2014 Control of Shusha/Shushi" in page.inner_text("body")
    assert errors == [], errors
    page.close()
