"""Every answer of the handout's key is re-derived from the rows it was drawn from; a key that
disagrees with its rows raises AnswerKeyError, so a wrong answer can never be printed.

The checks use the rows' own columns (dates, responds_to, speakers, places, parties, figures),
not the code that wrote the answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import report_data as rd
from .exercise_figures import facts

if TYPE_CHECKING:
    from .exercises import Exercise
    from .handout import Handout


class AnswerKeyError(AssertionError):
    """An answer that its rows do not bear out (a bug: never shown to a reader)."""


def _fail(ex: Exercise, why: str) -> None:
    raise AnswerKeyError(f"exercise {ex.number} ({ex.title}): {why}")


def check(h: Handout, ex: Exercise) -> None:
    checker = {"order": _order, "quotes": _quotes, "figures": _figures}.get(ex.kind)
    if checker is None:
        checker = _denial if ex.answer_text.startswith("The claim is entry") else _names
    checker(h, ex)


def _rows_by_entry(h: Handout) -> dict[int, object]:
    return {i: r for i, (_, r) in enumerate(h.view.iterrows(), start=1)}


def _order(h: Handout, ex: Exercise) -> None:
    by_entry = _rows_by_entry(h)
    letters = [letter for letter, _ in ex.data["items"]]
    entries = {m.group(1): int(m.group(2)) for m in re.finditer(r"([A-Z]): [^;]*?, entry (\d+)", ex.answer_text)}
    if sorted(entries) != sorted(letters):
        _fail(ex, f"the key names letters {sorted(entries)}, the question {letters}")
    for letter, summary in ex.data["items"]:
        if by_entry[entries[letter]]["summary_text"] != summary:
            _fail(ex, f"{letter} is not entry {entries[letter]}")
    order = [x.strip() for x in ex.answer["order"].split(",")]
    rows = [by_entry[entries[x]] for x in order]
    for a, b in zip(rows, rows[1:]):
        if not a["end"] < b["start"]:
            _fail(ex, f"{a['id']} does not come before {b['id']} (dates {a['date']}, {b['date']})")


def _quotes(h: Handout, ex: Exercise) -> None:
    people = dict(ex.data["people"])
    for i, quote in enumerate(ex.data["quotes"], start=1):
        m = re.search(rf"(?:^|; ){i}–([A-Z]) ", ex.answer_text)
        if not m:
            _fail(ex, f"no answer for quote {i}")
        speakers = set(h.view.loc[h.view["quote"] == quote, "speaker"])
        who = people[m.group(1)]
        if not any(who == s or who.startswith(s + ", ") for s in speakers):
            _fail(ex, f"quote {i} is by {sorted(speakers)}, the key says {who}")


def _denial(h: Handout, ex: Exercise) -> None:
    by_entry = _rows_by_entry(h)
    m = re.search(r"The claim is entry (\d+):.*The (\w+) is entry (\d+)\.", ex.answer_text)
    if not m:
        _fail(ex, "the key names no entries")
    claim, denial = by_entry[int(m.group(1))], by_entry[int(m.group(3))]
    if denial["responds_to"] != claim["id"]:
        _fail(ex, f"entry {m.group(3)} answers {denial['responds_to']!r}, not {claim['id']!r}")
    if denial["stance"] not in ("denies", "disputes"):
        _fail(ex, f"entry {m.group(3)} is a {denial['stance']}, not a denial or dispute")


def _names(h: Handout, ex: Exercise) -> None:
    places = h.sel.data.places
    m = re.search(r"own language and tradition: (.+?) in Azerbaijani, (.+?) in Armenian\.", ex.answer_text)
    if not m:
        _fail(ex, "the key names no place")
    if not ((places["name_azerbaijani"] == m.group(1)) & (places["name_armenian"] == m.group(2))).any():
        _fail(ex, f"no place is called {m.group(1)} and {m.group(2)}")


def _figures(h: Handout, ex: Exercise) -> None:
    by_id = h.view.set_index("id", drop=False)
    a, b = (by_id.loc[i] for i in ex.answer["rows"])
    f = facts(a, b)
    text = ex.answer_text
    if f != ex.answer["facts"]:
        _fail(ex, f"the rows give {f}, the key was written from {ex.answer['facts']}")
    says = {
        "different things": not f["same"]["measure"],
        "different dates": not f["same"]["date"],
        "different places": not f["same"]["place"],
        "different claimants": not f["same"]["claimant"],
        "Both come from": f["same"]["claimant"],
        "revises the earlier one": f["revision"],
        "one running total": f["running"],
        "one interval": f["interval"],
    }
    for words, holds in says.items():
        if words in text and not holds:
            _fail(ex, f"the key says “{words}”, the rows {a['id']} and {b['id']} do not bear it out")
    stake = "with a stake in the number"
    if stake in text:
        stakeholders = [p for r in (a, b) for p in rd.ids(r["party"]) if rd.role_of(h.sel, p) == "belligerent"]
        if not stakeholders:
            _fail(ex, "the key calls a claimant a party with a stake, but neither is a party to the fighting")
    for r in (a, b):
        roles = {rd.role_of(h.sel, p) for p in rd.ids(r["party"])}
        said = re.search(re.escape(r["speaker"]) + r" \(([^)]*)\)", text)
        if said and "belligerent" not in roles and "party to the fighting" in said.group(1):
            _fail(ex, f"the key calls {r['speaker']} a party to the fighting; its role is {', '.join(sorted(roles))}")
