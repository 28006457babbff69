"""Typed parameters (defaults in one place), the Selection, and the editorial file."""

from __future__ import annotations

import ast
import re
import shutil

import papermill
import pytest

from chronology import paths
from chronology.dates import PartialDate
from chronology.editorial import Editorial
from chronology.errors import InputError
from chronology.load import load_dataset
from chronology.params import DEFAULTS, ParameterError, Parameters, check
from chronology.report import Report
from chronology.selection import Selection


@pytest.mark.parametrize("notebook", ["report", "handout"])
def test_notebook_parameter_defaults_are_the_dataclass_defaults(notebook):
    declared = papermill.inspect_notebook(str(paths.NOTEBOOKS_DIR / f"{notebook}.ipynb"))
    assert declared, "the notebook has a parameters cell"
    for name, spec in declared.items():
        assert name in DEFAULTS, f"{notebook}.ipynb declares {name}, which Parameters does not have"
        assert ast.literal_eval(spec["default"]) == DEFAULTS[name], f"{notebook}.ipynb: {name}"


def test_readme_gives_the_dataclass_defaults():
    readme = (paths.PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)`[^|]*\|[^|]*\| ([^|]+) \|$", readme, flags=re.M))
    assert rows["naming"] == f"`{DEFAULTS['naming']}`"
    assert rows["audience"] == f"`{DEFAULTS['audience']}`"
    assert rows["seed"] == f"`{DEFAULTS['seed']}`, `{DEFAULTS['answers']}`"


def test_dates_are_parsed_once_into_partial_dates():
    p = check({"start": "2020-10", "end": "2020-11-08"})
    assert isinstance(p, Parameters)
    assert p.start == PartialDate(2020, 10) and p.end == PartialDate(2020, 11, 8)
    assert check({}).start is None


def test_parameter_errors_are_input_errors_naming_every_problem():
    with pytest.raises(ParameterError) as err:
        check({"start": "2020-13", "naming": "armenain", "seed": "x"})
    assert isinstance(err.value, InputError) and err.value.exit_code == 2
    assert len(err.value.problems) == 3 and "did you mean 'armenian'" in str(err.value)
    with pytest.raises(ParameterError, match="is after end"):
        check({"start": "2020-11", "end": "2020-10"})
    with pytest.raises(ParameterError, match="expected a party id"):
        check({"parties": ["narnia"]}, known_parties={"turkey"})


def test_selection_filters_once_and_keeps_the_rows_for_every_page():
    data = load_dataset(paths.STATEMENTS_CSV)
    sel = Selection(check({"start": "2020-10", "end": "2020-10", "naming": "armenian"}), data)
    assert len(sel.rows) and (sel.rows["end"].dt.strftime("%Y-%m") >= "2020-10").all()
    assert {"lane", "side", "summary_text", "place_name", "source", "date_text"} <= set(sel.rows.columns)
    assert sel.place("shusha") == "Shushi" and sel.fill("in {shusha}") == "in Shushi"
    assert sel.title == "The battle for Shushi, November 2020"
    assert Report(sel).view is sel.rows


def test_a_dataset_without_report_yaml_gets_generic_text(tmp_path):
    for f in ("statements", "places", "parties", "sources"):
        shutil.copy(paths.DATA_DIR / f"{f}.csv", tmp_path / f"{f}.csv")
    assert Editorial.beside(tmp_path / "statements.csv") == Editorial()
    report = Report.from_parameters(statements_csv=str(tmp_path / "statements.csv"))
    assert report.title.endswith(": statements and figures, 1987 to 1 December 2020")  # written from the data (issue 10)
    assert "Shusha/Shushi" in report.title and "battle" not in report.title
    text = repr(report.sources_and_method())
    assert "last month" not in text and "Limits: " in text and "rows dated 1987 to 1 December 2020;" in text
    assert "United States appears" not in report.reactions()._repr_html_()
    assert "road" not in report.place_map().spec()["description"]


def test_the_bundled_report_yaml_is_read():
    ed = Editorial.beside(paths.STATEMENTS_CSV)
    assert ed.title == "The battle for {shusha}, November 2020"
    assert ed.road.places == ("stepanakert", "shusha", "lachin", "goris")


def test_a_bad_report_yaml_is_an_input_error(tmp_path):
    (tmp_path / "report.yaml").write_text("titel: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="titel: unknown key"):
        Editorial.beside(tmp_path / "statements.csv")
