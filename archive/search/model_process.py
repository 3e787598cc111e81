"""The Korean model loaded in a process of its own, for commands that run once.

Loading kiwipiepy's model takes about a second of CPU and holds the GIL while it does,
so a thread cannot overlap it with the command's own work. `archive ingest --once`
starts this process first, when the drop folder holds text to index; the model loads on
the other core while the command imports, decodes and stores, and the search index asks
it for the terms of the words it has not seen (the same KoreanAnalyzer code, so the
terms are identical). If the process is gone, the caller's analyzer loads the model
itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.config import Settings

READY_SECONDS = 60.0


class ModelProcess:
    """A child process holding a KoreanAnalyzer; it answers the terms of many words."""

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, settings), name="korean-model", daemon=True
        )
        self._process.start()
        child.close()
        self._ready = False

    def word_terms(self, words: list[str]) -> list[tuple[str, ...]]:
        """Return the index terms of each word, in order.

        :raises OSError: when the process cannot answer (it died or never started).
        """
        try:
            if not self._ready:
                if not self._conn.poll(READY_SECONDS) or self._conn.recv() != "ready":
                    raise OSError("the Korean model process did not start")
                self._ready = True
            self._conn.send(words)
            answer: list[tuple[str, ...]] = self._conn.recv()
        except (EOFError, BrokenPipeError) as exc:
            raise OSError(f"the Korean model process stopped ({type(exc).__name__})") from exc
        return answer

    def close(self) -> None:
        """Stop the process; one still loading the model has nothing to finish."""
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._conn.close()
        self._process.join(timeout=2 if self._ready else 0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn: Connection, settings: Any) -> None:
    """Load the analyzer the runtime would build, then answer word lists until told."""
    from archive.places.gazetteer import gazetteer_for
    from archive.search.analysis import analyzer_for

    analyzer = analyzer_for(gazetteer_for(settings), settings)
    analyzer.warm()
    conn.send("ready")
    while True:
        try:
            words = conn.recv()
        except EOFError:
            return
        if words is None:
            return
        conn.send([analyzer.word_terms(word) for word in words])
