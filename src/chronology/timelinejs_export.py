"""TimelineJS (Knight Lab) export: a selection of the dataset -> TimelineJS's spreadsheet CSV or TimelineJS3 JSON.

What a slide shows
- One slide per kept statements row (`chronology.selection.Selection`: --start/--end/--parties,
  place names in --naming), in date order; a title slide first. Rows with kind=event and
  topic=era go out as TimelineJS eras (Type `era`, JSON `eras`).
- Headline: short, "who — what": the speaker (else the party names, else nothing) and the topic's
  label (the dataset's topics: topics.csv beside the data, else the bundled one; a topic it does not
  name: the topic id in words; place ids in the naming), cut to 80 characters at a word with "…".
  Eras: the summary, cut the same way.
- Text: the summary (in the naming), then the verbatim quote (never renamed), who said it, what it
  answers, the figure, and the source(s).
- Display Date: the span as `dates.display_span` writes it, then " — " and the source's own words.
- Group: the party name(s) (';'-separated ids -> names joined by "; "); rows without a party: "Events".

Escaping
- CSV: every cell is plain text (no HTML, no entities; the Text's parts are separate lines), and a
  cell a spreadsheet would run as a formula gets a leading apostrophe (`text.neutralise`).
  TimelineJS reads Headline and Text as HTML and cleans them with DOMPurify, so nothing in a cell runs.
- JSON: every text TimelineJS shows (headline, text, display_date, group) is HTML with the data
  escaped by `html.escape(quote=True)`, the same way in every field.

Lossless round trip (`timeline import` of our own export gives back every column of every row)
- JSON: each event and era carries `"chronology": {COLUMN: TEXT, ...}`, the statements row with every
  column of the file (new columns included, values as written); the title slide carries
  `"chronology": {"format": "chronology-timelinejs/1", "columns": [...], "parties": [...],
  "sources": [...], "places": [...], "topics": [...], "measures": [...]}`: the statements columns in
  order and the rows of the other tables the kept rows use (all places, topics and measures). TimelineJS ignores keys it does not know.
- CSV (18 columns, none added): the `Media Credit` cell, unused when `Media` is empty (TimelineJS
  shows a credit only under a media item), holds `chronology:` + the same JSON object, compact, on
  every slide (the title row's holds the dataset object). A row whose Media Credit does not start
  with `chronology:` is read as an ordinary TimelineJS slide. Edit the visible cells of such a row and
  the import still takes the hidden row: delete its Media Credit to have the visible cells read.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from .dates import DateError, PartialDate, display_span
from .text import neutralise

HEADER = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)
HIDDEN_COLUMN = "Media Credit"
HIDDEN_PREFIX = "chronology:"
HIDDEN_KEY = "chronology"
FORMAT = "chronology-timelinejs/1"
EVENTS_GROUP = "Events"
ERA_TOPIC = "era"
AS_REPORTED_SEPARATOR = " \u2014 "
IMPORTED_PUBLISHER = "TimelineJS spreadsheet"
LIST_SEPARATOR = ";"
HEADLINE_MAX = 80
# Columns the loader and the selection add to a statements frame: never part of a row.
DERIVED = {"line", "start", "end", "precision", "lane", "side", "summary_text", "place_name", "source", "date_text"}


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def csv_text(rows, lineterminator: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerows(rows)
    return buf.getvalue()


def split_list(cell: str) -> list[str]:
    """'russia;armenia' -> ['russia', 'armenia'] (a ';'-separated list of ids)."""
    return [x.strip() for x in str(cell or "").split(LIST_SEPARATOR) if x.strip()]


def cell_text(value) -> str:
    """A frame value back to the text a CSV cell holds (numbers without a spurious '.0')."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


@dataclass
class Part:
    """One paragraph of a slide's text: plain text, and HTML when it differs (a link, a quote)."""

    plain: str
    html: str = ""

    def as_html(self) -> str:
        return self.html or f"<p>{esc(self.plain)}</p>"


@dataclass
class Slide:
    """One TimelineJS slide, its texts plain (escaped when written as JSON)."""

    start: PartialDate | None
    end: PartialDate | None
    display_date: str
    headline: str
    parts: list[Part]
    group: str = ""
    type: str = ""  # "", "title" or "era"
    unique_id: str = ""
    hidden: dict = field(default_factory=dict)

    @property
    def text_plain(self) -> str:
        return "\n".join(p.plain for p in self.parts if p.plain)

    @property
    def text_html(self) -> str:
        return "".join(p.as_html() for p in self.parts if p.plain)


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


