"""Benchmark search on both backends: the same generated records (100,000, or BENCH_DOCS)
and query mix on Whoosh and on PostgreSQL, each with its build rate, index or table size,
query latency and peak memory; then the relevance set on each."""

from __future__ import annotations

import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from archive.config import load_settings
from archive.dates import parse_date
from archive.models import Photo
from archive.runtime import Runtime, build_runtime
from archive.search.query import SearchRequest, run_search

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from korean_words import NOUNS, PARTICLES, VERBS
from relevance import relevance_figures

DOCS = int(os.environ.get("BENCH_DOCS", "100000"))
# Which records: short captions, story-length descriptions, or both (comma-separated).
KINDS = os.environ.get("BENCH_KINDS", "captions,stories").split(",")
# A PostgreSQL server whose user may create databases; empty: Whoosh alone, on SQLite.
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
VOCABULARY = 3000
ROUNDS = 3


def vocabulary(rng: random.Random) -> list[str]:
    """Return a few thousand words: common nouns first, then compounds of them."""
    words = list(dict.fromkeys(NOUNS))
    while len(words) < VOCABULARY:
        compound = rng.choice(NOUNS) + rng.choice(NOUNS)
        if compound not in words:
            words.append(compound)
    return words


def zipf_weights(size: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(size)]


def date_text(rng: random.Random) -> str:
    """Return a date written in one of the forms people use, 1900-2000."""
    year = rng.randint(1900, 2000)
    decade = year // 10 * 10
    forms = [
        f"{year}",
        f"{year}년",
        f"{year}. {rng.randint(1, 12)}. {rng.randint(1, 28)}.",
        f"{year}년 {rng.randint(1, 12)}월",
        f"{decade}년대",
        f"{str(decade)[2:]}년대",
        f"{decade}년대 {rng.choice(['초', '중반', '후반', '말'])}",
        f"{year}년경",
        f"{year}~{min(year + rng.randint(1, 6), 2000)}",
        f"{decade}s",
        "연도 모름",
    ]
    return rng.choice(forms)


def caption(rng: random.Random, words: list[str], weights: list[float], size: int) -> str:
    chosen = rng.choices(words, weights, k=size)
    parts = [w + rng.choice(PARTICLES) for w in chosen]
    if rng.random() < 0.5:
        parts.insert(rng.randint(0, len(parts)), rng.choice(VERBS))
    return " ".join(parts)


def story(rng: random.Random, words: list[str], weights: list[float]) -> str:
    """Return a description of several sentences, as people tell what a photo shows."""
    sentences = (caption(rng, words, weights, rng.randint(6, 12)) for _ in range(rng.randint(4, 7)))
    return " ".join(
        sentence + rng.choice(["다.", "지요.", "어라.", "습니다."]) for sentence in sentences
    )


def generate(runtime: Runtime, rng: random.Random, stories: bool = False) -> None:
    """Insert DOCS published records (see generate_docs)."""
    generate_docs(runtime, rng, DOCS, stories)


def generate_docs(runtime: Runtime, rng: random.Random, docs: int, stories: bool = False) -> None:
    """Insert published records with derived dates and places (with story-length
    descriptions of several sentences when stories is true)."""
    words, weights = vocabulary(rng), zipf_weights(VOCABULARY)
    place_names = [p for place in runtime.gazetteer.places.values() for p in place.names]
    rows: list[dict[str, Any]] = []
    with runtime.db.session() as session:
        for n in range(docs):
            date = date_text(rng)
            parsed = parse_date(date)
            place = rng.choice(place_names) if rng.random() < 0.8 else ""
            rows.append(
                {
                    "public_id": f"b{n:011d}",
                    "identifier": f"NJ-{n:06d}",
                    "title": caption(rng, words, weights, rng.randint(2, 5)),
                    "description": story(rng, words, weights)
                    if stories
                    else caption(rng, words, weights, rng.randint(6, 14)),
                    "tags": rng.sample(words[:300], rng.randint(0, 3)),
                    "date_text": date,
                    "date_start": parsed.start,
                    "date_end": parsed.end,
                    "date_precision": parsed.precision,
                    "date_edtf": parsed.edtf,
                    "place_text": place,
                    "places": [p.name for p, _ in runtime.gazetteer.find_in(place)]
                    if place
                    else [],
                    "status": "published",
                    "source": "scan",
                }
            )
            if len(rows) == 5000:
                session.execute(insert(Photo), rows)
                rows.clear()
        if rows:
            session.execute(insert(Photo), rows)


