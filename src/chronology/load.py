"""Read and validate the CSV files into typed DataFrames, reporting every problem at once.

Each problem reads `file:line: column: 'value': expected ...`, with a hint where one helps;
`line` is the physical line a record starts on (1 is the header). Problems about a file as
a whole (empty, not UTF-8, a spreadsheet) read `file: ...` or `file:line: ...`.

Speed: a million-row statements file (about 250 MB) validates in seconds because nothing
here loops over cells in Python. Records are found with numpy over the raw bytes (newlines
outside quotes), parsed by pandas' C reader, and every check works on the distinct values
of a column (`pd.factorize`), so a date or an id is parsed once however often it repeats.
A file with irregular quoting (a quote mark inside an unquoted cell) is read instead by
Python's csv module, which is exact but slower.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import gc
import io
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .dates import DateError, PartialDate
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
    QUALIFIERS,
    Column,
    Table,
)

MAX_PROBLEMS_SHOWN = 40
# Each check keeps this many problems to print and only counts the rest, so a file
# with a million bad rows costs no more to report than one with a hundred.
KEEP_PER_CHECK = 200
# Suggestions ("did you mean ...?") are only looked for among this many candidates.
MAX_SUGGESTION_CHOICES = 5000


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace(",", "_"))
    except ValueError:
        value = -1
    if value <= 0:
        raise DataError([Problem(name, 0, "", "", f"the environment variable {name} is {text!r}: expected a whole number greater than 0")])
    return value


@dataclass(frozen=True)
class Limits:
    """What the loader refuses, so that a runaway file cannot exhaust the machine.

    The defaults come from CHRONOLOGY_MAX_FILE_BYTES and CHRONOLOGY_MAX_CELL_CHARS,
    read each time a Limits is made (not when the module is imported).
    """

    max_file_bytes: int = field(default_factory=lambda: _env_int("CHRONOLOGY_MAX_FILE_BYTES", 2 * 1024**3))
    max_cell_chars: int = field(default_factory=lambda: _env_int("CHRONOLOGY_MAX_CELL_CHARS", 1_000_000))


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 0 when the problem is the file as a whole
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not self.column:
            return f"{where}: {self.expected}"
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        expected = self.expected if self.expected.startswith("expected") else f"expected {self.expected}"
        return f"{where}: {self.column}: {value!r}: {expected}"


class ProblemList(list):
    """A list of problems that also counts the ones left out of it (`omitted`)."""

    omitted: int = 0


class DataError(Exception):
    """Bad input data: carries every problem found (or counted), ready to print."""

    def __init__(self, problems: list[Problem], omitted: int | None = None):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.expected))
        self.omitted = int(getattr(problems, "omitted", 0) if omitted is None else omitted)
        super().__init__(self.message())

    @property
    def total(self) -> int:
        """How many problems there are, listed or only counted."""
        return len(self.problems) + self.omitted

    def message(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        shown = [str(p) for p in self.problems[:limit]]
        n = self.total
        more = n - len(shown)
        if more > 0:
            shown.append(f"... and {more:,} more problem{'s' if more != 1 else ''}")
        return f"{n:,} problem{'s' if n != 1 else ''} in the data:\n" + "\n".join(shown)


@dataclass
class Dataset:
    statements: pd.DataFrame
    places: pd.DataFrame
    parties: pd.DataFrame
    sources: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)


class _Report:
    """Collects the problems of one file: every one counted, KEEP_PER_CHECK listed per check."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.omitted = 0
        self.skip: np.ndarray | None = None  # rows not to report on (a shifted row says so once)

    def add(self, line: int, column: str, value: str, expected: str) -> None:
        self.problems.append(Problem(self.name, int(line), column, value, expected))

    def rows(self, mask, column: str, values, lines: np.ndarray, expected) -> int:
        """One problem for each row in `mask`; `expected` is a text or value -> text."""
        mask = np.asarray(mask, dtype=bool)
        if self.skip is not None:
            mask = mask & ~self.skip
        idx = np.flatnonzero(mask)
        if not len(idx):
            return 0
        cache: dict = {}
        for i in idx[:KEEP_PER_CHECK]:
            v = values[i]
            if callable(expected):
                if v not in cache:
                    cache[v] = expected(v)
                text = cache[v]
            else:
                text = expected
            self.add(lines[i], column, str(v), text)
        self.omitted += max(0, len(idx) - KEEP_PER_CHECK)
        return len(idx)


# ---------------------------------------------------------------- reading bytes

_EXCEL_SAVE = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'; in LibreOffice, Save As > 'Text CSV' with character set 'Unicode (UTF-8)'"


