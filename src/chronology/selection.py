"""The rows a page shows: filtered once from typed Parameters and a Dataset, with the names and
derived columns every section (report, handout, TimelineJS export) reads.

`Selection.rows` is a DataFrame of the kept statements in date order, with these derived columns:
lane (party name, or Events), side, summary_text ({place} tokens filled in the naming), place_name,
source (publisher: title), date_text (display span).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from . import naming, record
from .charts import arrow_end
from .dates import PartialDate, display_span
from .editorial import GENERIC_TITLE, Editorial
from .load import Dataset
from .params import Parameters
from .qualifiers import bounds, phrase

FIGURES_SHOWN = 60  # figures drawn and listed; the rest are in the table
MEASURE_GROUPS = {
    "deaths_military": "Military deaths",
    "deaths_civilian": "Civilian deaths",
    "deaths_total": "All deaths",
    "injured_civilian": "Civilians injured",
    "injured_military": "Military injured",
    "displaced": "People displaced",
    "equipment_destroyed": "Equipment destroyed",
}
SIDE_WORDS = {"azerbaijani": "Azerbaijani side", "armenian": "Armenian side", "third-party": "third party", "press": "the press"}
BOUND_LABELS = {"upper": "below this (upper bound)", "lower": "above this (lower bound)", "exact": "this figure (exact)", "approximate": "around this"}
CONTESTING = ("denies", "disputes")
CONVENTIONS = {
    "dual": "international name with the other name beside it",
    "azerbaijani": "names as used in Azerbaijan",
    "armenian": "names as used in Armenia",
    "international": "names in international English usage",
}


class Selection:
    """One selection of the data, built once per page."""

    def __init__(self, params: Parameters, data: Dataset, editorial: Editorial | None = None):
        self.params = params
        self.data = data
        self.editorial = editorial if editorial is not None else Editorial.beside(params.statements_path)
        self.names = naming.names(data.places, params.naming)
        self.parties = record.parties_with_defaults(data.parties).set_index("id")
        self.topics = _frame(data, "topics", ["id", "label", "note"]).set_index("id")
        self.measures = _frame(data, "measures", ["id", "label", "unit", "casualty", "note"]).set_index("id")
        self.rows = self._rows()

    # ------------------------------------------------------------ filtering and derived columns

    def _rows(self) -> pd.DataFrame:
        p = self.params
        view = self.data.statements
        if p.start:
            view = view[view["end"] >= pd.Timestamp(p.start.first)]
        if p.end:
            view = view[view["start"] <= pd.Timestamp(p.end.last)]
        if p.parties:
            wanted = set(p.parties)
            view = view[_per_value(view["party"], lambda v: bool(wanted & set(record.split_ids(v))))]
        if p.topic:
            view = view[view["topic"] == p.topic]
        if p.as_of:
            # as_of: the record as it could be known on that date. A row is kept from the
            # publication of its EARLIEST source (a row corroborated later appears from its first source);
            # a source dated only to the month or year counts from the last day it could have appeared.
            view = view[first_published(view["source_id"], self.data.sources) <= pd.Timestamp(p.as_of.last)]
        view = view.copy()
        for column in ("time", "time_zone", "about_party", "basis", "revises", "truce", "truce_phase"):
            if column not in view:  # a Dataset pickled or built before the record model
                view[column] = ""
        view["time_utc"] = _time_utc(view)
        view = _in_order(view)
        view["sort_key"] = range(len(view))
        sources = self.data.sources.set_index("id")
        view["parties_list"] = _per_value(view["party"], record.split_ids)
        view["sources_list"] = _per_value(view["source_id"], record.split_ids)
        view["about_list"] = _per_value(view["about_party"], record.split_ids)
        first_party = _per_value(view["party"], lambda v: (record.split_ids(v) or [""])[0])
        view["lane"] = _per_value(view["party"], lambda v: ", ".join(self.party_name(i) for i in record.split_ids(v)) or "Events")
        view["side"] = first_party.map(self.parties["side"]).fillna("event").astype("str")
        view["party_role"] = first_party.map(self.parties["role"]).fillna("").astype("str")
        view["party_colour"] = first_party.map(self.parties["colour"]).fillna("").astype("str")
        view["time_text"] = [record.time_text(t, z) for t, z in zip(view["time"], view["time_zone"])]
        view["topic_label"] = _per_value(view["topic"], self.topic_label)
        view["measure_label"] = _per_value(view["measure"], lambda m: self.measure_label(m) if m else "")
        view["superseded"] = view["id"].isin(set(view["revises"]) - {""})
        has_token = view["summary"].str.contains("{", regex=False)
        view["summary_text"] = view["summary"]
        view.loc[has_token, "summary_text"] = [naming.fill(s, self.names) for s in view.loc[has_token, "summary"]]
        view["place_name"] = view["place_id"].map(self.names).fillna("").astype("str")
        source_text = (sources["publisher"] + ": " + sources["title"]).to_dict()
        view["source"] = _per_value(view["source_id"], lambda v: source_text.get((record.split_ids(v) or [""])[0], v))
        view["sources_text"] = _per_value(view["source_id"], lambda v: "; ".join(source_text.get(i, i) for i in record.split_ids(v)))
        span_key = view["date"] + "|" + view["date_end"]
        span_text = {k: _span_text(*k.split("|")) for k in span_key.unique()}
        view["date_text"] = span_key.map(span_text).astype("str")
        return view

    # ------------------------------------------------------------ naming

    def place(self, place_id: str) -> str:
        return self.names.get(place_id, place_id)

    def party_name(self, party_id: str) -> str:
        return self._party_names.get(party_id, party_id)

    @cached_property
    def _party_names(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.parties["name"].items()}

    def role_of(self, party_id: str) -> str:
        """The party's role (from its side when parties.csv leaves it empty); '' for an unknown id."""
        return str(self.parties["role"].get(party_id, ""))

    def colour_of(self, party_id: str) -> str:
        """The party's colour, #rrggbb (from the palette when parties.csv leaves it empty)."""
        return str(self.parties["colour"].get(party_id, record.default_colour(party_id)))

    def topic_label(self, topic: str) -> str:
        """The topic's heading in the naming convention: from topics.csv, else made from its id."""
        label = self.topics["label"].get(topic) if topic in self.topics.index else None
        if label and all(t in self.names for t in naming.tokens(str(label))):
            return self.fill(str(label))
        return record.topic_fallback(topic, self.names)  # no label, or one naming places this data set lacks

    def measure_label(self, measure: str) -> str:
        label = self.measures["label"].get(measure) if measure in self.measures.index else None
        return str(label) if label else MEASURE_GROUPS.get(measure) or record.measure_fallback(measure)

    def is_casualty(self, measure: str) -> bool:
        """Does the measure count people killed, injured or displaced (measures.csv `casualty`)?"""
        if measure in self.measures.index:
            return self.measures["casualty"].get(measure) == "yes"
        return measure in MEASURE_GROUPS and measure != "equipment_destroyed"

    # ------------------------------------------------------------ the record model (see record.py)

    def series(self) -> list[record.Series]:
        return record.series(self.rows)

    def revision_chains(self) -> list[record.Chain]:
        return record.revision_chains(self.rows)

    def truces(self) -> list[record.Truce]:
        return record.truces(self.rows, self.parties)

    def fill(self, text: str) -> str:
        """Our own prose with its {place} tokens in the naming convention."""
        return naming.fill(text, self.names)

    @property
    def convention(self) -> str:
        """The naming convention in words, with examples: the editorial file's places, else the
        first two places whose Azerbaijani and Armenian names differ."""
        ids = [i for i in self.editorial.naming_examples if i in self.names]
        if not ids:
            places = self.data.places
            ids = list(places.loc[places["name_azerbaijani"] != places["name_armenian"], "id"][:2])
        examples = [self.names[i] for i in ids[: 1 if self.params.naming == "dual" else 2]]
        words = CONVENTIONS[self.params.naming]
        return f"{words} ({', '.join(examples)})" if examples else words

    @property
    def title(self) -> str:
        if self.params.title:
            return self.params.title
        title = self.editorial.title
        if title and all(t in self.names for t in naming.tokens(title)):
            return self.fill(title)
        return GENERIC_TITLE

    # ------------------------------------------------------------ descriptions of the selection

    def window(self) -> tuple[PartialDate, PartialDate] | None:
        v = self.rows
        if v.empty:
            return None
        first = PartialDate.parse(v.loc[v["start"].idxmin(), "date"])
        last_row = v.loc[v["end"].idxmax()]
        return first, PartialDate.parse(last_row["date_end"] or last_row["date"])

    def window_text(self) -> str:
        window = self.window()
        return display_span(*window) if window else "no dates"

    def as_of_text(self) -> str:
        """The heading line of an as_of view ("" without as_of)."""
        as_of = self.params.as_of
        return f"As it could be known on {as_of.display()}: only what was published by then." if as_of else ""

    def filters_text(self) -> str:
        p = self.params
        bits = []
        if p.start or p.end:
            bits.append(f"dates {p.start or 'the start'} to {p.end or 'the end'}")
        if p.parties:
            bits.append("parties " + ", ".join(self.parties["name"].get(x, x) for x in p.parties))
        if p.topic:
            bits.append(f"topic {p.topic}")
        return "; ".join(bits)

    def empty_text(self, what: str) -> str:
        filters = self.filters_text()
        return f"No {what} in this selection" + (f" ({filters})." if filters else ".")

    def used_sources(self) -> pd.DataFrame:
        s = self.data.sources
        return s[s["id"].isin(self.rows["sources_list"].explode())] if len(self.rows) else s

    def party_badge(self, party: str) -> dict:
        if ";" in party:  # a joint statement: the first party's side, every party's name
            ids = record.split_ids(party)
            return {"side": self.party_badge(ids[0])["side"], "name": ", ".join(self.party_name(i) for i in ids)}
        if party in self.parties.index:
            row = self.parties.loc[party]
            return {"side": row["side"], "name": row["name"]}
        return {"side": "event", "name": "Event"}

    def notes(self, section: str, rows: pd.DataFrame | None = None) -> list[str]:
        """The editorial notes for a section whose conditions hold in this selection."""
        out = []
        for note in self.editorial.notes.get(section, ()):
            v = self.rows
            if note.topic:
                v = v[v["topic"] == note.topic]
            if note.summary_matches and not v["summary_text"].str.contains(note.summary_matches, regex=True).any():
                continue
            if note.absent_party and rows is not None and (rows["party"] == note.absent_party).any():
                continue
            out.append(self.fill(note.text))
        return out

    # ------------------------------------------------------------ claims and figures

    @cached_property
    def by_id(self) -> pd.DataFrame:
        return self.rows.set_index("id")

    @cached_property
    def contest_ranking(self) -> pd.DataFrame:
        """One row per answered claim in the selection: most denied or disputed first, then most answered, then earliest."""
        v = self.rows
        answered = v[(v["responds_to"] != "") & v["responds_to"].isin(v["id"])]
        if answered.empty:
            return pd.DataFrame(columns=["contests", "responses", "start"])
        ranking = pd.DataFrame(
            {
                "contests": answered["stance"].isin(CONTESTING).groupby(answered["responds_to"]).sum(),
                "responses": answered.groupby("responds_to").size(),
            }
        )
        ranking["start"] = self.by_id.loc[ranking.index, "start"]
        return ranking.sort_values(["contests", "responses", "start"], ascending=[False, False, True], kind="stable")

    def contested(self, limit: int = 12) -> list[tuple[pd.Series, pd.DataFrame]]:
        """Claims with responses, in the ranking's order, each with its responses."""
        out = []
        for target in self.contest_ranking.index[:limit]:
            claim = self.by_id.loc[target].copy()
            claim["id"] = target
            out.append((claim, self.rows[self.rows["responds_to"] == target]))
        return out

    def central_claim(self):
        top = self.contested(limit=1)
        return top[0] if top and top[0][1]["stance"].isin(CONTESTING).any() else None

    @property
    def figures_total(self) -> int:
        return int((self.rows["kind"] == "figure").sum())

    @cached_property
    def figure_rows(self) -> pd.DataFrame:
        """The figures (the largest FIGURES_SHOWN), with their groups, bounds and phrases."""
        f = self.rows[self.rows["kind"] == "figure"]
        if len(f) > FIGURES_SHOWN:
            f = f.nlargest(FIGURES_SHOWN, "value")  # the largest claims; every figure is in the table
        f = f.copy()
        if f.empty:
            return f
        f["group"] = f["measure"].map(MEASURE_GROUPS).fillna(f["measure"])
        f["bound_kind"] = [bounds(v, q).kind for v, q in zip(f["value"], f["qualifier"])]
        f["bound_label"] = f["bound_kind"].map(BOUND_LABELS)
        f["arrow_to"] = [arrow_end(v, k) for v, k in zip(f["value"], f["bound_kind"])]
        f["figure_text"] = [phrase(v, q) for v, q in zip(f["value"], f["qualifier"])]
        f["side_text"] = f["side"].map(SIDE_WORDS).fillna("")
        f["what"] = f["group"] + (" in " + f["place_name"]).where(f["place_name"] != "", "")
        f["label"] = f["group"] + " · " + f["speaker"] + (" (" + f["place_name"] + ")").where(f["place_name"] != "", "")
        return f.sort_values(["group", "value"])


