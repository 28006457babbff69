"""TimelineJS (Knight Lab) export and import.

Export: the dataset -> TimelineJS's spreadsheet CSV (the 18 columns of the Google Sheets
template) or TimelineJS3 JSON. Every data text is HTML-escaped (TimelineJS renders headlines
and texts as HTML) and, in the CSV, a cell that a spreadsheet would run as a formula gets a
leading apostrophe.

Import: a TimelineJS spreadsheet saved as CSV -> rows of statements.csv (plus parties.csv,
sources.csv and, when missing, places.csv beside it) that `python -m chronology validate` accepts.

Decisions (see also the module's tests):
- Export, one slide per statements row, in file order (TimelineJS sorts by date itself).
  Headline = the row's summary with {place_id} filled in the chosen naming: it is neutral,
  complete and written in the naming convention (a headline made of speaker + stance + topic
  would repeat the speaker and could not follow the naming). Text = the verbatim quote in
  quotation marks (never renamed), who said it (speaker, role, channel, via, stance), what it
  answers, the figure, and the source. A title slide (Type `title`) comes first.
  Rows with kind=event and topic=era go out as TimelineJS eras (Type `era`, JSON `eras`).
- Display Date = the span as `dates.display_span` writes it, then " — " and the source's own
  words for the date; import reads the words back into date_as_reported.
- Import, Type `title`: not an event; its headline becomes the title of the row in sources.csv
  and is reported on stderr as `# title: ...`. Type `era`: a kind=event row with topic `era`,
  its date and date_end the era's span, no party.
- Import, other rows: Headline (and Text after it) as plain text -> summary; quote stays empty
  (TimelineJS text is not a speaker's verbatim words); Group -> party and kind=statement with
  stance=reports, topic = the party id; a Group naming a known party (by name or id, from the
  parties.csv beside --out, else the bundled one) is that party, any other becomes a new party
  whose id is the group's slug (side from --side, default third-party). No Group (or our own
  export's "Events") -> kind=event, topic `timeline`, unless --party-default names a party.
  Display Date -> date_as_reported. Time, Media and Background are dropped (the schema has no
  place for them). Cells our export neutralised ('=...) get their apostrophe removed.
- Import --out also writes parties.csv and sources.csv beside it (rows already there are kept,
  new ids appended; parties.csv starts from the bundled parties when there is none) and copies
  the bundled places.csv when there is none, so that the folder validates on its own.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import html
import io
import json
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import paths
from .dates import DateError, PartialDate, display_span
from .schema import NAMINGS, PARTIES, PLACES, SIDES, SOURCES, STATEMENTS

EXIT_BAD_INPUT = 2

HEADER = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)
EVENTS_GROUP = "Events"
ERA_TOPIC = "era"
DEFAULT_SOURCE_ID = "timelinejs-import"
AS_REPORTED_SEPARATOR = " — "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- small helpers


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise` (an apostrophe before a formula character)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def esc(text: str) -> str:
    return html.escape(text, quote=True)


class _TextOnly(HTMLParser):
    """HTML -> plain text: tags dropped, entities decoded, blocks separated by spaces."""

    _BLOCKS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "hr", "figcaption"}
    _SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCKS or "tl-note" in (dict(attrs).get("class") or ""):
            # TimelineJS shows a <span class="tl-note"> as a block of its own.
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(cell: str) -> str:
    """A TimelineJS cell (HTML) as one line of plain text."""
    if not cell:
        return ""
    parser = _TextOnly()
    parser.feed(cell)
    parser.close()
    return " ".join("".join(parser.parts).split())


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII identifier: 'Rózsa Péter writes recursion' -> 'rozsa-peter-writes-recursion'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug.strip("-")


def write_atomic(path: Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and os.replace."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _csv_text(rows, lineterminator: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=lineterminator)
    writer.writerows(rows)
    return buf.getvalue()


def _emit(text: str, out: str | None) -> None:
    if out:
        write_atomic(Path(out), text)
    else:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is not None:
            sys.stdout.flush()
            stream.write(text.encode("utf-8"))
            stream.flush()
        else:
            sys.stdout.write(text)


# ---------------------------------------------------------------- export


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


IMPORTED_PUBLISHER = "TimelineJS spreadsheet"


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
        parts.append(source_html(row["source_id"]))
        group = "" if is_era else party_names.get(row["party"], EVENTS_GROUP) if row["party"] else EVENTS_GROUP
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
    return _csv_text(rows, "\r\n")


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


def _export(args) -> int:
    from .load import DataError, load_dataset

    data = Path(args.data) if args.data else paths.STATEMENTS_CSV
    try:
        ds = load_dataset(data)
    except DataError as err:
        print(err.message(), file=sys.stderr)
        return EXIT_BAD_INPUT
    slides = build_slides(ds, args.naming, args.title)
    text = export_json(slides) if args.format == "json" else export_csv(slides)
    try:
        _emit(text, args.out)
    except OSError as err:
        print(f"error: cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.out:
        print(f"wrote {args.out} ({len(slides) - 1} slides and a title slide, {args.format})", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- import


@dataclass
class Imported:
    """What a TimelineJS spreadsheet turns into."""

    statements: list[dict] = field(default_factory=list)
    parties: dict[str, str] = field(default_factory=dict)  # id -> display name
    title: str = ""
    title_text: str = ""
    notes: list[str] = field(default_factory=list)


def _problem(file, line, column, value, expected):
    from .load import Problem

    return Problem(file, line, column, value, expected)


def _read_records(path: Path) -> tuple[list[tuple[int, list[str]]], list]:
    """(line, cells) for each non-blank record, or problems."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return [], [_problem(name, 0, "", "", "this is a folder, expected a TimelineJS spreadsheet saved as CSV")]
    except OSError as err:
        return [], [_problem(name, 0, "", "", f"cannot read the file: {err.strerror or err}")]
    if not raw.strip():
        return [], [_problem(name, 0, "", "", "the file is empty: expected a TimelineJS spreadsheet saved as CSV (a header row Year,Month,Day,...)")]
    try:
        from .load import _decode  # the loader's friendly messages (xlsx, UTF-16, Windows-1252, ...)
    except ImportError:  # pragma: no cover - the loader may be refactored
        _decode = None
    if _decode is not None:
        text, problems = _decode(raw, name)
        if text is None:
            return [], problems
    else:  # pragma: no cover
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [_problem(name, 0, "", "", "the file is not UTF-8: re-save it as 'CSV UTF-8'")]
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    records = []
    start = 1
    try:
        for rec in reader:
            if any(c.strip() for c in rec):
                records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as err:
        return [], [_problem(name, start, "", "", f"not readable as CSV ({err})")]
    return records, []


