"""Command line: `python -m chronology validate|render|timeline|schema`.

Exit codes: 0 success, 2 bad data or parameters (a message, no traceback), 1 internal failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# jsonschema (imported by nbformat) builds an RFC 3987 grammar at import, about 1.6 s of CPU, for a
# URL format check this command never uses; it runs while the kernel starts and competes with it.
# The kernel is left as it is.
sys.modules.setdefault("rfc3987_syntax", None)

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad parameters or arguments: printed as a message, exit 2."""


def _validate(args) -> int:
    from .load import validate_files

    problems = validate_files([Path(f) for f in args.files])
    if problems:
        from .load import DataError

        print(DataError(problems).message(args.max_problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.quiet:
        print(f"ok: {len(args.files)} file{'s' if len(args.files) != 1 else ''} valid")
    return 0


def _schema(args) -> int:
    from .schema import datapackage

    text = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _render(args) -> int:
    from .render import render_from_cli

    return render_from_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chronology", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check data files and print every problem")
    v.add_argument("files", nargs="+", help="CSV files (statements, places, parties, sources)")
    v.add_argument("--max-problems", type=int, default=40, help="how many problems to list before counting the rest")
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing when the data is valid")
    v.set_defaults(func=_validate)

    r = sub.add_parser("render", help="render a notebook into a self-contained HTML report")
    r.add_argument("--notebook", default="report", help="report or handout (or a path to a notebook)")
    r.add_argument("--data", help="statements CSV (places, parties, sources are looked up beside it)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="a notebook parameter, typed as papermill types it")
    r.add_argument("-f", "--parameters-file", help="YAML file of parameters")
    r.add_argument("--out", help="output folder (default: reports/)")
    r.add_argument("--name", help="file name stem of the report (default: the notebook's name)")
    r.add_argument("--quiet", action="store_true", default=None, help="no progress lines (the default when not on a terminal)")
    r.add_argument("--timeout", type=int, default=600, help="seconds a cell may run before the render is stopped")
    r.add_argument("--vary", nargs=2, action="append", default=[], metavar=("NAME", "V1,V2"), help="render every combination of these values, spread over the cores (NAME-VALUE in each file name)")
    r.set_defaults(func=_render)

    s = sub.add_parser("schema", help="print the Data Package descriptor (data/datapackage.json) built from the schema")
    s.add_argument("--out", help="write it to this file")
    s.set_defaults(func=_schema)

    from .pdf import add_cli as add_pdf_cli  # `pdf`: print the handout with headless Chromium

    add_pdf_cli(sub)

    from .preview import add_cli as add_preview_cli  # `preview`: serve, watch, re-render, reload

    add_preview_cli(sub)

    try:
        from .timeline import add_cli
    except ImportError:
        pass
    else:
        add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug of ours, not the user's input
        if os.environ.get("CHRONOLOGY_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}\n(set CHRONOLOGY_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
