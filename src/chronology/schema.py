"""Columns, types and allowed values of the data files: the one source of truth.

`data/datapackage.json` is generated from this module (`python -m chronology schema`)
and `data/README.md` documents the same columns; a test checks that all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types, named as in Frictionless Table Schema where one fits.
STRING = "string"
INTEGER = "integer"
NUMBER = "number"
PARTIAL_DATE = "partial-date"  # YYYY, YYYY-MM or YYYY-MM-DD; Table Schema has no such type
SLUG = "slug"  # lower-case identifier: letters, digits, '-' and '_'
SLUG_LIST = "slug-list"  # one or more identifiers separated by ";" (a joint statement, corroborating sources)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SLUG_LIST_PATTERN = r"^[a-z0-9][a-z0-9_-]*( *; *[a-z0-9][a-z0-9_-]*)*$"
# Months 01-12, days 01-31 (a day past its month's end, e.g. 2021-02-30, only `chronology validate` catches).
PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
HTTP_URL_PATTERN = r"^https?://[^\s\"'<>]+$"
URL = "url"  # an http or https URL: a Table Schema string with format uri
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
OFFSET_PATTERN = r"^[+-](0\d|1[0-4]):[0-5]\d$"
LANGUAGE_PATTERN = r"^[a-z]{2}$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    example: str
    required: bool = False
    unique: bool = False
    allowed: tuple[str, ...] = ()
    references: str | None = None  # "file.column" this column points into
    pattern: str = ""  # a regular expression every non-empty value matches (checked per distinct value)
    pattern_text: str = ""  # what the pattern expects, in words, for the problem message

    def table_schema(self) -> dict:
        """The Frictionless Table Schema field for this column."""
        ts_type = {PARTIAL_DATE: "string", SLUG: "string", SLUG_LIST: "string", URL: "string"}.get(self.type, self.type)
        out: dict = {"name": self.name, "type": ts_type, "description": self.meaning}
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.allowed:
            constraints["enum"] = list(self.allowed)
        if self.type == PARTIAL_DATE:
            constraints["pattern"] = PARTIAL_DATE_PATTERN
        if self.type == URL:
            constraints["pattern"] = HTTP_URL_PATTERN
            out["format"] = "uri"
        if self.type == SLUG and not self.allowed:
            constraints["pattern"] = SLUG_PATTERN
        if self.type == SLUG_LIST:
            constraints["pattern"] = SLUG_LIST_PATTERN
        if self.pattern:
            constraints["pattern"] = self.pattern
        if self.type in (NUMBER, INTEGER) and self.name in ("value",):
            constraints["minimum"] = 0
        if constraints:
            out["constraints"] = constraints
        out["example"] = self.example
        return out


@dataclass(frozen=True)
class Table:
    name: str  # resource name, also the file stem
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


KINDS = ("statement", "event", "figure")
STANCES = ("asserts", "denies", "disputes", "accuses", "demands", "reports", "confirms", "concedes", "retracts", "announces")
YES_NO = ("yes", "no")
BASES = ("cumulative", "incident", "period")
TRUCE_PHASES = ("announced", "in_force", "violated", "ended", "deadline")
ROLES = ("belligerent", "outside-power", "international-organisation", "ngo", "media")
# A party's role when parties.csv leaves it empty, from its side.
ROLE_BY_SIDE = {"azerbaijani": "belligerent", "armenian": "belligerent", "third-party": "outside-power", "press": "media"}
# How a figure's number relates to the true count: see figures.py for the bounds.
QUALIFIERS = ("exact", "about", "nearly", "almost", "at_most", "fewer_than", "more_than", "at_least")
# The measures of the first data set (all in the bundled data/measures.csv, which holds more).
MEASURES = (
    "deaths_military",
    "deaths_civilian",
    "deaths_total",
    "injured_civilian",
    "injured_military",
    "displaced",
    "equipment_destroyed",
)
SIDES = ("azerbaijani", "armenian", "third-party", "press")
NAMINGS = ("dual", "azerbaijani", "armenian", "international")
PRECISIONS = ("year", "month", "day")

STATEMENTS = Table(
    "statements",
    "One row per statement, event or figure in the sources (a statement with two numbers is two rows).",
    (
        Column("id", SLUG, "stable identifier of the row", "aliyev-takes-shusha", required=True, unique=True),
        Column("date", PARTIAL_DATE, "when it was said or happened, only as precise as the source", "2020-11-08", required=True),
        Column("date_end", PARTIAL_DATE, "end of a span (a war, an undated statement known only to fall in a window)", "1994"),
        Column("time", STRING, "the time of day as the source gives it, HH:MM on a 24-hour clock", "12:00",
               pattern=TIME_PATTERN, pattern_text="a time of day as HH:MM on a 24-hour clock, such as 09:30 or 21:00"),
        Column("time_zone", STRING, "the time's zone, required with a time: a UTC offset or an IANA zone name", "Asia/Baku"),
        Column("date_as_reported", STRING, "the source's own words for the date", "on Sunday"),
        Column("kind", SLUG, "what the row records", "statement", required=True, allowed=KINDS),
        Column("speaker", STRING, "who said it (person or body); empty for events", "Ilham Aliyev"),
        Column("role", STRING, "the speaker's role when speaking", "President of Azerbaijan"),
        Column("party", SLUG_LIST, "the speaker's party, an id in parties.csv (several separated by ; for a joint statement); empty only for events", "azerbaijan", references="parties.id"),
        Column("channel", STRING, "how it was said", "televised address"),
        Column("via", STRING, "who relayed it, when not heard first-hand by the source", "Reuters news agency"),
        Column("place_id", SLUG, "the place it is about, an id in places.csv", "shusha", references="places.id"),
        Column("topic", SLUG, "what it is about, an id in topics.csv when that file names it", "control-of-shusha", required=True),
        Column("stance", SLUG, "what the speaker does with the claim; empty for events", "asserts", allowed=STANCES),
        Column("responds_to", SLUG, "id of the row this one answers, denies or disputes", "aliyev-takes-shusha", references="statements.id"),
        Column("about_party", SLUG_LIST, "the party the statement is about or accuses, an id in parties.csv (several separated by ;)", "armenia", references="parties.id"),
        Column("quote", STRING, "the speaker's words, verbatim as the source prints them; empty when only paraphrased", "There is no force in the world that can stop us"),
        Column("quote_language", STRING, "language of the quote as printed, an ISO 639-1 code", "en",
               pattern=LANGUAGE_PATTERN, pattern_text="a two-letter ISO 639-1 language code in lower case, such as en, ru, az or hy"),
        Column("quote_translated", SLUG, "whether the printed quote is a translation of the speaker's words", "yes", allowed=YES_NO),
        Column("summary", STRING, "neutral paraphrase; {place_id} in braces is written in the report's naming convention", "Aliyev says Azerbaijani forces have taken {shusha}.", required=True),
        Column("measure", SLUG, "for figures: what is counted, an id in measures.csv", "deaths_military", references="measures.id"),
        Column("value", NUMBER, "for figures: the number as stated", "1200"),
        Column("qualifier", SLUG, "for figures: how the number bounds the count", "nearly", allowed=QUALIFIERS),
        Column("unit", STRING, "for figures: what the number counts", "people"),
        Column("basis", SLUG, "for figures: a running total to date, the toll of one incident, or a count within a stated period", "cumulative", allowed=BASES),
        Column("revises", SLUG, "id of an earlier row by the same party that this row corrects", "barda-toll-19", references="statements.id"),
        Column("truce", SLUG, "identifier of the truce whose course this row belongs to", "truce-2020-10-10"),
        Column("truce_phase", SLUG, "the step of the truce the row records; only with a truce", "in_force", allowed=TRUCE_PHASES),
        Column("source_id", SLUG_LIST, "where the row comes from, an id in sources.csv (several separated by ;, the first being the one quoted)", "bbc-2020-11-08", required=True, references="sources.id"),
    ),
)

PLACES = Table(
    "places",
    "Every place the statements name, in each naming convention, with coordinates.",
    (
        Column("id", SLUG, "identifier used by statements.place_id and {braces} in summaries", "shusha", required=True, unique=True),
        Column("name_international", STRING, "name in English-language international usage", "Shusha", required=True),
        Column("name_azerbaijani", STRING, "name as used in Azerbaijan (English transliteration)", "Shusha", required=True),
        Column("name_armenian", STRING, "name as used in Armenia (English transliteration)", "Shushi", required=True),
        Column("kind", STRING, "town, city, region, province, ...", "town"),
        Column("country", STRING, "internationally recognised country", "Azerbaijan"),
        Column("latitude", NUMBER, "WGS84 latitude in degrees", "39.7583", required=True),
        Column("longitude", NUMBER, "WGS84 longitude in degrees", "46.7485", required=True),
        Column("note", STRING, "why the place matters here; {place_id} in braces is written in the report's naming convention", "on the hills above {stepanakert}"),
    ),
)

PARTIES = Table(
    "parties",
    "The parties that speakers speak for, and which side of the conflict each is on.",
    (
        Column("id", SLUG, "identifier used by statements.party", "azerbaijan", required=True, unique=True),
        Column("name", STRING, "display name", "Azerbaijan", required=True),
        Column("side", SLUG, "side of the conflict", "azerbaijani", required=True, allowed=SIDES),
        Column("note", STRING, "who the party is", "the government of Azerbaijan"),
        Column("role", SLUG, "what kind of party it is; when empty, from the side (third-party: outside-power, press: media, else belligerent)", "belligerent", allowed=ROLES),
        Column("colour", STRING, "its colour in charts, #rrggbb; when empty, one of a colour-blind-safe palette", "#1f77b4",
               pattern=COLOUR_PATTERN, pattern_text="a colour written #rrggbb, such as #1f77b4"),
    ),
)

SOURCES = Table(
    "sources",
    "The documents the statements are taken from.",
    (
        Column("id", SLUG, "identifier used by statements.source_id", "bbc-2020-11-08", required=True, unique=True),
        Column("publisher", STRING, "who published it", "BBC News", required=True),
        Column("title", STRING, "its title", "Nagorno-Karabakh: Azerbaijan 'takes key town' in Armenia conflict", required=True),
        Column("published", PARTIAL_DATE, "publication date; empty when unknown (its rows are then left out of `as_of` views)", "2020-11-08"),
        Column("url", URL, "where to read it (http or https), if known", "https://www.bbc.co.uk/news/"),
        Column("obtained", STRING, "how the text was obtained", "article text as supplied to the project"),
    ),
)

TOPICS = Table(
    "topics",
    "The topics statements are about, with their headings.",
    (
        Column("id", SLUG, "identifier used by statements.topic", "control-of-shusha", required=True, unique=True),
        Column("label", STRING, "heading; {place_id} in braces is written in the report's naming convention", "Control of {shusha}", required=True),
        Column("note", STRING, "what the topic covers", "claims and denials about who holds the town"),
    ),
)

MEASURES_TABLE = Table(
    "measures",
    "What figures count.",
    (
        Column("id", SLUG, "identifier used by statements.measure", "deaths_military", required=True, unique=True),
        Column("label", STRING, "heading for figures of this measure", "Military deaths", required=True),
        Column("unit", STRING, "what the number usually counts", "soldiers"),
        Column("casualty", SLUG, "whether it counts people killed, injured or displaced", "yes", required=True, allowed=YES_NO),
        Column("note", STRING, "what is counted", "deaths of servicemen as stated by the claimant"),
    ),
)

TABLES = (STATEMENTS, PLACES, PARTIES, SOURCES, TOPICS, MEASURES_TABLE)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# Columns a figure row must fill, and columns only figures may fill.
FIGURE_COLUMNS = ("measure", "value", "qualifier", "unit")
FIGURE_ONLY = FIGURE_COLUMNS + ("basis",)


def datapackage() -> dict:
    """The Frictionless Data Package descriptor for the files in data/."""
    resources = []
    for table in TABLES:
        fields = [c.table_schema() for c in table.columns]
        schema: dict = {"fields": fields, "primaryKey": "id", "missingValues": [""]}
        fks = []
        for c in table.columns:
            if c.references and c.type != SLUG_LIST:  # a list of ids cannot be a Table Schema foreign key
                target, key = c.references.split(".")
                fks.append({"fields": c.name, "reference": {"resource": "" if target == table.name else target, "fields": key}})
        if fks:
            schema["foreignKeys"] = fks
        resources.append(
            {
                "name": table.name,
                "path": table.filename,
                "profile": "tabular-data-resource",
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "battle-for-shusha-2020",
        "title": "The battle for Shusha/Shushi (November 2020): statements and figures",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }
