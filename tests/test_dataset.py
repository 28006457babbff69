"""What a newsroom wants to be sure of in the bundled data (data/*.csv).

Everything is read through `chronology.load.load_dataset()`, as the report reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from chronology.dates import PartialDate
from chronology.load import load_dataset

SEEDS = next((p / "shared/seeds" for p in Path(__file__).resolve().parents if (p / "shared/seeds").is_dir()), Path("/nonexistent/shared/seeds"))
PUBLISHED = "2020-11-08"
BBC = "bbc-2020-11-08"  # the seed article: its rows' quotes are checked against its text
NO_URL = {BBC: "the article text was supplied without a URL, and the search tool's stored pages did not hold the BBC page"}


def ids(cell: str) -> list[str]:
    return [i for i in cell.split(";") if i]


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def st(ds) -> pd.DataFrame:
    return ds.statements.set_index("id", drop=False)


@pytest.fixture(scope="module")
def article(ds) -> str:
    """The article text the data was coded from: the seed whose text carries the source's title."""
    if not SEEDS.is_dir():
        pytest.skip(f"the article text is not here ({SEEDS} is absent): quotes cannot be checked against it")
    titles = list(ds.sources["title"])
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    matching = [t for t in texts if any(title in t for title in titles)]
    if not matching:
        pytest.skip(f"no article in {SEEDS} carries a source title ({'; '.join(titles)})")
    return "\n".join(matching)


# ---------------------------------------------------------------- quotes and sources


def _bbc_quoted(st):
    return st[(st["quote"] != "") & (st["source_id"].map(lambda c: ids(c)[0]) == BBC)]


def test_every_quote_is_verbatim_in_the_article(st, article):
    """The rows taken from the BBC article (their first source) quote it verbatim."""
    quoted = _bbc_quoted(st)
    assert len(quoted) > 0
    not_found = [f"{row.id}: {row.quote!r}" for row in quoted.itertuples() if row.quote not in article]
    assert not not_found, "quotes not found verbatim in the article:\n" + "\n".join(not_found)


def test_every_quote_is_printed_inside_quotation_marks(st, article):
    """A quote is words the article puts in quotation marks, not a paraphrase lifted from its prose."""
    bad = []
    for row in _bbc_quoted(st).itertuples():
        spans = re.findall(r'"([^"]*)"', article)
        if not any(row.quote in span for span in spans):
            bad.append(f"{row.id}: {row.quote!r}")
    assert not bad, "quotes that the article does not print in quotation marks:\n" + "\n".join(bad)


def test_quoted_words_have_a_speaker(st):
    quoted = st[st["quote"] != ""]
    assert (quoted["speaker"] != "").all(), list(quoted.loc[quoted["speaker"] == "", "id"])


def test_every_row_names_a_known_source(ds, st):
    assert (st["source_id"] != "").all()
    named = {i for cell in st["source_id"] for i in ids(cell)}
    assert named <= set(ds.sources["id"]), named - set(ds.sources["id"])


def test_every_source_has_a_date_and_a_url(ds):
    """Every source is dated; every source has a URL except those listed in NO_URL (and why)."""
    s = ds.sources
    assert (s["published"] != "").all(), list(s.loc[s["published"] == "", "id"])
    missing = set(s.loc[s["url"] == "", "id"])
    assert missing == set(NO_URL), f"sources without a URL: {sorted(missing)}"
    assert s.loc[s["url"] != "", "url"].str.match(r"https?://").all()


def test_every_source_is_used_and_the_bbc_comes_first_where_it_is_the_source(ds, st):
    named = [ids(c) for c in st["source_id"]]
    assert {i for n in named for i in n} == set(ds.sources["id"])
    assert all(n.index(BBC) == 0 for n in named if BBC in n)


def test_every_quote_says_its_language_and_whether_it_is_translated(st):
    quoted = st[st["quote"] != ""]
    assert quoted["quote_language"].str.fullmatch(r"[a-z]{2}").all(), list(quoted.loc[quoted["quote_language"] == "", "id"])
    assert quoted["quote_translated"].isin(["yes", "no"]).all()
    unquoted = st[st["quote"] == ""]
    assert (unquoted["quote_language"] == "").all() and (unquoted["quote_translated"] == "").all()


@pytest.mark.parametrize(
    "row_id, translated",
    [("aliyev-no-force", "yes"), ("hovhannisyan-battles-continue", "yes"), ("erdogan-congratulates", "yes"),
     ("kremlin-putin-to-erdogan", "yes"), ("aliyev-bbc-interview", "no")],
)
def test_the_bbc_printed_translations_are_marked(st, row_id, translated):
    assert (st.loc[row_id, "quote_language"], st.loc[row_id, "quote_translated"]) == ("en", translated)


