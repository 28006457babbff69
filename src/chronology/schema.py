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

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
# Months 01-12, days 01-31 (a day past its month's end, e.g. 2021-02-30, only `chronology validate` catches).
PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
HTTP_URL_PATTERN = r"^https?://[^\s\"'<>]+$"
URL = "url"  # an http or https URL: a Table Schema string with format uri


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

    def table_schema(self) -> dict:
        """The Frictionless Table Schema field for this column."""
        ts_type = {PARTIAL_DATE: "string", SLUG: "string", URL: "string"}.get(self.type, self.type)
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
STANCES = ("asserts", "denies", "disputes", "accuses", "demands", "reports")
# How a figure's number relates to the true count: see figures.py for the bounds.
QUALIFIERS = ("exact", "about", "nearly", "almost", "at_most", "fewer_than", "more_than", "at_least")
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
        Column("date_as_reported", STRING, "the source's own words for the date", "on Sunday"),
        Column("kind", SLUG, "what the row records", "statement", required=True, allowed=KINDS),
        Column("speaker", STRING, "who said it (person or body); empty for events", "Ilham Aliyev"),
        Column("role", STRING, "the speaker's role when speaking", "President of Azerbaijan"),
        Column("party", SLUG, "the speaker's party, an id in parties.csv; empty only for events", "azerbaijan", references="parties.id"),
        Column("channel", STRING, "how it was said", "televised address"),
        Column("via", STRING, "who relayed it, when not heard first-hand by the source", "Reuters news agency"),
        Column("place_id", SLUG, "the place it is about, an id in places.csv", "shusha", references="places.id"),
        Column("topic", SLUG, "what it is about", "control-of-shusha", required=True),
        Column("stance", SLUG, "what the speaker does with the claim; empty for events", "asserts", allowed=STANCES),
        Column("responds_to", SLUG, "id of the row this one answers, denies or disputes", "aliyev-takes-shusha", references="statements.id"),
        Column("quote", STRING, "the speaker's words, verbatim as the source prints them; empty when only paraphrased", "There is no force in the world that can stop us"),
        Column("summary", STRING, "neutral paraphrase; {place_id} in braces is written in the report's naming convention", "Aliyev says Azerbaijani forces have taken {shusha}.", required=True),
        Column("measure", SLUG, "for figures: what is counted", "deaths_military", allowed=MEASURES),
        Column("value", NUMBER, "for figures: the number as stated", "1200"),
        Column("qualifier", SLUG, "for figures: how the number bounds the count", "nearly", allowed=QUALIFIERS),
        Column("unit", STRING, "for figures: what the number counts", "people"),
        Column("source_id", SLUG, "where the row comes from, an id in sources.csv", "bbc-2020-11-08", required=True, references="sources.id"),
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
    ),
)

SOURCES = Table(
    "sources",
    "The documents the statements are taken from.",
    (
        Column("id", SLUG, "identifier used by statements.source_id", "bbc-2020-11-08", required=True, unique=True),
        Column("publisher", STRING, "who published it", "BBC News", required=True),
        Column("title", STRING, "its title", "Nagorno-Karabakh: Azerbaijan 'takes key town' in Armenia conflict", required=True),
        Column("published", PARTIAL_DATE, "publication date", "2020-11-08", required=True),
        Column("url", URL, "where to read it (http or https), if known", "https://www.bbc.co.uk/news/"),
        Column("obtained", STRING, "how the text was obtained", "article text as supplied to the project"),
    ),
)

TABLES = (STATEMENTS, PLACES, PARTIES, SOURCES)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# Columns a figure row must fill, and columns only figures may fill.
FIGURE_COLUMNS = ("measure", "value", "qualifier", "unit")


def datapackage() -> dict:
    """The Frictionless Data Package descriptor for the files in data/."""
    resources = []
    for table in TABLES:
        fields = [c.table_schema() for c in table.columns]
        schema: dict = {"fields": fields, "primaryKey": "id", "missingValues": [""]}
        fks = []
        for c in table.columns:
            if c.references:
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
