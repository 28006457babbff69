"""TimelineJS (Knight Lab) import: a TimelineJS spreadsheet saved as CSV, or TimelineJS JSON
(`title`, `events`, `eras`: the format of TimelineJS's templates and API) -> statements.csv rows,
plus the parties.csv, sources.csv and places.csv they need (and, for our own exports, the
topics.csv and measures.csv they carry).

Our own exports (see timelinejs_export: the `chronology` object of each JSON slide, the
`chronology:` Media Credit cell of each CSV row) come back LOSSLESSLY: every column of every row
as it was written, the parties, sources and places they use, the topics and measures. Any other slide is read as follows
(see also tests/test_timeline.py):
- Type `title`: not an event; its headline becomes the title of the source row and is reported on
  stderr as `# title: ...`. Type `era` (and JSON `eras`): a kind=event row with topic `era`.
- Headline (and Text after it) as plain text -> summary; quote stays empty (TimelineJS text is not
  a speaker's verbatim words). Braces are kept as text: `{USD 5}` becomes `(USD 5)` unless the
  word in it is a place id. A cell a spreadsheet would run as a formula gets a leading apostrophe;
  an apostrophe the user put there stays.
- Group -> party (a ';' in it separates several), kind=statement, stance=reports, topic = the first
  party id. A Group naming a party of the parties.csv beside --out (by name or id) is that party;
  any other is a new party whose id is the group's slug, or for a name without Latin letters
  `group-` + 8 hex digits of its SHA-1 (the same name, the same id). No Group (or our "Events") ->
  kind=event, topic `timeline`, unless --party-default names a party.
- Display Date -> date_as_reported. Time, Media and Background are dropped.
- The source row: publisher "TimelineJS spreadsheet", the title slide's headline, `published`
  from --published, else empty (the schema requires it: fill it in before `validate`).

Writing: nothing is written until every file is built in memory and the folder validates with
the project's loader; then each file that changes is written atomically. A sibling file that is
already there is never rewritten: new rows are appended to its bytes (its line ends, its columns),
and a file that needs no new row is not touched.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .dates import PartialDate, display_span
from .naming import _TOKEN
from .problem import Problem
from .schema import STATEMENTS
from .text import neutralise, plain_text, slugify
from .timelinejs_export import (
    AS_REPORTED_SEPARATOR,
    ERA_TOPIC,
    EVENTS_GROUP,
    FORMAT,
    HEADER,
    HIDDEN_COLUMN,
    HIDDEN_KEY,
    HIDDEN_PREFIX,
    LIST_SEPARATOR,
    cell_text,
)

DEFAULT_SOURCE_ID = "timelinejs-import"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_YEAR_DIGITS = 12


@dataclass
class Imported:
    """What a TimelineJS spreadsheet or JSON file turns into."""

    statements: list[dict] = field(default_factory=list)
    columns: list[str] = field(default_factory=lambda: [c.name for c in STATEMENTS.columns])
    parties: dict[str, dict] = field(default_factory=dict)  # id -> parties.csv row (new ones)
    sources: dict[str, dict] = field(default_factory=dict)  # id -> sources.csv row
    places: list[dict] = field(default_factory=list)  # our export's places
    topics: list[dict] = field(default_factory=list)  # our export's topics (none from a foreign sheet)
    measures: list[dict] = field(default_factory=list)  # our export's measures
    title: str = ""
    title_text: str = ""
    foreign: int = 0  # slides read as ordinary TimelineJS slides (not our hidden rows)
    notes: list[str] = field(default_factory=list)


@dataclass
class RawSlide:
    where: int  # line (CSV) or 0 (JSON)
    label: str  # "" (CSV) or "events[3]" (JSON): prefixes the column in messages
    start: dict  # {"year": "...", "month": ..., "day": ...} as text
    end: dict
    display_date: str
    headline: str  # plain text
    text: str  # plain text
    caption: str
    group: str
    type: str
    hidden: dict | None


def _p(file, line, column, value, expected) -> Problem:
    return Problem(str(file), int(line), column, str(value), expected if expected.startswith("expected") else f"expected {expected}")


# ---------------------------------------------------------------- reading the two formats


def _read_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    name = str(path)
    try:
        if path.is_dir():
            return None, [_p(name, 0, "", "", "expected a TimelineJS spreadsheet saved as CSV or TimelineJS JSON, not a folder")]
        raw = path.read_bytes()
    except OSError as err:
        return None, [_p(name, 0, "", "", f"expected a readable file: cannot read it: {err.strerror or err}")]
    if not raw.strip():
        return None, [_p(name, 0, "", "", "the file is empty: expected a TimelineJS spreadsheet saved as CSV (a header row Year,Month,Day,...) or TimelineJS JSON")]
    return raw, []


def _is_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "["))


def _hidden_from_cell(cell: str, name: str, line: int, problems: list) -> dict | None:
    if not cell.startswith(HIDDEN_PREFIX):
        return None
    try:
        obj = json.loads(cell[len(HIDDEN_PREFIX):])
    except ValueError as err:
        problems.append(_p(name, line, HIDDEN_COLUMN, cell[:60], f"expected {HIDDEN_PREFIX} and a JSON object (the row our export keeps there): {err}"))
        return None
    if not isinstance(obj, dict):
        problems.append(_p(name, line, HIDDEN_COLUMN, cell[:60], f"expected {HIDDEN_PREFIX} and a JSON object"))
        return None
    return obj


def _csv_slides(path: Path, text: str) -> tuple[list[RawSlide], list[Problem]]:
    name = str(path)
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    records, start = [], 1
    try:
        for rec in reader:
            if any(c.strip() for c in rec):
                records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as err:
        return [], [_p(name, start, "", "", f"expected CSV text: not readable as CSV ({err})")]
    header_line, header = records[0]
    columns = [" ".join(h.strip().lstrip("\ufeff").lower().split()) for h in header]
    wanted = {h.lower() for h in HEADER}
    if "year" not in columns or "headline" not in columns:
        return [], [_p(name, header_line, "", "", f"expected a TimelineJS header row ({','.join(HEADER)}); this file's first row is {','.join(header)[:80]!r}")]
    for dup in sorted({c for c in columns if c and columns.count(c) > 1 and c in wanted}):
        problems.append(_p(name, header_line, dup, dup, "expected each column once: this header appears twice"))
    slides = []
    for line, rec in records[1:]:
        cells: dict[str, str] = {}
        for i, c in enumerate(columns):
            if c in wanted and c not in cells:
                cells[c] = rec[i] if i < len(rec) else ""
        hidden = _hidden_from_cell(cells.get(HIDDEN_COLUMN.lower(), "").strip(), name, line, problems)

        def date(prefix: str, cells: dict[str, str] = cells) -> dict:
            return {k: cells.get(f"{prefix}{k}", "").strip() for k in ("year", "month", "day")}

        slides.append(RawSlide(
            line, "", date(""), date("end "), plain_text(cells.get("display date", "")), plain_text(cells.get("headline", "")),
            plain_text(cells.get("text", "")), plain_text(cells.get("media caption", "")), plain_text(cells.get("group", "")),
            cells.get("type", "").strip().lower(), hidden,
        ))
    return slides, problems


def _json_slides(path: Path, text: str) -> tuple[list[RawSlide], list[Problem]]:
    name = str(path)
    try:
        data = json.loads(text)
    except ValueError as err:
        line = getattr(err, "lineno", 0)
        return [], [_p(name, line, "", "", f"expected TimelineJS JSON (an object with title, events, eras): {getattr(err, 'msg', err)}")]
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list) or not isinstance(data.get("eras", []), list):
        return [], [_p(name, 0, "", "", "expected TimelineJS JSON: an object with \"events\" (a list), and optionally \"title\" and \"eras\"")]
    problems: list[Problem] = []

    def text_of(obj, key) -> str:
        v = obj.get(key, "") if isinstance(obj, dict) else ""
        return plain_text(v) if isinstance(v, str) else plain_text(str(v)) if isinstance(v, (int, float)) else ""

    def date_of(obj) -> dict:
        if not isinstance(obj, dict):
            return {"year": "", "month": "", "day": ""}
        return {k: ("" if obj.get(k) in (None, "") else str(obj.get(k))).strip() for k in ("year", "month", "day")}

    def slide(obj, label: str, kind: str) -> RawSlide | None:
        if not isinstance(obj, dict):
            problems.append(_p(name, 0, label, str(obj)[:60], "expected a slide: an object with start_date and text"))
            return None
        txt = obj.get("text") or {}
        hidden = obj.get(HIDDEN_KEY)
        if hidden is not None and not isinstance(hidden, dict):
            problems.append(_p(name, 0, f"{label}.{HIDDEN_KEY}", str(hidden)[:60], "expected an object (the row our export keeps there)"))
            hidden = None
        media = obj.get("media") if isinstance(obj.get("media"), dict) else {}
        return RawSlide(
            0, label, date_of(obj.get("start_date")), date_of(obj.get("end_date")), text_of(obj, "display_date"),
            text_of(txt, "headline"), text_of(txt, "text"), text_of(media, "caption"), text_of(obj, "group"),
            kind or str(obj.get("type") or "").strip().lower(), hidden,
        )

    slides = []
    title = data.get("title")
    if title is not None:
        s = slide(title, "title", "title")
        if s:
            slides.append(s)
    for key, kind in (("eras", "era"), ("events", "")):
        for i, obj in enumerate(data.get(key) or []):
            s = slide(obj, f"{key}[{i}]", kind)
            if s:
                slides.append(s)
    return slides, problems


# ---------------------------------------------------------------- slides -> rows


def _parse_date(parts: dict, prefix: str, s: RawSlide, name: str, problems: list, required: bool) -> PartialDate | None:
    """Year/Month/Day (or End Year/...) -> a partial date at the precision given."""
    if s.label:
        key = "start_date" if not prefix else "end_date"
        labels = {p: f"{s.label}.{key}.{p.lower()}" for p in ("Year", "Month", "Day")}
    else:
        labels = {p: f"{prefix}{p}" for p in ("Year", "Month", "Day")}
    year_s, month_s, day_s = parts["year"], parts["month"], parts["day"]
    line = s.where
    if not (year_s or month_s or day_s):
        if required:
            problems.append(_p(name, line, labels["Year"], "", "expected a year such as 1943 (every slide except the title needs one)"))
        return None
    ok = True

    def number(text: str) -> int | None:
        m = re.match(rf"^(\d{{1,{MAX_YEAR_DIGITS}}})(?:\.0+)?$", text)
        return int(m.group(1)) if m else None

    def shown(text: str) -> str:
        return text if len(text) <= 60 else text[:57] + "..."

    year = number(year_s) if year_s else None
    if not year_s:
        problems.append(_p(name, line, labels["Year"], "", f"expected a year such as 1943 when {labels['Month']} or {labels['Day']} is given"))
        ok = False
    elif year is None or not 1 <= year <= 9999:
        if re.match(r"^-\s*\d", year_s):
            why = "expected a year from 1 to 9999 (years before the common era cannot be stored as YYYY)"
        elif year == 0:
            why = "expected a year from 1 to 9999 (there is no year 0)"
        elif re.match(r"^\d+$", year_s):
            why = f"expected a year from 1 to 9999 (this one has {len(year_s):,} digits)"
        else:
            why = "expected a year as digits, for example 1943"
        problems.append(_p(name, line, labels["Year"], shown(year_s), why))
        ok = False
    month = number(month_s) if month_s else None
    if month_s and (month is None or not 1 <= month <= 12):
        problems.append(_p(name, line, labels["Month"], shown(month_s), "expected a month as a number from 1 to 12"))
        ok = False
    day = number(day_s) if day_s else None
    if day_s:
        if not month_s:
            problems.append(_p(name, line, labels["Day"], shown(day_s), f"expected a {labels['Month']} as well: a day needs its month"))
            ok = False
        elif day is None or not 1 <= day <= 31:
            problems.append(_p(name, line, labels["Day"], shown(day_s), "expected a day of the month as a number from 1 to 31"))
            ok = False
        elif ok and day > calendar.monthrange(year, month)[1]:
            last = calendar.monthrange(year, month)[1]
            problems.append(_p(name, line, labels["Day"], day_s, f"expected a day from 1 to {last}: {calendar.month_name[month]} {year} has {last} days"))
            ok = False
    if not ok:
        return None
    return PartialDate(year, month if month_s else None, day if day_s else None)


def _guard_tokens(text: str, place_ids: set[str]) -> str:
    """'{x}' in imported prose would read as a place token; keep it only when x is a known place,
    else write it in parentheses. A brace left alone (not a token) stays as it is."""
    text = _TOKEN.sub(lambda m: m.group(0) if m.group(1) in place_ids else f"({m.group(1)})", text)
    # braces around anything else ({USD 5}): parentheses, so no later reader takes them for a token
    return re.sub(r"\{([^{}]*)\}", lambda m: m.group(0) if m.group(1) in place_ids else f"({m.group(1)})", text)


def _join(headline: str, text: str) -> str:
    if not headline:
        return text
    if not text:
        return headline
    sep = " " if headline[-1] in ".!?:;\u2026" else ". "
    return headline + sep + text


class PartyNames:
    """Group names -> party ids: the known parties by name or id, else a stable new id per name."""

    def __init__(self, known: dict[str, str]):
        self.known = known
        self.by_name = {self.key(n): pid for pid, n in known.items()}
        self.taken = set(known)
        self.new: dict[str, str] = {}  # id -> the name as first written

    @staticmethod
    def key(name: str) -> str:
        return " ".join(name.casefold().split())

    def id_for(self, name: str) -> str:
        key = self.key(name)
        if key in self.by_name:
            return self.by_name[key]
        if key in self.known:
            return key
        slug = slugify(name)
        latin = sum(ch.isascii() and ch.isalnum() for ch in name)
        letters = sum(ch.isalnum() for ch in name)
        if not slug or latin * 2 < letters:  # mostly non-Latin: no transliteration, a stable hash
            slug = (slug[:40] + "-" if slug else "group-") + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        pid = slug
        if pid in self.taken:  # another name with the same slug
            pid = f"{slug[:50]}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
        self.by_name[key] = pid
        self.taken.add(pid)
        self.new[pid] = name
        return pid


class Ids:
    """Unique row ids in linear time: base, base-2, base-3, ..."""

    def __init__(self):
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def take(self, base: str) -> str:
        if base not in self.used:
            self.used.add(base)
            return base
        n = self.next.get(base, 2)
        while f"{base}-{n}" in self.used:
            n += 1
        self.next[base] = n + 1
        self.used.add(f"{base}-{n}")
        return f"{base}-{n}"


def _text_row(obj: dict) -> dict[str, str]:
    return {str(k): ("" if v is None else cell_text(v) if isinstance(v, (int, float)) else str(v)) for k, v in obj.items()}


def read_timeline(
    path: Path,
    *,
    source_id: str = DEFAULT_SOURCE_ID,
    party_default: str = "",  # read as the Group of slides without one
    place_ids: set[str] = frozenset(),
    known_parties: dict[str, str] | None = None,
) -> Imported:
    """Parse a TimelineJS spreadsheet CSV or TimelineJS JSON; raise DataError listing every problem.

    known_parties (id -> display name): a Group naming one of them, by name or by id,
    becomes that party; any other Group becomes a new party (see the module docstring).
    """
    from .load import DataError
    from .sniff import decode

    path = Path(path)
    name = str(path)
    raw, problems = _read_bytes(path)
    if raw is None:
        raise DataError(problems)
    text, problems = decode(raw, name)
    if text is None:
        raise DataError(problems)
    text = text.lstrip("\ufeff")
    slides, problems = (_json_slides if _is_json(path, text) else _csv_slides)(path, text)
    if not slides and problems:
        raise DataError(problems)

    out = Imported()
    ids = Ids()
    parties = PartyNames(known_parties or {})
    place_ids = set(place_ids)
    # our own export: the dataset on the title slide, the rows on the others
    dataset = next((s.hidden for s in slides if s.type == "title" and s.hidden and s.hidden.get("format") == FORMAT), None)
    if dataset:
        cols = [str(c) for c in dataset.get("columns") or []]
        out.columns = cols + [c.name for c in STATEMENTS.columns if c.name not in cols]
        for table, target in (("parties", out.parties), ("sources", out.sources)):
            for r in dataset.get(table) or []:
                if isinstance(r, dict) and r.get("id"):
                    target[str(r["id"])] = _text_row(r)
        out.places = [_text_row(r) for r in dataset.get("places") or [] if isinstance(r, dict) and r.get("id")]
        out.topics = [_text_row(r) for r in dataset.get("topics") or [] if isinstance(r, dict) and r.get("id")]
        out.measures = [_text_row(r) for r in dataset.get("measures") or [] if isinstance(r, dict) and r.get("id")]
        place_ids |= {r["id"] for r in out.places}
    hidden_ids = {str(s.hidden.get("id", "")) for s in slides if s.type != "title" and s.hidden}
    ids.used |= hidden_ids
    for s in slides:
        if s.type == "title":
            if out.title or out.title_text:
                out.notes.append(f"{name}:{s.where or s.label}: a second title slide is ignored: {s.headline!r}")
            else:
                out.title, out.title_text = s.headline, s.text
            continue
        if s.hidden:
            row = _text_row(s.hidden)
            for c in row:
                if c not in out.columns:
                    out.columns.append(c)
            out.statements.append(row)
            continue
        start = _parse_date(s.start, "", s, name, problems, required=True)
        end = _parse_date(s.end, "End ", s, name, problems, required=False)
        where_end = f"{s.label}.end_date.year" if s.label else "End Year"
        if start is not None and end is not None and end.last < start.first:
            problems.append(_p(name, s.where, where_end, end.iso(), f"expected an end on or after the start ({start.iso()})"))
        if start is None:
            continue
        if s.type not in ("", "era"):
            out.notes.append(f"{name}:{s.where or s.label}: Type {s.type!r} is not a TimelineJS type (title or era): read as an ordinary slide")
        out.foreign += 1
        summary = _join(s.headline, s.text) or s.caption or "(a slide without headline or text)"
        summary = neutralise(_guard_tokens(summary, place_ids))
        span = display_span(start, end)
        display = s.display_date
        if display == span:
            as_reported = ""
        elif display.startswith(span + AS_REPORTED_SEPARATOR):
            as_reported = display[len(span + AS_REPORTED_SEPARATOR):]
        else:
            as_reported = display
        group = s.group or (party_default if s.type != "era" else "")
        party_ids: list[str] = []
        if s.type == "era":
            kind, topic, stance = "event", ERA_TOPIC, ""
        else:
            if group and group != EVENTS_GROUP:
                names = [g.strip() for g in group.split(LIST_SEPARATOR) if g.strip()] or [group]
                party_ids = list(dict.fromkeys(parties.id_for(g) for g in names))
            if party_ids:
                kind, topic, stance = "statement", party_ids[0], "reports"
            else:
                kind, topic, stance = "event", "timeline", ""
        base = slugify(f"{start.iso()} {s.headline or s.text or summary}", 60) or start.iso()
        row = dict.fromkeys(out.columns, "")
        row.update(
            id=ids.take(base), date=start.iso(), date_end=end.iso() if end else "", date_as_reported=neutralise(as_reported),
            kind=kind, party=LIST_SEPARATOR.join(party_ids), topic=topic, stance=stance, summary=summary, source_id=source_id,
        )
        out.statements.append(row)
    # a selection's rows may answer rows left out of it: the link cannot be kept in this folder
    kept = {r.get("id", "") for r in out.statements}
    for r in out.statements:
        for column in ("responds_to", "revises"):
            target = r.get(column, "")
            if target and target not in kept:
                out.notes.append(f"{name}: {r.get('id')}: {column} {target!r} is not in this timeline (a selection): left empty")
                r[column] = ""
    for pid, group in parties.new.items():
        out.parties.setdefault(pid, {"id": pid, "name": neutralise(group), "side": "", "note": ""})
    if not out.statements and not problems:
        problems.append(_p(name, 0, "", "", "expected at least one dated slide (a row with a Year, or a JSON event with a start_date)"))
    if problems:
        raise DataError(problems)
    return out


# ---------------------------------------------------------------- writing the folder