def test_a_large_multi_source_record(ds, st):
    used = {i for c in st["source_id"] for i in ids(c)}
    publishers = set(ds.sources.loc[ds.sources["id"].isin(used), "publisher"])
    assert len(st) >= 150
    assert len(used) >= 12
    assert len(publishers) >= 6


def test_parties_have_a_role_and_a_distinct_colour(ds):
    p = ds.parties.set_index("id")
    assert p["role"].isin(["belligerent", "outside-power", "international-organisation", "ngo", "media"]).all()
    assert p["colour"].str.fullmatch(r"#[0-9a-fA-F]{6}").all()
    belligerents = p.loc[p["role"] == "belligerent", "colour"].str.lower()
    assert belligerents.is_unique, "each belligerent has its own colour (Armenia and Karabakh clearly apart)"


def test_statements_and_figures_say_who_and_how(st):
    claims = st[st["kind"].isin(["statement", "figure"])]
    assert (claims["speaker"] != "").all(), list(claims.loc[claims["speaker"] == "", "id"])
    assert (claims["party"] != "").all()
    assert (claims["stance"] != "").all()
    events = st[st["kind"] == "event"]
    assert (events["stance"] == "").all(), "an event is narrated, not claimed: it has no stance"


# ---------------------------------------------------------------- contested claims


def test_armenias_denial_answers_azerbaijans_claim(st):
    denial = st.loc["hovhannisyan-battles-continue"]
    assert denial["stance"] == "denies"
    assert denial["party"] == "armenia"
    assert denial["responds_to"] == "aliyev-takes-shusha"
    claim = st.loc["aliyev-takes-shusha"]
    assert (claim["kind"], claim["stance"], claim["party"]) == ("statement", "asserts", "azerbaijan")


def test_the_capture_of_shusha_is_a_claim_not_an_event(st):
    """Contested claims are recorded as claims by their claimant, never as narrated events."""
    control = st[(st["topic"] == "control-of-shusha") & (st["start"] >= pd.Timestamp(PUBLISHED))]
    assert set(control["kind"]) == {"statement"}, "from the claim on, who held the town is only ever a party's statement"
    assert "disputes" in set(st.loc[st["responds_to"] == "aliyev-takes-shusha", "stance"])


def test_each_denial_or_dispute_points_at_what_it_answers(st):
    answers = st[st["stance"].isin(["denies", "disputes"])]
    assert (answers["responds_to"] != "").all(), list(answers.loc[answers["responds_to"] == "", "id"])
    for row in answers.itertuples():
        target = st.loc[row.responds_to]
        assert target["party"] != row.party, f"{row.id} answers its own side's {row.responds_to}"


def test_a_response_does_not_end_before_what_it_answers_starts(st):
    bad = []
    for row in st[st["responds_to"] != ""].itertuples():
        target = st.loc[row.responds_to]
        if row.end < target["start"]:
            bad.append(f"{row.id} (ends {row.end:%Y-%m-%d}) answers {row.responds_to} (starts {target['start']:%Y-%m-%d})")
    assert not bad, "\n".join(bad)


# ---------------------------------------------------------------- figures


@pytest.mark.parametrize(
    "row_id, value, qualifier, measure",
    [
        ("karabakh-military-deaths", 1200, "nearly", "deaths_military"),
        ("azerbaijan-civilian-deaths", 80, "more_than", "deaths_civilian"),
        ("putin-death-toll", 5000, "almost", "deaths_total"),
        ("barda-deaths", 21, "exact", "deaths_civilian"),
    ],
)
def test_figures_keep_their_qualifiers(st, row_id, value, qualifier, measure):
    row = st.loc[row_id]
    assert row["kind"] == "figure"
    assert row["value"] == value
    assert row["qualifier"] == qualifier
    assert row["measure"] == measure
    assert row["unit"] == "people"


def test_figures_are_attributed_to_who_gave_them(st):
    assert st.loc["karabakh-military-deaths", "party"] == "karabakh"
    assert st.loc["azerbaijan-civilian-deaths", "party"] == "azerbaijan"
    assert st.loc["barda-deaths", "party"] == "azerbaijan"
    assert st.loc["putin-death-toll", "speaker"] == "Vladimir Putin"


def test_numbers_only_on_figure_rows(st):
    assert st.loc[st["kind"] != "figure", "value"].isna().all()
    assert st.loc[st["kind"] == "figure", "value"].notna().all()


# ---------------------------------------------------------------- dates


def test_last_month_is_october_2020_at_month_precision(st):
    last_month = st[st["date_as_reported"].str.contains("last month", case=False)]
    assert len(last_month) >= 4
    assert set(last_month["date"]) == {"2020-10"}
    assert set(last_month["precision"]) == {"month"}
    assert (last_month["start"] == pd.Timestamp("2020-10-01")).all()
    assert (last_month["end"] == pd.Timestamp("2020-10-31")).all()


