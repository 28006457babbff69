"""Where things are: the one place that knows the project's folders."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parents[1]
DATA_DIR = PROJECT_DIR / "data"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = PROJECT_DIR / "reports"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

STATEMENTS_CSV = DATA_DIR / "statements.csv"
PLACES_CSV = DATA_DIR / "places.csv"
PARTIES_CSV = DATA_DIR / "parties.csv"
SOURCES_CSV = DATA_DIR / "sources.csv"
TOPICS_CSV = DATA_DIR / "topics.csv"
MEASURES_CSV = DATA_DIR / "measures.csv"
OUTLINES_GEOJSON = DATA_DIR / "outlines.geojson"


def cache_dir() -> Path:
    """Per-user cache for what is the same across renders (the Vega bundle, validated data)."""
    base = os.environ.get("CHRONOLOGY_CACHE") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "chronology" if not os.environ.get("CHRONOLOGY_CACHE") else Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path
