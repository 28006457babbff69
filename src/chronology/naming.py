"""Place-name conventions: our own text follows the report's choice, quotes never change."""

from __future__ import annotations

import re

import pandas as pd

from .schema import NAMINGS

DESCRIPTIONS = {
    "dual": "international name with the other name beside it (Shusha/Shushi)",
    "azerbaijani": "names as used in Azerbaijan (Shusha, Khankendi)",
    "armenian": "names as used in Armenia (Shushi, Stepanakert)",
    "international": "names in international English usage (Shusha, Stepanakert)",
}
_TOKEN = re.compile(r"\{([a-z0-9][a-z0-9_-]*)\}")


def place_name(place: pd.Series | dict, naming: str) -> str:
    """One place's name in a convention; 'dual' joins the distinct names with '/'."""
    if naming not in NAMINGS:
        raise ValueError(f"unknown naming {naming!r}: expected one of {', '.join(NAMINGS)}")
    if naming == "dual":
        names = [place["name_international"], place["name_armenian"], place["name_azerbaijani"]]
        distinct = list(dict.fromkeys(n for n in names if n))
        return "/".join(distinct)
    return place[f"name_{naming}"]


def names(places: pd.DataFrame, naming: str) -> dict[str, str]:
    """place id -> name in the convention."""
    return {pid: place_name(row, naming) for pid, row in places.set_index("id").iterrows()}


def fill(text: str, names_by_id: dict[str, str]) -> str:
    """Replace {place_id} tokens in our own prose with the names in the convention."""
    return _TOKEN.sub(lambda m: names_by_id.get(m.group(1), m.group(0)), text)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)
