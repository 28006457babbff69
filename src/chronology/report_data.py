"""What the report's sections read from the record model, tolerant of data without its columns.

selection.py and record.py derive most of this on Selection.rows; these helpers use its
columns and lookups when they are there and work from the raw columns otherwise, so that the report
renders old-style data (no time, truce, revises ... columns) and new-style data alike.
"""

from __future__ import annotations

import datetime as dt
import weakref
from pathlib import Path

import pandas as pd

from . import paths
from .dates import PartialDate
from .selection import MEASURE_GROUPS

ROLE_FROM_SIDE = {"azerbaijani": "belligerent", "armenian": "belligerent", "third-party": "outside-power", "press": "media"}
ROLE_WORDS = {
    "belligerent": "a party to the fighting",
    "outside-power": "an outside power",
    "international-organisation": "an international organisation",
    "ngo": "a human-rights organisation",
    "media": "a news organisation",
}
OUTSIDE_ROLES = ("outside-power", "international-organisation")
FALLBACK_MEASURES = MEASURE_GROUPS  # labels for data without measures.csv: the Selection's own


def ids(cell) -> list[str]:
    """'russia;armenia;azerbaijan' -> ['russia', 'armenia', 'azerbaijan']; '' -> []."""
    if not isinstance(cell, str):
        return []
    return [x.strip() for x in cell.split(";") if x.strip()]


def col(rows: pd.DataFrame, name: str) -> pd.Series:
    """A column of the record model, empty strings when the data has no such column."""
    return rows[name] if name in rows.columns else pd.Series("", index=rows.index, dtype="object")


def get(row, name: str, default=""):
    value = row.get(name, default) if hasattr(row, "get") else getattr(row, name, default)
    return default if value is None or (isinstance(value, float) and pd.isna(value)) else value


