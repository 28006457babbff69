"""The classroom handout: a compact chronology, the key claims and figures, a glossary and
exercises generated from the data, one call per section in notebooks/handout.ipynb.

A Handout holds a Selection (the same rows and names as the report's) and draws its sections
with templates/sections/handout_*.html.j2. The exercises are in exercises.py.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from . import page, report_data, report_figures
from .dates import PartialDate, date_with_precision
from .exercises import CONTESTING, STANCE_LABELS, Exercise, build_exercises, quoted, stem
from .page import HTML, section
from .qualifiers import bounds, fmt
from .report import card, card_label, load
from .selection import Selection

__all__ = ["Handout", "css_string", "date_with_precision"]


def css_string(text: str) -> str:
    """Text as a quoted CSS string: anything but plain letters, digits and punctuation is a
    six-digit CSS escape, so no quote, backslash, newline or '</style' can come through."""
    # A CSS reader eats one whitespace after a hex escape, so every escape ends with a space of its own:
    # the text's own space after it survives (Zoë «test» keeps both spaces).
    return '"' + "".join(ch if ch in _CSS_PLAIN else f"\\{ord(ch):06X} " for ch in text) + '"'


_CSS_PLAIN = frozenset(string.ascii_letters + string.digits + " ,.:;()'-/!?")


@dataclass
class Handout:
    """The handout's sections, built on a Selection of the data."""

    sel: Selection

    @classmethod
    def from_parameters(cls, **values) -> Handout:
        """Check the parameters and load the data; raise a clear error naming every problem."""
        params, data = load(values)
        return cls(Selection(params, data))

    # ------------------------------------------------------------ helpers

    @property
    def params(self):
        return self.sel.params

    @property
    def view(self) -> pd.DataFrame:
        return self.sel.rows

    @property
    def handout_title(self) -> str:
        if self.params.title:
            return self.params.title
        return f"{report_data.page_title(self.sel)}: a classroom chronology"

    @property
    def version(self) -> str:
        return f"version {self.params.seed}"

    def _empty(self, what: str) -> HTML:
        text = self.sel.empty_text(what)
        return section("empty", text, text=text)

    def _credit(self) -> str:
        """One line naming the sources, for the foot of every printed page."""
        bits = [f"{r.publisher}, {quoted(r.title)}, {PartialDate.parse(r.published).display()}" for r in report_data.used_sources(self.sel).itertuples()]
        if len(bits) > 2:
            bits = bits[:2] + [f"and {len(bits) - 2} more (see Sources)"]
        lead = "Source" if len(bits) == 1 else "Sources"
        return f"{lead}: {'; '.join(bits)}. Handout {self.version}" + (", with answer key." if self.params.answers else ".")

    @staticmethod
    def _who(row) -> str:
        if not row["speaker"]:
            return "Event"
        party = row["lane"]
        return row["speaker"] if party in ("Events", row["speaker"]) else f"{row['speaker']} ({party})"

    @staticmethod
    def _kind_label(row) -> str:
        if row["kind"] == "statement":
            return STANCE_LABELS.get(row["stance"], row["stance"])
        return row["kind"]

    def entry_numbers(self) -> dict[str, int]:
        """row id -> its number in the chronology table (1-based)."""
        return {rid: i for i, rid in enumerate(self.view["id"], start=1)}

    def contests(self) -> list[tuple[pd.Series, pd.DataFrame]]:
        """Claims with at least one denial or dispute in the view, and those answers."""
        out = []
        for claim, responses in self.sel.contested():
            against = responses[responses["stance"].isin(CONTESTING)]
            if len(against):
                out.append((claim, against))
        return out

    def two_name_places(self) -> pd.DataFrame:
        places = self.sel.data.places
        return places[(places["name_azerbaijani"] != places["name_armenian"]) & places["id"].isin(set(self.view["place_id"]))]

    # ------------------------------------------------------------ sections

    def heading(self) -> HTML:
        """Title, conventions, the handout's stylesheet and the source line printed on every page."""
        sub = (
            f"Classroom handout, {self.version}. Place names: {self.sel.convention}. "
            "Quotes keep the speaker's own words. Dates are only as precise as the source."
        )
        filters = self.sel.filters_text()
        if filters:
            sub += f" Selection: {filters}."
        if self.sel.as_of_text():  # as_of: which view the page shows
            sub = f"{self.sel.as_of_text()} {sub}"
        # The credit also goes into the page margin of every printed page (an @page margin box,
        # whose text can only come from CSS: escaped for a CSS string, so data cannot close it).
        margin_box = (
            "@media print { @page { @bottom-left { content: " + css_string(self._credit()) + "; "
            'font: 7.5pt "Helvetica Neue", Arial, sans-serif; color: #5b5b57; vertical-align: top; text-align: left; '
            "padding-top: 3mm; border-top: 0.5pt solid #d9d6cf; width: 85%; } } }"
        )
        text = f"{self.handout_title}\n{sub}\n{self._credit()}"
        from .map_data import static_map_svg  # PAGE: a small static map of the places (vl-convert)

        map_svg, map_text = static_map_svg(self.sel)
        return section("handout_heading", text, css=page.static_text("handout.css"), margin_box=margin_box, title=self.handout_title, sub=sub, credit=self._credit(), map_svg=map_svg, map_text=map_text)

    def chronology(self) -> HTML:
        """Every dated entry in order, each date with its precision as the source gives it."""
        v = self.view
        if v.empty:
            return self._empty("dated entries")
        rows, lines = [], []
        for i, (_, r) in enumerate(v.iterrows(), start=1):
            when = date_with_precision(r["date"], r["date_end"])
            rows.append({"id": r["id"], "number": i, "when": when, "reported": r["date_as_reported"], "who": self._who(r), "kind": self._kind_label(r), "what": r["summary_text"]})
            lines.append(f"{i}. {when}: {r['summary_text']}")
        precision = v["precision"].value_counts()
        counts = ", ".join(f"{precision.get(k, 0)} to the {k}" for k in ("day", "month", "year") if precision.get(k, 0))
        intro = f"{len(v)} entries from {self.sel.window_text()}, in date order; dates known {counts}."
        return section("handout_chronology", intro + "\n" + "\n".join(lines), intro=intro, rows=rows)

    def claims_and_denials(self) -> HTML:
        """Each claim that is denied or disputed, beside the denials, in the speakers' words."""
        contests = self.contests()
        if not contests:
            return self._empty("denied or disputed claims")
        numbers = self.entry_numbers()
        blocks, lines = [], []
        for claim, against in contests:
            cards = [card(self.sel, claim, f"{card_label(claim)} · entry {numbers.get(claim['id'], '?')}")]
            cards += [card(self.sel, r, f"{card_label(r)} · entry {numbers.get(r['id'], '?')}") for _, r in against.iterrows()]
            answered_by = "; ".join(f"{r['stance']}: {r['speaker']}" for _, r in against.iterrows())
            others = len(self.view[self.view["responds_to"] == claim["id"]]) - len(against)
            more = f"{others} other {'response' if others == 1 else 'responses'} (support, reactions) are in the chronology." if others > 0 else ""
            blocks.append({"cards": cards, "more": more})
            lines.append(f"{stem(claim['summary_text'])} ({claim['speaker'] or 'event'}, {claim['date_text']}): {answered_by}")
        intro = "A claim is what one party says is so; a denial says it is not; a dispute contests it without a flat denial. The source reports both sides and does not say who is right."
        return section("handout_claims", "\n".join(lines), intro=intro, blocks=blocks)

    def figures(self) -> HTML:
        """The figures with their qualifiers, what each qualifier allows, revisions and running totals."""
        figs = report_figures.build(self.sel)
        if figs.rows.empty:
            return self._empty("figures")
        rows = [
            {"group": r.group, "figure": r.figure_text, "allows": bounds(r.value, r.qualifier).describe(), "speaker": r.speaker, "date": r.date_text, "superseded": bool(r.superseded)}
            for r in figs.rows.itertuples()
        ]
        note = (
            "Each number is a claim by the party named, not checked by the source. The qualifier matters: "
            "“nearly” and “almost” give an upper bound (the count is below the number), “more than” a lower bound (it is above). "
            f"The {len(figs.rows)} figures count {figs.rows['group'].nunique()} different things, so they cannot simply be added together."
        )
        extra = [s["text"] for s in figs.series] + [f"Revised: {c['text']}" for c in figs.chains] + [i["text"] for i in figs.intervals]
        lines = extra + [f"{r['group']}: {r['figure']}{' (revised later)' if r['superseded'] else ''}, {r['allows']} ({r['speaker']})" for r in rows]
        return section("handout_figures", "\n".join(lines), note=note, rows=rows, extra=extra)

    def _glossary_terms(self) -> list[tuple[str, str]]:
        v = self.view
        text = " ".join(v["summary_text"]).lower() + " " + " ".join(v["role"]).lower()
        parties = self.sel.parties
        notes = " ".join(parties.loc[parties.index.isin(v["party"]), "note"]).lower()
        f = self.sel.figure_rows
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
        add("claim, denial, dispute", "a claim says something is so; a denial says it is not; a dispute contests it without a flat denial. None of them is a fact until checked.", bool(self.contests()))
        if "upper" in kinds:
            r = kinds["upper"]
            add("upper bound", f"a number the true count is at or below. “{r['figure_text']}” ({r['speaker']}) is an upper bound: the count is below {fmt(r['value'])}, by an amount not given.")
        if "lower" in kinds:
            r = kinds["lower"]
            add("lower bound", f"a number the true count is at or above. “{r['figure_text']}” ({r['speaker']}) is a lower bound: the count is above {fmt(r['value'])}, with no limit given.")
        example = self.sel.editorial.date_example
        add("precision of a date", f"how exactly a date is known: to the day, the month or the year. This handout never makes a date more precise than its source: for example, {example}.", len(v) > 0)
        add("span", "a period between two dates: something that lasted, or a statement the source does not date, known only to fall within the window.", (v["date_end"] != "").any())
        two_names = self.two_name_places()
        if len(two_names):
            p0 = two_names.iloc[0]
            add("place names", f"many places here have an Azerbaijani and an Armenian name ({p0['name_azerbaijani']} and {p0['name_armenian']}). This handout's own text uses {self.sel.convention}.")
        return sorted(terms, key=lambda t: t[0])

    def glossary(self) -> HTML:
        terms = self._glossary_terms()
        if not terms:
            return self._empty("terms to explain")
        return section("handout_glossary", "\n".join(f"{t}: {m}" for t, m in terms), terms=terms)

    def sources(self) -> HTML:
        """The sources box: where every entry comes from, and how to cite the handout."""
        sources, lines = [], []
        for s in report_data.used_sources(self.sel).itertuples():
            published = PartialDate.parse(s.published).display()
            n = sum(s.id in report_data.ids(cell) for cell in self.view["source_id"])
            entries = f"{n} {'entry' if n == 1 else 'entries'}"
            sources.append({"publisher": s.publisher, "title": s.title, "url": page.safe_url(s.url), "published": published, "obtained": s.obtained, "entries": entries + "."})
            lines.append(f"{s.publisher}, {s.title}, published {published}: {entries}")
        method = (
            "Every entry is what the source reports: claims are recorded as claims by the party that made them, never as facts, "
            "and the numbers are the parties' own, not checked. Quotes are the speakers' words as printed."
        )
        return section("handout_sources", "\n".join(lines) + "\n" + method, sources=sources, method=method)

    # ------------------------------------------------------------ exercises

    @cached_property
    def _exercise_set(self) -> list[Exercise]:
        """The exercises of this version: one generator, seeded once, drawn from in a fixed order."""
        return build_exercises(self)

    def exercises(self) -> HTML:
        """The exercises of this version (seed), each in its own box."""
        ex = self._exercise_set
        if not ex:
            return self._empty("material for exercises")
        note = f"Exercises, {self.version}. Try them first without the chronology, then check your answers with it."
        text = note + "\n" + "\n".join(f"{e.number}. {e.title}\n{e.text}" for e in ex)
        return section("handout_exercises", text, note=note, exercises=ex)

    def answer_key(self) -> HTML | None:
        """The answer key with answers=True; otherwise nothing at all (not hidden: absent)."""
        if not self.params.answers:
            return None
        ex = self._exercise_set
        heading = f"Answer key, {self.version} (for the teacher)"
        text = heading + "\n" + "\n".join(f"{e.number}. {e.answer_text}" for e in ex)
        return section("handout_answer_key", text, heading=heading, exercises=ex)
