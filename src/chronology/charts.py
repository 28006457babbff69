"""Chart builders: Vega-Lite specs written as plain dictionaries.

Every chart gets data already cut to a few thousand marks at most. The specs are the ones Altair
would write for the same chart (tests validate each against the Vega-Lite schema Altair ships,
`alt.load_schema()`), but composing Altair objects copied and re-validated whole charts at
every layer, panel and property: most of a render's own time. A dictionary costs nothing to build.
"""

from __future__ import annotations

import functools
import hashlib
import json
import textwrap

import numpy as np
import pandas as pd

from . import guards, paths

# No chart embeds more marks than this; larger data is aggregated first (see Report).
MARK_LIMIT = 3000
FONT = "Helvetica Neue, Arial, sans-serif"
# The Vega-Lite the page's bundle draws; notebooks declare v5 (frontends.py). A test keeps it equal to Altair's.
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
DAY_MS = 86_400_000
TYPES = {"N": "nominal", "Q": "quantitative", "T": "temporal", "O": "ordinal"}


class Chart:
    """A finished chart as the notebook displays it: its Vega-Lite spec and what it is about."""

    def __init__(self, spec: dict, description: str = "chart"):
        self._spec = spec
        self.description = description

    def spec(self, validate: bool = False) -> dict:
        """The spec (a fresh top level each call: callers add keys). `validate` checks it against the
        Vega-Lite schema; renders skip that for speed, tests do it."""
        spec = dict(self._spec)
        guards.check_finite(spec, self.description[:60])
        if validate:
            _validator().validate(spec)  # raises jsonschema.ValidationError when it is not Vega-Lite
        return spec

    def to_altair(self):
        """The chart as an Altair object, for restyling it in a notebook."""
        import altair as alt

        return alt.Chart.from_dict(self.spec())

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .frontends import chart_bundle

        return chart_bundle(self.spec())

    def __repr__(self) -> str:
        return f"<chart: {self.description}>"


@functools.cache
def _validator():
    """The Vega-Lite schema Altair ships (`alt.load_schema`), as a validator with its format checks."""
    import altair as alt
    import jsonschema

    schema = alt.load_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# ------------------------------------------------------------------ spec pieces