def _sniff_binary(raw: bytes) -> str | None:
    """What a file that is not CSV text looks like, and how to get CSV from it."""
    head = raw[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in raw[:65536] or b"[Content_Types].xml" in raw[:65536] and b"word/" not in raw[:65536]:
            what = "an Excel workbook (.xlsx) saved with a .csv name"
        elif b"opendocument.spreadsheet" in head:
            what = "a LibreOffice/OpenOffice spreadsheet (.ods) saved with a .csv name"
        elif b"word/" in raw[:65536]:
            what = "a Word document (.docx)"
        else:
            what = "a zip archive"
        return f"this is {what}, not CSV text: open it and save it as CSV ({_EXCEL_SAVE})"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return f"this is an old-style Excel workbook (.xls) or Office document, not CSV text: open it and save it as CSV ({_EXCEL_SAVE})"
    if head.startswith(b"%PDF"):
        return "this is a PDF document, not CSV text: a table in a PDF has to be re-typed or exported into a spreadsheet, then saved as CSV (UTF-8)"
    if head.startswith(b"\x1f\x8b"):
        return "this is a gzip-compressed file, not CSV text: decompress it first (gunzip)"
    if head.startswith(b"BZh") or head.startswith(b"\xfd7zXZ\x00") or head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "this is a compressed archive, not CSV text: decompress it first"
    if head.startswith(b"SQLite format 3\x00"):
        return "this is an SQLite database, not CSV text: export the table as CSV"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "this is an image, not CSV text"
    if head.startswith(b"{\\rtf"):
        return "this is a rich-text (RTF) document, not CSV text: save it as plain text CSV (UTF-8)"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return f"the file is UTF-32 encoded: re-save it as UTF-8 ({_EXCEL_SAVE})"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"the file is UTF-16 encoded (as Excel's 'Unicode Text' saves): re-save it as UTF-8 ({_EXCEL_SAVE}), or run: iconv -f UTF-16 -t UTF-8 FILE > FILE-utf8.csv"
    nul = head.count(b"\x00")
    if nul:
        odd, even = head[1::2].count(b"\x00"), head[0::2].count(b"\x00")
        if nul > len(head) // 4 and (odd > 0.9 * nul or even > 0.9 * nul):
            return f"the file looks UTF-16 encoded (without a byte-order mark): re-save it as UTF-8 ({_EXCEL_SAVE}), or run: iconv -f UTF-16 -t UTF-8 FILE > FILE-utf8.csv"
        return "this is a binary file, not CSV text: expected a CSV file (UTF-8 text with a header row)"
    return None


_ENCODINGS = {
    "cp1252": ("Windows-1252 (Western European; Excel's 'CSV (Comma delimited)' on Windows)", "WINDOWS-1252"),
    "cp1251": ("Windows-1251 (Cyrillic)", "WINDOWS-1251"),
    "cp1254": ("Windows-1254 (Turkish, also used for Azerbaijani)", "WINDOWS-1254"),
    "mac_roman": ("Mac Roman (old Mac Excel)", "MACINTOSH"),
    "latin-1": ("Latin-1 (ISO-8859-1)", "LATIN1"),
}


def _guess_encoding(raw: bytes) -> str:
    """The 8-bit encoding a non-UTF-8 file most likely uses (a key of _ENCODINGS)."""
    arr = np.frombuffer(raw[:1_000_000], dtype=np.uint8)
    high = arr >= 0x80
    if not high.any():
        return "latin-1"
    # Cyrillic text is whole words of high bytes; accented Latin is one high byte in an ASCII word.
    nxt = np.zeros_like(high)
    nxt[:-1] = high[1:]
    prv = np.zeros_like(high)
    prv[1:] = high[:-1]
    runs = (high & (nxt | prv)).sum() / high.sum()
    letters = ((arr >= 0xC0) & high).sum() / high.sum()
    if runs > 0.6 and letters > 0.6:
        return "cp1251"
    values = set(np.unique(arr[high]).tolist())
    if values & {0xF0, 0xFD, 0xFE, 0xD0, 0xDD, 0xDE}:  # ğ ı ş Ğ İ Ş in Windows-1254 (ð ý þ in 1252: rare)
        return "cp1254"
    try:
        raw[:1_000_000].decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are unused in Windows-1252
        return "latin-1"
    return "cp1252"


def _line_of(raw: bytes, offset: int) -> int:
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _decode_problem(raw: bytes, name: str) -> Problem | None:
    """None when the bytes are UTF-8, else the problem saying what they look like."""
    if raw.isascii():
        return None
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as err:
        enc = _guess_encoding(raw)
        label, iconv = _ENCODINGS[enc]
        bad = raw[err.start : err.start + 1]
        reads = bad.decode(enc, "replace")
        return Problem(
            name, _line_of(raw, err.start), "", "",
            f"the file is not UTF-8 (byte 0x{bad.hex().upper()} is {reads!r} in {label.split(' (')[0]}): it looks like {label}. "
            f"Re-save it as UTF-8: {_EXCEL_SAVE}; or run: iconv -f {iconv} -t UTF-8 FILE > FILE-utf8.csv",
        )


# ---------------------------------------------------------------- finding records


def _record_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(byte offset where each record starts, physical line it starts on), found with numpy.

    A record ends at a newline outside quotes. That needs every quote mark to be CSV quoting
    (opening at the start of a cell, closing or doubled inside one); when one is not, return
    None and let the exact (slow) reader do the work.
    """
    arr = np.frombuffer(raw, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    q = np.flatnonzero(arr == 34)
    if len(q):
        if len(q) % 2:
            return None
        opening = q[0::2]
        prev = arr[np.maximum(opening - 1, 0)]
        ok = (opening == 0) | (prev == 44) | (prev == 10) | (prev == 34)
        for i in np.flatnonzero(~ok):  # a quote after spaces opens a cell too (skipinitialspace)
            j = int(opening[i]) - 1
            while j >= 0 and raw[j] == 32:
                j -= 1
            if j >= 0 and raw[j] not in (44, 10):
                return None
        inside = (np.searchsorted(q, nl) % 2).astype(bool)
        ends_at = np.flatnonzero(~inside)
    else:
        ends_at = np.arange(len(nl))
    ends = nl[ends_at]
    starts = np.concatenate(([0], ends + 1))
    lines = np.concatenate(([1], ends_at + 2))
    if starts[-1] >= len(raw):  # the file ends with a newline: no record after it
        starts, lines = starts[:-1], lines[:-1]
    return starts.astype(np.int64), lines.astype(np.int64)


def _csv_reader(text: str):
    return csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=False)


def _parse_fast(raw: bytes, bounds, width: int, first: int):
    """pandas' C reader over all records from `first` on: (cells by column, record numbers, extra cells by record)."""
    starts, _ = bounds
    n = len(starts) - first
    body = raw[starts[first]:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(
            io.BytesIO(body), header=None, names=list(range(width)), index_col=False, dtype=object,
            na_filter=False, skip_blank_lines=False, skipinitialspace=True, on_bad_lines="warn",
            engine="c", low_memory=False, encoding="utf-8",
        )
    skipped = []
    for w in caught:
        skipped += [int(m) - 1 for m in re.findall(r"Skipping line (\d+): expected \d+ fields", str(w.message))]
    if len(frame) + len(skipped) != n:
        return None
    columns = [frame[c].to_numpy(dtype=object) for c in range(width)]
    extra: dict[int, list[str]] = {}
    if skipped:
        skipped_arr = np.asarray(sorted(skipped), dtype=np.int64)
        keep = np.setdiff1d(np.arange(n), skipped_arr)
        full = []
        for col in columns:
            out = np.empty(n, dtype=object)
            out[keep] = col
            full.append(out)
        ends = np.concatenate((starts[first + 1:], [len(raw)]))
        for k in skipped_arr:
            chunk = raw[starts[first + k] : ends[k]].decode("utf-8")
            rec = next(_csv_reader(chunk), [])
            rec = rec + [""] * (width - len(rec))
            for c in range(width):
                full[c][k] = rec[c]
            extra[int(k)] = rec[width:]
        columns = full
    return columns, extra


def _parse_slow(text: str):
    """Python's csv module, record by record: exact for any quoting. (records, start lines, unclosed?)"""
    records: list[list[str]] = []
    starts: list[int] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    enabled = gc.isenabled()
    gc.disable()  # millions of small lists: the cycle collector would only slow this down
    try:
        reader = _csv_reader(text)
        start = 1
        for rec in reader:
            records.append(rec)
            starts.append(start)
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(old_limit)
        if enabled:
            gc.enable()
    return records, starts


def _unclosed_quote(text: str, start_line: int) -> bool:
    """Does the record starting on this line open a quote that never closes?"""
    offset = 0
    for _ in range(start_line - 1):
        offset = text.index("\n", offset) + 1
    try:
        for _ in csv.reader(io.StringIO(text[offset:], newline=""), skipinitialspace=True, strict=True):
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err) or "EOF" in str(err)
    return False


def _is_blank(cells) -> bool:
    return not any(c.strip() for c in cells)


def _strip(a: np.ndarray) -> np.ndarray:
    """Cells without surrounding spaces (a list comprehension is the fastest way found)."""
    out = np.empty(len(a), dtype=object)
    out[:] = [v.strip() for v in a]
    return out


def _normalise_header(h: str) -> str:
    return h.strip().lstrip("\ufeff").strip().lower()


def read_csv_text(path: Path, table: Table, limits: Limits | None = None, *, exact: bool = False) -> tuple[pd.DataFrame | None, np.ndarray | None, list[Problem]]:
    """Parse one CSV file into stripped strings, with the physical line each record starts on.

    Returns (frame with the table's columns in schema order, lines, problems); the frame is
    None when the file cannot be read as a table at all. `exact=True` forces the slow reader.
    """
    limits = limits or Limits()
    path = Path(path)
    name = str(path)

    def fail(line: int, text: str, column: str = "", value: str = ""):
        return None, None, [Problem(name, line, column, value, text)]

    if path.is_dir():
        return fail(0, "this is a folder, expected a CSV file")
    try:
        size = path.stat().st_size
    except OSError as err:
        return fail(0, f"cannot read the file: {err.strerror or err}")
    if size > limits.max_file_bytes:
        return fail(0, f"the file is {size:,} bytes, more than the limit of {limits.max_file_bytes:,} (set CHRONOLOGY_MAX_FILE_BYTES to raise it)")
    try:
        raw = path.read_bytes()
    except OSError as err:
        return fail(0, f"cannot read the file: {err.strerror or err}")
    what = _sniff_binary(raw)
    if what:
        return fail(0, what)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        return fail(0, f"the file is empty: expected a header row ({', '.join(table.required)}, ...) and at least one row of data")
    bad = _decode_problem(raw, name)
    if bad:
        return None, None, [bad]
    if b"\r" in raw:  # CRLF (Windows) or CR (old Mac) line ends, also inside quoted cells
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    # Records: the fast way when the quoting is regular, else the exact way.
    bounds = None if exact else _record_bounds(raw)
    parsed = None
    text = None
    if bounds is not None:
        starts, lines_all = bounds
        ends = np.concatenate((starts[1:], [len(raw)]))
        first = 0
        header_cells: list[str] = []
        while first < len(starts):
            header_cells = next(_csv_reader(raw[starts[first] : ends[first]].decode("utf-8")), [])
            if not _is_blank(header_cells):
                break
            first += 1
        if first == len(starts):
            return fail(0, "the file has no header row: expected a first row naming the columns")
        width = len(header_cells)
        try:
            fast = _parse_fast(raw, bounds, width, first)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            fast = None
        if fast is not None:
            columns, extra = fast
            # row 0 is the header
            header = [c[0] for c in columns]
            cells = [c[1:] for c in columns]
            extras = {k - 1: v for k, v in extra.items() if k > 0}
            record_chars = (ends - starts)[first + 1:]
            parsed = (header, int(lines_all[first]), cells, lines_all[first + 1:], extras, record_chars)
    if parsed is None:
        text = raw.decode("utf-8")
        records, starts_l = _parse_slow(text)
        blank = [i for i, r in enumerate(records) if not _is_blank(r)]
        if not blank:
            return fail(0, "the file has no header row: expected a first row naming the columns")
        first = blank[0]
        header = records[first]
        width = len(header)
        body = records[first + 1:]
        lines_arr = np.asarray(starts_l[first + 1:], dtype=np.int64)
        if body and _unclosed_quote(text, int(lines_arr[-1])):
            return fail(int(lines_arr[-1]), 'a quotation mark (") opens a cell on this line and is never closed, so the rest of the file was read as one cell: close the quote, or double quote marks inside a quoted cell ("")')
        cells = [np.array([r[c] if c < len(r) else "" for r in body], dtype=object) for c in range(width)]
        extras = {i: r[width:] for i, r in enumerate(body) if len(r) > width}
        parsed = (header, starts_l[first], cells, lines_arr, extras, None)
    header_raw, head_line, cells, lines, extras, record_chars = parsed
    del raw, text

    # The header.
    header = [_normalise_header(h) for h in header_raw]
    known = {c.name for c in table.columns}
    if not known & set(header):
        return None, None, [Problem(name, head_line, "", "", _not_a_header(header_raw, table))]
    width = len(header)
    while width and not header[width - 1]:  # trailing empty columns: a spreadsheet's stray commas
        width -= 1
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header[:width]):
        if h and h in seen:
            problems.append(Problem(name, head_line, h, header_raw[i].strip(), f"each column named once: {h!r} is also column {seen[h] + 1}"))
        seen.setdefault(h, i)
    unknown = [h for h in header[:width] if h and h not in known]
    for c in table.required:
        if c not in seen:
            problems.append(Problem(name, head_line, c, "", f"a column named {c!r} (it is required)" + _suggest(c, unknown)))
    if problems:
        return None, None, problems

    # Cells past the header's width: a stray comma is fine, data there is a shifted row.
    beyond: dict[int, list[str]] = {}
    for i in range(width, len(cells)):
        for k in np.flatnonzero(_strip(cells[i]) != ""):
            beyond.setdefault(int(k), []).append(cells[i][k])
    for k, v in extras.items():
        beyond.setdefault(k, []).extend(v)
    extras = beyond
    cells = [_strip(c) for c in cells[:width]]

    # Drop rows with nothing in them (blank lines, ",,,," rows).
    n = len(lines)
    if n:
        empty = cells[seen["id"]] == "" if "id" in seen else np.ones(n, dtype=bool)
        for i in np.flatnonzero(empty):
            if any(c[i] for c in cells) or any(v.strip() for v in extras.get(int(i), ())):
                empty[i] = False
        if empty.any():
            keep = ~empty
            cells = [c[keep] for c in cells]
            lines = lines[keep]
            if extras:
                new_index = np.cumsum(keep) - 1
                extras = {int(new_index[k]): v for k, v in extras.items() if keep[k]}
            if record_chars is not None:
                record_chars = record_chars[keep]
    if not len(lines):
        return fail(0, f"the file has a header but no rows of data: expected at least one row after the header on line {head_line}")

    problems = []
    for k in sorted(extras):
        more = [v.strip() for v in extras[k] if v.strip()]
        if more:
            problems.append(Problem(name, int(lines[k]), "", "", f"this row has more cells than the header's {width} columns (an unquoted comma? put quotes around a cell that holds a comma, such as \"1,200\"): extra {', '.join(repr(v[:30]) for v in more[:3])}"))

    # Cells longer than the limit: only rows whose whole record is that long can hold one.
    limit = limits.max_cell_chars
    if record_chars is None or (record_chars > limit).any():
        too_long = []
        for i, h in enumerate(header[:width]):
            col = cells[i]
            rows = np.flatnonzero(record_chars > limit) if record_chars is not None else range(len(col))
            if record_chars is None and (not len(col) or max(map(len, col)) <= limit):
                continue
            for k in rows:
                if len(col[k]) > limit:
                    too_long.append(Problem(name, int(lines[k]), h or f"column {i + 1}", col[k][:60], f"at most {limit:,} characters in a cell: this one has {len(col[k]):,} (set CHRONOLOGY_MAX_CELL_CHARS to raise the limit)"))
        if too_long:
            return None, None, problems + too_long

    data = {h: cells[i] for i, h in enumerate(header[:width]) if h in known}
    empty_col = np.full(len(lines), "", dtype=object)
    frame = pd.DataFrame({c.name: data.get(c.name, empty_col) for c in table.columns}, copy=False)
    near = {}
    for h in unknown:
        close = difflib.get_close_matches(h, [c for c in known if c not in seen], n=1, cutoff=0.8)
        if close:
            near[close[0]] = h
    frame.attrs["near_misses"] = near
    frame.attrs["shifted_lines"] = {int(lines[k]) for k in extras if any(v.strip() for v in extras[k])}
    return frame, np.asarray(lines, dtype=np.int64), problems


