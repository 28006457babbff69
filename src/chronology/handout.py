"""The classroom handout: a compact chronology, the key claims and figures, a glossary and
exercises generated from the data, one call per section in notebooks/handout.ipynb.

The exercises are drawn with `random.Random(seed)` (never the global generator), so a teacher
gets one version per `seed`, and the same seed always gives the same page. The answer key is
built only when `answers=True`: without it, its text is nowhere in the page.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from . import page
from . import naming
from .dates import PartialDate, display_span
from .qualifiers import QUALIFIER_WORDS, bounds, fmt
from .report import HTML, Report

escape = page.escape

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


def date_with_precision(date: str, date_end: str = "") -> str:
    """'October 2020 (month)', '8 November 2020 (day)', '1987 to 1994 (span: year)'."""
    start = PartialDate.parse(date)
    end = PartialDate.parse(date_end) if date_end else None
    text = display_span(start, end)
    if end is None or end == start:
        return f"{text} ({start.precision})"
    if end.precision == start.precision:
        return f"{text} (span: {start.precision})"
    return f"{text} (span: {start.precision} to {end.precision})"


def _quoted(text: str) -> str:
    return f"“{text}”"


def css_string(text: str) -> str:
    """Text as a quoted CSS string: anything but plain letters, digits and punctuation is a
    six-digit CSS escape, so no quote, backslash, newline or '</style' can come through."""
    return '"' + "".join(ch if ch in _CSS_PLAIN else f"\\{ord(ch):06X}" for ch in text) + '"'


_CSS_PLAIN = frozenset(string.ascii_letters + string.digits + " ,.:;()'-/!?")


def _has_word(text: str, word: str) -> bool:
    """`word` as a whole name in `text` ('Karabakh' is not found in 'Nagorno-Karabakh')."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def _stem(sentence: str) -> str:
    """A sentence without its final full stop, to be followed by a bracket."""
    return sentence[:-1] if sentence.endswith(".") else sentence


def _rotate_if_sorted(items: list, key) -> list:
    """A shuffle that happens to give the answer back is no exercise: move one step on."""
    if len(items) > 1 and [key(x) for x in items] == sorted(key(x) for x in items):
        return items[1:] + items[:1]
    return items


@dataclass(frozen=True)
class Exercise:
    number: int
    title: str
    markup: str  # question, escaped HTML
    text: str  # question, plain text for nbval
    answer_markup: str  # answer, escaped HTML: only ever written when answers=True
    answer_text: str


