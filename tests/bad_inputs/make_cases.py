"""Write the corpus files that are made rather than typed.

    python tests/bad_inputs/make_cases.py          # (re)write them
    python tests/bad_inputs/make_cases.py --check  # exit 1 if any file differs from what this writes

Two kinds:
- accept_*: the rows of accept_clean.csv dressed the ways real files arrive (a byte-order mark,
  Windows or old-Mac line ends, every cell quoted, padded cells, stray commas, reordered or extra
  columns, ...). Each must load to exactly the statements of accept_clean.csv.
- refuse_*: bytes no text editor should be trusted with (a real .xlsx, a PDF, Windows-1252,
  UTF-16, gzip, random binary), each saved under a .csv name as users do.

The other refuse_* files are typed by hand: each breaks one thing in otherwise valid rows, and
expected.csv lists what `python -m chronology validate` must say about it.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLEAN = HERE / "accept_clean.csv"


def _rows() -> list[list[str]]:
    with CLEAN.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(rows, **kw) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", **kw).writerows(rows)
    return out.getvalue()


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') or cell != cell.strip() else cell


def accept_cases() -> dict[str, bytes]:
    rows = _rows()
    header, body = rows[0], rows[1:]
    clean = CLEAN.read_bytes()
    text = clean.decode("utf-8")
    bom = b"\xef\xbb\xbf"
    crlf = text.replace("\n", "\r\n").encode()
    cases = {
        "accept_bom.csv": bom + clean,
        "accept_crlf.csv": crlf,
        "accept_cr_only.csv": text.replace("\n", "\r").encode(),
        "accept_bom_crlf.csv": bom + crlf,
        "accept_quote_all.csv": _write(rows, quoting=csv.QUOTE_ALL).encode(),
        "accept_no_final_newline.csv": clean.rstrip(b"\n"),
        "accept_trailing_empty_rows.csv": clean + b",,,,,,\n\n   \n" + b"," * 20 + b"\n\n",
        "accept_blank_lines.csv": b"\n\n" + clean.replace(b"\nus-ceasefire", b"\n\n,,,\n   \nus-ceasefire"),
        "accept_header_case.csv": (",".join(h.upper() if i % 2 else h.title() for i, h in enumerate(header)) + "\n").encode() + _write(body).encode(),
    }
    # Padded cells: '  x  ' and '  "a, b"  ' (spaces outside the quotes), header included.
    padded = "".join(",".join(f"  {_quote(c)}  " for c in r) + "\n" for r in rows)
    cases["accept_surrounding_spaces.csv"] = padded.encode()
    # Spreadsheet leftovers: empty columns at the end, in the header too or only in the rows.
    cases["accept_trailing_empty_columns.csv"] = _write([r + ["", "", ""] for r in rows]).encode()
    cases["accept_trailing_commas_rows_only.csv"] = _write([header] + [r + ["", ""] for r in body]).encode()
    # Columns in another order.
    order = list(reversed(range(len(header))))
    cases["accept_columns_reordered.csv"] = _write([[r[i] for i in order] for r in rows]).encode()
    # Unknown columns here and there: ignored.
    extra = [["notes"] + header[:5] + ["reviewer"] + header[5:] + ["checked"]]
    extra += [[f"note {i}"] + r[:5] + ["me, myself"] + r[5:] + ["yes"] for i, r in enumerate(body)]
    cases["accept_unknown_columns.csv"] = _write(extra).encode()
    # Numbers with thousands separators, in quoted cells (as Excel writes 1,200).
    v = header.index("value")
    thousands = [header] + [r[:v] + [f"{int(r[v]):,}" if r[v] else ""] + r[v + 1:] for r in body]
    cases["accept_thousands_separator.csv"] = _write(thousands).encode()
    # What Excel on Windows saves: BOM, CRLF, quoted thousands, stray empty columns.
    excel = _write([r + ["", ""] for r in thousands]).replace("\n", "\r\n")
    cases["accept_excel_windows.csv"] = bom + excel.encode()
    # Only the required columns (so only events, which need nothing else).
    required = ["id", "date", "kind", "topic", "summary", "source_id"]
    idx = [header.index(c) for c in required]
    events = [r for r in body if r[header.index("kind")] == "event"]
    cases["accept_required_columns_only.csv"] = _write([required] + [[r[i] for i in idx] for r in events]).encode()
    # A 100,000-character quote.
    q = header.index("quote")
    long_row = list(body[3])
    long_row[q] = ("We can say that Shushi is a battlefield, " * 2500)[:100_000]
    cases["accept_long_quote.csv"] = _write([header, long_row]).encode()
    return cases


def _xlsx() -> bytes:
    """A real (minimal) Excel workbook: one sheet, one header row."""
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="statements" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        + "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(["id", "date", "kind", "topic", "summary", "source_id"]))
        + "</row></sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 11, 8, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return out.getvalue()


def _pdf() -> bytes:
    """A one-page PDF that prints the header row."""
    stream = b"BT /F1 10 Tf 20 100 Td (id,date,kind,topic,summary,source_id) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def refuse_cases() -> dict[str, bytes]:
    rows = _rows()
    header, body = rows[0], rows[1:]
    clean_text = CLEAN.read_text(encoding="utf-8")
    few = [header] + body[2:5]  # aliyev-takes-shusha (line 2), aliyev-liberation-history (3), hovhannisyan-battles-continue (4)
    # Windows-1252: an en dash and an accented name on line 4.
    w1252 = [list(r) for r in few]
    w1252[3][3] = "(not stated – after Azerbaijan's announcement)"
    w1252[3][8] = "Facebook post, relayed by Agence France-Presse (Régis Genté)"
    # Windows-1251: the Armenian official's words in Russian on line 4.
    w1251 = [list(r) for r in few]
    w1251[3][14] = "Бои в Шуши продолжаются - ждите и верьте в наши войска"
    # A NUL byte on line 3, past the first 4 KB (where a file is sniffed for being binary).
    nul = [list(r) for r in few]
    nul[1][14] = "go down in the history of the Azerbaijani people " * 100
    nul[2][5] = "Artsrun\x00Hovhannisyan"
    return {
        "refuse_nul_byte.csv": _write(nul).encode(),
        "refuse_xlsx.csv": _xlsx(),
        "refuse_xls.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Workbook" + bytes(512),
        "refuse_pdf.csv": _pdf(),
        "refuse_gzip.csv": gzip.compress(clean_text.encode(), mtime=0),
        "refuse_binary.csv": bytes(range(256)) * 8,
        "refuse_not_utf8_cp1252.csv": _write(w1252).encode("cp1252"),
        "refuse_not_utf8_cp1251.csv": _write(w1251).encode("cp1251"),
        "refuse_utf16.csv": _write(few).encode("utf-16"),
        "refuse_utf16_no_bom.csv": _write(few).encode("utf-16-le"),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, data in {**accept_cases(), **refuse_cases()}.items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
    if stale:
        print("out of date (run python tests/bad_inputs/make_cases.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
