"""The figures section's data: running totals (series) drawn over time, single figures, revision
chains in words, bounds from one claimant that make one interval; charts.figures draws them and
templates/sections/figures_text.html.j2 lists them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import report_data as rd
from .charts import arrow_end
from .qualifiers import bounds, fmt, phrase

FIGURES_SHOWN = 60  # single figures drawn and listed; the rest are in the table
SERIES_SHOWN = 6  # running totals drawn over time
BOUND_LABELS = {"upper": "below this (upper bound)", "lower": "above this (lower bound)", "exact": "this figure (exact)", "approximate": "around this"}
SIDE_WORDS = {"azerbaijani": "Azerbaijani side", "armenian": "Armenian side", "third-party": "third party", "press": "the press"}


@dataclass
class Figures:
    rows: pd.DataFrame  # every figure shown (series points and singles), with derived columns
    series: list[dict] = field(default_factory=list)  # {key, label, ids, latest}
    chains: list[dict] = field(default_factory=list)  # {ids, text}
    intervals: list[dict] = field(default_factory=list)  # {ids, text}
    total: int = 0

    @property
    def singles(self) -> pd.DataFrame:
        return self.rows[self.rows["series"] == ""]

    @property
    def points(self) -> pd.DataFrame:
        return self.rows[self.rows["series"] != ""]


def claimant_key(cell: str) -> str:
    return ";".join(sorted(rd.ids(cell)))


def build(sel) -> Figures:
    v = sel.rows
    f = v[v["kind"] == "figure"]
    total = len(f)
    if f.empty:
        return Figures(f.copy(), total=0)
    f = rd.sorted_rows(f).copy()
    f["claimant"] = [claimant_key(c) for c in f["party"]]
    f["basis_"] = rd.col(f, "basis")
    f["revises_"] = rd.col(f, "revises")
    revised = set(f.loc[f["revises_"] != "", "revises_"])
    f["superseded"] = f["id"].isin(revised)
    # Series: cumulative figures of one claimant, measure, place and unit, two points or more.
    f["series_key"] = ""
    cum = f["basis_"] == "cumulative"
    f.loc[cum, "series_key"] = f.loc[cum, "claimant"] + "|" + f.loc[cum, "measure"] + "|" + f.loc[cum, "place_id"] + "|" + f.loc[cum, "unit"]
    counts = f.loc[cum, "series_key"].value_counts()
    keys = [k for k in dict.fromkeys(f.loc[cum, "series_key"]) if counts[k] >= 2][:SERIES_SHOWN]
    f["series"] = f["series_key"].where(f["series_key"].isin(keys), "")
    singles = f[f["series"] == ""]
    if len(singles) > FIGURES_SHOWN:
        keep = set(singles.nlargest(FIGURES_SHOWN, "value")["id"])
        f = f[(f["series"] != "") | f["id"].isin(keep)].copy()
    _derive(sel, f)
    series = []
    for k in keys:
        pts = f[f["series"] == k]
        last = pts.iloc[-1]
        label = f"{last['group']} · {rd.parties_text(sel, last['party'])}" + (f" ({last['place_name']})" if last["place_name"] else "")
        f.loc[f["series"] == k, "series_label"] = label
        f.loc[last.name, "latest"] = True
        series.append({"key": k, "label": label, "ids": list(pts["id"]), "text": _series_text(pts, label)})
    return Figures(f, series, _chains(sel, v, f), _intervals(sel, f), total)


def _derive(sel, f: pd.DataFrame) -> None:
    f["group"] = [rd.measure_label(sel, m) for m in f["measure"]]
    f["bound_kind"] = [bounds(v, q).kind for v, q in zip(f["value"], f["qualifier"])]
    f["bound_label"] = f["bound_kind"].map(BOUND_LABELS)
    f["arrow_to"] = [arrow_end(v, k) for v, k in zip(f["value"], f["bound_kind"])]
    f["figure_text"] = [phrase(v, q) for v, q in zip(f["value"], f["qualifier"])]
    f["mark_text"] = [t + (" (revised)" if s else "") for t, s in zip(f["figure_text"], f["superseded"])]
    f["side_text"] = f["side"].map(SIDE_WORDS).fillna("")
    f["claimed_by"] = [rd.parties_text(sel, p) or s for p, s in zip(f["party"], f["speaker"])]
    f["role_text"] = [rd.and_list(list(dict.fromkeys(rd.ROLE_WORDS.get(rd.role_of(sel, p), "") for p in rd.ids(c)))) for c in f["party"]]
    f["what"] = f["group"] + (" in " + f["place_name"]).where(f["place_name"] != "", "")
    who = f["speaker"].where(f["speaker"] != "", f["claimed_by"])
    f["label"] = f["group"] + (", " + f["place_name"]).where(f["place_name"] != "", "") + " (" + who + ")"
    f["sources_text"] = [rd.sources_short(sel, c) for c in f["source_id"]]
    f["date_iso"] = f["start"].dt.strftime("%Y-%m-%d")
    f["series_label"] = ""
    f["latest"] = False
    f["opacity"] = f["superseded"].map({True: 0.35, False: 1.0})


def _series_text(pts: pd.DataFrame, label: str) -> str:
    first, last = pts.iloc[0], pts.iloc[-1]
    return (
        f"{label}: a running total given {len(pts)} times, from {first['figure_text']} ({first['date_text']}) "
        f"to {last['figure_text']} ({last['date_text']}); each point is the total to that date, so the points are not added together."
    )


def _chains(sel, v: pd.DataFrame, f: pd.DataFrame) -> list[dict]:
    """Revision chains, oldest first: '19, revised the same day to 21'."""
    by_id = v.set_index("id")
    rev = rd.col(v, "revises")
    nxt = {old: new for new, old in zip(v["id"], rev) if old and old in by_id.index}
    later = set(nxt.values())
    out = []
    for root in [i for i in nxt if i not in later]:
        chain, seen = [root], {root}
        while chain[-1] in nxt and nxt[chain[-1]] not in seen:
            chain.append(nxt[chain[-1]])
            seen.add(chain[-1])
        rows = [by_id.loc[i] for i in chain]
        words = [phrase(rows[0]["value"], rows[0]["qualifier"]) if rows[0]["kind"] == "figure" else rows[0]["summary_text"]]
        for prev, cur in zip(rows, rows[1:]):
            when = "the same day" if prev["date"] == cur["date"] else f"on {cur['date_text']}"
            words.append(f"revised {when} to {phrase(cur['value'], cur['qualifier'])}")
        head = rows[-1]
        what = rd.measure_label(sel, head["measure"]).lower() + (f" in {head['place_name']}" if head["place_name"] else "")
        who = rd.parties_text(sel, head["party"]) if head["speaker"] == "" else head["speaker"]
        out.append({"ids": chain, "text": f"{who}, {what}, {rows[0]['date_text']}: " + ", ".join(words) + "."})
    return out


def _intervals(sel, f: pd.DataFrame) -> list[dict]:
    """An upper and a lower bound from one claimant, one day, one measure and place: one interval."""
    out = []
    keys = ["claimant", "date", "measure", "place_id", "unit"]
    current = f[~f["superseded"] & (f["precision"] == "day")]
    # Only groups holding both a lower and an upper bound, in the order the groups first appear.
    current = current.assign(_group=current.groupby(keys, sort=False).ngroup())
    bounds = current[current["bound_kind"].isin(["lower", "upper"])]
    paired = bounds.groupby("_group")["bound_kind"].transform("nunique") == 2
    for _, g in bounds[paired].sort_values("_group", kind="stable").groupby("_group", sort=False):
        lows, highs = g[g["bound_kind"] == "lower"], g[g["bound_kind"] == "upper"]  # both present: paired above
        lo, hi = lows.loc[lows["value"].idxmax()], highs.loc[highs["value"].idxmin()]
        who = rd.parties_text(sel, lo["party"]) or lo["speaker"]
        what = f"{lo['group'].lower()}" + (f" in {lo['place_name']}" if lo["place_name"] else "")
        if lo["value"] <= hi["value"]:
            text = f"{who}, {lo['date_text']}: “{lo['figure_text']}” and “{hi['figure_text']}” {what} are one interval (between {fmt(lo['value'])} and {fmt(hi['value'])}), not a contradiction."
        else:
            text = f"{who}, {lo['date_text']}: “{lo['figure_text']}” and “{hi['figure_text']}” {what} cannot both hold: the bounds contradict each other."
        out.append({"ids": [lo["id"], hi["id"]], "text": text})
    return out


def chart_title(figs: Figures) -> tuple[str, str]:
    f = figs.rows
    n_series, n_single = len(figs.series), len(figs.singles)
    claimants = f["claimed_by"].nunique()
    bits = []
    if n_series:
        bits.append(f"{rd.plural(n_series, 'running total')} over time")
    if n_single:
        bits.append(f"{rd.plural(n_single, 'single figure')} grouped by what {'it counts' if n_single == 1 else 'they count'}")
    title = f"{rd.plural(len(f), 'figure')} from {rd.plural(claimants, 'claimant')}: " + " and ".join(bits)
    if figs.total > len(f):
        title = f"{len(f):,} of {figs.total:,} figures: " + " and ".join(bits)
    sub = "Each figure as its claimant gave it. Triangles point the way the true count may lie"
    sub += "; faded marks were revised later." if f["superseded"].any() else "."
    return title, sub


def why_text(sel, figs: Figures) -> str:
    """Why the figures cannot simply be added or compared, from the data."""
    f = figs.rows
    groups = list(dict.fromkeys(f["group"]))
    # Written from the measures in the rows (report.yaml's figures_count is no longer used: it goes stale).
    bits = [f"These figures count {rd.plural(len(groups), 'different thing') if len(groups) > 1 else 'one thing'}" + f" ({rd.and_list([g.lower() for g in groups[:10]])}{', …' if len(groups) > 10 else ''})"]
    roles = {}
    for cell in f["party"]:
        for p in rd.ids(cell):
            roles.setdefault(rd.party_name(sel, p), rd.ROLE_WORDS.get(rd.role_of(sel, p), ""))
    stake = [n for n, r in roles.items() if r == rd.ROLE_WORDS["belligerent"]]
    others = [f"{n} ({r})" for n, r in roles.items() if r and r != rd.ROLE_WORDS["belligerent"]]
    if stake:
        bits.append(f"{rd.and_list(stake)} {'is a party' if len(stake) == 1 else 'are parties'} to the fighting, with a stake in the number")
    if others:
        bits.append("the others come from " + rd.and_list(others))
    dates = f["date"].nunique()
    bits.append(f"they were stated on {rd.plural(dates, 'date')}" if dates > 1 else "they were all stated on one day")
    text = "; ".join(bits) + "."
    if (f["bound_kind"].isin(["upper", "lower"])).any():
        text += " Words such as “nearly” and “more than” give only one side of an interval."
    return text


def table_rows(figs: Figures) -> list[dict]:
    chained = {i: c["text"] for c in figs.chains for i in c["ids"]}
    rows = []
    for r in figs.rows.itertuples():
        rows.append({
            "group": r.group, "figure": r.figure_text, "allows": bounds(r.value, r.qualifier).describe(), "speaker": r.speaker,
            "side": r.role_text or r.side_text, "date": r.date_text, "summary": r.summary_text, "sources": r.sources_text,
            "superseded": bool(r.superseded), "series": r.series_label, "revision": chained.get(r.id, ""),
        })
    return rows


def chart_frames(figs: Figures) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["label", "group", "lane", "side", "value", "bound_kind", "bound_label", "arrow_to", "figure_text", "mark_text", "speaker", "source", "sources_text", "date_text", "side_text", "what", "opacity", "superseded"]
    singles = figs.singles[cols].reset_index(drop=True)
    pts = figs.points[cols + ["date_iso", "series_label", "latest"]].reset_index(drop=True)
    return singles, pts
