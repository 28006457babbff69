"""Read and validate the CSV files into typed DataFrames, reporting every problem at once.

Each problem reads `file:line: column: 'value': expected ...`, with a hint where one helps;
`line` is the physical line a record starts on (1 is the header). Problems about a file as
a whole (empty, not UTF-8, a spreadsheet) read `file: ...` or `file:line: ...`.

The stages, each in its own module: sniff (bytes to text), csvread (text to records),
shape (records to the table's columns), rules (values and the rules across files).
Speed: a million-row statements file (about 250 MB) validates in seconds because nothing
loops over cells in Python: records are found with numpy and parsed by pandas' C reader,
and every check works on the distinct values of a column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .errors import InputError
from .problem import Problem
from .rules import check_statements, check_table, with_dates
from .schema import MEASURES_TABLE, PARTIES, PLACES, SOURCES, STATEMENTS, TABLES_BY_NAME, TOPICS, Table
from .shape import normalise_header, read_table
from .sniff import decode as _decode  # noqa: F401 - the timeline importer imports it from here

__all__ = [
    "DataError", "Dataset", "Limits", "Problem", "ProblemList", "detect_table", "load_dataset", "load_table",
    "read_csv_text", "sibling_files", "validate_files",
]

MAX_PROBLEMS_SHOWN = 40


def _env_int(name: str, default: int) -> int:
    """A limit from the environment; a bad value is a data problem (exit 2), not a crash."""
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


class ProblemList(list):
    """A list of problems that also counts the ones left out of it (`omitted`)."""

    omitted: int = 0


def _sorted(problems) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.expected))


class DataError(InputError):
    """Bad input data (exit 2): carries every problem found (or counted), ready to print."""

    def __init__(self, problems: list[Problem], omitted: int | None = None):
        self.problems = _sorted(problems)
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
    topics: pd.DataFrame | None = None  # id, label, note: beside statements.csv, else the bundled file
    measures: pd.DataFrame | None = None  # id, label, unit, casualty, note: beside statements.csv, else the bundled file


def read_csv_text(path: Path, table: Table, limits: Limits | None = None, *, exact: bool = False) -> tuple[pd.DataFrame | None, np.ndarray | None, list[Problem]]:
    """Parse one CSV file into stripped strings, with the physical line each record starts on.

    Returns (frame of the table's columns in schema order, all strings; lines; problems). The
    frame is None when the file cannot be read as a table at all. `exact=True` uses the csv
    module for every file (the fast reader is checked against it in the tests).
    """
    got = read_table(Path(path), table, limits or Limits(), exact)
    if got.cells is None:
        return None, None, got.problems
    frame = pd.DataFrame({c.name: got.cells[c.name].values for c in table.columns}, copy=False)
    return frame, got.lines, got.problems


def load_table(path: Path | str, table: Table, limits: Limits | None = None) -> pd.DataFrame:
    """One file, checked on its own (no cross-file references): a frame with a `line` column first."""
    checked = check_table(Path(path), table, limits or Limits())
    if checked.report.problems or checked.report.omitted:
        raise DataError(checked.report.problems, checked.report.omitted)
    return checked.frame


def sibling_files(statements: Path) -> dict[str, Path]:
    """A statements file's places, parties, sources, topics and measures: beside it, else the bundled ones."""
    statements = Path(statements)
    out = {"statements": statements}
    for table, bundled in ((PLACES, paths.PLACES_CSV), (PARTIES, paths.PARTIES_CSV), (SOURCES, paths.SOURCES_CSV),
                           (TOPICS, paths.TOPICS_CSV), (MEASURES_TABLE, paths.MEASURES_CSV)):
        beside = statements.parent / table.filename
        # lexists: a link beside that dangles or loops is reported by the reader, never replaced by the bundled file
        out[table.name] = beside if os.path.lexists(beside) else bundled
    return out


def load_dataset(statements: Path | str = paths.STATEMENTS_CSV, *, places=None, parties=None, sources=None, topics=None, measures=None,
                 limits: Limits | None = None, exact: bool = False) -> Dataset:
    """Load and validate the six files together; raise DataError listing every problem.

    places, parties, sources, topics and measures default to the files beside `statements`, else the bundled ones.
    """
    limits = limits or Limits()
    files = sibling_files(Path(statements))
    for key, value in (("places", places), ("parties", parties), ("sources", sources), ("topics", topics), ("measures", measures)):
        if value is not None:
            files[key] = Path(value)
    checked = {key: check_table(path, TABLES_BY_NAME[key], limits, exact=exact) for key, path in files.items()}
    st = checked["statements"]
    if st.frame is not None:
        check_statements(st, checked)
    problems = [p for c in checked.values() for p in c.report.problems]
    omitted = sum(c.report.omitted for c in checked.values())
    if problems or omitted:
        raise DataError(problems, omitted)
    return Dataset(with_dates(st), checked["places"].frame, checked["parties"].frame, checked["sources"].frame, files,
                   checked["topics"].frame, checked["measures"].frame)


def detect_table(path: Path) -> Table:
    """Which table a file holds: by its name, else by its header."""
    stem = path.stem.lower()
    if stem in TABLES_BY_NAME:
        return TABLES_BY_NAME[stem]
    from .fileio import read_head

    try:
        head = read_head(path, 4096).decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0].lower()
    except (OSError, IndexError):
        return STATEMENTS
    columns = {normalise_header(h) for h in head.split(",")}
    for table in (PLACES, PARTIES, SOURCES, MEASURES_TABLE, TOPICS):
        if set(table.required) <= columns and not columns & ({"summary", "kind", "source_id"} - {c.name for c in table.columns}):
            return table
    return STATEMENTS


def _real(path: Path) -> str:
    """The path with links resolved, as far as they resolve (a looping link is not an exception here)."""
    return os.path.realpath(path)


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
            covered.update(_real(p) for p in sibling_files(f).values())
            try:
                load_dataset(f, limits=limits)
            except DataError as err:
                out += err.problems
                out.omitted += err.omitted
    for f, table in tables.items():
        if table is not STATEMENTS and _real(f) not in covered:
            checked = check_table(f, table, limits)
            out += checked.report.problems
            out.omitted += checked.report.omitted
    result = ProblemList(_sorted(out))
    result.omitted = out.omitted
    return result