class Datasets:
    """A chart's data frames, named by content as Vega-Lite's top-level `datasets` (each held once)."""

    def __init__(self) -> None:
        self.named: dict[str, list] = {}

    def __call__(self, frame: pd.DataFrame) -> dict:
        values = records(frame)
        name = "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
        self.named.setdefault(name, values)
        return {"name": name}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON values, as Altair writes them: dates as ISO text, missing and infinite numbers as
    null, numpy scalars as Python's (column by column into lists: far quicker than pandas' own)."""
    columns = {}
    for col, dtype in frame.dtypes.items():
        values = frame[col]
        if str(dtype).startswith(("datetime", "timestamp")):
            columns[col] = ["" if x is pd.NaT else x.isoformat() for x in values]
        elif isinstance(dtype, np.dtype) and (np.issubdtype(dtype, np.bool_) or np.issubdtype(dtype, np.integer)):
            columns[col] = values.tolist()
        elif isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.floating):
            bad = (values.isnull() | np.isinf(values)).tolist()
            columns[col] = [None if b else v for v, b in zip(values.tolist(), bad)]
        else:  # text, categories, nullable numbers and booleans, objects
            missing = values.isnull().tolist()
            columns[col] = [None if m else v for v, m in zip(values.astype(object).tolist(), missing)]
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())] if names else [{} for _ in range(len(frame))]


def enc(shorthand: str, **props) -> dict:
    """An encoding from "field:T" shorthand plus properties, as Altair writes it."""
    name, _, code = shorthand.rpartition(":")
    return {"field": name, "type": TYPES[code], **props}


def value(v) -> dict:
    return {"value": v}


def when(test: str, yes, otherwise) -> dict:
    """A condition on an expression (`test`) or, given {"param": ...}, on a selection."""
    cond = dict(test) if isinstance(test, dict) else {"test": test}
    return {"condition": {**cond, "value": yes}, "value": otherwise}


def tooltip(shorthand: str, title: str) -> dict:
    return enc(shorthand, title=title)


def title_params(text, subtitle=None, **props) -> dict:
    out = {"text": text}
    if subtitle is not None:
        out["subtitle"] = subtitle
    return {**out, **props}


def _config(narrow_legend: bool = False) -> dict:
    legend = {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "columns": 3, "symbolLimit": 40}
    if narrow_legend:
        legend = {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "columns": 1, "labelLimit": 280, "symbolLimit": 40}
    return {
        "font": FONT,
        "title": {"anchor": "start", "fontSize": 15, "subtitleColor": "#5b5b57", "subtitleFontSize": 12},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": False},
        "legend": legend,
        "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
    }


def _top(body: dict, data: Datasets, *, config: dict | None = None, **props) -> dict:
    spec = {"$schema": SCHEMA_URL, "config": config or _config(), **body, **props}
    if data.named:
        spec["datasets"] = data.named
    return spec


# ------------------------------------------------------------------ timeline


def timeline(rows: pd.DataFrame, *, parties: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp], title: str, subtitle: str, aggregated: bool = False, narrow: bool = False) -> Chart:
    """The detail of the chosen period above an overview with a brush over the period of focus.

    `rows` from chart_data.timeline_rows: one mark per row; `dy` spreads marks sharing a lane and a day.
    A day is a dot (drawn above the bars); a month, a year or a span is a bar over the whole period.
    The brush's window is widened to 3 days at least, and an empty brush shows the whole period.
    The page (report.js) links the marks to the list below the chart through the `hl` parameter.
    """
    from . import chart_data

    data = Datasets()
    width = 300 if narrow else 640
    lanes = chart_data.lane_order(parties, rows["lane"])
    colour = chart_data.party_scale(parties, lanes)
    layout = chart_data.lane_layout(parties, rows, label_room=14 if narrow else 0)
    tops = layout.set_index("lane")["marks_top"]
    rows = rows.assign(ypos=rows["lane"].map(tops) + rows["dy"])
    height = int(layout["top"].iloc[-1] + layout["height"].iloc[-1]) if len(layout) else 40
    lo, hi = window
    lo_ms, hi_ms = guards.epoch_ms(lo), guards.epoch_ms(hi)  # epoch ms, not dates: Vega reads years 0-99 as 19xx
    detail_view, overview_view = ("timeline_lanes_narrow", "timeline_overview_narrow") if narrow else ("timeline_lanes", "timeline_overview")
    picked = {"param": "party_pick", "empty": False}
    legend_title = "Party: click to hide or show" if narrow else "Party: click one to hide or show it; double-click the chart to show all"
    # What a screen reader says for a mark (its aria-label): the party first, then date, who and what.
    said = "'; ' + datum.date_text + ': ' + datum.count + ' statements'" if aggregated else "'; ' + datum.date_text + '; ' + datum.speaker + ': ' + datum.summary"
    aria = {"calculate": "'Party: ' + datum.lane + " + said, "as": "aria"}
    described = enc("aria:N")
    tips = [tooltip("date_text:N", "Date"), tooltip("speaker:N", "Who"), tooltip("lane:N", "Party"), tooltip("summary:N", "What"), tooltip("quote:N", "Quote"), tooltip("source:N", "Source")]
    if aggregated:
        tips = [tooltip("date_text:N", "Month"), tooltip("lane:N", "Party"), tooltip("count:Q", "Statements")]
    x_detail = enc("start:T", title=None, scale={"domainMin": {"expr": "w0 - wpad"}, "domainMax": {"expr": "w1 + wpad"}},
                   axis={"orient": "top", "labelAngle": 0, "tickCount": 4 if narrow else 8, "labelOverlap": True, "labelFontSize": 11, "grid": True, "gridColor": "#e6e4de", "domain": False})
    y_px = enc("ypos:Q", scale=None, axis=None)
    colour_enc = enc("lane:N", scale=colour, title=legend_title, legend={"orient": "bottom", "columns": 1 if narrow else 3, "labelLimit": 260, "titleLimit": width, "labelFontSize": 11, "titleFontSize": 11})
    marks = data(rows)
    spans = {
        "data": marks, "transform": [aria, {"filter": "!datum.is_dot"}],
        "mark": {"type": "rule", "strokeWidth": 7, "strokeCap": "butt", "clip": True},
        "encoding": {"x": x_detail, "x2": {"field": "end_excl"}, "y": y_px, "color": colour_enc, "opacity": when(picked, 0.08, 0.6),
                     "strokeWidth": when("datum.id === hl", 10, 7), "tooltip": tips, "description": described},
    }
    shape = enc("kind:N", title="Kind", scale={"domain": ["statement", "figure", "event"], "range": ["circle", "diamond", "square"]},
                legend=None if narrow else {"orient": "bottom", "labelFontSize": 11, "titleFontSize": 11})
    days = {
        "data": marks, "transform": [aria, {"filter": "datum.is_dot"}],
        "mark": {"type": "point", "filled": True, "size": 70, "clip": True},
        "encoding": {"x": x_detail, "y": y_px, "color": colour_enc, "shape": shape, "opacity": when(picked, 0.08, 1),
                     "stroke": when("datum.id === hl", "#000000", "#ffffff"), "strokeWidth": when("datum.id === hl", 3, 1), "tooltip": tips, "description": described},
    }
    lane_values = {"values": records(layout.assign(sep=layout["top"] + layout["height"] + chart_data.LANE_GAP / 2))}
    seps = {"data": lane_values, "mark": {"type": "rule", "color": "#d9d6cf", "strokeWidth": 1}, "encoding": {"y": enc("sep:Q", scale=None, axis=None)}, "name": detail_view}
    if narrow:
        label_mark = {"type": "text", "align": "left", "baseline": "middle", "fontSize": 11, "fontWeight": "bold", "color": "#1d1d1b", "limit": width}
    else:
        label_mark = {"type": "text", "align": "right", "baseline": "middle", "dx": -8, "fontSize": 11, "color": "#1d1d1b", "limit": 170}
    labels = {"data": lane_values, "mark": label_mark, "encoding": {"x": value(0), "y": enc("label_y:Q", scale=None, axis=None), "text": enc("lane:N")}}
    detail = {"layer": [seps, spans, days, labels], "width": width, "height": height}
    overview = {
        "data": marks, "transform": [aria], "name": overview_view,
        "mark": {"type": "tick", "thickness": 2, "size": 6},
        "encoding": {"x": enc("start:T", title=None, scale={"domain": [lo.isoformat(), hi.isoformat()]}, axis={"labelAngle": 0, "tickCount": 4 if narrow else 8, "labelOverlap": True, "labelFontSize": 11}),
                     "y": enc("lane:N", sort=lanes, axis=None, scale={"domain": lanes}), "color": colour_enc, "description": described},
        "width": width, "height": max(30, 5 * len(lanes)),
        "title": title_params("Drag across this strip to choose the period shown above", fontSize=11, fontWeight="normal", color="#5b5b57", anchor="start"),
    }
    params = [
        {"name": "party_pick", "select": {"type": "point", "fields": ["lane"], "toggle": "true"}, "bind": "legend", "views": [detail_view]},
        {"name": "hl", "value": ""},
        {"name": "window", "select": {"type": "interval", "encodings": ["x"]}, "value": {"x": [lo_ms, hi_ms]}, "views": [overview_view]},
        {"name": "w0", "expr": f"window && window.start ? +window.start[0] : {lo_ms}"},
        {"name": "w1", "expr": f"window && window.start ? +window.start[1] : {hi_ms}"},
        {"name": "wpad", "expr": f"max(0, ({3 * DAY_MS} - (w1 - w0)) / 2)"},
    ]
    head = title_params(_wrap(title, 44) if narrow else title, subtitle=_wrap(subtitle, 56) if narrow else _wrap(subtitle, 110), subtitleFontSize=11)
    body = {"vconcat": [detail, overview], "spacing": 14, "params": params, "resolve": {"scale": {"color": "shared"}}}
    description = _sentences(title, subtitle)
    return Chart(_top(body, data, description=description, title=head), description)


# ------------------------------------------------------------------ figures


def figures(rows: pd.DataFrame, *, title: str, subtitle: str, parties: pd.DataFrame, series: pd.DataFrame | None = None, narrow: bool = False) -> Chart:
    """Running totals against a date axis (when there are any) above single figures on a log scale.

    `rows` (single figures): label, group, lane, side, value, bound_kind, bound_label, arrow_to, figure_text,
    mark_text, speaker, sources_text, date_text, side_text, what, opacity. `series`: the same plus date_iso,
    series_label and latest (the point whose value is written beside it).
    """
    data = Datasets()
    panels = []
    both = pd.concat([x for x in (rows, series) if x is not None and len(x)])
    from . import chart_data

    colour = chart_data.party_scale(parties, both["lane"])  # one colour per party, as in every chart
    tips = [tooltip("figure_text:N", "Figure"), tooltip("speaker:N", "Claimed by"), tooltip("what:N", "Counts"), tooltip("date_text:N", "Date"), tooltip("sources_text:N", "Sources")]

    def words(text: str, wide: int, thin: int):
        return _wrap(text, thin) if narrow else _wrap(text, wide)

    if series is not None and len(series):
        t, sub = (title, subtitle) if not len(rows) else ("Running totals over time", "Each point is the total to that date, as the claimant gave it; the line steps to the next report.")
        panels.append(_series_panel(data(series), colour, tips, title=words(t, 90, 40), subtitle=words(sub, 110, 52), width=280 if narrow else 520))
    if len(rows):
        t, sub = (title, subtitle) if not panels else ("Single figures", "Grouped by what they count, on a log scale. Triangles point the way the true count may lie; dashes mark the open side of a bound; faded marks were revised.")
        panels.append(_singles_panel(rows, data(rows), colour, tips, title=words(t, 90, 40), subtitle=words(sub, 110, 52), narrow=narrow))
    if len(panels) == 1:
        body = panels[0]
    else:
        body = {"vconcat": panels, "spacing": 28, "title": title_params(words(title, 100, 40), subtitle=words(subtitle, 120, 52)), "resolve": {"scale": {"color": "shared", "shape": "independent"}}}
    description = _sentences(title, subtitle)
    return Chart(_top(body, data, config=_config(narrow_legend=narrow), description=description), description)


def _series_panel(data: dict, colour: dict, tips: list, *, title, subtitle, width: int = 520) -> dict:
    x = enc("date_iso:T", title="Date the figure was given", axis={"format": "%-d %b", "labelAngle": 0, "tickCount": 6, "labelOverlap": True})
    y = enc("value:Q", title="Running total", scale={"zero": True}, axis={"format": "~s"})
    shapes = {"domain": ["below this (upper bound)", "above this (lower bound)", "this figure (exact)", "around this"], "range": ["triangle-down", "triangle-up", "circle", "diamond"]}
    line = {"mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
            "encoding": {"x": x, "y": y, "color": enc("lane:N", scale=colour, title="Claimed by"), "detail": enc("series_label:N")}}
    points = {"mark": {"type": "point", "filled": True, "size": 110},
              "encoding": {"x": x, "y": y, "color": enc("lane:N", scale=colour), "shape": enc("bound_label:N", title="The true count is", scale=shapes),
                           "opacity": enc("opacity:Q", scale=None, legend=None), "tooltip": tips + [tooltip("series_label:N", "Series")]}}
    latest = {"transform": [{"filter": "datum.latest"}], "mark": {"type": "text", "align": "right", "dx": -2, "dy": -14, "fontSize": 12, "fontWeight": "bold"},
              "encoding": {"x": x, "y": y, "text": enc("figure_text:N")}}
    return {"data": data, "layer": [line, points, latest], "width": width, "height": 220, "title": title_params(title, subtitle=subtitle, fontSize=13)}


def _singles_panel(rows: pd.DataFrame, data: dict, colour: dict, tips: list, *, title, subtitle, narrow: bool = False) -> dict:
    # Narrow screens: the row labels are written above each row's marks, not in an axis beside them.
    y = enc("label:N", title=None, sort=list(dict.fromkeys(rows["label"])), axis=None if narrow else {"labelLimit": 300})
    x = enc("value:Q", title="Number stated (log scale)", scale={"type": "log", "domain": [max(1, rows["value"].min() / 4), rows["value"].max() * 4], "nice": False}, axis={"format": "~s"})
    shapes = {"domain": ["below this (upper bound)", "above this (lower bound)", "this figure (exact)", "around this"], "range": ["triangle-left", "triangle-right", "circle", "diamond"]}
    faded = enc("opacity:Q", scale=None, legend=None)
    open_side = {"transform": [{"filter": "datum.bound_kind == 'upper' || datum.bound_kind == 'lower'"}], "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 2},
                 "encoding": {"x": x, "x2": {"field": "arrow_to"}, "y": y, "color": enc("lane:N", scale=colour, title="Claimed by"), "opacity": faded, "tooltip": tips}}
    marks = {"mark": {"type": "point", "filled": True, "size": 140},
             "encoding": {"x": x, "y": y, "color": enc("lane:N", scale=colour), "shape": enc("bound_label:N", title="The true count is", scale=shapes), "opacity": faded, "tooltip": tips}}
    labels = {"transform": [{"filter": "!datum.superseded"}], "mark": {"type": "text", "align": "left", "dx": 10, "dy": -9, "fontSize": 11}, "encoding": {"x": x, "y": y, "text": enc("mark_text:N")}}
    revised = {"transform": [{"filter": "datum.superseded"}], "mark": {"type": "text", "align": "right", "dx": -9, "dy": 11, "fontSize": 10, "color": "#6f6f6f"}, "encoding": {"x": x, "y": y, "text": enc("mark_text:N")}}
    layers = [open_side, marks, labels, revised]
    if narrow:
        layers.append({"mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -12, "fontSize": 10, "color": "#3d3d3d", "limit": 290}, "encoding": {"x": value(0), "y": y, "text": enc("label:N")}})
    return {"data": data, "layer": layers, "width": 290 if narrow else 520, "height": {"step": 50 if narrow else 34}, "title": title_params(title, subtitle=subtitle, fontSize=13)}


# ------------------------------------------------------------------ map


def place_map(drawn: dict, *, narrow: bool = False) -> Chart:
    """A locator of the region beside (below, when narrow) an inset of the places that matter most.

    `drawn` from map_data.place_map: panels, each with an explicit Mercator projection (so the labels
    placed in Python, beside their own dot and clear of the others, land where they are drawn).
    """
    data = Datasets()
    outlines = json.loads(paths.OUTLINES_GEOJSON.read_text(encoding="utf-8")) if paths.OUTLINES_GEOJSON.exists() else {"features": []}
    disputed_path = paths.OUTLINES_GEOJSON.with_name("disputed_areas.geojson")
    disputed = json.loads(disputed_path.read_text(encoding="utf-8"))["features"] if disputed_path.exists() else []
    lonlat = {"longitude": enc("longitude:Q"), "latitude": enc("latitude:Q")}
    panels = []
    for panel in drawn["panels"]:
        proj = {"type": "mercator", "scale": panel["scale"], "center": panel["center"], "translate": panel["translate"]}
        layers = [{"data": {"values": outlines["features"]}, "mark": {"type": "geoshape", "fill": "#f1efe9", "stroke": "#a9a59b", "strokeWidth": 0.8, "clip": True},
                   "encoding": {"tooltip": tooltip("properties.name:N", "Country")}, "projection": proj}]
        if disputed:
            layers.append({"data": {"values": disputed}, "mark": {"type": "geoshape", "fill": "#e3d9c6", "fillOpacity": 0.6, "stroke": "#8a6d3b", "strokeWidth": 1.2, "strokeDash": [4, 2], "clip": True},
                           "encoding": {"tooltip": value(drawn["disputed_note"])}, "projection": proj})
        if panel.get("box"):
            layers.append({"data": {"values": [panel["box"]]}, "mark": {"type": "geoshape", "filled": False, "stroke": "#8a1c1c", "strokeWidth": 1.5}, "projection": proj})
        if len(drawn["roads"]) and panel["roads"]:
            layers.append({"data": data(drawn["roads"]), "mark": {"type": "line", "color": "#8a1c1c", "strokeWidth": 2, "strokeDash": [5, 3], "clip": True},
                           "encoding": {**lonlat, "order": enc("order:Q"), "detail": enc("road:N")}, "projection": proj})
        if panel["areas"]:
            area_labels = pd.DataFrame(panel["areas"])
            for pos, (align, dx, dy) in LABEL_POSITIONS.items():
                part = area_labels[area_labels["pos"] == pos]
                if len(part):
                    layers.append({"data": data(part), "mark": {"type": "text", "align": align, "dx": dx, "dy": dy, "fontSize": 11, "fontStyle": "italic", "color": "#5e5a52"},
                                   "encoding": {**lonlat, "text": enc("name:N")}, "projection": proj})
        places = pd.DataFrame(panel["places"])
        if len(places):
            tips = [tooltip("name:N", "Place"), tooltip("other_names:N", "Also called"), tooltip("note:N", "Note"), tooltip("mentions:Q", "Statements about it")]
            size = enc("mentions:Q", title="Statements about the place", scale={"range": [40, 260], "domain": [0, drawn["max_mentions"]]}, legend=None)
            layers.append({"data": data(places), "transform": [{"calculate": "'Place: ' + datum.name + '; statements about it: ' + datum.mentions", "as": "aria"}],
                           "mark": {"type": "circle", "color": "#1d1d1b", "opacity": 0.9, "stroke": "#ffffff", "strokeWidth": 1},
                           "encoding": {**lonlat, "tooltip": tips, "description": enc("aria:N"), "size": size}, "projection": proj})
            for pos, (align, dx, dy) in LABEL_POSITIONS.items():
                part = places[places["pos"] == pos]
                if len(part):
                    layers.append({"data": data(part), "mark": {"type": "text", "align": align, "dx": dx, "dy": dy, "fontSize": 12, "fontWeight": "bold", "color": "#1d1d1b"},
                                   "encoding": {**lonlat, "text": enc("name:N")}, "projection": proj})
        panels.append({"layer": layers, "width": panel["width"], "height": panel["height"],
                       "title": title_params(_wrap(panel["title"], 48) if narrow else panel["title"], fontSize=12, fontWeight="normal", color="#5b5b57", anchor="start")})
    body = {"vconcat" if narrow else "hconcat": panels, "spacing": 12}
    head = title_params(_wrap(drawn["title"], 36) if narrow else drawn["title"], subtitle=_wrap(drawn["subtitle"], 52) if narrow else _wrap(drawn["subtitle"], 115))
    description = _sentences(drawn["title"], drawn["subtitle"])
    return Chart(_top(body, data, title=head, description=description), description)


# Where a label sits relative to its point: (align, dx, dy) for a text mark; map_data places by these.
LABEL_POSITIONS = {"right": ("left", 9, 4), "left": ("right", -9, 4), "above": ("center", 0, -10), "below": ("center", 0, 17)}


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [text]


def _sentences(title: str, subtitle: str) -> str:
    """A chart's description for screen readers: its title and subtitle as sentences."""
    return f"{title.rstrip('.')}. {subtitle}".strip()


