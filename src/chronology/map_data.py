"""What the map draws: a locator of the region and an inset of the places that matter most, with
explicit Mercator projections so labels can be placed here, each beside its own dot and clear of the
others (a greedy placement over four positions; charts.LABEL_POSITIONS draws them)."""

from __future__ import annotations

import json
import math
import re

import pandas as pd

from . import paths
from .selection import Selection

INSET_KM = 45  # places this close to the most-mentioned place go into the inset
CHAR_PX = 7.4  # width of a bold 12 px character (Helvetica/Arial), generous
LABEL_H = 15
DOT_R = 7


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _km(a, b) -> float:
    dlat = math.radians(b[1] - a[1])
    dlon = math.radians(b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return 6371 * math.hypot(dlat, dlon)


class Frame:
    """A Mercator projection fitted to a lon/lat box, as Vega draws it (scale, center, translate)."""

    def __init__(self, lon0, lat0, lon1, lat1, width, height):
        self.width, self.height = width, height
        cx, cy = (lon0 + lon1) / 2, (_merc(lat0) + _merc(lat1)) / 2
        self.center_lon = cx
        self.center_lat = math.degrees(2 * math.atan(math.exp(cy)) - math.pi / 2)
        self.k = min(width / math.radians(lon1 - lon0), height / (_merc(lat1) - _merc(lat0)))
        self.cy = cy

    def xy(self, lon, lat):
        return self.width / 2 + self.k * math.radians(lon - self.center_lon), self.height / 2 - self.k * (_merc(lat) - self.cy)

    def lonlat(self, x, y):
        lon = self.center_lon + math.degrees((x - self.width / 2) / self.k)
        lat = math.degrees(2 * math.atan(math.exp(self.cy - (y - self.height / 2) / self.k)) - math.pi / 2)
        return lon, lat

    def spec(self):
        return {"scale": self.k, "center": [self.center_lon, self.center_lat], "translate": [self.width / 2, self.height / 2]}


def _box(x, y, text, pos, char_px=CHAR_PX):
    w, h = len(text) * char_px, LABEL_H
    if pos == "right":
        return (x + 9, y - h / 2, x + 9 + w, y + h / 2)
    if pos == "left":
        return (x - 9 - w, y - h / 2, x - 9, y + h / 2)
    if pos == "above":
        return (x - w / 2, y - 10 - h, x + w / 2, y - 10)
    return (x - w / 2, y + 4, x + w / 2, y + 4 + h)


def _overlap(a, b) -> float:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def place_labels(points: list[tuple[float, float, str]], width: float, height: float, fixed: list = (), char_px=CHAR_PX, avoid: list = ()) -> list[str]:
    """A position for each label (in the given order of importance): no overlap with labels placed
    before, with any dot, or with `fixed` boxes; inside the frame; nearest its own dot. `avoid` boxes
    (the drawn road) are kept clear when a position allows it, but never cost a label its place."""
    dots = [(x - DOT_R, y - DOT_R, x + DOT_R, y + DOT_R) for x, y, _ in points]
    placed, out = list(fixed), []
    for i, (x, y, text) in enumerate(points):
        clear = []  # (cost with the road crossed, position) of each position clear of labels, dots and edges
        for order, pos in enumerate(("right", "left", "above", "below")):
            b = _box(x, y, text, pos, char_px)
            crossing = sum(_overlap(b, a) for a in avoid) * 0.05
            cost = order * 0.1
            cost += sum(_overlap(b, p) for p in placed) * 10
            cost += sum(_overlap(b, d) for j, d in enumerate(dots) if j != i) * 10
            out_x = max(0, -b[0]) + max(0, b[2] - width)
            out_y = max(0, -b[1]) + max(0, b[3] - height)
            cost += (out_x + out_y) * 50
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            own = math.hypot(cx - x, cy - y)
            if any(math.hypot(cx - px, cy - py) < own for j, (px, py, _) in enumerate(points) if j != i):
                cost += 500
            if cost < 1:
                clear.append((cost + crossing, order, pos))
        if not clear:  # no clear spot: the dot stays, its name is in its tooltip (and the table)
            out.append("none")
            continue
        best = min(clear)[2]
        placed.append(_box(x, y, text, best, char_px))
        out.append(best)
    return out


def place_map(sel: Selection, narrow: bool = False) -> dict | None:
    """Panels (locator, inset) with their places, label positions and projections; None without places."""
    places = sel.data.places.copy()
    mentions = sel.rows["place_id"].value_counts()
    places["mentions"] = places["id"].map(mentions).fillna(0).astype(int)
    mentioned = places[places["mentions"] > 0]
    if mentioned.empty:
        return None
    road = sel.editorial.road
    road_ids = [pid for pid in road.places if pid in set(places["id"])] if road else []
    shown_road = bool(road) and (road.when_mentioned is None or road.when_mentioned in set(mentioned["id"]))
    on_road = places["id"].isin(road_ids) & shown_road
    shown = places[((places["mentions"] > 0) | on_road) & (places["kind"] != "region")].copy()
    if shown.empty:
        return None
    shown["name"] = shown["id"].map(sel.names)
    shown["note"] = [sel.fill(n) for n in shown["note"]]
    shown["other_names"] = [", ".join(sorted({r.name_international, r.name_azerbaijani, r.name_armenian} - set(r.name.split("/")))) for r in shown.itertuples()]
    shown = shown.sort_values(["mentions", "id"], ascending=[False, True])
    # The locator: the places within reach of the focus (far ones are named in the subtitle).
    focus = shown.iloc[0]
    near = shown[[_km((focus.longitude, focus.latitude), (r.longitude, r.latitude)) < 900 for r in shown.itertuples()]]
    off_map = shown[~shown["id"].isin(near["id"])]
    inset = near[[_km((focus.longitude, focus.latitude), (r.longitude, r.latitude)) <= INSET_KM for r in near.itertuples()]]
    has_inset = len(inset) >= 2
    pts = places.set_index("id")
    road_line = [(pts.loc[pid, "longitude"], pts.loc[pid, "latitude"]) for pid in road_ids] if on_road.any() and len(road_ids) >= 2 else []
    w_loc, h_loc = (275, 220) if narrow else (310, 300)
    w_in, h_in = (275, 265) if narrow else (330, 300)
    lon0, lon1 = near["longitude"].min(), near["longitude"].max()
    lat0, lat1 = near["latitude"].min(), near["latitude"].max()
    pad_lon, pad_lat = max(1.6, (lon1 - lon0) * 0.25), max(1.2, (lat1 - lat0) * 0.3)
    loc = Frame(lon0 - pad_lon, lat0 - pad_lat, lon1 + pad_lon, lat1 + pad_lat, w_loc, h_loc)
    loc_places = near[~near["id"].isin(inset["id"])] if has_inset else near
    panels = []
    box = None
    if has_inset:
        ilon0, ilon1 = inset["longitude"].min(), inset["longitude"].max()
        ilat0, ilat1 = inset["latitude"].min(), inset["latitude"].max()
        ipad_lon, ipad_lat = max(0.12, (ilon1 - ilon0) * 0.35), max(0.1, (ilat1 - ilat0) * 0.35)
        ins = Frame(ilon0 - ipad_lon * 1.6, ilat0 - ipad_lat, ilon1 + ipad_lon * 1.6, ilat1 + ipad_lat, w_in, h_in)
        a = ins.lonlat(0, 0)
        b = ins.lonlat(w_in, h_in)
        box = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]], [a[0], a[1]]]]}}
        panels.append(_panel(sel, inset, ins, f"Close up: {_names(inset)}", roads=True, road=road_line))
    locator = _panel(sel, loc_places, loc, "The region" + (" (the red box is the close-up)" if has_inset else ""), roads=not has_inset, box=box, areas=_area_labels(loc, loc_places), road=road_line)
    panels = ([locator] + panels) if not narrow else (panels + [locator])
    roads = pd.DataFrame([{"road": road.label, "order": i, "longitude": lon, "latitude": lat} for i, (lon, lat) in enumerate(road_line)], columns=["road", "order", "longitude", "latitude"])
    most = mentioned.sort_values(["mentions", "id"], ascending=[False, True]).iloc[0]
    title = f"Most statements are about {sel.place(most['id'])}" + (f"; {focus['name']} is {_km_text(inset, focus)}" if has_inset else "")
    notes = []
    if len(roads) and road.note:
        notes.append(sel.fill(road.note))
    notes.append("shaded: the area held by the ethnic-Armenian authorities before the 2020 war (Natural Earth)")
    if len(off_map):
        notes.append("off the map: " + ", ".join(f"{sel.place(r.id)} ({r.country})" for r in off_map.itertuples()))
    subtitle = "; ".join(notes)
    subtitle = subtitle[:1].upper() + subtitle[1:] + "."
    return {"panels": panels, "roads": roads, "title": title, "subtitle": subtitle, "max_mentions": int(shown["mentions"].max()),
            "disputed_note": "Nagorno-Karabakh: the area held by the ethnic-Armenian authorities before the 2020 war, as Natural Earth draws it"}


