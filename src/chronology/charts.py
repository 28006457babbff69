"""Altair chart builders. Every chart gets data already cut to a few thousand marks at most."""

from __future__ import annotations

import json
import math

import altair as alt
import pandas as pd

from . import paths

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
        return self.chart.to_dict(validate=validate)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .page import altair_renderer

        return altair_renderer(self.spec())

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


def _party_scale(lanes: pd.DataFrame) -> alt.Scale:
    """One colour per party, shaded by side, stable for the same data."""
    shades = {
        "azerbaijani": ["#1f6fb2", "#5aa0d8", "#0d3f6b"],
        "armenian": ["#d3561c", "#f08a4b", "#8f3510", "#b8741a"],
        "third-party": ["#6b5aa8", "#3c8d5a", "#a05a8a", "#8a7a2e", "#2e7d8a"],
        "press": ["#6f6f6f", "#9a9a9a"],
        "event": ["#3d3d3d"],
    }
    used: dict[str, int] = {}
    domain, rng = [], []
    for name, side in lanes[["lane", "side"]].drop_duplicates().itertuples(index=False):
        palette = shades.get(side, ["#777777"])
        i = used.get(side, 0)
        used[side] = i + 1
        domain.append(name)
        rng.append(palette[i % len(palette)])
    return alt.Scale(domain=domain, range=rng)


def timeline(rows: pd.DataFrame, *, detail_window: tuple[pd.Timestamp, pd.Timestamp], title: str, subtitle: str, aggregated: bool = False) -> Chart:
    """Overview with a brush; detail of the brushed window; the statements in that window.

    `rows` has: lane, side, start, end_excl, precision, date_text, speaker, summary, quote, source, kind, listing.
    A day is drawn as a dot; a month, a year or a span as a bar over the whole period.
    """
    lanes = rows[["lane", "side"]].drop_duplicates()
    colour = _party_scale(lanes)
    lane_order = list(lanes["lane"])
    lo, hi = detail_window
    brush = alt.selection_interval(
        name="window",
        encodings=["x"],
        value={"x": [alt.DateTime(year=lo.year, month=lo.month, date=lo.day), alt.DateTime(year=hi.year, month=hi.month, date=hi.day)]},
    )
    legend_pick = alt.selection_point(name="party_pick", fields=["lane"], bind="legend")
    base = alt.Chart(rows)
    overview = (
        base.mark_tick(thickness=2, size=12)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y", tickCount=8)),
            y=alt.Y("lane:N", title=None, sort=lane_order, axis=None),
            color=alt.Color("lane:N", scale=colour, title="Party (click to hide or show)"),
            opacity=alt.condition(legend_pick, alt.value(0.9), alt.value(0.1)),
        )
        .properties(width=640, height=60, title=alt.TitleParams("Overview: drag across it to choose the period shown below", fontSize=11, fontWeight="normal", color="#5b5b57"))
        .add_params(brush)
    )
    tooltip = [
        alt.Tooltip("date_text:N", title="Date"),
        alt.Tooltip("speaker:N", title="Who"),
        alt.Tooltip("lane:N", title="Party"),
        alt.Tooltip("summary:N", title="What"),
        alt.Tooltip("quote:N", title="Quote"),
        alt.Tooltip("source:N", title="Source"),
    ]
    if aggregated:
        tooltip = [alt.Tooltip("date_text:N", title="Month"), alt.Tooltip("lane:N", title="Party"), alt.Tooltip("count:Q", title="Rows")]
    x_detail = alt.X("start:T", title="Date (dots: known to the day; bars: known only to the month or year, or a span)", scale=alt.Scale(domain=brush), axis=alt.Axis(format="%-d %b %Y", labelAngle=0, tickCount=6, labelOverlap=True))
    y_lane = alt.Y("lane:N", title=None, sort=lane_order, axis=alt.Axis(labelLimit=150))
    spans = (
        base.transform_filter("datum.precision != 'day' || datum.is_span")
        .mark_bar(height=10, cornerRadius=2, clip=True)
        .encode(x=x_detail, x2="end_excl:T", y=y_lane, color=alt.Color("lane:N", scale=colour, title="Party (click to hide or show)"), opacity=alt.condition(legend_pick, alt.value(0.55), alt.value(0.06)), tooltip=tooltip)
    )
    days = (
        base.transform_filter("datum.precision == 'day' && !datum.is_span")
        .mark_point(filled=True, size=90, clip=True, stroke="#ffffff", strokeWidth=1)
        .encode(x=x_detail, y=y_lane, color=alt.Color("lane:N", scale=colour), shape=alt.Shape("kind:N", title="Kind", scale=alt.Scale(domain=["statement", "figure", "event"], range=["circle", "diamond", "square"])), opacity=alt.condition(legend_pick, alt.value(1), alt.value(0.08)), tooltip=tooltip)
    )
    detail = (
        alt.layer(spans, days)
        .add_params(legend_pick)
        .properties(width=640, height=max(120, 28 * len(lane_order)), title=alt.TitleParams(title, subtitle=subtitle))
    )
    listing = (
        base.transform_filter(brush)
        .transform_filter(legend_pick)
        .transform_window(order="row_number()", sort=[alt.SortField("start", order="ascending")])
        .transform_filter("datum.order <= 12")
        .mark_text(align="left", baseline="top", fontSize=11, limit=640)
        .encode(x=alt.value(0), y=alt.Y("order:O", axis=None), text="listing:N", color=alt.Color("lane:N", scale=colour, title="Party (click to hide or show)"), tooltip=tooltip)
        .properties(width=640, height=12 * 18, title=alt.TitleParams("In the chosen period (first 12, in date order)", fontSize=11, fontWeight="normal", color="#5b5b57"))
    )
    chart = alt.vconcat(detail, overview, listing, spacing=18).resolve_scale(color="shared")
    return Chart(_config(chart).properties(description=f"{title}. {subtitle}"))


