"""Bad, hostile and merely untidy input, through the command line as a user meets it.

The corpus is tests/bad_inputs/:
- accept_*.csv: the rows of accept_clean.csv as files really arrive (BOM, CRLF, padded cells,
  stray commas, reordered or unknown columns, "1,200", ...). `validate` exits 0 and the loaded
  statements are exactly those of accept_clean.csv.
- refuse_*.csv (and refuse_*/statements.csv, with a bad places.csv beside it): each breaks one
  thing. `validate` exits 2 without a traceback, and says what expected.csv lists, at the line
  and column it lists, and nothing else.

`run_cli(*args)` is meant for reuse (render cases can be added the same way).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chronology.load import DataError, Limits, load_dataset, validate_files

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CLEAN = CORPUS / "accept_clean.csv"
LIMIT_VARIABLES = ("CHRONOLOGY_MAX_CELL_CHARS", "CHRONOLOGY_MAX_FILE_BYTES")


def run_cli(*args, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m chronology ARGS...` run from the project folder, as a user would; text output captured.

    The loader's limit variables are cleared unless `env` sets them.
    """
    full_env = {k: v for k, v in os.environ.items() if k not in LIMIT_VARIABLES}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "chronology", *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, env=full_env, timeout=timeout,
    )


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _manifest() -> dict[str, list[dict]]:
    with (CORPUS / "expected.csv").open(encoding="utf-8", newline="") as f:
        out = defaultdict(list)
        for row in csv.DictReader(f):
            out[row["case"]].append(row)
    return dict(out)


MANIFEST = _manifest()
ACCEPT = sorted(p.name for p in CORPUS.glob("accept_*.csv"))
REFUSE = sorted(p.name for p in CORPUS.glob("refuse_*.csv")) + sorted(
    f"{d.name}/statements.csv" for d in CORPUS.glob("refuse_*") if d.is_dir()
)


def _env(case: str) -> dict[str, str]:
    settings = {row["env"] for row in MANIFEST.get(case, []) if row["env"]}
    return dict(s.split("=", 1) for s in settings)


def test_the_corpus_has_a_case_for_each_kind_of_trouble():
    assert len(ACCEPT) >= 12 and len(REFUSE) >= 30
    assert set(MANIFEST) == set(REFUSE), "every refuse case is listed in expected.csv, and only those"


