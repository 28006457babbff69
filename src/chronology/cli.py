"""Command line: `python -m chronology validate|render|timeline|schema|pdf`.

Every subcommand's arguments are parsed here, and only here. Exit codes: 0 success; any
`ChronologyError` is its message (no traceback) and its `exit_code` (2 bad data, parameters or
arguments, 1 a render or a print that failed); anything else is "internal error", exit 1.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import time
from pathlib import Path

from .errors import EXIT_FAILED, EXIT_SIGINT, ChronologyError, InputError, Interrupted, UsageError

# jsonschema (imported by nbformat) builds an RFC 3987 grammar at import, about 1.6 s of CPU, for a
# URL format check this command never uses; it runs while the kernel starts and competes with it.
# The kernel is left as it is.
sys.modules.setdefault("rfc3987_syntax", None)

class Problems(InputError):
    """A list of problems under its own heading line (bad data): printed as it is, without "error: "."""


def message(err: ChronologyError) -> str:
    """How an error reads on stderr."""
    return str(err) if isinstance(err, (Problems, Interrupted)) else f"error: {err}"


# ---------------------------------------------------------------- validate, schema


def _validate(args) -> int:
    from .load import DataError, validate_files

    problems = validate_files([Path(f) for f in args.files])
    if problems:
        raise Problems(DataError(problems).message(args.max_problems))
    if not args.quiet:
        print(f"ok: {len(args.files)} file{'s' if len(args.files) != 1 else ''} valid")
    return 0


def _schema(args) -> int:
    from .schema import datapackage

    text = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        from .fileio import atomic_write

        if os.path.isdir(args.out):
            raise InputError(f"schema --out: {args.out}: expected a file name, not a folder")
        try:
            atomic_write(Path(args.out), text, flag="schema --out")
        except OSError as err:
            raise InputError(f"schema --out: {args.out}: expected a file name you can write to: {err.strerror or err}") from None
    else:
        sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- render


def parse_parameters(pairs: list[list[str]], params_file: str | None, notebook: Path | None = None) -> dict:
    """-f YAML first (the safe loader of params_file.load_yaml), then -p NAME VALUE pairs typed by the notebook's declared types."""
    from .render import gather_parameters

    values, _ = gather_parameters(pairs, params_file, notebook)
    return values


def _render(args) -> int:
    from .render import check_data_path, check_render, gather_parameters, resolve_notebook

    given = [name for name, _ in args.parameter]
    if args.data and "statements_csv" in given:
        raise UsageError("--data and -p statements_csv name the same thing: give one of them")
    for name, _ in args.vary:
        if name in given:
            raise UsageError(f"-p {name} and --vary {name}: give the parameter once")
    nb_path = resolve_notebook(args.notebook)
    parameters, origin = gather_parameters(args.parameter, args.parameters_file, nb_path)
    if args.data:
        check_data_path(args.data)
        parameters["statements_csv"] = args.data
        origin.pop("statements_csv", None)
    out_dir = Path(args.out) if args.out else None
    if args.check_only:
        check_render(nb_path, parameters, out_dir=out_dir, name=args.name, origin=origin, vary=args.vary)
        print("ok: the render would start (nothing was run or written)")
        return 0
    if args.vary:
        from .batch import render_batch

        results = render_batch(str(nb_path), parameters, args.vary, out_dir=out_dir, stem=args.name, timeout=args.timeout, quiet=args.quiet, origin=origin)
        for name, text, code in results:
            print(text if not code else f"error: {name}: {text}", file=sys.stderr if code else sys.stdout)
        return max((code for _, _, code in results), default=0)
    from .render import render

    print(render(nb_path, parameters, out_dir=out_dir, name=args.name, timeout=args.timeout, quiet=args.quiet, origin=origin))
    return 0


def positive_seconds(text: str) -> int:
    """--timeout: a whole number of seconds greater than 0 (0 or less would mean no limit at all)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0 or value > 10**7:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number of seconds greater than 0")
    return value


def non_negative(text: str) -> int:
    """--max-problems: a whole number of 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number of 0 or more")
    return value


# ---------------------------------------------------------------- timeline export, import


