"""The truces section's data: one lifecycle per truce id (announced, in force, accusations of
violations, ended, deadlines, peacekeepers), how long it held as the sources say, and the
positions of a small timeline that templates/sections/truces.html.j2 draws in HTML and CSS."""

from __future__ import annotations

import pandas as pd

from . import report_data as rd
from .qualifiers import phrase

PHASE_RANK = {"announced": 0, "in_force": 1, "violated": 2, "ended": 3, "deadline": 4}
PAST = {"accuses": "accused", "denies": "denied", "disputes": "disputed", "confirms": "confirmed", "concedes": "conceded", "retracts": "retracted"}
PHASE_LABELS = {"announced": "Announced", "in_force": "In force", "violated": "Accused of a violation", "ended": "Ended", "deadline": "Deadline"}
TRUCES_SHOWN = 30
UNTRACKED_SHOWN = 50


def _moment(row) -> pd.Timestamp:
    """Where a row sits on a truce's timeline: its UTC time when known, else its first day."""
    t = rd.utc(row)
    return t.tz_localize(None) if t is not None else pd.Timestamp(row["start"])


def _when(row) -> str:
    """'10 October 2020, 12:00 (UTC+04:00)'."""
    return ", ".join(x for x in (row["date_text"], rd.time_text(row)) if x)


def _who(sel, row) -> str:
    parties = rd.parties_text(sel, row["party"])
    if not row["speaker"]:
        return parties
    return row["speaker"] if parties in ("", row["speaker"]) else f"{row['speaker']} ({parties})"


def _step(sel, row, phase: str) -> dict:
    return {
        "id": row["id"], "phase": phase, "label": PHASE_LABELS.get(phase, phase), "when": _when(row), "reported": row["date_as_reported"],
        "who": _who(sel, row), "what": row["summary_text"], "quote": row["quote"], "sources": rd.sources_short(sel, row["source_id"]), "moment": _moment(row), "accusation": "",
    }


def held_text(in_force: dict | None, stops: list[dict]) -> str:
    """How long a truce held, as the sources say: from coming into force to the first accusation or its end."""
    if in_force is None:
        return "The sources give no time at which it came into force."
    if not stops:
        return "No violation and no end of it is recorded in these sources."
    first = stops[0]
    a, b = in_force["row"], first["row"]
    ta, tb = rd.utc(a), rd.utc(b)
    what = "the first accusation of a violation" if first["phase"] == "violated" else "its end"
    if ta is not None and tb is not None and tb >= ta:
        return f"It held for {rd.duration_text(tb - ta, 'hours')}, as the sources say: from {in_force['when']} to {what} ({first['who']}, {first['when']})."
    days = (pd.Timestamp(b["start"]) - pd.Timestamp(a["end"])).days
    if b["precision"] == "day" and a["precision"] == "day" and days >= 1:
        return f"It held for {rd.plural(days, 'day')}, as the sources say: from {in_force['when']} to {what} ({first['who']}, {first['when']})."
    timed = [s for s in stops if rd.utc(s["row"]) is not None and ta is not None and rd.utc(s["row"]) >= ta]
    later = ""
    if timed and timed[0] is not first:
        later = f"; the first accusation with a time ({timed[0]['who']}) came {rd.duration_text(rd.utc(timed[0]['row']) - ta, 'hours')} after it came into force"
    reported = f" (“{b['date_as_reported']}”)" if b["date_as_reported"] else ""
    return f"It held for less than a day, as the sources say: {what} came the day it came into force{reported}, from {first['who']}{later}."


def _timeline(steps: list[dict]) -> list[dict]:
    """Each step's position along the bar, 0 to 100, from its moment."""
    if not steps:
        return steps
    for prev, cur in zip(steps, steps[1:]):  # an untimed row of a day stays after the timed step before it
        if cur["moment"] < prev["moment"] and cur["phase"] != "deadline":
            cur["moment"] = prev["moment"]
    lo, hi = min(s["moment"] for s in steps), max(s["moment"] for s in steps)
    span = (hi - lo).total_seconds() or 1
    for s in steps:
        s["at"] = round(2 + 96 * (s["moment"] - lo).total_seconds() / span, 1)
    return steps


def dots(steps: list[dict]) -> list[dict]:
    """The timeline's dots: steps closer than a few per cent share one dot numbered '2–5'."""
    out: list[dict] = []
    for i, s in enumerate(steps, start=1):
        if out and s["at"] - out[-1]["at"] < 5:
            out[-1]["last"] = i
            out[-1]["phases"].add(s["phase"])
            continue
        out.append({"at": s["at"], "first": i, "last": i, "phase": s["phase"], "phases": {s["phase"]}})
    for d in out:
        d["label"] = str(d["first"]) if d["first"] == d["last"] else f"{d['first']}–{d['last']}"
        d["phase"] = "violated" if "violated" in d["phases"] else d["phase"]
        d["title"] = ", ".join(PHASE_LABELS.get(p, p) for p in sorted(d.pop("phases")))
    return out