def first_published(source_ids: pd.Series, sources: pd.DataFrame) -> pd.Series:
    """Per row, the publication of its earliest source (the last day of a month- or year-only date),
    from sources.csv `published`; NaT where no source has a date."""
    last = {row.id: pd.Timestamp(PartialDate.parse(row.published).last) for row in sources.itertuples() if row.published}
    return source_ids.map(lambda ids: min((last[i] for i in ids.split(";") if i in last), default=pd.NaT))


def _frame(data: Dataset, name: str, columns: list[str]) -> pd.DataFrame:
    """data.topics / data.measures, or an empty frame of those columns (a Dataset built without them)."""
    frame = getattr(data, name, None)
    return frame if frame is not None else pd.DataFrame({c: pd.Series(dtype=str) for c in columns})


def _per_value(column: pd.Series, fn) -> pd.Series:
    """fn applied once per distinct value of a column (lists and labels of a million rows cost a few hundred calls)."""
    codes, uniques = pd.factorize(column)
    results = np.empty(len(uniques), dtype=object)
    for i, u in enumerate(uniques):
        results[i] = fn(u)  # item by item: a list is one cell, not a row of cells
    out = pd.Series(results[codes] if len(results) else [], index=column.index, dtype=object)
    if len(results) and all(isinstance(r, bool) for r in results):
        return out.astype(bool)
    if len(results) and all(isinstance(r, str) for r in results):
        return out.astype("str")
    return out


