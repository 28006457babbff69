"""A file to a table's columns: bytes, records, then the header and the shape of each row.

The checks here are about the layout, not the values: is the first row this table's header,
are rows wider than it (an unquoted comma), blank, or swallowed by a quote left open, is a
cell longer than the limit. A file that fails a layout check is not read further (its cells
would be misaligned), except for rows out of shape, which are reported once and then skipped
by the value checks (`Read.shifted`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import csvread, sniff
from .cells import Cells
from .problem import Problem, Unreadable, expect
from .schema import STRING, Table

if TYPE_CHECKING:
    from .load import Limits


@dataclass
class Read:
    """A file read into stripped cells of the table's columns, or the problems that stopped it."""

    cells: dict[str, Cells] | None
    lines: np.ndarray | None
    problems: list[Problem]
    near_misses: dict[str, str] = field(default_factory=dict)  # absent known column -> header as written
    shifted: np.ndarray | None = None  # rows with more cells than the header


def read_table(path: Path, table: Table, limits: Limits, exact: bool = False) -> Read:
    """One file read as `table`: stripped cells by column, or a Read without cells saying why not."""
    name = str(path)
    try:
        records = csvread.read_records(_file_bytes(path, name, table, limits), exact)
        return _columns(records, name, table, limits)
    except csvread.CsvError as err:
        return Read(None, None, [Problem(name, err.line, "", "", err.message)])
    except Unreadable as err:
        return Read(None, None, err.problems)


def _unreadable(name: str, line: int, text: str) -> Unreadable:
    return Unreadable([Problem(name, line, "", "", text)])


def _file_bytes(path: Path, name: str, table: Table, limits: Limits) -> bytes:
    """The file's bytes as CSV text; a folder, a FIFO, a device, a broken link or a file over the size limit is refused unread."""
    from .fileio import FileProblem, read_regular

    try:
        raw = read_regular(path, limit=limits.max_file_bytes, too_large="the file is {size:,} bytes, more than the limit of {limit:,} (set CHRONOLOGY_MAX_FILE_BYTES to raise it)")
    except FileProblem as err:
        reason = "this is a folder, expected a CSV file" if err.kind == "folder" else err.reason
        raise _unreadable(name, 0, reason) from None
    raw = sniff.csv_bytes(raw, name)
    if not raw or raw.isspace():
        raise _unreadable(name, 0, f"the file is empty: expected a header row ({', '.join(table.required)}, ...) and at least one row of data")
    return raw


def _columns(records: csvread.Records, name: str, table: Table, limits: Limits) -> Read:
    """Records to the table's stripped cells, with the rows out of shape reported and marked."""
    header = [normalise_header(h) for h in records.header]
    width = _header_width(records, header, name, table)
    header = header[:width]
    beyond = _cells_beyond(records.columns, width, records.extras)
    columns = records.columns[:width]
    _refuse_long_cells(columns, header, records, name, limits.max_cell_chars)
    known = {c.name for c in table.columns}
    cells = {h: Cells.stripped(columns[i], table.column(h).type != STRING) for i, h in enumerate(header) if h in known}
    cells, lines, beyond = _drop_blank_rows(cells, columns, records.lines, beyond)
    if not len(lines):
        raise _unreadable(name, 0, f"the file has a header but no rows of data: expected at least one row after the header on line {records.header_line}")
    n = len(lines)
    empty_cells = Cells(np.full(n, "", dtype=object), np.zeros(n, dtype=np.intp), np.array([""], dtype=object))
    for c in table.columns:
        cells.setdefault(c.name, empty_cells)
    problems = _wide_rows(beyond, cells, lines, width, name)
    shifted = np.zeros(n, dtype=bool)
    shifted[list(beyond)] = True
    problems += _open_quotes(cells, header, lines, shifted, name)
    near = _near_misses(header, known)
    return Read(cells, np.asarray(lines, dtype=np.int64), problems, near, shifted if shifted.any() else None)


def normalise_header(h: str) -> str:
    """Headers as spreadsheets write them (' Date', 'ID', a stray BOM) name the same column."""
    return h.strip().lstrip("\ufeff").strip().lower()


def _header_width(records: csvread.Records, header: list[str], name: str, table: Table) -> int:
    """How many columns the header names (trailing empty ones are a spreadsheet's stray commas).

    Unreadable when the first row is not this table's header, names a column twice or lacks a required one.
    """
    known = {c.name for c in table.columns}
    if not known & set(header):
        raise _unreadable(name, records.header_line, not_a_header(records.header, table))
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header[:width]):
        if h and h in seen:
            problems.append(Problem(name, records.header_line, h, records.header[i].strip(), expect(f"each column named once: {h!r} is also column {seen[h] + 1}")))
        seen.setdefault(h, i)
    unknown = [h for h in header[:width] if h and h not in known]
    for c in table.required:
        if c not in seen:
            close = difflib.get_close_matches(c, unknown, n=1, cutoff=0.6)
            hint = f" (the header has {close[0]!r}: a misspelling?)" if close else ""
            problems.append(Problem(name, records.header_line, c, "", expect(f"a column named {c!r} in the header (it is required){hint}")))
    if problems:
        raise Unreadable(problems)
    return width


