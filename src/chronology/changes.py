"""The "What changed" section: each contested claim or figure with a history, step by step.

A history is a claim (the root) and every row that answers it, directly or through another answer,
following `responds_to` and `revises` links within the selection: what was said and when it was denied,
disputed, corrected, retracted, confirmed, conceded or contradicted. Each step is dated, with who said
it and its source. A history about control of a place ends, where the selection holds one, with the
first truce that came into force after its last step: the point after which the fighting stopped.

Only the data is computed here; templates/sections/what_changed.html.j2 draws it, and the plain text
(the HTML object's repr) is what nbval compares.
"""

from __future__ import annotations

import pandas as pd

from .page import HTML, section
from .report_data import source_items

HISTORIES_SHOWN = 12  # the longest histories; the rest are in the table
CHANGING = {"denies", "disputes", "confirms", "concedes", "retracts"}  # stances that change what is known
VERBS = {
    "asserts": "claims", "denies": "denies", "disputes": "disputes", "accuses": "accuses", "demands": "demands",
    "reports": "reports", "confirms": "confirms", "concedes": "concedes", "retracts": "retracts", "announces": "announces",
}
CONTRADICTS = "contradicts"  # an answer to an answer from the other side of a split claimant (e.g. Armenia answering Karabakh)


def histories(sel) -> list[dict]:
    """The histories in the selection, longest first (then earliest): a list of dicts with `claim`
    (the root's summary), `topic`, `steps` (dicts: date, who, verb, text, quote, source) and `settled`."""
    v = sel.rows
    if v.empty:
        return []
    by_id = v.set_index("id", drop=False)
    parent = {}
    for r in v.itertuples():
        for link in (r.responds_to, r.revises if "revises" in v.columns else ""):
            if link and link in by_id.index and link != r.id:
                parent[r.id] = link
                break

    def root(i: str) -> str:
        seen = set()
        while i in parent and i not in seen:
            seen.add(i)
            i = parent[i]
        return i

    groups: dict[str, list[str]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    out = []
    for top, members in groups.items():
        rows = by_id.loc[[top] + members]
        revised = "revises" in v.columns and (rows["revises"] != "").any()
        if not (rows["stance"].isin(CHANGING).any() or revised):
            continue  # answers that only add (reports, reactions) are not a change
        order = "sort_key" if "sort_key" in rows.columns else "line"  # the record's order (UTC times within a day)
        rows = rows.assign(_answer=rows["id"] != top).sort_values(["start", "_answer", order], kind="stable")
        # the claim, then what changed it; reactions and celebrations that merely follow it are left out
        shown = rows[~rows["_answer"] | rows["stance"].isin(CHANGING) | ((rows["revises"] != "") if revised else False)]
        steps = [_step(sel, r, by_id, parent) for _, r in shown.iterrows()]
        claim = by_id.loc[top]
        out.append(
            {"id": top, "claim": claim["summary_text"], "topic": claim["topic"], "start": claim["start"],
             "steps": steps, "settled": _settled(sel, claim, rows)}
        )
    out.sort(key=lambda h: (-len(h["steps"]), h["start"]))
    return out


def _step(sel, r: pd.Series, by_id: pd.DataFrame, parent: dict) -> dict:
    verb = VERBS.get(r["stance"], "reports") if r["kind"] != "event" else "event"
    if r["id"] in parent:
        answered = by_id.loc[parent[r["id"]]]
        if r["stance"] == "denies" and answered["stance"] in ("concedes", "confirms") and answered["party"] != r["party"]:
            verb = CONTRADICTS
        if "revises" in by_id.columns and r["revises"] == parent[r["id"]]:
            verb = "revises"
    when = _when(r)
    who = r["speaker"] or "Event"
    party = r["lane"] if r["lane"] not in ("", "Events", who) else ""
    return {
        "id": r["id"], "date": when, "who": who, "party": party, "verb": verb, "text": r["summary_text"],
        "quote": r["quote"], "source": _source(sel, r["source_id"]),
    }


def _when(r: pd.Series) -> str:
    """The date as the source gives it, with the time where it gives one ("26 October 2020, 08:05 (UTC+04:00)")."""
    time = r.get("time_text") or r.get("time") or ""
    return r["date_text"] + (f", {time}" if time else "")


def _source(sel, source_ids: str) -> str:
    """The first source (the one the row is taken from) as publisher: title, with how many more report it."""
    items = source_items(sel, source_ids)
    if not items:
        return ""
    first = items[0]
    text = f"{first['publisher']}: {first['title']}" if first["title"] or first["publisher"] != first["id"] else first["id"]
    more = len(items) - 1
    return text + (f" (and {more} more source{'s' if more > 1 else ''})" if more else "")


def _settled(sel, claim: pd.Series, rows: pd.DataFrame) -> dict | None:
    """For a claim about control of a place: the first truce in force after the history's last step."""
    if not str(claim["topic"]).startswith("control-of") or "truce_phase" not in sel.rows.columns:
        return None
    last = rows["start"].max()
    in_force = sel.rows[(sel.rows["truce_phase"] == "in_force") & (sel.rows["start"] >= last) & (sel.rows["kind"] == "event")]
    if in_force.empty:
        return None
    r = in_force.iloc[0]
    announced = sel.rows[(sel.rows["truce"] == r["truce"]) & (sel.rows["truce_phase"] == "announced")]
    what = announced.iloc[0] if len(announced) else r
    when = _when(r)
    return {"date": when, "text": what["summary_text"], "in_force": r["summary_text"], "source": _source(sel, r["source_id"])}


def what_changed(sel) -> HTML:
    found = histories(sel)
    if not found:
        text = sel.empty_text("claim with a recorded history (no denial, correction, confirmation or concession)")
        return section("empty", text, text=text)
    shown = found[:HISTORIES_SHOWN]
    lines = []
    for h in shown:
        lines.append(h["claim"])
        for s in h["steps"]:
            who = s["who"] + (f" ({s['party']})" if s["party"] else "")
            lines.append(f"  {s['date']}: {who} {s['verb']}: {s['text']} [{s['source']}]")
        if h["settled"]:
            lines.append(f"  {h['settled']['date']}: settled: {h['settled']['in_force']} [{h['settled']['source']}]")
    more = len(found) - len(shown)
    note = f"{more} more histories are in the table of all statements." if more > 0 else ""
    if note:
        lines.append(note)
    return section("what_changed", "\n".join(lines), histories=shown, note=note)
