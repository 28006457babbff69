"""The handout's exercises, generated from the data.

The exercises are drawn with `random.Random(seed)` (never the global generator), so a teacher
gets one version per `seed`, and the same seed always gives the same page. The answer key is
built only when `answers=True`: without it, its text is nowhere in the page.

Each Exercise holds data; templates/sections/exercise_<kind>.html.j2 and answer_<kind>.html.j2
draw it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from . import answer_check, page
from .dates import date_with_precision
from .exercise_figures import figures_exercise

if TYPE_CHECKING:
    from .handout import Handout

ORDER_ITEMS = 6  # events to put in order
ORDER_DRAWS = 20  # draws tried to find ORDER_ITEMS entries whose dates do not overlap
MATCH_ITEMS = 5  # quotes to match to their speakers
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STANCE_LABELS = {"asserts": "claim", "denies": "denial", "disputes": "dispute", "accuses": "accusation", "demands": "demand", "reports": "report"}
CONTESTING = ("denies", "disputes")

# What would settle a claim and its denial, by topic (prefix); the default fits any topic.
EVIDENCE = {
    "control-of": "reports from independent journalists or observers in the place itself; dated photographs, video or satellite images showing who holds it; "
    "a later statement by the side that denied the claim (an admission settles it); the terms of a later agreement between the sides",
    "civilians": "an independent investigation on the ground (for example by a UN body or a human-rights organisation); what kind of weapon was used and from where; "
    "hospital and casualty records; dated images of the damage",
    "casualties": "lists of names; counts by an independent body; hospital, burial and military records released later; figures from both sides compared over time",
    "ceasefire": "reports from independent observers along the front line at the time the ceasefire began; dated images or recordings of where the firing came from",
}
EVIDENCE_DEFAULT = "sources that are not a party to the conflict; dated documents, images or recordings; and later statements by either side that confirm or withdraw what was said"


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    kind: str  # exercise_<kind>.html.j2 draws the question from `data`
    data: dict
    text: str  # question, plain text for nbval
    answer_kind: str  # answer_<kind>.html.j2 draws the answer from `answer`: only ever drawn when answers=True
    answer: dict = field(default_factory=dict)
    answer_text: str = ""

    @property
    def markup(self) -> str:
        return page.draw(f"exercise_{self.kind}", d=self.data)

    @property
    def answer_markup(self) -> str:
        return page.draw(f"answer_{self.answer_kind}", d=self.answer)


def quoted(text: str) -> str:
    return f"“{text}”"


def stem(sentence: str) -> str:
    """A sentence without its final full stop, to be followed by a bracket."""
    return sentence[:-1] if sentence.endswith(".") else sentence


def _has_word(text: str, word: str) -> bool:
    """`word` as a whole name in `text` ('Karabakh' is not found in 'Nagorno-Karabakh')."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def _rotate_if_sorted(items: list, key) -> list:
    """A shuffle that happens to give the answer back is no exercise: move one step on."""
    if len(items) > 1 and [key(x) for x in items] == sorted(key(x) for x in items):
        return items[1:] + items[:1]
    return items


def build_exercises(h: Handout) -> list[Exercise]:
    """The exercises of this version: one generator, seeded once, drawn from in a fixed order."""
    rng = random.Random(h.params.seed)
    # The denial is drawn first so that its words are kept out of the quote exercise.
    pairs = [(claim, r) for claim, against in h.contests() for _, r in against.iterrows()]
    denial = rng.choice(pairs) if pairs else None
    makers = (
        lambda n: _order_exercise(h, rng, n),
        lambda n: _quote_exercise(h, rng, n, exclude={denial[1]["id"]} if denial else set()),
        lambda n: figures_exercise(h, rng, n),
        lambda n: _denial_exercise(h, denial, n),
        lambda n: _names_exercise(h, rng, n),
    )
    built = []
    for make in makers:
        ex = make(len(built) + 1)
        if ex is not None:
            answer_check.check(h, ex)  # raises when the rows do not bear the answer out
            built.append(ex)
    return built


