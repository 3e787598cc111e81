"""Check an offline copy before it is declared done: every link, image and script of every
page, and every photo and thumbnail the search data points at, is a file in the copy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archive.features.offline.search_data import GLOBAL


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def _local(link: str) -> str | None:
    """Return the path part of a link within the copy (None for #fragments)."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return link  # any absolute link is broken here: the copy must work offline
    return unquote(parts.path) or None


def _resolves(root: Path, page: Path, path: str) -> bool:
    if "://" in path or path.startswith("/"):
        return False
    target = (page.parent / path).resolve()
    return target.is_relative_to(root.resolve()) and target.is_file()


def broken_links(
    root: Path, pages: Iterable[str], on_page: Callable[[], None] = lambda: None
) -> list[tuple[str, str]]:
    """Return (page, link) for every link that does not lead to a file in the copy."""
    broken: list[tuple[str, str]] = []
    for name in pages:
        page = root / name
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            path = _local(link)
            if path is not None and not _resolves(root, page, path):
                broken.append((name, link))
        on_page()
    broken += _search_data(root)
    broken += _zoom_tiles(root)
    return broken


def _zoom_tiles(root: Path) -> list[tuple[str, str]]:
    """Check that each zoom viewer's pyramid is there (its whole-image rendition)."""
    found = []
    for script in sorted((root / "assets" / "zoom").glob("*.js")):
        whole = f"zoom/{script.stem}/full/max/0/default.jpg"
        if not (root / whole).is_file():
            found.append((f"assets/zoom/{script.name}", whole))
    return found


def _search_data(root: Path) -> list[tuple[str, str]]:
    """Check the search data's pages and thumbnails (relative to search.html)."""
    text = (root / "assets" / "data.js").read_text(encoding="utf-8")
    data = json.loads(text.removeprefix(f"window.{GLOBAL} = ").rstrip().removesuffix(";"))
    page = root / "search.html"
    return [
        ("assets/data.js", link)
        for row in data["records"]
        for link in (row[0], row[8])
        if link and not _resolves(root, page, link)
    ]
