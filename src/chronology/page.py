"""Offline HTML: section templates, one Vega bundle per page, a chart renderer with stable ids, the nbconvert export."""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache, lru_cache

from . import paths

# Marks the page's charts: the exporter adds the Vega bundle only where one is present.
CHART_MARKER = 'class="chronology-chart"'


def escape(value) -> str:
    """Data text -> HTML text. Everything from a CSV passes through here."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return html.escape(str(value), quote=True)


class HTML:
    """A piece of page markup (drawn by a template, data escaped) that notebooks display as such."""

    def __init__(self, markup: str, text: str = ""):
        self.markup = markup
        self.text = text or markup

    def _repr_html_(self) -> str:
        from .frontends import section_html

        return section_html(self.markup)

    def __repr__(self) -> str:  # what nbval compares: the facts, in plain text
        return self.text


def _blank_missing(value):
    """None and NaN are drawn as nothing, as escape() does."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / "sections")),
        bytecode_cache=_template_cache(),
        autoescape=True,  # every value is data: escaped unless a template says otherwise
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_blank_missing,
    )


def _template_cache():
    """Compiled templates kept in the user's cache (a cold kernel skips compiling them); none if it is unwritable."""
    import jinja2

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # a read-only cache costs only the compiling
                pass

    try:
        folder = paths.cache_dir() / "templates"
        folder.mkdir(exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(folder))


def draw(template: str, /, **data) -> str:
    """Markup of `templates/sections/<template>.html.j2` drawn with `data` (autoescaped)."""
    return _environment().get_template(f"{template}.html.j2").render(**data).strip()


def section(template: str, plain: str, /, **data) -> HTML:
    """A section as the notebook shows it: the drawn markup, and its facts as plain text."""
    return HTML(draw(template, **data), plain)


def script_json(data) -> str:
    """JSON that is safe inside <script>: no '</script>', '<!--' or ']]>' can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def safe_url(url: str) -> str | None:
    """Only http and https URLs become links."""
    url = (url or "").strip()
    if url.lower().startswith(("http://", "https://")) and not any(c in url for c in "\"'<> \n\r\t"):
        return url
    return None


def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, built once per vl-convert version and cached."""
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    cached = paths.cache_dir() / f"vega-bundle-{version}.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    text = _wrap_bundle(vl_convert.javascript_bundle())
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(cached)
    return text


def _wrap_bundle(bundle: str) -> str:
    # A function scope keeps the bundle's top-level names off the page; it still sets
    # window.vega, window.vegaLite and window.vegaEmbed. '</script' cannot occur in it.
    if "</script" in bundle.lower():
        bundle = bundle.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    return "(function(){\n" + bundle + "\n})();"


@cache
def static_text(name: str) -> str:
    return (paths.TEMPLATES_DIR / "static" / name).read_text(encoding="utf-8")


class ChartIds:
    """Stable chart ids: the same notebook run gives the same ids."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, spec: dict) -> str:
        self.count += 1
        digest = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:8]
        return f"chart-{self.count}-{digest}"


_IDS = ChartIds()


def chart_html(spec: dict, *, description: str = "") -> str:
    """A div and the vegaEmbed call that draws the spec into it (bundle loaded once per page)."""
    chart_id = _IDS.next(spec)
    options = {"actions": False, "renderer": "svg", "tooltip": {"theme": "light"}}
    return (
        f'<div {CHART_MARKER} id="{chart_id}" role="img" aria-label="{escape(description)}"></div>\n'
        f"<script>(function(){{var spec={script_json(spec)};var el=document.getElementById('{chart_id}');"
        f"if(window.chronologyAdapt){{spec=window.chronologyAdapt(spec,el);}}"
        f"if(window.vegaEmbed){{vegaEmbed(el,spec,{script_json(options)})"
        f".then(function(r){{el.chronologyView=r.view;el.dispatchEvent(new CustomEvent('chart-ready',{{bubbles:true}}));}})"
        f".catch(function(e){{console.error('chart {chart_id}: '+e);}});}}"
        f"else{{document.getElementById('{chart_id}').textContent='(chart needs JavaScript)';}}}})();</script>"
    )


def altair_renderer(spec: dict, **metadata) -> dict:
    """Altair renderer of the render route's pages (notebook front ends: see frontends.py)."""
    return {
        "text/html": chart_html(spec, description=spec.get("description", "")),
        _vegalite_mime(): spec,
    }


def _vegalite_mime() -> str:
    import altair as alt

    return f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.split('.')[0].lstrip('v')}+json"


def enable_renderer() -> None:
    """Use the offline renderer; chart ids restart so a kernel reused for a batch gives the same pages."""
    import altair as alt

    _IDS.count = 0
    alt.renderers.register("chronology", altair_renderer)
    alt.renderers.enable("chronology")


@lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: loading the templates is paid once per batch, not per page."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter's own version re-parses the whole page with BeautifulSoup to add alt texts
            # to images and tabindex to cells; our pages hold no images, and on a large page that pass
            # costs seconds. The rest is the same.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter(
        template_name="chronology",
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_output_stdin=True,
    )


def export_html(nb, *, title: str, meta: dict[str, str]) -> str:
    """Executed notebook -> one self-contained page with code hidden."""
    exporter = _exporter()
    has_charts = any(CHART_MARKER in "".join(str(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", [])) for cell in nb.cells)
    nb.metadata["title"] = title
    resources = {
        "chronology_css": static_text("report.css"),
        "chronology_js": static_text("report.js"),
        "chronology_vega_bundle": vega_bundle() if has_charts else "",
        "chronology_meta": sorted(meta.items()),
        "metadata": {"name": title},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
