"""Reading and writing files safely.

Reading: `read_regular` accepts only a regular file (after following symbolic links; a link that
loops or dangles is named), opens it without waiting (a FIFO never blocks), checks the opened
file descriptor (so a swap between check and open cannot slip a device in) and reads at most
`limit` bytes, whatever the file claims to hold (devices and /proc files say 0).

Writing: `atomic_write` writes beside the target and renames over it, so readers see the old
content or the new, never half of either; it never replaces a symbolic link, a FIFO, a device
or a folder (`check_output_file`).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError

CHUNK = 1 << 20


def kind_of(mode: int) -> str:
    """What a file is, in words ('a named pipe (FIFO)', 'a character device', ...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


class FileProblem(InputError):
    """A path that cannot be read as a regular file: `str()` is `PATH: REASON` (exit 2).

    `kind` is 'folder', 'fifo', 'device', 'socket', 'loop', 'dangling', 'missing', 'too-large' or 'unreadable'.
    """

    def __init__(self, path, reason: str, kind: str):
        self.path, self.reason, self.kind = str(path), reason, kind
        super().__init__(f"{path}: {reason}")


def _not_regular(path, mode: int) -> FileProblem:
    kind = kind_of(mode)
    short = {"a folder": "folder", "a named pipe (FIFO)": "fifo", "a socket": "socket"}.get(kind, "device")
    return FileProblem(path, f"expected a regular file, not {kind}", short)


def _link_problem(path, err: OSError) -> FileProblem:
    if err.errno == errno.ELOOP:
        return FileProblem(path, "expected a regular file: the symbolic link loops", "loop")
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return FileProblem(path, f"expected a regular file: the symbolic link points to {target}, which does not exist", "dangling")


def check_link(path) -> None:
    """A path that is a symbolic link must lead somewhere: a loop or a dangling link is a FileProblem."""
    try:
        st = os.lstat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise FileProblem(path, "expected a regular file: the symbolic link loops", "loop") from None
        return
    if stat.S_ISLNK(st.st_mode):
        try:
            os.stat(path)
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENOENT, errno.ENOTDIR):
                raise _link_problem(path, err) from None


def open_regular(path) -> int:
    """A blocking read-only file descriptor on a regular file, else a FileProblem (the caller closes it)."""
    check_link(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise FileProblem(path, "expected a regular file: the symbolic link loops", "loop") from None
        kind = "missing" if err.errno == errno.ENOENT else "unreadable"
        raise FileProblem(path, f"cannot read the file: {err.strerror or err}", kind) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path, *, limit: int, too_large: str | None = None) -> bytes:
    """The bytes of a regular file, at most `limit` of them; else a FileProblem saying why not.

    `too_large` is the message when the file holds more than `limit` bytes (`{size}` and `{limit}`
    are filled in; size is a lower bound when the file does not say).
    """
    fd = open_regular(path)

    def refuse(size: int) -> FileProblem:
        text = too_large or "the file is {size:,} bytes, more than the limit of {limit:,}"
        return FileProblem(path, text.format(size=size, limit=limit), "too-large")

    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise refuse(size)
        parts, total = [], 0
        while True:
            block = os.read(fd, min(CHUNK, limit + 1 - total))
            if not block:
                break
            parts.append(block)
            total += len(block)
            if total > limit:
                raise refuse(total)
        return b"".join(parts)
    except OSError as err:
        raise FileProblem(path, f"cannot read the file: {err.strerror or err}", "unreadable") from None
    finally:
        os.close(fd)


def check_output_file(path, flag: str = "--out") -> None:
    """A file about to be written must be a regular file or not exist yet (never a link, FIFO, device or folder)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise InputError(f"{flag}: {path}: expected a regular file or a new file name: {err.strerror or err}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{flag}: {path}: expected a regular file or a new file name, not {kind_of(st.st_mode)}")


def check_output_folder(folder, flag: str = "--out") -> None:
    """An output folder must be a folder we can write to, or a name we can create (its nearest existing parent writable)."""
    folder = Path(folder)
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        parent = folder.absolute().parent
        while True:
            try:
                pst = os.stat(parent)
                break
            except FileNotFoundError:
                parent = parent.parent
            except OSError as err:
                raise InputError(f"{flag}: {folder}: expected a folder you can write to: {err.strerror or err}") from None
        if not stat.S_ISDIR(pst.st_mode):
            raise InputError(f"{flag}: {folder}: expected a folder, but {parent} is a file") from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(f"{flag}: {folder}: expected a folder you can write to (cannot create it in {parent})") from None
        return
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(f"{flag}: {folder}: expected a folder: the symbolic link loops") from None
        if err.errno == errno.ENOTDIR:
            raise InputError(f"{flag}: {folder}: expected a folder, but a part of the path is a file") from None
        raise InputError(f"{flag}: {folder}: expected a folder you can write to: {err.strerror or err}") from None
    if stat.S_ISREG(st.st_mode):
        raise InputError(f"{flag}: {folder}: expected a folder, but it is a file")
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"{flag}: {folder}: expected a folder, not {kind_of(st.st_mode)}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{flag}: {folder}: expected a folder you can write to")


def atomic_write(path: Path | str, data: str | bytes, *, newline: str | None = None, flag: str = "--out") -> None:
    """Write beside the target under a unique name, fsync, then rename over it.

    Text is encoded as UTF-8; `newline=""` keeps line endings as given (CSV writers).
    The file gets the permissions a plain `open()` would give under the current umask.
    A target that exists and is not a regular file is refused (InputError naming `flag`).
    """
    path = Path(path)
    check_output_file(path, flag)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        if newline not in (None, "", "\n"):
            data = data.replace("\n", newline)
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        check_output_file(path, flag)  # once more, just before the rename
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_head(path, size: int) -> bytes:
    """The first `size` bytes of a regular file; b"" for anything else (never blocks on a FIFO or a device)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, size)
    finally:
        os.close(fd)
