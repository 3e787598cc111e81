"""Benchmark the public corner under concurrent load with wrk; last line is JSON."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from memory import archive_memory, worker_figures
from search import caption, date_text, vocabulary, zipf_weights

from archive.config import load_settings
from archive.dates import parse_date
from archive.ingest.worker import IngestWorker
from archive.models import Photo, PhotoFile
from archive.runtime import Runtime, build_runtime
from tests.scans import picture, save_jpeg

PHOTOS = int(os.environ.get("BENCH_PHOTOS", "10000"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
MEMORY_DOCS = int(os.environ.get("BENCH_MEMORY_DOCS", "100000"))


def seed_files(runtime: Runtime) -> list[list[dict[str, Any]]]:
    """Ingest 20 real scans; return their file rows to reuse for generated records."""
    for n in range(20):
        path = save_jpeg(runtime.settings.inbox_dir / f"seed{n}.jpg", picture((1600, 1200), seed=n))
        path.with_suffix(".json").write_text('{"status": "published"}')  # with public copies
    with IngestWorker(runtime) as worker:
        worker.run_once(runtime.settings.inbox_dir)
    with runtime.db.session() as session:
        rows = session.scalars(select(PhotoFile).order_by(PhotoFile.photo_id, PhotoFile.id))
        files: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            files.setdefault(row.photo_id, []).append(
                {
                    c: getattr(row, c)
                    for c in (
                        "role",
                        "variant",
                        "page",
                        "backend",
                        "key",
                        "sha256",
                        "size",
                        "width",
                        "height",
                        "format",
                        "public_key",
                    )
                }
            )
    return list(files.values())


def generate(runtime: Runtime, rng: random.Random) -> None:
    """Insert PHOTOS published records, each with a master and real derivatives."""
    templates = seed_files(runtime)
    words, weights = vocabulary(rng), zipf_weights(3000)
    places = [p for place in runtime.gazetteer.places.values() for p in place.names]
    with runtime.db.session() as session:
        for n in range(PHOTOS):
            date, place = date_text(rng), rng.choice(places)
            parsed = parse_date(date)
            photo_id = session.execute(
                insert(Photo).values(
                    public_id=f"w{n:011d}",
                    title=caption(rng, words, weights, 3),
                    description=caption(rng, words, weights, 12),
                    tags=[],
                    date_text=date,
                    date_start=parsed.start,
                    date_end=parsed.end,
                    date_precision=parsed.precision,
                    place_text=place,
                    places=[p.name for p, _ in runtime.gazetteer.find_in(place)],
                    status="published",
                    source="scan",
                    rights="공공누리 제1유형",
                    credit="나주시",
                )
            ).inserted_primary_key[0]
            master_id = None
            for row in templates[n % len(templates)]:
                values = {
                    **row,
                    "photo_id": photo_id,
                    "derived_from_id": master_id if row["role"] == "derivative" else None,
                }
                new_id = session.execute(insert(PhotoFile).values(**values)).inserted_primary_key[0]
                if row["role"] == "master":
                    master_id = new_id
    runtime.search.rebuild(runtime.db, procs=2)


def wrk(url: str) -> dict[str, float]:
    """Run wrk against one URL; return requests/s and latency percentiles in ms."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": round(rate, 1),
        "p50_ms": round(pct("50"), 2),
        "p99_ms": round(pct("99"), 2),
        "errors": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    """Prepare 10,000 photos, serve them with gunicorn, load each kind of URL."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: install Debian's wrk")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "ARCHIVE_DATA_DIR": str(root / "var"),
            "ARCHIVE_SCANS_DIR": str(root / "scans"),
        }
        runtime = build_runtime(
            load_settings({}, data_dir=root / "var", scans_dir=root / "s", settle_seconds=0.0)
        )
        runtime.db.upgrade()
        generate(runtime, random.Random(4))
        runtime.close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env["ARCHIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "archive.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            figures = load_all(f"http://127.0.0.1:{port}")
            figures["memory"] = {
                "photos": PHOTOS,
                **worker_figures(server, env["ARCHIVE_PUBLIC_URL"]),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures["memory_empty"] = archive_memory(0)
    figures["memory_100k"] = archive_memory(MEMORY_DOCS)
    print(json.dumps(figures))


def tile_path(base: str, public_id: str) -> str:
    """Return the path of a full-resolution tile (scale factor 1) of a photo's IIIF image."""
    info = json.load(urllib.request.urlopen(f"{base}/iiif/3/{public_id}/info.json", timeout=30))
    service = "/" + info["id"].split("//", 1)[1].split("/", 1)[1]
    return f"{service}/0,0,512,512/512,512/0/default.jpg"


def load_all(base: str) -> dict[str, Any]:
    """Warm each URL on both workers, then measure it."""
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    api = json.load(urllib.request.urlopen(base + "/api/photos?per_page=1", timeout=30))
    item = api["items"][0]
    urls = {
        "landing": "/",
        "results": "/photos?" + urllib.parse.urlencode({"q": "사람", "era": "1970s"}),
        "detail": item["url"].removeprefix(base),
        "api": "/api/photos?" + urllib.parse.urlencode({"place": "영산동"}),
        "thumbnail": item["thumbnail_url"].removeprefix(base),
        "tile": tile_path(base, item["id"]),
    }
    for path in urls.values():
        for _ in range(8):
            urllib.request.urlopen(base + path, timeout=60).close()
    figures: dict[str, Any] = {"photos": PHOTOS, "connections": CONNECTIONS}
    for name, path in urls.items():
        result = wrk(base + path)
        print(f"{name}: {result}", file=sys.stderr)
        figures[name] = result
    pages = [figures[n] for n in ("landing", "results", "detail", "api")]
    figures["min_page_rps"] = min(r["rps"] for r in pages)
    figures["max_page_p99_ms"] = max(r["p99_ms"] for r in pages)
    return figures


if __name__ == "__main__":
    main()
