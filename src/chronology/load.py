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
    STRING,
    SOURCES,
    STATEMENTS,
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
        return f"{where}: {self.column}: {value!r}: {self.expected}"


def _expect(text: str) -> str:
    """The loader's column problems all say what was expected, in those words."""
    return text if text.startswith("expected") else f"expected {text}"


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
        self.problems.append(Problem(self.name, int(line), column, value, _expect(expected)))

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


def _sniff_binary(raw: bytes, suffix: str = ".csv") -> str | None:
    """What a file that is not CSV text looks like, and how to get CSV from it."""
    head = raw[:4096]
    misnamed = " saved with a .csv name" if suffix.lower() == ".csv" else ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in raw[:65536] or b"[Content_Types].xml" in raw[:65536] and b"word/" not in raw[:65536]:
            what = f"an Excel workbook (.xlsx){misnamed}"
        elif b"opendocument.spreadsheet" in head:
            what = f"a LibreOffice/OpenOffice spreadsheet (.ods){misnamed}"
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


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """Bytes -> text (without a byte-order mark), or the problem saying what the file is instead.

    Kept for other readers of CSV (timeline import) that want the same messages.
    """
    what = _sniff_binary(raw, Path(name).suffix)
    if what:
        return None, [Problem(name, 0, "", "", what)]
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    bad = _decode_problem(raw, name)
    if bad:
        return None, [bad]
    return raw.decode("utf-8"), []


# ---------------------------------------------------------------- finding records