def _not_a_header(header: list[str], table: Table) -> str:
    first = ",".join(header)
    expected = f"expected a header row naming the columns of {table.filename} ({', '.join(table.required)}, ...)"
    stripped = first.lstrip()
    if stripped.startswith("<"):
        return f"this looks like an HTML or XML page, not CSV: {expected}"
    if stripped.startswith(("{", "[")):
        return f"this looks like JSON, not CSV: {expected}"
    known = {c.name for c in table.columns}
    for sep, label in ((";", "semicolons (as Excel saves in countries that write 1,5 for 1.5)"), ("\t", "tabs"), ("|", "'|'")):
        if any(sep in h for h in header) and known & {_normalise_header(h) for h in first.split(sep)}:
            return f"the columns are separated by {label}, not commas: save it again as 'CSV UTF-8 (Comma delimited)', or replace the separators with commas"
    return f"{expected}; the first row reads {first[:80]!r}"


def _suggest(value: str, choices) -> str:
    choices = list(choices)
    if not value or not choices or len(choices) > MAX_SUGGESTION_CHOICES:
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""


# ---------------------------------------------------------------- checking cells

_SLUG = re.compile(SLUG_PATTERN)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_QUALIFIER_SYNONYMS = {
    "approximately": "about", "approx": "about", "around": "about", "roughly": "about", "some": "about", "circa": "about", "c": "about", "~": "about",
    "over": "more_than", "above": "more_than", "greater_than": "more_than", "more": "more_than", ">": "more_than",
    "under": "fewer_than", "below": "fewer_than", "less_than": "fewer_than", "less": "fewer_than", "<": "fewer_than",
    "up_to": "at_most", "no_more_than": "at_most", "maximum": "at_most", "max": "at_most", "<=": "at_most",
    "minimum": "at_least", "min": "at_least", "no_fewer_than": "at_least", ">=": "at_least",
    "exactly": "exact", "precisely": "exact", "=": "exact", "close_to": "nearly", "just_under": "nearly",
}
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


