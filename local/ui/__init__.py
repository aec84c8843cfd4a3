"""The local ops page at `/_local/ui`: static files shipped in the package and their JSON backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local.ui.backend import HttpResponse, OpsBackend

STATIC = Path(__file__).with_name("static")
PREFIX = "/_local/ui"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


class OpsPage:
    """Answers every path under `/_local/ui`: the page, its files, and `api/...`."""

    def __init__(self, stack: Any, emulator: Any, api_keys: dict[str, str]) -> None:
        self.backend = OpsBackend(stack, emulator, api_keys)
        # Only the files shipped here are served: a path is looked up by name, never joined onto the folder.
        self.files = {path.name: path for path in STATIC.iterdir() if path.suffix in TYPES}

    @staticmethod
    def serves(path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    def answer(self, method: str, path: str, query: str, body: bytes) -> HttpResponse:
        rest = path.removeprefix(PREFIX).lstrip("/")
        if rest.startswith("api/"):
            return self.backend.answer(method, rest.removeprefix("api/"), query, body)
        if method not in ("GET", "HEAD"):
            return 405, {"Allow": "GET", "Content-Type": "text/plain"}, b"The ops page's files take GET only."
        name = "index.html" if rest in ("", "index.html") else rest.removeprefix("static/")
        found = self.files.get(name) if rest in ("", "index.html") or rest.startswith("static/") else None
        if found is None:
            return 404, {"Content-Type": "text/plain"}, f"No ops page file {rest}.".encode()
        return 200, {"Content-Type": TYPES[found.suffix], "Cache-Control": "no-cache"}, found.read_bytes()