class Handout(Report):
    """The handout's sections, built on the report's filtered view of the data."""

    # ------------------------------------------------------------ helpers

    @property
    def handout_title(self) -> str:
        if self.params.title:
            return self.params.title
        return f"{self.title}: a classroom chronology"

    @property
    def version(self) -> str:
        return f"version {self.params.seed}"

    def _used_sources(self) -> pd.DataFrame:
        s = self.data.sources
        return s[s["id"].isin(self.view["source_id"])] if len(self.view) else s

    def _credit(self) -> str:
        """One line naming the sources, for the foot of every printed page."""
        bits = [f"{r.publisher}, {_quoted(r.title)}, {PartialDate.parse(r.published).display()}" for r in self._used_sources().itertuples()]
        if len(bits) > 2:
            bits = bits[:2] + [f"and {len(bits) - 2} more (see Sources)"]
        lead = "Source" if len(bits) == 1 else "Sources"
        return f"{lead}: {'; '.join(bits)}. Handout {self.version}" + (", with answer key." if self.params.answers else ".")

    def _who(self, row) -> str:
        if not row["speaker"]:
            return "Event"
        party = row["lane"]
        return row["speaker"] if party in ("Events", row["speaker"]) else f"{row['speaker']} ({party})"

    def _kind_label(self, row) -> str:
        if row["kind"] == "statement":
            return STANCE_LABELS.get(row["stance"], row["stance"])
        return row["kind"]

    def _entry_numbers(self) -> dict[str, int]:
        """row id -> its number in the chronology table (1-based)."""
        return {rid: i for i, rid in enumerate(self.view["id"], start=1)}

    def _contests(self) -> list[tuple[pd.Series, pd.DataFrame]]:
        """Claims with at least one denial or dispute in the view, and those answers."""
        out = []
        for claim, responses in self._contested():
            against = responses[responses["stance"].isin(CONTESTING)]
            if len(against):
                out.append((claim, against))
        return out

    # ------------------------------------------------------------ sections

    def heading(self) -> HTML:
        """Title, conventions, the handout's stylesheet and the source line printed on every page."""
        p = self.params
        sub = (
            f"Classroom handout, {self.version}. Place names: {naming.DESCRIPTIONS[p.naming]}. "
            "Quotes keep the speaker's own words. Dates are only as precise as the source."
        )
        filters = self._filters_text()
        if filters:
            sub += f" Selection: {filters}."
        # The credit also goes into the page margin of every printed page (an @page margin box,
        # whose text can only come from CSS: escaped for a CSS string, so data cannot close it).
        margin_box = (
            "@media print { @page { @bottom-left { content: " + css_string(self._credit()) + "; "
            'font: 7.5pt "Helvetica Neue", Arial, sans-serif; color: #5b5b57; vertical-align: top; text-align: left; '
            "padding-top: 3mm; border-top: 0.5pt solid #d9d6cf; width: 85%; } } }"
        )
        style = f"<style>\n{page.static_text('handout.css')}{margin_box}\n</style>"
        markup = (
            f"{style}\n<h1>{escape(self.handout_title)}</h1>\n<p class=\"muted handout-sub\">{escape(sub)}</p>\n"
            f'<div class="source-line" role="note">{escape(self._credit())}</div>'
        )
        return HTML(markup, f"{self.handout_title}\n{sub}\n{self._credit()}")

    def chronology(self) -> HTML:
        """Every dated entry in order, each date with its precision as the source gives it."""
        v = self.view
        if v.empty:
            return self._empty("dated entries")
        rows, lines = [], []
        for i, (_, r) in enumerate(v.iterrows(), start=1):
            when = date_with_precision(r["date"], r["date_end"])
            cells = (
                f"<td class='num'>{i}</td><td>{escape(when)}</td><td class='reported'>{escape(r['date_as_reported'])}</td>"
                f"<td>{escape(self._who(r))}</td><td>{escape(self._kind_label(r))}</td><td>{escape(r['summary_text'])}</td>"
            )
            rows.append(f'<tr id="entry-{escape(r["id"])}">{cells}</tr>')
            lines.append(f"{i}. {when}: {r['summary_text']}")
        head = "<tr><th>#</th><th>When (precision)</th><th>As the source puts it</th><th>Who</th><th>Kind</th><th>What</th></tr>"
        cols = "<colgroup><col class='c-n'><col class='c-when'><col class='c-reported'><col class='c-who'><col class='c-kind'><col class='c-what'></colgroup>"
        precision = v["precision"].value_counts()
        counts = ", ".join(f"{precision.get(k, 0)} to the {k}" for k in ("day", "month", "year") if precision.get(k, 0))
        intro = f"{len(v)} entries from {self._window_text()}, in date order; dates known {counts}."
        markup = f"<p class='note lead-in'>{escape(intro)}</p><table class='data chron'>{cols}<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        return HTML(markup, intro + "\n" + "\n".join(lines))

    def claims_and_denials(self) -> HTML:
        """Each claim that is denied or disputed, beside the denials, in the speakers' words."""
        contests = self._contests()
        if not contests:
            return self._empty("denied or disputed claims")
        numbers = self._entry_numbers()
        blocks, lines = [], []
        for claim, against in contests:
            cards = [self._card(claim, f"Claim · entry {numbers.get(claim['id'], '?')}")]
            cards += [self._card(r, f"{STANCE_LABELS[r['stance']].capitalize()} · entry {numbers.get(r['id'], '?')}") for _, r in against.iterrows()]
            answered_by = "; ".join(f"{r['stance']}: {r['speaker']}" for _, r in against.iterrows())
            others = len(self.view[self.view["responds_to"] == claim["id"]]) - len(against)
            more = f" {others} other {'response' if others == 1 else 'responses'} (support, reactions) are in the chronology." if others > 0 else ""
            blocks.append(f'<section class="contest"><div class="claims">{"".join(cards)}</div>' + (f"<p class='note'>{escape(more.strip())}</p>" if more else "") + "</section>")
            lines.append(f"{_stem(claim['summary_text'])} ({claim['speaker'] or 'event'}, {claim['date_text']}): {answered_by}")
        intro = "A claim is what one party says is so; a denial says it is not; a dispute contests it without a flat denial. The source reports both sides and does not say who is right."
        return HTML(f"<p class='lead-in'>{escape(intro)}</p>" + "\n".join(blocks), "\n".join(lines))

    def figures(self) -> HTML:
        """The figures with their qualifiers, and what each qualifier allows us to conclude."""
        f = self._figure_rows()
        if f.empty:
            return self._empty("figures")
        body = "".join(
            f"<tr><td>{escape(r.group)}</td><td class='num'>{escape(r.figure_text)}</td><td>{escape(bounds(r.value, r.qualifier).describe())}</td>"
            f"<td>{escape(r.speaker)}</td><td>{escape(r.date_text)}</td></tr>"
            for r in f.itertuples()
        )
        table = (
            "<table class='data figs'><thead><tr><th>What is counted</th><th>As stated</th><th>What the qualifier allows</th><th>Claimed by</th><th>When</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
        note = (
            "Each number is a claim by the party named, not checked by the source. The qualifier matters: "
            "“nearly” and “almost” give an upper bound (the count is below the number), “more than” a lower bound (it is above). "
            f"The {len(f)} figures count {f['group'].nunique()} different things, so they cannot be added together."
        )
        lines = [f"{r.group}: {r.figure_text}, {bounds(r.value, r.qualifier).describe()} ({r.speaker})" for r in f.itertuples()]
        return HTML(f"<p class='lead-in'>{escape(note)}</p>{table}", "\n".join(lines))

    def _glossary_terms(self) -> list[tuple[str, str]]:
        v = self.view
        text = " ".join(v["summary_text"]).lower() + " " + " ".join(v["role"]).lower()
        notes = " ".join(self.parties.loc[self.parties.index.isin(v["party"]), "note"]).lower()
        f = self._figure_rows()
        kinds = {} if f.empty else {k: g.iloc[0] for k, g in f.groupby("bound_kind")}
        terms: list[tuple[str, str]] = []

        def add(term: str, meaning: str, when: bool = True) -> None:
            if when:
                terms.append((term, meaning))

        add("truce", "a pause in the fighting agreed by the sides, often informal and short-lived; it does not settle the conflict.", "truce" in text)
        add("ceasefire", "an agreement to stop firing from a set time. Who arranged (brokered) it and whether it held are separate questions.", "ceasefire" in text)
        add("peace deal", "a formal agreement that settles a conflict; a truce or a ceasefire is not one.", "peace deal" in text)
        add("broker", "to arrange an agreement between other parties as a go-between: a ceasefire “brokered by” a third country was negotiated through it.", "broker" in text)
        add("self-declared", "proclaimed by its own leaders but not recognised by other states: a “self-declared president” leads such a self-declared state.", "self-declared" in text + " " + notes)
        add("defence ministry", "the government department in charge of a country's armed forces; its officials and spokespeople speak for one side in the fighting.", "defence ministry" in text)
        add("verbatim quote", "the speaker's exact words as the source prints them, in quotation marks. A paraphrase (the “What” column) gives the sense in other words.", (v["quote"] != "").any())
        add("claim, denial, dispute", "a claim says something is so; a denial says it is not; a dispute contests it without a flat denial. None of them is a fact until checked.", bool(self._contests()))
        if "upper" in kinds:
            r = kinds["upper"]
            add("upper bound", f"a number the true count is at or below. “{r['figure_text']}” ({r['speaker']}) is an upper bound: the count is below {fmt(r['value'])}, by an amount not given.")
        if "lower" in kinds:
            r = kinds["lower"]
            add("lower bound", f"a number the true count is at or above. “{r['figure_text']}” ({r['speaker']}) is a lower bound: the count is above {fmt(r['value'])}, with no limit given.")
        add("precision of a date", "how exactly a date is known: to the day, the month or the year. This handout never makes a date more precise than its source: for example, “last month” in an article published on 8 November 2020 is October 2020 (month), not a day.", len(v) > 0)
        add("span", "a period between two dates: something that lasted, or a statement the source does not date, known only to fall within the window.", (v["date_end"] != "").any())
        two_names = self._two_name_places()
        if len(two_names):
            p0 = two_names.iloc[0]
            add("place names", f"many places here have an Azerbaijani and an Armenian name ({p0['name_azerbaijani']} and {p0['name_armenian']}). This handout's own text uses {naming.DESCRIPTIONS[self.params.naming]}.")
        return sorted(terms, key=lambda t: t[0])

    def glossary(self) -> HTML:
        terms = self._glossary_terms()
        if not terms:
            return self._empty("terms to explain")
        items = "".join(f'<div class="term"><dt>{escape(t)}</dt><dd>{escape(m)}</dd></div>' for t, m in terms)
        return HTML(f'<dl class="glossary">{items}</dl>', "\n".join(f"{t}: {m}" for t, m in terms))

    def sources(self) -> HTML:
        """The sources box: where every entry comes from, and how to cite the handout."""
        items, lines = [], []
        for s in self._used_sources().itertuples():
            url = page.safe_url(s.url)
            title = f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(s.title)}</a>' if url else escape(_quoted(s.title))
            where = f" {escape(url)}" if url else " (no web address was supplied with the text)"
            published = PartialDate.parse(s.published).display()
            n = int((self.view["source_id"] == s.id).sum())
            items.append(f"<li><b>{escape(s.publisher)}</b>, {title}, published {escape(published)}.{where} {escape(s.obtained)}. <span class='muted'>{n} {'entry' if n == 1 else 'entries'}.</span></li>")
            lines.append(f"{s.publisher}, {s.title}, published {published}: {n} {'entry' if n == 1 else 'entries'}")
        method = (
            "Every entry is what the source reports: claims are recorded as claims by the party that made them, never as facts, "
            "and the numbers are the parties' own, not checked. Quotes are the speakers' words as printed."
        )
        markup = f'<aside class="sources-box"><ul>{"".join(items)}</ul><p>{escape(method)}</p></aside>'
        return HTML(markup, "\n".join(lines) + "\n" + method)

    # ------------------------------------------------------------ exercises

    def _two_name_places(self) -> pd.DataFrame:
        places = self.data.places
        mentioned = set(self.view["place_id"])
        return places[(places["name_azerbaijani"] != places["name_armenian"]) & places["id"].isin(mentioned)]

    @cached_property
    def _exercise_set(self) -> list[Exercise]:
        """The exercises of this version: one generator, seeded once, drawn from in a fixed order."""
        rng = random.Random(self.params.seed)
        # The denial is drawn first so that its words are kept out of the quote exercise.
        pairs = [(claim, r) for claim, against in self._contests() for _, r in against.iterrows()]
        denial = rng.choice(pairs) if pairs else None
        makers = (
            lambda n: self._order_exercise(rng, n),
            lambda n: self._quote_exercise(rng, n, exclude={denial[1]["id"]} if denial else set()),
            lambda n: self._figures_exercise(rng, n),
            lambda n: self._denial_exercise(denial, n),
            lambda n: self._names_exercise(rng, n),
        )
        built = []
        for make in makers:
            ex = make(len(built) + 1)
            if ex is not None:
                built.append(ex)
        return built

    def _order_exercise(self, rng: random.Random, number: int) -> Exercise | None:
        """Entries whose dates do not overlap, so that exactly one order is right."""
        v = self.view[self.view["kind"].isin(["event", "statement"])]
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
        items = "".join(f"<li><b>{letter}</b> {escape(r.summary_text)}</li>" for letter, r in lettered)
        ask = (
            f"These {len(chosen)} entries are shuffled. Put them in the order they happened or were said. "
            "Then find each one in the chronology and write down its date exactly as precisely as the source gives it (day, month or year)."
        )
        markup = f"<p>{escape(ask)}</p><ul class='lettered'>{items}</ul><p class='write'>Your order: <span class='blank'></span></p>"
        text = ask + "\n" + "\n".join(f"{letter}. {r.summary_text}" for letter, r in lettered)
        right = sorted(lettered, key=lambda lr: lr[1].start)
        numbers = self._entry_numbers()
        order = ", ".join(letter for letter, _ in right)
        detail = [f"{letter}: {date_with_precision(r.date, r.date_end)}, entry {numbers[r.id]}" for letter, r in right]
        answer_text = f"Order: {order}. " + "; ".join(detail) + "."
        answer_markup = f"<p><b>Order: {escape(order)}</b></p><ul>" + "".join(f"<li>{escape(d)}</li>" for d in detail) + "</ul>"
        return Exercise(number, "Put the events in order", markup, text, answer_markup, answer_text)

    def _quote_exercise(self, rng: random.Random, number: int, exclude: set[str]) -> Exercise | None:
        """One verbatim quote per speaker, quotes and speakers shuffled separately."""
        q = self.view[(self.view["quote"] != "") & ~self.view["id"].isin(exclude)]
        by_speaker = {speaker: list(g.itertuples()) for speaker, g in q.groupby("speaker", sort=True)}
        if len(by_speaker) < 2:
            return None
        speakers = sorted(by_speaker)
        rng.shuffle(speakers)
        speakers = speakers[:MATCH_ITEMS]
        picked = [rng.choice(by_speaker[s]) for s in speakers]  # the quotes, in a shuffled order
        listed = sorted(speakers)
        rng.shuffle(listed)  # the speakers, in another
        listed = _rotate_if_sorted(listed, key=lambda s: speakers.index(s))
        letter_of = {s: LETTERS[i] for i, s in enumerate(listed)}
        role_of = {s: next((r.role for r in by_speaker[s] if r.role), "") for s in listed}
        who = [f"{s}, {role_of[s]}" if role_of[s] else s for s in listed]
        ask = "Match each quote to the person who said it. The quotes are verbatim: the speakers' own words, as the source prints them."
        quotes = "".join(f"<li><b>{i}</b> <q class='verbatim'>{escape(r.quote)}</q></li>" for i, r in enumerate(picked, start=1))
        people = "".join(f"<li><b>{letter_of[s]}</b> {escape(w)}</li>" for s, w in zip(listed, who))
        blanks = " ".join(f"{i} – <span class='blank short'></span>" for i in range(1, len(picked) + 1))
        markup = f"<p>{escape(ask)}</p><div class='match'><ul class='lettered quotes'>{quotes}</ul><ul class='lettered people'>{people}</ul></div><p class='write'>Your answers: {blanks}</p>"
        text = ask + "\n" + "\n".join(f"{i}. {_quoted(r.quote)}" for i, r in enumerate(picked, start=1)) + "\n" + "\n".join(f"{letter_of[s]}. {w}" for s, w in zip(listed, who))
        pairs = [f"{i}–{letter_of[r.speaker]} ({r.speaker}, {r.date_text}{', ' + r.channel if r.channel else ''})" for i, r in enumerate(picked, start=1)]
        answer_text = "; ".join(pairs) + "."
        answer_markup = "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in pairs) + "</ul>"
        return Exercise(number, "Who said it?", markup, text, answer_markup, answer_text)

    def _figures_exercise(self, rng: random.Random, number: int) -> Exercise | None:
        """An upper bound and a lower bound where the data has them (nearly / more than)."""
        f = self._figure_rows()
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
            about = f"“{r.figure_text}” ({r.group.lower()}), {self._claimed(r)} {r.speaker}, {r.date_text}."
            ask = f"What does the word “{word}” allow us to conclude about the true number, and what does it not tell us?" if word else "The number is given without a qualifier: what can we conclude, and what should we still ask?"
            items.append(f"<li><b>{i}</b> {escape(about)} {escape(ask)}<div class='lines'></div></li>")
            lines.append(f"{i}. {about} {ask}")
            answers.append(f"{i}. {r.figure_text}: {self._bound_answer(r)}")
        closing = "Why can the two numbers not be added together or compared directly?"
        markup = f"<ul class='lettered'>{''.join(items)}</ul><p>{escape(closing)}</p><div class='lines'></div>"
        different = "they count different things" if pair[0].group != pair[1].group else "they were stated on different dates, for different places or periods"
        if pair[0].speaker == pair[1].speaker:
            speakers = f"both come from {pair[0].speaker}"
        else:
            speakers = "they come from different sources" + ("" if "press" in (pair[0].side, pair[1].side) else ", each a party with a stake in the number")
        answers.append(f"They cannot be added or compared directly: {different} ({pair[0].group.lower()}; {pair[1].group.lower()}), {speakers}, and a bound gives only one side of an interval.")
        answer_markup = "<ul>" + "".join(f"<li>{escape(a)}</li>" for a in answers) + "</ul>"
        return Exercise(number, "What do the figures allow us to conclude?", markup, "\n".join(lines) + "\n" + closing, answer_markup, " ".join(answers))

    @staticmethod
    def _claimed(r) -> str:
        return "reported by" if r.side == "press" else "claimed by"

    def _bound_answer(self, r) -> str:
        b = bounds(r.value, r.qualifier)
        n = fmt(r.value)
        whose = f"It is reported by {r.speaker}, not a checked count." if r.side == "press" else f"It is a claim by {r.speaker}, not a checked count."
        if b.kind == "upper":
            return (
                f"an upper bound. If the claim is right, the true number is {'at most' if b.high_inclusive else 'below'} {n}; "
                f"“{QUALIFIER_WORDS[r.qualifier][0]}” suggests close to it, but not how close, and it cannot be above {n}. {whose}"
            )
        if b.kind == "lower":
            return (
                f"a lower bound. If the claim is right, the true number is {'at least' if b.low_inclusive else 'above'} {n}; "
                f"there is no upper limit: it could be far higher. {whose}"
            )
        if b.kind == "approximate":
            return f"an approximate number: roughly {n}, in either direction. {whose}"
        return f"an exact number as stated: {n}. {whose} Such numbers are often revised later."

    def _denial_exercise(self, drawn: tuple[pd.Series, pd.Series] | None, number: int) -> Exercise | None:
        if drawn is None:
            return None
        claim, denial = drawn
        numbers = self._entry_numbers()
        how = f" ({denial['channel']})" if denial["channel"] else ""
        who = f"{denial['speaker']}, {denial['role']}" if denial["role"] else denial["speaker"]
        said = f"{who}{how}: {_quoted(denial['quote'])}" if denial["quote"] else f"{_stem(denial['summary_text'])}{how}."
        ask = (
            f"{said} "
            f"Find in the chronology the claim this {STANCE_LABELS[denial['stance']]} answers. Who made the claim, when, and how? "
            "What evidence would settle who is right, and who could provide it?"
        )
        markup = f"<p>{escape(ask)}</p><div class='lines'></div><div class='lines'></div>"
        evidence = next((e for prefix, e in EVIDENCE.items() if claim["topic"].startswith(prefix)), EVIDENCE_DEFAULT)
        claim_how = f", {claim['channel']}" if claim["channel"] else ""
        answer_text = (
            f"The claim is entry {numbers.get(claim['id'], '?')}: {_stem(claim['summary_text'])} ({claim['speaker'] or 'event'}, {claim['date_text']}{claim_how}). "
            f"The {STANCE_LABELS[denial['stance']]} is entry {numbers.get(denial['id'], '?')}. "
            f"Evidence that would settle it: {evidence}. The source itself does not say who is right."
        )
        return Exercise(number, "A claim and its denial", markup, ask, f"<p>{escape(answer_text)}</p>", answer_text)

    def _names_exercise(self, rng: random.Random, number: int) -> Exercise | None:
        places = self._two_name_places()
        if places.empty:
            return None
        p = places.iloc[rng.randrange(len(places))]
        az, arm, intl = p["name_azerbaijani"], p["name_armenian"], p["name_international"]
        also = f", and {intl} in international usage" if intl not in (az, arm) else ""
        ask = (
            f"The same {p['kind'] or 'place'} is called {az} in Azerbaijani usage and {arm} in Armenian usage{also}. "
            f"Why does one place have {'several' if also else 'two'} names? Which name does this handout use in its own text, and why does a quote keep the name the speaker used?"
        )
        markup = f"<p>{escape(ask)}</p><div class='lines'></div><div class='lines'></div>"
        # A quote in which a speaker uses their own side's name, and not the other's.
        own = {"armenian": (arm, az), "azerbaijani": (az, arm)}
        example = ""
        for r in self.view.itertuples():
            if r.quote and r.side in own:
                mine, theirs = own[r.side]
                if _has_word(r.quote, mine) and not _has_word(r.quote, theirs):
                    example = f" For example, {r.speaker} ({r.lane}) says “{mine}” in a verbatim quote."
                    break
        answer_text = (
            f"Each side names the place in its own language and tradition: {az} in Azerbaijani, {arm} in Armenian. "
            "The choice of name can signal whose account a speaker follows, so neutral texts often give both."
            f"{example} This handout's own text uses {naming.DESCRIPTIONS[self.params.naming]}; quotes are never changed, "
            "because changing a speaker's words would misreport them."
        )
        return Exercise(number, "One place, two names", markup, ask, f"<p>{escape(answer_text)}</p>", answer_text)

    def exercises(self) -> HTML:
        """The exercises of this version (seed), each in its own box."""
        ex = self._exercise_set
        if not ex:
            return self._empty("material for exercises")
        blocks = [f'<section class="exercise" id="exercise-{e.number}"><h3>{e.number}. {escape(e.title)}</h3>{e.markup}</section>' for e in ex]
        note = f"Exercises, {self.version}. Try them first without the chronology, then check your answers with it."
        text = note + "\n" + "\n".join(f"{e.number}. {e.title}\n{e.text}" for e in ex)
        return HTML(f"<p class='note'>{escape(note)}</p>" + "\n".join(blocks), text)

    def answer_key(self) -> HTML | None:
        """The answer key with answers=True; otherwise nothing at all (not hidden: absent)."""
        if not self.params.answers:
            return None
        ex = self._exercise_set
        items = "".join(f'<section class="answer" id="answer-{e.number}"><h3>{e.number}. {escape(e.title)}</h3>{e.answer_markup}</section>' for e in ex)
        heading = f"Answer key, {self.version} (for the teacher)"
        text = heading + "\n" + "\n".join(f"{e.number}. {e.answer_text}" for e in ex)
        return HTML(f'<section class="answer-key"><h2 class="page-start">{escape(heading)}</h2>{items}</section>', text)