def _norm(header: str) -> str:
    return " ".join(header.strip().lstrip("\ufeff").lower().split())


def _parse_date(cells: dict, prefix: str, line: int, name: str, problems: list, required: bool) -> PartialDate | None:
    """Year/Month/Day (or End Year/...) -> a partial date at the precision given."""
    labels = {part: f"{prefix}{part}" for part in ("Year", "Month", "Day")}
    year_s, month_s, day_s = (cells.get(labels[p].lower(), "").strip() for p in ("Year", "Month", "Day"))
    if not (year_s or month_s or day_s):
        if required:
            problems.append(_problem(name, line, labels["Year"], "", "a year such as 1943 (every slide except the title needs one)"))
        return None
    ok = True

    def number(text: str) -> int | None:
        m = re.match(r"^(\d+)(?:\.0+)?$", text)
        return int(m.group(1)) if m else None

    year = number(year_s) if year_s else None
    if not year_s:
        problems.append(_problem(name, line, labels["Year"], "", f"a year such as 1943 when {prefix}Month or {prefix}Day is given"))
        ok = False
    elif year is None or not 1 <= year <= 9999:
        if re.match(r"^-\s*\d+", year_s):
            why = "a year from 1 to 9999 (years before the common era cannot be stored as YYYY)"
        elif year == 0:
            why = "a year from 1 to 9999 (there is no year 0)"
        else:
            why = "a year as digits, for example 1943"
        problems.append(_problem(name, line, labels["Year"], year_s, why))
        ok = False
    month = number(month_s) if month_s else None
    if month_s and (month is None or not 1 <= month <= 12):
        problems.append(_problem(name, line, labels["Month"], month_s, "a month as a number from 1 to 12"))
        ok = False
    day = number(day_s) if day_s else None
    if day_s:
        if not month_s:
            problems.append(_problem(name, line, labels["Day"], day_s, f"a {prefix}Month as well: a day needs its month"))
            ok = False
        elif day is None or not 1 <= day <= 31:
            problems.append(_problem(name, line, labels["Day"], day_s, "a day of the month as a number from 1 to 31"))
            ok = False
        elif ok and day > calendar.monthrange(year, month)[1]:
            last = calendar.monthrange(year, month)[1]
            problems.append(_problem(name, line, labels["Day"], day_s, f"a day from 1 to {last}: {calendar.month_name[month]} {year} has {last} days"))
            ok = False
    if not ok:
        return None
    return PartialDate(year, month if month_s else None, day if day_s else None)


