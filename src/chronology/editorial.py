"""Editorial text about one dataset: `report.yaml` beside the statements CSV, optional.

Everything the pages say that cannot be written from the rows (the title, the method's example,
the limits of the sources, notes under a section, a road on the map) lives in that file, never in
the package. A dataset without it gets generic text written from its data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .dates import PartialDate, display_span
from .errors import InputError

FILE_NAME = "report.yaml"
KEYS = ("title", "lede", "method", "limits", "date_example", "figures_count", "naming_examples", "notes", "road")

GENERIC_TITLE = "Statements and figures"
GENERIC_METHOD = (
    "Each row is one statement, event or figure as the source reports it. Contested claims are recorded as claims by their claimant, never as facts; "
    "a denial or dispute is linked to the claim it answers. Quotes are the speaker's words as printed, never rewritten, even where they name a place "
    "in the other convention. Dates are only as precise as the source. Figures keep their qualifier: “nearly” is an upper bound, "
    "“more than” a lower bound."
)
GENERIC_DATE_EXAMPLE = "“last month” in an article published in a given month is the month before (month), not a day"


@dataclass(frozen=True)
class Note:
    text: str
    topic: str | None = None
    summary_matches: str | None = None
    absent_party: str | None = None


@dataclass(frozen=True)
class Road:
    places: tuple[str, ...]
    label: str = "road"
    when_mentioned: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Editorial:
    title: str | None = None
    lede: str | None = None  # None: written from the data (see generic_lede)
    method: str = GENERIC_METHOD
    limits: str | None = None  # None: written from the data (see generic_limits)
    date_example: str = GENERIC_DATE_EXAMPLE
    figures_count: str | None = None
    naming_examples: tuple[str, ...] = ()  # place ids that illustrate the naming conventions
    notes: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    road: Road | None = None

    @classmethod
    def beside(cls, statements_csv: Path) -> Editorial:
        """The editorial file beside the statements CSV, or the generic text when there is none."""
        path = Path(statements_csv).parent / FILE_NAME
        if not path.exists():
            return cls()
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path) -> Editorial:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise InputError(f"{path}: cannot read: {err}") from None
        if not isinstance(raw, dict):
            raise InputError(f"{path}: expected a mapping of {', '.join(KEYS)}")
        unknown = sorted(set(raw) - set(KEYS))
        if unknown:
            raise InputError(f"{path}: {', '.join(unknown)}: unknown key; expected one of {', '.join(KEYS)}")
        try:
            notes = {section: tuple(Note(**n) for n in items) for section, items in (raw.get("notes") or {}).items()}
            road = Road(**{**raw["road"], "places": tuple(raw["road"]["places"])}) if raw.get("road") else None
            for key in ("summary_matches",):
                for n in (n for items in notes.values() for n in items):
                    if getattr(n, key):
                        re.compile(getattr(n, key))
        except (TypeError, KeyError, re.error) as err:
            raise InputError(f"{path}: notes or road: {err}") from None
        defaults = cls()
        return cls(
            title=raw.get("title"),
            lede=raw.get("lede"),
            method=raw.get("method") or defaults.method,
            limits=raw.get("limits"),
            date_example=raw.get("date_example") or defaults.date_example,
            figures_count=raw.get("figures_count"),
            naming_examples=tuple(raw.get("naming_examples") or ()),
            notes=notes,
            road=road,
        )


def generic_title(places_named: list[str], first: PartialDate | None, last: PartialDate | None) -> str:
    """'Nagorno-Karabakh, Hadrut and Barda: statements and figures, September 2020 to October 2021'."""
    if not places_named:
        return GENERIC_TITLE
    names = places_named[:3]
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{where}: statements and figures" + (f", {display_span(first, last)}" if first is not None else "")


def generic_lede(n_rows: int, kinds: dict[str, int], sources, places_named: list[str], first: PartialDate | None, last: PartialDate | None) -> str:
    """The opening written from the data: what, how many, from which sources, when, where."""
    n, publishers = len(sources), sources["publisher"].nunique()
    what = ", ".join(f"{kinds[k]:,} {k}{'s' if kinds[k] != 1 else ''}" for k in ("statement", "event", "figure") if kinds.get(k))
    text = f"What the parties said, and what the sources report, in {n_rows:,} {'entry' if n_rows == 1 else 'entries'} ({what})"
    if first is not None:
        text += f" dated {display_span(first, last)}"
    text += f", taken from {n} {'source' if n == 1 else 'sources'} by {publishers} {'publisher' if publishers == 1 else 'publishers'}."
    if places_named:
        text += f" Most entries are about {', '.join(places_named[:-1]) + ' and ' + places_named[-1] if len(places_named) > 1 else places_named[0]}."
    return text + " Claims are shown as claims, with the answers to them; numbers as their claimants gave them."


def generic_limits(sources, places_named: list[str], first: PartialDate | None, last: PartialDate | None) -> str:
    """Limits written from the data: how many sources and publishers, the dates, the places."""
    n, publishers = len(sources), sources["publisher"].nunique()
    bits = [f"{n} {'source' if n == 1 else 'sources'} from {publishers} {'publisher' if publishers == 1 else 'publishers'}"]
    if first is not None:
        bits.append(f"rows dated {display_span(first, last)}")
    if places_named:
        shown = places_named[:8]
        bits.append(f"{len(places_named)} {'place' if len(places_named) == 1 else 'places'} ({', '.join(shown)}{', …' if len(places_named) > 8 else ''})")
    return "Limits: " + "; ".join(bits) + "; the numbers are the parties' own claims and were not checked; what a party said is recorded only as far as the sources report it."
