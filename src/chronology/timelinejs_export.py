"""TimelineJS (Knight Lab) export: the dataset -> TimelineJS's spreadsheet CSV or TimelineJS3 JSON.

The spreadsheet has the 18 columns of the Google Sheets template. Every data text is HTML-escaped
(TimelineJS renders headlines and texts as HTML) and, in the CSV, a cell that a spreadsheet would
run as a formula gets a leading apostrophe.

Decisions (see also tests/test_timeline.py):
- One slide per statements row, in file order (TimelineJS sorts by date itself).
  Headline = the row's summary with {place_id} filled in the chosen naming: it is neutral,
  complete and written in the naming convention (a headline made of speaker + stance + topic
  would repeat the speaker and could not follow the naming). Text = the verbatim quote in
  quotation marks (never renamed), who said it (speaker, role, channel, via, stance), what it
  answers, the figure, and the source. A title slide (Type `title`) comes first.
  Rows with kind=event and topic=era go out as TimelineJS eras (Type `era`, JSON `eras`).
- Display Date = the span as `dates.display_span` writes it, then " — " and the source's own
  words for the date; the import reads the words back into date_as_reported.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass

from .dates import DateError, PartialDate, display_span
from .text import neutralise

HEADER = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)
EVENTS_GROUP = "Events"
ERA_TOPIC = "era"
DEFAULT_SOURCE_ID = "timelinejs-import"
AS_REPORTED_SEPARATOR = " — "
IMPORTED_PUBLISHER = "TimelineJS spreadsheet"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def csv_text(rows, lineterminator: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerows(rows)
    return buf.getvalue()


@dataclass
class Slide:
    """One TimelineJS slide, its texts already HTML-escaped."""

    start: PartialDate | None
    end: PartialDate | None
    display_date: str
    headline: str
    text: str
    group: str = ""
    type: str = ""  # "", "title" or "era"
    unique_id: str = ""


def _date_cells(date: PartialDate | None) -> list[str]:
    if date is None:
        return ["", "", ""]
    return [str(date.year), str(date.month or ""), str(date.day or "")]


def _date_json(date: PartialDate) -> dict:
    out: dict = {"year": date.year}
    if date.month:
        out["month"] = date.month
    if date.day:
        out["day"] = date.day
    return out

def default_title(ds, place_names: dict[str, str]) -> str:
    """The title an imported spreadsheet had; else the battle for Shusha when the data is
    about it; else a generic title."""
    imported = ds.sources[ds.sources["publisher"] == IMPORTED_PUBLISHER]
    if len(imported) == 1:
        return imported["title"].iat[0]
    st = ds.statements
    about_shusha = (st["place_id"] == "shusha").any() or st["summary"].str.contains("{shusha}", regex=False).any()
    if "shusha" in place_names and about_shusha:
        return f"The battle for {place_names['shusha']} (November 2020)"
    return "Chronology of statements and events"


def build_slides(ds, naming: str = "dual", title: str | None = None) -> list[Slide]:
    """The title slide, then one slide per statements row (eras included), in file order."""
    from .qualifiers import phrase
    from .naming import DESCRIPTIONS, fill, names

    place_names = names(ds.places, naming)
    party_names = dict(zip(ds.parties["id"], ds.parties["name"]))
    sources = {row["id"]: row for _, row in ds.sources.iterrows()}
    st = ds.statements
    headlines = {sid: fill(summary, place_names) for sid, summary in zip(st["id"], st["summary"])}

    def source_html(source_id: str) -> str:
        src = sources.get(source_id)
        if src is None:
            return ""
        title_html = f"<cite>{esc(src['title'])}</cite>"
        url = str(src.get("url", "") or "")
        if re.match(r"^https?://", url, re.I):
            title_html = f'<a href="{esc(url)}">{title_html}</a>'
        published = src.get("published", "")
        try:
            when = PartialDate.parse(published).display() if published else ""
        except DateError:
            when = published
        return f"<p>Source: {esc(src['publisher'])}, {title_html}" + (f", {esc(when)}" if when else "") + ".</p>"

    slides: list[Slide] = []
    title = title or default_title(ds, place_names)
    n = len(st)
    source_list = "; ".join(f"{s['publisher']}, \u201c{s['title']}\u201d" for s in sources.values())
    slides.append(
        Slide(
            None, None, "", esc(title),
            f"<p>{n} dated statement{'s' if n != 1 else ''}, events and figures, each from a source: {esc(source_list)}.</p>"
            f"<p>Place names: {esc(DESCRIPTIONS.get(naming, naming))}. Quotes are verbatim and keep the speaker's own place names.</p>",
            type="title",
        )
    )
    for _, row in st.iterrows():
        start = PartialDate.parse(row["date"])
        end = PartialDate.parse(row["date_end"]) if row["date_end"] else None
        display = display_span(start, end)
        if row["date_as_reported"]:
            display += AS_REPORTED_SEPARATOR + row["date_as_reported"]
        is_era = row["kind"] == "event" and row["topic"] == ERA_TOPIC
        parts: list[str] = []
        if row["quote"]:
            parts.append(f"<blockquote>\u201c{esc(row['quote'])}\u201d</blockquote>")
        who = ", ".join(x for x in (row["speaker"], row["role"]) if x)
        if who or row["channel"]:
            line = esc(who)
            if row["channel"]:
                line += (" \u2014 " if line else "") + esc(row["channel"])
            if row["via"]:
                line += f" (as relayed by {esc(row['via'])})"
            if row["stance"]:
                line += f". Stance: {esc(row['stance'])}"
            parts.append(f"<p>{line}.</p>")
        elif row["stance"]:
            parts.append(f"<p>Stance: {esc(row['stance'])}.</p>")
        if row["responds_to"] and row["responds_to"] in headlines:
            parts.append(f"<p>In reply to: {esc(headlines[row['responds_to']])}</p>")
        if row["kind"] == "figure" and row["measure"]:
            figure = phrase(float(row["value"]), row["qualifier"])
            parts.append(f"<p>Figure: {esc(figure)} {esc(row['unit'])} ({esc(row['measure'].replace('_', ' '))}).</p>")
        parts.append(source_html(row["source_id"].split(";")[0].strip()))  # the first source is the one quoted
        joint = " + ".join(party_names.get(p.strip(), p.strip()) for p in row["party"].split(";"))  # a joint statement
        group = "" if is_era else party_names.get(row["party"], joint) if row["party"] else EVENTS_GROUP
        slides.append(
            Slide(
                start, end if not is_era else (end or start), esc(display), esc(headlines[row["id"]]),
                "".join(p for p in parts if p), esc(group), type="era" if is_era else "", unique_id=row["id"],
            )
        )
    return slides


def export_csv(slides: list[Slide]) -> str:
    rows = [list(HEADER)]
    for s in slides:
        cells = dict.fromkeys(HEADER, "")
        cells["Year"], cells["Month"], cells["Day"] = _date_cells(s.start)
        cells["End Year"], cells["End Month"], cells["End Day"] = _date_cells(s.end)
        cells.update({"Display Date": s.display_date, "Headline": s.headline, "Text": s.text, "Type": s.type, "Group": s.group})
        rows.append([neutralise(cells[h]) for h in HEADER])
    return csv_text(rows, "\r\n")


def export_json(slides: list[Slide]) -> str:
    out: dict = {"events": [], "scale": "human"}
    eras = []
    for s in slides:
        text = {"headline": s.headline, "text": s.text}
        if s.type == "title":
            out["title"] = {"text": text}
            continue
        item: dict = {"start_date": _date_json(s.start)}
        if s.end is not None:
            item["end_date"] = _date_json(s.end)
        item["text"] = text
        if s.type == "era":
            eras.append(item)
            continue
        item["display_date"] = s.display_date
        if s.group:
            item["group"] = s.group
        item["unique_id"] = s.unique_id
        out["events"].append(item)
    if eras:
        out["eras"] = eras
    out = {"title": out.pop("title"), **out} if "title" in out else out
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"

