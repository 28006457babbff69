"""The rows a page shows: filtered once from typed Parameters and a Dataset, with the names and
derived columns every section (report, handout, TimelineJS export) reads.

`Selection.rows` is a DataFrame of the kept statements in date order, with these derived columns:
lane (party name, or Events), side, summary_text ({place} tokens filled in the naming), place_name,
source (publisher: title), date_text (display span).
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from . import naming
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
        self.parties = data.parties.set_index("id")
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
            view = view[view["party"].isin(p.parties)]
        if p.topic:
            view = view[view["topic"] == p.topic]
        view = view.sort_values(["start", "end", "line"], kind="stable").copy()
        sources = self.data.sources.set_index("id")
        view["lane"] = view["party"].map(self.parties["name"]).fillna("Events").astype("str")
        view["side"] = view["party"].map(self.parties["side"]).fillna("event").astype("str")
        has_token = view["summary"].str.contains("{", regex=False)
        view["summary_text"] = view["summary"]
        view.loc[has_token, "summary_text"] = [naming.fill(s, self.names) for s in view.loc[has_token, "summary"]]
        view["place_name"] = view["place_id"].map(self.names).fillna("").astype("str")
        view["source"] = view["source_id"].map(sources["publisher"] + ": " + sources["title"]).fillna(view["source_id"]).astype("str")
        span_key = view["date"] + "|" + view["date_end"]
        span_text = {k: _span_text(*k.split("|")) for k in span_key.unique()}
        view["date_text"] = span_key.map(span_text).astype("str")
        return view

    # ------------------------------------------------------------ naming

    def place(self, place_id: str) -> str:
        return self.names.get(place_id, place_id)

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
        return s[s["id"].isin(self.rows["source_id"])] if len(self.rows) else s

    def party_badge(self, party: str) -> dict:
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


def _span_text(date: str, date_end: str) -> str:
    return display_span(PartialDate.parse(date), PartialDate.parse(date_end) if date_end else None)
