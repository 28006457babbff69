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


def reports(out_dir: Path) -> list[dict]:
    """What the index shows of each report written by `render` (a page without our <meta> is skipped)."""
    found = []
    for report in sorted(out_dir.glob("*.html")):
        if report.name == "index.html" or report.name.startswith("."):
            continue
        folder = report.with_name(f"{report.stem}_files")
        head = report.read_text(encoding="utf-8", errors="replace")[:20000]
        params = _meta(head, META_PARAMETERS)
        if params is None:
            continue
        title = re.search(r"<title>(.*?)</title>", head, re.S)
        shown = json.loads(params)
        found.append(
            {
                "file": report.name,
                "title": html_lib.unescape(title.group(1)) if title else "",
                "notebook": _meta(head, META_NOTEBOOK) or "",
                "parameters": ", ".join(_readable(k, v) for k, v in shown.items()) or "defaults",
                "folder": folder.name,
                "svgs": sorted(folder.glob("*.svg")) if folder.is_dir() else [],
            }
        )
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
