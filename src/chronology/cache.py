"""Never validate the same data twice: validated datasets cached by the content of their files.

The key is a hash of the four files' bytes and of the code that reads and checks them, so an edit
to a CSV or to the validation rules invalidates it. The driver validates before any kernel starts;
the kernel then loads the cached, typed frames instead of parsing and checking the CSVs again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import paths
from .fileio import FileProblem, atomic_write, open_regular
from .load import Dataset, load_dataset, sibling_files

# The modules whose code decides what a loaded dataset holds: an edit to any of them invalidates the cache.
_CODE_FILES = ("load.py", "problem.py", "sniff.py", "csvread.py", "cells.py", "shape.py", "rules.py", "rules_record.py", "schema.py", "dates.py", "naming.py", "cache.py")
KEEP = 8  # datasets kept in the cache; older ones are removed


def _code_digest() -> str:
    h = hashlib.sha256()
    for name in _CODE_FILES:
        h.update((paths.PACKAGE_DIR / name).read_bytes())
    return h.hexdigest()


def dataset_key(statements: Path) -> str:
    """Hash of the four files (by path and bytes), the loader's code and pandas' version (the pickle format)."""
    import pandas

    h = hashlib.sha256((_code_digest() + pandas.__version__).encode())
    for table, path in sorted(sibling_files(Path(statements)).items()):
        h.update(table.encode())
        h.update(os.fsencode(os.path.realpath(path)))  # bytes: a name that is not UTF-8 is fine here
        with os.fdopen(open_regular(path), "rb") as fh:  # a FIFO or a device is a FileProblem (an OSError is not)
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:32]


def load_dataset_cached(statements: Path | str = paths.STATEMENTS_CSV) -> Dataset:
    """load_dataset(), or its cached result when neither the files nor the rules changed."""
    statements = Path(statements)
    if os.environ.get("CHRONOLOGY_NO_CACHE"):
        return load_dataset(statements)
    try:
        key = dataset_key(statements)
    except (OSError, FileProblem):
        return load_dataset(statements)  # unreadable, not a regular file: let the loader say so
    folder = paths.cache_dir() / "datasets"
    cached = folder / f"{key}.pickle"
    if cached.exists():
        try:
            with cached.open("rb") as fh:
                return pickle.load(fh)
        except Exception:
            cached.unlink(missing_ok=True)  # a damaged entry is rebuilt
    data = load_dataset(statements)  # raises DataError: nothing is cached for bad data
    atomic_write(cached, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))  # a reader never sees half a pickle
    _prune(folder)
    return data


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
