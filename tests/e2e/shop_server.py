"""A shop's own web server on loopback, serving pages that embed the widget (for the browser
tests: an allowed shop origin, and a stranger's origin)."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator


def shop_page(widget_src: str, config_json: str) -> str:
    """A shop's page embedding the widget the documented way: a config and one script tag."""
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>店铺</title>
<script>window.kefuConfig = {config_json};</script>
<script src="{widget_src}" defer></script></head><body><h1>我们的店</h1></body></html>"""


@contextmanager
def serving(port: int, pages: Dict[str, str]) -> Iterator[str]:
    """Serve `pages` (path → HTML) on 127.0.0.1:`port`; yields the server's origin."""

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
