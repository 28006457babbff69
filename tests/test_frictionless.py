"""data/datapackage.json is a Data Package that Frictionless accepts and that checks every row.

Runs the `frictionless` command of the environment (pinned in the test extras) on the bundled data
and on a broken copy: an unknown place (a foreign key), a party cell that is not a ';' list of ids
(a pattern) and a month 13 (a pattern) must fail it.

statements.party and source_id are ';' lists of ids: Table Schema foreign keys take single values,
so Frictionless checks only their form there; an unknown id in a list is refused by
the loader (tests/bad_inputs/refuse_unknown_party.csv, tests/test_bad_inputs.py), not by Frictionless.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chronology import schema

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FRICTIONLESS = Path(sys.executable).with_name("frictionless")

pytestmark = pytest.mark.skipif(not FRICTIONLESS.exists(), reason="frictionless is not installed (pip install -e '.[test]')")


def validate(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([str(FRICTIONLESS), "validate", "--json", "datapackage.json"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def report(proc: subprocess.Popen) -> tuple[int, dict]:
    out, err = proc.communicate(timeout=600)
    assert out.strip().startswith("{"), f"frictionless printed no report: {err[-2000:]}"
    return proc.returncode, json.loads(out)


def rows_in(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def broken_copy(folder: Path) -> Path:
    for f in DATA.iterdir():
        if f.suffix in (".csv", ".json"):
            shutil.copy(f, folder / f.name)
    path = folder / "statements.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1]["place_id"] = "atlantis"  # not in places.csv: a single id with a foreign key
    rows[2]["date"] = "2020-13-01"  # no month 13
    rows[3]["party"] = "Atlantis, Azerbaijan"  # not a ';' list of ids
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    # Both runs at once: each pays frictionless' start-up (seconds) on its own core.
    good, bad = validate(DATA), validate(broken_copy(tmp_path_factory.mktemp("broken")))
    return report(good), report(bad)


def test_descriptor_uses_standard_formats_only():
    standard = {"default", "email", "uri", "binary", "uuid"}
    for resource in schema.datapackage()["resources"]:
        for f in resource["schema"]["fields"]:
            assert f.get("format", "default") in standard, f"{resource['name']}.{f['name']}: format {f['format']!r}"
            if f["name"] == "url":
                assert f["format"] == "uri" and f["constraints"]["pattern"].startswith("^https?://")


def test_partial_date_pattern_takes_months_01_to_12_and_days_01_to_31():
    import re

    pattern = re.compile(schema.PARTIAL_DATE_PATTERN)
    for ok in ("2020", "2020-01", "2020-12", "2020-11-08", "2020-01-31", "1994-09-10"):
        assert pattern.match(ok), ok
    for bad in ("2020-13", "2020-00", "2020-13-01", "2020-11-32", "2020-11-00", "20-11-08", "2020-1", "2020/11/08", "2020-11-08T10"):
        assert not pattern.match(bad), bad


def test_frictionless_accepts_the_bundled_data_and_checks_every_row(results):
    (code, rep), _ = results
    assert code == 0 and rep["valid"], json.dumps(rep["errors"] + [e for t in rep["tasks"] for e in t["errors"]], indent=1)[:3000]
    checked = {t["name"]: t["stats"]["rows"] for t in rep["tasks"]}
    assert checked == {t.name: rows_in(DATA / t.filename) for t in schema.TABLES}
    assert checked["statements"] > 0


def test_frictionless_rejects_an_unknown_place_a_malformed_party_and_month_13(results):
    _, (code, rep) = results
    assert code != 0 and not rep["valid"]
    errors = [e for t in rep["tasks"] if t["name"] == "statements" for e in t["errors"]]
    assert any(e["type"] == "foreign-key" and e.get("rowNumber") == 3 for e in errors), errors
    assert any(e["type"] == "constraint-error" and e.get("fieldName") == "date" and e.get("rowNumber") == 4 for e in errors), errors
    assert any(e["type"] == "constraint-error" and e.get("fieldName") == "party" and e.get("rowNumber") == 5 for e in errors), errors
    assert len(errors) == 3, errors  # nothing else in the copy is wrong