def _positions(arr: np.ndarray, byte: int, chunk: int = 1 << 22) -> np.ndarray:
    """Where `byte` occurs, a few MB at a time (a whole-file comparison costs more in page faults)."""
    found = []
    buf = np.empty(min(chunk, len(arr)), dtype=bool)
    for start in range(0, len(arr), chunk):
        part = arr[start : start + chunk]
        hit = buf[: len(part)]
        np.equal(part, byte, out=hit)
        found.append(np.flatnonzero(hit) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


class _UnclosedQuote(Exception):
    """A quote mark opens a cell and nothing closes it: the rest of the file would be one cell."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


_UNCLOSED = ('a quotation mark (") opens a cell on this line and is never closed, so the rest of the file was read '
             'as one cell: close the quote, or write a quote mark inside a quoted cell as two ("")')
MAX_LITERAL_QUOTES = 1000  # quote marks inside unquoted cells handled by the fast reader; more go to the exact one


def _record_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(byte offset where each record starts, physical line it starts on), found with numpy.

    A record ends at a newline outside quotes, so what matters is which quote marks open and
    close quoted cells. A quote opens one only at the start of a cell (after a comma, a newline
    or spaces); elsewhere in an unquoted cell (`5" tall`) it is a literal character, as both
    csv readers treat it. Those are found and set aside one by one; past MAX_LITERAL_QUOTES of
    them, return None and let the exact reader do the work. Raises _UnclosedQuote when a quote
    opened at the start of a cell is never closed.
    """
    arr = np.frombuffer(raw, dtype=np.uint8)
    nl = _positions(arr, 10)
    q = _positions(arr, 34)
    if len(q):
        prev = arr[np.maximum(q - 1, 0)]
        at_start = (q == 0) | (prev == 44) | (prev == 10)
        checked = np.zeros(len(q), dtype=bool)  # after spaces: is a cell start behind them? (looked at lazily)
        for _ in range(MAX_LITERAL_QUOTES + 1):
            doubled = np.zeros(len(q), dtype=bool)
            doubled[1:] = q[1:] == q[:-1] + 1  # "" inside a quoted cell
            opening = np.arange(0, len(q), 2)
            bad = opening[~(at_start[opening] | doubled[opening])]
            spaced = bad[(prev[bad] == 32) & ~checked[bad]]
            for i in spaced:  # a quote after spaces opens a cell too (skipinitialspace)
                j = int(q[i]) - 1
                while j >= 0 and raw[j] == 32:
                    j -= 1
                at_start[i] = j < 0 or raw[j] in (44, 10)
                checked[i] = True
            if len(spaced):
                bad = opening[~(at_start[opening] | doubled[opening])]
            if not len(bad):
                break
            keep = np.ones(len(q), dtype=bool)
            keep[bad[0]] = False  # a literal quote: it neither opens nor closes anything
            q, prev, at_start, checked = q[keep], prev[keep], at_start[keep], checked[keep]
        else:
            return None
        if len(q) % 2:
            closed = q[:-1]
            inside = (np.searchsorted(closed, nl) % 2).astype(bool)
            ends = nl[~inside]
            record = int(np.searchsorted(ends, q[-1]))
            raise _UnclosedQuote(1 if record == 0 else int(np.flatnonzero(~inside)[record - 1]) + 2)
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


def _parse_fast(raw: bytes, starts: np.ndarray, width: int, first: int):
    """pandas' C reader over the records from `first` on (the header): (columns, extra cells by record) or None."""
    n = len(starts) - first
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = pd.read_csv(
            io.BytesIO(raw[starts[first]:]), header=None, names=list(range(width)), index_col=False, dtype=object,
            na_filter=False, skip_blank_lines=False, skipinitialspace=True, on_bad_lines="warn",
            engine="c", low_memory=True, encoding="utf-8",
        )
    # Records with more cells than the header are left out, with a warning naming each.
    skipped = sorted({int(m) - 1 for w in caught for m in re.findall(r"Skipping line (\d+): expected \d+ fields", str(w.message))})
    if len(frame) + len(skipped) != n:
        return None
    columns = [frame[c].to_numpy(dtype=object) for c in range(width)]
    del frame
    extra: dict[int, list[str]] = {}
    if skipped:
        keep = np.setdiff1d(np.arange(n), skipped)
        full = []
        for col in columns:
            out = np.empty(n, dtype=object)
            out[keep] = col
            full.append(out)
        ends = np.concatenate((starts[1:], [len(raw)]))
        for k in skipped:
            rec = next(_csv_reader(raw[starts[first + k] : ends[first + k]].decode("utf-8")), [])
            rec += [""] * (width - len(rec))
            for c in range(width):
                full[c][k] = rec[c]
            extra[k] = rec[width:]
        columns = full
    return columns, extra


def _parse_slow(text: str) -> tuple[list[list[str]], list[int]]:
    """Python's csv module, record by record: exact for any quoting. (records, start lines)"""
    records: list[list[str]] = []
    starts: list[int] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # the file size limit bounds a cell; the cell limit is checked after
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
        return "unexpected end of data" in str(err)
    return False


def _is_blank(cells) -> bool:
    return not any(c.strip() for c in cells)


def _normalise_header(h: str) -> str:
    return h.strip().lstrip("\ufeff").strip().lower()


class _Cells:
    """One column's stripped cells, factorised on demand: checks run once per distinct value."""

    def __init__(self, values: np.ndarray, codes: np.ndarray | None = None, uniques: np.ndarray | None = None):
        self.values = values
        self._codes = codes
        self._uniques = uniques
        self._empty = None

    @classmethod
    def stripped(cls, raw: np.ndarray, factorise: bool) -> "_Cells":
        """Strip surrounding spaces: per distinct value for coded columns, else cell by cell."""
        if not factorise:
            out = np.empty(len(raw), dtype=object)
            out[:] = [v.strip() for v in raw]
            return cls(out)
        codes, uniques = pd.factorize(raw)
        uniques = np.asarray(uniques, dtype=object)
        clean = np.empty(len(uniques), dtype=object)
        clean[:] = [u.strip() for u in uniques]
        if (clean == uniques).all():
            return cls(raw, codes, uniques)
        recodes, uniques = pd.factorize(clean)  # ' a' and 'a' become one value
        codes = recodes[codes]
        uniques = np.asarray(uniques, dtype=object)
        return cls(uniques[codes], codes, uniques)

    def take(self, keep: np.ndarray) -> "_Cells":
        codes = self._codes[keep] if self._codes is not None else None
        return _Cells(self.values[keep], codes, self._uniques)

    def factorize(self) -> tuple[np.ndarray, np.ndarray]:
        if self._codes is None:
            codes, uniques = pd.factorize(self.values)
            self._codes, self._uniques = codes, np.asarray(uniques, dtype=object)
        return self._codes, self._uniques

    @property
    def empty(self) -> np.ndarray:
        if self._empty is None:
            if self._codes is not None:
                self._empty = self.mask(self._uniques == "")
            else:
                self._empty = self.values == ""
        return self._empty

    def isin(self, allowed) -> np.ndarray:
        """Row mask: the cell is one of `allowed` (compared once per distinct value)."""
        _, uniques = self.factorize()
        return self.mask(np.array([u in allowed for u in uniques], dtype=bool))

    def mask(self, flags_by_unique: np.ndarray) -> np.ndarray:
        codes, _ = self.factorize()
        flags = np.asarray(flags_by_unique, dtype=bool)
        return flags[codes] if len(flags) else np.zeros(len(codes), dtype=bool)

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


@dataclass
class _Read:
    """A file read into stripped cells of the table's columns, or the problems that stopped it."""

    cells: dict[str, _Cells] | None
    lines: np.ndarray | None
    problems: list[Problem]
    near_misses: dict[str, str] = field(default_factory=dict)  # absent known column -> header as written
    shifted: np.ndarray | None = None  # rows with more cells than the header


def _read(path: Path, table: Table, limits: Limits, exact: bool = False) -> _Read:
    name = str(path)

    def fail(line: int, text: str, column: str = "", value: str = "") -> _Read:
        return _Read(None, None, [Problem(name, line, column, value, text)])

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
    what = _sniff_binary(raw, path.suffix)
    if what:
        return fail(0, what)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        return fail(0, f"the file is empty: expected a header row ({', '.join(table.required)}, ...) and at least one row of data")
    bad = _decode_problem(raw, name)
    if bad:
        return _Read(None, None, [bad])
    nul = raw.find(b"\x00")
    if nul >= 0:
        return fail(_line_of(raw, nul), "this line holds a NUL byte (\\x00): the file is not plain CSV text (part binary, or damaged)")
    if b"\r" in raw:  # CRLF (Windows) or CR (old Mac) line ends, also inside quoted cells
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    # Records: found with numpy and parsed by pandas when the quoting is regular, else by the csv module.
    parsed = None
    try:
        bounds = None if exact else _record_bounds(raw)
    except _UnclosedQuote as err:
        return fail(err.line, _UNCLOSED)
    if bounds is not None:
        starts, lines_all = bounds
        ends = np.concatenate((starts[1:], [len(raw)]))
        first = 0
        while first < len(starts):
            header_cells = next(_csv_reader(raw[starts[first] : ends[first]].decode("utf-8")), [])
            if not _is_blank(header_cells):
                break
            first += 1
        else:
            return fail(0, "the file has no header row: expected a first row naming the columns")
        try:
            fast = _parse_fast(raw, starts, len(header_cells), first)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
            fast = None
        if fast is not None:
            columns, extra = fast
            parsed = (
                [c[0] for c in columns], int(lines_all[first]), [c[1:] for c in columns], lines_all[first + 1:],
                {k - 1: v for k, v in extra.items() if k > 0}, (ends - starts)[first + 1:],
            )
    if parsed is None:
        text = raw.decode("utf-8")
        try:
            records, record_lines = _parse_slow(text)
        except csv.Error as err:  # pragma: no cover - NUL bytes are refused above; nothing else is known to get here
            return fail(0, f"not readable as CSV ({err})")
        first = next((i for i, r in enumerate(records) if not _is_blank(r)), None)
        if first is None:
            return fail(0, "the file has no header row: expected a first row naming the columns")
        header_cells, body = records[first], records[first + 1:]
        width = len(header_cells)
        lines_arr = np.asarray(record_lines[first + 1:], dtype=np.int64)
        if _unclosed_quote(text, record_lines[-1]):
            return fail(record_lines[-1], _UNCLOSED)
        columns = []
        for c in range(width):
            col = np.empty(len(body), dtype=object)
            col[:] = [r[c] if c < len(r) else "" for r in body]
            columns.append(col)
        parsed = (header_cells, record_lines[first], columns, lines_arr, {i: r[width:] for i, r in enumerate(body) if len(r) > width}, None)
        del text, records
    del raw
    header_raw, head_line, columns, lines, extras, record_chars = parsed

    # The header.
    header = [_normalise_header(h) for h in header_raw]
    known = {c.name for c in table.columns}
    if not known & set(header):
        return fail(head_line, _not_a_header(header_raw, table))
    width = len(header)
    while width and not header[width - 1]:  # trailing empty columns: a spreadsheet's stray commas
        width -= 1
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header[:width]):
        if h and h in seen:
            problems.append(Problem(name, head_line, h, header_raw[i].strip(), _expect(f"each column named once: {h!r} is also column {seen[h] + 1}")))
        seen.setdefault(h, i)
    unknown = [h for h in header[:width] if h and h not in known]
    for c in table.required:
        if c not in seen:
            close = difflib.get_close_matches(c, unknown, n=1, cutoff=0.6)
            hint = f" (the header has {close[0]!r}: a misspelling?)" if close else ""
            problems.append(Problem(name, head_line, c, "", _expect(f"a column named {c!r} in the header (it is required){hint}")))
    if problems:
        return _Read(None, None, problems)

    # Cells past the header's width: a stray comma is fine, data there is a shifted row.
    beyond: dict[int, list[str]] = {}
    for i in range(width, len(columns)):
        col = columns[i]
        for k in np.flatnonzero(np.array([bool(v.strip()) for v in col], dtype=bool)):
            beyond.setdefault(int(k), []).append(col[k])
    for k, v in extras.items():
        if any(x.strip() for x in v):
            beyond.setdefault(k, []).extend(x for x in v if x.strip())
    columns = columns[:width]

    # Cells longer than the limit: only a record that long can hold one.
    limit = limits.max_cell_chars
    if record_chars is None or (record_chars > limit).any():
        too_long = []
        for i, h in enumerate(header[:width]):
            col = columns[i]
            if not len(col) or max(map(len, col)) <= limit:
                continue
            for k in np.flatnonzero(np.array([len(v) > limit for v in col], dtype=bool)):
                too_long.append(Problem(name, int(lines[k]), h or f"column {i + 1}", col[k][:60], _expect(f"at most {limit:,} characters in a cell: this one has {len(col[k]):,} (set CHRONOLOGY_MAX_CELL_CHARS to raise the limit)")))
        if too_long:
            return _Read(None, None, too_long)

    cells = {h: _Cells.stripped(columns[i], table.column(h).type != STRING) for i, h in enumerate(header[:width]) if h in known}

    # Rows with nothing in them (blank lines, ",,,," rows) are not rows.
    n = len(lines)
    if n:
        empty = cells["id"].empty.copy() if "id" in cells else np.ones(n, dtype=bool)
        for k in np.flatnonzero(empty):
            if any(col[k].strip() for col in columns) or k in beyond:
                empty[k] = False
        if empty.any():
            keep = ~empty
            cells = {h: c.take(keep) for h, c in cells.items()}
            new_index = np.cumsum(keep) - 1
            beyond = {int(new_index[k]): v for k, v in beyond.items() if keep[k]}
            lines = lines[keep]
    if not len(lines):
        return fail(0, f"the file has a header but no rows of data: expected at least one row after the header on line {head_line}")
    n = len(lines)
    empty_cells = _Cells(np.full(n, "", dtype=object), np.zeros(n, dtype=np.intp), np.array([""], dtype=object))
    for c in table.columns:
        cells.setdefault(c.name, empty_cells)

    for k in sorted(beyond):
        more = beyond[k]
        multiline = any("\n" in c.values[k] for c in cells.values())
        why = ('a cell here runs over several lines: is a quotation mark (") left open?' if multiline
               else 'an unquoted comma? put quotes around a cell that holds a comma, such as "1,200"')
        problems.append(Problem(name, int(lines[k]), "", "", f"this row has more cells than the header's {width} columns ({why}): extra {', '.join(repr(v.strip()[:30]) for v in more[:3])}"))
    shifted = np.zeros(n, dtype=bool)
    shifted[list(beyond)] = True
    # A quote left open swallows the next line break and rows, and the row comes out short instead.
    spans = np.diff(lines, append=lines[-1] + 1)
    for k in np.flatnonzero((spans > 1) | (np.arange(n) == n - 1)):
        if shifted[k]:
            continue
        for h in header[:width]:
            v = cells[h].values[k] if h in cells else ""
            if "\n" in v and v.split("\n", 1)[1].count(",") >= max(3, width // 2):
                problems.append(Problem(name, int(lines[k]), h, v, _expect(
                    'the cell to end before the next row, but it runs on over the next line, which looks like another row: is a quotation mark (") left open?')))
                shifted[k] = True
                break
    near = {}
    for h in unknown:
        close = difflib.get_close_matches(h, [c for c in known if c not in seen], n=1, cutoff=0.8)
        if close:
            near[close[0]] = h
    return _Read(cells, np.asarray(lines, dtype=np.int64), problems, near, shifted if shifted.any() else None)


def read_csv_text(path: Path, table: Table, limits: Limits | None = None, *, exact: bool = False) -> tuple[pd.DataFrame | None, np.ndarray | None, list[Problem]]:
    """Parse one CSV file into stripped strings, with the physical line each record starts on.

    Returns (frame of the table's columns in schema order, all strings; lines; problems). The
    frame is None when the file cannot be read as a table at all. `exact=True` uses the csv
    module for every file (the fast reader is checked against it in the tests).
    """
    got = _read(Path(path), table, limits or Limits(), exact)
    if got.cells is None:
        return None, None, got.problems
    frame = pd.DataFrame({c.name: got.cells[c.name].values for c in table.columns}, copy=False)
    return frame, got.lines, got.problems


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
_SLUGS = re.compile(r"(?:[a-z0-9][a-z0-9_-]*\n)*")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$", re.ASCII)
_QUALIFIER_SYNONYMS = {
    "approximately": "about", "approx": "about", "around": "about", "roughly": "about", "some": "about", "circa": "about", "c": "about", "~": "about",
    "over": "more_than", "above": "more_than", "greater_than": "more_than", "more": "more_than", ">": "more_than",
    "under": "fewer_than", "below": "fewer_than", "less_than": "fewer_than", "less": "fewer_than", "<": "fewer_than",
    "up_to": "at_most", "no_more_than": "at_most", "maximum": "at_most", "max": "at_most", "<=": "at_most",
    "minimum": "at_least", "min": "at_least", "no_fewer_than": "at_least", ">=": "at_least",
    "exactly": "exact", "precisely": "exact", "=": "exact", "close_to": "nearly", "just_under": "nearly",
}
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


def _all_slugs(values) -> bool:
    """Are all these (non-empty) values identifiers? One regex over them all."""
    return _SLUGS.fullmatch("\n".join(values) + "\n") is not None


def _slugify(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-")
    return slug if slug and _SLUG.match(slug) else ""


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


def _number(v: str, example: str = '1200 or "1,200"', thousands: bool = True) -> tuple[float | None, str | None]:
    """(the number, None) or (None, what was expected). `thousands`: accept "1,200" as 1200."""
    text = v.replace(",", "") if thousands and _THOUSANDS.match(v) else v
    if _NUMBER.match(text):
        number = float(text)
        if np.isfinite(number):
            return number, None
        return None, f"a number such as {example} ({v} is too large)"
    hint = ""
    if _DECIMAL_COMMA.match(v) and not (thousands and _THOUSANDS.match(v)):
        hint = f"; write a decimal point: {v.replace(',', '.')}"
    elif m := re.match(r"^([A-Za-z][A-Za-z ]*?)\s*([\d,.]+)$", v):
        hint = f"; put {m.group(1).strip()!r} in the qualifier column and the number alone here"
    elif re.match(r"^[\d,.]+\s*[A-Za-z]+$", v):
        hint = "; put the unit in the unit column and the number alone here"
    elif re.match(r"^\d{1,3}(\s\d{3})+$", v):
        hint = f"; write it without spaces: {re.sub(r'[ ]', '', v)}"
    return None, f"a number such as {example}{hint}"


@dataclass
class _Checked:
    """A table after its own checks: the typed frame (None when unreadable) and what was found."""

    path: Path
    read: _Read
    report: _Report
    frame: pd.DataFrame | None = None
    numbers: dict = field(default_factory=dict)
    dates: dict = field(default_factory=dict)

    @property
    def cells(self) -> dict[str, _Cells]:
        return self.read.cells

    @property
    def lines(self) -> np.ndarray:
        return self.read.lines


def _check_columns(got: _Read, table: Table, rep: _Report) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Checks of each column on its own: (parsed numbers, parsed dates by text)."""
    lines = got.lines
    n = len(lines)
    numbers: dict[str, np.ndarray] = {}
    dates: dict[str, dict] = {}
    for col in table.columns:
        c = got.cells[col.name]
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
                if col.name in _RANGES:  # degrees: "39,758" is a decimal comma, not thirty-nine thousand
                    number, message = _number(u, col.example, thousands=False)
                else:
                    number, message = _number(u)
                if message is None and not low <= number <= high:
                    message = "a count of zero or more" if col.name == "value" else f"a number from {low:g} to {high:g}"
                if message is None:
                    out[i] = number
                else:
                    flags[i] = True
                    messages[u] = message
            rep.rows(c.mask(flags), col.name, values, lines, messages.__getitem__)
            numbers[col.name] = out[codes] if len(out) else np.full(n, np.nan)
        if col.unique:
            codes, uniques = c.factorize()
            dup = pd.Series(codes).duplicated().to_numpy() & ~c.empty
            if dup.any():
                first = np.full(len(uniques), -1, dtype=np.int64)
                first[codes[::-1]] = np.arange(n)[::-1]
                where = dict(zip(uniques, first))
                rep.rows(dup, col.name, values, lines, lambda v: f"a unique id: {v!r} is already used on line {lines[where[v]]}")
    return numbers, dates


def _check_reference(cells: _Cells, lines, column: str, targets, target_name: str, rep: _Report, hint_choices=None) -> None:
    """Each non-empty, well-formed value must be one of `targets` (compared once per distinct value)."""
    codes, uniques = cells.factorize()
    flags = ~pd.Index(uniques).isin(pd.Index(targets).append(pd.Index([""])))
    if flags.any():
        flags &= np.array([bool(_SLUG.match(u)) for u in uniques], dtype=bool)
    if flags.any():
        choices = sorted(targets) if hint_choices is None else hint_choices
        rep.rows(cells.mask(flags), column, cells.values, lines, lambda v: f"an id in {target_name}" + _suggest(v, choices))


def _typed(table: Table, got: _Read, numbers: dict[str, np.ndarray]) -> pd.DataFrame:
    out: dict = {"line": got.lines}
    for col in table.columns:
        if col.name in numbers:
            out[col.name] = numbers[col.name].astype("float64")
        else:
            out[col.name] = pd.array(got.cells[col.name].values, dtype="str")
    return pd.DataFrame(out, copy=False)  # the arrays are new already: copying them again costs 0.2 s a million rows


# ---------------------------------------------------------------- tables


def load_table(path: Path | str, table: Table, limits: Limits | None = None) -> pd.DataFrame:
    """One file, checked on its own (no cross-file references): a frame with a `line` column first."""
    checked = _load_table(Path(path), table, limits or Limits())
    if checked.report.problems or checked.report.omitted:
        raise DataError(checked.report.problems, checked.report.omitted)
    return checked.frame


def _load_table(path: Path, table: Table, limits: Limits, *, exact: bool = False) -> _Checked:
    got = _read(path, table, limits, exact)
    rep = _Report(str(path))
    rep.problems += got.problems
    checked = _Checked(path, got, rep)
    if got.cells is None:
        return checked
    rep.skip = got.shifted
    checked.numbers, checked.dates = _check_columns(got, table, rep)
    if table is SOURCES:
        url = got.cells["url"]
        _, uniques = url.factorize()
        rep.rows(url.mask(np.array([u != "" and not u.startswith(("http://", "https://")) for u in uniques], dtype=bool)),
                 "url", url.values, got.lines, "a web address starting with http:// or https://")
    checked.frame = _typed(table, got, checked.numbers)
    return checked


def sibling_files(statements: Path) -> dict[str, Path]:
    """A statements file's places, parties and sources: beside it, else the bundled ones."""
    statements = Path(statements)
    out = {"statements": statements}
    for table, bundled in ((PLACES, paths.PLACES_CSV), (PARTIES, paths.PARTIES_CSV), (SOURCES, paths.SOURCES_CSV)):
        beside = statements.parent / table.filename
        out[table.name] = beside if beside.exists() else bundled
    return out


def load_dataset(statements: Path | str = paths.STATEMENTS_CSV, *, places=None, parties=None, sources=None, limits: Limits | None = None, exact: bool = False) -> Dataset:
    """Load and validate the four files together; raise DataError listing every problem.

    places, parties and sources default to the files beside `statements`, else the bundled ones.
    """
    limits = limits or Limits()
    files = sibling_files(Path(statements))
    for key, value in (("places", places), ("parties", parties), ("sources", sources)):
        if value is not None:
            files[key] = Path(value)
    checked = {key: _load_table(path, TABLES_BY_NAME[key], limits, exact=exact) for key, path in files.items()}
    st = checked["statements"]
    if st.frame is not None:
        _check_statement_rules(st, checked)
    problems = [p for c in checked.values() for p in c.report.problems]
    omitted = sum(c.report.omitted for c in checked.values())
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
            _check_reference(cells[column], lines, column, other.frame["id"].to_numpy(dtype=object), fname, rep)
    ids = cells["id"]
    _, id_uniques = ids.factorize()
    _check_reference(cells["responds_to"], lines, "responds_to", id_uniques, "statements.csv (the id of another row)", rep,
                     hint_choices=list(id_uniques) if len(id_uniques) <= MAX_SUGGESTION_CHOICES else [])
    resp = cells["responds_to"]
    rep.rows(~resp.empty & (resp.values == ids.values), "responds_to", resp.values, lines, "the id of another row (a row cannot answer itself)")

    # Figures carry measure, value, qualifier and unit; statements and events carry none of them.
    kind = cells["kind"]
    is_figure = kind.isin({"figure"})
    not_figure = kind.isin({"statement", "event"})
    hints = {known: f"; the header has a column {written!r}: did you mean {known!r}?" for known, written in st.read.near_misses.items()}
    for column in FIGURE_COLUMNS:
        c = cells[column]
        rep.rows(is_figure & c.empty, column, c.values, lines, f"a {column} on a figure row (figures need measure, value, qualifier and unit){hints.get(column, '')}")
        present = ~np.isnan(st.numbers["value"]) if column == "value" else ~c.empty
        rep.rows(not_figure & present, column, c.values, lines,
                 f"no {column} here: only kind=figure rows carry a figure (make this row a figure, or give the number its own figure row)")
    claims = kind.isin({"statement", "figure"})
    for column, what in (("party", "a party, an id in parties.csv (who is speaking?)"), ("stance", "a stance (asserts, denies, ...)")):
        c = cells[column]
        rep.rows(claims & c.empty, column, c.values, lines, f"{what} on a statement or figure row{hints.get(column, '')}")

    # A span must not end before it starts: compared once per distinct (date, date_end) pair.
    parsed = st.dates
    date, date_end = cells["date"], cells["date_end"]
    has_end = ~date.empty & ~date_end.empty
    if has_end.any():
        dcodes, duniq = date.factorize()
        ecodes, euniq = date_end.factorize()
        pair = dcodes.astype(np.int64) * len(euniq) + ecodes
        pairs = np.unique(pair[has_end])
        backwards = []
        for p in pairs:
            d, e = duniq[p // len(euniq)], euniq[p % len(euniq)]
            if d in parsed["date"] and e in parsed["date_end"] and parsed["date_end"][e].last < parsed["date"][d].first:
                backwards.append(p)
        if backwards:
            rep.rows(has_end & np.isin(pair, backwards), "date_end", date_end.values, lines,
                     "a date on or after the start date (date_end ends a span; are date and date_end swapped?)")

    # {place_id} tokens in our own prose must name a known place.
    places = checked.get("places")
    if places is not None and places.frame is not None and n:
        _check_tokens(cells["summary"], lines, places.frame, rep)


def _check_tokens(summary: _Cells, lines, places: pd.DataFrame, rep: _Report) -> None:
    """Every {...} in a summary names a place id: one regex over all summaries, rows found only for bad ones."""
    values = summary.values
    joined = "\x00".join(values)
    ids = set(places["id"])
    bad = set(_TOKEN.findall(joined)) - ids
    if not bad:
        return
    lookup = {}
    for row in places.itertuples():
        for place_name in (row.name_international, row.name_azerbaijani, row.name_armenian):
            lookup.setdefault(str(place_name).strip().lower(), row.id)
    offsets = np.cumsum(np.fromiter((len(v) + 1 for v in values), dtype=np.int64, count=len(values)))
    pattern = re.compile("|".join(re.escape("{" + b + "}") for b in sorted(bad)))
    rows = {int(np.searchsorted(offsets, m.start(), side="right")) for m in pattern.finditer(joined)}
    mask = np.zeros(len(values), dtype=bool)
    mask[sorted(rows)] = True

    def expected(v: str) -> str:
        texts = []
        for tok in dict.fromkeys(_TOKEN.findall(v)):
            if tok in ids:
                continue
            guess = lookup.get(tok.strip().lower()) or (tok.strip().lower() if tok.strip().lower() in ids else None)
            hint = f" (did you mean {{{guess}}}?)" if guess else _suggest(tok, sorted(ids))
            texts.append(f"{{{tok}}}{hint}")
        return f"each {{place_id}} to name an id in places.csv: unknown {', '.join(texts)}"

    rep.rows(mask, "summary", values, lines, expected)


def _derive(st: _Checked) -> pd.DataFrame:
    """Add the parsed dates: start, end (inclusive day spans) and their precision."""
    frame = st.frame
    parsed = st.dates
    date, date_end = st.cells["date"], st.cells["date_end"]
    dcodes, duniq = date.factorize()
    ecodes, euniq = date_end.factorize()

    def arrays(uniques, by_text):
        nat = np.datetime64("NaT", "D")
        firsts = np.array([np.datetime64(by_text[u].first, "D") if u in by_text else nat for u in uniques], dtype="datetime64[D]")
        lasts = np.array([np.datetime64(by_text[u].last, "D") if u in by_text else nat for u in uniques], dtype="datetime64[D]")
        precisions = np.array([by_text[u].precision if u in by_text else "" for u in uniques], dtype=object)
        return firsts, lasts, precisions

    d_first, d_last, d_prec = arrays(duniq, parsed["date"])
    _, e_last, _ = arrays(euniq, parsed["date_end"])
    frame["start"] = d_first[dcodes].astype("datetime64[s]")
    frame["end"] = np.where(date_end.empty, d_last[dcodes], e_last[ecodes]).astype("datetime64[s]")
    frame["precision"] = pd.array(d_prec[dcodes], dtype="str")
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
        if set(table.required) <= columns and not columns & ({"summary", "kind", "source_id"} - {c.name for c in table.columns}):
            return table
    return STATEMENTS


def validate_files(files: list[Path], limits: Limits | None = None) -> ProblemList:
    """Check each file; a statements file is checked with its places, parties and sources.

    Returns the problems found, sorted; a ProblemList, whose `.omitted` counts those not listed.
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
            out += checked.report.problems
            out.omitted += checked.report.omitted
    result = ProblemList(sorted(set(out), key=lambda p: (p.file, p.line, p.column, p.expected)))
    result.omitted = out.omitted
    return result
