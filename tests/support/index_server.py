"""A real package index on loopback: PEP 691 JSON and PEP 503 HTML pages, files
with optional HTTP range support, optional PEP 658 `.metadata` files, ETags,
and injected faults. Every request is logged so tests can assert what was
fetched."""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.wheels import FixtureFile, FixtureIndex

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT"


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    range: str | None
    if_none_match: str | None = None
    if_modified_since: str | None = None


@dataclass
class IndexServer:
    index: FixtureIndex
    metadata_files: bool = True
    ranges: bool = True
    html_only: bool = False
    # Pages carry an ETag; with etags=False a Last-Modified date instead (If-Modified-Since).
    etags: bool = True
    # path -> faults consumed one per request: an HTTP status ("500", "429", "403"),
    # "garbage", "truncate", "corrupt" (one byte flipped, files and .metadata), "slow",
    # "drip" (a page sent one byte every `drip_seconds`: no read timeout ever fires),
    # "serve:<filename>" (another file's bytes under this name), "label-gzip" (a file sent
    # as is but labelled `Content-Encoding: gzip`, as misconfigured servers do with .tar.gz)
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    requests: list[Logged] = field(default_factory=list)
    slow_seconds: float = 3.0  # how long a "slow" fault stalls before answering
    drip_seconds: float = 0.25  # the pause between two bytes of a "drip" fault
    # Serve file URLs as absolute URLs on this host name (same server and port), as an
    # index whose files live on another host does; None: relative URLs.
    file_host: str | None = None

    def __post_init__(self) -> None:
        self._files = self.index.by_filename()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self, head=False)

            def do_HEAD(self) -> None:
                server._handle(self, head=True)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that time out and hang up are part of the tests

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return f"{self.base}/simple"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fetched(self, method: str = "GET") -> list[str]:
        """The paths requested with `method`, in order."""
        return [r.path for r in self.requests if r.method == method]

    def file(self, filename: str) -> FixtureFile:
        """The fixture file served as /files/<filename>."""
        return self._files[filename]

    # pages

    def _file_url(self, filename: str) -> str:
        if self.file_host is None:
            return f"../../files/{filename}"
        port = self._httpd.server_address[1]
        return f"http://{self.file_host}:{port}/files/{filename}"

    def _json_page(self, name: str) -> bytes:
        files = []
        for f in self.index.files[name]:
            entry: dict[str, Any] = {
                "filename": f.filename,
                "url": self._file_url(f.filename),
                "hashes": {"sha256": f.sha256},
                "requires-python": f.requires_python,
                "size": len(f.data),
                "upload-time": f.uploaded,
                "yanked": False
                if f.yanked is None
                else (f.yanked or True),  # PEP 691: true, or the reason
            }
            if self.metadata_files:
                entry["core-metadata"] = {"sha256": hashlib.sha256(f.metadata).hexdigest()}
            files.append(entry)
        versions = sorted(
            {f.filename.split("-")[1].removesuffix(".tar.gz") for f in self.index.files[name]}
        )
        page = {"meta": {"api-version": "1.1"}, "name": name, "files": files, "versions": versions}
        return json.dumps(page, sort_keys=True).encode()

    def _html_page(self, name: str) -> bytes:
        links = []
        for f in self.index.files[name]:
            attrs = f'href="{self._file_url(f.filename)}#sha256={f.sha256}"'
            if f.requires_python:
                attrs += f' data-requires-python="{html.escape(f.requires_python)}"'
            if f.yanked is not None:
                attrs += f' data-yanked="{html.escape(f.yanked)}"'
            if self.metadata_files:
                attrs += f' data-core-metadata="sha256={hashlib.sha256(f.metadata).hexdigest()}"'
            links.append(f"<a {attrs}>{f.filename}</a><br/>")
        body = "<!DOCTYPE html><html><body><h1>Links for {}</h1>{}</body></html>".format(
            name, "\n".join(links)
        )
        return body.encode()

    # dispatch

    def _handle(self, req: BaseHTTPRequestHandler, head: bool) -> None:
        path = req.path.split("?", 1)[0]
        with self._lock:  # handlers run in parallel threads
            self.requests.append(
                Logged(
                    req.command,
                    path,
                    req.headers.get("Range"),
                    req.headers.get("If-None-Match"),
                    req.headers.get("If-Modified-Since"),
                )
            )
            queue = self.faults.get(path)
            fault = queue.pop(0) if queue else None
        if fault is not None and fault.isdigit():
            return self._send(req, int(fault), b"canned failure", "text/plain", head)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if path.startswith("/simple/"):
            name = path[len("/simple/") :].strip("/")
            if name not in self.index.files:
                return self._send(req, 404, b"not found", "text/plain", head)
            accept = req.headers.get("Accept", "")
            if JSON_TYPE in accept and not self.html_only:
                body, kind = self._json_page(name), JSON_TYPE
            else:
                body, kind = self._html_page(name), "text/html"
            if fault == "garbage":
                body = b'{"files": [{"filename": 12'
            if self.etags:
                validator = {"ETag": '"' + hashlib.sha256(body).hexdigest()[:16] + '"'}
                unchanged = req.headers.get("If-None-Match") == validator["ETag"]
            else:  # the fixture pages never change: one fixed date
                validator = {"Last-Modified": LAST_MODIFIED}
                unchanged = req.headers.get("If-Modified-Since") == LAST_MODIFIED
            if unchanged:
                return self._send(req, 304, b"", kind, head, validator)
            if fault == "drip":
                return self._drip(req, body, kind)
            return self._send(req, 200, body, kind, head, validator, truncate=fault == "truncate")
        if path.startswith("/files/"):
            filename = path[len("/files/") :]
            if filename.endswith(".metadata") and self.metadata_files:
                found = self._files.get(filename.removesuffix(".metadata"))
                if found is None:
                    return self._send(req, 404, b"", "text/plain", head)
                metadata = found.metadata
                if fault == "corrupt":
                    metadata = metadata[:-1] + bytes([metadata[-1] ^ 0xFF])
                return self._send(req, 200, metadata, "text/plain", head)
            found = self._files.get(filename)
            if found is None:
                return self._send(req, 404, b"", "text/plain", head)
            data = found.data
            if fault == "corrupt":
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            elif fault is not None and fault.startswith("serve:"):
                data = self._files[fault.removeprefix("serve:")].data
            extra = {"Accept-Ranges": "bytes"} if self.ranges else {}
            if fault == "label-gzip":
                extra["Content-Encoding"] = "gzip"
            wanted = req.headers.get("Range")
            if self.ranges and wanted and wanted.startswith("bytes="):
                first_text, _, last_text = wanted[len("bytes=") :].partition("-")
                try:
                    if first_text == "":
                        first, last = max(0, len(data) - int(last_text)), len(data) - 1
                    else:
                        first = int(first_text)
                        last = min(int(last_text), len(data) - 1) if last_text else len(data) - 1
                except ValueError:
                    first, last = len(data), 0
                if first > last:
                    extra["Content-Range"] = f"bytes */{len(data)}"
                    return self._send(req, 416, b"", "text/plain", head, extra)
                extra["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
                return self._send(
                    req, 206, data[first : last + 1], "application/octet-stream", head, extra
                )
            return self._send(
                req,
                200,
                data,
                "application/octet-stream",
                head,
                extra,
                truncate=fault == "truncate",
            )
        return self._send(req, 404, b"", "text/plain", head)

    def _drip(self, req: BaseHTTPRequestHandler, body: bytes, kind: str) -> None:
        req.send_response(200)
        req.send_header("Content-Type", kind)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        try:
            for byte in body:
                req.wfile.write(bytes([byte]))
                req.wfile.flush()
                time.sleep(self.drip_seconds)
        except OSError:  # the client gave up: what a deadline is for
            req.close_connection = True

    def _send(
        self,
        req: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        kind: str,
        head: bool,
        headers: dict[str, str] | None = None,
        truncate: bool = False,
    ) -> None:
        req.send_response(status)
        req.send_header("Content-Type", kind)
        req.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            req.send_header(key, value)
        if truncate:
            req.send_header("Connection", "close")
        req.end_headers()
        if head or status == 304:
            return
        req.wfile.write(body[: len(body) // 2] if truncate else body)
        if truncate:
            req.close_connection = True