def test_sunday_and_saturday_are_resolved_against_publication(st):
    bbc = st[st["source_id"].map(lambda c: ids(c)[0]) == BBC]
    assert set(bbc.loc[bbc["date_as_reported"] == "on Sunday", "date"]) == {"2020-11-08"}
    assert set(bbc.loc[bbc["date_as_reported"].str.startswith("on Saturday"), "date"]) == {"2020-11-07"}


def test_undated_statements_span_the_fighting(st):
    undated = st[st["date_as_reported"] == "(not dated: during the fighting)"]
    assert len(undated) > 0
    assert set(zip(undated["date"], undated["date_end"])) == {("2020-09", PUBLISHED)}


def test_the_earlier_war_is_a_span_ending_with_the_1994_truce(st):
    war = st.loc["war-late-1980s"]
    assert (war["date"], war["date_end"], war["precision"]) == ("1987", "1994", "year")
    assert st.loc["truce-1994", "date"] == "1994"


def test_nothing_is_dated_after_its_source(ds, st):
    """A row is dated no later than its latest source; deadlines (truce_phase deadline) are dated the day they fall."""
    published = {row.id: PartialDate.parse(row.published).last for row in ds.sources.itertuples()}
    rows = st[st["truce_phase"] != "deadline"]
    late = [row.id for row in rows.itertuples() if row.end.date() > max(published[i] for i in ids(row.source_id))]
    assert not late, f"rows dated after their source was published: {late}"


# ---------------------------------------------------------------- places and naming


@pytest.mark.parametrize(
    "place, international, azerbaijani, armenian",
    [
        ("shusha", "Shusha", "Shusha", "Shushi"),
        ("stepanakert", "Stepanakert", "Khankendi", "Stepanakert"),
    ],
)
def test_places_have_distinct_names_where_conventions_differ(ds, place, international, azerbaijani, armenian):
    row = ds.places.set_index("id").loc[place]
    assert (row["name_international"], row["name_azerbaijani"], row["name_armenian"]) == (international, azerbaijani, armenian)
    assert row["name_azerbaijani"] != row["name_armenian"]


def test_summaries_name_convention_dependent_places_only_by_token(ds, st):
    """Our own prose must follow the report's naming choice: no literal 'Shusha' or 'Stepanakert'.

    Words the summary itself puts in double quotation marks are the speaker's and are left alone.
    """
    names = set()
    for row in ds.places.itertuples():
        variants = {row.name_international, row.name_azerbaijani, row.name_armenian}
        if len(variants) > 1:
            names |= variants
    bad = []
    for row in st.itertuples():
        prose = re.sub(r'"[^"]*"', "", row.summary)
        prose = re.sub(r"\{[^}]*\}", "", prose)
        for name in names:
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", prose):
                bad.append(f"{row.id}: {name!r} in {row.summary!r}")
    assert not bad, "write these places as {place_id} tokens:\n" + "\n".join(bad)


def test_quotes_keep_the_speakers_place_names(st):
    """Verbatim means verbatim: the Armenian official's 'Shushi' is not normalised to 'Shusha'."""
    assert "Shushi" in st.loc["hovhannisyan-battles-continue", "quote"]
    assert "Shushi" in st.loc["babayan-battlefield", "quote"]


def test_every_place_is_on_the_map_area(ds):
    """Coordinates are plausible (no swapped latitude/longitude): the Caucasus and Turkey."""
    assert ds.places["latitude"].between(36, 46).all()
    assert ds.places["longitude"].between(26, 52).all()


# ---------------------------------------------------------------- map outlines


@pytest.fixture(scope="module")
def outlines() -> dict:
    import json

    from chronology import paths

    if not paths.OUTLINES_GEOJSON.exists():
        pytest.skip(f"{paths.OUTLINES_GEOJSON} is absent (scripts/extract_outlines.py writes it)")
    return json.loads(paths.OUTLINES_GEOJSON.read_text(encoding="utf-8"))


