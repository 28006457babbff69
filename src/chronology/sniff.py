"""Bytes to text: is this file CSV text at all, and if not, what is it and how to get CSV from it.

Users save spreadsheets, PDFs and Windows-1252 text under a .csv name; each gets a message that
names what the file is and the menu or command that fixes it, instead of a parse error. The
timeline importer reads CSV too and uses `decode` for the same messages.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np

from .problem import Problem, Unreadable

EXCEL_SAVE = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'; in LibreOffice, Save As > 'Text CSV' with character set 'Unicode (UTF-8)'"


def describe_binary(raw: bytes, suffix: str = ".csv") -> str | None:
    """What a file that is not CSV text looks like, and how to get CSV from it."""
    head = raw[:4096]
    misnamed = " saved with a .csv name" if suffix.lower() == ".csv" else ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in raw[:65536] or b"[Content_Types].xml" in raw[:65536] and b"word/" not in raw[:65536]:
            what = f"an Excel workbook (.xlsx){misnamed}"
        elif b"opendocument.spreadsheet" in head:
            what = f"a LibreOffice/OpenOffice spreadsheet (.ods){misnamed}"
        elif b"word/" in raw[:65536]:
            what = "a Word document (.docx)"
        else:
            what = "a zip archive"
        return f"this is {what}, not CSV text: open it and save it as CSV ({EXCEL_SAVE})"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return f"this is an old-style Excel workbook (.xls) or Office document, not CSV text: open it and save it as CSV ({EXCEL_SAVE})"
    if head.startswith(b"%PDF"):
        return "this is a PDF document, not CSV text: a table in a PDF has to be re-typed or exported into a spreadsheet, then saved as CSV (UTF-8)"
    if head.startswith(b"\x1f\x8b"):
        return "this is a gzip-compressed file, not CSV text: decompress it first (gunzip)"
    if head.startswith(b"BZh") or head.startswith(b"\xfd7zXZ\x00") or head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "this is a compressed archive, not CSV text: decompress it first"
    if head.startswith(b"SQLite format 3\x00"):
        return "this is an SQLite database, not CSV text: export the table as CSV"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "this is an image, not CSV text"
    if head.startswith(b"{\\rtf"):
        return "this is a rich-text (RTF) document, not CSV text: save it as plain text CSV (UTF-8)"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return f"the file is UTF-32 encoded: re-save it as UTF-8 ({EXCEL_SAVE})"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"the file is UTF-16 encoded (as Excel's 'Unicode Text' saves): re-save it as UTF-8 ({EXCEL_SAVE}), or run: iconv -f UTF-16 -t UTF-8 FILE > FILE-utf8.csv"
    nul = head.count(b"\x00")
    if nul:
        odd, even = head[1::2].count(b"\x00"), head[0::2].count(b"\x00")
        if nul > len(head) // 4 and (odd > 0.9 * nul or even > 0.9 * nul):
            return f"the file looks UTF-16 encoded (without a byte-order mark): re-save it as UTF-8 ({EXCEL_SAVE}), or run: iconv -f UTF-16 -t UTF-8 FILE > FILE-utf8.csv"
        return "this is a binary file, not CSV text: expected a CSV file (UTF-8 text with a header row)"
    return None


ENCODINGS = {
    "cp1252": ("Windows-1252 (Western European; Excel's 'CSV (Comma delimited)' on Windows)", "WINDOWS-1252"),
    "cp1251": ("Windows-1251 (Cyrillic)", "WINDOWS-1251"),
    "cp1254": ("Windows-1254 (Turkish, also used for Azerbaijani)", "WINDOWS-1254"),
    "mac_roman": ("Mac Roman (old Mac Excel)", "MACINTOSH"),
    "latin-1": ("Latin-1 (ISO-8859-1)", "LATIN1"),
}


def guess_encoding(raw: bytes) -> str:
    """The 8-bit encoding a non-UTF-8 file most likely uses (a key of ENCODINGS)."""
    arr = np.frombuffer(raw[:1_000_000], dtype=np.uint8)
    high = arr >= 0x80
    if not high.any():
        return "latin-1"
    # Cyrillic text is whole words of high bytes; accented Latin is one high byte in an ASCII word.
    nxt = np.zeros_like(high)
    nxt[:-1] = high[1:]
    prv = np.zeros_like(high)
    prv[1:] = high[:-1]
    runs = (high & (nxt | prv)).sum() / high.sum()
    letters = ((arr >= 0xC0) & high).sum() / high.sum()
    if runs > 0.6 and letters > 0.6:
        return "cp1251"
    values = set(np.unique(arr[high]).tolist())
    if values & {0xF0, 0xFD, 0xFE, 0xD0, 0xDD, 0xDE}:  # ğ ı ş Ğ İ Ş in Windows-1254 (ð ý þ in 1252: rare)
        return "cp1254"
    try:
        raw[:1_000_000].decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are unused in Windows-1252
        return "latin-1"
    return "cp1252"


def line_of(raw: bytes, offset: int) -> int:
    """The physical line of a byte offset: CRLF, LF and CR all end a line (nothing is normalised yet)."""
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def decode_problem(raw: bytes, name: str) -> Problem | None:
    """None when the bytes are UTF-8, else the problem saying what they look like."""
    if raw.isascii():
        return None
    try:
        raw.decode("utf-8")
        return None
    except UnicodeDecodeError as err:
        enc = guess_encoding(raw)
        label, iconv = ENCODINGS[enc]
        bad = raw[err.start : err.start + 1]
        reads = bad.decode(enc, "replace")
        return Problem(
            name, line_of(raw, err.start), "", "",
            f"the file is not UTF-8 (byte 0x{bad.hex().upper()} is {reads!r} in {label.split(' (')[0]}): it looks like {label}. "
            f"Re-save it as UTF-8: {EXCEL_SAVE}; or run: iconv -f {iconv} -t UTF-8 FILE > FILE-utf8.csv",
        )


def utf8_bytes(raw: bytes, name: str) -> bytes:
    """The bytes without a byte-order mark, checked to be UTF-8 text; Unreadable saying what they are instead."""
    what = describe_binary(raw, Path(name).suffix)
    if what:
        raise Unreadable([Problem(name, 0, "", "", what)])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    bad = decode_problem(raw, name)
    if bad:
        raise Unreadable([bad])
    return raw


def decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    """Bytes -> text (without a byte-order mark), or the problem saying what the file is instead.

    For other readers of CSV (timeline import) that want the loader's messages.
    """
    try:
        return utf8_bytes(raw, name).decode("utf-8"), []
    except Unreadable as err:
        return None, err.problems


def csv_bytes(raw: bytes, name: str) -> bytes:
    """UTF-8 bytes without a byte-order mark and with '\\n' line ends; Unreadable when not CSV text.

    Stays bytes (not str): the record finder works on the raw bytes with numpy.
    """
    raw = utf8_bytes(raw, name)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise Unreadable([Problem(name, line_of(raw, nul), "", "", "this line holds a NUL byte (\\x00): the file is not plain CSV text (part binary, or damaged)")])
    if b"\r" in raw:  # CRLF (Windows) or CR (old Mac) line ends, also inside quoted cells
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return raw
