"""Small text helpers shared by the exports and imports: spreadsheet formulas, slugs, HTML to plain text."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise` (an apostrophe before a formula character)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def slugify(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII identifier: 'Rózsa Péter writes recursion' -> 'rozsa-peter-writes-recursion'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug.strip("-")


class _TextOnly(HTMLParser):
    """HTML -> plain text: tags dropped, entities decoded, blocks separated by spaces."""

    _BLOCKS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "hr", "figcaption"}
    _SKIP = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCKS or "tl-note" in (dict(attrs).get("class") or ""):
            # TimelineJS shows a <span class="tl-note"> as a block of its own.
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(cell: str) -> str:
    """A cell of HTML (a TimelineJS headline or text) as one line of plain text."""
    if not cell:
        return ""
    parser = _TextOnly()
    parser.feed(cell)
    parser.close()
    return " ".join("".join(parser.parts).split())
