"""What a health check says: one verdict per thing checked, and the report of them all."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One verdict: what was checked, whether it is fine, and what was seen.

    A check that is not vital (the rate-limit store: the site works without it, less well)
    makes the service "degraded", not down: /healthz keeps answering 200 so that a load
    balancer does not take a working server out, and `archive check` still exits 1.
    """

    name: str
    ok: bool
    detail: str
    vital: bool = True


def report(checks: list[Check]) -> dict[str, Any]:
    """Return the JSON form of a set of checks."""
    if not all(c.ok for c in checks if c.vital):
        status = "error"
    elif all(c.ok for c in checks):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": [asdict(c) for c in checks]}
