"""The Python kernel, started at once and warmed on a thread while the driver checks the inputs."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path


class Kernel:
    """A kernel started at once and warmed (the package imported) while the driver checks inputs."""

    WARM_UP = "import chronology.report, chronology.page\nchronology.page.enable_renderer()"

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.km = None
        # The kernel's own log (start-up notices, a crash) goes to a file, quoted when it fails.
        fd, log_path = tempfile.mkstemp(prefix="chronology-kernel-", suffix=".log")
        os.close(fd)
        self.log = open(log_path, "w")
        self.error: BaseException | None = None
        self.cancelled = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._start, daemon=True)
        self._thread.start()

    def _start(self) -> None:
        # Two kernels starting at the same moment (a batch on two cores) can pick the same free
        # port; the loser dies at start-up, so a failed start is tried again on fresh ports.
        for _attempt in range(3):
            try:
                self._start_once()
                self.error = None
                return
            except BaseException as err:  # reported when the kernel is first needed
                self.error = err
                with self._lock:
                    if self.cancelled:
                        return
                    if self.km is not None and self.km.has_kernel:
                        from jupyter_core.utils import run_sync

                        run_sync(self.km.shutdown_kernel)(now=True)
                    self.km = None

    def _start_once(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # Pages need the offline renderer and the page's outputs (not the notebook front ends': frontends.py).
        env = {**os.environ, "CHRONOLOGY_OUTPUTS": "page"}
        # An async manager, as nbclient's own: with a blocking client nbclient's event loop would
        # wait on a silent cell forever, and neither the timeout nor a dead kernel would be noticed.
        km = AsyncKernelManager(kernel_name="python3")
        with self._lock:
            if self.cancelled:
                return
            run_sync(km.start_kernel)(cwd=str(self.cwd), env=env, extra_arguments=["--HistoryManager.enabled=False"], stdout=self.log, stderr=self.log)
            self.km = km
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=120)
            # Wait for the imports too, so that --timeout counts a cell's own time, not the start-up's.
            reply = run_sync(kc.execute_interactive)(self.WARM_UP, silent=True, store_history=False, timeout=300)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the kernel could not import the package: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        finally:
            kc.stop_channels()

    def ready(self):
        from .render import RenderError

        self._thread.join()
        if self.error is not None:
            raise RenderError(f"the Python kernel did not start: {type(self.error).__name__}: {self.error}")
        return self.km

    def log_tail(self, lines: int = 8) -> str:
        self.log.flush()
        tail = Path(self.log.name).read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(line for line in tail if "without encryption" not in line)

    def shutdown(self) -> None:
        """Stop the kernel at once, ready or not (a refused render should not wait for it)."""
        with self._lock:
            self.cancelled = True
            if self.km is not None and self.km.has_kernel:
                from jupyter_core.utils import run_sync

                run_sync(self.km.shutdown_kernel)(now=True)
        # A kernel killed before it was ready leaves its start-up thread polling for up to a second:
        # it is a daemon and ends by itself.
        self._thread.join(timeout=0.2)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

