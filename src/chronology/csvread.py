"""CSV bytes to raw cells: each record's cells and the physical line it starts on.

Two readers give the same result. The fast one finds records with numpy over the raw bytes
(newlines outside quotes) and parses them with pandas' C reader; the exact one is Python's csv
module, record by record, used when the quoting is irregular (many quote marks inside unquoted
cells) or pandas cannot parse the records. Nothing here knows the schema: cells are unstripped
strings, the header is the first non-blank record.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


class CsvError(Exception):
    """The bytes are not readable as CSV records: at this line (0: the file as a whole), for this reason."""

    def __init__(self, line: int, message: str):
        super().__init__(line, message)
        self.line = line
        self.message = message


@dataclass
class Records:
    """The header record and the records after it, cell by cell (columns as the header is wide)."""

    header: list[str]
    header_line: int
    columns: list[np.ndarray]  # one object array per header cell, "" where a record is short
    lines: np.ndarray  # the physical line each record starts on
    extras: dict[int, list[str]]  # record index -> its cells past the header's width
    record_chars: np.ndarray | None  # each record's length in bytes (fast reader only): bounds its longest cell


NO_HEADER = "the file has no header row: expected a first row naming the columns"


def read_records(raw: bytes, exact: bool = False) -> Records:
    """Records of UTF-8 CSV bytes with '\\n' line ends; CsvError when there are none or a quote never closes.

    `exact=True` uses the csv module whatever the quoting (the fast reader is tested against it).
    """
    try:
        bounds = None if exact else record_bounds(raw)
    except UnclosedQuote as err:
        raise CsvError(err.line, UNCLOSED) from None
    records = _read_fast(raw, bounds) if bounds is not None else None
    return records if records is not None else _read_exact(raw)


def _read_fast(raw: bytes, bounds: tuple[np.ndarray, np.ndarray]) -> Records | None:
    """The records found by record_bounds, parsed by pandas; None when pandas cannot (the exact reader can)."""
    starts, lines_all = bounds
    ends = np.concatenate((starts[1:], [len(raw)]))
    first = 0
    while first < len(starts):
        header_cells = next(csv_reader(raw[starts[first] : ends[first]].decode("utf-8")), [])
        if not is_blank(header_cells):
            break
        first += 1
    else:
        raise CsvError(0, NO_HEADER)
    try:
        fast = parse_fast(raw, starts, len(header_cells), first)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        fast = None
    if fast is None:
        return None
    columns, extra = fast
    return Records(
        [c[0] for c in columns], int(lines_all[first]), [c[1:] for c in columns], lines_all[first + 1:],
        {k - 1: v for k, v in extra.items() if k > 0}, (ends - starts)[first + 1:],
    )


def _read_exact(raw: bytes) -> Records:
    """Every record through the csv module: exact for any quoting, slower."""
    text = raw.decode("utf-8")
    try:
        records, record_lines = parse_slow(text)
    except csv.Error as err:  # pragma: no cover - NUL bytes are refused before; nothing else is known to get here
        raise CsvError(0, f"not readable as CSV ({err})") from None
    first = next((i for i, r in enumerate(records) if not is_blank(r)), None)
    if first is None:
        raise CsvError(0, NO_HEADER)
    header_cells, body = records[first], records[first + 1:]
    width = len(header_cells)
    lines_arr = np.asarray(record_lines[first + 1:], dtype=np.int64)
    if unclosed_quote(text, record_lines[-1]):
        raise CsvError(record_lines[-1], UNCLOSED)
    columns = []
    for c in range(width):
        col = np.empty(len(body), dtype=object)
        col[:] = [r[c] if c < len(r) else "" for r in body]
        columns.append(col)
    extras = {i: r[width:] for i, r in enumerate(body) if len(r) > width}
    return Records(header_cells, record_lines[first], columns, lines_arr, extras, None)


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


class UnclosedQuote(Exception):
    """A quote mark opens a cell and nothing closes it: the rest of the file would be one cell."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


UNCLOSED = ('a quotation mark (") opens a cell on this line and is never closed, so the rest of the file was read '
             'as one cell: close the quote, or write a quote mark inside a quoted cell as two ("")')
MAX_LITERAL_QUOTES = 1000  # quote marks inside unquoted cells handled by the fast reader; more go to the exact one


def record_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(byte offset where each record starts, physical line it starts on), found with numpy.

    A record ends at a newline outside quotes, so what matters is which quote marks open and
    close quoted cells. A quote opens one only at the start of a cell (after a comma, a newline
    or spaces); elsewhere in an unquoted cell (`5" tall`) it is a literal character, as both
    csv readers treat it. Those are found and set aside one by one; past MAX_LITERAL_QUOTES of
    them, return None and let the exact reader do the work. Raises UnclosedQuote when a quote
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
            raise UnclosedQuote(1 if record == 0 else int(np.flatnonzero(~inside)[record - 1]) + 2)
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


def csv_reader(text: str):
    """The csv module set up as pandas' reader is (spaces before a quote skipped), so both readers agree."""
    return csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=False)


def parse_fast(raw: bytes, starts: np.ndarray, width: int, first: int):
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
            rec = next(csv_reader(raw[starts[first + k] : ends[first + k]].decode("utf-8")), [])
            rec += [""] * (width - len(rec))
            for c in range(width):
                full[c][k] = rec[c]
            extra[k] = rec[width:]
        columns = full
    return columns, extra


def parse_slow(text: str) -> tuple[list[list[str]], list[int]]:
    """Python's csv module, record by record: exact for any quoting. (records, start lines)"""
    records: list[list[str]] = []
    starts: list[int] = []
    old_limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # the file size limit bounds a cell; the cell limit is checked after
    enabled = gc.isenabled()
    gc.disable()  # millions of small lists: the cycle collector would only slow this down
    try:
        reader = csv_reader(text)
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


def unclosed_quote(text: str, start_line: int) -> bool:
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


def is_blank(cells) -> bool:
    """A blank line or a row of commas: skipped before the header, dropped after it."""
    return not any(c.strip() for c in cells)
