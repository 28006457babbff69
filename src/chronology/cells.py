"""One column's cells, factorised: every check runs once per distinct value, not once per row.

This is what keeps a million-row file fast: a date or an id that repeats is parsed once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class Cells:
    """One column's stripped cells, factorised on demand (a free-text column may never need it)."""

    def __init__(self, values: np.ndarray, codes: np.ndarray | None = None, uniques: np.ndarray | None = None):
        self.values = values
        self._codes = codes
        self._uniques = uniques
        self._empty = None

    @classmethod
    def stripped(cls, raw: np.ndarray, factorise: bool) -> Cells:
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

    def take(self, keep: np.ndarray) -> Cells:
        codes = self._codes[keep] if self._codes is not None else None
        return Cells(self.values[keep], codes, self._uniques)

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