def test_the_made_cases_are_up_to_date():
    proc = subprocess.run([sys.executable, str(CORPUS / "make_cases.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------- refused


def assert_says_what_expected_csv_lists(case: str, stderr: str, *, name=_rel, first_line_prefix: str = "") -> None:
    """The message counts the case's problems (it fails for its case only) and names each at its line and column."""
    lines = stderr.splitlines()
    expected = MANIFEST[case]
    n = len(expected)
    assert lines[0] == f"{first_line_prefix}{n} problem{'s' if n != 1 else ''} in the data:", f"it fails for its case only:\n{stderr}"
    for row in expected:
        file = name(CORPUS / (row["problem_file"] or case))
        line = int(row["line"])
        where = f"{file}:{line}" if line else file
        prefix = f"{where}: {row['column']}: " if row["column"] else f"{where}: "
        hits = [ln for ln in lines if ln.startswith(prefix) and row["message"] in ln]
        assert hits, f"expected a line starting {prefix!r} containing {row['message']!r}, got:\n{stderr}"


@pytest.mark.parametrize("case", REFUSE)
def test_refused_with_every_problem_where_it_is(case):
    proc = run_cli("validate", _rel(CORPUS / case), env=_env(case))
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert proc.returncode == 2, output
    assert_says_what_expected_csv_lists(case, proc.stderr)


@pytest.mark.parametrize("case", REFUSE)
def test_render_refuses_the_same_data_before_any_page_is_written(case, tmp_path, monkeypatch, capsys):
    """`render --data FILE` gives the same problems and exit 2, writes nothing (in-process: faster)."""
    from chronology.__main__ import main

    for name in LIMIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in _env(case).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "reports"
    code = main(["render", "--data", str(CORPUS / case), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert_says_what_expected_csv_lists(case, err, name=str, first_line_prefix="error: ")
    assert not out.exists() or not any(out.iterdir()), "nothing written for refused data"


def _copies_of_a_statement(path: Path, n: int, **changes: str) -> Path:
    """n copies of one clean statement row, with new ids and the given cells changed."""
    rows = list(csv.reader(CLEAN.open(encoding="utf-8", newline="")))
    header, model = rows[0], rows[3]  # a statement
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(n):
            r = list(model)
            r[0] = f"row-{i}"
            for column, value in changes.items():
                r[header.index(column)] = value
            w.writerow(r)
    return path


def test_a_hundred_bad_rows_list_forty_and_count_the_rest(tmp_path):
    out = _copies_of_a_statement(tmp_path / "statements.csv", 100, kind="statment")
    proc = run_cli("validate", out)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "100 problems in the data:"
    listed = [ln for ln in lines if ln.startswith(f"{out}:")]
    assert len(listed) == 40
    assert listed[0].startswith(f"{out}:2: kind: 'statment': expected one of statement, event, figure")
    assert listed[-1].startswith(f"{out}:41: kind:")
    assert lines[-1] == "... and 60 more problems"


def test_a_million_bad_cells_are_counted_not_listed(tmp_path):
    """Reporting stays cheap however many problems there are: each check lists a few and counts the rest."""
    out = _copies_of_a_statement(tmp_path / "statements.csv", 20_000, date="08/11/2020", party="azerbaijn")
    with pytest.raises(DataError) as err:
        load_dataset(out)
    assert err.value.total == 40_000
    assert len(err.value.problems) < 1000
    assert err.value.message().endswith("... and 39,960 more problems")


def test_missing_file_folder_and_bad_limit_are_messages_not_tracebacks(tmp_path):
    proc = run_cli("validate", tmp_path / "nowhere.csv", tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{tmp_path / 'nowhere.csv'}: cannot read the file: No such file or directory" in proc.stderr
    assert f"{tmp_path}: this is a folder, expected a CSV file" in proc.stderr
    proc = run_cli("validate", _rel(CLEAN), env={"CHRONOLOGY_MAX_CELL_CHARS": "lots"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "CHRONOLOGY_MAX_CELL_CHARS is 'lots': expected a whole number" in proc.stderr


def test_limits_are_read_when_used_not_when_imported(monkeypatch):
    monkeypatch.setenv("CHRONOLOGY_MAX_CELL_CHARS", "1000")
    monkeypatch.setenv("CHRONOLOGY_MAX_FILE_BYTES", "5000")
    assert Limits() == Limits(max_file_bytes=5000, max_cell_chars=1000)
    with pytest.raises(DataError) as err:
        load_dataset(CORPUS / "refuse_cell_too_long.csv")
    assert "at most 1,000 characters in a cell" in err.value.message()
    monkeypatch.delenv("CHRONOLOGY_MAX_CELL_CHARS")
    monkeypatch.delenv("CHRONOLOGY_MAX_FILE_BYTES")
    assert Limits().max_cell_chars == 1_000_000
    load_dataset(CORPUS / "refuse_cell_too_long.csv")


# ---------------------------------------------------------------- accepted


def _statements(path: Path, **kw) -> pd.DataFrame:
    return load_dataset(path, **kw).statements.drop(columns="line").reset_index(drop=True)


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return _statements(CLEAN)


@pytest.mark.parametrize("case", ACCEPT)
def test_accepted(case, clean):
    proc = run_cli("validate", _rel(CORPUS / case))
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: 1 file valid") and proc.stderr == ""
    got = _statements(CORPUS / case)
    if case == "accept_required_columns_only.csv":
        events = clean[clean["kind"] == "event"].reset_index(drop=True)
        required = ["id", "date", "kind", "topic", "summary", "source_id", "start", "precision"]
        pd.testing.assert_frame_equal(got[required], events[required])
        assert list(got["end"].dt.strftime("%Y-%m-%d")) == ["1987-12-31", "2020-10-25"]  # no date_end: the date's own end
        others = got.drop(columns=required + ["end", "value"])
        assert (others == "").all().all() and got["value"].isna().all()
    elif case == "accept_long_quote.csv":
        assert len(got) == 1 and len(got.loc[0, "quote"]) == 100_000
    else:
        pd.testing.assert_frame_equal(got, clean)


def test_a_long_quote_is_read_quickly():
    start = time.perf_counter()
    load_dataset(CORPUS / "accept_long_quote.csv")
    assert time.perf_counter() - start < 2.0  # milliseconds in practice: this guards against quadratic parsing


def test_the_clean_reference_keeps_quoted_commas_newlines_and_quote_marks(clean):
    row = clean.set_index("id").loc["babayan-battlefield"]
    assert row["quote"].startswith("We can say that Shushi is a battlefield,\nand there are")
    assert row["role"] == "foreign policy adviser to Arayik Harutyunyan, self-declared president of Nagorno-Karabakh"
    assert '"liberation"' in clean.set_index("id").loc["aliyev-liberation-history", "summary"]
    assert clean.set_index("id").loc["karabakh-military-deaths", "value"] == 1200.0


# ---------------------------------------------------------------- the fast reader against the exact one


@pytest.mark.parametrize("case", ACCEPT + REFUSE)
def test_fast_and_exact_readers_agree(case, monkeypatch):
    """The numpy+pandas reader and the csv-module reader give the same rows, lines and problems."""
    for k, v in _env(case).items():
        monkeypatch.setenv(k, v)
    path = CORPUS / case
    results = []
    for exact in (False, True):
        try:
            results.append(load_dataset(path, exact=exact).statements)
        except DataError as err:
            results.append([str(p) for p in err.problems] + [err.omitted])
    fast, exact = results
    if isinstance(fast, pd.DataFrame) and isinstance(exact, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, exact)
    else:
        assert fast == exact


def test_validate_files_counts_what_it_does_not_list(tmp_path):
    rows = list(csv.reader(CLEAN.open(encoding="utf-8", newline="")))
    out = tmp_path / "statements.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0])
        for i in range(1000):
            r = list(rows[3])
            r[0] = f"row-{i}"
            r[rows[0].index("stance")] = "claims"
            w.writerow(r)
    problems = validate_files([out])
    assert len(problems) + problems.omitted == 1000
    assert np.all(np.diff([p.line for p in problems]) > 0)
    assert DataError(problems).message().endswith("... and 960 more problems")
