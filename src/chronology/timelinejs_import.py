"""TimelineJS (Knight Lab) import: a TimelineJS spreadsheet saved as CSV -> rows of statements.csv.

Plus parties.csv, sources.csv and, when missing, places.csv beside it, so that
`python -m chronology validate` accepts the folder.

Decisions (see also tests/test_timeline.py):
- Type `title`: not an event; its headline becomes the title of the row in sources.csv
  and is reported on stderr as `# title: ...`. Type `era`: a kind=event row with topic `era`,
  its date and date_end the era's span, no party.
- Other rows: Headline (and Text after it) as plain text -> summary; quote stays empty
  (TimelineJS text is not a speaker's verbatim words); Group -> party and kind=statement with
  stance=reports, topic = the party id; a Group naming a known party (by name or id, from the
  parties.csv beside --out, else the bundled one) is that party, any other becomes a new party
  whose id is the group's slug (side from --side, default third-party). No Group (or our own
  export's "Events") -> kind=event, topic `timeline`, unless --party-default names a party.
  Display Date -> date_as_reported. Time, Media and Background are dropped (the schema has no
  place for them). Cells our export neutralised ('=...) get their apostrophe removed.
- With an output file, parties.csv and sources.csv are written beside it (rows already there are
  kept, new ids appended; parties.csv starts from the bundled parties when there is none) and the
  bundled places.csv is copied when there is none, so that the folder validates on its own.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .dates import PartialDate, display_span
from .fileio import atomic_write
from .naming import _TOKEN
from .schema import PARTIES, PLACES, SOURCES, STATEMENTS
from .text import plain_text, slugify, unneutralise
from .timelinejs_export import AS_REPORTED_SEPARATOR, ERA_TOPIC, EVENTS_GROUP, HEADER, IMPORTED_PUBLISHER, csv_text

DEFAULT_SOURCE_ID = "timelinejs-import"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


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
                joint = [by_name.get(" ".join(g.lower().split())) for g in group.split(" + ")]
                if " + " in group and all(joint) and key not in by_name:  # our own export's group of a joint statement
                    party = ";".join(joint)
            if party:
                for one, name in zip(party.split(";"), group.split(" + ") if ";" in party else [group]):
                    if one not in out.parties:
                        out.parties[one] = name or one
                kind, topic, stance = "statement", party.replace(";", "-"), "reports"
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
    return csv_text([columns] + [[r.get(c, "") or "" for c in columns] for r in rows], "\n")




def known_beside(out: Path | None) -> tuple[set[str], dict[str, dict]]:
    """Place ids and parties (id -> row) from the files beside `out`, else the bundled ones."""
    from .load import DataError, load_table

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
    return place_ids, known


def statements_text(imported: Imported) -> str:
    columns = [c.name for c in STATEMENTS.columns]
    return csv_text([columns] + [[r[c] for c in columns] for r in imported.statements], "\n")


def write_folder(imported: Imported, src: Path, out: Path, *, source_id: str, side: str, known: dict) -> int:
    """statements at `out`, parties.csv, sources.csv (and places.csv) beside it; the number of new parties.

    Raises OSError when a file cannot be written (each one is written atomically).
    """
    party_rows = [
        {"id": pid, "name": group, "side": side, "note": f"group {group!r} in the TimelineJS spreadsheet {src.name}"}
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
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, statements_text(imported))
    # parties.csv starts from the one beside, else the bundled parties (as places.csv does),
    # so the folder is complete on its own; sources.csv keeps any rows already beside.
    for table, rows, base in ((PARTIES, party_rows, paths.PARTIES_CSV), (SOURCES, [source_row], None)):
        target = out.parent / table.filename
        if target.resolve() == out.resolve():
            continue
        atomic_write(target, _merged_table(target, [c.name for c in table.columns], rows, base))
    places = out.parent / PLACES.filename
    if not places.exists():
        atomic_write(places, paths.PLACES_CSV.read_text(encoding="utf-8"))
    return len(party_rows)
