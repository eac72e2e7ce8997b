"""A webhook endpoint on 127.0.0.1 that keeps every JSON body posted to it (Apprise's json://)."""

import json
from http.server import BaseHTTPRequestHandler


def receiver() -> type[BaseHTTPRequestHandler]:
    """A handler class with its own `received` list: one per test, so no test sees another's posts."""

    class Receiver(BaseHTTPRequestHandler):
        received: list = []

        def do_POST(self):  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            type(self).received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    return Receiver