def _polygons(feature: dict) -> list:
    g = feature["geometry"]
    return [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def test_outlines_hold_the_six_countries(outlines):
    assert outlines["type"] == "FeatureCollection"
    props = [f["properties"] for f in outlines["features"]]
    assert {p["name"]: p["iso_a3"] for p in props} == {
        "Armenia": "ARM", "Azerbaijan": "AZE", "Georgia": "GEO", "Iran": "IRN", "Turkey": "TUR", "Russia": "RUS",
    }
    assert all(set(p) == {"name", "iso_a3"} for p in props)


def test_outline_rings_are_closed_rounded_and_wound_for_d3(outlines):
    """Exterior rings clockwise (d3-geo/Vega's convention); otherwise the map fills the globe."""
    for feature in outlines["features"]:
        for polygon in _polygons(feature):
            for i, ring in enumerate(polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1], feature["properties"]["name"]
                assert all(round(c, 3) == c for point in ring for c in point)
                clockwise = _signed_area(ring) < 0
                assert clockwise == (i == 0), f"{feature['properties']['name']}: ring {i} wound the wrong way"


def test_outlines_cover_every_place(ds, outlines):
    """The map's frame (the outlines' extent) contains every place in places.csv."""
    xs = [p[0] for f in outlines["features"] for poly in _polygons(f) for p in poly[0]]
    ys = [p[1] for f in outlines["features"] for poly in _polygons(f) for p in poly[0]]
    assert ds.places["longitude"].between(min(xs), max(xs)).all()
    assert ds.places["latitude"].between(min(ys), max(ys)).all()


# ---------------------------------------------------------------- the capture of Shusha, step by step


def test_claim_denial_admission_contradiction_chain(st):
    """Claimed 8 Nov, denied 8 Nov, conceded 9 Nov (Karabakh), contradicted 9 Nov (Armenia), by ids and stances."""
    claim = st.loc["aliyev-takes-shusha"]
    denial = st.loc["hovhannisyan-battles-continue"]
    admission = st.loc["poghosyan-admits-shushi-lost"]
    contradiction = st.loc["pashinyan-fighting-for-shushi-continues"]
    assert (claim["stance"], claim["date"]) == ("asserts", "2020-11-08")
    assert (denial["stance"], denial["responds_to"], denial["date"]) == ("denies", "aliyev-takes-shusha", "2020-11-08")
    assert (admission["stance"], admission["responds_to"], admission["party"], admission["date"]) == ("concedes", "aliyev-takes-shusha", "karabakh", "2020-11-09")
    assert (contradiction["stance"], contradiction["responds_to"], contradiction["party"], contradiction["date"]) == ("denies", "poghosyan-admits-shushi-lost", "armenia", "2020-11-09")
    assert st.loc["trilateral-in-force", "truce"] == "trilateral-2020-11-10"


def test_what_changed_tells_the_chain_in_order(ds):
    from chronology.changes import histories
    from chronology.params import check
    from chronology.selection import Selection

    found = {h["id"]: h for h in histories(Selection(check({}), ds))}
    steps = [s["verb"] for s in found["aliyev-takes-shusha"]["steps"]]
    assert steps[0] == "claims"
    assert steps.index("denies") < steps.index("concedes") < steps.index("contradicts")
    assert found["aliyev-takes-shusha"]["settled"]["date"].startswith("10 November 2020")


def test_the_us_ceasefire_rows_carry_the_truce(st):
    assert tuple(st.loc["us-ceasefire", ["truce", "truce_phase"]]) == ("truce-2020-10-26-us", "announced")
    for row_id, accused in (("azerbaijan-accuses-ceasefire-violation", "armenia"), ("armenia-accuses-ceasefire-violation", "azerbaijan")):
        assert tuple(st.loc[row_id, ["truce", "truce_phase", "about_party"]]) == ("truce-2020-10-26-us", "violated", accused)


# ---------------------------------------------------------------- as_of: the view of a given day


def test_as_of_keeps_only_what_was_published_by_then(ds):
    from chronology.params import check
    from chronology.selection import Selection, first_published

    full = Selection(check({}), ds).rows
    day = Selection(check({"as_of": PUBLISHED}), ds).rows
    assert 0 < len(day) < len(full)
    assert (first_published(day["source_id"], ds.sources) <= pd.Timestamp(PUBLISHED)).all()
    kept = set(day["id"])
    assert {"aliyev-takes-shusha", "hovhannisyan-battles-continue", "putin-death-toll"} <= kept
    assert not {"poghosyan-admits-shushi-lost", "trilateral-in-force", "harutyunyan-shushi-lost-nov7"} & kept
    # a row corroborated later appears from its FIRST source: the BBC's us-ceasefire is there on the 8th
    assert "us-ceasefire" in kept
    early = Selection(check({"as_of": "2020-10-22"}), ds).rows
    assert "putin-death-toll" in set(early["id"]), "the BBC row appears from its corroborating source of 22 October"
    assert "aliyev-takes-shusha" not in set(early["id"])


def test_as_of_is_checked_like_the_other_dates():
    from chronology.params import ParameterError, check

    assert str(check({"as_of": "2020-11"}).as_of) == "2020-11"
    with pytest.raises(ParameterError, match="as_of: '8 Nov'"):
        check({"as_of": "8 Nov"})
