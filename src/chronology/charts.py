"""Altair chart builders. Every chart gets data already cut to a few thousand marks at most."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from . import guards, paths

# No chart embeds more marks than this; larger data is aggregated first (see Report).
MARK_LIMIT = 3000
SIDE_COLOURS = {"azerbaijani": "#1f6fb2", "armenian": "#d3561c", "third-party": "#6b5aa8", "press": "#6f6f6f", "event": "#3d3d3d"}
FONT = "Helvetica Neue, Arial, sans-serif"


class Chart:
    """A finished chart as the notebook displays it.

    The spec is built without re-validating it against the Vega-Lite schema on every render (that
    costs a noticeable share of a render); tests validate every chart's spec instead.
    """

    def __init__(self, chart):
        self.chart = chart

    def spec(self, validate: bool = False) -> dict:
        spec = self.chart.to_dict(validate=validate)
        guards.check_finite(spec, str(self.chart.description or "chart")[:60])
        return spec

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .frontends import chart_bundle

        return chart_bundle(self.spec())

    def __repr__(self) -> str:
        return f"<chart: {self.chart.description}>"


def _config(chart: alt.Chart) -> alt.Chart:
    # One Config set on a shallow copy: the chained configure_*() calls deep-copied the whole
    # chart (every layer, every encoding) once each, a large share of building a chart.
    chart = chart.copy(deep=False)
    chart.config = alt.Config(
        font=FONT,
        title=alt.TitleConfig(anchor="start", fontSize=15, subtitleColor="#5b5b57", subtitleFontSize=12),
        axis=alt.AxisConfig(labelFontSize=11, titleFontSize=11, grid=False),
        legend=alt.LegendConfig(labelFontSize=11, titleFontSize=11, orient="bottom", columns=3, symbolLimit=40),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


def _party_scale(lanes: pd.DataFrame, parties: pd.DataFrame | None = None) -> alt.Scale:
    """Kept for callers that have no parties frame: the colour rule is chart_data.party_scale."""
    from . import chart_data

    if parties is None:
        return alt.Scale(domain=list(dict.fromkeys(lanes["lane"])), range=[SIDE_COLOURS.get(s, "#777777") for s in lanes.drop_duplicates("lane")["side"]])
    return chart_data.party_scale(parties, lanes["lane"])


DAY_MS = 86_400_000


def timeline(rows: pd.DataFrame, *, parties: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp], title: str, subtitle: str, aggregated: bool = False, narrow: bool = False) -> Chart:
    """The detail of the chosen period above an overview with a brush over the period of focus.

    `rows` from chart_data.timeline_rows: one mark per row; `dy` spreads marks sharing a lane and a day.
    A day is a dot (drawn above the bars); a month, a year or a span is a bar over the whole period.
    The brush's window is widened to 3 days at least, and an empty brush shows the whole period.
    The page (report.js) links the marks to the list below the chart through the `hl` parameter.
    """
    from . import chart_data

    width = 300 if narrow else 640
    lanes = chart_data.lane_order(parties, rows["lane"])
    colour = chart_data.party_scale(parties, lanes)
    layout = chart_data.lane_layout(parties, rows, label_room=14 if narrow else 0)
    tops = layout.set_index("lane")["marks_top"]
    rows = rows.assign(ypos=rows["lane"].map(tops) + rows["dy"])
    height = int(layout["top"].iloc[-1] + layout["height"].iloc[-1]) if len(layout) else 40
    lo, hi = window
    lo_ms, hi_ms = guards.epoch_ms(lo), guards.epoch_ms(hi)
    brush = alt.selection_interval(name="window", encodings=["x"], value={"x": [lo_ms, hi_ms]})  # not alt.DateTime: Vega reads years 0-99 as 19xx
    w0 = alt.param(name="w0", expr=f"window && window.start ? +window.start[0] : {lo_ms}")
    w1 = alt.param(name="w1", expr=f"window && window.start ? +window.start[1] : {hi_ms}")
    pad = alt.param(name="wpad", expr=f"max(0, ({3 * DAY_MS} - (w1 - w0)) / 2)")
    hl = alt.param(name="hl", value="")
    hidden = alt.selection_point(name="party_pick", fields=["lane"], bind="legend", toggle="true", empty=False)
    legend_title = "Party: click to hide or show" if narrow else "Party: click one to hide or show it; double-click the chart to show all"
    # What a screen reader says for a mark (its aria-label): the party first, then date, who and what.
    said = "'; ' + datum.date_text + ': ' + datum.count + ' statements'" if aggregated else "'; ' + datum.date_text + '; ' + datum.speaker + ': ' + datum.summary"
    base = alt.Chart(rows).transform_calculate(aria="'Party: ' + datum.lane + " + said)
    described = alt.Description("aria:N")
    tooltip = [alt.Tooltip("date_text:N", title="Date"), alt.Tooltip("speaker:N", title="Who"), alt.Tooltip("lane:N", title="Party"), alt.Tooltip("summary:N", title="What"), alt.Tooltip("quote:N", title="Quote"), alt.Tooltip("source:N", title="Source")]
    if aggregated:
        tooltip = [alt.Tooltip("date_text:N", title="Month"), alt.Tooltip("lane:N", title="Party"), alt.Tooltip("count:Q", title="Statements")]
    x_detail = alt.X("start:T", title=None, scale=alt.Scale(domainMin=alt.ExprRef("w0 - wpad"), domainMax=alt.ExprRef("w1 + wpad")), axis=alt.Axis(orient="top", labelAngle=0, tickCount=4 if narrow else 8, labelOverlap=True, labelFontSize=11, grid=True, gridColor="#e6e4de", domain=False))
    y_px = alt.Y("ypos:Q", scale=None, axis=None)
    colour_enc = alt.Color("lane:N", scale=colour, title=legend_title, legend=alt.Legend(orient="bottom", columns=1 if narrow else 3, labelLimit=260, titleLimit=width, labelFontSize=11, titleFontSize=11))
    highlight = alt.condition("datum.id === hl", alt.value(3), alt.value(1))
    spans = (
        base.transform_filter("!datum.is_dot")
        .mark_rule(strokeWidth=7, strokeCap="butt", clip=True)
        .encode(x=x_detail, x2="end_excl:T", y=y_px, color=colour_enc,
                opacity=alt.condition(hidden, alt.value(0.08), alt.value(0.6)), strokeWidth=alt.condition("datum.id === hl", alt.value(10), alt.value(7)), tooltip=tooltip, description=described)
    )
    days = (
        base.transform_filter("datum.is_dot")
        .mark_point(filled=True, size=70, clip=True)
        .encode(x=x_detail, y=y_px, color=colour_enc,
                shape=alt.Shape("kind:N", title="Kind", scale=alt.Scale(domain=["statement", "figure", "event"], range=["circle", "diamond", "square"]), legend=None if narrow else alt.Legend(orient="bottom", labelFontSize=11, titleFontSize=11)),
                opacity=alt.condition(hidden, alt.value(0.08), alt.value(1)), stroke=alt.condition("datum.id === hl", alt.value("#000000"), alt.value("#ffffff")), strokeWidth=highlight, tooltip=tooltip, description=described)
    )
    lane_data = alt.Data(values=layout.assign(sep=layout["top"] + layout["height"] + chart_data.LANE_GAP / 2).to_dict("records"))
    seps = alt.Chart(lane_data).mark_rule(color="#d9d6cf", strokeWidth=1).encode(y=alt.Y("sep:Q", scale=None, axis=None))
    if narrow:
        labels = alt.Chart(lane_data).mark_text(align="left", baseline="middle", fontSize=11, fontWeight="bold", color="#1d1d1b", limit=width).encode(x=alt.value(0), y=alt.Y("label_y:Q", scale=None, axis=None), text="lane:N")
    else:
        labels = alt.Chart(lane_data).mark_text(align="right", baseline="middle", dx=-8, fontSize=11, color="#1d1d1b", limit=170).encode(x=alt.value(0), y=alt.Y("label_y:Q", scale=None, axis=None), text="lane:N")
    detail = (
        alt.layer(seps, spans, days, labels)
        .add_params(hidden, hl)
        .properties(width=width, height=height)
    )
    overview = (
        base.mark_tick(thickness=2, size=6)
        .encode(x=alt.X("start:T", title=None, scale=alt.Scale(domain=[lo.isoformat(), hi.isoformat()]), axis=alt.Axis(labelAngle=0, tickCount=4 if narrow else 8, labelOverlap=True, labelFontSize=11)),
                y=alt.Y("lane:N", sort=lanes, axis=None, scale=alt.Scale(domain=lanes)), color=colour_enc, description=described)
        .properties(width=width, height=max(30, 5 * len(lanes)), title=alt.TitleParams("Drag across this strip to choose the period shown above", fontSize=11, fontWeight="normal", color="#5b5b57", anchor="start"))
        .add_params(brush)
    )
    chart = alt.vconcat(detail, overview, spacing=14).add_params(w0, w1, pad).resolve_scale(color="shared")
    chart = _config(chart).properties(description=f"{title}. {subtitle}", title=alt.TitleParams(_wrap(title, 44) if narrow else title, subtitle=_wrap(subtitle, 56) if narrow else _wrap(subtitle, 110), subtitleFontSize=11))
    return Chart(chart)


def figures(rows: pd.DataFrame, *, title: str, subtitle: str, series: pd.DataFrame | None = None, narrow: bool = False, parties: pd.DataFrame | None = None) -> Chart:
    """Running totals against a date axis (when there are any) above single figures on a log scale.

    `rows` (single figures): label, group, lane, side, value, bound_kind, bound_label, arrow_to, figure_text,
    mark_text, speaker, sources_text, date_text, side_text, what, opacity. `series`: the same plus date_iso,
    series_label and latest (the point whose value is written beside it).
    """
    panels = []
    both = pd.concat([x for x in (rows, series) if x is not None and len(x)])
    colour = _party_scale(both[["lane", "side"]], parties)
    tooltip = [alt.Tooltip("figure_text:N", title="Figure"), alt.Tooltip("speaker:N", title="Claimed by"), alt.Tooltip("what:N", title="Counts"), alt.Tooltip("date_text:N", title="Date"), alt.Tooltip("sources_text:N", title="Sources")]
    def words(text: str, wide: int, thin: int):
        return _wrap(text, thin) if narrow else _wrap(text, wide)

    if series is not None and len(series):
        t, sub = (title, subtitle) if not len(rows) else ("Running totals over time", "Each point is the total to that date, as the claimant gave it; the line steps to the next report.")
        panels.append(_series_panel(series, colour, tooltip, title=words(t, 90, 40), subtitle=words(sub, 110, 52), width=280 if narrow else 520))
    if len(rows):
        t, sub = (title, subtitle) if not panels else ("Single figures", "Grouped by what they count, on a log scale. Triangles point the way the true count may lie; dashes mark the open side of a bound; faded marks were revised.")
        panels.append(_singles_panel(rows, colour, tooltip, title=words(t, 90, 40), subtitle=words(sub, 110, 52), narrow=narrow))
    head = alt.TitleParams(words(title, 100, 40), subtitle=words(subtitle, 120, 52))
    chart = panels[0] if len(panels) == 1 else alt.vconcat(*panels, spacing=28, title=head).resolve_scale(color="shared", shape="independent")
    chart = _config(chart)
    if narrow:
        chart.config.legend = alt.LegendConfig(labelFontSize=11, titleFontSize=11, orient="bottom", columns=1, labelLimit=280, symbolLimit=40)
    return Chart(chart.properties(description=f"{title}. {subtitle}"))


def _series_panel(pts: pd.DataFrame, colour, tooltip, *, title, subtitle, width: int = 520):
    x = alt.X("date_iso:T", title="Date the figure was given", axis=alt.Axis(format="%-d %b", labelAngle=0, tickCount=6, labelOverlap=True))
    y = alt.Y("value:Q", title="Running total", scale=alt.Scale(zero=True), axis=alt.Axis(format="~s"))
    base = alt.Chart(pts)
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(x=x, y=y, color=alt.Color("lane:N", scale=colour, title="Claimed by"), detail="series_label:N")
    shapes = alt.Scale(domain=["below this (upper bound)", "above this (lower bound)", "this figure (exact)", "around this"], range=["triangle-down", "triangle-up", "circle", "diamond"])
    points = base.mark_point(filled=True, size=110).encode(x=x, y=y, color=alt.Color("lane:N", scale=colour), shape=alt.Shape("bound_label:N", title="The true count is", scale=shapes), opacity=alt.Opacity("opacity:Q", scale=None, legend=None), tooltip=tooltip + [alt.Tooltip("series_label:N", title="Series")])
    latest = base.transform_filter("datum.latest").mark_text(align="right", dx=-2, dy=-14, fontSize=12, fontWeight="bold").encode(x=x, y=y, text="figure_text:N")
    return alt.layer(line, points, latest).properties(width=width, height=220, title=alt.TitleParams(title, subtitle=subtitle, fontSize=13))


def _singles_panel(rows: pd.DataFrame, colour, tooltip, *, title, subtitle, narrow: bool = False):
    # Narrow screens: the row labels are written above each row's marks, not in an axis beside them.
    y = alt.Y("label:N", title=None, sort=list(dict.fromkeys(rows["label"])), axis=None if narrow else alt.Axis(labelLimit=300))
    x = alt.X("value:Q", title="Number stated (log scale)", scale=alt.Scale(type="log", domain=[max(1, rows["value"].min() / 4), rows["value"].max() * 4], nice=False), axis=alt.Axis(format="~s"))
    base = alt.Chart(rows)
    open_side = (
        base.transform_filter("datum.bound_kind == 'upper' || datum.bound_kind == 'lower'")
        .mark_rule(strokeDash=[4, 3], strokeWidth=2)
        .encode(x=x, x2="arrow_to:Q", y=y, color=alt.Color("lane:N", scale=colour, title="Claimed by"), opacity=alt.Opacity("opacity:Q", scale=None, legend=None), tooltip=tooltip)
    )
    marks = base.mark_point(filled=True, size=140).encode(
        x=x,
        y=y,
        color=alt.Color("lane:N", scale=colour),
        shape=alt.Shape("bound_label:N", title="The true count is", scale=alt.Scale(domain=["below this (upper bound)", "above this (lower bound)", "this figure (exact)", "around this"], range=["triangle-left", "triangle-right", "circle", "diamond"])),
        opacity=alt.Opacity("opacity:Q", scale=None, legend=None),
        tooltip=tooltip,
    )
    labels = base.transform_filter("!datum.superseded").mark_text(align="left", dx=10, dy=-9, fontSize=11).encode(x=x, y=y, text="mark_text:N")
    revised = base.transform_filter("datum.superseded").mark_text(align="right", dx=-9, dy=11, fontSize=10, color="#6f6f6f").encode(x=x, y=y, text="mark_text:N")
    layers = [open_side, marks, labels, revised]
    if narrow:
        layers.append(base.mark_text(align="left", baseline="bottom", dy=-12, fontSize=10, color="#3d3d3d", limit=290).encode(x=alt.value(0), y=y, text="label:N"))
    return alt.layer(*layers).properties(width=290 if narrow else 520, height=alt.Step(50 if narrow else 34), title=alt.TitleParams(title, subtitle=subtitle, fontSize=13))


def place_map(drawn: dict, *, narrow: bool = False) -> Chart:
    """A locator of the region beside (below, when narrow) an inset of the places that matter most.

    `drawn` from map_data.place_map: panels, each with an explicit Mercator projection (so the labels
    placed in Python, beside their own dot and clear of the others, land where they are drawn).
    """
    outlines = json.loads(paths.OUTLINES_GEOJSON.read_text(encoding="utf-8")) if paths.OUTLINES_GEOJSON.exists() else {"features": []}
    disputed_path = paths.OUTLINES_GEOJSON.with_name("disputed_areas.geojson")
    disputed = json.loads(disputed_path.read_text(encoding="utf-8"))["features"] if disputed_path.exists() else []
    panels = []
    for panel in drawn["panels"]:
        proj = dict(type="mercator", scale=panel["scale"], center=panel["center"], translate=panel["translate"])
        layers = [
            alt.Chart(alt.Data(values=outlines["features"])).mark_geoshape(fill="#f1efe9", stroke="#a9a59b", strokeWidth=0.8, clip=True).encode(tooltip=alt.Tooltip("properties.name:N", title="Country")).project(**proj),
        ]
        if disputed:
            layers.append(alt.Chart(alt.Data(values=disputed)).mark_geoshape(fill="#e3d9c6", fillOpacity=0.6, stroke="#8a6d3b", strokeWidth=1.2, strokeDash=[4, 2], clip=True).encode(tooltip=alt.value(drawn["disputed_note"])).project(**proj))
        if panel.get("box"):
            layers.append(alt.Chart(alt.Data(values=[panel["box"]])).mark_geoshape(filled=False, stroke="#8a1c1c", strokeWidth=1.5).project(**proj))
        if len(drawn["roads"]) and panel["roads"]:
            layers.append(alt.Chart(drawn["roads"]).mark_line(color="#8a1c1c", strokeWidth=2, strokeDash=[5, 3], clip=True).encode(longitude="longitude:Q", latitude="latitude:Q", order="order:Q", detail="road:N").project(**proj))
        if panel["areas"]:
            area_labels = pd.DataFrame(panel["areas"])
            for pos, (align, dx, dy) in LABEL_POSITIONS.items():
                part = area_labels[area_labels["pos"] == pos]
                if len(part):
                    layers.append(alt.Chart(part).mark_text(align=align, dx=dx, dy=dy, fontSize=11, fontStyle="italic", color="#5e5a52").encode(longitude="longitude:Q", latitude="latitude:Q", text="name:N").project(**proj))
        places = pd.DataFrame(panel["places"])
        if len(places):
            points = alt.Chart(places).encode(longitude="longitude:Q", latitude="latitude:Q", tooltip=[alt.Tooltip("name:N", title="Place"), alt.Tooltip("other_names:N", title="Also called"), alt.Tooltip("note:N", title="Note"), alt.Tooltip("mentions:Q", title="Statements about it")])
            layers.append(points.transform_calculate(aria="'Place: ' + datum.name + '; statements about it: ' + datum.mentions").mark_circle(color="#1d1d1b", opacity=0.9, stroke="#ffffff", strokeWidth=1).encode(description="aria:N", size=alt.Size("mentions:Q", title="Statements about the place", scale=alt.Scale(range=[40, 260], domain=[0, drawn["max_mentions"]]), legend=None)).project(**proj))
            for pos, (align, dx, dy) in LABEL_POSITIONS.items():
                part = places[places["pos"] == pos]
                if len(part):
                    layers.append(alt.Chart(part).mark_text(align=align, dx=dx, dy=dy, fontSize=12, fontWeight="bold", color="#1d1d1b").encode(longitude="longitude:Q", latitude="latitude:Q", text="name:N").project(**proj))
        panels.append(alt.layer(*layers).properties(width=panel["width"], height=panel["height"], title=alt.TitleParams(_wrap(panel["title"], 48) if narrow else panel["title"], fontSize=12, fontWeight="normal", color="#5b5b57", anchor="start")))
    body = (alt.vconcat if narrow else alt.hconcat)(*panels, spacing=12)
    title = _wrap(drawn["title"], 36) if narrow else drawn["title"]
    subtitle = _wrap(drawn["subtitle"], 52) if narrow else _wrap(drawn["subtitle"], 115)
    chart = _config(body).properties(title=alt.TitleParams(title, subtitle=subtitle), description=f"{drawn['title']}. {drawn['subtitle']}")
    return Chart(chart)


# Where a label sits relative to its point: (align, dx, dy) for mark_text; map_data places by these.
LABEL_POSITIONS = {"right": ("left", 9, 4), "left": ("right", -9, 4), "above": ("center", 0, -10), "below": ("center", 0, 17)}


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


class Responsive:
    """A wide chart and its narrow version (for screens under 600 px): one div; report.js picks."""

    def __init__(self, wide: Chart, narrow: Chart):
        self.wide, self.narrow = wide, narrow
        self.chart = wide.chart

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

    def __repr__(self) -> str:
        return f"<chart: {self.chart.description}>"


def arrow_end(value: float, kind: str) -> float:
    """Where the dashed open side of a bound ends on the log axis (a visual cue, not data)."""
    if kind == "upper":
        return max(value / 3, 1)
    if kind == "lower":
        return value * 3
    return value


def _label_point(feature: dict) -> dict:
    """Where to write a country's name: the mean vertex of its largest ring (good enough at this scale)."""
    geom = feature["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    lon = sum(pt[0] for pt in ring) / len(ring)
    lat = sum(pt[1] for pt in ring) / len(ring)
    return {"name": feature["properties"]["name"], "longitude": round(lon, 3), "latitude": round(lat, 3)}