def _order_exercise(h: Handout, rng: random.Random, number: int) -> Exercise | None:
    """Entries whose dates do not overlap, so that exactly one order is right."""
    v = h.view[h.view["kind"].isin(["event", "statement"])]
    candidates = list(v.itertuples())
    chosen: list = []
    for _ in range(ORDER_DRAWS):
        rng.shuffle(candidates)
        drawn: list = []
        for r in candidates:
            if all(r.end < c.start or c.end < r.start for c in drawn):
                drawn.append(r)
            if len(drawn) == ORDER_ITEMS:
                break
        if len(drawn) > len(chosen):
            chosen = drawn
        if len(chosen) == ORDER_ITEMS:
            break
    if len(chosen) < 3:
        return None
    chosen = _rotate_if_sorted(chosen, key=lambda r: r.start)
    lettered = list(zip(LETTERS, chosen))
    ask = (
        f"These {len(chosen)} entries are shuffled. Put them in the order they happened or were said. "
        "Then find each one in the chronology and write down its date exactly as precisely as the source gives it (day, month or year)."
    )
    text = ask + "\n" + "\n".join(f"{letter}. {r.summary_text}" for letter, r in lettered)
    right = sorted(lettered, key=lambda lr: lr[1].start)
    numbers = h.entry_numbers()
    order = ", ".join(letter for letter, _ in right)
    detail = [f"{letter}: {date_with_precision(r.date, r.date_end)}, entry {numbers[r.id]}" for letter, r in right]
    answer_text = f"Order: {order}. " + "; ".join(detail) + "."
    data = {"ask": ask, "items": [(letter, r.summary_text) for letter, r in lettered]}
    return Exercise(number, "Put the events in order", "order", data, text, "order", {"order": order, "items": detail}, answer_text)


def _quote_exercise(h: Handout, rng: random.Random, number: int, exclude: set[str]) -> Exercise | None:
    """One verbatim quote per speaker, quotes and speakers shuffled separately."""
    q = h.view[(h.view["quote"] != "") & ~h.view["id"].isin(exclude)]
    by_speaker = {speaker: list(g.itertuples()) for speaker, g in q.groupby("speaker", sort=True)}
    if len(by_speaker) < 2:
        return None
    everyone = sorted(by_speaker)
    rng.shuffle(everyone)
    # One person more than there are quotes: the last match cannot be made by elimination.
    n_quotes = min(MATCH_ITEMS, len(everyone) - 1) if len(everyone) >= 3 else len(everyone)
    speakers = everyone[:n_quotes]
    spare = everyone[n_quotes:n_quotes + 1]
    picked = [rng.choice(by_speaker[s]) for s in speakers]  # the quotes, in a shuffled order
    listed = sorted(speakers + spare)
    rng.shuffle(listed)  # the speakers, in another
    listed = _rotate_if_sorted(listed, key=lambda s: everyone.index(s))
    letter_of = {s: LETTERS[i] for i, s in enumerate(listed)}
    who = [_who(s, by_speaker[s]) for s in listed]
    ask = "Match each quote to the person who said it. The quotes are verbatim: the speakers' own words, as the source prints them."
    if spare:
        ask += " One person in the list said none of these quotes."
    text = ask + "\n" + "\n".join(f"{i}. {quoted(r.quote)}" for i, r in enumerate(picked, start=1)) + "\n" + "\n".join(f"{letter_of[s]}. {w}" for s, w in zip(listed, who))
    pairs = [f"{i}–{letter_of[r.speaker]} ({r.speaker}, {r.date_text}{', ' + r.channel if r.channel else ''})" for i, r in enumerate(picked, start=1)]
    data = {"ask": ask, "quotes": [r.quote for r in picked], "people": [(letter_of[s], w) for s, w in zip(listed, who)]}
    if spare:
        pairs.append(f"{letter_of[spare[0]]} ({spare[0]}) said none of them")
    return Exercise(number, "Who said it?", "quotes", data, text, "list", {"items": pairs}, "; ".join(pairs) + ".")


