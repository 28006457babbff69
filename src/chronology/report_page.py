"""The report's reader-facing sections: the opening (at a glance), the timeline and
its keyboard-reachable list, the map and its table, the statements table. report.Report delegates here.

Reader-facing words never say "rows": a row is a statement, an event or a figure.
"""

from __future__ import annotations

import weakref

import pandas as pd

from . import chart_data, charts, guards, map_data
from .page import HTML, section
from .qualifiers import phrase
from .selection import Selection

LIST_LIMIT = 400  # marks listed under the timeline; the table holds every statement
KIND_WORDS = {"statement": ("statement", "statements"), "event": ("event", "events"), "figure": ("figure", "figures")}


def _n(n: int, kind: str) -> str:
    one, many = KIND_WORDS.get(kind, (kind, kind + "s"))
    return f"{n:,} {one if n == 1 else many}"


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + (items[-1] if items else "")


def _span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    """'25 September to 1 December 2020'; '8 November 2020'."""
    if a.normalize() == b.normalize():
        return f"{b.day} {b:%B %Y}"
    return (f"{a.day} {a:%B}" if a.year == b.year else f"{a.day} {a:%B %Y}") + f" to {b.day} {b:%B %Y}"


def empty(sel: Selection, what: str) -> HTML:
    text = sel.empty_text(what)
    return section("empty", text, text=text)


def at_a_glance(sel: Selection) -> HTML:
    """The opening in plain words: who said most, the central claim, key figures grouped by period."""
    v = sel.rows
    if v.empty:
        return empty(sel, "statements, events or figures")
    kinds = v["kind"].value_counts()
    speaking = v.loc[v["party"] != "", "lane"]
    n_parties = speaking.nunique()
    lo, hi = chart_data.focus_window(v)
    in_focus = v[v["end"] >= lo]
    window = _span(in_focus["start"].min(), in_focus["end"].max()) if len(in_focus) else sel.window_text()
    top = speaking.value_counts().head(3)
    sentences = [f"From {window}, {n_parties} {'party' if n_parties == 1 else 'parties'} made {_n(int(kinds.get('statement', 0)), 'statement')} recorded here, alongside {_n(int(kinds.get('event', 0)), 'event')} and {_n(int(kinds.get('figure', 0)), 'figure')}."]
    if len(top):
        sentences.append(f"{_and([f'{name} ({n})' for name, n in top.items()])} spoke most.")
    claim = sel.central_claim()
    if claim is not None:
        c, responses = claim
        n = int(responses["stance"].isin(["denies", "disputes"]).sum())
        sentences.append(f"The most disputed claim: {c['summary_text'].rstrip('.')} ({c['speaker']}, {c['date_text']}); {n} {'answer denies or disputes' if n == 1 else 'answers deny or dispute'} it.")
    periods = _figures_by_period(sel)
    text = " ".join(sentences)
    plain = text + "".join(f"\n{p['label']}: " + "; ".join(p["items"]) for p in periods)
    lo, hi = chart_data.focus_window(v)
    facts = [(_n(int(kinds.get("statement", 0)), "statement").split(" ", 1)[1], f"{int(kinds.get('statement', 0)):,}"), ("parties speaking", f"{n_parties:,}"), ("period", window), (_n(int(kinds.get("figure", 0)), "figure").split(" ", 1)[1] + " (numbers as claimed)", f"{int(kinds.get('figure', 0)):,}")]
    return section("at_a_glance", plain, text=text, facts=facts, periods=periods)


def _figures_by_period(sel: Selection, per_period: int = 5) -> list[dict]:
    """Key figures, latest first within each period: 'Before the 2020 war' and the period of focus."""
    v = sel.rows
    figs = v[v["kind"] == "figure"]
    if "superseded" in figs:
        figs = figs[~figs["superseded"]]
    if figs.empty:
        return []
    lo, _ = chart_data.focus_window(v)
    out = []
    for label, part in ((f"Before {lo.year}" if (figs["end"] < lo).any() else "", figs[figs["end"] < lo]), ("During the period shown", figs[figs["end"] >= lo])):
        if part.empty:
            continue
        if not label:
            continue
        part = part.sort_values("start", ascending=False).head(per_period)
        items = []
        for r in part.itertuples():
            what = (getattr(r, "measure_label", "") or r.measure.replace("-", " ")).lower()
            items.append(f"{phrase(r.value, r.qualifier)} {what}, {r.speaker or r.lane} ({r.date_text})")
        if label == "During the period shown":
            first = v.loc[v["end"] >= lo, "start"].min()
            label = f"From {first.day} {first:%B %Y}" if (figs["end"] < lo).any() else "Key figures, as claimed"
        out.append({"label": label, "items": items})
    return out


# ------------------------------------------------------------------ timeline


_TIMELINE_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _timeline_rows(sel: Selection):
    """The timeline's marks, packed once per Selection: the chart and its keyboard list read the same."""
    if sel not in _TIMELINE_ROWS:
        _TIMELINE_ROWS[sel] = chart_data.timeline_rows(sel.rows, sel.parties)
    return _TIMELINE_ROWS[sel]


