"""The record model's derived values: times in UTC and as the source gives them, labels of
topics and measures, parties' roles and colours, and the structures the report draws from the rows:
running totals (`series`), corrected figures (`revision_chains`) and the course of truces (`truces`).

The functions take rows as `Selection.rows` holds them (with `parties_list`, `about_list`, `time_utc`,
`sort_key`); `Selection` calls the column helpers once per distinct value, never once per row.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import pandas as pd

from .rules_record import split_ids
from .schema import OFFSET_PATTERN, ROLE_BY_SIDE

# Okabe-Ito, a palette told apart by readers with colour-blindness (black left out: it is the text colour).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999")
BROKER_ROLES = ("outside-power", "international-organisation")
_OFFSET = re.compile(OFFSET_PATTERN)

__all__ = [
    "Accusation", "Chain", "Series", "Truce", "default_colour", "measure_fallback", "parties_with_defaults", "revision_chains",
    "series", "split_ids", "time_text", "time_utc", "topic_fallback", "truces",
]


# ------------------------------------------------------------------ parties


def default_colour(party_id: str) -> str:
    """A palette colour chosen by a stable hash of the id (never by row order, so it does not move)."""
    return PALETTE[zlib.crc32(party_id.encode()) % len(PALETTE)]


def parties_with_defaults(parties: pd.DataFrame) -> pd.DataFrame:
    """parties.csv with `role` (from the side when empty) and `colour` (from the palette when empty) filled in."""
    out = parties.copy()
    for column in ("role", "colour"):
        if column not in out:
            out[column] = ""
    out["role"] = out["role"].fillna("").astype(str)
    out["colour"] = out["colour"].fillna("").astype(str)
    empty_role = out["role"] == ""
    out.loc[empty_role, "role"] = out.loc[empty_role, "side"].map(ROLE_BY_SIDE).fillna("belligerent")
    empty_colour = out["colour"] == ""
    out.loc[empty_colour, "colour"] = [default_colour(i) for i in out.loc[empty_colour, "id"]]
    return out


# ------------------------------------------------------------------ times


def _zone(zone: str):
    if _OFFSET.match(zone):
        sign = -1 if zone[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    import zoneinfo

    return zoneinfo.ZoneInfo(zone)


@lru_cache(maxsize=4096)
def time_utc(day: str, time: str, zone: str) -> pd.Timestamp:
    """The moment in UTC of a time on a day (YYYY-MM-DD, its first day if less precise); NaT without time or zone."""
    if not time or not zone or not day:
        return pd.NaT
    try:
        y, m, d = (list(map(int, day.split("-"))) + [1, 1])[:3]
        local = datetime(y, m, d, int(time[:2]), int(time[3:5]), tzinfo=_zone(zone))
    except (ValueError, KeyError, OSError):
        return pd.NaT
    return pd.Timestamp(local).tz_convert("UTC")


def to_utc(local: pd.Series, zone: str) -> pd.Series:
    """Naive local datetimes in one zone (an offset or an IANA name) as UTC; NaT where the zone is unknown."""
    try:
        if _OFFSET.match(zone):
            sign = -1 if zone[0] == "-" else 1
            shifted = local - sign * pd.Timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            return shifted.dt.tz_localize("UTC")
        return local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    except Exception:  # an unknown zone is the validator's to report; here it is just not known
        return pd.Series(pd.NaT, index=local.index, dtype="datetime64[ns, UTC]")


@lru_cache(maxsize=1024)
def time_text(time: str, zone: str) -> str:
    """The time as the source gives it: '00:00 Moscow time', '08:00 (UTC+04:00)', '12:00 UTC'; '' without a time."""
    if not time:
        return ""
    if not zone:
        return time
    if _OFFSET.match(zone):
        return f"{time} (UTC{zone})"
    if zone in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        return f"{time} {zone.rsplit('/', 1)[-1]}"
    return f"{time} {zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


# ------------------------------------------------------------------ labels


def topic_fallback(topic: str, names: dict[str, str]) -> str:
    """A heading made from a topic id: words in sentence case, place ids written as the place's name
    ('control-of-hadrut' -> 'Control of Hadrut'; 'front-line' -> 'Front line')."""
    if not topic:
        return ""
    words = re.split(r"[-_]", topic)
    out: list[str] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):  # the longest run of words that is a place id
            candidate = "-".join(words[i:j])
            if candidate in names:
                out.append(names[candidate])
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    text = " ".join(w for w in out if w)
    return text[:1].upper() + text[1:]


def measure_fallback(measure: str) -> str:
    """'prisoners_exchanged' -> 'Prisoners exchanged' (for a measure measures.csv does not label)."""
    text = measure.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ series


@dataclass
class Series:
    """Running totals of one count by one claimant: figures with basis=cumulative, two or more."""

    parties: tuple[str, ...]
    measure: str
    place_id: str
    unit: str
    rows: pd.DataFrame  # in sort_key order

    @property
    def latest(self) -> pd.Series:
        return self.rows.iloc[-1]


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values("sort_key", kind="stable") if "sort_key" in rows else rows


def _party_key(rows: pd.DataFrame) -> pd.Series:
    if "parties_list" in rows:
        return rows["parties_list"].map(lambda ps: tuple(sorted(ps)))
    return rows["party"].map(lambda p: tuple(sorted(split_ids(p))))


def series(rows: pd.DataFrame) -> list[Series]:
    """Cumulative figures grouped by (party set, measure, place_id, unit); groups of 2+ points, earliest first.

    A superseded figure (one a later row revises) is not a point of the series: its revision is.
    """
    if rows.empty or "basis" not in rows:
        return []
    f = rows[(rows["kind"] == "figure") & (rows["basis"] == "cumulative")]
    if "superseded" in f:
        f = f[~f["superseded"]]
    if f.empty:
        return []
    f = _ordered(f)
    key = pd.DataFrame({"parties": _party_key(f).map(";".join).to_numpy(), "measure": f["measure"].to_numpy(),
                        "place_id": f["place_id"].to_numpy(), "unit": f["unit"].to_numpy()})
    out = []
    for (parties, measure, place, unit), positions in key.groupby(["parties", "measure", "place_id", "unit"], sort=False).indices.items():
        if len(positions) >= 2:
            out.append(Series(tuple(parties.split(";")) if parties else (), measure, place, unit, f.iloc[positions]))
    return out  # groups in order of their first row: f is in sort_key order


# ------------------------------------------------------------------ revisions


@dataclass
class Chain:
    """A figure or statement and its corrections, oldest first; all but the last are superseded."""

    ids: list[str]
    source: pd.DataFrame = field(repr=False)  # the rows the chain was found in, indexed by id
    _rows: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def rows(self) -> pd.DataFrame:
        """The chain's rows in chain order, with a `superseded` column (made when first asked for)."""
        if self._rows is None:
            part = self.source.loc[self.ids].reset_index(drop=True)
            part["superseded"] = [True] * (len(self.ids) - 1) + [False]
            self._rows = part
        return self._rows

    @property
    def latest(self) -> pd.Series:
        return self.rows.iloc[-1]

    @property
    def first(self) -> pd.Series:
        return self.rows.iloc[0]


