"""Where a search's time goes at a given archive size: the query mix of bench/search.py,
run on an index kept between runs (BENCH_KEEP, default var/bench-search-<docs>), with the
slowest queries and the functions that cost most under cProfile.

    BENCH_DOCS=1000000 .venv/bin/python bench/search_profile.py

The last line is one JSON object: per-query p50/p95/p99, the slowest queries with their
time, and the top functions by cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from search import DOCS, ROUNDS, generate, percentile, query_mix

from archive.config import load_settings
from archive.runtime import build_runtime
from archive.search.query import run_search

KEEP = Path(os.environ.get("BENCH_KEEP", f"var/bench-search-{DOCS}"))


def main() -> None:
    rng = random.Random(2015)
    fresh = not (KEEP / "var" / "archive.db").exists()
    runtime = build_runtime(load_settings({}, data_dir=KEEP / "var", scans_dir=KEEP / "s"))
    runtime.db.upgrade()
    if fresh:
        generate(runtime, rng, stories=False)
        started = time.perf_counter()
        runtime.search.rebuild(runtime.db)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    timings: dict[str, list[float]] = {}
    profile = cProfile.Profile()
    for round_number in range(ROUNDS + 1):  # as bench/search.py: a warm-up mix, then others
        for request in query_mix(random.Random(2015 + round_number)):
            if round_number:
                profile.enable()
            started = time.perf_counter()
            run_search(runtime.search.view(), request, runtime.gazetteer, runtime.search.analyzer)
            elapsed = (time.perf_counter() - started) * 1000
            profile.disable()
            if round_number:
                label = f"{request.text}|{request.era}|{request.place}|{request.sort}"
                timings.setdefault(label, []).append(elapsed)
    runtime.close()
    every = [t for times in timings.values() for t in times]
    slowest = sorted(timings.items(), key=lambda item: -statistics.median(item[1]))[:12]
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
    print(text.getvalue(), file=sys.stderr)
    figures: dict[str, Any] = {
        "docs": DOCS,
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "slowest": {label: round(statistics.median(t), 1) for label, t in slowest},
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
