"""Time a full OAI-PMH harvest of the running server with Sickle (as a portal would)."""

from __future__ import annotations

import time
from typing import Any

from sickle import Sickle


def harvest_figures(base: str) -> dict[str, Any]:
    """Harvest every record with ListRecords; return how many, how long and how fast."""
    started = time.perf_counter()
    records = Sickle(f"{base}/oai", max_retries=0).ListRecords(
        metadataPrefix="oai_dc", ignore_deleted=False
    )
    count = sum(1 for _record in records)
    seconds = time.perf_counter() - started
    return {
        "records": count,
        "seconds": round(seconds, 2),
        "records_per_s": round(count / seconds, 1),
    }
