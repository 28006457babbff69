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
META_READABLE = "chronology:parameters-readable"  # the parameters in words, names as the data gave them
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
                readable = _meta(head, META_READABLE)
                words = [str(w) for w in json.loads(readable)] if readable else [_readable(k, v) for k, v in shown.items()] if isinstance(shown, dict) else None
            except (ValueError, TypeError, RecursionError):
                words = None
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
                    "parameters": ([_safe_text(w) for w in words] or ["the defaults"]) if words is not None else ["parameters unreadable"],
                    "folder": _safe_text(folder.name),
                    "svgs": svgs,
                }
            )
        except Exception:  # one odd page never stops the index
            continue
    return found


NAMING_WORDS = {"dual": "both names (Azerbaijani / Armenian)", "azerbaijani": "Azerbaijani", "armenian": "Armenian"}
LABELS = {"as_of": "as of", "start": "from", "end": "to", "statements_csv": "data", "answers": "answer key"}


def readable_parameters(parameters: dict) -> list[str]:
    """The parameters in words, for the page's metadata: 'parties: Turkey, Russia', 'naming: Armenian',
    'as of: 8 November 2020'. Party and topic names are read from the files the page was drawn from."""
    from .load import sibling_files

    files = sibling_files(Path(parameters.get("statements_csv") or paths.STATEMENTS_CSV))
    names = {"parties": _names(files.get("parties"), "name"), "topic": _names(files.get("topics"), "label")}
    order = {k: i for i, k in enumerate(["parties", "topic", "naming", "start", "end", "as_of", "audience", "seed", "answers", "title"])}
    return [_readable(k, v, names) for k, v in sorted(parameters.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])) if v not in (None, "", [], {}, False)]


def _names(path, column: str) -> dict[str, str]:
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as fh:
            # a label with {place} tokens depends on the naming: the id in words instead
            return {row["id"]: row.get(column) if row.get(column) and "{" not in row[column] else row["id"].replace("-", " ") for row in csv.DictReader(fh)}
    except (OSError, KeyError, TypeError, ValueError, UnicodeError):
        return {}


def _readable(name: str, value, names: dict | None = None) -> str:
    """One parameter in words: 'naming: Armenian', 'as of: 8 November 2020', 'parties: Turkey, Russia'."""
    names = names or {}
    label = LABELS.get(name, name.replace("_", " "))
    if name in ("as_of", "start", "end"):
        from .dates import DateError, PartialDate

        try:
            return f"{label}: {PartialDate.parse(str(value)).display()}"
        except DateError:
            pass
    if name == "naming":
        return f"{label}: {NAMING_WORDS.get(str(value), value)}"
    if name == "parties":
        ids = value if isinstance(value, list) else [p.strip() for p in str(value).split(",")]
        return f"{label}: " + ", ".join(names.get("parties", {}).get(str(p), str(p)) for p in ids)
    if name == "topic":
        return f"{label}: {names.get('topic', {}).get(str(value), value)}"
    if name == "statements_csv":
        return f"{label}: {Path(str(value)).name}"
    if name == "answers":
        return "with the answer key" if value else "without the answer key"
    return f"{label}: {value}"


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
