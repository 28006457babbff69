"""The one family of errors the command line turns into a message and an exit code.

Every error a user can cause (bad data, bad parameters, a bad path) is a `ChronologyError`
whose `exit_code` is 2; a failure of ours or of a tool is exit 1; an interrupted run
is 130 (SIGINT) or 143 (SIGTERM). The CLI prints `str(error)` and exits with the code,
never a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class ChronologyError(Exception):
    """Base class: a message for the user and the exit code that goes with it."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str = "", exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(ChronologyError):
    """Something the user gave us is wrong: a file, a path, an argument, a parameter."""

    exit_code = EXIT_BAD_INPUT


class UsageError(InputError):
    """Command-line arguments that do not fit together."""


class Interrupted(ChronologyError):
    """SIGINT or SIGTERM arrived; everything started was stopped and cleaned up."""

    def __init__(self, signum: int = 2):
        code = EXIT_SIGTERM if signum == 15 else EXIT_SIGINT
        super().__init__("interrupted", code)