def not_a_header(header: list[str], table: Table) -> str:
    """What the first row looks like instead of a header (HTML, JSON, another separator), said so."""
    first = ",".join(header)
    expected = f"expected a header row naming the columns of {table.filename} ({', '.join(table.required)}, ...)"
    stripped = first.lstrip()
    if stripped.startswith("<"):
        return f"this looks like an HTML or XML page, not CSV: {expected}"
    if stripped.startswith(("{", "[")):
        return f"this looks like JSON, not CSV: {expected}"
    known = {c.name for c in table.columns}
    for sep, label in ((";", "semicolons (as Excel saves in countries that write 1,5 for 1.5)"), ("\t", "tabs"), ("|", "'|'")):
        if any(sep in h for h in header) and known & {normalise_header(h) for h in first.split(sep)}:
            return f"the columns are separated by {label}, not commas: save it again as 'CSV UTF-8 (Comma delimited)', or replace the separators with commas"
    return f"{expected}; the first row reads {first[:80]!r}"


def _cells_beyond(columns: list[np.ndarray], width: int, extras: dict[int, list[str]]) -> dict[int, list[str]]:
    """Non-empty cells past the header's width, by row: a stray comma is fine, data there is a shifted row."""
    beyond: dict[int, list[str]] = {}
    for i in range(width, len(columns)):
        col = columns[i]
        for k in np.flatnonzero(np.array([bool(v.strip()) for v in col], dtype=bool)):
            beyond.setdefault(int(k), []).append(col[k])
    for k, v in extras.items():
        if any(x.strip() for x in v):
            beyond.setdefault(k, []).extend(x for x in v if x.strip())
    return beyond


def _refuse_long_cells(columns: list[np.ndarray], header: list[str], records: csvread.Records, name: str, limit: int) -> None:
    """Unreadable when a cell is over the limit; only a record that long can hold one, so most files skip the scan."""
    if records.record_chars is not None and not (records.record_chars > limit).any():
        return
    too_long = []
    for i, h in enumerate(header):
        col = columns[i]
        if not len(col) or max(map(len, col)) <= limit:
            continue
        for k in np.flatnonzero(np.array([len(v) > limit for v in col], dtype=bool)):
            too_long.append(Problem(name, int(records.lines[k]), h or f"column {i + 1}", col[k][:60], expect(f"at most {limit:,} characters in a cell: this one has {len(col[k]):,} (set CHRONOLOGY_MAX_CELL_CHARS to raise the limit)")))
    if too_long:
        raise Unreadable(too_long)


def _drop_blank_rows(cells: dict[str, Cells], columns: list[np.ndarray], lines: np.ndarray, beyond: dict[int, list[str]]):
    """Rows with nothing in them (blank lines, ",,,," rows) are not rows: (cells, lines, beyond) without them."""
    n = len(lines)
    if not n:
        return cells, lines, beyond
    empty = cells["id"].empty.copy() if "id" in cells else np.ones(n, dtype=bool)
    for k in np.flatnonzero(empty):
        if any(col[k].strip() for col in columns) or k in beyond:
            empty[k] = False
    if not empty.any():
        return cells, lines, beyond
    keep = ~empty
    new_index = np.cumsum(keep) - 1
    cells = {h: c.take(keep) for h, c in cells.items()}
    beyond = {int(new_index[k]): v for k, v in beyond.items() if keep[k]}
    return cells, lines[keep], beyond


def _wide_rows(beyond: dict[int, list[str]], cells: dict[str, Cells], lines: np.ndarray, width: int, name: str) -> list[Problem]:
    """One problem per row with data past the header, guessing why (an open quote or an unquoted comma)."""
    problems = []
    for k in sorted(beyond):
        more = beyond[k]
        multiline = any("\n" in c.values[k] for c in cells.values())
        why = ('a cell here runs over several lines: is a quotation mark (") left open?' if multiline
               else 'an unquoted comma? put quotes around a cell that holds a comma, such as "1,200"')
        problems.append(Problem(name, int(lines[k]), "", "", f"this row has more cells than the header's {width} columns ({why}): extra {', '.join(repr(v.strip()[:30]) for v in more[:3])}"))
    return problems


def _open_quotes(cells: dict[str, Cells], header: list[str], lines: np.ndarray, shifted: np.ndarray, name: str) -> list[Problem]:
    """A quote left open swallows the next line break and rows, and the row comes out short instead.

    Marks such rows in `shifted` so that their (misaligned) cells are not reported again.
    """
    problems = []
    n = len(lines)
    spans = np.diff(lines, append=lines[-1] + 1)
    for k in np.flatnonzero((spans > 1) | (np.arange(n) == n - 1)):
        if shifted[k]:
            continue
        for h in header:
            v = cells[h].values[k] if h in cells else ""
            if "\n" in v and v.split("\n", 1)[1].count(",") >= max(3, len(header) // 2):
                problems.append(Problem(name, int(lines[k]), h, v, expect(
                    'the cell to end before the next row, but it runs on over the next line, which looks like another row: is a quotation mark (") left open?')))
                shifted[k] = True
                break
    return problems


def _near_misses(header: list[str], known: set[str]) -> dict[str, str]:
    """Absent known column -> an unknown header close to it, for hints on the rows that need it."""
    near = {}
    for h in header:
        if h and h not in known:
            close = difflib.get_close_matches(h, [c for c in known if c not in header], n=1, cutoff=0.8)
            if close:
                near[close[0]] = h
    return near