class _Cells:
    """One column's stripped cells, factorised on demand: checks run once per distinct value."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self._codes = None
        self._uniques = None
        self._empty = None

    def factorize(self) -> tuple[np.ndarray, np.ndarray]:
        if self._codes is None:
            codes, uniques = pd.factorize(self.values)
            self._codes, self._uniques = codes, np.asarray(uniques, dtype=object)
        return self._codes, self._uniques

    @property
    def empty(self) -> np.ndarray:
        if self._empty is None:
            self._empty = self.values == ""
        return self._empty

    def mask(self, flags_by_unique: np.ndarray) -> np.ndarray:
        codes, _ = self.factorize()
        return np.asarray(flags_by_unique, dtype=bool)[codes]

    def per_unique(self, fn) -> tuple[np.ndarray, dict]:
        """fn(value) -> message or None, for each distinct non-empty value: (row mask, messages)."""
        _, uniques = self.factorize()
        messages = {}
        flags = np.zeros(len(uniques), dtype=bool)
        for i, u in enumerate(uniques):
            if u != "":
                m = fn(u)
                if m is not None:
                    flags[i] = True
                    messages[u] = m
        return (self.mask(flags) if flags.any() else np.zeros(len(self.values), dtype=bool)), messages


_SLUGS = re.compile(r"(?:[a-z0-9][a-z0-9_-]*\n)*")


def _all_slugs(values) -> bool:
    """Are all these (non-empty) values identifiers? One regex over them all."""
    return _SLUGS.fullmatch("\n".join(values) + "\n") is not None


def _slug_message(v: str) -> str | None:
    if _SLUG.match(v):
        return None
    slug = _slugify(v)
    return "an identifier in lower-case letters, digits, '-' or '_'" + (f" (did you mean {slug!r}?)" if slug and slug != v else "")


def _allowed_message(col: Column):
    def check(v: str) -> str | None:
        if v in col.allowed:
            return None
        norm = re.sub(r"[\s-]+", "_", v.strip().lower())
        guess = norm if norm in col.allowed else _QUALIFIER_SYNONYMS.get(norm) if col.allowed == QUALIFIERS else None
        hint = f" (did you mean {guess!r}?)" if guess else _suggest(norm, col.allowed)
        return f"one of {', '.join(col.allowed)}{hint}"
    return check


def _number(v: str) -> tuple[float | None, str | None]:
    text = v
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        return float(text), None
    hint = ""
    if _DECIMAL_COMMA.match(v):
        hint = f"; write a decimal point: {v.replace(',', '.')}"
    else:
        words = re.match(r"^([A-Za-z][A-Za-z ]*?)\s*([\d,.]+)$", v)
        if words:
            hint = f"; put {words.group(1).strip()!r} in the qualifier column and the number alone here"
        elif re.match(r"^[\d,.]+\s*\S+$", v):
            hint = "; put the unit in its own column and the number alone here"
        elif re.match(r"^\d+(\s\d{3})+$", v):
            hint = f"; write it without spaces: {v.replace(' ', '')}"
    return None, f"a number such as 1200 or \"1,200\"{hint}"


def _check_columns(frame: pd.DataFrame, lines: np.ndarray, table: Table, rep: _Report) -> tuple[dict[str, _Cells], dict[str, np.ndarray], dict[str, dict]]:
    """Checks of each column on its own: (cells, parsed numbers, parsed dates by text)."""
    cells = {c.name: _Cells(frame[c.name].to_numpy(dtype=object)) for c in table.columns}
    numbers: dict[str, np.ndarray] = {}
    dates: dict[str, dict] = {}
    n = len(lines)
    for col in table.columns:
        c = cells[col.name]
        values = c.values
        if col.required:
            rep.rows(c.empty, col.name, values, lines, "a value (this column is required)")
        if col.type == SLUG and col.allowed:
            mask, messages = c.per_unique(_allowed_message(col))
            rep.rows(mask, col.name, values, lines, messages.__getitem__)
        elif col.type == SLUG:
            _, uniques = c.factorize()
            if not _all_slugs(u for u in uniques if u != ""):
                mask, messages = c.per_unique(_slug_message)
                rep.rows(mask, col.name, values, lines, messages.__getitem__)
        if col.type == PARTIAL_DATE:
            parsed: dict[str, PartialDate] = {}

            def parse(v: str, parsed=parsed) -> str | None:
                try:
                    parsed[v] = PartialDate.parse(v)
                except DateError as err:
                    return str(err)
                return None

            mask, messages = c.per_unique(parse)
            rep.rows(mask, col.name, values, lines, messages.__getitem__)
            dates[col.name] = parsed
        if col.type == NUMBER:
            codes, uniques = c.factorize()
            out = np.full(len(uniques), np.nan)
            messages = {}
            flags = np.zeros(len(uniques), dtype=bool)
            low, high = _RANGES.get(col.name, (0.0 if col.name == "value" else -np.inf, np.inf))
            for i, u in enumerate(uniques):
                if u == "":
                    continue
                number, message = _number(u)
                if message is None and not low <= number <= high:
                    message = "a count of zero or more" if col.name == "value" else f"a number from {low:g} to {high:g}"
                    if col.name in _RANGES:
                        message += " (are latitude and longitude swapped?)" if col.name == "latitude" else ""
                if message is None:
                    out[i] = number
                else:
                    flags[i] = True
                    messages[u] = message
            rep.rows(c.mask(flags), col.name, values, lines, messages.__getitem__)
            numbers[col.name] = out[codes] if n else np.zeros(0)
        if col.unique:
            codes, uniques = c.factorize()
            dup = pd.Series(codes).duplicated().to_numpy() & ~c.empty
            if dup.any():
                first = np.full(len(uniques), -1, dtype=np.int64)
                first[codes[::-1]] = np.arange(n)[::-1]
                rep.rows(dup, col.name, values, lines, lambda v, u=list(uniques), f=first: f"a unique id: {v!r} is already used on line {lines[f[u.index(v)]]}")
    return cells, numbers, dates


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-")
    return slug if slug and _SLUG.match(slug) else ""


def _check_reference(cells: _Cells, lines, column: str, targets: set, target_name: str, rep: _Report, hint_choices=None) -> None:
    """Each non-empty, well-formed value must be one of `targets`."""
    codes, uniques = cells.factorize()
    flags = ~pd.Index(uniques).isin(list(targets) + [""])
    if flags.any():
        flags &= np.array([bool(_SLUG.match(u)) for u in uniques], dtype=bool)
    if flags.any():
        choices = sorted(targets) if hint_choices is None else hint_choices
        rep.rows(flags[codes], column, cells.values, lines, lambda v: f"an id in {target_name}" + _suggest(v, choices))


def _typed(table: Table, cells: dict[str, _Cells], numbers: dict[str, np.ndarray], lines: np.ndarray) -> pd.DataFrame:
    out: dict = {"line": lines}
    for col in table.columns:
        if col.name in numbers:
            out[col.name] = numbers[col.name].astype("float64")
        else:
            out[col.name] = pd.array(cells[col.name].values, dtype="str")
    return pd.DataFrame(out)


# ---------------------------------------------------------------- tables


def load_table(path: Path | str, table: Table, limits: Limits | None = None) -> pd.DataFrame:
    """One file, checked on its own (no cross-file references)."""
    checked = _load_table(Path(path), table, limits or Limits())
    if checked.problems:
        raise DataError(checked.problems, checked.omitted)
    return checked.frame


@dataclass
class _Checked:
    frame: pd.DataFrame | None
    problems: list[Problem]
    omitted: int = 0
    cells: dict | None = None
    numbers: dict | None = None
    dates: dict | None = None
    lines: np.ndarray | None = None
    report: _Report | None = None


def _load_table(path: Path, table: Table, limits: Limits, *, exact: bool = False) -> _Checked:
    frame, lines, problems = read_csv_text(path, table, limits, exact=exact)
    if frame is None:
        return _Checked(None, problems)
    rep = _Report(str(path))
    rep.problems += problems
    shifted = frame.attrs.get("shifted_lines") or set()
    if shifted:
        rep.skip = np.isin(lines, list(shifted))
    cells, numbers, dates = _check_columns(frame, lines, table, rep)
    if table is SOURCES:
        url = cells["url"]
        bad = ~url.empty & ~np.array([v.startswith(("http://", "https://")) for v in url.values], dtype=bool) if len(lines) else np.zeros(0, bool)
        rep.rows(bad, "url", url.values, lines, "a web address starting with http:// or https://")
    typed = _typed(table, cells, numbers, lines)
    typed.attrs = {}
    return _Checked(typed, rep.problems, rep.omitted, cells, numbers, dates, lines, rep)


def sibling_files(statements: Path) -> dict[str, Path]:
    """A statements file's places, parties and sources: beside it, else the bundled ones."""
    statements = Path(statements)
    out = {"statements": statements}
    for table, bundled in ((PLACES, paths.PLACES_CSV), (PARTIES, paths.PARTIES_CSV), (SOURCES, paths.SOURCES_CSV)):
        beside = statements.parent / table.filename
        out[table.name] = beside if beside.exists() else bundled
    return out


