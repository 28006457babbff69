"""Read and validate the CSV files into typed DataFrames, reporting every problem at once.

Each problem reads `file:line: column: value: expected ...`, with a hint where one helps.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .dates import FORMAT_HINT, DateError, PartialDate
from .naming import tokens
from .schema import (
    FIGURE_COLUMNS,
    NUMBER,
    PARTIAL_DATE,
    PARTIES,
    PLACES,
    SLUG,
    SLUG_PATTERN,
    SOURCES,
    STATEMENTS,
    TABLES,
    TABLES_BY_NAME,
    Table,
)

MAX_PROBLEMS_SHOWN = 40


@dataclass(frozen=True)
class Limits:
    """What the loader refuses, so that a runaway file cannot exhaust the machine."""

    max_file_bytes: int = int(os.environ.get("CHRONOLOGY_MAX_FILE_BYTES", 2 * 1024**3))
    max_cell_chars: int = int(os.environ.get("CHRONOLOGY_MAX_CELL_CHARS", 1_000_000))


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 0 when the problem is the file as a whole
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {self.column}: {value!r}: {self.expected}" if self.column else f"{where}: {self.expected}"


class DataError(Exception):
    """Bad input data: carries every problem found, ready to print."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column))
        super().__init__(self.message())

    def message(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        shown = [str(p) for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            shown.append(f"... and {more} more problem{'s' if more != 1 else ''}")
        n = len(self.problems)
        return f"{n} problem{'s' if n != 1 else ''} in the data:\n" + "\n".join(shown)


@dataclass
class Dataset:
    statements: pd.DataFrame
    places: pd.DataFrame
    parties: pd.DataFrame
    sources: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)


# ---------------------------------------------------------------- reading bytes


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """Bytes -> text, or a problem saying what the file looks like and how to fix it."""
    def refuse(what: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, 0, "", "", what)]

    if raw.startswith(b"PK\x03\x04"):
        return refuse("this is a zip file (an .xlsx or .ods spreadsheet?), not CSV: in your spreadsheet program use File > Save As > CSV (UTF-8)")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return refuse("this is an old Excel (.xls) workbook, not CSV: use File > Save As > CSV (UTF-8)")
    if raw.startswith(b"%PDF"):
        return refuse("this is a PDF document, not CSV: expected a CSV file with a header row")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return refuse("the file is UTF-16 encoded: re-save it as 'CSV UTF-8' (in Excel: Save As > CSV UTF-8)")
    if b"\x00" in raw[:65536]:
        return refuse("this is a binary file, not CSV text: expected a CSV file with a header row")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        bad = raw[err.start : err.start + 4]
        guess = _guess_encoding(raw)
        return None, [
            Problem(
                name, line, "", "",
                f"the file is not UTF-8 (byte {bad[:1].hex()} at offset {err.start}); it looks like {guess}: "
                "re-save it as 'CSV UTF-8' (Excel: Save As > CSV UTF-8; LibreOffice: Save As > Text CSV, character set Unicode (UTF-8))",
            )
        ]