def figures(rows: pd.DataFrame, *, title: str, subtitle: str, series: pd.DataFrame | None = None) -> Chart:
    """Running totals against a date axis (when there are any) above single figures on a log scale.

    `rows` (single figures): label, group, lane, side, value, bound_kind, bound_label, arrow_to, figure_text,
    mark_text, speaker, sources_text, date_text, side_text, what, opacity. `series`: the same plus date_iso,
    series_label and latest (the point whose value is written beside it).
    """
    panels = []
    both = pd.concat([x for x in (rows, series) if x is not None and len(x)])
    colour = _party_scale(both[["lane", "side"]])
    tooltip = [alt.Tooltip("figure_text:N", title="Figure"), alt.Tooltip("speaker:N", title="Claimed by"), alt.Tooltip("what:N", title="Counts"), alt.Tooltip("date_text:N", title="Date"), alt.Tooltip("sources_text:N", title="Sources")]
    if series is not None and len(series):
        panels.append(_series_panel(series, colour, tooltip, title=title if not len(rows) else "Running totals over time", subtitle=subtitle if not len(rows) else "Each point is the total to that date, as the claimant gave it; the line steps to the next report."))
    if len(rows):
        panels.append(_singles_panel(rows, colour, tooltip, title=title if not panels else "Single figures", subtitle=subtitle if not panels else "Grouped by what they count, on a log scale. Triangles point the way the true count may lie; dashes mark the open side of a bound; faded marks were revised."))
    chart = panels[0] if len(panels) == 1 else alt.vconcat(*panels, spacing=28, title=alt.TitleParams(title, subtitle=subtitle)).resolve_scale(color="shared", shape="independent")
    return Chart(_config(chart).properties(description=f"{title}. {subtitle}"))


def _series_panel(pts: pd.DataFrame, colour, tooltip, *, title: str, subtitle: str):
    x = alt.X("date_iso:T", title="Date the figure was given", axis=alt.Axis(format="%-d %b", labelAngle=0, tickCount=6, labelOverlap=True))
    y = alt.Y("value:Q", title="Running total", scale=alt.Scale(zero=True), axis=alt.Axis(format="~s"))
    base = alt.Chart(pts)
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(x=x, y=y, color=alt.Color("lane:N", scale=colour, title="Claimed by"), detail="series_label:N")
    shapes = alt.Scale(domain=["below this (upper bound)", "above this (lower bound)", "this figure (exact)", "around this"], range=["triangle-down", "triangle-up", "circle", "diamond"])
    points = base.mark_point(filled=True, size=110).encode(x=x, y=y, color=alt.Color("lane:N", scale=colour), shape=alt.Shape("bound_label:N", title="The true count is", scale=shapes), opacity=alt.Opacity("opacity:Q", scale=None, legend=None), tooltip=tooltip + [alt.Tooltip("series_label:N", title="Series")])
    latest = base.transform_filter("datum.latest").mark_text(align="right", dx=-2, dy=-14, fontSize=12, fontWeight="bold").encode(x=x, y=y, text="figure_text:N")
    return alt.layer(line, points, latest).properties(width=520, height=220, title=alt.TitleParams(title, subtitle=subtitle, fontSize=13))


