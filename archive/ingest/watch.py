"""Wake the worker on file-system events; polling still runs for network shares."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

log = logging.getLogger(__name__)


class _WakeHandler(FileSystemEventHandler):
    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.wake.set()


def start_observer(root: Path, wake: threading.Event) -> BaseObserver | None:
    """Start a watchdog observer that sets wake; None when events are unavailable."""
    observer = Observer()
    try:
        observer.schedule(_WakeHandler(wake), str(root), recursive=True)
        observer.start()
    except OSError as exc:
        log.warning("file events unavailable (%s); polling only", exc)
        return None
    return observer
