"""One problem in an input file, and the per-file report that collects them.

A module of its own because every stage of loading (bytes, records, header, cells, rules)
produces problems and none of them should import another stage to do so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Each check keeps this many problems to print and only counts the rest, so a file
# with a million bad rows costs no more to report than one with a hundred.
KEEP_PER_CHECK = 200


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


def expect(text: str) -> str:
    """The loader's column problems all say what was expected, in those words."""
    return text if text.startswith("expected") else f"expected {text}"


class Report:
    """Collects the problems of one file: every one counted, KEEP_PER_CHECK listed per check."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.omitted = 0
        self.skip: np.ndarray | None = None  # rows not to report on (a shifted row says so once)

    def add(self, line: int, column: str, value: str, expected: str) -> None:
        self.problems.append(Problem(self.name, int(line), column, value, expect(expected)))

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


class Unreadable(Exception):
    """The file cannot be read as a table at all: these problems say why, and nothing else is checked."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = list(problems)
