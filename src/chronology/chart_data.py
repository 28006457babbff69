"""The rows each chart draws, cut from a Selection to a few thousand marks at most, and the one
party-colour rule every chart, badge and variant uses (party_scale / lane_colours).

ARCHITECTURE: colours and lane order come from parties.csv (its `colour` column, defaults filled by
record.parties_with_defaults, i.e. `sel.parties`), never from the order of a selection's rows, so the
same party keeps its colour and its lane in every chart and every variant of the page.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from . import charts

LISTED_PARTIES = 12  # parties named in prose and given their own lane; the rest are counted together
EVENT_LANE, OTHER_LANE = "Events", "Other parties"
EVENT_COLOUR, OTHER_COLOUR = "#3d3d3d", "#8a8a8a"
SLOT_PX = 11  # vertical distance between marks sharing a lane and a day (or overlapping spans)
DOT_PX = 11  # horizontal room a dot needs, with its outline
FOCUS_DAYS = 75  # the overview and detail show at most this many days up to the last row


# ------------------------------------------------------------------ colours and lanes (the one rule)


def _by_name(parties: pd.DataFrame) -> pd.DataFrame:
    p = parties.reset_index() if "id" not in parties.columns else parties
    return p.drop_duplicates("name").set_index("name")


def lane_colours(parties: pd.DataFrame, lanes: Iterable[str]) -> dict[str, str]:
    """The colour of each lane: its party's `colour`; a joint lane "A, B" takes A's; events dark grey."""
    by_name = _by_name(parties)["colour"].to_dict()

    def colour(lane: str) -> str:
        for name in (lane, lane.split(", ")[0]):
            if name in by_name:
                return str(by_name[name] or OTHER_COLOUR)
        return EVENT_COLOUR if lane == EVENT_LANE else OTHER_COLOUR

    return {lane: colour(lane) for lane in dict.fromkeys(lanes)}


def lane_order(parties: pd.DataFrame, lanes: Iterable[str]) -> list[str]:
    """Lanes in parties.csv order (a joint lane after its first party), then other parties, then events."""
    names = list(_by_name(parties).index)
    rank = {n: i for i, n in enumerate(names)}

    def key(lane: str):
        if lane == EVENT_LANE:
            return (len(names) + 2, lane)
        if lane in rank:
            return (rank[lane], "")
        return (rank.get(lane.split(", ")[0], len(names) + 1), lane)

    return sorted(dict.fromkeys(lanes), key=key)


def party_scale(parties: pd.DataFrame, lanes: Iterable[str]) -> dict:
    """THE colour scale of every chart's `lane` field: domain in lane order, one colour per party."""
    domain = lane_order(parties, lanes)
    colours = lane_colours(parties, domain)
    return {"domain": domain, "range": [colours[lane] for lane in domain]}


# ------------------------------------------------------------------ timeline


