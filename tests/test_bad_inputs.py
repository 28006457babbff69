"""Bad, hostile and merely untidy input, through the command line as a user meets it.

The corpus is tests/bad_inputs/:
- accept_*.csv: the rows of accept_clean.csv as files really arrive (BOM, CRLF, padded cells,
  stray commas, reordered or unknown columns, "1,200", ...). `validate` exits 0 and the loaded
  statements are exactly those of accept_clean.csv.
- refuse_*.csv (and refuse_*/statements.csv, with a bad places.csv beside it): each breaks one
  thing. `validate` exits 2 without a traceback, and says what expected.csv lists, at the line
  and column it lists, and nothing else.

The command line runs in this process (`run_cli`); one smoke test runs it as a real process.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from chronology.__main__ import main
from chronology.load import DataError, Limits, load_dataset

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CLEAN = CORPUS / "accept_clean.csv"
LIMIT_VARIABLES = ("CHRONOLOGY_MAX_CELL_CHARS", "CHRONOLOGY_MAX_FILE_BYTES")


def run_cli(*args) -> tuple[int, str, str]:
    """`python -m chronology ARGS` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _limits_from_the_test_only(monkeypatch):
    """The loader's limit variables come from the test (via monkeypatch), never from the shell running it."""
    for name in LIMIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


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


def _set_env(case: str, monkeypatch) -> None:
    """The limits a case is about (expected.csv's env column), e.g. a small CHRONOLOGY_MAX_FILE_BYTES."""
    for row in MANIFEST.get(case, []):
        if row["env"]:
            monkeypatch.setenv(*row["env"].split("=", 1))


def test_the_corpus_has_a_case_for_each_kind_of_trouble():
    assert len(ACCEPT) >= 12 and len(REFUSE) >= 30
    assert set(MANIFEST) == set(REFUSE), "every refuse case is listed in expected.csv, and only those"


def test_the_made_cases_are_up_to_date():
    sys.path.insert(0, str(CORPUS))
    try:
        import make_cases
    finally:
        sys.path.remove(str(CORPUS))
    assert make_cases.main(["--check"]) == 0


# ---------------------------------------------------------------- refused


def assert_says_what_expected_csv_lists(case: str, stderr: str, *, first_line_prefix: str = "") -> None:
    """The message counts the case's problems (it fails for its case only) and names each at its line and column."""
    lines = stderr.splitlines()
    expected = MANIFEST[case]
    n = len(expected)
    assert lines[0] == f"{first_line_prefix}{n} problem{'s' if n != 1 else ''} in the data:", f"it fails for its case only:\n{stderr}"
    for row in expected:
        file = CORPUS / (row["problem_file"] or case)
        line = int(row["line"])
        where = f"{file}:{line}" if line else str(file)
        prefix = f"{where}: {row['column']}: " if row["column"] else f"{where}: "
        hits = [ln for ln in lines if ln.startswith(prefix) and row["message"] in ln]
        assert hits, f"expected a line starting {prefix!r} containing {row['message']!r}, got:\n{stderr}"


@pytest.mark.parametrize("case", REFUSE)
def test_refused_with_every_problem_where_it_is(case, monkeypatch):
    _set_env(case, monkeypatch)
    code, out, err = run_cli("validate", CORPUS / case)
    assert "Traceback" not in out + err
    assert code == 2, out + err
    assert_says_what_expected_csv_lists(case, err)


def test_a_refused_file_through_a_real_process():
    """The one smoke test of `python -m chronology` as a process: message on stderr, exit 2, no traceback."""
    case = "refuse_date_impossible_day.csv"
    env = {k: v for k, v in os.environ.items() if k not in LIMIT_VARIABLES}
    proc = subprocess.run([sys.executable, "-m", "chronology", "validate", f"tests/bad_inputs/{case}"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[1].startswith(f"tests/bad_inputs/{case}:")
    assert_says_what_expected_csv_lists(case, proc.stderr.replace("tests/bad_inputs/", f"{CORPUS}/"))


# Render refuses bad data through the same loader: one case of each kind is enough to show the wiring.
RENDER_CASES = ["refuse_pdf.csv", "refuse_unclosed_quote.csv", "refuse_party_capitalised.csv", "refuse_places_beside/statements.csv", "refuse_file_too_large.csv"]


@pytest.mark.parametrize("case", RENDER_CASES)
def test_render_refuses_the_same_data_before_any_page_is_written(case, tmp_path, monkeypatch):
    """`render --data FILE` gives the same problems and exit 2, and writes nothing."""
    _set_env(case, monkeypatch)
    out = tmp_path / "reports"
    code, _, err = run_cli("render", "--data", CORPUS / case, "--out", out)
    assert code == 2, err
    assert "Traceback" not in err
    assert_says_what_expected_csv_lists(case, err, first_line_prefix="error: ")
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


def test_a_thousand_bad_rows_list_forty_in_line_order_and_count_the_rest(tmp_path):
    """More bad rows than a check keeps (200): the rest are counted through validate_files to the last line."""
    out = _copies_of_a_statement(tmp_path / "statements.csv", 1000, kind="statment")
    code, _, err = run_cli("validate", out)
    assert code == 2 and "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == "1,000 problems in the data:"
    listed = [ln for ln in lines if ln.startswith(f"{out}:")]
    assert len(listed) == 40
    assert listed[0].startswith(f"{out}:2: kind: 'statment': expected one of statement, event, figure")
    assert listed[-1].startswith(f"{out}:41: kind:")
    assert lines[-1] == "... and 960 more problems"


def test_a_million_bad_cells_are_counted_not_listed(tmp_path):
    """Reporting stays cheap however many problems there are: each check lists a few and counts the rest."""
    out = _copies_of_a_statement(tmp_path / "statements.csv", 20_000, date="08/11/2020", party="azerbaijn")
    with pytest.raises(DataError) as err:
        load_dataset(out)
    assert err.value.total == 40_000
    assert len(err.value.problems) < 1000
    assert err.value.message().endswith("... and 39,960 more problems")


def test_missing_file_folder_and_bad_limit_are_messages_not_tracebacks(tmp_path, monkeypatch):
    code, _, err = run_cli("validate", tmp_path / "nowhere.csv", tmp_path)
    assert code == 2 and "Traceback" not in err
    assert f"{tmp_path / 'nowhere.csv'}: cannot read the file: No such file or directory" in err
    assert f"{tmp_path}: this is a folder, expected a CSV file" in err
    monkeypatch.setenv("CHRONOLOGY_MAX_CELL_CHARS", "lots")
    code, _, err = run_cli("validate", CLEAN)
    assert code == 2 and "Traceback" not in err
    assert "CHRONOLOGY_MAX_CELL_CHARS is 'lots': expected a whole number" in err


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
    code, out, err = run_cli("validate", CORPUS / case)
    assert code == 0, err
    assert out.startswith("ok: 1 file valid") and err == ""
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
    _set_env(case, monkeypatch)
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
