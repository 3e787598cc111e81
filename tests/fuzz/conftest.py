"""Hypothesis profiles: a bounded run in `make test`, a long one under `make fuzz`.

ARCHIVE_FUZZ_EXAMPLES sets how many examples each fuzz test tries (make fuzz raises it).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("ARCHIVE_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(default_examples: int) -> settings:
    """Return hypothesis settings for a fuzz test: no deadline, bounded examples."""
    return settings(
        max_examples=EXAMPLES or default_examples,
        deadline=None,
        derandomize=not EXAMPLES,  # make test runs the same examples every time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