def focus_window(v: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period of focus: FOCUS_DAYS up to the last dated day (plus a margin), unless the data is shorter."""
    last = v["end"].max() + pd.Timedelta(days=2)
    day_rows = v[v["precision"] == "day"]
    first = (day_rows["start"].min() if len(day_rows) else v["start"].min()) - pd.Timedelta(days=2)
    lo = max(first, last - pd.Timedelta(days=FOCUS_DAYS))
    return pd.Timestamp(lo).normalize(), pd.Timestamp(last).normalize()


detail_window = focus_window  # the name report.py used


def _pack(starts: list[float], ends: list[float]) -> list[int]:
    """Greedy interval packing: the lowest slot whose last mark ends before this one starts."""
    slot_end: list[float] = []
    out = []
    for s, e in zip(starts, ends):
        for i, end in enumerate(slot_end):
            if end <= s:
                slot_end[i] = e
                out.append(i)
                break
        else:
            slot_end.append(e)
            out.append(len(slot_end) - 1)
    return out


def timeline_rows(v: pd.DataFrame, parties: pd.DataFrame | None = None, width: int = 640) -> tuple[pd.DataFrame, bool, pd.DataFrame]:
    """(marks, aggregated, earlier): one mark per row in the period of focus when they fit, else rows
    counted per party and month; `earlier` holds the rows that end before the period (named in a note).

    Marks that would overlap in a lane (same day, overlapping spans) get their own `slot`, drawn
    `dy` pixels apart, so every mark can be reached by the pointer.
    """
    lo, hi = focus_window(v)
    earlier = v[v["end"] < lo]
    v = v[v["end"] >= lo]
    if len(v) > charts.MARK_LIMIT:
        return _aggregated(v), True, earlier
    start = v["start"].where(v["start"] >= lo, lo)
    end_excl = v["end"] + pd.Timedelta(days=1)
    is_dot = (v["precision"] == "day") & (v["end"] <= v["start"])
    rows = pd.DataFrame(
        {
            "id": v["id"],
            "lane": v["lane"],
            "side": v["side"],
            "kind": v["kind"],
            "start": start.dt.strftime("%Y-%m-%d"),
            "end_excl": end_excl.dt.strftime("%Y-%m-%d"),
            "precision": v["precision"],
            "is_dot": is_dot,
            "began_earlier": v["start"] < lo,
            "date_text": v["date_text"],
            "speaker": v["speaker"].where(v["speaker"] != "", "(event)"),
            "summary": v["summary_text"],
            "quote": v["quote"],
            "source": v["source"],
        }
    ).reset_index(drop=True)
    days = max(1.0, (hi - lo).days)
    dot_days = max(1.0, DOT_PX * days / width)
    t0 = start.reset_index(drop=True).map(lambda t: (t - lo).days)
    t1 = end_excl.reset_index(drop=True).map(lambda t: (t - lo).days)
    s = t0.where(~rows["is_dot"], t0 + 0.5 - dot_days / 2)
    e = t1.where(~rows["is_dot"], t0 + 0.5 + dot_days / 2)
    rows["slot"] = 0
    rows["same_day"] = rows.groupby(["lane", "start", "is_dot"])["id"].transform("count")
    for idx in rows.groupby("lane").groups.values():
        order = sorted(idx, key=lambda i: (s[i], e[i]))
        for i, slot in zip(order, _pack([s[i] for i in order], [e[i] for i in order])):
            rows.at[i, "slot"] = slot
    rows["dy"] = rows["slot"] * SLOT_PX
    rows["label"] = rows["date_text"] + " · " + rows["speaker"] + " (" + rows["lane"] + "): " + rows["summary"]
    return rows, False, earlier


LANE_GAP = 12  # pixels between two lanes (a hairline sits in the gap)


def lane_layout(parties: pd.DataFrame, rows: pd.DataFrame, label_room: int = 0) -> pd.DataFrame:
    """Each lane's top and height in pixels: as many slots as it needs (a busy lane is taller).
    `label_room` reserves pixels above the marks for a lane label (the narrow layout)."""
    lanes = lane_order(parties, rows["lane"])
    slots = rows.groupby("lane")["slot"].max().reindex(lanes).fillna(0).astype(int) + 1
    out, top = [], 0
    for lane in lanes:
        height = label_room + slots[lane] * SLOT_PX + 4
        out.append({"lane": lane, "top": top, "height": height, "label_y": top + (label_room / 2 + 2 if label_room else height / 2), "marks_top": top + label_room + 2 + SLOT_PX / 2})
        top += height + LANE_GAP
    return pd.DataFrame(out)


def _aggregated(v: pd.DataFrame) -> pd.DataFrame:
    top = v["lane"].value_counts().head(LISTED_PARTIES).index
    lane = v["lane"].where(v["lane"].isin(top), OTHER_LANE)
    month = v["start"].dt.to_period("M")
    grouped = pd.DataFrame({"lane": lane, "side": v["side"], "month": month}).groupby(["lane", "month"], observed=True).agg(side=("side", "first"), count=("side", "size")).reset_index()
    grouped = grouped.nlargest(charts.MARK_LIMIT, "count")
    start = grouped["month"].dt.start_time
    rows = pd.DataFrame(
        {
            "id": grouped["lane"] + "-" + grouped["month"].astype(str),
            "lane": grouped["lane"], "side": grouped["side"], "kind": "statement",
            "start": start.dt.strftime("%Y-%m-%d"), "end_excl": (grouped["month"] + 1).dt.start_time.dt.strftime("%Y-%m-%d"),
            "precision": "month", "is_dot": False, "began_earlier": False,
            "date_text": grouped["month"].dt.strftime("%B %Y"), "speaker": grouped["lane"],
            "summary": grouped["count"].map(lambda n: f"{n:,} statements"), "quote": "", "source": "", "count": grouped["count"],
            "slot": 0, "same_day": 1, "dy": 0.0,
        }
    ).sort_values("start")
    rows["label"] = rows["date_text"] + " · " + rows["lane"] + ": " + rows["summary"]
    return rows.reset_index(drop=True)


def timeline_title(v: pd.DataFrame, rows: pd.DataFrame) -> str:
    """A title that states what the chart shows: who spoke most, and on which day most was said."""
    busiest = rows[rows["is_dot"]].groupby("start").size() if "is_dot" in rows else pd.Series(dtype=int)
    counts = v.loc[v["lane"] != EVENT_LANE, "lane"].value_counts()
    bits = []
    if len(counts):
        bits.append(f"{counts.index[0]} made the most statements ({counts.iloc[0]})")
    if len(busiest) and busiest.max() >= 3:
        day = pd.Timestamp(busiest.idxmax())
        bits.append(f"the busiest day was {day.day} {day:%B} ({busiest.max()} statements and events)")
    return ("; ".join(bits) + ".")[0].upper() + ("; ".join(bits) + ".")[1:] if bits else "What was said, and when"
