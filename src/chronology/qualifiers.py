"""Figure qualifiers: what "nearly 1,200" or "more than 80" allows us to conclude."""

from __future__ import annotations

import math
from dataclasses import dataclass

# qualifier -> (words for prose, bound kind). The value is the stated number.
#   upper: the true count is below (or at) the value; lower: above (or at) it.
QUALIFIER_WORDS = {
    "exact": ("", "exact"),
    "about": ("about", "approximate"),
    "nearly": ("nearly", "upper"),
    "almost": ("almost", "upper"),
    "at_most": ("at most", "upper"),
    "fewer_than": ("fewer than", "upper"),
    "more_than": ("more than", "lower"),
    "at_least": ("at least", "lower"),
}
# "nearly"/"almost" are below the value but close to it; we do not invent how close,
# so the open side of the interval is unbounded in the data and only drawn as an arrow.


@dataclass(frozen=True)
class Bounds:
    low: float  # -inf when unknown... counts cannot be negative, so 0
    high: float  # math.inf when unbounded
    low_inclusive: bool
    high_inclusive: bool
    kind: str  # exact, approximate, upper, lower

    def describe(self) -> str:
        if self.kind == "exact":
            return f"exactly {fmt(self.low)}"
        if self.kind == "approximate":
            return f"about {fmt(self.low)}, not exact"
        if self.kind == "upper":
            op = "at most" if self.high_inclusive else "fewer than"
            return f"{op} {fmt(self.high)} (an upper bound)"
        op = "at least" if self.low_inclusive else "more than"
        return f"{op} {fmt(self.low)} (a lower bound)"


def bounds(value: float, qualifier: str) -> Bounds:
    """The interval the true count lies in, as the stated figure allows."""
    words, kind = QUALIFIER_WORDS[qualifier]
    if kind in ("exact", "approximate"):
        return Bounds(value, value, True, True, kind)
    if kind == "upper":
        return Bounds(0.0, value, True, qualifier == "at_most", kind)
    return Bounds(value, math.inf, qualifier == "at_least", False, kind)


def phrase(value: float, qualifier: str) -> str:
    """'nearly 1,200', 'more than 80', '21'."""
    words = QUALIFIER_WORDS[qualifier][0]
    return f"{words} {fmt(value)}".strip()


def fmt(value: float) -> str:
    if math.isinf(value):
        return "no limit"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