def revision_chains(rows: pd.DataFrame) -> list[Chain]:
    """Chains following `revises` among the rows, each of 2 rows or more, oldest first.

    A row that revises one outside the rows starts a chain. When two rows revise the same row (a fork),
    the earlier in sort order continues the chain.
    """
    if rows.empty or "revises" not in rows:
        return []
    rows = _ordered(rows)
    ids = set(rows["id"])
    revising = rows[(rows["revises"] != "") & rows["revises"].isin(ids)]
    if revising.empty:
        return []
    next_of: dict[str, str] = {}
    for rid, target in zip(revising["id"], revising["revises"]):
        next_of.setdefault(target, rid)  # the earliest revision continues the chain
    has_previous = set(next_of.values())
    by_id = rows.set_index("id", drop=False)
    out = []
    for head in rows["id"]:
        if head not in next_of or head in has_previous:
            continue
        chain = [head]
        seen = {head}
        while chain[-1] in next_of and next_of[chain[-1]] not in seen:
            chain.append(next_of[chain[-1]])
            seen.add(chain[-1])
        out.append(Chain(chain, by_id))
    return out


# ------------------------------------------------------------------ truces


@dataclass
class Accusation:
    party: str
    about_party: str  # "" when the row names no accused party
    row_id: str


@dataclass
class Truce:
    """One truce's course, from the rows carrying its id; each phase's rows in sort_key order."""

    id: str
    announced: pd.DataFrame
    in_force: pd.DataFrame
    violated: pd.DataFrame
    ended: pd.DataFrame
    deadline: pd.DataFrame
    brokers: list[str] = field(default_factory=list)
    accusations: list[Accusation] = field(default_factory=list)
    held_for: timedelta | None = None
    held_for_unit: str | None = None  # "hours" or "days"

    @property
    def rows(self) -> pd.DataFrame:
        return pd.concat([self.announced, self.in_force, self.violated, self.ended, self.deadline]).sort_values("sort_key", kind="stable")


