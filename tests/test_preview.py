"""`python -m chronology preview`: a subprocess on a free port, a copy of the data, edits seen in the page."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from chronology import paths

PROJECT = Path(__file__).resolve().parents[1]
FIRST_RENDER = 240  # s: a cold kernel on a loaded 2-core machine
EDIT_WAIT = 90  # s: bounded wait for an edit to reach the page (about a second on an idle machine)
ORIGINAL = "Fresh fighting erupts over {nagorno-karabakh}."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, path: str = "/", *, method: str = "GET", host: str | None = None, headers: dict | None = None, body: bytes | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_for(port: int, proc: subprocess.Popen, predicate, timeout: float, path: str = "/") -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"preview exited with {proc.returncode}"
        try:
            status, page = request(port, path)
            if status == 200 and predicate(page):
                return page
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout} s; the page began: {page[:500]!r}")


def kernels_of(pid: int) -> list[int]:
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for c in children:
        try:
            if "ipykernel_launcher" in " ".join(c.cmdline()):
                out.append(c.pid)
        except psutil.Error:
            pass
    return out


def alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def edit(csv: Path, old: str, new: str) -> None:
    text = csv.read_text(encoding="utf-8")
    assert old in text
    tmp = csv.with_name(".statements.csv.tmp")
    tmp.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(tmp, csv)  # as editors save: a new file in place of the old


@pytest.fixture()
def preview(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for f in ("statements.csv", "places.csv", "parties.csv", "sources.csv"):
        shutil.copy(paths.DATA_DIR / f, data / f)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "src"))
    env.pop("CHRONOLOGY_LAB", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chronology", "preview", "--data", str(data / "statements.csv"), "--port", str(port), "--out", str(tmp_path / "out")],
        cwd=PROJECT, env=env, stdout=(tmp_path / "stdout").open("w"), stderr=(tmp_path / "stderr").open("w"),
    )
    try:
        yield proc, port, data / "statements.csv", tmp_path
    finally:
        if proc.poll() is None:
            kernels = kernels_of(proc.pid)
            proc.kill()
            proc.wait()
            for k in kernels:
                try:
                    os.kill(k, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def test_preview_edit_error_fix_and_stop(preview):
    proc, port, csv, tmp_path = preview
    page = wait_for(port, proc, lambda p: "At a glance" in p, FIRST_RENDER)
    assert "Fresh fighting erupts" in page
    assert "new EventSource('/events')" in page  # the reload script, added at serve time...
    assert "EventSource" not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")  # ...not written into the report
    kernels = kernels_of(proc.pid)
    assert len(kernels) == 1

    # An edit reaches the page.
    edit(csv, ORIGINAL, "Fresh fighting erupts over {nagorno-karabakh} PREVIEW-EDIT-ONE.")
    wait_for(port, proc, lambda p: "PREVIEW-EDIT-ONE" in p, EDIT_WAIT)

    # Bad data: the loader's message, escaped, in place of the report; the last good render one click away.
    edit(csv, "fighting-erupts,2020-09,", "fighting-erupts,<b>2020-13</b>,")
    page = wait_for(port, proc, lambda p: "could not be rendered" in p, EDIT_WAIT)
    assert "statements.csv:5: date: &#39;&lt;b&gt;2020-13&lt;/b&gt;&#39;: expected" in page
    assert "<b>2020-13</b>" not in page
    assert 'href="/report.html"' in page
    status, last_good = request(port, "/report.html")
    assert status == 200 and "PREVIEW-EDIT-ONE" in last_good and "At a glance" in last_good
    assert proc.poll() is None and kernels_of(proc.pid) == kernels  # bad data never reached the kernel

    # Fixed: the report again, with the edit.
    edit(csv, "fighting-erupts,<b>2020-13</b>,", "fighting-erupts,2020-09,")
    page = wait_for(port, proc, lambda p: "At a glance" in p and "PREVIEW-EDIT-ONE" in p, EDIT_WAIT)
    assert "could not be rendered" not in page

    # Safe by default: other hosts, other origins, paths out of the output folder, listings.
    assert request(port, "/", host=f"evil.example:{port}")[0] == 403
    assert request(port, "/", host="127.0.0.1")[0] == 403
    assert request(port, "/", host=f"localhost:{port}")[0] == 200
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/report_files/", "/report_files", "/.partial", "/..%2f..%2fetc%2fpasswd"):
        assert request(port, path)[0] == 404, path
    (tmp_path / "out" / "escape.html").symlink_to("/etc/passwd")
    assert request(port, "/escape.html")[0] == 404
    form = urllib.parse.urlencode({"naming": "armenian"}).encode()
    assert request(port, "/parameters", method="POST", body=form, headers={"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"})[0] == 403

    # Parameters from the page itself.
    status, _ = request(port, "/parameters", method="POST", body=form, headers={"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303
    wait_for(port, proc, lambda p: "&#34;naming&#34;: &#34;armenian&#34;" in p or '"naming": "armenian"' in p or "&quot;naming&quot;: &quot;armenian&quot;" in p, EDIT_WAIT)

    # Ctrl-C: a prompt, clean exit and no kernel left behind.
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("preview did not stop within 20 s of SIGINT")
    assert time.monotonic() - started < 20
    assert proc.returncode in (0, 130), (tmp_path / "stderr").read_text()
    deadline = time.monotonic() + 5
    while any(alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(k) for k in kernels), "a kernel was left running"