_TOKEN = re.compile(r"\{([a-z0-9][a-z0-9_-]*)\}")


def _guard_tokens(text: str, place_ids: set[str]) -> str:
    """'{x}' in imported prose reads as a place token; keep it only when x is a known place."""
    return _TOKEN.sub(lambda m: m.group(0) if m.group(1) in place_ids else f"({m.group(1)})", text)


def _join(headline: str, text: str) -> str:
    if not headline:
        return text
    if not text:
        return headline
    sep = " " if headline[-1] in ".!?:;\u2026" else ". "
    return headline + sep + text


def read_timeline(
    path: Path,
    *,
    source_id: str = DEFAULT_SOURCE_ID,
    party_default: str = "",  # read as the Group of slides without one
    place_ids: set[str] = frozenset(),
    known_parties: dict[str, str] | None = None,
) -> Imported:
    """Parse a TimelineJS spreadsheet CSV; raise DataError listing every problem.

    known_parties (id -> display name): a Group naming one of them, by name or by id,
    becomes that party; any other Group becomes a new party whose id is its slug.
    """
    from .load import DataError

    path = Path(path)
    name = str(path)
    records, problems = _read_records(path)
    if problems:
        raise DataError(problems)
    header_line, header = records[0]
    columns = [_norm(h) for h in header]
    wanted = {h.lower() for h in HEADER}
    if "year" not in columns or "headline" not in columns:
        raise DataError([_problem(name, header_line, "", "", f"expected a TimelineJS header row ({','.join(HEADER)}); this file's first row is {','.join(header)[:80]!r}")])
    for dup in sorted({c for c in columns if c and columns.count(c) > 1 and c in wanted}):
        problems.append(_problem(name, header_line, dup, dup, "a column named once: this header appears twice"))

    out = Imported()
    used_ids: set[str] = set()
    known_parties = known_parties or {}
    by_name = {" ".join(n.lower().split()): pid for pid, n in known_parties.items()}
    for line, rec in records[1:]:
        cells: dict[str, str] = {}
        for i, c in enumerate(columns):
            if c in wanted and c not in cells:
                cells[c] = unneutralise(rec[i]) if i < len(rec) else ""
        kind_of_slide = cells.get("type", "").strip().lower()
        headline = plain_text(cells.get("headline", ""))
        body = plain_text(cells.get("text", ""))
        if kind_of_slide == "title":
            if out.title or out.title_text:
                out.notes.append(f"{name}:{line}: a second title row is ignored: {headline!r}")
            else:
                out.title, out.title_text = headline, body
            continue
        start = _parse_date(cells, "", line, name, problems, required=True)
        end = _parse_date(cells, "End ", line, name, problems, required=False)
        if start is not None and end is not None and end.last < start.first:
            problems.append(_problem(name, line, "End Year", end.iso(), f"an end on or after the start ({start.iso()})"))
        if start is None:
            continue
        if kind_of_slide not in ("", "era"):
            out.notes.append(f"{name}:{line}: Type {kind_of_slide!r} is not a TimelineJS type (title or era): read as an ordinary slide")

        summary = _join(headline, body)
        if not summary:
            summary = plain_text(cells.get("media caption", "")) or "(a slide without headline or text)"
        summary = _guard_tokens(summary, set(place_ids))

        display = plain_text(cells.get("display date", ""))
        span = display_span(start, end)
        if display == span:
            as_reported = ""
        elif display.startswith(span + AS_REPORTED_SEPARATOR):
            as_reported = display[len(span + AS_REPORTED_SEPARATOR):]
        else:
            as_reported = display

        group = plain_text(cells.get("group", "")) or (party_default if kind_of_slide != "era" else "")
        party = ""
        if kind_of_slide == "era":
            kind, topic, stance = "event", ERA_TOPIC, ""
        else:
            if group == EVENTS_GROUP:
                party = ""  # our own export's group for rows without a party
            elif group:
                key = " ".join(group.lower().split())
                party = by_name.get(key) or (key if key in known_parties else "") or slugify(group) or f"group-{len(out.parties) + 1}"
            if party:
                if party not in out.parties:
                    out.parties[party] = group or party
                kind, topic, stance = "statement", party, "reports"
            else:
                kind, topic, stance = "event", "timeline", ""

        base = slugify(f"{start.iso()} {headline or body or summary}", 60) or start.iso()
        row_id, n = base, 2
        while row_id in used_ids:
            row_id, n = f"{base}-{n}", n + 1
        used_ids.add(row_id)
        row = dict.fromkeys((c.name for c in STATEMENTS.columns), "")
        row.update(
            id=row_id, date=start.iso(), date_end=end.iso() if end else "", date_as_reported=as_reported,
            kind=kind, party=party, topic=topic, stance=stance, summary=summary, source_id=source_id,
        )
        out.statements.append(row)
    if not out.statements and not problems:
        problems.append(_problem(name, 0, "", "", "no dated slides: expected at least one row with a Year"))
    if problems:
        raise DataError(problems)
    return out