def _singles_panel(rows: pd.DataFrame, colour, tooltip, *, title: str, subtitle: str):
    y = alt.Y("label:N", title=None, sort=list(rows["label"]), axis=alt.Axis(labelLimit=220))
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
    labels = base.mark_text(align="left", dx=10, dy=-9, fontSize=11).encode(x=x, y=y, text="mark_text:N", opacity=alt.Opacity("opacity:Q", scale=None, legend=None))
    return alt.layer(open_side, marks, labels).properties(width=520, height=alt.Step(34), title=alt.TitleParams(title, subtitle=subtitle, fontSize=13))


def place_map(places: pd.DataFrame, roads: pd.DataFrame, *, title: str, subtitle: str) -> Chart:
    """Places over country outlines shipped in data/ (nothing fetched)."""
    outlines = json.loads(paths.OUTLINES_GEOJSON.read_text(encoding="utf-8")) if paths.OUTLINES_GEOJSON.exists() else {"type": "FeatureCollection", "features": []}
    lon_lo, lon_hi = places["longitude"].min(), places["longitude"].max()
    lat_lo, lat_hi = places["latitude"].min(), places["latitude"].max()
    pad_lon, pad_lat = max(1.5, (lon_hi - lon_lo) * 0.2), max(1.0, (lat_hi - lat_lo) * 0.3)
    frame = {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[lon_lo - pad_lon, lat_lo - pad_lat], [lon_hi + pad_lon, lat_hi + pad_lat]]}, "properties": {}}
    projection = dict(type="mercator", fit=frame)
    countries = (
        alt.Chart(alt.Data(values=outlines["features"]))
        .mark_geoshape(fill="#f1efe9", stroke="#a9a59b", strokeWidth=0.8, clip=True)
        .encode(tooltip=alt.Tooltip("properties.name:N", title="Country"))
        .project(**projection)
    )
    in_frame = [
        c for c in (_label_point(f) for f in outlines["features"])
        if lon_lo - pad_lon < c["longitude"] < lon_hi + pad_lon and lat_lo - pad_lat < c["latitude"] < lat_hi + pad_lat
    ]
    country_labels = (
        alt.Chart(alt.Data(values=in_frame))
        .mark_text(fontSize=12, color="#8d897f", fontStyle="italic")
        .encode(longitude="longitude:Q", latitude="latitude:Q", text="name:N")
        .project(**projection)
    )
    layers = [countries, country_labels]
    if len(roads):
        layers.append(
            alt.Chart(roads).mark_line(color="#8a1c1c", strokeWidth=2, strokeDash=[5, 3]).encode(longitude="longitude:Q", latitude="latitude:Q", order="order:Q", detail="road:N").project(**projection)
        )
    points = alt.Chart(places).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
        tooltip=[alt.Tooltip("name:N", title="Place"), alt.Tooltip("other_names:N", title="Also called"), alt.Tooltip("note:N", title="Note"), alt.Tooltip("mentions:Q", title="Rows in the report")],
    )
    layers.append(points.mark_circle(color="#1d1d1b", opacity=0.9).encode(size=alt.Size("mentions:Q", title="Rows about the place", scale=alt.Scale(range=[30, 400]))))
    layers.append(points.transform_filter("!datum.label_below").mark_text(align="left", dx=9, dy=-8, fontSize=12, fontWeight="bold").encode(text="name:N"))
    layers.append(points.transform_filter("datum.label_below").mark_text(align="right", dx=-9, dy=12, fontSize=12, fontWeight="bold").encode(text="name:N"))
    chart = alt.layer(*layers).properties(width=640, height=420, title=alt.TitleParams(title, subtitle=subtitle))
    return Chart(_config(chart).properties(description=f"{title}. {subtitle}"))


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