def _who(speaker: str, rows: list) -> str:
    """A speaker as the matching exercise lists them: name, then role, then the party they speak for
    (two spokespeople are told apart by whom they speak for)."""
    role = next((r.role for r in rows if r.role), "")
    lane = next((r.lane for r in rows if r.lane and r.lane != "Events" and ", " not in r.lane), "")  # not a joint lane
    bits = [speaker] + ([role] if role else []) + ([f"for {lane}"] if lane and lane.lower() not in f"{speaker} {role}".lower() else [])
    return ", ".join(bits)


def _denial_exercise(h: Handout, drawn: tuple[pd.Series, pd.Series] | None, number: int) -> Exercise | None:
    if drawn is None:
        return None
    claim, denial = drawn
    numbers = h.entry_numbers()
    how = f" ({denial['channel']})" if denial["channel"] else ""
    who = f"{denial['speaker']}, {denial['role']}" if denial["role"] else denial["speaker"]
    said = f"{who}{how}: {quoted(denial['quote'])}" if denial["quote"] else f"{stem(denial['summary_text'])}{how}."
    ask = (
        f"{said} "
        f"Find in the chronology the claim this {STANCE_LABELS[denial['stance']]} answers. Who made the claim, when, and how? "
        "What evidence would settle who is right, and who could provide it?"
    )
    evidence = next((e for prefix, e in EVIDENCE.items() if claim["topic"].startswith(prefix)), EVIDENCE_DEFAULT)
    claim_how = f", {claim['channel']}" if claim["channel"] else ""
    answer_text = (
        f"The claim is entry {numbers.get(claim['id'], '?')}: {stem(claim['summary_text'])} ({claim['speaker'] or 'event'}, {claim['date_text']}{claim_how}). "
        f"The {STANCE_LABELS[denial['stance']]} is entry {numbers.get(denial['id'], '?')}. "
        f"Evidence that would settle it: {evidence}. The source itself does not say who is right."
    )
    return Exercise(number, "A claim and its denial", "written", {"ask": ask, "lines": 8}, ask, "text", {"text": answer_text}, answer_text)


def _names_exercise(h: Handout, rng: random.Random, number: int) -> Exercise | None:
    places = h.two_name_places()
    if places.empty:
        return None
    p = places.iloc[rng.randrange(len(places))]
    az, arm, intl = p["name_azerbaijani"], p["name_armenian"], p["name_international"]
    also = f", and {intl} in international usage" if intl not in (az, arm) else ""
    ask = (
        f"The same {p['kind'] or 'place'} is called {az} in Azerbaijani usage and {arm} in Armenian usage{also}. "
        f"Why does one place have {'several' if also else 'two'} names? Which name does this handout use in its own text, and why does a quote keep the name the speaker used?"
    )
    # A quote in which a speaker uses their own side's name, and not the other's.
    own = {"armenian": (arm, az), "azerbaijani": (az, arm)}
    example = ""
    for r in h.view.itertuples():
        if r.quote and r.side in own:
            mine, theirs = own[r.side]
            if _has_word(r.quote, mine) and not _has_word(r.quote, theirs):
                example = f" For example, {r.speaker} ({r.lane}) says “{mine}” in a verbatim quote."
                break
    answer_text = (
        f"Each side names the place in its own language and tradition: {az} in Azerbaijani, {arm} in Armenian. "
        "The choice of name can signal whose account a speaker follows, so neutral texts often give both."
        f"{example} This handout's own text uses {h.sel.convention}; quotes are never changed, "
        "because changing a speaker's words would misreport them."
    )
    return Exercise(number, "One place, two names", "written", {"ask": ask, "lines": 6}, ask, "text", {"text": answer_text}, answer_text)