def _read_existing(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _merged_table(path: Path, columns: list[str], new_rows: list[dict], base: Path | None = None) -> str:
    """The rows of the file beside (else of `base`) kept, rows with new ids appended."""
    rows: list[dict] = []
    start = path if path.exists() else base
    if start is not None and start.exists():
        existing_cols, rows = _read_existing(start)
        columns = existing_cols + [c for c in columns if c not in existing_cols]
    known = {r.get("id", "") for r in rows}
    rows += [r for r in new_rows if r["id"] not in known]
    return _csv_text([columns] + [[r.get(c, "") or "" for c in columns] for r in rows], "\n")


def _import(args) -> int:
    from .load import DataError, load_dataset, load_table

    src = Path(args.file)
    source_id = args.source_id
    if not re.match(r"^[a-z0-9][a-z0-9_-]*$", source_id):
        print(f"error: --source-id {source_id!r}: expected an identifier in lower case letters, digits, '-' or '_' (for example {slugify(source_id) or 'my-timeline'!r})", file=sys.stderr)
        return EXIT_BAD_INPUT
    party_default = " ".join((args.party_default or "").split())
    out = Path(args.out) if args.out else None
    places_path = out.parent / PLACES.filename if out and (out.parent / PLACES.filename).exists() else paths.PLACES_CSV
    try:
        place_ids = set(load_table(places_path, PLACES)["id"])
    except DataError:
        place_ids = set()
    parties_path = out.parent / PARTIES.filename if out and (out.parent / PARTIES.filename).exists() else paths.PARTIES_CSV
    try:
        known = {r["id"]: r for _, r in load_table(parties_path, PARTIES).iterrows()}
    except DataError:
        known = {}
    try:
        imported = read_timeline(
            src, source_id=source_id, party_default=party_default, place_ids=place_ids,
            known_parties={pid: r["name"] for pid, r in known.items()},
        )
    except DataError as err:
        print(err.message(), file=sys.stderr)
        return EXIT_BAD_INPUT
    if imported.title:
        print(f"# title: {imported.title}", file=sys.stderr)
    for note in imported.notes:
        print(f"# {note}", file=sys.stderr)

    columns = [c.name for c in STATEMENTS.columns]
    statements_text = _csv_text([columns] + [[r[c] for c in columns] for r in imported.statements], "\n")
    if out is None:
        _emit(statements_text, None)
        parties = ", ".join(imported.parties) or "none"
        print(f"# {len(imported.statements)} rows; use --out FILE to also write parties.csv (parties: {parties}) and sources.csv (source: {source_id})", file=sys.stderr)
        return 0

    party_rows = [
        {"id": pid, "name": group, "side": args.side, "note": f"group {group!r} in the TimelineJS spreadsheet {src.name}"}
        for pid, group in imported.parties.items()
        if pid not in known
    ]
    try:
        year = dt.date.fromtimestamp(src.stat().st_mtime).year
    except OSError:
        year = dt.date.today().year
    source_row = {
        "id": source_id,
        "publisher": IMPORTED_PUBLISHER,
        "title": imported.title or src.stem,
        "published": f"{year:04d}",
        "url": "",
        "obtained": f"imported from {src.name} with python -m chronology timeline import (published = the file's modification year)",
    }
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, statements_text)
        # parties.csv starts from the one beside, else the bundled parties (as places.csv does),
        # so the folder is complete on its own; sources.csv keeps any rows already beside.
        for table, rows, base in ((PARTIES, party_rows, paths.PARTIES_CSV), (SOURCES, [source_row], None)):
            target = out.parent / table.filename
            if target.resolve() == out.resolve():
                continue
            write_atomic(target, _merged_table(target, [c.name for c in table.columns], rows, base))
        places = out.parent / PLACES.filename
        if not places.exists():
            write_atomic(places, paths.PLACES_CSV.read_text(encoding="utf-8"))
    except OSError as err:
        print(f"error: cannot write beside {out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        load_dataset(out)
    except DataError as err:
        print("the imported files do not validate together with the files already beside them:", file=sys.stderr)
        print(err.message(), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {out} ({len(imported.statements)} rows), {PARTIES.filename} (groups: {len(imported.parties)}, new parties: {len(party_rows)}), {SOURCES.filename} (source {source_id})", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- command line


def add_cli(sub) -> None:
    """`python -m chronology timeline export|import`."""
    t = sub.add_parser("timeline", help="export to or import from TimelineJS (Knight Lab) spreadsheets and JSON")
    tsub = t.add_subparsers(dest="timeline_command", required=True, metavar="export|import")

    e = tsub.add_parser("export", help="write the dataset as a TimelineJS spreadsheet (CSV) or TimelineJS JSON")
    e.add_argument("--data", help="statements CSV (places, parties, sources are looked up beside it; default: the bundled data)")
    e.add_argument("--format", choices=("csv", "json"), default="csv", help="csv: the 18-column spreadsheet to paste into the TimelineJS Google Sheet; json: TimelineJS3 JSON")
    e.add_argument("--naming", choices=NAMINGS, default="dual", help="place names in headlines (quotes never change; default dual)")
    e.add_argument("--title", help="title slide headline (default: the battle for Shusha in the chosen naming)")
    e.add_argument("--out", help="write to this file (atomically) instead of standard output")
    e.set_defaults(func=_export)

    i = tsub.add_parser("import", help="turn a TimelineJS spreadsheet saved as CSV into statements.csv rows")
    i.add_argument("file", help="the TimelineJS spreadsheet, saved as CSV (UTF-8)")
    i.add_argument("--out", help="statements CSV to write; parties.csv, sources.csv (and places.csv if missing) are written beside it")
    i.add_argument("--source-id", default=DEFAULT_SOURCE_ID, help=f"id of the sources.csv row the rows cite (default {DEFAULT_SOURCE_ID})")
    i.add_argument("--party-default", metavar="PARTY", help="party (a name or id in parties.csv, or a new name) for slides without a Group: they become statements instead of events")
    i.add_argument("--side", choices=SIDES, default="third-party", help="side of the conflict for new parties (default third-party; known party ids keep theirs)")
    i.set_defaults(func=_import)


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="python -m chronology.timeline")
    add_cli(parser.add_subparsers(dest="command", required=True))
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
