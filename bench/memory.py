"""Private memory of each gunicorn worker (/proc/PID/smaps_rollup), after real searches."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from archive.config import load_settings
from archive.runtime import build_runtime

QUERIES = ["영산포 장날", "70년대 나룻배", "국민학교 운동회", "羅州 홍어", "남펑 물놀이", "어무이"]


def private_mb(pid: int) -> float:
    """Return a process's private memory (clean + dirty) in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return round((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024, 1)


def worker_figures(server: subprocess.Popen[bytes], base: str) -> dict[str, Any]:
    """Search on every worker, then return each worker's private memory and the master's."""
    for n in range(40):
        query = urllib.parse.urlencode({"q": f"{QUERIES[n % len(QUERIES)]} {n}"})
        urllib.request.urlopen(f"{base}/photos?{query}", timeout=60).close()
        urllib.request.urlopen(f"{base}/api/suggest?q=%EC%98%81", timeout=60).close()
    workers = psutil.Process(server.pid).children()
    sizes = sorted(private_mb(w.pid) for w in workers)
    return {
        "workers": len(sizes),
        "worker_private_mb": sizes,
        "max_worker_private_mb": max(sizes),
        "master_private_mb": private_mb(server.pid),
    }


@contextmanager
def serving(root: Path, workers: int = 2) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `archive serve` over the archive under root; yield the process and base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(root / "var"),
        "ARCHIVE_SCANS_DIR": str(root / "scans"),
        "ARCHIVE_PUBLIC_URL": base,
    }
    command = [sys.executable, "-m", "archive.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        yield server, base
    finally:
        server.terminate()
        server.wait(timeout=30)


def archive_memory(docs: int) -> dict[str, Any]:
    """Return the worker figures over an archive of docs generated text records."""
    from search import generate_docs

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        root = Path(tmp)
        settings = load_settings({}, data_dir=root / "var", scans_dir=root / "scans")
        runtime = build_runtime(settings)
        runtime.db.upgrade()
        generate_docs(runtime, random.Random(9), docs)
        runtime.search.rebuild(runtime.db, procs=2)
        runtime.close()
        with serving(root) as (server, base):
            return {"records": docs, **worker_figures(server, base)}
