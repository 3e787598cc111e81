"""Wake the worker on file-system events; polling still runs for network shares.

Only events that can mean a new or changed file wake it: the worker's own reads
(open and close without writing) and its own moves out of the inbox do not, or a file
left to retry would be retried each time the worker looked at it.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

log = logging.getLogger(__name__)
QUIET_EVENTS = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE, "attrib"}
OWN_MOVE_SECONDS = 60.0


class OwnMoves:
    """Paths the worker is moving out of the inbox (their events are its own)."""

    def __init__(self) -> None:
        self._paths: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, path: Path) -> None:
        """Note that the worker is about to move path away."""
        with self._lock:
            now = time.monotonic()
            self._paths = {p: t for p, t in self._paths.items() if now - t < OWN_MOVE_SECONDS}
            self._paths[str(path)] = now

    def __contains__(self, path: object) -> bool:
        with self._lock:
            return str(path) in self._paths


class WakeHandler(FileSystemEventHandler):
    """Set the wake event for events that may bring work."""

    def __init__(self, wake: threading.Event, own: OwnMoves | None = None) -> None:
        self.wake = wake
        self.own = own or OwnMoves()

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Wake the worker unless the event is one of its own."""
        if event.event_type in QUIET_EVENTS:
            return
        if event.is_directory and event.event_type not in (EVENT_TYPE_MOVED, "created"):
            return  # a folder's own "modified" accompanies the file events that matter
        if (
            event.event_type in (EVENT_TYPE_DELETED, EVENT_TYPE_MOVED)
            and event.src_path in self.own
        ):
            return
        self.wake.set()


def start_observer(
    root: Path, wake: threading.Event, own: OwnMoves | None = None
) -> BaseObserver | None:
    """Start a watchdog observer that sets wake; None when events are unavailable."""
    observer = Observer()
    try:
        observer.schedule(WakeHandler(wake, own), str(root), recursive=True)
        observer.start()
    except OSError as exc:
        log.warning("file events unavailable (%s); polling only", exc)
        return None
    return observer
