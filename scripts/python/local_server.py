"""A stdlib stand-in for the Rust `slow-server` crate, for the HTTP variants.

Same routes: GET /site/{name}?delay_ms=N answers after N ms with
{"site", "data", "delay_ms"}; GET /data/{id} answers with a small document;
status=CODE answers with that status, body=invalid with a body that is not
JSON, and a delay above 60,000 ms is refused with 400. It binds 127.0.0.1 on
an ephemeral port: nothing here leaves the machine.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_DELAY_MS = 60_000


class _SlowHandler(BaseHTTPRequestHandler):
    """The routes of the `slow-server` crate: /site/{name} and /data/{id}."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (the name http.server expects)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = url.path.strip("/").split("/")
        try:
            delay_ms = int(query.get("delay_ms", ["0"])[0])
            status = int(query.get("status", ["200"])[0])
        except ValueError:
            return self._send(400, {"error": "delay_ms and status must be numbers"})
        if delay_ms > MAX_DELAY_MS:
            return self._send(400, {"error": f"delay_ms must be at most {MAX_DELAY_MS}"})
        if len(parts) != 2 or parts[0] not in ("site", "data"):
            return self._send(404, {"error": f"no route {url.path}"})
        time.sleep(delay_ms / 1e3)
        if status != 200:
            return self._send(status, {"error": f"status {status} as asked"})
        if query.get("body") == ["invalid"]:
            return self._send(200, None)
        if parts[0] == "site":
            body = {"site": parts[1], "data": f"Data from website {parts[1]}", "delay_ms": delay_ms}
        else:
            body = {"id": parts[1], "title": f"document {parts[1]}", "completed": False}
        self._send(200, body)

    def _send(self, status, body):
        data = b"this is not JSON" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, *args):
        pass  # quiet: the demo's narrative is the output


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 4096  # 1,000 simultaneous connects must not wait for a SYN retry


class LocalServer:
    """A threaded stdlib HTTP server on 127.0.0.1:0, served from a background thread."""

    def __init__(self):
        self._server = _Server(("127.0.0.1", 0), _SlowHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def shutdown(self):
        self._server.shutdown()
        self._server.server_close()