def _emit(text: str, out: str | Path | None) -> None:
    """To the file (atomically), else to standard output as UTF-8 whatever the locale."""
    if out:
        from .fileio import atomic_write

        folder = Path(out).parent
        if not folder.is_dir():  # atomic_write would make the folder; --out names a file in an existing one
            code = errno.ENOTDIR if folder.exists() else errno.ENOENT
            raise OSError(code, os.strerror(code), str(folder))
        atomic_write(Path(out), text)
        return
    stream = getattr(sys.stdout, "buffer", None)
    if stream is not None:
        sys.stdout.flush()
        stream.write(text.encode("utf-8"))
        stream.flush()
    else:
        sys.stdout.write(text)


def _timeline_export(args) -> int:
    from . import paths
    from .load import DataError, load_dataset
    from .params import check
    from .selection import Selection
    from .timelinejs_export import build_slides, export_csv, export_json

    data = Path(args.data) if args.data else paths.STATEMENTS_CSV
    try:
        ds = load_dataset(data)
    except DataError as err:
        raise Problems(err.message()) from None
    values: dict = {"statements_csv": str(data), "naming": args.naming}
    if args.start:
        values["start"] = args.start
    if args.end:
        values["end"] = args.end
    if args.parties is not None:
        values["parties"] = [p.strip() for p in args.parties.replace(";", ",").split(",") if p.strip()]
    params = check(values, known_parties=set(ds.parties["id"]))
    selection = Selection(params, ds)
    slides = build_slides(ds, selection.rows, args.naming, args.title, selection.names)
    text = export_json(slides) if args.format == "json" else export_csv(slides)
    try:
        _emit(text, args.out)
    except OSError as err:
        raise InputError(f"cannot write {args.out}: {err.strerror or err}") from None
    if args.out:
        print(f"wrote {args.out} ({len(slides) - 1} slides and a title slide, {args.format})", file=sys.stderr)
    return 0


