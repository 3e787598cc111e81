"""SHA-256 of files and streams, and the identity of a file on disk."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def sha256_stream(handle: BinaryIO) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of what is left to read in a stream."""
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, read in chunks."""
    with path.open("rb") as handle:
        return sha256_stream(handle)


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named, and its state: inode, size and modification time."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of_stat(cls, stat: os.stat_result) -> FileIdentity:
        """Return the identity in a stat result."""
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)

    @classmethod
    def of_path(cls, path: Path) -> FileIdentity | None:
        """Return the identity of the file at path now, or None when there is none."""
        try:
            return cls.of_stat(path.stat())
        except FileNotFoundError:
            return None


def tree_digest(entries: list[tuple[str, str]]) -> str:
    """Return the SHA-256 of a tree: of its sorted "sha256  path" lines (stable across copies)."""
    lines = "".join(f"{digest}  {path}\n" for path, digest in sorted(entries))
    return hashlib.sha256(lines.encode()).hexdigest()


def folder_digest(folder: Path) -> str:
    """Return the tree digest of a folder's files (what storing them as a tree gives)."""
    entries = [
        (path.relative_to(folder).as_posix(), sha256_file(path)[0])
        for path in folder.rglob("*")
        if path.is_file()
    ]
    return tree_digest(entries)