def timeline(sel: Selection):
    v = sel.rows
    if v.empty:
        return empty(sel, "dated statements to draw")
    rows, aggregated, earlier = _timeline_rows(sel)
    rows = guards.timeline_rows(rows)  # text Vega accepts, 4-digit years, at most 40 lanes
    window = chart_data.focus_window(v)
    title = chart_data.timeline_title(v, rows)
    subtitle = "One lane per party. Dots are known to the day (stacked when several fall on one day); bars are known only to the month, or span several days."
    if aggregated:
        subtitle = f"{len(v):,} statements are too many to draw one by one: bars count them per party and month."
    if len(earlier):
        subtitle += f" Not drawn: {len(earlier)} earlier {'statement' if len(earlier) == 1 else 'statements'} (from {earlier['start'].min().year} to {earlier['end'].max().year}), listed below the chart."
    wide = charts.timeline(rows, parties=sel.parties, window=window, title=title, subtitle=subtitle, aggregated=aggregated)
    narrow = charts.timeline(rows, parties=sel.parties, window=window, title=title, subtitle=subtitle, aggregated=aggregated, narrow=True)
    return charts.Responsive(wide, narrow)


def timeline_text(sel: Selection) -> HTML:
    """The timeline's marks as a list a keyboard and a screen reader reach: filtered by the chart's
    brush and legend (report.js), each item highlights its mark."""
    v = sel.rows
    if v.empty:
        return HTML("", "")
    rows, aggregated, earlier = _timeline_rows(sel)
    colours = chart_data.lane_colours(sel.parties, rows["lane"])
    items = [
        {"id": r.id, "start": r.start, "end": r.end_excl, "lane": r.lane, "colour": colours[r.lane], "date": r.date_text, "who": r.speaker, "what": r.summary}
        for r in rows.head(LIST_LIMIT).itertuples()
    ]
    before = [{"date": r.date_text, "who": r.speaker or "Event", "what": r.summary_text} for r in earlier.head(LIST_LIMIT).itertuples()]
    more = f"The first {LIST_LIMIT} of {len(rows):,} are listed; the table below holds every statement." if len(rows) > LIST_LIMIT else ""
    if len(earlier) > LIST_LIMIT:  # a long history before the period of focus: the table holds the rest
        more = (more + " " if more else "") + f"The first {LIST_LIMIT} of {len(earlier):,} earlier statements are listed."
    text = f"The chart's {len(rows):,} marks, in date order" + (f"; {len(earlier)} earlier statements listed apart" if len(earlier) else "") + "."
    return section("timeline_text", text, text=text, items=items, before=before, more=more)


# ------------------------------------------------------------------ map


def place_map(sel: Selection):
    drawn = map_data.place_map(sel)
    if drawn is None:
        return empty(sel, "places")
    return charts.Responsive(charts.place_map(drawn, narrow=False), charts.place_map(map_data.place_map(sel, narrow=True), narrow=True))


def places_text(sel: Selection) -> HTML:
    places = sel.data.places
    mentions = sel.rows["place_id"].value_counts()
    places = places[places["id"].isin(mentions.index)]
    if places.empty:
        return HTML("", "")
    names = sel.names
    rows = [{"name": names[r.id], "azerbaijani": r.name_azerbaijani, "armenian": r.name_armenian, "mentions": mentions[r.id], "note": sel.fill(r.note)} for r in places.itertuples()]
    return section("places_text", f"{len(places)} places: " + ", ".join(names[p] for p in places["id"]), rows=rows)


# ------------------------------------------------------------------ table

TABLE_ROW_LIMIT = 2000


def statements_table(sel: Selection) -> HTML:
    """Every statement, compact: one line of summary, the quote folded when long, the source column
    only when there is more than one source; a scroll box with a sticky header; cards on phones."""
    v = sel.rows
    if v.empty:
        return empty(sel, "statements")
    total = len(v)
    shown = v.head(TABLE_ROW_LIMIT)
    sources = v["source"].unique()
    columns = [("date", "Date", ""), ("who", "Who", ""), ("party", "Party", ""), ("what", "What was said or happened", ""), ("figure", "Figure", "num")]
    if len(sources) > 1:
        columns.append(("source", "Source", "wide"))
    colours = chart_data.lane_colours(sel.parties, shown["lane"])
    rows = [
        {"id": r.id, "date": r.date_text, "speaker": r.speaker, "stance": r.stance, "party": r.lane if r.party else "", "colour": colours[r.lane],
         "summary": r.summary_text, "quote": r.quote, "figure": phrase(r.value, r.qualifier) if r.kind == "figure" else "", "source": r.source}
        for r in shown.itertuples()
    ]
    if not any(r["figure"] for r in rows):
        columns = [c for c in columns if c[0] != "figure"]
    note = f"The table shows the first {TABLE_ROW_LIMIT:,} of {total:,} statements in date order, to keep the page light; the download below holds every one." if total > TABLE_ROW_LIMIT else ""
    text = f"{total} statements, events and figures in the table" + (f", {len(shown)} shown" if len(shown) < total else "")
    return section("statements_table", text, columns=columns, rows=rows, note=note, one_source=sources[0] if len(sources) == 1 else "")
