"""The preview's HTTP side: 127.0.0.1 only, the Host header checked (DNS rebinding), only files
inside the output folder served, POSTs only from the page itself, and server-sent events (/events)
that tell the open tab to reload. The render loop it shows is preview.Preview."""

from __future__ import annotations

import mimetypes
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from . import paths

PAGE_NAME = "report"  # the preview writes OUT/report.html (the last good render)
MAX_FORM_BYTES = 16_384

if TYPE_CHECKING:
    from .preview import Preview


def _templates():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / "preview")), autoescape=True, keep_trailing_newline=True)


def _clock(t: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t)) if t else ""


class Handler(BaseHTTPRequestHandler):
    server_version = "chronology-preview"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    @property
    def preview(self) -> Preview:
        return self.server.preview  # type: ignore[attr-defined]

    def log_message(self, format, *args):  # quiet: the terminal shows renders, not requests
        pass

    def _allowed_host(self) -> bool:
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        return host in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", extra: dict | None = None, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _refuse(self, status: int, text: str, head: bool = False) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8", head=head)

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        if not self._allowed_host():
            return self._refuse(HTTPStatus.FORBIDDEN, "forbidden: the preview answers only to 127.0.0.1 and localhost", head)
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            return self._send(HTTPStatus.OK, self._current_page(), head=head)
        if path == "/events":
            return self._events()
        if path == "/generation":
            return self._send(HTTPStatus.OK, str(self.preview.outcome.generation).encode(), "text/plain; charset=utf-8", head=head)
        return self._static(path, head)

    def do_POST(self):
        if not self._allowed_host():
            return self._refuse(HTTPStatus.FORBIDDEN, "forbidden: the preview answers only to 127.0.0.1 and localhost")
        port = self.server.server_address[1]
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
            return self._refuse(HTTPStatus.FORBIDDEN, "forbidden: the form must be sent from the preview page")
        if urlsplit(self.path).path != "/parameters":
            return self._refuse(HTTPStatus.NOT_FOUND, "not found")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_FORM_BYTES:
            return self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "form too large")
        fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        self.preview.set_form(fields)
        self._send(HTTPStatus.SEE_OTHER, b"", extra={"Location": "/"})

    def _current_page(self) -> bytes:
        pv = self.preview
        o = pv.outcome
        target = pv.s.out_dir / f"{PAGE_NAME}.html"
        last_good = _clock(o.last_good) if o.last_good and target.exists() else ""
        env = _templates()
        if o.ok:
            page = target.read_text(encoding="utf-8", errors="replace")
            status = f"rendered {_clock(o.finished)} in {o.seconds:.1f} s"
            last_good = ""
        elif o.ok is None:
            page = env.get_template("error.html.j2").render(heading="Rendering\u2026", message="", waiting=True, last_good="")
            status = "rendering\u2026"
        else:
            page = env.get_template("error.html.j2").render(heading="The report could not be rendered", message=o.message, waiting=False, last_good=last_good)
            status = "error: see the page"
        from .params import AUDIENCES
        from .schema import NAMINGS

        panel = env.get_template("panel.html.j2").render(
            generation=o.generation, status=status, values=pv.form_values(), namings=NAMINGS, audiences=AUDIENCES, last_good=last_good, open=bool(pv.s.form) or o.ok is False
        )
        at = page.lower().rfind("</body>")
        page = page[:at] + panel + page[at:] if at >= 0 else page + panel
        return page.encode("utf-8")

    def _events(self) -> None:
        pv = self.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            sent = None
            last_beat = time.monotonic()
            while not pv.stopping.is_set() and not self.server.closing:  # type: ignore[attr-defined]
                gen = pv.outcome.generation
                if gen != sent:
                    self.wfile.write(f"event: rendered\ndata: {gen}\n\n".encode())
                    self.wfile.flush()
                    sent = gen
                with pv.changed:
                    pv.changed.wait(1.0)
                if pv.rendering and getattr(self, "_said_rendering", None) != gen:
                    self.wfile.write(b"event: rendering\ndata: \n\n")
                    self.wfile.flush()
                    self._said_rendering = gen
                if time.monotonic() - last_beat > 10:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    last_beat = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def _static(self, path: str, head: bool) -> None:
        """A file inside the output folder, or 404: no listings, no way out (.., symlinks, hidden files)."""
        root = self.preview.s.out_dir.resolve()
        rel = unquote(path).lstrip("/")
        parts = [p for p in rel.split("/") if p]
        if not parts or "\x00" in rel or "\\" in rel or any(p in (".", "..") or p.startswith(".") for p in parts):
            return self._refuse(HTTPStatus.NOT_FOUND, "not found", head)
        try:
            target = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):
            return self._refuse(HTTPStatus.NOT_FOUND, "not found", head)
        if not target.is_relative_to(root) or target == root or not target.is_file():
            return self._refuse(HTTPStatus.NOT_FOUND, "not found", head)
        try:
            body = target.read_bytes()
        except OSError:
            return self._refuse(HTTPStatus.NOT_FOUND, "not found", head)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("image/svg+xml", "application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, body, kind, head=head)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    closing = False

    def __init__(self, port: int, preview: Preview):
        self.preview = preview
        super().__init__(("127.0.0.1", port), Handler)


