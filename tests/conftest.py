"""Shared fixtures: rendered reports (rendered once per session) and the headless browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chronology.render import render

PROJECT = Path(__file__).resolve().parents[1]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or (("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def default_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("default")
    return render("report", {}, out_dir=out, quiet=True)


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
