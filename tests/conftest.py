"""Shared fixtures: rendered reports (rendered once per session) and the headless browser.

Shared helpers (run_cli, visible_text) are in helpers.py."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from chronology import paths
from chronology.render import render

# Notebooks under tests/ are case files (hostile input, fixtures), never tests: `make test` runs nbval
# over notebooks/ in the same pytest run.
collect_ignore_glob = ["**/*.ipynb"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or (("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def kernel():
    """One warm kernel for the session's in-process renders, as a batch shares one per core (renders
    through the command line still start their own: that path is tested there)."""
    from chronology.kernel import Kernel

    warm = Kernel(paths.NOTEBOOKS_DIR)
    yield warm
    warm.shutdown()


@pytest.fixture(scope="session")
def default_report(tmp_path_factory, kernel) -> Path:
    out = tmp_path_factory.mktemp("default")
    return render("report", {}, out_dir=out, quiet=True, kernel=kernel)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        pytest.skip("headless Chromium is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield b
        b.close()


# Data whose text fields hold script payloads: the page must show them as text.
PAYLOADS = {
    "quote": "<script>document.title='PWNED';console.log('PWNED-script')</script>",
    "speaker": "<img src=x onerror=\"document.title='PWNED';console.log('PWNED-img')\">",
    "summary": "Click [here](javascript:document.title='PWNED') or </script><script>console.log('PWNED-close')</script>",
    "role": "<svg onload=\"console.log('PWNED-svg')\">",
    "channel": "=HYPERLINK(\"http://example.invalid\")",
}


def hostile_dataset(folder: Path) -> Path:
    rows = list(csv.DictReader(paths.STATEMENTS_CSV.open(encoding="utf-8")))
    for row in rows:
        if row["id"] == "aliyev-no-force":
            row.update(PAYLOADS)
    target = folder / "statements.csv"
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    sources = list(csv.DictReader(paths.SOURCES_CSV.open(encoding="utf-8")))
    sources[0]["url"] = "https://example.invalid/\"><script>console.log('PWNED-url')</script>"
    sources[0]["title"] = "<b onmouseover=\"console.log('PWNED-title')\">Title</b>"
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(sources[0]))
        writer.writeheader()
        writer.writerows(sources)
    return target


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory, kernel) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    data = hostile_dataset(folder)
    return render("report", {"statements_csv": str(data)}, out_dir=folder / "out", quiet=True, kernel=kernel)