def and_list(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# ------------------------------------------------------------ parties, roles, sources


def role_of(sel, party: str) -> str:
    if hasattr(sel, "role_of"):
        try:
            return sel.role_of(party) or ""
        except (KeyError, ValueError):
            return ""
    p = sel.parties
    if party not in p.index:
        return ""
    role = p.loc[party].get("role", "") if "role" in p.columns else ""
    return role or ROLE_FROM_SIDE.get(p.loc[party, "side"], "")


def party_name(sel, party: str) -> str:
    p = sel.parties
    return p.loc[party, "name"] if party in p.index else party


def party_badges(sel, cell) -> list[dict]:
    """One badge per party of a row (a joint statement has several); an event has none."""
    return [{"side": sel.parties.loc[p, "side"] if p in sel.parties.index else "event", "name": party_name(sel, p), "role": ROLE_WORDS.get(role_of(sel, p), ""), "colour": _colour(sel, party_name(sel, p))} for p in ids(cell)]


_COLOURS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _colour(sel, name: str) -> str:
    """A party's one colour (the badge's dot), looked up once per Selection."""
    from .chart_data import lane_colours  # PAGE: the same rule as the charts' colour scale

    if sel not in _COLOURS:
        _COLOURS[sel] = lane_colours(sel.parties, sel.parties["name"])
    return _COLOURS[sel].get(name) or lane_colours(sel.parties, [name])[name]


def parties_text(sel, cell) -> str:
    return and_list([party_name(sel, p) for p in ids(cell)])


def source_items(sel, cell) -> list[dict]:
    """Every source of a row: publisher, title, date (the first is the one the text is taken from)."""
    table = _SOURCES.get(sel)
    if table is None:  # looked up once per Selection
        s = sel.data.sources
        table = _SOURCES[sel] = {r.id: {"id": r.id, "publisher": r.publisher, "title": r.title, "published": _published(r.published)} for r in s.itertuples()}
    return [dict(table[sid]) if sid in table else {"id": sid, "publisher": sid, "title": "", "published": ""} for sid in ids(cell)]


_SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sources_short(sel, cell) -> str:
    """'TASS, 10 October 2020; Asharq Al-Awsat, October 2020'."""
    return "; ".join(", ".join(x for x in (i["publisher"], i["published"]) if x) for i in source_items(sel, cell))


def used_source_ids(rows: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(sid for cell in rows["source_id"] for sid in ids(cell)))


def used_sources(sel) -> pd.DataFrame:
    s = sel.data.sources
    if sel.rows.empty:
        return s
    wanted = used_source_ids(sel.rows)
    return s[s["id"].isin(wanted)]


def _published(text: str) -> str:
    try:
        return PartialDate.parse(text).display()
    except ValueError:
        return text


# ------------------------------------------------------------ measures and topics


def _beside(sel, name: str) -> pd.DataFrame | None:
    """A model file (topics, measures): the Dataset's frame, else the file beside the statements, else bundled."""
    frame = getattr(sel.data, name, None)
    if isinstance(frame, pd.DataFrame):
        return frame
    for folder in (Path(sel.params.statements_path).parent, paths.STATEMENTS_CSV.parent):
        path = folder / f"{name}.csv"
        if path.exists():
            return pd.read_csv(path, dtype=str, keep_default_na=False)
    return None


def measure_labels(sel) -> dict[str, str]:
    cached = getattr(sel, "_report_measures", None)
    if cached is None:
        frame = _beside(sel, "measures")
        cached = dict(FALLBACK_MEASURES)
        if frame is not None:
            cached.update(dict(zip(frame["id"], frame["label"])))
        sel._report_measures = cached
    return cached


def measure_label(sel, measure: str) -> str:
    return measure_labels(sel).get(measure) or measure.replace("_", " ").capitalize()


def topic_label(sel, topic: str) -> str:
    """The topic's label in the naming convention ('Control of Hadrut'); generated from the id when unknown."""
    if hasattr(sel, "topic_label"):
        try:
            label = sel.topic_label(topic)
            if label:
                return label
        except (KeyError, ValueError, TypeError):
            pass
    labels = getattr(sel, "_report_topics", None)
    if labels is None:
        frame = _beside(sel, "topics")
        labels = dict(zip(frame["id"], frame["label"])) if frame is not None else {}
        sel._report_topics = labels
    if topic in labels:
        return sel.fill(labels[topic])
    words, out, i = topic.split("-"), [], 0
    while i < len(words):  # place ids may contain '-': take the longest run that names a place
        for j in range(len(words), i, -1):
            cand = "-".join(words[i:j])
            if cand in sel.names:
                out.append(sel.names[cand])
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    text = " ".join(out)
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------ time


def utc(row) -> pd.Timestamp | None:
    """The moment of a row as UTC when the source gives a time and a zone, else None."""
    t, zone = get(row, "time"), get(row, "time_zone")
    if not t or not zone:
        return None
    try:
        local = pd.Timestamp(f"{row['date']} {t}")
        if zone[0] in "+-":
            sign = 1 if zone[0] == "+" else -1
            hh, mm = zone[1:].split(":")
            return (local - sign * pd.Timedelta(hours=int(hh), minutes=int(mm))).tz_localize("UTC")
        return local.tz_localize(zone).tz_convert("UTC")
    except (ValueError, TypeError, KeyError):
        return None


def time_text(row) -> str:
    """The time as the source gives it: '00:00 Moscow time', '08:00 (UTC+04:00)'."""
    if "time_text" in getattr(row, "index", ()) and get(row, "time_text"):
        return get(row, "time_text")
    t, zone = get(row, "time"), get(row, "time_zone")
    if not t:
        return ""
    if not zone:
        return t
    if zone[0] in "+-":
        return f"{t} (UTC{zone})"
    return f"{t} {zone.split('/')[-1].replace('_', ' ')} time"


def order_key(row) -> tuple:
    """Date first, then the UTC time, then the order of the file."""
    moment = utc(row)
    return (row["start"], moment.tz_localize(None) if moment is not None else pd.Timestamp(row["start"]), get(row, "line", 0))


def sorted_rows(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return rows
    if "sort_key" in rows.columns:
        return rows.sort_values("sort_key", kind="stable")
    keys = [order_key(r) for _, r in rows.iterrows()]
    return rows.iloc[sorted(range(len(rows)), key=lambda i: keys[i])]


def duration_text(delta: dt.timedelta | pd.Timedelta, unit: str) -> str:
    seconds = pd.Timedelta(delta).total_seconds()
    if unit == "hours":
        minutes = round(seconds / 60)
        if minutes < 60:
            return plural(minutes, "minute")
        h, m = divmod(minutes, 60)
        return plural(h, "hour") + (f" {plural(m, 'minute')}" if m else "")
    days = round(seconds / 86400)
    return plural(days, "day")


# ------------------------------------------------------------ title, lede, limits written from the data


def places_most(sel, k: int = 3) -> list[str]:
    """The places most rows are about, in the naming convention."""
    counts = sel.rows.loc[sel.rows["place_id"] != "", "place_id"].value_counts()
    return [sel.place(p) for p in counts.index[:k]]


def page_title(sel) -> str:
    """The parameter, else the editorial title when the places it names are in the selection, else from the data."""
    from . import naming
    from .editorial import generic_title

    if sel.params.title:
        return sel.params.title
    title = sel.editorial.title
    about = set(sel.rows["place_id"])
    if title and all(t in sel.names and t in about for t in naming.tokens(title)):
        return sel.fill(title)
    return generic_title(places_most(sel), *(sel.window() or (None, None)))


def lede(sel) -> str:
    from .editorial import generic_lede

    if sel.editorial.lede:
        return sel.fill(sel.editorial.lede)
    v = sel.rows
    if v.empty:
        return ""
    return generic_lede(len(v), v["kind"].value_counts().to_dict(), used_sources(sel), places_most(sel), *(sel.window() or (None, None)))


def limits(sel) -> str:
    from .editorial import generic_limits

    if sel.editorial.limits:
        return sel.fill(sel.editorial.limits)
    counts = sel.rows.loc[sel.rows["place_id"] != "", "place_id"].value_counts()
    return generic_limits(used_sources(sel), [sel.place(p) for p in counts.index], *(sel.window() or (None, None)))
