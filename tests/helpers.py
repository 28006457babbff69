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
