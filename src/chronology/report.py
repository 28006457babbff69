"""The report's sections, each computed from a Selection and drawn by a template in
templates/sections/: one call per section in notebooks/report.ipynb."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import charts, guards, page, report_data, report_figures, report_page, report_truces
from .cache import load_dataset_cached
from .chart_data import LISTED_PARTIES
from .dates import PartialDate
from .load import Dataset
from .page import HTML, section
from .params import Parameters, check, require_known
from .qualifiers import phrase
from .schema import STATEMENTS
from .selection import Selection

__all__ = ["HTML", "Report", "TABLE_ROW_LIMIT", "set_assets"]

TABLE_ROW_LIMIT = 2000  # rows written into the page's table; the full data stays downloadable
EMBED_LIMIT = 2_000_000  # bytes of CSV embedded in the page itself; a larger selection is a file beside it
CLAIMS_SHOWN = 12  # contested claims shown side by side; the rest are in the table
CARDS_PER_PARTY = 6  # reactions shown per outside power
TABLE_COLUMNS = [("date", "Date", ""), ("speaker", "Who", ""), ("party", "Party", ""), ("stance", "Stance", "wide"), ("place", "Place", "wide"), ("quote", "Quote", ""), ("summary", "Summary", ""), ("figure", "Figure", "num"), ("source", "Source", "wide")]
_assets: dict = {}  # where the renderer collects files that go beside the page (see set_assets)


def set_assets(folder: str, link_prefix: str) -> None:
    """Called by the renderer before a run: files for `NAME_files/` are written to `folder`."""
    _assets.clear()
    _assets.update(folder=Path(folder), prefix=link_prefix)


def load(values: dict) -> tuple[Parameters, Dataset]:
    """Parameters checked once (types, then the parties and topic against the data) and the data."""
    params = check(values)
    data = load_dataset_cached(params.statements_path)
    require_known(params, known_parties=set(data.parties["id"]), known_topics=set(data.statements["topic"]))
    page.enable_renderer()
    return params, data


STANCE_CARD = {"asserts": "Claim", "denies": "Denial", "disputes": "Dispute", "accuses": "Accusation", "demands": "Demand", "reports": "Report", "confirms": "Confirmation", "concedes": "Concession", "retracts": "Retraction", "announces": "Announcement"}


def card_label(row: pd.Series) -> str:
    """What a row is, in one word: a claim, a denial, an announcement, an event, a deadline."""
    phase = row.get("truce_phase", "") if hasattr(row, "get") else ""
    if phase == "deadline" and row["kind"] == "event":
        return "Deadline"
    if row["kind"] == "event":
        return "Event"
    if row["kind"] == "figure" and not row["stance"]:
        return "Figure"
    return STANCE_CARD.get(row["stance"], row["stance"].capitalize() or "Statement")


def card(sel: Selection, row: pd.Series, label: str) -> dict:
    """What a claim card shows (templates/sections/_card.html.j2 draws it): every party of a joint
    statement, every source of the row; an event has no speaker and no party badge."""
    meta = " · ".join(x for x in (row["date_text"], report_data.time_text(row), row["role"], row["channel"], ("via " + row["via"]) if row["via"] else "") if x)
    badges = report_data.party_badges(sel, row["party"])
    return {
        "side": badges[0]["side"] if badges else row["side"], "id": row["id"], "label": label, "who": row["speaker"], "parties": badges,
        "quote": row["quote"], "summary": row["summary_text"], "meta": meta, "sources": report_data.source_items(sel, row["source_id"]),
    }


@dataclass
class Report:
    sel: Selection

    @classmethod
    def from_parameters(cls, **values) -> Report:
        """Check the parameters and load the data; raise a clear error naming every problem."""
        params, data = load(values)
        return cls(Selection(params, data))

    # ------------------------------------------------------------ what every section reads

    @property
    def params(self) -> Parameters:
        return self.sel.params

    @property
    def data(self) -> Dataset:
        return self.sel.data

    @property
    def view(self) -> pd.DataFrame:
        return self.sel.rows

    @property
    def title(self) -> str:
        return report_data.page_title(self.sel)

    def _empty(self, what: str) -> HTML:
        text = self.sel.empty_text(what)
        return section("empty", text, text=text)

    # ------------------------------------------------------------ sections

    def heading(self) -> HTML:
        filters = self.sel.filters_text()
        sub = f"Place names: {self.sel.convention}. Quotes keep the speaker's own words." + (f" Selection: {filters}." if filters else "")
        if self.sel.as_of_text():  # as_of: which view the page shows, first
            sub = f"{self.sel.as_of_text()} {sub}"
        lede = report_data.lede(self.sel)
        return section("heading", f"{self.title}\n{lede}\n{sub}", title=self.title, sub=sub, lede=lede)

    def at_a_glance(self) -> HTML:
        """The opening in plain words (built in report_page.at_a_glance)."""
        return report_page.at_a_glance(self.sel)

    @staticmethod
    def _top_parties(v: pd.DataFrame) -> str:
        counts = v.loc[v["party"] != "", "lane"].value_counts()
        if counts.empty:
            return ""
        shown = [f"{name} ({n})" for name, n in counts.head(LISTED_PARTIES).items()]
        rest = len(counts) - LISTED_PARTIES
        if rest > 0:
            shown.append(f"{rest:,} other parties ({counts.iloc[LISTED_PARTIES:].sum():,} rows)")
        return ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]

    def timeline(self):
        """The timeline chart (built in report_page.timeline)."""
        return report_page.timeline(self.sel)

    def timeline_text(self) -> HTML:
        """The timeline's marks as a keyboard-reachable list (built in report_page.timeline_text)."""
        return report_page.timeline_text(self.sel)

    def claims_and_denials(self) -> HTML:
        contested = self.sel.contested(limit=CLAIMS_SHOWN)
        if not contested:
            return self._empty("claims with responses")
        blocks, lines = [], []
        more = len(self.sel.contest_ranking) - len(contested)
        for claim, responses in contested:
            cards = [card(self.sel, claim, card_label(claim))] + [card(self.sel, r, f"{card_label(r)} ↩ answers the {card_label(claim).lower()}") for _, r in responses.iterrows()]
            who = claim["speaker"] or report_data.parties_text(self.sel, claim["party"]) or "event"
            heading = f"{report_data.topic_label(self.sel, claim['topic'])}: {who}, {claim['date_text']}"
            blocks.append({"heading": heading, "cards": cards})
            lines.append(f"{heading}: {len(responses)} response(s) ({', '.join(sorted({s or 'event' for s in responses['stance']}))})")
        note = ""
        if more > 0:
            note = f"{more:,} more claims have responses; search the table below for them (the most contested are shown here)."
            lines.append(note)
        return section("claims_and_denials", "\n".join(lines), blocks=blocks, note=note)

    @cached_property
    def figures(self) -> report_figures.Figures:
        return report_figures.build(self.sel)

    def figures_chart(self):
        figs = self.figures
        if figs.rows.empty:
            return self._empty("figures")
        singles, points = report_figures.chart_frames(figs)
        singles, points = guards.figure_rows(singles), guards.figure_rows(points)  # finite values a log axis can scale
        title, subtitle = report_figures.chart_title(figs)
        wide = charts.figures(singles, title=title, subtitle=subtitle, series=points, parties=self.sel.parties)
        return charts.Responsive(wide, charts.figures(singles, title=title, subtitle=subtitle, series=points, narrow=True, parties=self.sel.parties))

    def figures_text(self) -> HTML:
        figs = self.figures
        if figs.rows.empty:
            return HTML("", "")
        why = report_figures.why_text(self.sel, figs)
        series = [s["text"] for s in figs.series]
        chains = [c["text"] for c in figs.chains]
        intervals = [i["text"] for i in figs.intervals]
        rows = report_figures.table_rows(figs)
        lines = series + [f"Revised: {c}" for c in chains] + intervals + [
            f"{r['group']}: {r['figure']}{' (revised later)' if r['superseded'] else ''} ({r['speaker']}; {r['sources']})" for r in rows
        ]
        more = f"The {len(figs.rows)} figures shown are {len(figs.rows)} of {figs.total:,}; every figure is in the table of statements." if figs.total > len(figs.rows) else ""
        return section("figures_text", why + "\n" + "\n".join(lines), why=why, rows=rows, series=series, chains=chains, intervals=intervals, more=more)

    def what_changed(self) -> HTML:
        """Each contested claim's history: said, denied, conceded, contradicted, settled (changes.py)."""
        from .changes import what_changed

        return what_changed(self.sel)

    def truces(self) -> HTML:
        built = report_truces.build(self.sel)
        if not built["truces"] and not built["untracked"]:
            return self._empty("truces or ceasefires")
        lines = report_truces.plain_lines(built)
        return section("truces", "\n".join(lines), truces=built["truces"], rows=built["untracked"])

    def place_map(self):
        """The locator map and its close-up (built in report_page.place_map)."""
        return report_page.place_map(self.sel)

    def places_text(self) -> HTML:
        return report_page.places_text(self.sel)

    def reactions(self) -> HTML:
        v = self.view
        cells = v["party"].unique()  # roles looked up once per distinct party cell, not per row
        outside = {c: bool(report_data.ids(c)) and all(report_data.role_of(self.sel, p) in report_data.OUTSIDE_ROLES for p in report_data.ids(c)) for c in cells}
        r = v[v["party"].map(outside).astype(bool) & (v["kind"] != "figure")]
        if r.empty:
            return self._empty("statements by outside powers or international organisations")
        groups, lines, notes = [], [], []
        top = r["lane"].value_counts().head(LISTED_PARTIES).index
        for name in [n for n in dict.fromkeys(r["lane"]) if n in top]:
            group = r[r["lane"] == name]
            cards = [card(self.sel, row, card_label(row)) for _, row in group.head(CARDS_PER_PARTY).iterrows()]
            more = f"and {len(group) - CARDS_PER_PARTY:,} more from {name} in the table below" if len(group) > CARDS_PER_PARTY else ""
            groups.append({"name": name, "cards": cards, "more": more})
            lines.append(f"{name}: {len(group)}")
        others = r[~r["lane"].isin(top)]
        if len(others):
            note = f"{others['lane'].nunique():,} other outside parties made {len(others):,} statements; they are in the table below."
            notes.append(note)
            lines.append(note)
        notes += self.sel.notes("reactions", rows=r)  # editorial notes (data/report.yaml) are not in the text facts
        return section("reactions", "\n".join(lines), groups=groups, notes=notes)

    def sources_and_method(self) -> HTML:
        used = report_data.used_sources(self.sel)
        sources = []
        for s in used.itertuples():
            url = page.safe_url(s.url)
            sources.append({"publisher": s.publisher, "title": s.title, "url": url, "url_as_text": "" if url or not s.url else s.url, "published": PartialDate.parse(s.published).display(), "obtained": s.obtained})
        ed = self.sel.editorial
        method = ed.method
        limits = report_data.limits(self.sel)
        text = method + " " + limits
        return section("sources_and_method", f"{len(used)} source(s). " + text, sources=sources, method=method, limits=limits)

    def _table_frame(self, limit: int | None = None) -> pd.DataFrame:
        v = self.view if limit is None else self.view.head(limit)
        return pd.DataFrame(
            {
                "date": v["date_text"], "kind": v["kind"], "speaker": v["speaker"], "party": v["lane"], "stance": v["stance"], "topic": v["topic"],
                "place": v["place_name"], "quote": v["quote"], "summary": v["summary_text"],
                "figure": [phrase(val, q) if k == "figure" else "" for val, q, k in zip(v["value"].fillna(0), v["qualifier"], v["kind"])],
                "source": v["source"], "id": v["id"],
            }
        )

    def statements_table(self) -> HTML:
        """Every statement in one table (built in report_page.statements_table)."""
        return report_page.statements_table(self.sel)

    def download(self) -> HTML:
        """The rows the report used, as CSV: inside the page when small, else a file beside it."""
        text = selection_csv(self.view)
        name = "statements-selection.csv"
        size = len(text.encode("utf-8"))
        shown_size = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} kB"
        label = f"Download the {len(self.view):,} rows this report used ({name}, CSV, UTF-8, {shown_size})."
        if size <= EMBED_LIMIT:
            href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")
            return section("download", label, name=name, href=href, label=label, note="")
        if _assets:
            (_assets["folder"] / name).write_text(text, encoding="utf-8")
            note = "The selection is too large to put inside the page; it is the file beside it, in the same folder."
            return section("download", label + " " + note, name=name, href=f"{_assets['prefix']}/{name}", label=label, note=note)
        note = f"The selection ({size / 1e6:.0f} MB) is too large to put inside the page; render with `python -m chronology render` to get it as a file beside the page."
        return section("download", note, name=name, href="", label=label, note=note)

    def discussion_questions(self) -> HTML:
        if self.params.audience != "class":
            return HTML("", "")
        qs = []
        claim = self.sel.central_claim()
        if claim is not None:
            c, responses = claim
            who = ", ".join(sorted(set(responses["speaker"])))
            qs.append(f"“{c['summary_text']}” ({c['speaker']}, {c['date_text']}). {who} answer it. What evidence would settle who is right, and when could it be available?")
        f = self.sel.figure_rows
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
        return section("discussion_questions", "\n".join(qs), questions=qs)


def selection_csv(v: pd.DataFrame) -> str:
    """The selected rows as the statements CSV, formulas neutralised for spreadsheets."""
    out = v[[c.name for c in STATEMENTS.columns]].copy()
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
    return out.to_csv(index=False, lineterminator="\n")