def query_mix(rng: random.Random) -> list[SearchRequest]:
    """Return a fixed mix of 60 queries of every kind, all with facets."""
    words = vocabulary(random.Random(7))
    common, rare = words[:40], words[200:1500]
    eras = ["1960s", "1970년대", "1950년대", "1980s", "1965~1972", "1930년대"]
    places = ["영산동", "남평읍", "금성관", "영산포", "나주읍", "반남면", "빛가람동", "금성시"]
    mix: list[SearchRequest] = []
    for _ in range(14):
        mix.append(SearchRequest(f"{rng.choice(common)} {rng.choice(rare)}"))
    for _ in range(6):
        mix.append(SearchRequest(rng.choice(rare) + rng.choice(["에서", "의", ""])))
    for _ in range(10):
        mix.append(SearchRequest(f"{rng.choice(common)}", era=rng.choice(eras)))
    for _ in range(10):
        mix.append(SearchRequest(f"{rng.choice(rare)}", place=rng.choice(places)))
    for _ in range(6):
        mix.append(
            SearchRequest(
                f"{rng.choice(['70년대', '1960년대', '50년대'])} "
                f"{rng.choice(places)} {rng.choice(common)}"
            )
        )
    mix.extend(SearchRequest("", era=era) for era in eras)
    mix.extend(SearchRequest("", place=place) for place in places)
    return mix


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    """Measure short captions, then story-length ones, then the relevance set: the same
    records and queries on each backend, one after the other, each in a process of its
    own (so that its peak memory is its own)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure_backend(sys.argv[2], sys.argv[3])))
        return
    figures: dict[str, Any] = {"docs": DOCS}
    for kind in KINDS:
        with scratch_database() as url:
            generate_into(url, stories=kind == "stories")
            figures[kind] = {backend: measure_in_child(backend, url) for backend in backends()}
    figures["relevance"] = {
        backend: relevance_figures(backend, scratch_database) for backend in backends()
    }
    print(json.dumps(figures, ensure_ascii=False))


def backends() -> list[str]:
    """Return the backends to measure: Whoosh, and PostgreSQL when a server is there."""
    return ["whoosh", "postgres"] if POSTGRES else ["whoosh"]


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yield the URL of a new PostgreSQL database (dropped after), or of a SQLite file."""
    if not POSTGRES:
        with tempfile.TemporaryDirectory(prefix="bench-search-db-") as tmp:
            yield f"sqlite:///{tmp}/archive.db"
        return
    with postgres_database(f"bench_search_{os.getpid()}_{time.time_ns()}") as url:
        yield url


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """Create a fresh PostgreSQL database for a run; yield its URL and drop it after."""
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def runtime_for(root: Path, url: str, backend: str) -> Runtime:
    settings = load_settings(
        {}, data_dir=root / "var", scans_dir=root / "s", database_url=url, search_backend=backend
    )
    return build_runtime(settings)


def generate_into(url: str, stories: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        runtime = runtime_for(Path(tmp), url, "whoosh")
        runtime.db.upgrade()
        generate(runtime, random.Random(2015), stories)
        runtime.close()


def measure_in_child(backend: str, url: str) -> dict[str, Any]:
    """Run measure_backend in a process of its own; return its figures."""
    command = [sys.executable, __file__, "--measure", backend, url]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure_backend(backend: str, url: str) -> dict[str, Any]:
    """Build the backend's index from the records at url, then time the query mix."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        runtime = runtime_for(Path(tmp), url, backend)
        runtime.search.analyzer.terms("준비")  # load the model outside the timing
        started = time.perf_counter()
        procs = os.environ.get("BENCH_PROCS")
        count = runtime.search.rebuild(runtime.db, procs=int(procs) if procs else None)
        build_seconds = time.perf_counter() - started
        size = index_bytes(runtime)
        latencies, totals, mix = time_queries(runtime)
        runtime.close()
    print(f"{backend}: {count} docs in {build_seconds:.1f} s", file=sys.stderr)
    return {
        "build_seconds": round(build_seconds, 1),
        "build_docs_per_s": round(count / build_seconds),
        "index_mb": round(size / 2**20, 1),
        "queries": len(mix),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_hits": round(statistics.mean(totals)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def index_bytes(runtime: Runtime) -> int:
    """Return the size of the index: Whoosh's generation (with its decoded postings), or the
    table with its indexes."""
    if runtime.search.backend.name == "postgres":
        with runtime.db.engine.connect() as connection:
            sql = "SELECT pg_total_relation_size('search_documents')"
            return int(connection.execute(text(sql)).scalar() or 0)
    generation = (runtime.settings.index_dir / "current").resolve()
    return sum(f.stat().st_size for f in generation.rglob("*") if f.is_file())  # with postings/


def time_queries(runtime: Runtime) -> tuple[list[float], list[int], list[SearchRequest]]:
    """Run a mix that warms what describes the collection (not counted), then ROUNDS mixes
    of other queries of the same kinds: visitors rarely repeat a search, so an answer
    kept from an earlier round would only measure the keeping."""
    latencies: list[float] = []
    totals: list[int] = []
    for round_number in range(ROUNDS + 1):
        mix = query_mix(random.Random(2015 + round_number))
        for request in mix:
            started = time.perf_counter()
            result = run_search(
                runtime.search.view(), request, runtime.gazetteer, runtime.search.analyzer
            )
            elapsed = (time.perf_counter() - started) * 1000
            if round_number:
                latencies.append(elapsed)
                totals.append(result.total)
    return latencies, totals, mix


if __name__ == "__main__":
    main()
