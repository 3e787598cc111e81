"""When a file left in the inbox may be tried again: exponential backoff, jitter and a cap."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.digest import FileIdentity


@dataclass
class _Entry:
    identity: FileIdentity | None
    attempts: int
    due: float


class RetryBook:
    """Remember files that failed for a passing reason and when each is due again.

    A file that changes (another copy dropped over it) is a new file and is due at once.
    """

    def __init__(
        self,
        base_seconds: float = 5.0,
        cap_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base = base_seconds
        self.cap = cap_seconds
        self.clock = clock
        self.jitter = jitter
        self._entries: dict[Path, _Entry] = {}

    def defer(self, path: Path, identity: FileIdentity | None) -> int:
        """Put a file off after a failed try; return how many tries it has had."""
        entry = self._entries.get(path)
        attempts = entry.attempts + 1 if entry and entry.identity == identity else 1
        delay = min(self.cap, self.base * 2 ** (attempts - 1))
        delay *= 0.5 + self.jitter() / 2  # between half and the whole delay
        self._entries[path] = _Entry(identity, attempts, self.clock() + delay)
        return attempts

    def waiting(self, path: Path) -> bool:
        """Return whether a file must not be tried yet."""
        entry = self._entries.get(path)
        if entry is None:
            return False
        if FileIdentity.of_path(path) != entry.identity:
            del self._entries[path]
            return False
        return self.clock() < entry.due

    def forget(self, path: Path) -> None:
        """Drop a file that was handled."""
        self._entries.pop(path, None)

    def next_due(self) -> float | None:
        """Return seconds until the next file is due, or None when none waits."""
        if not self._entries:
            return None
        return max(0.0, min(e.due for e in self._entries.values()) - self.clock())
