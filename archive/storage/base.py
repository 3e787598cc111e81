"""The storage interface and the key layout shared by every backend."""

from __future__ import annotations

import hashlib
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.errors import NotFound, StorageError

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    """What a backend reports after a verified write."""

    backend: str
    key: str
    sha256: str
    size: int


def sha256_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_key(key: str) -> None:
    """Refuse keys that are empty, absolute or climb out of the store.

    :raises StorageError: for such a key.
    """
    if not key or key.startswith("/") or ".." in key.split("/"):
        raise StorageError(f"invalid storage key {key!r}")


def master_key(sha256: str, extension: str) -> str:
    """Return the content-addressed key of a master: masters/ab/cd/<sha256>.<ext>."""
    ext = extension.lower().lstrip(".") or "bin"
    return f"masters/{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


def upload_key(sha256: str, extension: str) -> str:
    """Return the key of a contributed original: uploads/ab/cd/<sha256>.<ext> (never public)."""
    ext = extension.lower().lstrip(".") or "bin"
    return f"uploads/{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


def derivative_key(sha256: str, variant: str) -> str:
    """Return the content-addressed key of a public derivative image."""
    return f"derivatives/{variant}/{sha256[:2]}/{sha256}.jpg"


class Storage(ABC):
    """Put, open, check and delete objects by key."""

    backend: str

    @abstractmethod
    def put_file(self, key: str, source: Path, sha256: str) -> StoredObject:
        """Store a copy of a file under key and verify it against sha256.

        :raises StorageError: when the stored copy does not match.
        """

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Store bytes under key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Open a stored object for reading.

        :raises NotFound: when there is no such object.
        """

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Return whether an object exists under key."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete the object under key, if any."""

    def clean_temp(self, older_than: float = 0.0) -> int:
        """Remove partial uploads left by a crash; return how many (none by default)."""
        return 0

    def check(self) -> None:
        """Write, read back and delete a small probe object.

        :raises StorageError: when any of the three fails.
        """
        key = f"checks/{uuid.uuid4().hex}.txt"
        probe = b"archive storage check"
        self.put_bytes(key, probe)
        try:
            with self.open(key) as handle:
                if handle.read() != probe:
                    raise StorageError("the probe object read back differently")
        except NotFound as exc:
            raise StorageError("the probe object vanished after writing") from exc
        finally:
            self.delete(key)

    def url(self, key: str) -> str | None:
        """Return a direct public URL for key, or None when the app must serve it."""
        return None

    def sha256(self, key: str) -> str:
        """Return the SHA-256 of a stored object by reading it back."""
        digest = hashlib.sha256()
        with self.open(key) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