def _in_order(view: pd.DataFrame) -> pd.DataFrame:
    """Rows by date (first day, then end, then file line); within a day the rows with a time are put in
    order of their moment in UTC, in the places rows with a time hold, so untimed rows keep their place."""
    view = view.sort_values(["start", "end", "line"], kind="stable")
    timed = view["time_utc"].notna().to_numpy()
    if timed.sum() < 2:
        return view
    order = np.arange(len(view))
    by_moment = view[timed].assign(_pos=order[timed]).sort_values(["start", "time_utc", "end", "line"], kind="stable")["_pos"].to_numpy()
    order[timed] = by_moment  # the timed rows of each day share that day's timed slots: both orders group by day
    return view.iloc[order]


def _time_utc(view: pd.DataFrame) -> pd.Series:
    """Per row, the moment in UTC when the row has a time and a zone, else NaT."""
    out = pd.Series(pd.NaT, index=view.index, dtype="datetime64[ns, UTC]")
    timed = (view["time"] != "") & (view["time_zone"] != "")
    if not timed.any():
        return out
    v = view[timed]
    hours = pd.to_numeric(v["time"].str[:2], errors="coerce")
    minutes = pd.to_numeric(v["time"].str[3:5], errors="coerce")
    local = pd.Series(pd.DatetimeIndex(v["start"]).normalize(), index=v.index) + pd.to_timedelta(hours * 60 + minutes, unit="min")
    # one conversion per zone, not per row; joined (not assigned into `out`) so the unit follows the dates':
    # years before 1678 are microseconds, out of nanoseconds' range
    moments = [record.to_utc(local[idx], zone) for zone, idx in v.groupby("time_zone").groups.items()]
    return pd.concat(moments).reindex(view.index)


def _span_text(date: str, date_end: str) -> str:
    return display_span(PartialDate.parse(date), PartialDate.parse(date_end) if date_end else None)