def _moment(row: pd.Series):
    """(UTC moment, 'hours') for a row with time and zone, (day, 'days') for a day-precise date, else None."""
    t = row.get("time_utc", pd.NaT)
    if isinstance(t, pd.Timestamp) and not pd.isna(t):
        return t, "hours"
    if row.get("precision", "") == "day" and not row.get("date_end", ""):
        return pd.Timestamp(row["start"]), "days"
    return None


def held_for(start_row: pd.Series | None, end_row: pd.Series | None) -> tuple[timedelta | None, str | None]:
    """How long a truce held between two rows: hours when both carry a time, else whole days; None when unknown."""
    if start_row is None or end_row is None:
        return None, None
    a, b = _moment(start_row), _moment(end_row)
    if a is None or b is None:
        return None, None
    if a[1] == "hours" and b[1] == "hours":
        delta = b[0] - a[0]
        return (delta.to_pytimedelta(), "hours") if delta >= pd.Timedelta(0) else (None, None)
    start_day = a[0].tz_localize(None).normalize() if a[0].tzinfo else a[0].normalize()
    end_day = b[0].tz_localize(None).normalize() if b[0].tzinfo else b[0].normalize()
    if a[1] == "hours":  # the local day of a timed row is its date
        start_day = pd.Timestamp(start_row["start"]).normalize()
    if b[1] == "hours":
        end_day = pd.Timestamp(end_row["start"]).normalize()
    delta = end_day - start_day
    return (delta.to_pytimedelta(), "days") if delta >= pd.Timedelta(0) else (None, None)


def _held(start: pd.Series | None, ends: pd.DataFrame) -> tuple[timedelta | None, str | None]:
    """held_for to the end row that bounds it most tightly: a timed accusation 70 minutes after the start
    says more than an untimed one the same day (which says only: within the day)."""
    best: tuple[timedelta | None, str | None] = (None, None)
    best_bound = None
    if start is None or ends.empty:
        return best
    columns = [c for c in ("time_utc", "precision", "date_end", "start") if c in ends]
    for end in ends[columns].to_dict("records"):
        held, unit = held_for(start, end)
        if held is None:
            continue
        bound = held if unit == "hours" else held + timedelta(days=1)
        if best_bound is None or bound < best_bound:
            best, best_bound = (held, unit), bound
    return best


def _list(value, fallback: str) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else split_ids(fallback)


def truces(rows: pd.DataFrame, parties: pd.DataFrame | None = None) -> list[Truce]:
    """One Truce per truce id in the rows, earliest first.

    parties: indexed by id with a `role` column (Selection.parties); brokers are the announcing parties
    whose role is outside-power or international-organisation.
    """
    if rows.empty or "truce" not in rows:
        return []
    t = _ordered(rows[rows["truce"] != ""])
    roles = parties["role"] if parties is not None and "role" in parties else pd.Series(dtype=str)
    out = []
    phases = ("announced", "in_force", "violated", "ended", "deadline")
    for truce_id, positions in t.groupby("truce", sort=False).indices.items():
        g = t.iloc[positions]
        by_phase = g.groupby("truce_phase", sort=False).indices
        phase = {p: g.iloc[by_phase.get(p, [])] for p in phases}
        brokers: list[str] = []
        for ps, p in zip(phase["announced"].get("parties_list", phase["announced"]["party"]), phase["announced"]["party"]):
            for pid in _list(ps, p):
                if roles.get(pid, "") in BROKER_ROLES and pid not in brokers:
                    brokers.append(pid)
        accusations = []
        accusing = phase["violated"][phase["violated"]["stance"] == "accuses"]
        columns = [c for c in ("id", "party", "about_party", "parties_list", "about_list") if c in accusing]
        for r in accusing[columns].to_dict("records"):
            about = _list(r.get("about_list"), r.get("about_party", "")) or [""]
            for pid in _list(r.get("parties_list"), r["party"]):
                for target in about:
                    accusations.append(Accusation(pid, target, r["id"]))
        start = phase["in_force"].iloc[0] if len(phase["in_force"]) else None
        held, unit = _held(start, pd.concat([accusing, phase["ended"]]))
        out.append(Truce(str(truce_id), *(phase[p] for p in ("announced", "in_force", "violated", "ended", "deadline")),
                         brokers=brokers, accusations=accusations, held_for=held, held_for_unit=unit))
    return out
