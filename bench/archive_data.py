"""An archive for bench-web: 20 real scans ingested, then generated published records that
share their files, exhibitions, the search index, and the varied URLs to load."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from search import caption, date_text, vocabulary, zipf_weights
from sqlalchemy import func, insert, select, text
from urls import add_exhibitions, url_sets

from archive.config import load_settings
from archive.dates import parse_date
from archive.ingest.worker import IngestWorker
from archive.models import Photo, PhotoFile
from archive.runtime import Runtime, build_runtime
from tests.scans import picture, save_jpeg

FILE_COLUMNS = ("role", "variant", "page", "backend", "key", "sha256", "size", "width",
                "height", "format", "public_key")  # fmt: skip
BATCH = 5000


def prepare_archive(root: Path, database_url: str, size: int, rng: random.Random) -> dict[str, Any]:
    """Build the archive under root; return its size, URL sets and warm-up paths."""
    settings = load_settings(
        {}, data_dir=root / "var", scans_dir=root / "scans", database_url=database_url,
        settle_seconds=0.0, workers=1,
    )  # fmt: skip
    runtime = build_runtime(settings)
    runtime.db.upgrade()
    generate(runtime, rng, size)
    slugs = add_exhibitions(runtime, rng)
    places = [name for place in runtime.gazetteer.places.values() for name in place.names]
    paths = url_sets(rng, size, vocabulary(random.Random(4)), places, slugs)
    runtime.close()
    warm = [paths[kind][n] for kind in paths for n in range(min(4, len(paths[kind])))]
    return {"size": size, "paths": paths, "warm": warm}


def seed_files(runtime: Runtime) -> list[list[dict[str, Any]]]:
    """Ingest 20 real published scans; return their file rows to reuse for generated ones."""
    for n in range(20):
        path = save_jpeg(runtime.settings.inbox_dir / f"seed{n}.jpg", picture((1600, 1200), seed=n))
        path.with_suffix(".json").write_text('{"status": "published"}')  # with public copies
    with IngestWorker(runtime) as worker:
        worker.run_once(runtime.settings.inbox_dir)
    files: dict[int, list[dict[str, Any]]] = {}
    with runtime.db.session() as session:
        for row in session.scalars(select(PhotoFile).order_by(PhotoFile.photo_id, PhotoFile.id)):
            files.setdefault(row.photo_id, []).append({c: getattr(row, c) for c in FILE_COLUMNS})
    return list(files.values())


def generate(runtime: Runtime, rng: random.Random, photos: int) -> None:
    """Insert published records, each with a master and the real derivatives of a seed,
    in batches with explicit ids (then the sequences are moved past them)."""
    templates = seed_files(runtime)
    words, weights = vocabulary(rng), zipf_weights(3000)
    places = [p for place in runtime.gazetteer.places.values() for p in place.names]
    with runtime.db.session() as session:
        next_photo = (session.scalar(select(func.max(Photo.id))) or 0) + 1
        next_file = (session.scalar(select(func.max(PhotoFile.id))) or 0) + 1
    photo_rows: list[dict[str, Any]] = []
    file_rows: list[dict[str, Any]] = []
    for n in range(photos):
        photo_id = next_photo + n
        photo_rows.append(_record(runtime, rng, n, photo_id, words, weights, places))
        master_id = None
        for row in templates[n % len(templates)]:
            derived = master_id if row["role"] == "derivative" else None
            file_rows.append(
                {**row, "id": next_file, "photo_id": photo_id, "derived_from_id": derived}
            )
            if row["role"] == "master":
                master_id = next_file
            next_file += 1
        if len(photo_rows) >= BATCH:
            _flush(runtime, photo_rows, file_rows)
    _flush(runtime, photo_rows, file_rows)
    with runtime.db.session() as session:
        for table in ("photos", "photo_files"):
            session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    runtime.search.rebuild(runtime.db, procs=2)


def _record(
    runtime: Runtime, rng: random.Random, n: int, photo_id: int, words: list[str],
    weights: list[float], places: list[str],
) -> dict[str, Any]:  # fmt: skip
    date, place = date_text(rng), rng.choice(places)
    parsed = parse_date(date)
    return {
        "id": photo_id,
        "public_id": f"w{n:011d}",
        "title": caption(rng, words, weights, 3),
        "description": caption(rng, words, weights, 12),
        "tags": [],
        "date_text": date,
        "date_start": parsed.start,
        "date_end": parsed.end,
        "date_precision": parsed.precision,
        "place_text": place,
        "places": [p.name for p, _ in runtime.gazetteer.find_in(place)],
        "status": "published",
        "source": "scan",
        "rights": "공공누리 제1유형",
        "credit": "나주시",
        "publication": 1,
    }


def _flush(runtime: Runtime, photos: list[dict[str, Any]], files: list[dict[str, Any]]) -> None:
    if not photos:
        return
    with runtime.db.session() as session:
        session.execute(insert(Photo), photos)
        session.execute(insert(PhotoFile), files)
    photos.clear()
    files.clear()