class Responsive:
    """A wide chart and its narrow version (for screens under 600 px): one div; report.js picks."""

    def __init__(self, wide: Chart, narrow: Chart):
        self.wide, self.narrow = wide, narrow
        self.description = wide.description

    def spec(self, validate: bool = False) -> dict:
        spec = self.wide.spec(validate)
        narrow = self.narrow.spec(validate)
        shared = spec.get("datasets", {})
        narrow["datasets"] = {k: v for k, v in narrow.get("datasets", {}).items() if k not in shared}  # report.js adds the shared ones
        narrow.pop("$schema", None)
        spec["usermeta"] = {"narrow": narrow}
        return spec

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The render route's page gets both versions (report.js picks); notebook front ends get the
        # wide chart as Vega-Lite 5 + SVG (frontends.chart_bundle).
        from .frontends import chart_bundle, page_mode

        return chart_bundle(self.spec() if page_mode() else self.wide.spec())

    def to_altair(self):
        """The wide chart as an Altair object, for restyling it in a notebook."""
        return self.wide.to_altair()

    def __repr__(self) -> str:
        return f"<chart: {self.description}>"


def arrow_end(value: float, kind: str) -> float:
    """Where the dashed open side of a bound ends on the log axis (a visual cue, not data)."""
    if kind == "upper":
        return max(value / 3, 1)
    if kind == "lower":
        return value * 3
    return value
