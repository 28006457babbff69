"""reports/index.html: the reports on disk, each with the title and parameters its page records.

The markup is in templates/reports-index.html.j2; every text in it passes through page.escape.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

from . import paths
from .fileio import atomic_write

META_PARAMETERS = "chronology:parameters"
META_NOTEBOOK = "chronology:notebook"
TEMPLATE = "reports-index.html.j2"


def write_index(out_dir: Path) -> Path:
    """OUT/index.html, derived from the reports in OUT and the parameters each one records."""
    target = Path(out_dir) / "index.html"
    atomic_write(target, index_page(reports(Path(out_dir))))
    return target


HEAD_LIMIT = 1024 * 1024  # a page's <head> is read up to this many bytes (titles of any length fit)


def _head(report: Path) -> str | None:
    """The page's text up to </head>: a regular file only (no link, FIFO, device or folder), bad bytes escaped."""
    import os
    import stat

    from .fileio import FileProblem, open_regular

    try:
        if not stat.S_ISREG(os.lstat(report).st_mode):
            return None  # links are not followed out of the folder
        fd = open_regular(report)
    except (OSError, FileProblem):
        return None
    with os.fdopen(fd, "rb") as fh:
        raw = fh.read(HEAD_LIMIT)
    end = raw.find(b"</head>")
    return (raw[:end] if end >= 0 else raw).decode("utf-8", "backslashreplace")


def _safe_text(text: str) -> str:
    """Text that can be written as UTF-8 (lone surrogates from a bad page become escapes)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def reports(out_dir: Path) -> list[dict]:
    """What the index shows of each report written by `render` (a page without our <meta> is skipped)."""
    found = []
    for report in sorted(out_dir.glob("*.html")):
        if report.name == "index.html" or report.name.startswith("."):
            continue
        head = _head(report)
        if head is None:
            continue
        try:
            params = _meta(head, META_PARAMETERS)
            if params is None:
                continue
            try:
                shown = json.loads(params)
                parameters = ", ".join(_readable(k, v) for k, v in shown.items()) if isinstance(shown, dict) else None
            except (ValueError, RecursionError):
                parameters = None
            title = re.search(r"<title>(.*?)</title>", head, re.S)
            folder = report.with_name(f"{report.stem}_files")
            try:
                from types import SimpleNamespace

                svgs = [SimpleNamespace(name=_safe_text(p.name), stem=_safe_text(p.stem)) for p in sorted(folder.glob("*.svg"))] if folder.is_dir() and not folder.is_symlink() else []
            except OSError:
                svgs = []
            found.append(
                {
                    "file": _safe_text(report.name),
                    "title": _safe_text(html_lib.unescape(title.group(1)) if title else ""),
                    "notebook": _safe_text(_meta(head, META_NOTEBOOK) or ""),
                    "parameters": _safe_text(parameters if parameters is not None else "parameters unreadable") or "defaults",
                    "folder": _safe_text(folder.name),
                    "svgs": svgs,
                }
            )
        except Exception:  # one odd page never stops the index
            continue
    return found


def _readable(name: str, value) -> str:
    """One parameter as the index shows it; as_of in words ("as it could be known on 8 November 2020")."""
    if name == "as_of" and value not in (None, ""):
        from .dates import DateError, PartialDate

        try:
            return f"as it could be known on {PartialDate.parse(str(value)).display()} (as_of={value})"
        except DateError:
            pass
    return f"{name}={value}"


def index_page(found: list[dict]) -> str:
    import jinja2

    from .page import escape

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR)), autoescape=False, keep_trailing_newline=True)
    env.filters["esc"] = escape
    return env.get_template(TEMPLATE).render(reports=found)


def _meta(head: str, name: str) -> str | None:
    """A <meta> tag's content, whatever the order of its attributes."""
    tag = re.search(rf'<meta[^>]*\bname="{re.escape(name)}"[^>]*>', head)
    content = tag and re.search(r"""\bcontent=(?:"([^"]*)"|'([^']*)')""", tag.group(0))
    return html_lib.unescape(content.group(1) if content.group(1) is not None else content.group(2)) if content else None
