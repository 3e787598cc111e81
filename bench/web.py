"""Benchmark the public corner under concurrent load with wrk; last line is JSON."""

from __future__ import annotations

import json
import os
import random
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
from harvest import harvest_figures
from memory import archive_memory, worker_figures
from search import caption, date_text, vocabulary, zipf_weights
from urls import add_exhibitions, url_sets, wrk_figures, wrk_varied

from archive.config import load_settings
from archive.dates import parse_date
from archive.ingest.worker import IngestWorker
from archive.models import Photo, PhotoFile
from archive.runtime import Runtime, build_runtime
from tests.scans import picture, save_jpeg

PHOTOS = int(os.environ.get("BENCH_PHOTOS", "10000"))
# Archive sizes the varied-URL rows are measured at (comma-separated).
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if n]
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


def generate(runtime: Runtime, rng: random.Random, photos: int | None = None) -> None:
    """Insert published records (PHOTOS unless given), each with a master and real
    derivatives."""
    photos = PHOTOS if photos is None else photos
    templates = seed_files(runtime)
    words, weights = vocabulary(rng), zipf_weights(3000)
    places = [p for place in runtime.gazetteer.places.values() for p in place.names]
    with runtime.db.session() as session:
        for n in range(photos):
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


def wrk(url: str) -> dict[str, Any]:
    """Run wrk against one URL; return requests/s and latency percentiles in ms."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(out)


def machine_ms() -> float:
    """Return the milliseconds a fixed piece of pure Python takes here now (the best of
    three): this machine's speed varies two to three times between days and within a
    run, and the figures of two runs compare only beside it."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for n in range(2_000_000):
            total += n % 7
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def main() -> None:
    """At each size: prepare the photos, serve them with gunicorn, load varied URLs."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: install Debian's wrk")
    figures: dict[str, Any] = {"connections": CONNECTIONS, "duration": DURATION}
    figures["machine_ms_before"] = machine_ms()
    for n, size in enumerate(SIZES):
        figures[f"photos_{size}"] = run_size(size, with_memory=n == 0)
    rows = [f for key, f in figures.items() if key.startswith("photos_")]
    figures["min_page_rps"] = min(r["min_page_rps"] for r in rows)
    figures["max_page_p99_ms"] = max(r["max_page_p99_ms"] for r in rows)
    figures["memory_empty"] = archive_memory(0)
    figures["memory_100k"] = archive_memory(MEMORY_DOCS)
    figures["machine_ms_after"] = machine_ms()
    print(json.dumps(figures))


def run_size(size: int, with_memory: bool) -> dict[str, Any]:
    """Measure one archive of `size` photos (and its workers' memory if asked)."""
    rng = random.Random(4)
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
        generate(runtime, rng, size)
        slugs = add_exhibitions(runtime, rng)
        places = [name for place in runtime.gazetteer.places.values() for name in place.names]
        paths = url_sets(rng, size, vocabulary(random.Random(4)), places, slugs)
        runtime.close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env["ARCHIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "archive.cli", "serve", "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--workers", "2", "--threads", "4"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            figures = load_all(f"http://127.0.0.1:{port}", paths)
            figures["photos"] = size
            if with_memory:  # once, at the first size (10,000 records)
                figures["oai_harvest"] = harvest_figures(f"http://127.0.0.1:{port}")
                print(f"oai_harvest: {figures['oai_harvest']}", file=sys.stderr)
            if with_memory:
                figures["memory"] = worker_figures(server, env["ARCHIVE_PUBLIC_URL"])
        finally:
            server.terminate()
            server.wait(timeout=30)
    return figures


def tile_path(base: str, public_id: str) -> str:
    """Return the path of a full-resolution tile (scale factor 1) of a photo's IIIF image."""
    info = json.load(urllib.request.urlopen(f"{base}/iiif/3/{public_id}/info.json", timeout=30))
    service = "/" + info["id"].split("//", 1)[1].split("/", 1)[1]
    return f"{service}/0,0,512,512/512,512/0/default.jpg"


PAGES = ("landing", "results", "detail", "api", "timeline", "exhibitions")


def load_all(base: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    """Load each kind of page over its varied URLs, then a thumbnail and a tile."""
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    api = json.load(urllib.request.urlopen(base + "/api/photos?per_page=1", timeout=30))
    item = api["items"][0]
    files = {
        "thumbnail": item["thumbnail_url"].removeprefix(base),
        "tile": tile_path(base, item["id"]),
    }
    for kind in PAGES:  # each worker's first requests (imports, the model) are not measured
        for path in paths[kind][:8]:
            urllib.request.urlopen(base + path, timeout=120).close()
    figures: dict[str, Any] = {}
    for kind in PAGES:
        figures[kind] = wrk_varied(base, paths[kind], CONNECTIONS, DURATION)
        print(f"{kind}: {figures[kind]}", file=sys.stderr)
    for kind, path in files.items():
        figures[kind] = wrk(base + path)
        print(f"{kind}: {figures[kind]}", file=sys.stderr)
    figures["min_page_rps"] = min(figures[k]["rps"] for k in PAGES)
    figures["max_page_p99_ms"] = max(figures[k]["p99_ms"] for k in PAGES)
    return figures


if __name__ == "__main__":
    main()
