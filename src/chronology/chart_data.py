"""The rows each chart draws, cut from a Selection to a few thousand marks at most."""

from __future__ import annotations

import pandas as pd

from . import charts, guards
from .selection import Selection

LISTED_PARTIES = 12  # parties named in prose and given their own lane; the rest are counted together


def timeline_rows(v: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """One mark per row when they fit, else rows counted per party and month (aggregated=True)."""
    if len(v) <= charts.MARK_LIMIT:
        rows = pd.DataFrame(
            {
                "lane": v["lane"],
                "side": v["side"],
                "kind": v["kind"],
                "start": v["start"].dt.strftime("%Y-%m-%d"),
                "end_excl": (v["end"] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d"),
                "precision": v["precision"],
                "is_span": (v["end"] > v["start"]) & (v["precision"] == "day"),
                "date_text": v["date_text"],
                "speaker": v["speaker"].where(v["speaker"] != "", "(event)"),
                "summary": v["summary_text"],
                "quote": v["quote"],
                "source": v["source"],
            }
        )
        rows["listing"] = rows["date_text"] + " · " + rows["speaker"] + ": " + rows["summary"]
        return rows.reset_index(drop=True), False
    # Too many to draw: count rows per lane and month; the table and download keep every row.
    top = v["lane"].value_counts().head(LISTED_PARTIES).index
    lane = v["lane"].where(v["lane"].isin(top), "Other parties")
    month = v["start"].dt.to_period("M")
    grouped = pd.DataFrame({"lane": lane, "side": v["side"].where(v["lane"].isin(top), "press"), "month": month}).groupby(["lane", "side", "month"], observed=True).size().reset_index(name="count")
    grouped = grouped.nlargest(charts.MARK_LIMIT, "count")
    start = grouped["month"].dt.start_time
    rows = pd.DataFrame(
        {
            "lane": grouped["lane"],
            "side": grouped["side"],
            "kind": "statement",
            "start": start.dt.strftime("%Y-%m-%d"),
            "end_excl": (grouped["month"] + 1).dt.start_time.dt.strftime("%Y-%m-%d"),
            "precision": "month",
            "is_span": False,
            "date_text": grouped["month"].dt.strftime("%B %Y"),
            "speaker": grouped["lane"],
            "summary": grouped["count"].map(lambda n: f"{n:,} rows"),
            "quote": "",
            "source": "",
            "count": grouped["count"],
        }
    ).sort_values("start")
    rows["listing"] = rows["date_text"] + " · " + rows["lane"] + ": " + rows["summary"]
    return rows.reset_index(drop=True), True


def detail_window(v: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The busiest stretch: the 75 days up to the last dated row, unless the data is shorter."""
    last = v["end"].max() + pd.Timedelta(days=3)
    first = v["start"].min()
    lo = max(first, last - pd.Timedelta(days=75))
    return pd.Timestamp(lo), pd.Timestamp(last)


def place_map(sel: Selection) -> dict | None:
    """The places in the selection near the front line, the editorial road, and the titles; None without places."""
    all_places = sel.data.places.copy()
    mentions = sel.rows["place_id"].value_counts()
    all_places["mentions"] = all_places["id"].map(mentions).fillna(0).astype(int)
    mentioned = all_places[all_places["mentions"] > 0]
    if mentioned.empty:
        return None
    road = sel.editorial.road
    road_ids = [pid for pid in road.places if pid in set(all_places["id"])] if road else []
    shown_road = bool(road) and (road.when_mentioned is None or road.when_mentioned in set(mentioned["id"]))
    on_road = all_places["id"].isin(road_ids) & shown_road
    # Regions are areas, not points: they are named in the table, not dotted on the map.
    shown = all_places[((all_places["mentions"] > 0) | on_road) & (all_places["kind"] != "region")].copy()
    if shown.empty:
        shown = mentioned.copy()
    far = guards.far_from_centre(shown)  # centred where most places are: never an empty map
    off_map = shown[far]
    shown = shown[~far]
    shown["name"] = shown["id"].map(sel.names)
    shown["note"] = [sel.fill(n) for n in shown["note"]]
    shown["other_names"] = [
        ", ".join(sorted({r.name_international, r.name_azerbaijani, r.name_armenian} - set(r.name.split("/")))) for r in shown.itertuples()
    ]
    # Close neighbours (Shusha is 6 km from Stepanakert) get their labels on opposite sides.
    shown = shown.sort_values("latitude", ascending=False)
    shown["label_below"] = [i % 2 == 1 for i in range(len(shown))]
    points = all_places.set_index("id")
    roads = pd.DataFrame(
        [{"road": road.label, "order": i, "longitude": points.loc[pid, "longitude"], "latitude": points.loc[pid, "latitude"]} for i, pid in enumerate(road_ids)]
        if on_road.any() and len(road_ids) >= 2 else [],
        columns=["road", "order", "longitude", "latitude"],
    )
    most = mentioned.sort_values(["mentions", "id"], ascending=[False, True]).iloc[0]
    title = f"{len(mentioned)} places in the report; most rows are about {sel.place(most['id'])}"
    notes = []
    if len(roads) and road.note:
        notes.append(sel.fill(road.note))
    if len(off_map):
        notes.append("off the map: " + ", ".join(f"{sel.place(r.id)} ({r.country})" for r in off_map.itertuples()))
    subtitle = "; ".join(notes) + "." if notes else "Circles sized by how many rows are about the place."
    cols = ["name", "other_names", "note", "mentions", "longitude", "latitude", "label_below"]
    return {"places": shown[cols].reset_index(drop=True), "roads": roads, "title": title, "subtitle": subtitle}
