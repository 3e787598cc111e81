"""The deployed stack on this machine, as docker-compose runs it: gunicorn (`archive serve`,
two workers) behind nginx from deploy/nginx/, over an archive on PostgreSQL; and an ingest
worker taking in scans while a load runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import archive
from tests.front import Nginx
from tests.scans import picture, save_jpeg
from tests.smtp import free_port

STATIC_FILE = "bench-24k.jpg"


class Stack:
    """nginx in front of gunicorn over the archive under root."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.port, app_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.app = f"http://127.0.0.1:{app_port}"
        self.env = {
            **os.environ,
            "ARCHIVE_DATA_DIR": str(root / "var"),
            "ARCHIVE_SCANS_DIR": str(root / "scans"),
            "ARCHIVE_DATABASE_URL": database_url,
            "ARCHIVE_PUBLIC_URL": self.base,
            "ARCHIVE_PROXY_COUNT": "1",
            "ARCHIVE_LOG_FORMAT": "text",
        }
        static = root / "static"  # what `archive collect-static` puts where nginx serves it
        shutil.copytree(
            Path(archive.__file__).parent / "web" / "static", static, dirs_exist_ok=True
        )
        thumb = next((root / "var" / "storage" / "derivatives" / "thumb_large").rglob("*.jpg"))
        (static / STATIC_FILE).write_bytes(thumb.read_bytes()[: 24 * 1024])
        self.static_file = f"/static/{STATIC_FILE}"
        self.static_root = static
        self.nginx = Nginx(
            root / "nginx",
            {
                "ARCHIVE_UPSTREAM": f"127.0.0.1:{app_port}",
                "ARCHIVE_STORAGE_ROOT": str(root / "var" / "storage"),
                "ARCHIVE_STATIC_ROOT": str(static),
                "NGINX_PORT": str(self.port),
                "NGINX_CACHE_DIR": str(root / "nginx" / "cache"),
                # wrk loads from one address: its requests are not to be refused here
                "NGINX_RATE": "100000r/s",
                "NGINX_BURST": "100000",
                "NGINX_PROXY_BIND": "off",
            },
        )
        self._app_port = app_port
        self.server: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Stack:
        command = [sys.executable, "-m", "archive.cli", "serve", "--port", str(self._app_port),
                   "--workers", "2", "--threads", "4"]  # fmt: skip
        self.server = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
        wait_healthy(self.app)
        self.nginx.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.nginx.stop()
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=60)

    def get(self, path: str) -> bytes:
        """Return the body of a GET through nginx."""
        with urllib.request.urlopen(self.base + path, timeout=120) as answer:
            return bytes(answer.read())

    def static_copy(self, path: str) -> str:
        """Put a copy of what path serves among the static files; return its URL path (the
        same bytes served by nginx alone, the reference for that kind of file)."""
        name = "bench-copy-" + path.rsplit("/", 1)[-1].replace(",", "-")
        (self.static_root / name).write_bytes(self.get(path))
        return f"/static/{name}"

    def file_paths(self) -> dict[str, Any]:
        """Return a thumbnail and a full-resolution tile of the first photo, and the images
        of the seed photos (thumbnails, web images, a few tiles each) for the mixed load."""
        items = json.loads(self.get("/api/photos?per_page=20"))["items"]
        thumbnails = [item["thumbnail_url"].removeprefix(self.base) for item in items]
        web = [item["image_url"].removeprefix(self.base) for item in items]
        tiles = []
        for item in items:
            info = json.loads(self.get(f"/iiif/3/{item['id']}/info.json"))
            service = "/" + info["id"].split("//", 1)[1].split("/", 1)[1]
            width, height = info["width"], info["height"]
            for x in range(0, min(width, 2048), 512):
                for y in range(0, min(height, 1024), 512):
                    w, h = min(512, width - x), min(512, height - y)
                    tiles.append(f"{service}/{x},{y},{w},{h}/{w},{h}/0/default.jpg")
        return {
            "thumbnail": thumbnails[0],
            "tile": tiles[0],
            "thumbnails": thumbnails,
            "web": web,
            "tiles": tiles,
        }


def wait_healthy(base: str) -> None:
    """Wait until /healthz answers."""
    for _ in range(480):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{base} did not start")


class Ingest:
    """The watching worker of a load: how many of its scans it has taken in."""

    def __init__(self, done: Path) -> None:
        self.done = done
        self._before = 0

    def taken(self) -> int:
        """Return how many scans were taken in since the last call."""
        now = len(list(self.done.glob("load*.jpg")))
        taken, self._before = now - self._before, now
        return taken


@contextmanager
def ingesting(stack: Stack, count: int) -> Iterator[Ingest]:
    """Drop count scans (drafts, as the operator's are) and run the watching worker
    (`archive ingest --watch`, niced as deployed) while the body runs."""
    inbox = stack.root / "scans" / "inbox"
    for n in range(count):
        save_jpeg(inbox / f"load{n:03d}.jpg", picture((2400, 1800), seed=500 + n))
    env = {**stack.env, "ARCHIVE_SETTLE_SECONDS": "0", "ARCHIVE_WORKERS": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "ingest", "--watch"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # started, and at work on the first scans
        yield Ingest(stack.root / "scans" / "done")
    finally:
        worker.terminate()
        worker.wait(timeout=120)