def raw_rows(path: Path | None) -> tuple[list[str], dict[str, dict]]:
    """The statements file's own header and rows by id, every column as written (new columns too)."""
    if path is None or not Path(path).is_file():
        return [], {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = {}
        for rec in reader:
            row = {h: (rec[i] if i < len(rec) else "") for i, h in enumerate(header) if h and h not in DERIVED}
            if row.get("id", "").strip():
                rows[row["id"].strip()] = row
    return [h for h in header if h and h not in DERIVED], rows


def topic_labels(statements_path: Path | None) -> dict[str, str]:
    """topic id -> label from topics.csv beside the statements (when there is one)."""
    if statements_path is None:
        return {}
    path = Path(statements_path).parent / "topics.csv"
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {r["id"].strip(): (r.get("label") or "").strip() for r in csv.DictReader(fh) if r.get("id") and r.get("label")}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error):
        return {}


def topic_label(topic: str, labels: dict[str, str], place_names: dict[str, str]) -> str:
    from .naming import fill

    if topic in labels:
        return fill(labels[topic], place_names)
    words = [place_names.get(w, w) for w in re.split(r"[-_]+", topic) if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _cut(text: str, limit: int = HEADLINE_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def _frame_records(frame) -> list[dict]:
    """A places/parties/sources frame as rows of text (the loader's `line` left out)."""
    return [{c: cell_text(v) for c, v in row.items() if c != "line"} for row in frame.to_dict("records")]


def build_slides(ds, rows=None, naming: str = "dual", title: str | None = None, place_names: dict | None = None) -> list[Slide]:
    """The title slide, then one slide per row of `rows` (a Selection's rows; default: every row), eras included."""
    from .naming import DESCRIPTIONS, fill, names
    from .qualifiers import phrase

    place_names = place_names if place_names is not None else names(ds.places, naming)
    rows = ds.statements if rows is None else rows
    if "line" in rows.columns:  # file order (TimelineJS sorts by date itself): an import gives the file back
        rows = rows.sort_values("line", kind="stable")
    party_names = dict(zip(ds.parties["id"], ds.parties["name"]))
    sources = {row["id"]: row for _, row in ds.sources.iterrows()}
    statements_path = ds.files.get("statements") if getattr(ds, "files", None) else None
    columns, raw = raw_rows(statements_path)
    frame_columns = [c for c in ds.statements.columns if c not in DERIVED]
    columns = columns or frame_columns
    topics_frame = getattr(ds, "topics", None)
    if topics_frame is not None:  # beside the statements, else the bundled topics (as the loader reads them)
        labels = {str(i): str(lab) for i, lab in zip(topics_frame["id"], topics_frame["label"]) if str(lab)}
    else:
        labels = topic_labels(statements_path)
    summaries = {sid: fill(s, place_names) for sid, s in zip(ds.statements["id"], ds.statements["summary"])}

    def source_part(source_ids: str) -> Part | None:
        plain, marked = [], []
        for sid in split_list(source_ids):
            src = sources.get(sid)
            if src is None:
                continue
            published = str(src.get("published", "") or "")
            try:
                when = PartialDate.parse(published).display() if published else ""
            except DateError:
                when = published
            url = str(src.get("url", "") or "")
            words = f"{src['publisher']}, \u201c{src['title']}\u201d" + (f", {when}" if when else "")
            plain.append(words + (f" <{url}>" if re.match(r"^https?://", url, re.IGNORECASE) else ""))
            title_html = f"<cite>{esc(src['title'])}</cite>"
            if re.match(r"^https?://", url, re.IGNORECASE):
                title_html = f'<a href="{esc(url)}">{title_html}</a>'
            marked.append(f"{esc(src['publisher'])}, {title_html}" + (f", {esc(when)}" if when else ""))
        if not plain:
            return None
        label = "Source" if len(plain) == 1 else "Sources"
        return Part(f"{label}: " + "; ".join(plain) + ".", f"<p>{label}: " + "; ".join(marked) + ".</p>")

    # the hidden dataset: the tables' rows the kept statements use (places: all of them)
    kept_parties = {p for cell in rows["party"] for p in split_list(cell)}
    for col in ("about_party",):
        if col in rows.columns:
            kept_parties |= {p for cell in rows[col] for p in split_list(cell)}
    kept_sources = {s for cell in rows["source_id"] for s in split_list(cell)}
    dataset = {
        "format": FORMAT,
        "columns": columns,
        "parties": [r for r in _frame_records(ds.parties) if r.get("id") in kept_parties],
        "sources": [r for r in _frame_records(ds.sources) if r.get("id") in kept_sources],
        "places": _frame_records(ds.places),
    }
    for table in ("topics", "measures"):  # all rows, like places: the folder an import writes validates
        frame = getattr(ds, table, None)
        if frame is not None:
            dataset[table] = _frame_records(frame)

    slides: list[Slide] = []
    n = len(rows)
    title = title or default_title(ds, place_names)
    used = [sources[s] for s in sorted(kept_sources) if s in sources]
    source_list = "; ".join(f"{s['publisher']}, \u201c{s['title']}\u201d" for s in used)
    slides.append(
        Slide(
            None, None, "", title,
            [
                Part(f"{n} dated statement{'s' if n != 1 else ''}, events and figures, each from a source: {source_list}."),
                Part(f"Place names: {DESCRIPTIONS.get(naming, naming)}. Quotes are verbatim and keep the speaker's own place names."),
            ],
            type="title", hidden=dataset,
        )
    )
    frame_rows = rows[[c for c in frame_columns if c in rows.columns]]
    for rec in frame_rows.to_dict("records"):
        row = {c: cell_text(v) for c, v in rec.items()}
        start = PartialDate.parse(row["date"])
        end = PartialDate.parse(row["date_end"]) if row["date_end"] else None
        display = display_span(start, end)
        if row["date_as_reported"]:
            display += AS_REPORTED_SEPARATOR + row["date_as_reported"]
        is_era = row["kind"] == "event" and row["topic"] == ERA_TOPIC
        parties = split_list(row["party"])
        party_text = "; ".join(party_names.get(p, p) for p in parties)
        summary = summaries.get(row["id"], fill(row["summary"], place_names))
        if is_era:
            headline = _cut(summary)
        else:
            who = row["speaker"] or party_text
            label = topic_label(row["topic"], labels, place_names)
            headline = _cut(f"{who} \u2014 {label}" if who else label)
        parts = [Part(summary)]
        if row["quote"]:
            parts.append(Part(f"\u201c{row['quote']}\u201d", f"<blockquote>\u201c{esc(row['quote'])}\u201d</blockquote>"))
        who = ", ".join(x for x in (row["speaker"], row["role"]) if x)
        line = who
        if row["channel"]:
            line += (" \u2014 " if line else "") + row["channel"]
        if row["via"]:
            line += (" " if line else "") + f"(as relayed by {row['via']})"
        if row["stance"]:
            line += (". " if line else "") + f"Stance: {row['stance']}"
        if line:
            parts.append(Part(line + "."))
        if row["responds_to"] and row["responds_to"] in summaries:
            parts.append(Part(f"In reply to: {summaries[row['responds_to']]}"))
        if row["kind"] == "figure" and row["measure"] and row["value"]:
            figure = phrase(float(row["value"]), row["qualifier"] or "exact")
            parts.append(Part(f"Figure: {figure} {row['unit']} ({row['measure'].replace('_', ' ')})."))
        src = source_part(row["source_id"])
        if src:
            parts.append(src)
        hidden = dict(raw.get(row["id"]) or {c: row.get(c, "") for c in columns})
        group = "" if is_era else party_text or EVENTS_GROUP
        slides.append(
            Slide(
                start, (end or start) if is_era else end, display, headline, parts, group,
                type="era" if is_era else "", unique_id=row["id"], hidden=hidden,
            )
        )
    return slides


def _hidden_cell(obj: dict) -> str:
    return HIDDEN_PREFIX + json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def export_csv(slides: list[Slide]) -> str:
    rows = [list(HEADER)]
    for s in slides:
        cells = dict.fromkeys(HEADER, "")
        cells["Year"], cells["Month"], cells["Day"] = _date_cells(s.start)
        cells["End Year"], cells["End Month"], cells["End Day"] = _date_cells(s.end)
        cells.update({"Display Date": s.display_date, "Headline": s.headline, "Text": s.text_plain, "Type": s.type, "Group": s.group})
        if s.hidden:
            cells[HIDDEN_COLUMN] = _hidden_cell(s.hidden)
        rows.append([neutralise(cells[h]) for h in HEADER])
    return csv_text(rows, "\r\n")


def export_json(slides: list[Slide]) -> str:
    out: dict = {}
    events, eras = [], []
    for s in slides:
        text = {"headline": esc(s.headline), "text": s.text_html}
        if s.type == "title":
            out["title"] = {"text": text, HIDDEN_KEY: s.hidden} if s.hidden else {"text": text}
            continue
        item: dict = {"start_date": _date_json(s.start)}
        if s.end is not None:
            item["end_date"] = _date_json(s.end)
        item["text"] = text
        if s.type != "era":
            item["display_date"] = esc(s.display_date)
            if s.group:
                item["group"] = esc(s.group)
            item["unique_id"] = s.unique_id
        if s.hidden:
            item[HIDDEN_KEY] = s.hidden
        (eras if s.type == "era" else events).append(item)
    out["events"] = events
    if eras:
        out["eras"] = eras
    out["scale"] = "human"
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
