"""Private memory of each gunicorn worker (/proc/PID/smaps_rollup), after real searches."""

from __future__ import annotations

import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psutil

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
