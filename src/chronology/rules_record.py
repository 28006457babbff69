"""The checks of the record model's columns: lists of ids, times and zones, patterns,
revisions and truces.

Like rules.py, every check runs once per distinct value of a column (`Cells.per_unique`), or on
whole columns at once (numpy masks): ids repeated across a million rows are checked once. The
only per-row work is over the rows that fill `revises` (a graph walk, linear in those rows).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .cells import Cells
from .problem import Report
from .schema import OFFSET_PATTERN, SLUG_LIST, SLUG_PATTERN, Column

_SLUG = re.compile(SLUG_PATTERN)
_OFFSET = re.compile(OFFSET_PATTERN)
ZONE_EXPECTED = "a time zone: a UTC offset such as +04:00 or -05:00, or an IANA zone name such as Asia/Baku or Europe/Moscow"


def split_ids(value: str) -> list[str]:
    """'russia; armenia;azerbaijan' -> ['russia', 'armenia', 'azerbaijan'] ('' -> [])."""
    return [p.strip() for p in value.split(";")] if value else []


# ------------------------------------------------------------------ one column on its own


def check_list_syntax(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> None:
    """Each ;-separated part of a list cell is an identifier (checked per distinct cell)."""
    from .rules import _slug_message  # the single-id message, with its guess

    def check(v: str) -> str | None:
        parts = split_ids(v)
        if any(p == "" for p in parts):
            return "ids separated by ';' with no empty ones (is there a ';' too many?)"
        bad = [(p, _slug_message(p)) for p in parts if not _SLUG.match(p)]
        if not bad:
            return None
        if len(parts) == 1:
            guess = _slug_message(v) or ""
            if "," in v:
                return "ids separated by ';', not ','" + (f" (did you mean {';'.join(x.strip() for x in v.split(','))!r}?)" if all(_SLUG.match(x.strip()) for x in v.split(",")) else "")
            return guess
        return f"each of the ';'-separated ids to be {bad[0][1]}: {bad[0][0]!r} is not"

    mask, messages = c.per_unique(check)
    rep.rows(mask, col.name, c.values, lines, messages.__getitem__)


def _pattern_hint(name: str, v: str) -> str:
    """A guess at what a value that fails its column's pattern was meant to be."""
    if name == "time":
        m = re.fullmatch(r"(\d{1,2})[:.h](\d{2})(:\d{2})?", v.strip().lower())
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return f" (did you mean {int(m.group(1)):02d}:{m.group(2)}?)"
        if re.search(r"[ap]\.?m", v.lower()):
            return "; write it on a 24-hour clock without am/pm"
    if name == "colour" and re.fullmatch(r"[0-9a-fA-F]{6}", v):
        return f" (did you mean '#{v}'?)"
    if name == "quote_language" and re.fullmatch(r"[A-Za-z]{2}", v):
        return f" (did you mean {v.lower()!r}?)"
    if name == "quote_language" and v.lower() in _LANGUAGES:
        return f" (did you mean {_LANGUAGES[v.lower()]!r}?)"
    return ""


_LANGUAGES = {"english": "en", "russian": "ru", "azerbaijani": "az", "armenian": "hy", "turkish": "tr", "french": "fr", "german": "de", "persian": "fa", "arabic": "ar"}


