"""What a chart or a section shows in notebook front ends: JupyterLab, Notebook 7, nbconvert, papermill, nbval.

The render route (`python -m chronology render`) starts its kernel with CHRONOLOGY_OUTPUTS=page and
gets the page outputs of `page.py` (a div and a vegaEmbed call drawn by the page's one Vega bundle);
the page it writes is unchanged by this module. Everywhere else a chart is a bundle of:

- `application/vnd.vegalite.v5+json`: the spec, declared as Vega-Lite 5. JupyterLab 4 (and Notebook 7)
  draw it with their built-in renderer (@jupyterlab/vega5-extension: Vega-Lite 3 to 5 mime types,
  vega-lite 5.6 inside), interactive and offline, also in an untrusted notebook. Altair 6 writes
  Vega-Lite 6 specs, which that renderer does not take; the charts here use nothing that Vega-Lite 5
  lacks (tests/test_frontends.py compiles each with Vega-Lite 5 and the lab test draws them).
- `image/svg+xml`: the same chart drawn by vl-convert in the kernel, so the executed notebook shows
  it anywhere (`jupyter nbconvert --to html`, GitHub, an editor without Vega).
- `text/plain`: the chart's description.

No `text/html`: JupyterLab prefers HTML to the Vega mime type and does not run its scripts in an
untrusted notebook, so an HTML chart draws nothing there.

A section's HTML carries the report's stylesheet scoped to `.chronology-section`, so it is styled
in JupyterLab without restyling JupyterLab itself (the page gets the whole stylesheet once instead).
"""

from __future__ import annotations

import os
import re

VEGALITE_V5_MIME = "application/vnd.vegalite.v5+json"
VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
SECTION_CLASS = "chronology-section"
# JupyterLab's renderer: SVG (not canvas) so marks are inspectable, no export menu in the output.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}


def page_mode() -> bool:
    """True in the render route's kernel, which render.Kernel starts with CHRONOLOGY_OUTPUTS=page."""
    return os.environ.get("CHRONOLOGY_OUTPUTS") == "page"


def as_vegalite_v5(spec: dict) -> dict:
    """The spec declared as Vega-Lite 5 (its content is left as it is)."""
    return {**spec, "$schema": VEGALITE_V5_SCHEMA}


def chart_svg(spec: dict) -> str | None:
    """A static copy of the chart; None when vl-convert cannot draw it (the Vega mime type remains)."""
    try:
        import vl_convert

        return vl_convert.vegalite_to_svg(spec)
    except Exception:  # a missing fallback must not break the notebook
        return None


def chart_bundle(spec: dict) -> tuple[dict, dict] | dict:
    """The mime bundle (and its metadata) of a chart in a notebook; the page's bundle in the render route."""
    if page_mode():
        from .page import altair_renderer

        return altair_renderer(spec)
    data = {VEGALITE_V5_MIME: as_vegalite_v5(spec)}
    svg = chart_svg(spec)
    if svg is not None:
        data["image/svg+xml"] = svg
    return data, {VEGALITE_V5_MIME: {"embed_options": dict(EMBED_OPTIONS)}}


def section_html(markup: str) -> str:
    """Section HTML for a notebook: inside a scoped box, with the report's stylesheet scoped to it."""
    if page_mode():
        return markup
    return f'<div class="{SECTION_CLASS}"><style>{scoped_report_css()}</style>\n{markup}\n</div>'


_SCOPED: dict[str, str] = {}


def scoped_report_css() -> str:
    if "report" not in _SCOPED:
        from .page import static_text

        _SCOPED["report"] = scoped_css(static_text("report.css"), f".{SECTION_CLASS}")
    return _SCOPED["report"]


def scoped_css(css: str, scope: str) -> str:
    """Every rule of `css` limited to elements inside `scope`.

    `:root`, `html`, `body` and `main` become the scope itself; rules for the exported page's
    JupyterLab classes (`.jp-*`) and print-only rules (`@media print`, `@page`) are dropped.
    Handles the plain CSS of the report's stylesheet: rules and `@media` blocks, no nesting beyond.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: list[str] = []
    pos = 0
    while True:
        brace = css.find("{", pos)
        if brace < 0:
            break
        head = css[pos:brace].strip()
        end = _block_end(css, brace)
        body = css[brace + 1 : end]
        pos = end + 1
        if head.startswith("@"):
            if head.startswith("@media") and "print" not in head:
                inner = scoped_css(body, scope)
                if inner:
                    out.append(f"{head} {{\n{inner}\n}}")
            continue
        selectors = [_scope_selector(s.strip(), scope) for s in head.split(",") if s.strip() and ".jp-" not in s]
        if selectors:
            out.append(f"{', '.join(selectors)} {{{body.strip()}}}")
    return "\n".join(out)


def _block_end(css: str, brace: int) -> int:
    depth = 0
    for i in range(brace, len(css)):
        if css[i] == "{":
            depth += 1
        elif css[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(css) - 1


def _scope_selector(selector: str, scope: str) -> str:
    if selector in (":root", "html", "body", "main"):
        return scope
    if selector == "*":
        return f"{scope}, {scope} *"
    return f"{scope} {selector}"
