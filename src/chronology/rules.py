"""The checks of cell values that the schema's columns drive, and the rules across files.

Per column (`schema.Column`): required, allowed values, identifiers, dates, numbers and ranges,
unique ids. Across files: references into places, parties and sources, figure and kind rules,
spans that end before they start, {place_id} tokens in summaries. Every check runs on the
distinct values of a column (`Cells`), and reports through a `Report`, which lists a few
problems per check and counts the rest: a million bad cells cost no more than a hundred.
The values the checks parse (numbers, dates) become the typed frame, so nothing is parsed twice.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .cells import Cells
from .dates import DateError, PartialDate
from .problem import Report
from .rules_record import check_columns_record, check_label_tokens, check_list_reference, check_pairs, check_revises
from .schema import FIGURE_COLUMNS, FIGURE_ONLY, NUMBER, PARTIAL_DATE, QUALIFIERS, SLUG, SLUG_PATTERN, SOURCES, Column, Table
from .shape import Read, read_table

if TYPE_CHECKING:
    from .load import Limits

# Suggestions ("did you mean ...?") are only looked for among this many candidates.
MAX_SUGGESTION_CHOICES = 5000


def suggest(value: str, choices) -> str:
    """' (did you mean ...?)' for a close choice, ignoring case if need be; '' when none or too many to search."""
    choices = list(choices)
    if not value or not choices or len(choices) > MAX_SUGGESTION_CHOICES:
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""

_SLUG = re.compile(SLUG_PATTERN)
_SLUGS = re.compile(r"(?:[a-z0-9][a-z0-9_-]*\n)*")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$", re.ASCII)
_QUALIFIER_SYNONYMS = {
    "approximately": "about", "approx": "about", "around": "about", "roughly": "about", "some": "about", "circa": "about", "c": "about", "~": "about",
    "over": "more_than", "above": "more_than", "greater_than": "more_than", "more": "more_than", ">": "more_than",
    "under": "fewer_than", "below": "fewer_than", "less_than": "fewer_than", "less": "fewer_than", "<": "fewer_than",
    "up_to": "at_most", "no_more_than": "at_most", "maximum": "at_most", "max": "at_most", "<=": "at_most",
    "minimum": "at_least", "min": "at_least", "no_fewer_than": "at_least", ">=": "at_least",
    "exactly": "exact", "precisely": "exact", "=": "exact", "close_to": "nearly", "just_under": "nearly",
}
_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}


def _all_slugs(values) -> bool:
    """Are all these (non-empty) values identifiers? One regex over them all."""
    return _SLUGS.fullmatch("\n".join(values) + "\n") is not None


def _slug_guess(value: str) -> str:
    """The identifier a value was meant to be; keeps '_' (valid in ids), unlike text.slugify's file-name slugs."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-")
    return slug if slug and _SLUG.match(slug) else ""


def _slug_message(v: str) -> str | None:
    """None for an identifier, else what was expected, with the identifier it was probably meant to be."""
    if _SLUG.match(v):
        return None
    slug = _slug_guess(v)
    return "an identifier in lower-case letters, digits, '-' or '_'" + (f" (did you mean {slug!r}?)" if slug and slug != v else "")


def _allowed_message(col: Column):
    """value -> None or what was expected: the allowed values, and a guess (a synonym, a spelling) when there is one."""
    def check(v: str) -> str | None:
        if v in col.allowed:
            return None
        norm = re.sub(r"[\s-]+", "_", v.strip().lower())
        guess = norm if norm in col.allowed else _QUALIFIER_SYNONYMS.get(norm) if col.allowed == QUALIFIERS else None
        hint = f" (did you mean {guess!r}?)" if guess else suggest(norm, col.allowed)
        return f"one of {', '.join(col.allowed)}{hint}"

    return check


def _number(v: str, example: str = '1200 or "1,200"', thousands: bool = True) -> tuple[float | None, str | None]:
    """(the number, None) or (None, what was expected). `thousands`: accept "1,200" as 1200."""
    text = v.replace(",", "") if thousands and _THOUSANDS.match(v) else v
    if _NUMBER.match(text):
        number = float(text)
        if np.isfinite(number):
            return number, None
        return None, f"a number such as {example} ({v} is too large)"
    hint = ""
    if _DECIMAL_COMMA.match(v) and not (thousands and _THOUSANDS.match(v)):
        hint = f"; write a decimal point: {v.replace(',', '.')}"
    elif m := re.match(r"^([A-Za-z][A-Za-z ]*?)\s*([\d,.]+)$", v):
        hint = f"; put {m.group(1).strip()!r} in the qualifier column and the number alone here"
    elif re.match(r"^[\d,.]+\s*[A-Za-z]+$", v):
        hint = "; put the unit in the unit column and the number alone here"
    elif re.match(r"^\d{1,3}(\s\d{3})+$", v):
        hint = f"; write it without spaces: {re.sub(r'[ ]', '', v)}"
    return None, f"a number such as {example}{hint}"


