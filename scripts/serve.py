"""Preview the built book as the hosted site serves it.

The hosted book lives under an address prefix (``/convbook/`` on GitHub
Pages), and its 404 page links its stylesheets and the start page under that
prefix, since it is served for any missing address. This server therefore
serves ``_build/html`` under the same prefix (read from the built 404 page,
so it always matches the build), answers unknown addresses with the 404 page
and status 404, and sends ``/`` to the book's start page.

Usage: ``python scripts/serve.py [--port 8000] _build/html`` (``make serve``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit


def site_prefix(site: Path) -> str:
    """Return the address prefix the site was built for (``/convbook/``)."""
    page = site / "404.html"
    if not page.is_file():
        raise SystemExit(f"serve: {page} is missing; build the book first (make html)")
    match = re.search(r'href="(/[^"]*?)_static/', page.read_text(encoding="utf-8"))
    return match.group(1) if match else "/"


class Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if path.startswith(self.prefix):
            return super().translate_path("/" + path[len(self.prefix) :])
        return super().translate_path("/.no-such-file")  # outside the book: 404

    def do_GET(self) -> None:
        if self.prefix != "/" and urlsplit(self.path).path in ("/", ""):
            self.send_response(302)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()
    prefix = site_prefix(args.site)
    handler = type("PrefixHandler", (Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        (args.bind, args.port),
        functools.partial(handler, directory=str(args.site.resolve())),
    )
    port = server.server_address[1]  # the one the system chose for --port 0
    print(
        f"Serving {args.site} at http://{args.bind}:{port}{prefix} -- the "
        f"hosted site's address prefix {prefix}, so links and the 404 page "
        "behave as they do online (Ctrl-C to stop)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