def build(sel) -> dict:
    """{'truces': [...], 'untracked': [...]} for the section; empty lists when there is nothing."""
    v = sel.rows
    truce_col, phase_col = rd.col(v, "truce"), rd.col(v, "truce_phase")
    ids = [t for t in dict.fromkeys(truce_col) if t][:TRUCES_SHOWN]
    truces = []
    for tid in ids:
        rows = rd.sorted_rows(v[truce_col == tid])
        rank = [(r["start"], PHASE_RANK.get(p, 5) if p != "deadline" else 0, i) for i, ((_, r), p) in enumerate(zip(rows.iterrows(), rd.col(rows, "truce_phase")))]
        rows = rows.iloc[[k[-1] for k in sorted(rank)]]
        phases = rd.col(rows, "truce_phase")
        steps, announced, accusations, deadlines, ended, numbers = [], [], [], [], [], []
        in_force = None
        by_id = {}
        for (_, r), phase in zip(rows.iterrows(), phases):
            if r["kind"] == "figure":
                numbers.append(f"{rd.measure_label(sel, r['measure'])}: {phrase(r['value'], r['qualifier'])} {r['unit']}".strip() + f" ({_who(sel, r)}, {r['date_text']})")
                continue
            s = _step(sel, r, phase or "announced")
            s["row"] = r
            by_id[r["id"]] = s
            if phase == "announced":
                announced.append(s)
            elif phase == "in_force":
                in_force = in_force or s
            elif phase == "violated":
                if r["stance"] == "accuses":
                    whom = rd.parties_text(sel, rd.get(r, "about_party"))
                    s["accusation"] = f"{rd.parties_text(sel, r['party']) or r['speaker']} accused {whom or 'the other side'}"
                    s["answers"] = []
                    accusations.append(s)
                else:
                    target = by_id.get(r["responds_to"])
                    s["accusation"] = f"{rd.parties_text(sel, r['party']) or r['speaker']} {PAST.get(r['stance'], 'answered')} " + ("it" if target else "an accusation")
                    s["label"] = "Answer to an accusation"
                    if target is not None and "answers" in target:
                        target["answers"].append(s)
                        s["nested"] = True
                    accusations.append(s)
            elif phase == "ended":
                ended.append(s)
            elif phase == "deadline":
                deadlines.append(s)
            steps.append(s)
        brokers = []
        for s in announced:
            for p in rd.ids(s["row"]["party"]):
                if rd.role_of(sel, p) in rd.OUTSIDE_ROLES and rd.party_name(sel, p) not in brokers:
                    brokers.append(rd.party_name(sel, p))
        announcers = rd.and_list(list(dict.fromkeys(rd.party_name(sel, p) for s in announced for p in rd.ids(s["row"]["party"]))))
        stops = sorted([s for s in accusations if s["row"]["stance"] == "accuses"] + ended, key=lambda s: (s["moment"], s["row"]["line"]))
        held = held_text(in_force, stops)
        dated = [a for a in announced if a["row"]["precision"] == "day"]  # a day-precise announcement names the truce best
        first = (dated or announced)[0] if announced else (in_force or (steps[0] if steps else None))
        heading = f"Truce announced {first['row']['date_text']}" if announced else f"Truce of {first['row']['date_text']}" if first else tid
        if announcers:
            heading += f" by {announcers}"
        _timeline(steps)
        for s in steps:
            s.pop("row", None)
            s.pop("moment", None)
        truces.append({
            "id": tid, "heading": heading, "held": held, "steps": steps, "dots": dots(steps), "announced": announced, "in_force": in_force,
            "brokers": rd.and_list(brokers), "accusations": [a for a in accusations if not a.get("nested")], "ended": ended,
            "deadlines": deadlines, "numbers": numbers,
        })
    untracked = []
    loose = v[(v["topic"] == "ceasefire") & (truce_col == "")]
    responses = v[v["responds_to"].isin(loose["id"])]
    for r in loose[loose["responds_to"] == ""].head(UNTRACKED_SHOWN).itertuples():
        answers = responses[responses["responds_to"] == r.id]
        held = "; ".join(f"{a.speaker}: {a.summary_text}" for a in answers.itertuples())
        untracked.append({"date": r.date_text, "reported": r.date_as_reported, "what": r.summary_text, "held": held})
    del phase_col
    return {"truces": truces, "untracked": untracked}


def plain_lines(built: dict) -> list[str]:
    lines = []
    for t in built["truces"]:
        lines.append(t["heading"] + ".")
        if t["brokers"]:
            lines.append(f"Brokered by {t['brokers']}.")
        if t["in_force"]:
            lines.append(f"In force: {t['in_force']['when']} (“{t['in_force']['reported']}”).")
        lines.append(t["held"])
        for a in t["accusations"]:
            lines.append(f"{a['when']}: {a['accusation']}." + "".join(f" {x['accusation']}." for x in a.get("answers", [])))
        for e in t["ended"]:
            lines.append(f"Ended {e['when']}: {e['what']}")
        for d in t["deadlines"]:
            lines.append(f"Deadline {d['when']}: {d['what']}")
        for n in t["numbers"]:
            lines.append(n)
    for r in built["untracked"]:
        lines.append(f"{r['date']}: {r['what']}")
    return lines
