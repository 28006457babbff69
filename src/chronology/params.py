"""Report parameters: typed once. The driver checks them before any kernel starts; the notebook
checks them once more (one `check`, then `require_known` against the loaded data).

The defaults live here, in `Parameters`: the notebooks' parameters cells and the README repeat
them, and tests/test_dates_figures_naming.py checks that they agree."""

from __future__ import annotations

import ast
import difflib
import math
import re
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


_INT = re.compile(r"-?\d{1,19}")


def papermill_type(text: str):
    """A -p value typed as papermill's command line types it: True, False, None, int, float, else text.

    Numbers too long for a 64-bit integer and floats that are not finite stay text (the checker says what was expected).
    """
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    if _INT.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except (ValueError, OverflowError):
        return text
    return number if math.isfinite(number) and len(text) < 100 else text


def declared_types(inspected: dict) -> dict[str, tuple[set[str], bool]]:
    """papermill.inspect_notebook's answer -> name: (type names, None allowed); an empty set means any plain value.

    The type is the annotation ('str', 'str or None', 'list or None', ...), else the type of the default's literal.
    """
    out = {}
    for name, p in inspected.items():
        annotation = str(p.get("inferred_type_name") or "None")
        names = {t.strip() for t in re.split(r"\bor\b|[\[\],|]|Optional|Union", annotation) if t.strip()}
        allow_none = "None" in names or "NoneType" in names
        names -= {"None", "NoneType"}
        if not names:
            try:
                default = ast.literal_eval(str(p.get("default")))
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                default = object()
            kind = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "list", dict: "dict"}.get(type(default))
            if default is None:
                allow_none = True
            elif kind:
                names = {kind}
        known = {"str", "int", "float", "bool", "list", "dict"}
        out[name] = (names if names <= known else set(), allow_none or not names)
    return out


BUNDLED_TYPES = {
    "statements_csv": ({"str"}, True), "naming": ({"str"}, False), "start": ({"str"}, True), "end": ({"str"}, True),
    "parties": ({"list"}, True), "topic": ({"str"}, True), "audience": ({"str"}, False), "title": ({"str"}, True),
    "seed": ({"int"}, False), "answers": ({"bool"}, False),
}


def type_cli_value(text: str, kind: tuple[set[str], bool] | None):
    """A -p value typed by the parameter's declared type: a text parameter keeps '1984' as text."""
    if kind is None or not kind[0]:
        return papermill_type(text)
    names, allow_none = kind
    if text == "None" and allow_none:
        return None
    if "bool" in names and text in ("True", "False"):
        return text == "True"
    if "int" in names and _INT.fullmatch(text.strip()):
        return int(text.strip())
    if "float" in names:
        try:
            number = float(text)
            if math.isfinite(number) and len(text) < 100:
                return number
        except ValueError:
            pass
    if "list" in names:
        return [s.strip() for s in text.strip().strip("[]").split(",") if s.strip()]
    return text


def expected_phrase(kind: tuple[set[str], bool] | None) -> str:
    """What a parameter of this declared type expects, in words."""
    if kind is None or not kind[0]:
        return "expected plain values (text, numbers, True/False, None or lists of them)"
    words = {"str": "text", "int": "a whole number", "float": "a number", "bool": "True or False", "list": "a list", "dict": "a mapping"}
    names, allow_none = kind
    text = " or ".join(words[n] for n in sorted(names)) + (" or None" if allow_none else "")
    return "expected " + text


def show(value, limit: int = 60) -> str:
    """A value as a message shows it: repr, cut at `limit` characters, with its length when cut (never grows with the value)."""
    if isinstance(value, str) and len(value) > limit:
        kind = "digits" if value.isdigit() else "characters"
        return repr(value[:limit]) + f"… ({len(value):,} {kind})"
    try:
        text = reprlib_repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reprlib_repr(value) -> str:
    import reprlib

    r = reprlib.Repr()
    r.maxstring, r.maxother, r.maxlist, r.maxdict, r.maxlevel = 60, 60, 12, 8, 4
    return r.repr(value)


MAX_DEPTH = 20