def _names(frame: pd.DataFrame) -> str:
    names = list(frame["name"])
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _km_text(inset: pd.DataFrame, most) -> str:
    others = inset[inset["id"] != most["id"]]
    if others.empty:
        return ""
    r = others.iloc[0]
    return f"{round(_km((most.longitude, most.latitude), (r.longitude, r.latitude)))} km from {r['name']}"


def _panel(sel, frame_places: pd.DataFrame, frame: Frame, title: str, *, roads: bool, box=None, areas=None, road: list | None = None) -> dict:
    pts = [(*frame.xy(r.longitude, r.latitude), r.name) for r in frame_places.itertuples()]
    fixed = [(a["x0"], a["y0"], a["x1"], a["y1"]) for a in (areas or [])]
    avoid = _line_boxes([frame.xy(lon, lat) for lon, lat in road]) if roads and road else []
    pos = place_labels(pts, frame.width, frame.height, fixed=fixed, avoid=avoid)
    records = frame_places[["name", "other_names", "note", "mentions", "longitude", "latitude"]].to_dict("records")
    for rec, p in zip(records, pos):
        rec["pos"] = p
    return {**frame.spec(), "width": frame.width, "height": frame.height, "title": title, "places": records, "roads": roads, "box": box,
            "areas": [{k: a[k] for k in ("name", "longitude", "latitude", "pos")} for a in (areas or [])]}