@dataclass
class Checked:
    """A table after its own checks: the typed frame (None when unreadable) and what was found."""

    path: Path
    read: Read
    report: Report
    frame: pd.DataFrame | None = None
    numbers: dict = field(default_factory=dict)
    dates: dict = field(default_factory=dict)

    @property
    def cells(self) -> dict[str, Cells]:
        return self.read.cells

    @property
    def lines(self) -> np.ndarray:
        return self.read.lines


def check_columns(got: Read, table: Table, rep: Report) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Checks of each column on its own: (parsed numbers by column, parsed dates by column and text)."""
    lines = got.lines
    numbers: dict[str, np.ndarray] = {}
    dates: dict[str, dict] = {}
    for col in table.columns:
        c = got.cells[col.name]
        if col.required:
            rep.rows(c.empty, col.name, c.values, lines, "a value (this column is required)")
        if col.type == SLUG:
            _check_slugs(c, col, lines, rep)
        if col.type == PARTIAL_DATE:
            dates[col.name] = _check_dates(c, col, lines, rep)
        if col.type == NUMBER:
            numbers[col.name] = _check_numbers(c, col, lines, rep)
        if col.unique:
            _check_unique(c, col, lines, rep)
    check_columns_record(got.cells, table.columns, lines, rep)
    return numbers, dates


def _check_slugs(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> None:
    """One of the allowed values, or else an identifier; one regex over all values finds most files clean."""
    if col.allowed:
        mask, messages = c.per_unique(_allowed_message(col))
        rep.rows(mask, col.name, c.values, lines, messages.__getitem__)
        return
    _, uniques = c.factorize()
    if not _all_slugs(u for u in uniques if u != ""):
        mask, messages = c.per_unique(_slug_message)
        rep.rows(mask, col.name, c.values, lines, messages.__getitem__)


def _check_dates(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> dict[str, PartialDate]:
    """Each distinct date parsed once: the parsed dates by text (the typed frame's start and end)."""
    parsed: dict[str, PartialDate] = {}

    def parse(v: str) -> str | None:
        try:
            parsed[v] = PartialDate.parse(v)
        except DateError as err:
            return str(err)
        return None

    mask, messages = c.per_unique(parse)
    rep.rows(mask, col.name, c.values, lines, messages.__getitem__)
    return parsed


def _check_numbers(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> np.ndarray:
    """Each distinct number parsed once and checked against its range: the column as floats (NaN when empty or bad)."""
    codes, uniques = c.factorize()
    out = np.full(len(uniques), np.nan)
    messages = {}
    flags = np.zeros(len(uniques), dtype=bool)
    low, high = _RANGES.get(col.name, (0.0 if col.name == "value" else -np.inf, np.inf))
    for i, u in enumerate(uniques):
        if u == "":
            continue
        if col.name in _RANGES:  # degrees: "39,758" is a decimal comma, not thirty-nine thousand
            number, message = _number(u, col.example, thousands=False)
        else:
            number, message = _number(u)
        if message is None and not low <= number <= high:
            message = "a count of zero or more" if col.name == "value" else f"a number from {low:g} to {high:g}"
        if message is None:
            out[i] = number
        else:
            flags[i] = True
            messages[u] = message
    rep.rows(c.mask(flags), col.name, c.values, lines, messages.__getitem__)
    return out[codes] if len(out) else np.full(len(lines), np.nan)


def _check_unique(c: Cells, col: Column, lines: np.ndarray, rep: Report) -> None:
    """A repeated id names the line it was first used on."""
    codes, uniques = c.factorize()
    dup = pd.Series(codes).duplicated().to_numpy() & ~c.empty
    if dup.any():
        first = np.full(len(uniques), -1, dtype=np.int64)
        first[codes[::-1]] = np.arange(len(lines))[::-1]
        where = dict(zip(uniques, first))
        rep.rows(dup, col.name, c.values, lines, lambda v: f"a unique id: {v!r} is already used on line {lines[where[v]]}")


def _check_urls(got: Read, rep: Report) -> None:
    """Sources are cited by their web address: it has to be one."""
    url = got.cells["url"]
    _, uniques = url.factorize()
    rep.rows(url.mask(np.array([u != "" and not u.startswith(("http://", "https://")) for u in uniques], dtype=bool)),
             "url", url.values, got.lines, "a web address starting with http:// or https://")


def _check_reference(cells: Cells, lines, column: str, targets, target_name: str, rep: Report, hint_choices=None) -> None:
    """Each non-empty, well-formed value must be one of `targets` (compared once per distinct value)."""
    codes, uniques = cells.factorize()
    flags = ~pd.Index(uniques).isin(pd.Index(targets).append(pd.Index([""])))
    if flags.any():
        flags &= np.array([bool(_SLUG.match(u)) for u in uniques], dtype=bool)
    if flags.any():
        choices = sorted(targets) if hint_choices is None else hint_choices
        rep.rows(cells.mask(flags), column, cells.values, lines, lambda v: f"an id in {target_name}" + suggest(v, choices))


def _typed(table: Table, got: Read, numbers: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame: a `line` column, the numbers the checks parsed as floats, every other cell a string."""
    out: dict = {"line": got.lines}
    for col in table.columns:
        if col.name in numbers:
            out[col.name] = numbers[col.name].astype("float64")
        else:
            out[col.name] = pd.array(got.cells[col.name].values, dtype="str")
    return pd.DataFrame(out, copy=False)  # the arrays are new already: copying them again costs 0.2 s a million rows


def check_table(path: Path, table: Table, limits: Limits, *, exact: bool = False) -> Checked:
    """One file read and checked on its own: its typed frame (None when unreadable) and report."""
    got = read_table(path, table, limits, exact)
    rep = Report(str(path))
    rep.problems += got.problems
    checked = Checked(path, got, rep)
    if got.cells is None:
        return checked
    rep.skip = got.shifted
    checked.numbers, checked.dates = check_columns(got, table, rep)
    if table is SOURCES:
        _check_urls(got, rep)
    checked.frame = _typed(table, got, checked.numbers)
    return checked


# Wider than naming's token pattern on purpose: a {Shusha} or {shusha } is a token written wrong, to report.
_TOKEN = re.compile(r"\{([^{}\n]{0,80})\}")


def check_statements(st: Checked, checked: dict[str, Checked]) -> None:
    """The statements' rules that need other rows or other files (added to st.report)."""
    _check_references(st, checked)
    _check_figure_and_kind(st)
    _check_spans(st)
    check_pairs(st.cells, st.lines, st.report)
    check_revises(st.cells, st.lines, st.dates, st.report)
    places = checked.get("places")
    if places is not None and places.frame is not None and len(st.lines):
        _check_tokens(st.cells["summary"], st.lines, places.frame, st.report)
        topics = checked.get("topics")
        if topics is not None and topics.frame is not None and topics.path.parent == places.path.parent:  # the bundled topics name the bundled places
            check_label_tokens(topics, places.frame, topics.report)


def _check_references(st: Checked, checked: dict[str, Checked]) -> None:
    """References into the other files (when they could be read), and into this one."""
    rep, cells, lines = st.report, st.cells, st.lines
    for column, key, fname in (("party", "parties", "parties.csv"), ("about_party", "parties", "parties.csv"), ("place_id", "places", "places.csv"),
                               ("source_id", "sources", "sources.csv"), ("measure", "measures", "measures.csv")):
        other = checked.get(key)
        if other is not None and other.frame is not None:
            targets = other.frame["id"].to_numpy(dtype=object)
            if column in ("party", "about_party", "source_id"):
                check_list_reference(cells[column], lines, column, targets, fname, rep)
            else:
                _check_reference(cells[column], lines, column, targets, fname, rep)
    ids = cells["id"]
    _, id_uniques = ids.factorize()
    _check_reference(cells["responds_to"], lines, "responds_to", id_uniques, "statements.csv (the id of another row)", rep,
                     hint_choices=list(id_uniques) if len(id_uniques) <= MAX_SUGGESTION_CHOICES else [])
    resp = cells["responds_to"]
    rep.rows(~resp.empty & (resp.values == ids.values), "responds_to", resp.values, lines, "the id of another row (a row cannot answer itself)")


def _check_figure_and_kind(st: Checked) -> None:
    """Figures carry measure, value, qualifier and unit, statements and events none; claims need a party and stance."""
    rep, cells, lines = st.report, st.cells, st.lines
    kind = cells["kind"]
    is_figure = kind.isin({"figure"})
    not_figure = kind.isin({"statement", "event"})
    hints = {known: f"; the header has a column {written!r}: did you mean {known!r}?" for known, written in st.read.near_misses.items()}
    for column in FIGURE_ONLY:
        c = cells[column]
        if column in FIGURE_COLUMNS:
            rep.rows(is_figure & c.empty, column, c.values, lines, f"a {column} on a figure row (figures need measure, value, qualifier and unit){hints.get(column, '')}")
        present = ~np.isnan(st.numbers["value"]) if column == "value" else ~c.empty
        rep.rows(not_figure & present, column, c.values, lines,
                 f"no {column} here: only kind=figure rows carry a figure (make this row a figure, or give the number its own figure row)")
    claims = kind.isin({"statement", "figure"})
    for column, what in (("party", "a party, an id in parties.csv (who is speaking?)"), ("stance", "a stance (asserts, denies, ...)")):
        c = cells[column]
        rep.rows(claims & c.empty, column, c.values, lines, f"{what} on a statement or figure row{hints.get(column, '')}")


def _check_spans(st: Checked) -> None:
    """A span must not end before it starts: compared once per distinct (date, date_end) pair."""
    parsed = st.dates
    date, date_end = st.cells["date"], st.cells["date_end"]
    has_end = ~date.empty & ~date_end.empty
    if not has_end.any():
        return
    dcodes, duniq = date.factorize()
    ecodes, euniq = date_end.factorize()
    pair = dcodes.astype(np.int64) * len(euniq) + ecodes
    pairs = np.unique(pair[has_end])
    backwards = []
    for p in pairs:
        d, e = duniq[p // len(euniq)], euniq[p % len(euniq)]
        if d in parsed["date"] and e in parsed["date_end"] and parsed["date_end"][e].last < parsed["date"][d].first:
            backwards.append(p)
    if backwards:
        st.report.rows(has_end & np.isin(pair, backwards), "date_end", date_end.values, st.lines,
                       "a date on or after the start date (date_end ends a span; are date and date_end swapped?)")


def _check_tokens(summary: Cells, lines, places: pd.DataFrame, rep: Report) -> None:
    """Every {...} in a summary names a place id: one regex over all summaries, rows found only for bad ones."""
    values = summary.values
    joined = "\x00".join(values)
    ids = set(places["id"])
    bad = set(_TOKEN.findall(joined)) - ids
    if not bad:
        return
    lookup = {}
    for row in places.itertuples():
        for place_name in (row.name_international, row.name_azerbaijani, row.name_armenian):
            lookup.setdefault(str(place_name).strip().lower(), row.id)
    offsets = np.cumsum(np.fromiter((len(v) + 1 for v in values), dtype=np.int64, count=len(values)))
    pattern = re.compile("|".join(re.escape("{" + b + "}") for b in sorted(bad)))
    rows = {int(np.searchsorted(offsets, m.start(), side="right")) for m in pattern.finditer(joined)}
    mask = np.zeros(len(values), dtype=bool)
    mask[sorted(rows)] = True

    def expected(v: str) -> str:
        texts = []
        for tok in dict.fromkeys(_TOKEN.findall(v)):
            if tok in ids:
                continue
            guess = lookup.get(tok.strip().lower()) or (tok.strip().lower() if tok.strip().lower() in ids else None)
            hint = f" (did you mean {{{guess}}}?)" if guess else suggest(tok, sorted(ids))
            texts.append(f"{{{tok}}}{hint}")
        return f"each {{place_id}} to name an id in places.csv: unknown {', '.join(texts)}"

    rep.rows(mask, "summary", values, lines, expected)


def with_dates(st: Checked) -> pd.DataFrame:
    """Add the parsed dates: start, end (inclusive day spans) and their precision."""
    frame = st.frame
    parsed = st.dates
    date, date_end = st.cells["date"], st.cells["date_end"]
    dcodes, duniq = date.factorize()
    ecodes, euniq = date_end.factorize()

    def arrays(uniques, by_text):
        nat = np.datetime64("NaT", "D")
        firsts = np.array([np.datetime64(by_text[u].first, "D") if u in by_text else nat for u in uniques], dtype="datetime64[D]")
        lasts = np.array([np.datetime64(by_text[u].last, "D") if u in by_text else nat for u in uniques], dtype="datetime64[D]")
        precisions = np.array([by_text[u].precision if u in by_text else "" for u in uniques], dtype=object)
        return firsts, lasts, precisions

    d_first, d_last, d_prec = arrays(duniq, parsed["date"])
    _, e_last, _ = arrays(euniq, parsed["date_end"])
    frame["start"] = d_first[dcodes].astype("datetime64[s]")
    frame["end"] = np.where(date_end.empty, d_last[dcodes], e_last[ecodes]).astype("datetime64[s]")
    frame["precision"] = pd.array(d_prec[dcodes], dtype="str")
    return frame