def load_dataset(statements: Path | str = paths.STATEMENTS_CSV, *, places=None, parties=None, sources=None, limits: Limits | None = None, exact: bool = False) -> Dataset:
    """Load and validate the four files together; raise DataError listing every problem."""
    limits = limits or Limits()
    statements = Path(statements)
    files = sibling_files(statements)
    for key, value in (("places", places), ("parties", parties), ("sources", sources)):
        if value is not None:
            files[key] = Path(value)
    checked: dict[str, _Checked] = {}
    problems: list[Problem] = []
    omitted = 0
    for key, path in files.items():
        checked[key] = _load_table(path, TABLES_BY_NAME[key], limits, exact=exact)
    st = checked["statements"]
    if st.frame is not None:
        _check_statement_rules(st, checked)
    for c in checked.values():
        problems += c.report.problems if c.report else c.problems
        omitted += c.report.omitted if c.report else c.omitted
    if problems or omitted:
        raise DataError(problems, omitted)
    return Dataset(_derive(st), checked["places"].frame, checked["parties"].frame, checked["sources"].frame, files)


_TOKEN = re.compile(r"\{([^{}\n]{0,80})\}")


def _check_statement_rules(st: _Checked, checked: dict[str, _Checked]) -> None:
    rep, cells, lines = st.report, st.cells, st.lines
    n = len(lines)
    # References into the other files, and into this one.
    for column, key, fname in (("party", "parties", "parties.csv"), ("place_id", "places", "places.csv"), ("source_id", "sources", "sources.csv")):
        other = checked.get(key)
        if other is not None and other.frame is not None:
            _check_reference(cells[column], lines, column, set(other.frame["id"]), fname, rep)
    ids = cells["id"]
    _, id_uniques = ids.factorize()
    _check_reference(cells["responds_to"], lines, "responds_to", set(id_uniques), "statements.csv (the id of another row)", rep,
                     hint_choices=list(id_uniques) if len(id_uniques) <= MAX_SUGGESTION_CHOICES else [])
    resp = cells["responds_to"]
    rep.rows(~resp.empty & (resp.values == ids.values), "responds_to", resp.values, lines, "the id of another row (a row cannot answer itself)")

    # Figures carry measure, value, qualifier and unit; other rows carry none of them.
    kind = cells["kind"].values
    is_figure = kind == "figure"
    other_kind = ~is_figure & ~cells["kind"].empty & np.isin(kind, ["statement", "event"])
    hints = _near_miss_hints(st)
    for column in FIGURE_COLUMNS:
        c = cells[column]
        rep.rows(is_figure & c.empty, column, c.values, lines, f"a {column} on a figure row (figures need measure, value, qualifier and unit){hints.get(column, '')}")
        present = ~np.isnan(st.numbers["value"]) if column == "value" else ~c.empty
        rep.rows(other_kind & present, column, c.values, lines, lambda v, column=column: f"no {column} here: only kind=figure rows carry a figure (make this row a figure, or move the number to its own figure row)")
    for column, what in (("party", "a party, an id in parties.csv (who is speaking?)"), ("stance", "a stance (asserts, denies, ...)")):
        c = cells[column]
        rep.rows(np.isin(kind, ["statement", "figure"]) & c.empty, column, c.values, lines, lambda v, what=what: what + " on a statement or figure row" + hints.get(column, ""))

    # A span must not end before it starts: compared once per distinct (date, date_end) pair.
    parsed = st.dates
    date, date_end = cells["date"], cells["date_end"]
    has_end = ~date.empty & ~date_end.empty
    if has_end.any():
        dcodes, duniq = date.factorize()
        ecodes, euniq = date_end.factorize()
        pair = dcodes.astype(np.int64) * (len(euniq) + 1) + ecodes
        backwards = np.zeros(n, dtype=bool)
        for p in np.unique(pair[has_end]):
            d, e = duniq[p // (len(euniq) + 1)], euniq[p % (len(euniq) + 1)]
            if d in parsed["date"] and e in parsed["date_end"] and parsed["date_end"][e].last < parsed["date"][d].first:
                backwards |= pair == p
        rep.rows(backwards, "date_end", date_end.values, lines,
                 lambda v: "a date on or after the start date (date_end ends a span; are date and date_end swapped?)")

    # {place_id} tokens in our own prose must name a known place.
    places = checked.get("places")
    if places is not None and places.frame is not None and n:
        _check_tokens(cells["summary"], lines, places.frame, rep)


def _near_miss_hints(st: _Checked) -> dict[str, str]:
    near = st.frame.attrs.get("near_misses", {}) if st.frame is not None else {}
    return {known: f"; the header has a column {written!r}: did you mean {known!r}?" for known, written in near.items()}


def _check_tokens(summary: _Cells, lines, places: pd.DataFrame, rep: _Report) -> None:
    values = summary.values
    joined = "\x00".join(values)
    found = set(_TOKEN.findall(joined))
    ids = set(places["id"])
    bad = found - ids
    if not bad:
        return
    lookup = {}
    for row in places.itertuples():
        for name in (row.name_international, row.name_azerbaijani, row.name_armenian):
            lookup.setdefault(str(name).lower(), row.id)
    offsets = np.cumsum([len(v) + 1 for v in values])
    pattern = re.compile("|".join(re.escape("{" + b + "}") for b in sorted(bad)))
    hits: dict[int, list[str]] = {}
    for m in pattern.finditer(joined):
        hits.setdefault(int(np.searchsorted(offsets, m.start(), side="right")), []).append(m.group(0))
    mask = np.zeros(len(values), dtype=bool)
    mask[list(hits)] = True

    def expected(v: str) -> str:
        texts = []
        for tok in dict.fromkeys(_TOKEN.findall(v)):
            if tok in ids:
                continue
            guess = lookup.get(tok.strip().lower())
            hint = f" (did you mean {{{guess}}}?)" if guess else _suggest(tok, sorted(ids))
            texts.append(f"{{{tok}}}{hint}")
        return f"each {{place_id}} to name an id in places.csv: unknown {', '.join(texts)}"

    rep.rows(mask, "summary", values, lines, expected)


def _derive(st: _Checked) -> pd.DataFrame:
    """Add the parsed dates: start, end (inclusive day spans) and their precision."""
    frame = st.frame.copy()
    parsed = st.dates
    date, date_end = st.cells["date"], st.cells["date_end"]
    dcodes, duniq = date.factorize()
    ecodes, euniq = date_end.factorize()

    def arrays(uniques, by_text):
        firsts = np.array([np.datetime64(by_text[u].first, "D") if u in by_text else np.datetime64("NaT", "D") for u in uniques], dtype="datetime64[D]")
        lasts = np.array([np.datetime64(by_text[u].last, "D") if u in by_text else np.datetime64("NaT", "D") for u in uniques], dtype="datetime64[D]")
        precisions = np.array([by_text[u].precision if u in by_text else "" for u in uniques], dtype=object)
        return firsts, lasts, precisions

    d_first, d_last, d_prec = arrays(duniq, parsed["date"])
    _, e_last, _ = arrays(euniq, parsed["date_end"])
    start = d_first[dcodes] if len(dcodes) else np.zeros(0, "datetime64[D]")
    end = np.where(date_end.empty, d_last[dcodes], e_last[ecodes]) if len(dcodes) else np.zeros(0, "datetime64[D]")
    frame["start"] = start.astype("datetime64[s]")
    frame["end"] = end.astype("datetime64[s]")
    frame["precision"] = pd.array(d_prec[dcodes] if len(dcodes) else np.zeros(0, object), dtype="str")
    return frame


def detect_table(path: Path) -> Table:
    """Which table a file holds: by its name, else by its header."""
    stem = path.stem.lower()
    if stem in TABLES_BY_NAME:
        return TABLES_BY_NAME[stem]
    try:
        with path.open("rb") as f:
            head = f.read(4096).decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0].lower()
    except (OSError, IndexError):
        return STATEMENTS
    columns = {_normalise_header(h) for h in head.split(",")}
    for table in (PLACES, PARTIES, SOURCES):
        if set(table.required) <= columns and not columns & {"summary", "kind", "source_id"} - {c.name for c in table.columns}:
            return table
    return STATEMENTS


def validate_files(files: list[Path], limits: Limits | None = None) -> ProblemList:
    """Check each file; a statements file is checked with its places, parties and sources.

    Returns the problems found (a ProblemList: `.omitted` counts the ones not listed).
    """
    out = ProblemList()
    try:
        limits = limits or Limits()
    except DataError as err:
        out += err.problems
        return out
    covered: set[Path] = set()
    tables = {Path(f): detect_table(Path(f)) for f in files}
    for f, table in tables.items():
        if table is STATEMENTS:
            covered.update(p.resolve() for p in sibling_files(f).values())
            try:
                load_dataset(f, limits=limits)
            except DataError as err:
                out += err.problems
                out.omitted += err.omitted
    for f, table in tables.items():
        if table is not STATEMENTS and f.resolve() not in covered:
            checked = _load_table(f, table, limits)
            out += checked.problems
            out.omitted += checked.omitted
    result = ProblemList(sorted(set(out), key=lambda p: (p.file, p.line, p.column, p.expected)))
    result.omitted = out.omitted
    return result
