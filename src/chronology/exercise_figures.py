"""The handout's figures exercise: two figures, what each qualifier allows, and why the two cannot
simply be added or compared, reasoned from the rows (claimant and role, date, place, measure,
revisions, running totals, intervals). `facts` re-derives the comparison from the rows on its own;
answer_check.py compares it with what the answer says, so a wrong key is never printed."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pandas as pd

from . import report_data as rd
from . import report_figures
from .qualifiers import QUALIFIER_WORDS, bounds, fmt

if TYPE_CHECKING:
    from .handout import Handout


def facts(a: pd.Series, b: pd.Series) -> dict:
    """What two figure rows share, from their own columns only."""
    claim_a, claim_b = sorted(rd.ids(a["party"])), sorted(rd.ids(b["party"]))
    revises = {rd.get(a, "revises"), rd.get(b, "revises")}
    kinds = {bounds(a["value"], a["qualifier"]).kind, bounds(b["value"], b["qualifier"]).kind}
    same = {
        "claimant": claim_a == claim_b and bool(claim_a),
        "date": a["date"] == b["date"] and a["date_end"] == b["date_end"],
        "place": a["place_id"] == b["place_id"],
        "measure": a["measure"] == b["measure"],
        "unit": a["unit"] == b["unit"],
    }
    revision = b["id"] in revises or a["id"] in revises
    running = same["claimant"] and same["measure"] and same["place"] and same["unit"] and rd.get(a, "basis") == rd.get(b, "basis") == "cumulative"
    interval = same["claimant"] and same["date"] and same["measure"] and same["place"] and kinds == {"upper", "lower"}
    return {"same": same, "revision": revision, "running": running and not revision, "interval": interval and not revision, "bound": bool(kinds & {"upper", "lower"})}


def _role_words(h: Handout, row) -> str:
    """'speaking for Azerbaijan, a party to the fighting, with a stake in the number'; 'a human-rights organisation'."""
    groups: dict[str, list[str]] = {}
    for p in rd.ids(row["party"]):
        groups.setdefault(rd.role_of(h.sel, p), []).append(rd.party_name(h.sel, p))
    bits = []
    for role, names in groups.items():
        if role == "belligerent":
            words = ("a party" if len(names) == 1 else "parties") + " to the fighting, with a stake in the number"
        else:
            words = rd.ROLE_WORDS.get(role, "a source that is not a party")
            if len(names) > 1:
                words = words.replace("an ", "").replace("a ", "") + "s"
        bits.append(words if names == [row["speaker"]] else f"{rd.and_list(names)}, {words}")
    text = "; ".join(bits) or "a source that is not a party"
    return text if text.startswith(("a ", "an ", "parties")) else "speaking for " + text


def _who(h: Handout, row) -> str:
    return row["speaker"] or rd.parties_text(h.sel, row["party"])


def reason(h: Handout, a: pd.Series, b: pd.Series, f: dict) -> str:
    """The closing answer, written from the facts."""
    if a["start"] > b["start"]:
        a, b = b, a
    if f["revision"]:
        first = "They are not two counts: the later figure revises the earlier one"
        first += f" ({_who(h, a)} gave {a['figure_text']}, then {b['figure_text']}, {'the same day' if f['same']['date'] else 'on ' + b['date_text']}); the later one replaces it."
    elif f["running"]:
        first = f"They are two points of one running total kept by {_who(h, a)}: the later figure ({b['figure_text']}, {b['date_text']}) already includes the earlier one ({a['figure_text']}, {a['date_text']}), so adding them would count the same people twice."
    elif f["interval"]:
        lo, hi = (a, b) if bounds(a["value"], a["qualifier"]).kind == "lower" else (b, a)
        first = f"They do not contradict each other: the same claimant gave both on the same day for the same count, so together they make one interval, between {fmt(lo['value'])} and {fmt(hi['value'])}."
    else:
        diffs = []
        if not f["same"]["measure"]:
            diffs.append(f"they count different things ({a['group'].lower()}; {b['group'].lower()})")
        elif not f["same"]["unit"]:
            diffs.append(f"they count in different units ({a['unit']}; {b['unit']})")
        if not f["same"]["date"]:
            diffs.append(f"they were stated on different dates ({a['date_text']}; {b['date_text']})")
        if not f["same"]["place"]:
            diffs.append(f"they are about different places ({a['place_name'] or 'no place given'}; {b['place_name'] or 'no place given'})")
        first = "They cannot be added or compared directly: " + ("; ".join(diffs) if diffs else "they are the same kind of count, for the same place and day, so they are two versions of one number, not two numbers to add") + "."
    if f["same"]["claimant"]:
        who = f" Both come from {_who(h, a)} ({_role_words(h, a)})."
    else:
        who = f" They come from different claimants: {_who(h, a)} ({_role_words(h, a)}) and {_who(h, b)} ({_role_words(h, b)})."
    bound = " A bound such as “more than” or “nearly” gives only one side of an interval." if f["bound"] else ""
    return first + who + bound


def _bound_answer(r) -> str:
    b = bounds(r.value, r.qualifier)
    n = fmt(r.value)
    whose = f"It is reported by {r.speaker}, not a checked count." if r.side == "press" else f"It is a claim by {r.speaker}, not a checked count."
    if b.kind == "upper":
        return (
            f"an upper bound. If the claim is right, the true number is {'at most' if b.high_inclusive else 'below'} {n}; "
            f"“{QUALIFIER_WORDS[r.qualifier][0]}” suggests close to it, but not how close, and it cannot be above {n}. {whose}"
        )
    if b.kind == "lower":
        return f"a lower bound. If the claim is right, the true number is {'at least' if b.low_inclusive else 'above'} {n}; there is no upper limit: it could be far higher. {whose}"
    if b.kind == "approximate":
        return f"an approximate number: roughly {n}, in either direction. {whose}"
    later = " The same claimant revised it later." if getattr(r, "superseded", False) else " Such numbers are often revised later."
    return f"an exact number as stated: {n}. {whose}{later}"


def figures_exercise(h: Handout, rng: random.Random, number: int):
    """Two figures: an upper and a lower bound where the data has them, else any two."""
    from .exercises import Exercise

    f = report_figures.build(h.sel).rows
    if (~f["superseded"]).sum() >= 2:
        f = f[~f["superseded"]]  # a figure its claimant revised is not the one to reason about
    if len(f) < 2:
        return None
    pools = [list(f[f["bound_kind"] == kind].itertuples()) for kind in ("upper", "lower")]
    if all(pools):
        pair = [rng.choice(pools[0]), rng.choice(pools[1])]
    else:
        pair = rng.sample(list(f.itertuples()), 2)
    items, lines, answers = [], [], []
    for i, r in enumerate(pair, start=1):
        word = QUALIFIER_WORDS[r.qualifier][0]
        verb = "reported by" if r.side == "press" else "claimed by"
        about = f"“{r.figure_text}” ({r.group.lower()}{', ' + r.place_name if r.place_name else ''}), {verb} {r.speaker}, {r.date_text}."
        ask = f"What does the word “{word}” allow us to conclude about the true number, and what does it not tell us?" if word else "The number is given without a qualifier: what can we conclude, and what should we still ask?"
        items.append((about, ask))
        lines.append(f"{i}. {about} {ask}")
        answers.append(f"{i}. {r.figure_text}: {_bound_answer(r)}")
    closing = "Can the two numbers be added together or compared directly? Look at who gave them, when, for which place, and what they count."
    a, b = (f.loc[r.Index] for r in pair)
    found = facts(a, b)
    answers.append(reason(h, a, b, found))
    data = {"items": items, "closing": closing}
    answer = {"items": answers, "rows": [a["id"], b["id"]], "facts": found}
    return Exercise(number, "What do the figures allow us to conclude?", "figures", data, "\n".join(lines) + "\n" + closing, "list", answer, " ".join(answers))