def _guess_encoding(raw: bytes) -> str:
    sample = raw[:200_000]
    for enc, label in (("cp1252", "Windows-1252 (Western European, as Excel saves on Windows)"), ("cp1251", "Windows-1251 (Cyrillic)"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "cp1252" and sum(ch in "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿšžŠŽŒœ–—‘’“”…€" for ch in text) == 0:
            continue
        return label
    return "a legacy 8-bit encoding"


def read_csv_text(path: Path, table: Table, limits: Limits = Limits()) -> tuple[pd.DataFrame | None, np.ndarray | None, list[Problem]]:
    """Parse one CSV file into strings, with the line each record starts on."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        return None, None, [Problem(name, 0, "", "", f"cannot read the file: {err.strerror}")]
    if size > limits.max_file_bytes:
        return None, None, [Problem(name, 0, "", "", f"the file is {size:,} bytes, more than the limit of {limits.max_file_bytes:,} (set CHRONOLOGY_MAX_FILE_BYTES to raise it)")]
    if path.is_dir():
        return None, None, [Problem(name, 0, "", "", "this is a folder, expected a CSV file")]
    raw = path.read_bytes()
    if not raw.strip():
        return None, None, [Problem(name, 0, "", "", f"the file is empty: expected a header row ({', '.join(table.required)}) and at least one row")]
    text, problems = _decode(raw, name)
    if text is None:
        return None, None, problems

    csv.field_size_limit(max(limits.max_cell_chars + 1, 1024))
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    records: list[list[str]] = []
    starts: list[int] = []
    start = 1
    try:
        for rec in reader:
            if any(cell.strip() for cell in rec):
                records.append(rec)
                starts.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            return None, None, [Problem(name, start, "", "", f"a cell is longer than the limit of {limits.max_cell_chars:,} characters (set CHRONOLOGY_MAX_CELL_CHARS to raise it)")]
        return None, None, [Problem(name, start, "", "", f"not readable as CSV ({err})")]

    if not records:
        return None, None, [Problem(name, 0, "", "", "the file has no header row")]
    header = [h.strip().lstrip("\ufeff").lower() for h in records[0]]
    rows = records[1:]
    lines = np.asarray(starts[1:], dtype=np.int64)
    known = {c.name for c in table.columns}
    if not known & set(header):
        return None, None, [Problem(name, starts[0], "", ",".join(header)[:80], f"expected a CSV header naming the columns of {table.filename} ({', '.join(table.required)}, ...)")]

    # Trailing empty columns (a spreadsheet's stray commas) carry no header and no data.
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    problems = []
    seen: set[str] = set()
    for i, h in enumerate(header[:width]):
        if h and h in seen:
            problems.append(Problem(name, starts[0], h, h, "a column named once: this header appears twice"))
        seen.add(h)
    missing = [c for c in table.required if c not in seen]
    for c in missing:
        problems.append(Problem(name, starts[0], c, "", f"a required column {c!r} in the header" + _suggest(c, [h for h in header if h not in known])))
    if not rows:
        problems.append(Problem(name, 0, "", "", "the file has a header but no rows: expected at least one row of data"))
    if problems:
        return None, None, problems

    keep = [i for i, h in enumerate(header[:width]) if h in known]
    too_long = []
    data = {}
    for i in keep:
        col = [r[i].strip() if i < len(r) else "" for r in rows]
        data[header[i]] = col
    # Cells beyond the header that hold data are a shifted row, not a stray comma.
    for n, r in enumerate(rows):
        if len(r) > width and any(c.strip() for c in r[width:]):
            too_long.append(Problem(name, int(lines[n]), "", ",".join(c for c in r[width:] if c.strip())[:60], f"at most {width} cells as in the header: this row has more (an unquoted comma?)"))
    frame = pd.DataFrame(data, dtype=object)
    for c in table.columns:
        if c.name not in frame.columns:
            frame[c.name] = ""
    frame = frame[[c.name for c in table.columns]]
    return frame, lines, too_long


def _suggest(value: str, choices) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ---------------------------------------------------------------- checking cells

_SLUG = re.compile(SLUG_PATTERN)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def _check_columns(frame: pd.DataFrame, lines: np.ndarray, table: Table, name: str, problems: list[Problem]) -> dict[str, pd.Series]:
    """Column-wise checks; returns parsed numeric columns."""
    parsed: dict[str, pd.Series] = {}

    def report(mask: pd.Series | np.ndarray, column: str, expected) -> None:
        idx = np.flatnonzero(np.asarray(mask))
        values = frame[column].to_numpy()
        for i in idx[: MAX_PROBLEMS_SHOWN * 50]:
            v = values[i]
            problems.append(Problem(name, int(lines[i]), column, v, expected(v) if callable(expected) else expected))
        if len(idx) > MAX_PROBLEMS_SHOWN * 50:
            # Counted, not listed: enough is shown to act on.
            for i in idx[MAX_PROBLEMS_SHOWN * 50 :]:
                problems.append(Problem(name, int(lines[i]), column, "", "(same problem)"))

    for col in table.columns:
        s = frame[col.name]
        empty = s == ""
        if col.required:
            report(empty, col.name, "a value (this column is required)")
        present = ~empty
        if col.type == SLUG and not col.allowed:
            uniq = pd.unique(s[present])
            bad = {u for u in uniq if not _SLUG.match(u)}
            if bad:
                report(present & s.isin(bad), col.name, lambda v: "an identifier in lower case letters, digits, '-' or '_'" + (f" (did you mean {_slugify(v)!r}?)" if _slugify(v) else ""))
        if col.allowed:
            uniq = pd.unique(s[present])
            bad = {u for u in uniq if u not in col.allowed}
            if bad:
                report(present & s.isin(bad), col.name, lambda v: f"one of {', '.join(col.allowed)}" + _suggest(v.lower().replace(' ', '_'), col.allowed))
        if col.type == PARTIAL_DATE:
            uniq = pd.unique(s[present])
            messages = {}
            for u in uniq:
                try:
                    PartialDate.parse(u)
                except DateError as err:
                    messages[u] = str(err)
            if messages:
                report(present & s.isin(list(messages)), col.name, lambda v: messages[v])
        if col.type == NUMBER:
            cleaned = s.where(~s.str.match(_THOUSANDS.pattern), s.str.replace(",", "", regex=False))
            ok = cleaned.str.match(_NUMBER.pattern)
            report(present & ~ok, col.name, "a number such as 1200 (digits, optionally with a decimal point)")
            numbers = pd.to_numeric(cleaned.where(present & ok, None), errors="coerce").astype("float64")
            if col.name == "value":
                report(numbers < 0, col.name, "a count of zero or more")
            parsed[col.name] = numbers
        if col.unique:
            dup = s.duplicated(keep="first") & present
            if dup.any():
                first_line = dict(zip(s[~s.duplicated(keep="first")], lines[np.flatnonzero(~s.duplicated(keep="first"))]))
                report(dup, col.name, lambda v: f"a unique id: {v!r} is already used on line {first_line[v]}")
    return parsed


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-")
    return slug if slug and _SLUG.match(slug) else ""


def _check_references(frame, lines, column, targets, target_name, name, problems, *, skip_empty=True):
    s = frame[column]
    present = s != "" if skip_empty else pd.Series(True, index=s.index)
    unknown = present & ~s.isin(targets)
    for i in np.flatnonzero(unknown.to_numpy()):
        v = s.iat[i]
        problems.append(Problem(name, int(lines[i]), column, v, f"an id in {target_name}" + _suggest(v, targets)))


def _typed(frame: pd.DataFrame, table: Table, parsed: dict[str, pd.Series]) -> pd.DataFrame:
    out = {}
    for col in table.columns:
        if col.name in parsed:
            out[col.name] = parsed[col.name]
        else:
            out[col.name] = frame[col.name].astype("str")
    return pd.DataFrame(out)


# ---------------------------------------------------------------- tables


def load_table(path: Path | str, table: Table, limits: Limits = Limits()) -> pd.DataFrame:
    """One file, checked on its own (no cross-file references)."""
    frame, problems = _load_table(Path(path), table, limits)
    if problems:
        raise DataError(problems)
    return frame


def _load_table(path: Path, table: Table, limits: Limits) -> tuple[pd.DataFrame | None, list[Problem]]:
    frame, lines, problems = read_csv_text(path, table, limits)
    if frame is None:
        return None, problems
    parsed = _check_columns(frame, lines, table, str(path), problems)
    typed = _typed(frame, table, parsed)
    typed.insert(0, "line", lines)
    if "value" in frame.columns:
        typed["value_was_empty"] = (frame["value"] == "").to_numpy()
    return typed, problems


def sibling_files(statements: Path) -> dict[str, Path]:
    """A statements file's places, parties and sources: beside it, else the bundled ones."""
    out = {"statements": statements}
    for table, bundled in ((PLACES, paths.PLACES_CSV), (PARTIES, paths.PARTIES_CSV), (SOURCES, paths.SOURCES_CSV)):
        beside = statements.parent / table.filename
        out[table.name] = beside if beside.exists() else bundled
    return out


def load_dataset(statements: Path | str = paths.STATEMENTS_CSV, *, places=None, parties=None, sources=None, limits: Limits = Limits()) -> Dataset:
    """Load and validate the four files together; raise DataError listing every problem."""
    statements = Path(statements)
    files = sibling_files(statements)
    for key, value in (("places", places), ("parties", parties), ("sources", sources)):
        if value is not None:
            files[key] = Path(value)
    frames: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    for key, path in files.items():
        frames[key], found = _load_table(path, TABLES_BY_NAME[key], limits)
        problems += found
    st = frames["statements"]
    if st is not None:
        problems += _check_statement_rules(st, frames, str(files["statements"]))
    if problems:
        raise DataError(problems)
    return Dataset(_derive(st), frames["places"], frames["parties"], frames["sources"], files)


def _check_statement_rules(st: pd.DataFrame, frames: dict, name: str) -> list[Problem]:
    problems: list[Problem] = []
    lines = st["line"].to_numpy()
    raw = st.astype({c: object for c in st.columns if c not in ("line", "value")})
    refs = (("party", "parties", "parties.csv"), ("place_id", "places", "places.csv"), ("source_id", "sources", "sources.csv"))
    for column, key, fname in refs:
        if frames.get(key) is not None:
            _check_references(raw, lines, column, set(frames[key]["id"]), fname, name, problems)
    ids = set(raw["id"])
    _check_references(raw, lines, "responds_to", ids, "statements.csv (the id of another row)", name, problems)
    self_ref = (raw["responds_to"] != "") & (raw["responds_to"] == raw["id"])
    for i in np.flatnonzero(self_ref.to_numpy()):
        problems.append(Problem(name, int(lines[i]), "responds_to", raw["responds_to"].iat[i], "the id of another row (a row cannot answer itself)"))

    kind = raw["kind"]
    is_figure = kind == "figure"
    for column in FIGURE_COLUMNS:
        missing = is_figure & (st["value_was_empty"] if column == "value" else raw[column] == "")
        for i in np.flatnonzero(missing.to_numpy()):
            problems.append(Problem(name, int(lines[i]), column, "", f"a {column} for a figure row (figures need measure, value, qualifier and unit)"))
    stray = (~is_figure) & (kind != "") & st["value"].notna()
    for i in np.flatnonzero(stray.to_numpy()):
        problems.append(Problem(name, int(lines[i]), "value", f"{st['value'].iat[i]:g}", f"no value on a {kind.iat[i]} row: only kind=figure rows carry numbers"))
    needs_party = kind.isin(["statement", "figure"])
    for column, what in (("party", "a party (who is speaking?)"), ("stance", "a stance (asserts, denies, ...)")):
        missing = needs_party & (raw[column] == "")
        for i in np.flatnonzero(missing.to_numpy()):
            problems.append(Problem(name, int(lines[i]), column, "", f"{what} for a {kind.iat[i]} row"))

    # A span must not end before it starts.
    has_end = (raw["date_end"] != "") & (raw["date"] != "")
    if has_end.any():
        pairs = raw.loc[has_end, ["date", "date_end"]].drop_duplicates()
        backwards = set()
        for d, e in pairs.itertuples(index=False):
            try:
                if PartialDate.parse(e).last < PartialDate.parse(d).first:
                    backwards.add((d, e))
            except DateError:
                pass  # already reported
        if backwards:
            for i in np.flatnonzero(has_end.to_numpy()):
                d, e = raw["date"].iat[i], raw["date_end"].iat[i]
                if (d, e) in backwards:
                    problems.append(Problem(name, int(lines[i]), "date_end", e, f"a date on or after the start date {d}"))

    # Place tokens in our own prose must name a known place.
    if frames.get("places") is not None:
        place_ids = set(frames["places"]["id"])
        summaries = raw["summary"]
        with_tokens = summaries.str.contains("{", regex=False)
        for i in np.flatnonzero(with_tokens.to_numpy()):
            for tok in tokens(summaries.iat[i]):
                if tok not in place_ids:
                    problems.append(Problem(name, int(lines[i]), "summary", "{" + tok + "}", "{place_id} naming an id in places.csv" + _suggest(tok, place_ids)))
    return problems


def _derive(st: pd.DataFrame) -> pd.DataFrame:
    """Add the parsed dates: start, end (inclusive day spans) and their precision."""
    st = st.drop(columns=["value_was_empty"])
    cache: dict[str, PartialDate] = {}

    def parse(text: str) -> PartialDate:
        if text not in cache:
            cache[text] = PartialDate.parse(text)
        return cache[text]

    starts = st["date"].map(parse)
    ends = st["date_end"].where(st["date_end"] != "", st["date"]).map(parse)
    st["start"] = pd.to_datetime(starts.map(lambda p: p.first)).astype("datetime64[s]")
    st["end"] = pd.to_datetime(ends.map(lambda p: p.last)).astype("datetime64[s]")
    st["precision"] = starts.map(lambda p: p.precision).astype("str")
    return st


def detect_table(path: Path) -> Table:
    """Which table a file holds: by its name, else by its header."""
    stem = path.stem.lower()
    if stem in TABLES_BY_NAME:
        return TABLES_BY_NAME[stem]
    try:
        head = path.open("rb").read(4096).decode("utf-8", "replace").splitlines()[0].lower()
    except (OSError, IndexError):
        return STATEMENTS
    for table in TABLES:
        if table is not STATEMENTS and all(c in head for c in table.required):
            if set(table.required) - {"id"} and not any(c in head for c in ("summary", "kind", "source_id")):
                return table
    return STATEMENTS


def validate_files(files: list[Path]) -> list[Problem]:
    """Check each file; a statements file is checked with its places, parties and sources."""
    problems: list[Problem] = []
    covered: set[Path] = set()
    tables = {Path(f): detect_table(Path(f)) for f in files}
    for f, table in tables.items():
        if table is STATEMENTS:
            try:
                ds_files = sibling_files(f)
                covered.update(p.resolve() for p in ds_files.values())
                load_dataset(f)
            except DataError as err:
                problems += err.problems
    for f, table in tables.items():
        if table is not STATEMENTS and f.resolve() not in covered:
            _, found = _load_table(f, table, Limits())
            problems += found
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column))
