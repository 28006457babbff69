"""What a chart may be given: finite numbers, a non-degenerate extent, a bounded number of lanes, text
that Vega's expression parser and the page's inline JSON accept.

The charts (charts.py) and the frames they draw (chart_data.py, report.py) assume sane data; the data a
user brings may be anything the loader lets through (a figure of 1e308, a single place, places on
other continents, years before 100, thousands of parties, U+2028 in a name). Every guard is here, and
the chart code calls it in a few places only.
"""

from __future__ import annotations

import math
import re

import pandas as pd

MAX_LANES = 40  # lanes of the timeline: the 39 busiest parties and "Other parties (N)"
MAX_VALUE = 1e306  # a log axis multiplies the largest value by 4 (and arrows by 3): still finite
MIN_VALUE = 1e-300
MAP_BOX = (8.0, 6.0)  # degrees of longitude and latitude around the centre that the map shows
_SEPARATORS = re.compile("[\u2028\u2029]")


def plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """U+2028/U+2029 (line and paragraph separators) become spaces in every text column: Vega's expression
    parser refuses them inside a string ('Unexpected token ILLEGAL') and the chart would be blank."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: _SEPARATORS.sub(" ", v) if isinstance(v, str) else v)
    return out


def iso_day(text: str) -> str:
    """'87-10-23' (strftime of a year before 1000 on some platforms) -> '0087-10-23': Vega reads a 2-digit year as 19xx."""
    m = re.match(r"^(-?)(\d{1,3})-", text) if isinstance(text, str) else None
    return f"{m.group(1)}{m.group(2).zfill(4)}-{text[m.end():]}" if m else text


def epoch_ms(ts) -> int:
    """A timestamp as milliseconds since 1970 (what Vega takes without guessing the century of years 0-99)."""
    ts = pd.Timestamp(ts)
    return int((ts - pd.Timestamp(0).as_unit(ts.unit)) // pd.Timedelta(milliseconds=1))


def timeline_rows(rows: pd.DataFrame, limit: int = MAX_LANES) -> pd.DataFrame:
    """The timeline's rows with text Vega accepts, dates in four-digit ISO form and at most `limit` lanes
    (the busiest `limit - 1` parties; the rest share one lane 'Other parties (N)')."""
    rows = plain_text(rows)
    for col in ("start", "end_excl"):
        if col in rows:
            rows[col] = rows[col].map(iso_day)
    lanes = rows["lane"].value_counts()
    if len(lanes) > limit:
        keep = set(lanes.index[: limit - 1])
        rest = len(lanes) - len(keep)
        other = ~rows["lane"].isin(keep)
        rows.loc[other, "lane"] = f"Other parties ({rest:,})"
        rows.loc[other, "side"] = "press"
    return rows


def figure_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Figures whose values (and arrow ends) are finite and inside what a log axis can scale by 4 without overflowing."""
    rows = plain_text(rows)
    for col in ("value", "arrow_to"):
        if col in rows:
            values = pd.to_numeric(rows[col], errors="coerce")
            rows[col] = values.where(values.map(lambda v: math.isfinite(v) if v is not None else False), 1.0).clip(MIN_VALUE, MAX_VALUE)
    return rows


def far_from_centre(places: pd.DataFrame) -> pd.Series:
    """Which places lie off the map: those outside the MAP_BOX around the place with the most places (weighted by
    mentions) within that box, so the map always keeps at least one place and never centres on empty land."""
    lon = pd.to_numeric(places["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(places["latitude"], errors="coerce").to_numpy(dtype=float)
    finite = [math.isfinite(a) and math.isfinite(b) for a, b in zip(lon, lat)]
    weight = pd.to_numeric(places["mentions"], errors="coerce").fillna(0).to_numpy(dtype=float) + 1 if "mentions" in places else [1.0] * len(places)
    best, best_score = None, -1.0
    for i in range(len(places)):
        if not finite[i]:
            continue
        score = sum(w for j, w in enumerate(weight) if finite[j] and abs(lon[j] - lon[i]) <= MAP_BOX[0] and abs(lat[j] - lat[i]) <= MAP_BOX[1])
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return pd.Series(True, index=places.index)
    far = [not finite[j] or abs(lon[j] - lon[best]) > MAP_BOX[0] or abs(lat[j] - lat[best]) > MAP_BOX[1] for j in range(len(places))]
    return pd.Series(far, index=places.index)


def check_finite(spec, name: str = "chart") -> None:
    """A spec must hold only finite numbers (the page's JSON and Vega need them): else a ValueError naming the path."""
    stack = [(spec, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"chart {name!r}: non-finite number {value} at {path or '/'}")
        if isinstance(value, dict):
            stack.extend((v, f"{path}/{k}") for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, f"{path}/{i}") for i, v in enumerate(value))
