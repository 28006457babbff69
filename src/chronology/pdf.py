"""Print the handout to PDF with headless Chromium (driven by Playwright), offline.

`python -m chronology pdf [--html FILE] [--out DIR] [--paper A4|Letter]` reads OUT/handout.html
(written by `make report`) and writes OUT/handout.pdf atomically. The page's print stylesheet
decides the layout: page breaks, no interactive widgets, the source line on every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import ChronologyError, InputError

PAPERS = {"a4": "A4", "letter": "Letter"}
CHROMIUM_FALLBACK = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
NO_CHROMIUM = "Chromium was not found (looked for `chromium` on the PATH and /usr/bin/chromium): install it, for example `apt-get install chromium`"


class PdfError(ChronologyError):
    """A PDF that could not be made (exit 1)."""


class PdfInputError(PdfError, InputError):
    """A missing page, paper size or tool: the user can fix it (exit 2)."""


def find_chromium() -> str | None:
    """The Chromium binary: on the PATH, else Debian's, else None (never downloaded)."""
    found = shutil.which("chromium")
    if found:
        return found
    return CHROMIUM_FALLBACK if Path(CHROMIUM_FALLBACK).exists() else None


def launch(playwright, chromium: str | None = None):
    """Headless Chromium from the system, as every browser task in the project starts it."""
    chromium = chromium or find_chromium()
    if not chromium:
        raise PdfInputError(NO_CHROMIUM)
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)


def offline(page) -> None:
    """Refuse every request that would leave the machine: the page is self-contained."""
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:", "about:")) else route.abort())


def print_pdf(html_path: Path, pdf_path: Path, *, paper: str = "A4", chromium: str | None = None, browser=None, timeout_ms: int = 60_000) -> Path:
    """html_path -> pdf_path (written beside it first, then renamed: never half a file).

    `browser`: a Playwright browser already running (tests share one); else Chromium is started.
    """
    from .fileio import atomic_write

    html_path = Path(html_path)
    paper = PAPERS.get(str(paper).lower(), paper)
    if paper not in PAPERS.values():
        raise PdfInputError(f"paper: {paper!r}: expected A4 or Letter")
    if not html_path.is_file():
        raise PdfInputError(f"{html_path} does not exist yet: run `make report` first (it renders the report and the handout)")
    chromium = chromium or find_chromium()
    if browser is None and not chromium:
        raise PdfInputError(NO_CHROMIUM)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfInputError("the Playwright package is missing from the environment: `make env` installs it (`pip install playwright`; no browser download is needed)") from None
    try:
        if browser is not None:
            data = _print(browser, html_path, paper, timeout_ms)
        else:
            with sync_playwright() as p:
                started = launch(p, chromium)
                try:
                    data = _print(started, html_path, paper, timeout_ms)
                finally:
                    started.close()
    except PdfError:
        raise
    except PlaywrightError as err:
        raise PdfError(f"Chromium could not print {html_path}: {str(err).splitlines()[0]}") from None
    if not data.startswith(b"%PDF"):
        raise PdfError(f"Chromium returned something that is not a PDF for {html_path}")
    try:
        atomic_write(Path(pdf_path), data)
    except OSError as err:
        raise PdfError(f"cannot write {pdf_path}: {err.strerror or err}; any earlier PDF is unchanged") from None
    return Path(pdf_path)


def _print(browser, html_path: Path, paper: str, timeout_ms: int) -> bytes:
    page = browser.new_page()
    try:
        page.set_default_timeout(timeout_ms)
        offline(page)
        page.goto(html_path.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        # The paper size is the one asked for; the margins are the stylesheet's (@page).
        return page.pdf(format=paper, print_background=True, prefer_css_page_size=False, outline=True, tagged=True)
    finally:
        page.close()


def page_count(pdf_path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(pdf_path)).pages)
