"""Helpers shared by the test modules: the command line in-process, and a page's visible text."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout

from chronology.cli import main


def run_cli(*args) -> tuple[int, str, str]:
    """`python -m chronology ARGS` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit:  # argparse refuses an argument
            code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    return code, out.getvalue(), err.getvalue()


def visible_text(page: str) -> str:
    """The page's text without scripts and tags: what a reader sees (roughly)."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
CHARTS_DRAWN = "document.querySelectorAll('.chronology-chart[data-drawn] svg').length === document.querySelectorAll('.chronology-chart').length"


def offline_page(browser, url: str, *, width: int = 1100, height: int = 900):
    """Open a page from disk in Chromium with every request that leaves the disk aborted and recorded.

    Returns (page, requests, console, errors): the blocked URLs, console messages and page errors."""
    page = browser.new_page(viewport={"width": width, "height": height})
    requests, console, errors = [], [], []

    def block(route):
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.on("console", lambda msg: console.append((msg.type, msg.text)))
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url)
    return page, requests, console, errors
