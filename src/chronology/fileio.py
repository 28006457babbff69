"""Writing files so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path | str, data: str | bytes, *, newline: str | None = None) -> None:
    """Write beside the target under a unique name, fsync, then rename over it.

    Text is encoded as UTF-8; `newline=""` keeps line endings as given (CSV writers).
    The file gets the permissions a plain `open()` would give under the current umask.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, str):
                if newline not in (None, "", "\n"):
                    data = data.replace("\n", newline)
                data = data.encode("utf-8")
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
