"""A workaround for a Whoosh (whoosh-reloaded 2.7.5) slowdown found by profiling."""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3

_applied = False


def apply_whoosh_fixes() -> None:
    """Cache 'no length column' answers, which Whoosh re-checks with a stat per posting.

    Without this, committing a segment stats the file system once for every posting of
    every field without stored lengths (keyword fields), which made a 100,000-record
    rebuild spend most of its time in os.stat.
    """
    global _applied
    if _applied:
        return
    original = whoosh3.W3PerDocReader._cached_reader

    def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        missing = self.__dict__.setdefault("_archive_missing_columns", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    whoosh3.W3PerDocReader._cached_reader = cached_reader
    _applied = True
