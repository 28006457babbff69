"""data/README.md and data/datapackage.json agree with src/chronology/schema.py.

schema.py is the one source of truth: renaming a column, changing its type, meaning or
example, or adding/removing a column there fails these tests until the docs follow.

How the README is read (the contract this file enforces):
- Each CSV has a section whose heading (`#`..`####`) contains the file name, e.g. `## statements.csv`.
- In that section, the first table whose header is exactly `| column | meaning | type | example |`
  lists the columns, one row per column, in schema order.
- column: the name in backticks. type: the schema's type string. example: the schema's example,
  optionally in backticks. meaning: starts with the schema's meaning; it may be followed by one
  parenthesised note `(required; unique; one of: `a`, `b`; refers to `file.column`)` whose parts
  must match the column's constraints exactly.
- Row counts live in the table whose header is `| file | ... | rows |`: the rows cell starts with an
  integer (`37`, `6 features`, `4 resources`).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from chronology import schema
from chronology.schema import TABLES, Column, Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
README = DATA / "README.md"
DATAPACKAGE = DATA / "datapackage.json"
COLUMN_HEADER = ["column", "meaning", "type", "example"]


# ---------------------------------------------------------------- parsing the README


def split_row(line: str) -> list[str]:
    """A markdown table row -> its cells (a `\\|` inside a cell is a literal bar)."""
    body = line.strip()
    if not (body.startswith("|") and body.endswith("|")):
        raise ValueError(f"not a table row: {line!r}")
    cells = re.split(r"(?<!\\)\|", body[1:-1])
    return [c.strip().replace("\\|", "|") for c in cells]


def is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def tables_in(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every markdown table in the text: (header cells, body rows)."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and lines[i + 1].lstrip().startswith("|"):
            header = split_row(lines[i])
            if is_separator(split_row(lines[i + 1])):
                rows = []
                j = i + 2
                while j < len(lines) and lines[j].lstrip().startswith("|"):
                    rows.append(split_row(lines[j]))
                    j += 1
                out.append((header, rows))
                i = j
                continue
        i += 1
    return out


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for every heading of level 1 to 4 (headings inside code fences ignored)."""
    out: list[tuple[str, list[str]]] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        m = None if fenced else re.match(r"^#{1,4}\s+(.*)$", line)
        if m:
            out.append((m.group(1).strip(), []))
        elif out:
            out[-1][1].append(line)
    return [(h, "\n".join(body)) for h, body in out]


def column_table(text: str, filename: str) -> list[list[str]]:
    matches = [body for heading, body in sections(text) if filename in heading.replace("`", "")]
    assert len(matches) == 1, f"README: expected one section headed with {filename}, found {len(matches)}"
    for header, rows in tables_in(matches[0]):
        if [h.lower() for h in header] == COLUMN_HEADER:
            return rows
    raise AssertionError(f"README: the {filename} section has no table headed | column | meaning | type | example |")


def unticked(cell: str) -> str:
    m = re.fullmatch(r"`([^`]*)`", cell)
    return m.group(1) if m else cell


def expected_notes(col: Column) -> list[str]:
    notes = []
    if col.required:
        notes.append("required")
    if col.unique:
        notes.append("unique")
    if col.allowed:
        notes.append("one of: " + ", ".join(f"`{a}`" for a in col.allowed))
    if col.references:
        notes.append(f"refers to `{col.references}`")
    return notes


def parse_meaning(cell: str, meaning: str) -> list[str] | None:
    """The notes after the schema meaning, or None when the cell does not start with the meaning."""
    if not cell.startswith(meaning):
        return None
    rest = cell[len(meaning):].strip()
    if not rest:
        return []
    m = re.fullmatch(r"\((.*)\)", rest)
    if not m:
        return None
    return [part.strip() for part in m.group(1).split(";")]


def row_counts(text: str) -> dict[str, int]:
    for header, rows in tables_in(text):
        names = [h.lower() for h in header]
        if names and names[0] == "file" and names[-1] == "rows":
            counts = {}
            for row in rows:
                m = re.match(r"\s*(\d[\d,]*)\b", row[-1])
                assert m, f"README: the rows cell of {row[0]} does not start with a number: {row[-1]!r}"
                counts[unticked(row[0])] = int(m.group(1).replace(",", ""))
            return counts
    raise AssertionError("README: no table headed | file | ... | rows |")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        records = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    return len(records) - 1


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_readme_lists_every_column_in_schema_order(readme, table: Table):
    rows = column_table(readme, table.filename)
    for row in rows:
        assert len(row) == 4, f"{table.filename}: a row with {len(row)} cells: {row}"
        assert re.fullmatch(r"`[^`]+`", row[0]), f"{table.filename}: column name not in backticks: {row[0]!r}"
    documented = [unticked(r[0]) for r in rows]
    assert documented == [c.name for c in table.columns]


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_readme_types_meanings_and_examples_match_schema(readme, table: Table):
    rows = {unticked(r[0]): r for r in column_table(readme, table.filename)}
    problems = []
    for col in table.columns:
        _, meaning, type_, example = rows[col.name]
        if type_ != col.type:
            problems.append(f"{col.name}: type {type_!r}, schema says {col.type!r}")
        if unticked(example) != col.example:
            problems.append(f"{col.name}: example {example!r}, schema says {col.example!r}")
        notes = parse_meaning(meaning, col.meaning)
        if notes is None:
            problems.append(f"{col.name}: meaning {meaning!r} does not start with the schema's {col.meaning!r} (plus an optional '(...)' note)")
        elif notes != expected_notes(col):
            problems.append(f"{col.name}: notes {notes}, schema says {expected_notes(col)}")
    assert not problems, f"data/README.md disagrees with schema.py for {table.filename}:\n" + "\n".join(problems)


