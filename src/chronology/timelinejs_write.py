"""Writing a TimelineJS import: plan every file in memory, validate the folder with the project's
loader, then write each file that changes atomically. A sibling file already there is never
rewritten: new rows are appended to its bytes (its line ends, its columns); a file that needs
no new row is not touched."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .fileio import atomic_write
from .problem import Problem
from .schema import MEASURES_TABLE, PARTIES, PLACES, SOURCES, TOPICS
from .text import neutralise
from .timelinejs_export import (
    IMPORTED_PUBLISHER,
    cell_text,
    csv_text,
    split_list,
)
from .timelinejs_import import DEFAULT_SOURCE_ID, Imported  # noqa: F401


def statements_text(imported: Imported) -> str:
    cols = imported.columns
    return csv_text([cols] + [[r.get(c, "") for c in cols] for r in imported.statements], "\n")


def known_beside(out: Path | None) -> tuple[set[str], dict[str, dict]]:
    """Place ids and parties (id -> row) from the files beside `out` (places: else the bundled ones).

    A foreign sheet only names the parties already beside --out: the bundled parties are not added.
    """
    from .load import DataError, load_table

    places_path = out.parent / PLACES.filename if out and (out.parent / PLACES.filename).exists() else paths.PLACES_CSV
    try:
        place_ids = set(load_table(places_path, PLACES)["id"])
    except DataError:
        place_ids = set()
    known: dict[str, dict] = {}
    parties_path = out.parent / PARTIES.filename if out else None
    if parties_path is not None and parties_path.exists():
        try:
            known = {r["id"]: r for _, r in load_table(parties_path, PARTIES).iterrows()}
        except DataError:
            known = {}  # reported when the folder is checked before writing
    return place_ids, known


def _append(existing: bytes, rows: list[dict]) -> str:
    """The existing file's text with rows appended: its header's columns, its line ends."""
    text = existing.decode("utf-8")
    body = text.lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(body, newline="")), [])
    columns = [h.strip() for h in header]
    ending = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += ending
    return text + csv_text([[neutralise(r.get(c, "") or "") for c in columns] for r in rows], ending)


def _new_table(table, rows: list[dict], extra: list[str] = ()) -> str:
    columns = [c.name for c in table.columns] + [c for c in extra if c not in {c.name for c in table.columns}]
    return csv_text([columns] + [[neutralise(r.get(c, "") or "") for c in columns] for r in rows], "\n")


@dataclass
class Plan:
    """The files an import writes: path -> text; and the files it leaves alone."""

    texts: dict[Path, str]
    out: Path
    new_parties: int
    published_gap: bool  # our source row has no publication date (none was given)


def plan_folder(imported: Imported, src: Path, out: Path, *, source_id: str, side: str, published: str = "") -> Plan:
    """Every file of the import, built in memory (nothing is written); raises DataError when a
    sibling already there cannot be read."""
    from .load import DataError, load_table

    folder = out.parent
    texts: dict[Path, str] = {out: statements_text(imported)}
    problems: list[Problem] = []
    used_parties = {p for r in imported.statements for p in split_list(r.get("party", ""))}
    used_parties |= {p for r in imported.statements for p in split_list(r.get("about_party", ""))}
    used_sources = {s for r in imported.statements for s in split_list(r.get("source_id", ""))}

    def bundled(table, path) -> dict[str, dict]:
        try:
            return {r["id"]: {k: cell_text(v) for k, v in r.items() if k != "line"} for r in load_table(path, table).to_dict("records")}
        except DataError:
            return {}

    party_rows = dict(imported.parties)
    for r in party_rows.values():
        if not r.get("side"):
            r["side"] = side
            r["note"] = r.get("note") or neutralise(f"group {r['name']!r} in the TimelineJS file {src.name}")
    missing = used_parties - set(party_rows)
    if missing:  # our rows without the dataset slide: the bundled parties, else a bare row
        b = bundled(PARTIES, paths.PARTIES_CSV)
        for pid in sorted(missing):
            party_rows[pid] = b.get(pid) or {"id": pid, "name": pid, "side": side, "note": ""}
    party_rows = {k: v for k, v in party_rows.items() if k in used_parties}

    source_rows = {k: v for k, v in imported.sources.items() if k in used_sources}
    published_gap = False
    if imported.foreign and source_id not in source_rows:
        published_gap = not published
        source_rows[source_id] = {
            "id": source_id, "publisher": IMPORTED_PUBLISHER, "title": neutralise(imported.title or src.stem), "published": published,
            "url": "", "obtained": neutralise(f"imported from {src.name} with python -m chronology timeline import"),
        }
    missing = used_sources - set(source_rows)
    if missing:
        b = bundled(SOURCES, paths.SOURCES_CSV)
        source_rows.update({sid: b[sid] for sid in missing if sid in b})

    place_rows = {r["id"]: r for r in imported.places}
    # our export's topics and measures (a foreign sheet has none: the loader takes the bundled ones)
    topic_rows = {r["id"]: r for r in imported.topics}
    measure_rows = {r["id"]: r for r in imported.measures}
    new_count = 0
    tables = ((PARTIES, party_rows), (SOURCES, source_rows), (PLACES, place_rows), (TOPICS, topic_rows), (MEASURES_TABLE, measure_rows))
    for table, rows in tables:
        target = folder / table.filename
        if target.resolve() == out.resolve():
            continue
        if target.exists():
            try:
                existing = load_table(target, table)
            except DataError as err:
                problems += err.problems
                continue
            have = set(existing["id"])
            new = [r for k, r in rows.items() if k not in have]
            if new:
                texts[target] = _append(target.read_bytes(), new)
            if table is PARTIES:
                new_count = len(new)
        elif table is PLACES and not rows:
            texts[target] = paths.PLACES_CSV.read_text(encoding="utf-8")
        elif not rows:
            continue  # a table with no rows is not a valid file: none is written (the loader uses the bundled one)
        else:
            extra = sorted({k for r in rows.values() for k in r} - {c.name for c in table.columns} - {"line"})
            texts[target] = _new_table(table, list(rows.values()), extra)
            if table is PARTIES:
                new_count = len(rows)
    if problems:
        raise DataError(problems)
    return Plan(texts, out, new_count, published_gap)


def check_plan(plan: Plan, out: Path) -> None:
    """Validate the planned folder with the loader (the new texts in a temporary folder, the files
    left alone where they are); raise DataError with the problems under the real file names."""
    from .load import DataError, load_dataset

    folder = out.parent
    with tempfile.TemporaryDirectory(prefix="chronology-import-") as tmp:
        tmp_dir = Path(tmp)
        real: dict[str, str] = {}
        staged: dict[str, Path] = {}
        for path, text in plan.texts.items():
            staged_path = tmp_dir / ("statements.csv" if path == out else path.name)
            staged_path.write_text(text, encoding="utf-8", newline="")
            real[str(staged_path)] = str(path)
            staged[path.name if path != out else "statements"] = staged_path

        def pick(table):
            if table.filename in staged:
                return staged[table.filename]
            beside = folder / table.filename
            return beside if beside.exists() else None

        try:
            load_dataset(staged["statements"], places=pick(PLACES), parties=pick(PARTIES), sources=pick(SOURCES),
                         topics=pick(TOPICS), measures=pick(MEASURES_TABLE))
        except DataError as err:
            problems = [
                Problem(real.get(p.file, p.file), p.line, p.column, p.value, p.expected)
                for p in err.problems
                if not (plan.published_gap and p.column == "published" and p.value == "" and p.file in real and real[p.file].endswith(SOURCES.filename))
            ]
            if problems or err.omitted:
                raise DataError(problems, err.omitted) from None


def write_plan(plan: Plan) -> None:
    """Each file atomically, the statements last (they cite the others)."""
    order = sorted(plan.texts, key=lambda p: p == plan.out)
    for path in order:
        atomic_write(path, plan.texts[path].encode("utf-8"))
