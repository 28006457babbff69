"""Unit tests of the small pieces: partial dates, figure qualifiers, place-name conventions."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from chronology import naming
from chronology import qualifiers as figures
from chronology.dates import FORMAT_HINT, DateError, PartialDate, display_span
from chronology.load import load_dataset
from chronology.schema import NAMINGS, QUALIFIERS

# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, precision, first, last, display",
    [
        ("1994", "year", "1994-01-01", "1994-12-31", "1994"),
        ("2020-10", "month", "2020-10-01", "2020-10-31", "October 2020"),
        ("2020-02", "month", "2020-02-01", "2020-02-29", "February 2020"),  # a leap year
        ("2021-02", "month", "2021-02-01", "2021-02-28", "February 2021"),
        ("2020-11-08", "day", "2020-11-08", "2020-11-08", "8 November 2020"),
        (" 2020-11-08 ", "day", "2020-11-08", "2020-11-08", "8 November 2020"),
    ],
)
def test_partial_dates_cover_what_they_say(text, precision, first, last, display):
    d = PartialDate.parse(text)
    assert d.precision == precision
    assert d.first == dt.date.fromisoformat(first) and d.last == dt.date.fromisoformat(last)
    assert d.display() == display
    assert d.iso() == str(d) == text.strip()


def test_partial_dates_compare_and_span():
    year, month, day = PartialDate.parse("2020"), PartialDate.parse("2020-09"), PartialDate.parse("2020-11-08")
    assert PartialDate.parse("2020-09") == month and len({month, PartialDate(2020, 9)}) == 1
    assert year.first <= month.first <= day.first and day.last <= year.last
    assert display_span(PartialDate.parse("1987"), PartialDate.parse("1994")) == "1987 to 1994"
    assert display_span(month, day) == "September 2020 to 8 November 2020"
    assert display_span(day, None) == display_span(day, day) == "8 November 2020"


@pytest.mark.parametrize(
    "text, hint",
    [
        ("2020-02-30", "February 2020 has 29 days"),
        ("2021-02-29", "February 2021 has 28 days"),
        ("2020-13", "month 13 does not exist"),
        ("2020-00-10", "month 00 does not exist"),
        ("0000", "there is no year 0000"),
        ("08/11/2020", "08/11/2020 is ambiguous (day/month or month/day?): write 2020-11-08 for 8 November 2020 or 2020-08-11 for 11 August 2020"),
        ("8.11.20", "ambiguous"),
        ("25/10/2020", "write 2020-10-25 for 25 October 2020"),
        ("31/31/2020", "31/31/2020 is not a date"),
        ("2020/11/08", "separate with '-': write 2020-11-08"),
        ("20201108", "separate with '-': write 2020-11-08"),
        ("11/2020", "write a month as YYYY-MM: 2020-11"),
        ("2020-9-1", "months and days take two digits: write 2020-09-01"),
        ("2020-11-08T14:00", "give the date without a time: 2020-11-08"),
        ("2020-11-08 14:00", "give the date without a time: 2020-11-08"),
        ("２０２０-11-08", "write the digits as 0-9"),
        ("8 November 2020", "write 2020-11-08"),
        ("November 8, 2020", "write 2020-11-08"),
        ("Nov 2020", "write 2020-11"),
        ("1990s", "for a decade give date 1990 and date_end 1999"),
        ("last month", "date_as_reported"),
    ],
)
def test_bad_dates_say_what_to_write(text, hint):
    with pytest.raises(DateError) as err:
        PartialDate.parse(text)
    message = str(err.value)
    assert message.startswith(f"expected {FORMAT_HINT}")
    assert hint in message


@pytest.mark.parametrize("text", ["", "   ", "2020-", "-2020", "20", "2020-11-08-01", "２０２０"])
def test_not_dates_at_all(text):
    with pytest.raises(DateError):
        PartialDate.parse(text)


# ---------------------------------------------------------------- figures


def test_every_qualifier_has_words_and_bounds():
    assert set(figures.QUALIFIER_WORDS) == set(QUALIFIERS)


@pytest.mark.parametrize(
    "value, qualifier, low, high, low_inclusive, high_inclusive, kind",
    [
        (21, "exact", 21, 21, True, True, "exact"),
        (5000, "about", 5000, 5000, True, True, "approximate"),
        (1200, "nearly", 0, 1200, True, False, "upper"),
        (5000, "almost", 0, 5000, True, False, "upper"),
        (100, "at_most", 0, 100, True, True, "upper"),
        (100, "fewer_than", 0, 100, True, False, "upper"),
        (80, "more_than", 80, math.inf, False, False, "lower"),
        (80, "at_least", 80, math.inf, True, False, "lower"),
    ],
)
def test_bounds(value, qualifier, low, high, low_inclusive, high_inclusive, kind):
    b = figures.bounds(value, qualifier)
    assert (b.low, b.high, b.low_inclusive, b.high_inclusive, b.kind) == (low, high, low_inclusive, high_inclusive, kind)


def test_nearly_is_an_upper_bound_and_more_than_a_lower_bound():
    nearly = figures.bounds(1200, "nearly")
    assert nearly.kind == "upper" and nearly.high == 1200 and not nearly.high_inclusive
    assert nearly.describe() == "fewer than 1,200 (an upper bound)"
    more = figures.bounds(80, "more_than")
    assert more.kind == "lower" and more.low == 80 and more.high == math.inf
    assert more.describe() == "more than 80 (a lower bound)"
    assert figures.bounds(21, "exact").describe() == "exactly 21"
    assert figures.bounds(5000, "about").describe() == "about 5,000, not exact"


@pytest.mark.parametrize(
    "value, qualifier, text",
    [
        (1200, "nearly", "nearly 1,200"),
        (80, "more_than", "more than 80"),
        (21, "exact", "21"),
        (5000, "almost", "almost 5,000"),
        (100000, "at_least", "at least 100,000"),
        (100, "fewer_than", "fewer than 100"),
        (12.5, "about", "about 12.5"),
    ],
)
def test_phrase(value, qualifier, text):
    assert figures.phrase(value, qualifier) == text


def test_fmt():
    assert figures.fmt(1200.0) == "1,200"
    assert figures.fmt(math.inf) == "no limit"
    assert figures.fmt(1.5) == "1.5"


# ---------------------------------------------------------------- naming


@pytest.fixture(scope="module")
def places():
    return load_dataset().places


@pytest.fixture(scope="module")
def by_id(places):
    return places.set_index("id", drop=False)


@pytest.mark.parametrize(
    "place, convention, name",
    [
        ("shusha", "dual", "Shusha/Shushi"),
        ("shusha", "armenian", "Shushi"),
        ("shusha", "azerbaijani", "Shusha"),
        ("shusha", "international", "Shusha"),
        ("stepanakert", "azerbaijani", "Khankendi"),
        ("stepanakert", "armenian", "Stepanakert"),
        ("stepanakert", "dual", "Stepanakert/Khankendi"),
        ("baku", "dual", "Baku"),  # one name in every convention: no slash
    ],
)
def test_place_name(by_id, place, convention, name):
    assert naming.place_name(by_id.loc[place], convention) == name
    assert naming.place_name(by_id.loc[place].to_dict(), convention) == name


def test_unknown_convention_is_refused(by_id):
    with pytest.raises(ValueError, match="unknown naming 'russian'"):
        naming.place_name(by_id.loc["shusha"], "russian")


def test_names_cover_every_place_in_every_convention(places):
    for convention in NAMINGS:
        table = naming.names(places, convention)
        assert set(table) == set(places["id"]) and all(table.values())


def test_fill_replaces_tokens(places):
    armenian = naming.names(places, "armenian")
    azerbaijani = naming.names(places, "azerbaijani")
    text = "Fighting around {shusha}, on the hills above {stepanakert}."
    assert naming.fill(text, armenian) == "Fighting around Shushi, on the hills above Stepanakert."
    assert naming.fill(text, azerbaijani) == "Fighting around Shusha, on the hills above Khankendi."
    assert naming.fill(text, naming.names(places, "dual")) == "Fighting around Shusha/Shushi, on the hills above Stepanakert/Khankendi."
    assert naming.tokens(text) == ["shusha", "stepanakert"]


@pytest.mark.parametrize(
    "text",
    [
        "The battles in Shushi continue - wait and believe in our troops",
        "Shusha, Shushi, Stepanakert and Khankendi, written out",
        "braces that are not tokens: {Shushi} {} { shusha } {{",
        "",
    ],
)
def test_fill_never_touches_text_without_tokens(places, text):
    for convention in NAMINGS:
        assert naming.fill(text, naming.names(places, convention)) == text


def test_fill_leaves_unknown_tokens_visible(places):
    assert naming.fill("near {atlantis}", naming.names(places, "dual")) == "near {atlantis}"