def test_readme_documents_no_unknown_csv(readme):
    documented = {h.replace("`", "").split()[-1] for h, body in sections(readme) if h.replace("`", "").endswith(".csv")}
    assert documented == {t.filename for t in TABLES}


def test_datapackage_json_is_generated_from_schema():
    on_disk = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    assert on_disk == schema.datapackage(), "data/datapackage.json is stale: run `python -m chronology schema --out data/datapackage.json`"


def test_datapackage_json_is_byte_for_byte_the_cli_output():
    text = json.dumps(schema.datapackage(), indent=2, ensure_ascii=False) + "\n"
    assert DATAPACKAGE.read_text(encoding="utf-8") == text


def test_datapackage_fields_agree_with_readme(readme):
    """The descriptions in datapackage.json are the meanings the README starts each row with."""
    package = json.loads(DATAPACKAGE.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        rows = {unticked(r[0]): r for r in column_table(readme, resource["path"])}
        assert [f["name"] for f in resource["schema"]["fields"]] == list(rows)
        for field in resource["schema"]["fields"]:
            assert rows[field["name"]][1].startswith(field["description"])
            assert unticked(rows[field["name"]][3]) == field["example"]


def test_readme_row_counts_match_the_files(readme):
    counts = row_counts(readme)
    actual = {t.filename: csv_rows(DATA / t.filename) for t in TABLES}
    outlines = DATA / "outlines.geojson"
    if outlines.exists():
        actual["outlines.geojson"] = len(json.loads(outlines.read_text(encoding="utf-8"))["features"])
    actual["datapackage.json"] = len(json.loads(DATAPACKAGE.read_text(encoding="utf-8"))["resources"])
    editorial = DATA / "report.yaml"
    if editorial.exists():  # its "rows" are its keys
        import yaml

        actual["report.yaml"] = len(yaml.safe_load(editorial.read_text(encoding="utf-8")))
    assert {k: counts.get(k) for k in actual} == actual
    assert set(counts) <= set(actual) | {"outlines.geojson"}, f"README lists files that do not exist: {set(counts) - set(actual)}"


def test_readme_row_counts_match_the_loader(readme):
    from chronology.load import load_dataset

    counts = row_counts(readme)
    ds = load_dataset()
    for table in TABLES:
        assert counts[table.filename] == len(getattr(ds, table.name)), table.filename


# ---------------------------------------------------------------- the checks can fail


def test_a_changed_meaning_or_renamed_column_is_caught(readme):
    """The comparison is not vacuous: a drifted schema fails it."""
    import dataclasses

    col = schema.STATEMENTS.columns[0]
    renamed = dataclasses.replace(col, name="identifier")
    reworded = dataclasses.replace(col, meaning="a different meaning")
    retyped = dataclasses.replace(col, type=schema.STRING)
    rows = {unticked(r[0]): r for r in column_table(readme, "statements.csv")}
    assert "identifier" not in rows
    assert parse_meaning(rows[col.name][1], reworded.meaning) is None
    assert rows[col.name][2] != retyped.type
    assert [unticked(r[0]) for r in column_table(readme, "statements.csv")] != [renamed.name] + [c.name for c in schema.STATEMENTS.columns[1:]]


def test_parsers_on_a_small_document():
    text = (
        "# Title\n\n| file | what | rows |\n|---|---|---|\n| `a.csv` | x \\| y | 1,234 rows |\n\n"
        "## `a.csv`\n\n```\n# not a heading\n```\n"
        "| column | meaning | type | example |\n|---|---|---|---|\n| `id` | the id (required; unique) | slug | `x` |\n"
    )
    assert row_counts(text) == {"a.csv": 1234}
    rows = column_table(text, "a.csv")
    assert rows == [["`id`", "the id (required; unique)", "slug", "`x`"]]
    assert parse_meaning(rows[0][1], "the id") == ["required", "unique"]
    assert parse_meaning(rows[0][1], "the identifier") is None
    assert parse_meaning("the ids", "the id") is None