def check_pattern(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> None:
    """Every non-empty value matches the column's pattern (per distinct value)."""
    pattern = re.compile(col.pattern)
    mask, messages = c.per_unique(lambda v: None if pattern.match(v) else col.pattern_text + _pattern_hint(col.name, v))
    rep.rows(mask, col.name, c.values, lines, messages.__getitem__)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


@lru_cache(maxsize=1)
def _zone_cities() -> dict[str, str]:
    """'moscow' -> 'Europe/Moscow', 'asia/baku' -> 'Asia/Baku': for hints."""
    out: dict[str, str] = {}
    for z in sorted(_zones()):
        out.setdefault(z.lower(), z)
        out.setdefault(z.rsplit("/", 1)[-1].lower().replace("_", " "), z)
    return out


def zone_message(v: str) -> str | None:
    """None for a UTC offset or a known IANA zone, else what was expected with a guess."""
    if _OFFSET.match(v) or v in _zones():
        return None
    hint = ""
    m = re.fullmatch(r"(?:(?:utc|gmt)\s*)?([+-])\s*(\d{1,2})(?::?(\d{2}))?", v.strip().lower())
    if m and int(m.group(2)) <= 14:
        hint = f" (did you mean {m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}?)"
    elif v.strip().lower() in ("local", "local time"):
        hint = "; 'local time' is not a zone: write the offset or zone of the place, such as +04:00 or Asia/Baku"
    elif v.strip().lower().replace("_", " ").removesuffix(" time") in _zone_cities():
        hint = f" (did you mean {_zone_cities()[v.strip().lower().replace('_', ' ').removesuffix(' time')]!r}?)"
    return ZONE_EXPECTED + hint


def check_zones(c: Cells, lines: np.ndarray, rep: Report) -> None:
    mask, messages = c.per_unique(zone_message)
    rep.rows(mask, "time_zone", c.values, lines, messages.__getitem__)


def check_columns_record(got_cells: dict[str, Cells], columns, lines: np.ndarray, rep: Report) -> None:
    """The record model's per-column checks: lists of ids, patterns, time zones."""
    for col in columns:
        c = got_cells[col.name]
        if col.type == SLUG_LIST:
            check_list_syntax(c, col, lines, rep)
        if col.pattern:
            check_pattern(c, col, lines, rep)
        if col.name == "time_zone":
            check_zones(c, lines, rep)


# ------------------------------------------------------------------ rules across columns and files


def check_list_reference(cells: Cells, lines, column: str, targets, target_name: str, rep: Report) -> None:
    """Each id of each ;-list must be one of `targets` (per distinct cell; cells not well formed are left
    to the syntax check)."""
    from .rules import suggest

    known = set(targets)
    _, uniques = cells.factorize()
    messages: dict[str, str] = {}
    flags = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        if u == "" or u in known:
            continue
        parts = split_ids(u)
        if not all(p and _SLUG.match(p) for p in parts):
            continue
        unknown = [p for p in parts if p not in known]
        if unknown:
            flags[i] = True
            hints = ", ".join(f"{p!r}{suggest(p, sorted(known))}" for p in unknown)
            messages[u] = (f"an id in {target_name}" + suggest(u, sorted(known))) if len(parts) == 1 else f"each id in {target_name}: unknown {hints}"
    if flags.any():
        rep.rows(cells.mask(flags), column, cells.values, lines, messages.__getitem__)


def check_pairs(cells: dict[str, Cells], lines: np.ndarray, rep: Report) -> None:
    """A time needs its zone; a truce phase needs its truce."""
    time, zone = cells["time"], cells["time_zone"]
    rep.rows(~time.empty & zone.empty, "time_zone", zone.values, lines,
             "a time zone with the time (a UTC offset such as +04:00, or an IANA name such as Asia/Baku; write the one the source implies)")
    phase, truce = cells["truce_phase"], cells["truce"]
    rep.rows(~phase.empty & truce.empty, "truce", truce.values, lines,
             "a truce id with the truce_phase (a truce_phase says which step of which truce; name the truce, such as truce-2020-10-10)")


def _party_sets(party: Cells) -> np.ndarray:
    """Per row, the party list as a canonical text (sorted ids), compared once per distinct cell."""
    codes, uniques = party.factorize()
    canon = np.array([";".join(sorted(set(split_ids(u)))) for u in uniques], dtype=object)
    return canon[codes] if len(canon) else np.array([], dtype=object)


def check_revises(cells: dict[str, Cells], lines: np.ndarray, dates: dict, rep: Report) -> None:
    """revises names an earlier row of the same party, not itself, and the revisions form no cycle."""
    rev = cells["revises"]
    has = ~rev.empty
    if not has.any():
        return
    ids = cells["id"].values
    n = len(ids)
    rows = np.flatnonzero(has)
    position = pd.Series(np.arange(n), index=pd.Index(ids, dtype=object))
    position = position[~position.index.duplicated()]
    target = position.reindex(pd.Index(rev.values[rows], dtype=object)).to_numpy()
    found = ~np.isnan(target)
    values = rev.values

    from .rules import _slug_message, suggest

    _, uniques = rev.factorize()
    is_slug = rev.mask(np.array([u == "" or bool(_SLUG.match(u)) for u in uniques], dtype=bool))
    unknown = np.zeros(n, dtype=bool)
    unknown[rows[~found]] = True
    rep.rows(unknown & is_slug, "revises", values, lines, lambda v: "the id of an earlier row in statements.csv" + suggest(v, list(position.index) if len(position) <= 5000 else []))
    rep.rows(has & ~is_slug, "revises", values, lines, lambda v: _slug_message(v) or "")

    rows, target = rows[found], target[found].astype(np.int64)
    itself = rows == target
    mask = np.zeros(n, dtype=bool)
    mask[rows[itself]] = True
    rep.rows(mask, "revises", values, lines, "the id of another, earlier row (a row cannot revise itself)")
    rows, target = rows[~itself], target[~itself]

    parties = _party_sets(cells["party"])
    differ = parties[rows] != parties[target]
    mask = np.zeros(n, dtype=bool)
    mask[rows[differ]] = True
    where = dict(zip(rows.tolist(), target.tolist()))
    rep.rows(mask, "revises", values, lines, lambda v: f"a row of the same party: {v!r} is another claimant's row "
             f"({cells['party'].values[position[v]] or 'no party'}); a correction by someone else is a response (responds_to), not a revision")

    date = cells["date"].values
    parsed = dates.get("date", {})
    dcodes, duniq = cells["date"].factorize()
    nat = np.datetime64("NaT", "D")
    first = np.array([np.datetime64(parsed[u].first, "D") if u in parsed else nat for u in duniq], dtype="datetime64[D]")[dcodes]
    last = np.array([np.datetime64(parsed[u].last, "D") if u in parsed else nat for u in duniq], dtype="datetime64[D]")[dcodes]
    later = first[target] > last[rows]  # NaT compares False: a bad date is reported by the date check
    mask = np.zeros(n, dtype=bool)
    mask[rows[later]] = True
    rep.rows(mask, "revises", values, lines, lambda v: f"the id of an EARLIER row: {v!r} is dated {date[position[v]]}, after this row")

    # Cycles: each row revises at most one other, so following `where` from any row either ends or loops.
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    in_cycle: dict[int, list[int]] = {}
    for start in where:
        path = []
        node = start
        while node in where and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = where[node]
        if state.get(node) == 1:  # came back to the current path: a cycle
            cycle = path[path.index(node):]
            for member in cycle:
                in_cycle[member] = cycle
        for member in path:
            state[member] = 2
    if in_cycle:
        mask = np.zeros(n, dtype=bool)
        mask[list(in_cycle)] = True
        by_value = {values[r]: " -> ".join(ids[m] for m in in_cycle[r] + [in_cycle[r][0]]) for r in in_cycle}
        rep.rows(mask, "revises", values, lines, lambda v: f"revisions that end, not a cycle: {by_value[v]}")


def check_label_tokens(topics, places, rep: Report) -> None:
    """Every {...} in a topic's label names a place id (topics are few: checked per distinct label)."""
    from .rules import suggest

    ids = set(places["id"])
    label = topics.cells["label"]
    mask, messages = label.per_unique(lambda v: (lambda bad: "each {place_id} to name an id in places.csv: unknown "
                                                 + ", ".join(f"{{{b}}}{suggest(b, sorted(ids))}" for b in bad) if bad else None)(
        [t for t in dict.fromkeys(re.findall(r"\{([^{}\n]{0,80})\}", v)) if t not in ids]))
    rep.rows(mask, "label", label.values, topics.lines, messages.__getitem__)