def _line_boxes(points: list[tuple[float, float]], step: float = 4.0, half: float = 2.0) -> list[tuple]:
    """Small boxes every `step` pixels along a polyline: what a label placed over it would cover."""
    out = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        for k in range(n + 1):
            x, y = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
            out.append((x - half, y - half, x + half, y + half))
    return out


def _area_labels(frame: Frame, frame_places: pd.DataFrame) -> list[dict]:
    """Country names placed clear of the dots (and dropped when no clear spot is inside the frame)."""
    if not paths.OUTLINES_GEOJSON.exists():
        return []
    features = json.loads(paths.OUTLINES_GEOJSON.read_text(encoding="utf-8"))["features"]
    dots = [frame.xy(r.longitude, r.latitude) for r in frame_places.itertuples()]
    out, taken = [], [(x - DOT_R - 60, y - DOT_R - 10, x + DOT_R + 60, y + DOT_R + 10) for x, y in dots]
    for f in features:
        lon, lat = _label_point(f)
        x, y = frame.xy(lon, lat)
        name = f["properties"]["name"]
        for dx, dy in ((0, 0), (0, 30), (0, -30), (40, 0), (-40, 0), (40, 40), (-40, -40), (-40, 40), (40, -40)):
            b = _box(x + dx, y + dy, name, "right", 6.2)
            if b[0] < 2 or b[2] > frame.width - 2 or b[1] < 2 or b[3] > frame.height - 2:
                continue
            if any(_overlap(b, t) for t in taken):
                continue
            taken.append(b)
            lo, la = frame.lonlat(x + dx, y + dy)
            out.append({"name": name, "longitude": lo, "latitude": la, "pos": "right", "x0": b[0], "y0": b[1], "x1": b[2], "y1": b[3]})
            break
    return out


def _label_point(feature: dict) -> tuple[float, float]:
    geom = feature["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    return sum(pt[0] for pt in ring) / len(ring), sum(pt[1] for pt in ring) / len(ring)


def static_map_svg(sel: Selection) -> tuple[str, str]:
    """(svg, description): the report's map (region and close-up) drawn once as a static SVG by
    vl-convert, for the printed handout; ('', '') without places or without vl-convert."""
    from . import charts

    drawn = place_map(sel)
    if drawn is None:
        return "", ""
    try:
        import vl_convert
    except ImportError:
        return "", ""
    spec = charts.place_map(drawn).spec()
    svg = vl_convert.vegalite_to_svg(spec)
    svg = svg[svg.find("<svg"):] if "<svg" in svg else ""  # no XML prolog inside HTML
    svg = svg.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)  # the figure around it carries the text
    # Its own ids: a chart drawn in the page by Vega uses the same "clip1", "clip2"... Numbered in order of
    # appearance, because vl-convert counts on across drawings in one process (a kernel reused for a batch).
    names: dict[str, str] = {}
    svg = re.sub(r'(id="|url\(#|href="#)([\w-]+)', lambda m: m.group(1) + names.setdefault(m.group(2), f"handout-map-{len(names) + 1}"), svg)
    return svg, f"{drawn['title']}. {drawn['subtitle']}"
