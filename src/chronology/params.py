"""Report parameters: typed once. The driver checks them before any kernel starts; the notebook
checks them once more (one `check`, then `require_known` against the loaded data).

The defaults live here, in `Parameters`: the notebooks' parameters cells and the README repeat
them, and tests/test_dates_figures_naming.py checks that they agree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import paths
from .dates import DateError, PartialDate
from .errors import InputError
from .schema import NAMINGS

AUDIENCES = ("reader", "class")


class ParameterError(InputError):
    """Bad report parameters; the message lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("bad parameters:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass
class Parameters:
    """Checked parameters; `start` and `end` are parsed dates (text in, PartialDate out)."""

    statements_csv: str | None = None
    naming: str = "dual"
    start: PartialDate | None = None
    end: PartialDate | None = None
    as_of: PartialDate | None = None  # only rows whose earliest source was published on or before it
    parties: list[str] | None = None
    topic: str | None = None
    audience: str = "reader"
    title: str | None = None
    seed: int = 1
    answers: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def statements_path(self) -> Path:
        return Path(self.statements_csv) if self.statements_csv else paths.STATEMENTS_CSV



PARAMETER_NAMES = tuple(f.name for f in fields(Parameters) if f.name != "extra")
DEFAULTS = {f.name: f.default for f in fields(Parameters) if f.name != "extra"}


def papermill_type(text: str):
    """A -p value typed as papermill's command line types it: True, False, None, int, float, else text."""
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _did_you_mean(value: str, choices) -> str:
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check(values: dict, *, declared: dict | None = None, known_parties=None, known_topics=None) -> Parameters:
    """Typed Parameters from raw values, or ParameterError naming every bad one.

    `declared` maps the notebook's parameter names to their defaults; names outside it are refused
    (papermill itself only warns).
    """
    problems: list[str] = []
    names = declared.keys() if declared is not None else PARAMETER_NAMES
    for name in values:
        if name not in names:
            problems.append(f"{name}: unknown parameter; expected one of {', '.join(names)}" + _did_you_mean(name, names))
    p = Parameters()
    for name, value in values.items():
        if name in PARAMETER_NAMES:
            setattr(p, name, value)

    def expect_text(name, value, allow_none=True):
        if value is None and allow_none:
            return
        if not isinstance(value, str):
            problems.append(f"{name}: {value!r}: expected text" + (" or None" if allow_none else ""))

    expect_text("statements_csv", p.statements_csv)
    expect_text("title", p.title)
    expect_text("topic", p.topic)
    if p.naming not in NAMINGS:
        problems.append(f"naming: {p.naming!r}: expected one of {', '.join(NAMINGS)}" + _did_you_mean(p.naming, NAMINGS))
    if p.audience not in AUDIENCES:
        problems.append(f"audience: {p.audience!r}: expected one of {', '.join(AUDIENCES)}" + _did_you_mean(p.audience, AUDIENCES))
    for name in ("start", "end", "as_of"):
        value = getattr(p, name)
        if value is None or isinstance(value, PartialDate):
            continue
        setattr(p, name, None)
        if not isinstance(value, str):
            problems.append(f"{name}: {value!r}: expected a date as text, YYYY, YYYY-MM or YYYY-MM-DD")
            continue
        try:
            setattr(p, name, PartialDate.parse(value))  # parsed once, here
        except DateError as err:
            problems.append(f"{name}: {value!r}: {err}")
    if p.start and p.end and p.end.last < p.start.first:
        problems.append(f"start: {values.get('start')!r} is after end {values.get('end')!r}: expected start on or before end")
    if isinstance(p.parties, str):
        # '-p parties turkey,russia' from a shell arrives as one string
        p.parties = [s.strip() for s in p.parties.split(",") if s.strip()]
    parties_ok = p.parties is None or (isinstance(p.parties, (list, tuple)) and all(isinstance(x, str) for x in p.parties))
    if not parties_ok:
        problems.append(f"parties: {p.parties!r}: expected a list of party ids such as [turkey, russia], or None")
    problems += _unknown(p, known_parties if parties_ok else None, known_topics)
    if isinstance(p.seed, bool) or not isinstance(p.seed, int):
        problems.append(f"seed: {p.seed!r}: expected a whole number")
    if not isinstance(p.answers, bool):
        problems.append(f"answers: {p.answers!r}: expected True or False")
    if problems:
        raise ParameterError(problems)
    return p


def _unknown(p: Parameters, known_parties, known_topics) -> list[str]:
    problems = []
    if p.parties is not None and known_parties is not None:
        for party in p.parties:
            if party not in known_parties:
                problems.append(f"parties: {party!r}: expected a party id in parties.csv ({', '.join(sorted(known_parties))})" + _did_you_mean(party, known_parties))
    if p.topic and known_topics is not None and p.topic not in known_topics:
        problems.append(f"topic: {p.topic!r}: expected a topic in the data ({', '.join(sorted(known_topics))})" + _did_you_mean(p.topic, known_topics))
    return problems


def require_known(p: Parameters, *, known_parties, known_topics) -> Parameters:
    """Checked Parameters against the loaded data: every party and the topic must exist in it."""
    problems = _unknown(p, known_parties, known_topics)
    if problems:
        raise ParameterError(problems)
    return p
