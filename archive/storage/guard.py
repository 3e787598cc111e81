"""How long a caller waits on a remote store, and a guard that keeps a slow store from
taking a web server down.

A worker may wait a minute for a slow bucket; a visitor's request may not. The web builds
its S3 client with short timeouts and few retries (WEB), and puts every call through a
StoreGuard:
- at most a few requests of a process wait on the store at once (a bulkhead); the next
  one is refused at once instead of holding a thread that other pages need;
- after a call fails because the store is slow or down, calls are refused for a short
  cool-down (a circuit breaker) instead of each waiting out its own timeout.
A refused call raises StoreUnavailable, which the web answers with 503 and Retry-After.
Calls that find nothing (a missing object) are answers, not faults.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from archive.errors import StorageError
from archive.faults import storage_fault


@dataclass(frozen=True)
class Patience:
    """How long a caller waits for a remote store: to connect, for each read, and how many
    attempts in all (the first and its retries)."""

    connect_seconds: float
    read_seconds: float
    attempts: int


# Workers and the CLI: a slow store is waited for (files are never lost by waiting).
WORKER = Patience(connect_seconds=10, read_seconds=60, attempts=5)
# A visitor's request: a few seconds, then a clear 503.
WEB = Patience(connect_seconds=1.5, read_seconds=3, attempts=2)


class StoreUnavailable(StorageError):
    """The store is slow or down: the call was refused without waiting on it."""

    code = "storage_unavailable"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreGuard:
    """A bulkhead and a circuit breaker around one process's calls to a remote store."""

    def __init__(
        self,
        slots: int = 2,
        cooldown_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self.cooldown = cooldown_seconds
        self.clock = clock
        self._open_until = 0.0
        self.last_fault = ""

    @property
    def open(self) -> bool:
        """Return whether calls are being refused after a recent fault."""
        return self.clock() < self._open_until

    def retry_after(self) -> int:
        """Return the seconds a refused caller should wait before trying again."""
        return max(1, round(self._open_until - self.clock())) if self.open else 5

    @contextmanager
    def call(self, *, slot: bool = True) -> Iterator[None]:
        """Make one call (holding a slot, unless it is a write a visitor is sending, which
        waits its turn on no one); trip the breaker if it fails for the store's sake.

        :raises StoreUnavailable: while the breaker is open, or when every slot is taken.
        """
        if self.open:
            message = f"the store failed a moment ago: {self.last_fault}"
            raise StoreUnavailable(message, self.retry_after())
        if slot and not self._slots.acquire(blocking=False):
            raise StoreUnavailable("every request that may wait on the store is waiting", 5)
        try:
            yield
        except Exception as exc:
            fault = storage_fault(exc)
            if fault is not None:
                self.trip(fault)
            raise
        finally:
            if slot:
                self._slots.release()

    def trip(self, fault: str) -> None:
        """Refuse calls for the cool-down after a fault of the store."""
        self.last_fault = fault
        self._open_until = self.clock() + self.cooldown


# The calls a page or an image waits on: these share the slots (uploads do not).
READS = frozenset({"get_object", "head_object", "head_bucket", "list_objects_v2"})


class GuardedClient:
    """A boto3 client whose every call goes through a StoreGuard (reads' bodies too)."""

    def __init__(self, client: Any, guard: StoreGuard) -> None:
        self._client = client
        self.guard = guard

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in ("get_paginator", "meta", "exceptions"):
            return attribute

        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self.guard.call(slot=name in READS):
                answer = attribute(*args, **kwargs)
            if isinstance(answer, dict) and hasattr(answer.get("Body"), "read"):
                answer["Body"] = GuardedBody(answer["Body"], self.guard)
            return answer

        return guarded


class GuardedBody:
    """An object's streaming body whose reads trip the guard when the store stalls."""

    def __init__(self, body: Any, guard: StoreGuard) -> None:
        self._body = body
        self._guard = guard

    def read(self, size: int = -1) -> bytes:
        """Read from the store (a stall trips the breaker and raises)."""
        try:
            return bytes(self._body.read(size) if size >= 0 else self._body.read())
        except Exception as exc:
            fault = storage_fault(exc)
            if fault is not None:
                self._guard.trip(fault)
            raise

    def close(self) -> None:
        """Close the connection the body reads from."""
        self._body.close()

    def __enter__(self) -> GuardedBody:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