def _timeline_import(args) -> int:
    from .dates import DateError, PartialDate
    from .load import DataError
    from .schema import SOURCES
    from .text import slugify
    from .timelinejs_import import SOURCE_ID, read_timeline
    from .timelinejs_write import check_plan, known_beside, plan_folder, statements_text, write_plan

    src, source_id = Path(args.file), args.source_id
    if not SOURCE_ID.match(source_id):
        raise UsageError(f"--source-id {source_id!r}: expected an identifier in lower case letters, digits, '-' or '_' (for example {slugify(source_id) or 'my-timeline'!r})")
    published = (args.published or "").strip()
    if published:
        try:
            PartialDate.parse(published)
        except DateError as err:
            raise UsageError(f"--published {published!r}: {err}") from None
    out = Path(args.out) if args.out else None
    place_ids, known = known_beside(out)
    try:
        imported = read_timeline(
            src, source_id=source_id, party_default=" ".join((args.party_default or "").split()), place_ids=place_ids,
            known_parties={pid: r["name"] for pid, r in known.items()},
        )
    except DataError as err:
        raise Problems(err.message()) from None
    if imported.title:
        print(f"# title: {imported.title}", file=sys.stderr)
    for note in imported.notes:
        print(f"# {note}", file=sys.stderr)
    if out is None:
        _emit(statements_text(imported), None)
        parties = ", ".join(imported.parties) or "none"
        print(f"# {len(imported.statements)} rows; use --out FILE to also write parties.csv (parties: {parties}) and sources.csv (source: {source_id})", file=sys.stderr)
        return 0
    if not out.parent.is_dir() and out.parent.exists():
        raise InputError(f"--out: {out.parent}: expected a folder, but it is a file")
    try:
        plan = plan_folder(imported, src, out, source_id=source_id, side=args.side, published=published)
        check_plan(plan, out)
    except DataError as err:
        raise Problems("nothing was written: the imported rows do not validate together with the files beside them:\n" + err.message()) from None
    try:
        write_plan(plan)
    except OSError as err:
        raise InputError(f"cannot write beside {out}: {err.strerror or err}") from None
    written = ", ".join(p.name for p in plan.texts if p != out)
    print(f"wrote {out} ({len(imported.statements)} rows)" + (f" and {written}" if written else "") + f" (new parties: {plan.new_parties})", file=sys.stderr)
    if plan.published_gap:
        print(f"# {SOURCES.filename}: {source_id}: published is empty: expected the publication date: fill it in, or import again with --published YYYY[-MM[-DD]], before `validate`", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- pdf


def _preview(args) -> int:
    from .preview import run

    return run(args)


def paper_size(text: str) -> str:
    """'a4' -> 'A4', 'letter' -> 'Letter'; anything else is refused (argparse prints the message)."""
    from .pdf import PAPERS

    try:
        return PAPERS[str(text).strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected A4 or Letter") from None


def _pdf(args) -> int:
    from . import paths
    from .pdf import page_count, print_pdf

    out_dir = Path(args.out) if args.out else paths.REPORTS_DIR
    html_path = Path(args.html) if args.html else out_dir / "handout.html"
    pdf_path = out_dir / (html_path.stem + ".pdf")
    started = time.monotonic()
    print_pdf(html_path, pdf_path, paper=args.paper)
    pages = page_count(pdf_path)
    size = pdf_path.stat().st_size
    shown = f"{pages} page{'s' if pages != 1 else ''}, " if pages is not None else ""
    print(f"wrote {pdf_path} ({shown}{args.paper}, {size / 1e3:.0f} kB, {time.monotonic() - started:.1f}s)")
    return 0


# ---------------------------------------------------------------- the parser


def _notebook_arguments(p, watched: bool = False) -> None:
    """What `render` and `preview` both take: the notebook, the data and its parameters."""
    note = "; the folder is watched" if watched else ""
    p.add_argument("--notebook", default="report", help="report or handout (or a path to a notebook)")
    p.add_argument("--data", help=f"statements CSV (places, parties, sources are looked up beside it){note}")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="a notebook parameter, typed as papermill types it")
    p.add_argument("-f", "--parameters-file", help="YAML file of parameters" + (" (watched: edits re-render)" if watched else ""))


def build_parser() -> argparse.ArgumentParser:
    from .schema import NAMINGS, SIDES

    default_source_id = "timelinejs-import"  # timelinejs_import.DEFAULT_SOURCE_ID, without importing pandas for --help
    parser = argparse.ArgumentParser(prog="python -m chronology", description="Command line: `python -m chronology validate|render|timeline|schema`.")
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check data files and print every problem")
    v.add_argument("files", nargs="+", help="CSV files (statements, places, parties, sources)")
    v.add_argument("--max-problems", type=non_negative, default=40, help="how many problems to list before counting the rest")
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing when the data is valid")
    v.set_defaults(func=_validate)

    r = sub.add_parser("render", help="render a notebook into a self-contained HTML report")
    _notebook_arguments(r)
    r.add_argument("--out", help="output folder (default: reports/)")
    r.add_argument("--name", help="file name stem of the report (default: the notebook's name)")
    r.add_argument("--quiet", action="store_true", default=None, help="no progress lines (the default when not on a terminal)")
    r.add_argument("--timeout", type=positive_seconds, default=600, help="seconds a cell may run before the render is stopped")
    r.add_argument("--vary", nargs=2, action="append", default=[], metavar=("NAME", "V1,V2"), help="render every combination of these values, spread over the cores (NAME-VALUE in each file name)")
    r.add_argument("--check-only", action="store_true", help="make every check render makes (arguments, parameters, notebook, output folder, data) and start no kernel: exit 0 if the render would start")
    r.set_defaults(func=_render)

    s = sub.add_parser("schema", help="print the Data Package descriptor (data/datapackage.json) built from the schema")
    s.add_argument("--out", help="write it to this file")
    s.set_defaults(func=_schema)

    p = sub.add_parser("pdf", help="print the handout (reports/handout.html) to PDF with headless Chromium")
    p.add_argument("--html", help="the page to print (default: OUT/handout.html, written by `make report`)")
    p.add_argument("--out", help="output folder for the PDF, named after the page (default: reports/)")
    p.add_argument("--paper", type=paper_size, default="A4", metavar="A4|Letter", help="paper size (default A4)")
    p.set_defaults(func=_pdf)

    w = sub.add_parser("preview", help="serve the report on 127.0.0.1, re-render it when the data or parameters change, reload the page")
    _notebook_arguments(w, watched=True)
    w.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 picks a free one)")
    w.add_argument("--out", help="output folder (default: a temporary folder, removed at exit)")
    w.add_argument("--timeout", type=positive_seconds, default=600, help="seconds a cell may run")
    w.set_defaults(func=_preview)

    t = sub.add_parser("timeline", help="export to or import from TimelineJS (Knight Lab) spreadsheets and JSON")
    tsub = t.add_subparsers(dest="timeline_command", required=True, metavar="export|import")
    e = tsub.add_parser("export", help="write the dataset as a TimelineJS spreadsheet (CSV) or TimelineJS JSON")
    e.add_argument("--data", help="statements CSV (places, parties, sources are looked up beside it; default: the bundled data)")
    e.add_argument("--format", choices=("csv", "json"), default="csv", help="csv: the 18-column spreadsheet to paste into the TimelineJS Google Sheet; json: TimelineJS3 JSON")
    e.add_argument("--naming", choices=NAMINGS, default="dual", help="place names in headlines (quotes never change; default dual)")
    e.add_argument("--title", help="title slide headline (default: the battle for Shusha in the chosen naming)")
    e.add_argument("--start", help="keep rows that end on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)")
    e.add_argument("--end", help="keep rows that start on or before this date")
    e.add_argument("--parties", metavar="ID,ID", help="keep only these parties' rows (ids in parties.csv, comma-separated)")
    e.add_argument("--out", help="write to this file (atomically) instead of standard output")
    e.set_defaults(func=_timeline_export)
    i = tsub.add_parser("import", help="turn a TimelineJS spreadsheet saved as CSV, or TimelineJS JSON, into statements.csv rows")
    i.add_argument("file", help="the TimelineJS spreadsheet saved as CSV (UTF-8), or TimelineJS JSON (title, events, eras)")
    i.add_argument("--out", help="statements CSV to write; parties.csv, sources.csv (and places.csv if missing) are written beside it")
    i.add_argument("--source-id", default=default_source_id, help=f"id of the sources.csv row the rows cite (default {default_source_id})")
    i.add_argument("--party-default", metavar="PARTY", help="party (a name or id in parties.csv, or a new name) for slides without a Group: they become statements instead of events")
    i.add_argument("--published", metavar="DATE", help="publication date of the imported timeline for its sources.csv row (YYYY, YYYY-MM or YYYY-MM-DD; default: empty, to fill in)")
    i.add_argument("--side", choices=SIDES, default="third-party", help="side of the conflict for new parties (default third-party; known party ids keep theirs)")
    i.set_defaults(func=_timeline_import)
    return parser


