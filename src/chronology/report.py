"""The report's sections, each built from the data: one call per section in the notebook."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from functools import cached_property

import pandas as pd

from . import charts, html as page, naming
from .cache import load_dataset_cached
from .dates import PartialDate, display_span
from .figures import bounds, phrase
from .load import Dataset
from .params import Parameters, check
from .schema import STATEMENTS

escape = page.escape
TABLE_ROW_LIMIT = 2000  # rows written into the page's table; the full data stays downloadable
EMBED_LIMIT = 2_000_000  # bytes of CSV embedded in the page itself; a larger selection is a file beside it
_assets: dict = {}  # where the renderer collects files that go beside the page (see set_assets)


def set_assets(folder: str, link_prefix: str) -> None:
    """Called by the renderer before a run: files for `NAME_files/` are written to `folder`."""
    _assets.clear()
    _assets.update(folder=Path(folder), prefix=link_prefix)
LISTED_PARTIES = 12  # parties named in prose; the rest are counted
CLAIMS_SHOWN = 12  # contested claims shown side by side; the rest are in the table
CARDS_PER_PARTY = 6  # reactions shown per outside power
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
# The road linking Stepanakert with Armenia, in order (drawn when these places are in places.csv).
ROAD = ("stepanakert", "shusha", "lachin", "goris")
SIDE_WORDS = {"azerbaijani": "Azerbaijani side", "armenian": "Armenian side", "third-party": "third party", "press": "the press"}
STANCE_VERBS = {"asserts": "says", "denies": "denies", "disputes": "disputes", "accuses": "accuses", "demands": "demands", "reports": "reports"}


class HTML:
    """A piece of report HTML (already escaped) that notebooks display as such."""

    def __init__(self, markup: str, text: str = ""):
        self.markup = markup
        self.text = text or markup

    def _repr_html_(self) -> str:
        from .frontends import section_html

        return section_html(self.markup)

    def __repr__(self) -> str:  # what nbval compares: the facts, in plain text
        return self.text


@dataclass
class Report:
    data: Dataset
    params: Parameters

    # ------------------------------------------------------------ set-up

    @classmethod
    def from_parameters(cls, **values) -> "Report":
        """Check the parameters and load the data; raise a clear error naming every problem."""
        raw = check(values)  # types and names, before touching any file
        data = load_dataset_cached(raw.statements_path)
        params = check(values, known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]))
        page.enable_renderer()
        return cls(data, params)

    def __post_init__(self) -> None:
        p = self.params
        self.names = naming.names(self.data.places, p.naming)
        st = self.data.statements
        parties = self.data.parties.set_index("id")
        sources = self.data.sources.set_index("id")
        view = st
        if p.start_date:
            view = view[view["end"] >= pd.Timestamp(p.start_date.first)]
        if p.end_date:
            view = view[view["start"] <= pd.Timestamp(p.end_date.last)]
        if p.parties:
            view = view[view["party"].isin(p.parties)]
        if p.topic:
            view = view[view["topic"] == p.topic]
        view = view.sort_values(["start", "end", "line"], kind="stable").copy()
        view["lane"] = view["party"].map(parties["name"]).fillna("Events").astype("str")
        view["side"] = view["party"].map(parties["side"]).fillna("event").astype("str")
        has_token = view["summary"].str.contains("{", regex=False)
        view["summary_text"] = view["summary"]
        view.loc[has_token, "summary_text"] = [naming.fill(s, self.names) for s in view.loc[has_token, "summary"]]
        view["place_name"] = view["place_id"].map(self.names).fillna("").astype("str")
        view["source"] = view["source_id"].map(sources["publisher"] + ": " + sources["title"]).fillna(view["source_id"]).astype("str")
        span_key = view["date"] + "|" + view["date_end"]
        span_text = {k: display_span(PartialDate.parse(k.split("|")[0]), PartialDate.parse(k.split("|")[1]) if k.split("|")[1] else None) for k in span_key.unique()}
        view["date_text"] = span_key.map(span_text).astype("str")
        self.view = view
        self.parties = parties

    # ------------------------------------------------------------ helpers

    def place(self, place_id: str) -> str:
        return self.names.get(place_id, place_id)

    @property
    def title(self) -> str:
        if self.params.title:
            return self.params.title
        return f"The battle for {self.place('shusha')}, November 2020" if "shusha" in self.names else "Statements and figures"

    def _window_text(self) -> str:
        v = self.view
        if v.empty:
            return "no dates"
        first = PartialDate.parse(v.loc[v["start"].idxmin(), "date"])
        last_row = v.loc[v["end"].idxmax()]
        last = PartialDate.parse(last_row["date_end"] or last_row["date"])
        return display_span(first, last)

    def _filters_text(self) -> str:
        p = self.params
        bits = []
        if p.start or p.end:
            bits.append(f"dates {p.start or 'the start'} to {p.end or 'the end'}")
        if p.parties:
            bits.append("parties " + ", ".join(self.parties["name"].get(x, x) for x in p.parties))
        if p.topic:
            bits.append(f"topic {p.topic}")
        return "; ".join(bits)

    def _empty(self, what: str) -> HTML:
        filters = self._filters_text()
        text = f"No {what} in this selection" + (f" ({filters})." if filters else ".")
        return HTML(f'<p class="empty">{escape(text)}</p>', text)

    def _party_badge(self, party: str) -> str:
        if party in self.parties.index:
            row = self.parties.loc[party]
            return f'<span class="party side-{escape(row["side"])}">{escape(row["name"])}</span>'
        return '<span class="party side-event">Event</span>'

    def _quote(self, quote: str) -> str:
        return f"<blockquote>“{escape(quote)}”</blockquote>" if quote else ""

    # ------------------------------------------------------------ sections

    def heading(self) -> HTML:
        p = self.params
        convention = naming.DESCRIPTIONS[p.naming]
        filters = self._filters_text()
        sub = f"Place names: {convention}. Quotes keep the speaker's own words." + (f" Selection: {filters}." if filters else "")
        markup = f'<h1>{escape(self.title)}</h1>\n<p class="muted">{escape(sub)}</p>'
        return HTML(markup, f"{self.title}\n{sub}")

    def at_a_glance(self) -> HTML:
        """The opening, written from the data: window, counts, the central claim, key figures."""
        v = self.view
        if v.empty:
            return self._empty("statements, events or figures")
        n_parties = v.loc[v["party"] != "", "party"].nunique()
        kinds = v["kind"].value_counts()
        counts = ", ".join(f"{kinds.get(k, 0)} {k}{'s' if kinds.get(k, 0) != 1 else ''}" for k in ("statement", "event", "figure"))
        sentences = [f"The data holds {len(v)} rows from {self._window_text()}: {counts}, from {n_parties} {'party' if n_parties == 1 else 'parties'}."]
        named = self._top_parties(v)
        if named:
            sentences.append(f"Most rows come from {named}.")
        claim = self._central_claim()
        if claim is not None:
            c, responses = claim
            n = int(responses["stance"].isin(["denies", "disputes"]).sum())
            sentences.append(
                f"The central contested claim, {c['date_text']}, by {c['speaker']} ({c['lane']}): {c['summary_text']}"
                + f" {n} {'response denies or disputes' if n == 1 else 'responses deny or dispute'} it."
            )
        figs = v[v["kind"] == "figure"]
        fig_bits = [f"{r.speaker}: {phrase(r.value, r.qualifier)} ({MEASURE_GROUPS.get(r.measure, r.measure).lower()})" for r in figs.head(8).itertuples()]
        if fig_bits:
            sentences.append("Key figures, each as claimed: " + "; ".join(fig_bits) + (f"; and {len(figs) - 8:,} more below." if len(figs) > 8 else "."))
        facts = [
            ("rows", f"{len(v):,}"),
            ("parties", f"{n_parties:,}"),
            ("period", self._window_text()),
            ("figures", f"{len(figs):,}"),
        ]
        facts_html = "".join(f'<div class="fact"><b>{escape(value)}</b>{escape(label)}</div>' for label, value in facts)
        text = " ".join(sentences)
        return HTML(f'<p class="lede">{escape(text)}</p>\n<div class="facts">{facts_html}</div>', text)

    def _top_parties(self, v: pd.DataFrame) -> str:
        counts = v.loc[v["party"] != "", "lane"].value_counts()
        if counts.empty:
            return ""
        shown = [f"{name} ({n})" for name, n in counts.head(LISTED_PARTIES).items()]
        rest = len(counts) - LISTED_PARTIES
        if rest > 0:
            shown.append(f"{rest:,} other parties ({counts.iloc[LISTED_PARTIES:].sum():,} rows)")
        return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]

    def _contested(self, limit: int = 12) -> list[tuple[pd.Series, pd.DataFrame]]:
        """Claims with responses in the view: most denied or disputed first, then most answered, then earliest."""
        ranked = self._contest_ranking
        out = []
        for target in ranked.index[:limit]:
            claim = self._by_id.loc[target].copy()
            claim["id"] = target
            out.append((claim, self.view[self.view["responds_to"] == target]))
        return out

    @cached_property
    def _by_id(self) -> pd.DataFrame:
        return self.view.set_index("id")

    @cached_property
    def _contest_ranking(self) -> pd.DataFrame:
        """One row per answered claim in the view (claims outside the selection are left out)."""
        v = self.view
        answered = v[(v["responds_to"] != "") & v["responds_to"].isin(v["id"])]
        if answered.empty:
            return pd.DataFrame(columns=["contests", "responses", "start"])
        ranking = pd.DataFrame(
            {
                "contests": answered["stance"].isin(["denies", "disputes"]).groupby(answered["responds_to"]).sum(),
                "responses": answered.groupby("responds_to").size(),
            }
        )
        ranking["start"] = self._by_id.loc[ranking.index, "start"]
        return ranking.sort_values(["contests", "responses", "start"], ascending=[False, False, True], kind="stable")

    def _central_claim(self):
        top = self._contested(limit=1)
        return top[0] if top and top[0][1]["stance"].isin(["denies", "disputes"]).any() else None

    def timeline(self):
        v = self.view
        if v.empty:
            return self._empty("dated rows to draw")
        rows, aggregated = self._timeline_rows(v)
        lo, hi = self._detail_window(v)
        n_lanes = rows["lane"].nunique()
        title = f"{len(v):,} rows on {n_lanes} {'lane' if n_lanes == 1 else 'lanes'}, from {self._window_text()}"
        subtitle = "Each party has its own lane; dots are known to the day, bars only to the month or year (or span a period)." if not aggregated else f"{len(v):,} rows are too many to draw one by one: bars count rows per party and month."
        return charts.timeline(rows, detail_window=(lo, hi), title=title, subtitle=subtitle, aggregated=aggregated)

    def _timeline_rows(self, v: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
        if len(v) <= charts.MARK_LIMIT:
            rows = pd.DataFrame(
                {
                    "lane": v["lane"],
                    "side": v["side"],
                    "kind": v["kind"],
                    "start": v["start"].dt.strftime("%Y-%m-%d"),
                    "end_excl": (v["end"] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d"),
                    "precision": v["precision"],
                    "is_span": (v["end"] > v["start"]) & (v["precision"] == "day"),
                    "date_text": v["date_text"],
                    "speaker": v["speaker"].where(v["speaker"] != "", "(event)"),
                    "summary": v["summary_text"],
                    "quote": v["quote"],
                    "source": v["source"],
                }
            )
            rows["listing"] = rows["date_text"] + " · " + rows["speaker"] + ": " + rows["summary"]
            return rows.reset_index(drop=True), False
        # Too many to draw: count rows per lane and month; the table and download keep every row.
        top = v["lane"].value_counts().head(LISTED_PARTIES).index
        lane = v["lane"].where(v["lane"].isin(top), "Other parties")
        month = v["start"].dt.to_period("M")
        grouped = pd.DataFrame({"lane": lane, "side": v["side"].where(v["lane"].isin(top), "press"), "month": month}).groupby(["lane", "side", "month"], observed=True).size().reset_index(name="count")
        grouped = grouped.nlargest(charts.MARK_LIMIT, "count")
        start = grouped["month"].dt.start_time
        rows = pd.DataFrame(
            {
                "lane": grouped["lane"],
                "side": grouped["side"],
                "kind": "statement",
                "start": start.dt.strftime("%Y-%m-%d"),
                "end_excl": (grouped["month"] + 1).dt.start_time.dt.strftime("%Y-%m-%d"),
                "precision": "month",
                "is_span": False,
                "date_text": grouped["month"].dt.strftime("%B %Y"),
                "speaker": grouped["lane"],
                "summary": grouped["count"].map(lambda n: f"{n:,} rows"),
                "quote": "",
                "source": "",
                "count": grouped["count"],
            }
        ).sort_values("start")
        rows["listing"] = rows["date_text"] + " · " + rows["lane"] + ": " + rows["summary"]
        return rows.reset_index(drop=True), True

    def _detail_window(self, v: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The busiest stretch: the 75 days up to the last dated row, unless the data is shorter."""
        last = v["end"].max() + pd.Timedelta(days=3)
        first = v["start"].min()
        lo = max(first, last - pd.Timedelta(days=75))
        return pd.Timestamp(lo), pd.Timestamp(last)

    def timeline_text(self) -> HTML:
        """The timeline's text alternative: every dated row in order."""
        v = self.view
        if v.empty:
            return HTML("", "")
        head = "<tr><th>Date</th><th>Who</th><th>What</th></tr>"
        body = "".join(
            f"<tr><td>{escape(r.date_text)}</td><td>{escape(r.speaker or 'Event')}</td><td>{escape(r.summary_text)}</td></tr>" for r in v.head(200).itertuples()
        )
        more = f"<p class='note'>First 200 of {len(v):,} rows; the full list is in the table below.</p>" if len(v) > 200 else ""
        text = f"Text alternative: {len(v)} rows in date order."
        return HTML(f'<details class="text-alternative"><summary>{escape(text)}</summary><table class="data">{head}{body}</table>{more}</details>', text)

    def claims_and_denials(self) -> HTML:
        contested = self._contested(limit=CLAIMS_SHOWN)
        if not contested:
            return self._empty("claims with responses")
        blocks, lines = [], []
        more = len(self._contest_ranking) - len(contested)
        for claim, responses in contested:
            cards = [self._card(claim, "Claim")] + [self._card(r, f"{r['stance'].capitalize()} ↩ answers the claim") for _, r in responses.iterrows()]
            heading = f"{claim['topic'].replace('-', ' ').capitalize()}: {claim['speaker'] or 'event'}, {claim['date_text']}"
            blocks.append(f'<section class="contest"><h3>{escape(heading)}</h3><div class="claims">{"".join(cards)}</div></section>')
            lines.append(f"{heading}: {len(responses)} response(s) ({', '.join(sorted(set(responses['stance'])))})")
        if more > 0:
            note = f"{more:,} more claims have responses; search the table below for them (the most contested are shown here)."
            blocks.append(f"<p class='note'>{escape(note)}</p>")
            lines.append(note)
        return HTML("\n".join(blocks), "\n".join(lines))

    def _card(self, row: pd.Series, label: str) -> str:
        meta = " · ".join(x for x in (row["date_text"], row["role"], row["channel"], ("via " + row["via"]) if row["via"] else "") if x)
        who = row["speaker"] or "Event"
        return (
            f'<article class="claim side-{escape(row["side"])}" id="claim-{escape(row["id"])}">'
            f'<div class="meta">{escape(label)}</div>'
            f"<p><b>{escape(who)}</b> {self._party_badge(row['party'])}</p>"
            f"{self._quote(row['quote'])}<p>{escape(row['summary_text'])}</p>"
            f'<div class="meta">{escape(meta)}<br>Source: {escape(row["source"])}</div></article>'
        )

    def _figure_rows(self) -> pd.DataFrame:
        f = self.view[self.view["kind"] == "figure"]
        self._figures_total = len(f)
        if len(f) > FIGURES_SHOWN:
            f = f.nlargest(FIGURES_SHOWN, "value")  # the largest claims; every figure is in the table
        f = f.copy()
        if f.empty:
            return f
        f["group"] = f["measure"].map(MEASURE_GROUPS).fillna(f["measure"])
        f["bound_kind"] = [bounds(v, q).kind for v, q in zip(f["value"], f["qualifier"])]
        f["bound_label"] = f["bound_kind"].map({"upper": "below this (upper bound)", "lower": "above this (lower bound)", "exact": "this figure (exact)", "approximate": "around this"})
        f["arrow_to"] = [charts.arrow_end(v, k) for v, k in zip(f["value"], f["bound_kind"])]
        f["figure_text"] = [phrase(v, q) for v, q in zip(f["value"], f["qualifier"])]
        f["side_text"] = f["side"].map(SIDE_WORDS).fillna("")
        f["what"] = f["group"] + (" in " + f["place_name"]).where(f["place_name"] != "", "")
        f["label"] = f["group"] + " · " + f["speaker"] + (" (" + f["place_name"] + ")").where(f["place_name"] != "", "")
        return f.sort_values(["group", "value"])

    def figures_chart(self):
        f = self._figure_rows()
        if f.empty:
            return self._empty("casualty figures")
        cols = ["label", "group", "lane", "side", "value", "bound_kind", "bound_label", "arrow_to", "figure_text", "speaker", "source", "date_text", "side_text", "what"]
        rows = f[cols].reset_index(drop=True)
        claimants = f["lane"].nunique()
        title = f"{len(f)} figures from {claimants} {'claimant' if claimants == 1 else 'claimants'}, each counting something different"
        if self._figures_total > len(f):
            title = f"The {len(f)} largest of {self._figures_total:,} figures, each counting something different"
        return charts.figures(rows, title=title, subtitle="Triangles point the way the true count may lie; dashes mark the open side of a bound.")

    def figures_text(self) -> HTML:
        f = self._figure_rows()
        if f.empty:
            return HTML("", "")
        body = "".join(
            f"<tr><td>{escape(r.group)}</td><td class='num'>{escape(r.figure_text)}</td><td>{escape(bounds(r.value, r.qualifier).describe())}</td>"
            f"<td>{escape(r.speaker)} ({escape(r.side_text)})</td><td>{escape(r.date_text)}</td><td>{escape(r.summary_text)}</td></tr>"
            for r in f.itertuples()
        )
        table = f"<table class='data'><thead><tr><th>Counts</th><th>Figure</th><th>What it allows</th><th>Claimed by</th><th>Date</th><th>As reported</th></tr></thead><tbody>{body}</tbody></table>"
        groups = f["group"].nunique()
        why = (
            f"These figures cannot simply be added or compared: they count {groups} different things "
            "(military deaths on one side, civilian deaths on the other, all deaths as estimated by an outsider), "
            "each is claimed by a party with a stake in the number, they were stated on different dates, "
            "and words such as “nearly” and “more than” give only one side of an interval."
        )
        lines = [f"{r.group}: {r.figure_text} ({r.speaker})" for r in f.itertuples()]
        if self._figures_total > len(f):
            more = f"The {len(f)} largest of {self._figures_total:,} figures are shown; every figure is in the table of statements."
            table += f"<p class='note'>{escape(more)}</p>"
        return HTML(f"<p>{escape(why)}</p>{table}", why + "\n" + "\n".join(lines))

    def truces(self) -> HTML:
        v = self.view
        t = v[v["topic"] == "ceasefire"]
        if t.empty:
            return self._empty("truces or ceasefires")
        responses = v[v["responds_to"].isin(t["id"])]
        body = []
        lines = []
        for r in t[t["responds_to"] == ""].head(50).itertuples():
            answers = responses[responses["responds_to"] == r.id]
            held = "; ".join(f"{a.speaker}: {a.summary_text}" for a in answers.itertuples())
            body.append(f"<tr><td>{escape(r.date_text)}</td><td>{escape(r.date_as_reported)}</td><td>{escape(r.summary_text)}</td><td>{escape(held)}</td></tr>")
            lines.append(f"{r.date_text}: {r.summary_text}")
        table = f"<table class='data'><thead><tr><th>When</th><th>As reported</th><th>What and who brokered it; how long it held</th><th>Accusations</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        return HTML(table, "\n".join(lines))

    def place_map(self):
        """The places in the selection near the front line; far-off ones are named in the subtitle."""
        all_places = self.data.places.copy()
        mentions = self.view["place_id"].value_counts()
        all_places["mentions"] = all_places["id"].map(mentions).fillna(0).astype(int)
        mentioned = all_places[all_places["mentions"] > 0]
        if mentioned.empty:
            return self._empty("places")
        road_ids = [pid for pid in ROAD if pid in set(all_places["id"])]
        on_road = all_places["id"].isin(road_ids) & ("shusha" in set(mentioned["id"]))
        # Regions are areas, not points: they are named in the table, not dotted on the map.
        shown = all_places[((all_places["mentions"] > 0) | on_road) & (all_places["kind"] != "region")].copy()
        if shown.empty:
            shown = mentioned.copy()
        centre_lon, centre_lat = shown["longitude"].median(), shown["latitude"].median()
        far = ((shown["longitude"] - centre_lon).abs() > 8) | ((shown["latitude"] - centre_lat).abs() > 6)
        off_map = shown[far]
        shown = shown[~far]
        shown["name"] = shown["id"].map(self.names)
        shown["note"] = [naming.fill(n, self.names) for n in shown["note"]]
        shown["other_names"] = [
            ", ".join(sorted({r.name_international, r.name_azerbaijani, r.name_armenian} - set(r.name.split("/")))) for r in shown.itertuples()
        ]
        # Close neighbours (Shusha is 6 km from Stepanakert) get their labels on opposite sides.
        shown = shown.sort_values("latitude", ascending=False)
        shown["label_below"] = [i % 2 == 1 for i in range(len(shown))]
        points = all_places.set_index("id")
        roads = pd.DataFrame(
            [{"road": "road to Armenia", "order": i, "longitude": points.loc[pid, "longitude"], "latitude": points.loc[pid, "latitude"]} for i, pid in enumerate(road_ids)]
            if on_road.any() and len(road_ids) >= 2 else [],
            columns=["road", "order", "longitude", "latitude"],
        )
        most = mentioned.sort_values(["mentions", "id"], ascending=[False, True]).iloc[0]
        title = f"{len(mentioned)} places in the report; most rows are about {self.place(most['id'])}"
        notes = []
        if len(roads):
            notes.append(f"Dashed line: the road from {self.place('stepanakert')} through {self.place('shusha')} towards Armenia")
        if len(off_map):
            notes.append("off the map: " + ", ".join(f"{self.place(r.id)} ({r.country})" for r in off_map.itertuples()))
        subtitle = "; ".join(notes) + "." if notes else "Circles sized by how many rows are about the place."
        cols = ["name", "other_names", "note", "mentions", "longitude", "latitude", "label_below"]
        return charts.place_map(shown[cols].reset_index(drop=True), roads, title=title, subtitle=subtitle)

    def places_text(self) -> HTML:
        places = self.data.places.copy()
        mentions = self.view["place_id"].value_counts()
        places = places[places["id"].isin(mentions.index)]
        if places.empty:
            return HTML("", "")
        body = "".join(
            f"<tr><td>{escape(self.names[r.id])}</td><td>{escape(r.name_azerbaijani)}</td><td>{escape(r.name_armenian)}</td><td class='num'>{mentions[r.id]}</td><td>{escape(naming.fill(r.note, self.names))}</td></tr>"
            for r in places.itertuples()
        )
        text = f"{len(places)} places: " + ", ".join(self.names[p] for p in places["id"])
        return HTML(
            f"<table class='data'><thead><tr><th>Place</th><th>Azerbaijani name</th><th>Armenian name</th><th>Rows</th><th>Note</th></tr></thead><tbody>{body}</tbody></table>",
            text,
        )

    def reactions(self) -> HTML:
        v = self.view
        r = v[v["side"] == "third-party"]
        if r.empty:
            return self._empty("statements by outside powers")
        items, lines = [], []
        top = r["lane"].value_counts().head(LISTED_PARTIES).index
        for name in [n for n in dict.fromkeys(r["lane"]) if n in top]:
            group = r[r["lane"] == name]
            cards = "".join(self._card(row, row["stance"].capitalize()) for _, row in group.head(CARDS_PER_PARTY).iterrows())
            more = f"<p class='note'>{escape(f'and {len(group) - CARDS_PER_PARTY:,} more from {name} in the table below')}</p>" if len(group) > CARDS_PER_PARTY else ""
            items.append(f"<h3>{escape(name)}</h3><div class='claims'>{cards}</div>{more}")
            lines.append(f"{name}: {len(group)}")
        others = r[~r["lane"].isin(top)]
        if len(others):
            note = f"{others['lane'].nunique():,} other outside parties made {len(others):,} statements; they are in the table below."
            items.append(f"<p class='note'>{escape(note)}</p>")
            lines.append(note)
        brokered = v[(v["topic"] == "ceasefire") & v["summary_text"].str.contains("brokered by the United States|US-brokered", regex=True)]
        if not (r["lane"] == "United States").any() and len(brokered):
            items.append(f"<p class='note'>{escape('The United States appears in the data only as the broker of a ceasefire (see Truces and ceasefires); no statement of its own is recorded.')}</p>")
        return HTML("\n".join(items), "\n".join(lines))

    def sources_and_method(self) -> HTML:
        used = self.data.sources[self.data.sources["id"].isin(self.view["source_id"])] if len(self.view) else self.data.sources
        items = []
        for s in used.itertuples():
            url = page.safe_url(s.url)
            title = f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(s.title)}</a>' if url else escape(s.title)
            shown_url = "" if url or not s.url else f" (address given as text: {escape(s.url)})"
            items.append(f"<li><b>{escape(s.publisher)}</b>, {title}{shown_url}, published {escape(PartialDate.parse(s.published).display())}. {escape(s.obtained)}</li>")
        method = (
            "Each row is one statement, event or figure as the source reports it. Contested claims are recorded as claims by their claimant, never as facts; "
            "a denial or dispute is linked to the claim it answers. Quotes are the speaker's words as printed, never rewritten, even where they name a place "
            "in the other convention. Dates are only as precise as the source: “last month” in an article of 8 November 2020 is October 2020, known to the month. "
            "Statements the source does not date are spans from the start of the fighting to the article. Figures keep their qualifier: “nearly” is an upper bound, "
            "“more than” a lower bound."
        )
        limits = (
            "Limits: one source, written on the day; its numbers are the parties' own claims and were not checked; "
            "what a party said is recorded only as far as the article reports it; an embedded social-media post in the article could not be read."
        )
        text = method + " " + limits
        return HTML(f"<ul>{''.join(items)}</ul><p>{escape(method)}</p><p>{escape(limits)}</p>", f"{len(used)} source(s). " + text)

    def _table_frame(self, limit: int | None = None) -> pd.DataFrame:
        v = self.view if limit is None else self.view.head(limit)
        return pd.DataFrame(
            {
                "date": v["date_text"],
                "kind": v["kind"],
                "speaker": v["speaker"],
                "party": v["lane"],
                "stance": v["stance"],
                "topic": v["topic"],
                "place": v["place_name"],
                "quote": v["quote"],
                "summary": v["summary_text"],
                "figure": [phrase(val, q) if k == "figure" else "" for val, q, k in zip(v["value"].fillna(0), v["qualifier"], v["kind"])],
                "source": v["source"],
                "id": v["id"],
            }
        )

    def statements_table(self) -> HTML:
        v = self.view
        if v.empty:
            return self._empty("statements")
        total = len(v)
        shown = self._table_frame(TABLE_ROW_LIMIT)
        cols = [("date", "Date", ""), ("speaker", "Who", ""), ("party", "Party", ""), ("stance", "Stance", "wide"), ("place", "Place", "wide"), ("quote", "Quote", ""), ("summary", "Summary", ""), ("figure", "Figure", "num"), ("source", "Source", "wide")]
        head = "".join(f'<th class="{c}">{escape(label)}</th>' for _, label, c in cols)
        rows = []
        for rec in shown.itertuples(index=False):
            d = rec._asdict()
            cells = "".join(
                f'<td class="{c}">' + (f"<q class='verbatim'>{escape(d[name])}</q>" if name == "quote" and d[name] else escape(d[name])) + "</td>" for name, _, c in cols
            )
            rows.append(f'<tr id="row-{escape(d["id"])}">{cells}</tr>')
        note = ""
        if total > TABLE_ROW_LIMIT:
            note = f"<p class='note large-data-note'>{escape(f'The table shows the first {TABLE_ROW_LIMIT:,} of {total:,} rows in date order, to keep the page light; the download below holds every row.')}</p>"
        tools = (
            '<div class="table-tools no-print"><label>Search the statements <input type="search" placeholder="a name, a place, a word…" aria-label="Search the statements"></label>'
            '<span class="table-status" aria-live="polite"></span>'
            '<span class="table-pager"><button type="button" data-prev>‹ previous</button> <button type="button" data-next>next ›</button></span></div>'
        )
        markup = f'<div class="table-wrap">{tools}{note}<table class="data" data-searchable data-page-size="50"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        return HTML(markup, f"{total} rows in the table" + (f", {len(shown)} shown" if len(shown) < total else ""))

    def download(self) -> HTML:
        """The rows the report used, as CSV: inside the page when small, else a file beside it."""
        v = self.view
        cols = [c.name for c in STATEMENTS.columns]
        out = v[cols].copy()
        value = v["value"]
        whole = value.notna() & (value % 1 == 0)
        value_text = value.astype("string")
        value_text[whole] = value[whole].astype("int64").astype("string")
        out["value"] = value_text.fillna("")
        # Spreadsheet formula injection: only free-text columns can start with = + - @ (ids, slugs and dates cannot).
        for c in (col.name for col in STATEMENTS.columns if col.type == "string"):
            risky = out[c].str.startswith(("=", "+", "-", "@", "\t", "\r"))
            if risky.any():
                out[c] = out[c].where(~risky, "'" + out[c])
        text = out.to_csv(index=False, lineterminator="\n")
        name = "statements-selection.csv"
        size = len(text.encode("utf-8"))
        shown_size = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
        label = f"Download the {len(out):,} rows this report used ({name}, CSV, UTF-8, {shown_size})."
        if size <= EMBED_LIMIT:
            data = base64.b64encode(text.encode("utf-8")).decode("ascii")
            return HTML(f'<p><a class="download" download="{name}" href="data:text/csv;charset=utf-8;base64,{data}">{escape(label)}</a></p>', label)
        if _assets:
            (_assets["folder"] / name).write_text(text, encoding="utf-8")
            href = f"{_assets['prefix']}/{name}"
            note = "The selection is too large to put inside the page; it is the file beside it, in the same folder."
            return HTML(f'<p><a class="download" download="{name}" href="{escape(href)}">{escape(label)}</a></p><p class="note">{escape(note)}</p>', label + " " + note)
        note = f"The selection ({size / 1e6:.0f} MB) is too large to put inside the page; render with `python -m chronology render` to get it as a file beside the page."
        return HTML(f'<p class="note">{escape(note)}</p>', note)

    def discussion_questions(self) -> HTML:
        if self.params.audience != "class":
            return HTML("", "")
        qs = []
        claim = self._central_claim()
        if claim is not None:
            c, responses = claim
            who = ", ".join(sorted(set(responses["speaker"])))
            qs.append(f"“{c['summary_text']}” ({c['speaker']}, {c['date_text']}). {who} answer it. What evidence would settle who is right, and when could it be available?")
        f = self._figure_rows()
        if len(f) >= 2:
            a, b = f.iloc[0], f.iloc[-1]
            qs.append(f"“{a['figure_text']}” ({a['speaker']}) and “{b['figure_text']}” ({b['speaker']}): what does each qualifier allow you to conclude, and why can the two not be added?")
        differing = self.data.places[self.data.places["name_azerbaijani"] != self.data.places["name_armenian"]]
        if len(differing):
            p0 = differing.iloc[0]
            qs.append(f"Why is one town called {p0['name_azerbaijani']} by one side and {p0['name_armenian']} by the other? Why do quotes keep the speaker's name for it?")
        month_rows = self.view[self.view["precision"] != "day"]
        if len(month_rows):
            qs.append(f"{len(month_rows)} rows are dated only to a month or a year. Why does the report not give them a day?")
        items = "".join(f"<li>{escape(q)}</li>" for q in qs)
        return HTML(f"<h2>Questions for discussion</h2><ol>{items}</ol>", "\n".join(qs))