def plain_problem(value, depth: int = 0) -> str | None:
    """Why a value is not plain JSON data (None, bool, int, float, str, list, dict of str), or None when it is."""
    if depth > MAX_DEPTH:
        return f"values nested more than {MAX_DEPTH} deep: expected plain values"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -(2**63) <= value < 2**63 else "expected a whole number from -9223372036854775808 to 9223372036854775807"
    if isinstance(value, float):
        return None if math.isfinite(value) else "expected a finite number"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            bad = value[err.start]
            byte = f" (byte 0x{ord(bad) - 0xDC00:02X} is not UTF-8)" if 0xDC80 <= ord(bad) <= 0xDCFF else ""
            return f"expected UTF-8 text{byte}"
        return None
    if isinstance(value, (list, tuple)):
        return next((p for p in (plain_problem(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return "expected text keys in a mapping"
            found = plain_problem(k, depth + 1) or plain_problem(v, depth + 1)
            if found:
                return found
        return None
    return f"expected plain values (text, numbers, True/False, None or lists), not {type(value).__name__}"


def _fits(value, kind: tuple[set[str], bool]) -> bool:
    names, allow_none = kind
    if value is None:
        return allow_none
    if not names:
        return True
    checks = {
        "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "list": lambda v: isinstance(v, (list, tuple)), "dict": lambda v: isinstance(v, dict),
    }
    return any(checks[n](value) for n in names)


def _did_you_mean(value: str, choices) -> str:
    if not isinstance(value, str) or len(value) > 200:
        return ""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check(values: dict, *, declared: dict | None = None, known_parties=None, known_topics=None, types: dict | None = None, origin: dict | None = None) -> Parameters:
    """Typed Parameters from raw values, or ParameterError naming every bad one.

    `declared` maps the notebook's parameter names to their defaults; names outside it are refused
    (papermill itself only warns). `types` (from `declared_types`) types the parameters of any
    notebook that are not the report's own; `origin` maps a name to where its value was written
    ('FILE:LINE', and the value as written there), so that a problem names the line.
    Every value must be plain data (text, numbers, True/False, None, lists, mappings).
    """
    problems: list[str] = []
    origin = origin or {}
    names = declared.keys() if declared is not None else PARAMETER_NAMES

    def where(name: str) -> str:
        return f"{origin[name][0]}: " if name in origin else ""

    def shown(name: str, value) -> str:
        return origin[name][1] if name in origin and origin[name][1] else show(value)

    def problem(name: str, value, expected: str) -> None:
        problems.append(f"{where(name)}{name}: {shown(name, value)}: {expected}")

    for name in values:
        if name not in names:
            problems.append(f"{where(name)}{name}: unknown parameter; expected one of {', '.join(names)}" + _did_you_mean(name, names))
    bad = set()
    for name, value in values.items():
        why = plain_problem(value)
        if why:
            bad.add(name)
            problem(name, value, why)
    for name, kind in (types or {}).items():
        if name in PARAMETER_NAMES or name not in values or name in bad:
            continue
        if not _fits(values[name], kind):
            bad.add(name)
            problem(name, values[name], expected_phrase(kind))
    p = Parameters()
    for name, value in values.items():
        if name in PARAMETER_NAMES and name not in bad:
            setattr(p, name, value)
        elif name not in PARAMETER_NAMES:
            p.extra[name] = value

    def expect_text(name, value, allow_none=True):
        if value is None and allow_none:
            return
        if not isinstance(value, str):
            problem(name, value, "expected text" + (" or None" if allow_none else ""))

    expect_text("statements_csv", p.statements_csv)
    expect_text("title", p.title)
    expect_text("topic", p.topic)
    if not isinstance(p.naming, str) or p.naming not in NAMINGS:
        problem("naming", p.naming, f"expected one of {', '.join(NAMINGS)}" + _did_you_mean(p.naming, NAMINGS))
    if not isinstance(p.audience, str) or p.audience not in AUDIENCES:
        problem("audience", p.audience, f"expected one of {', '.join(AUDIENCES)}" + _did_you_mean(p.audience, AUDIENCES))
    for name in ("start", "end", "as_of"):
        value = getattr(p, name)
        if value is None or isinstance(value, PartialDate):
            continue
        setattr(p, name, None)
        if not isinstance(value, str):
            problem(name, value, "expected a date as text, YYYY, YYYY-MM or YYYY-MM-DD")
            continue
        try:
            setattr(p, name, PartialDate.parse(value))  # parsed once, here
        except DateError as err:
            problem(name, value, str(err))
    if p.start and p.end and p.end.last < p.start.first:
        problems.append(f"{where('start')}start: {show(values.get('start'))} is after end {show(values.get('end'))}: expected start on or before end")
    if isinstance(p.parties, str):
        # '-p parties turkey,russia' from a shell arrives as one string
        p.parties = [s.strip() for s in p.parties.split(",") if s.strip()]
    parties_ok = p.parties is None or (isinstance(p.parties, (list, tuple)) and all(isinstance(x, str) for x in p.parties))
    if not parties_ok:
        problem("parties", p.parties, "expected a list of party ids such as [turkey, russia], or None")
    problems += _unknown(p, known_parties if parties_ok else None, known_topics)
    if isinstance(p.seed, bool) or not isinstance(p.seed, int) or not 0 <= p.seed < 2**63:
        problem("seed", p.seed, "expected a whole number from 0 to 9223372036854775807")
    if not isinstance(p.answers, bool):
        problem("answers", p.answers, "expected True or False")
    if problems:
        raise ParameterError(problems)
    return p


def _unknown(p: Parameters, known_parties, known_topics) -> list[str]:
    problems = []
    if p.parties is not None and known_parties is not None:
        for party in p.parties:
            if party not in known_parties:
                problems.append(f"parties: {show(party)}: expected a party id in parties.csv ({', '.join(sorted(known_parties))})" + _did_you_mean(party, known_parties))
    if p.topic and known_topics is not None and p.topic not in known_topics:
        problems.append(f"topic: {show(p.topic)}: expected a topic in the data ({', '.join(sorted(known_topics))})" + _did_you_mean(p.topic, known_topics))
    return problems


def require_known(p: Parameters, *, known_parties, known_topics) -> Parameters:
    """Checked Parameters against the loaded data: every party and the topic must exist in it."""
    problems = _unknown(p, known_parties, known_topics)
    if problems:
        raise ParameterError(problems)
    return p