PENDING_SIGNAL: int | None = None  # the SIGINT/SIGTERM that interrupted this run (render.execute reads it)
HANDLING_SIGNALS = False  # main() installed _on_signal (render.execute keeps it through nbclient's own handlers)


def _on_signal(signum, frame) -> None:
    """First SIGINT/SIGTERM: raise Interrupted in the main thread, so every `finally` stops the kernel and
    removes temp files; a second one while that clean-up runs exits at once with the code."""
    global PENDING_SIGNAL
    if PENDING_SIGNAL is not None:
        os._exit(Interrupted(PENDING_SIGNAL).exit_code)
    PENDING_SIGNAL = signum
    raise Interrupted(signum)


def _install_signal_handlers() -> dict:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    old = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            old[signum] = signal.signal(signum, _on_signal)
        except (ValueError, OSError):
            pass
    return old


def main(argv: list[str] | None = None) -> int:
    global PENDING_SIGNAL, HANDLING_SIGNALS
    import signal

    args = build_parser().parse_args(argv)
    PENDING_SIGNAL = None
    handlers = _install_signal_handlers() if args.func is _render else {}  # preview installs its own
    HANDLING_SIGNALS = bool(handlers)
    try:
        return args.func(args)
    except ChronologyError as err:
        if PENDING_SIGNAL is not None and not isinstance(err, Interrupted):
            err = Interrupted(PENDING_SIGNAL)  # a failure caused by the signal (the kernel stopped by it)
        print(message(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except Exception as err:  # a bug of ours, not the user's input
        if PENDING_SIGNAL is not None:
            print("interrupted", file=sys.stderr)
            return Interrupted(PENDING_SIGNAL).exit_code
        if os.environ.get("CHRONOLOGY_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}\n(set CHRONOLOGY_DEBUG=1 to see the traceback)", file=sys.stderr)
        return EXIT_FAILED
    finally:
        HANDLING_SIGNALS = False
        for signum, old in handlers.items():
            signal.signal(signum, old)
