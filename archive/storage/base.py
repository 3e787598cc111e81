"""The storage interface and the key layout shared by every backend."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from archive.digest import CHUNK, folder_digest, sha256_file, sha256_stream, tree_digest
from archive.errors import InvalidKey, NotFound, StorageError

__all__ = [
    "CHUNK",
    "PUBLIC_PREFIX",
    "ListedObject",
    "Storage",
    "StoredObject",
    "folder_digest",
    "sha256_file",
    "tree_digest",
]

# The only prefix that may ever be opened to anonymous readers (a CDN or bucket policy):
# it holds copies of published records' derivatives and nothing else.
PUBLIC_PREFIX = "derivatives/"
# Private, content-addressed derivatives of every record, published or not.
RENDITION_PREFIX = "renditions/"


@dataclass(frozen=True)
class StoredObject:
    """What a backend reports after a verified write."""

    backend: str
    key: str
    sha256: str
    size: int


# What a key may be, on every backend: each part a file name of at most 255 bytes (the
# limit of Linux file systems), the whole at most 1024 bytes (S3's limit), no control
# character or backslash. A request value that becomes part of a key is checked here
# before any file system or bucket sees it.
MAX_KEY_PART_BYTES = 255
MAX_KEY_BYTES = 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def check_key(key: str) -> None:
    """Refuse keys that are empty, absolute, climb out of the store, are too long in a part
    or in all, or hold characters no key has.

    :raises InvalidKey: for such a key (a NotFound to a lookup, a StorageError to a write).
    """
    parts = key.split("/")
    if not key or key.startswith("/") or ".." in parts or _UNSAFE.search(key):
        raise InvalidKey(f"invalid storage key {key[:100]!r}")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES or any(
        len(part.encode("utf-8", "surrogatepass")) > MAX_KEY_PART_BYTES for part in parts
    ):
        raise InvalidKey(f"storage key too long {key[:100]!r}…")


def master_key(sha256: str, extension: str) -> str:
    """Return the content-addressed key of a master: masters/ab/cd/<sha256>.<ext>."""
    ext = extension.lower().lstrip(".") or "bin"
    return f"masters/{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


def upload_key(sha256: str, extension: str) -> str:
    """Return the key of a contributed original: uploads/ab/cd/<sha256>.<ext> (never public)."""
    ext = extension.lower().lstrip(".") or "bin"
    return f"uploads/{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


@dataclass(frozen=True)
class ListedObject:
    """One stored object found by list_keys()."""

    key: str
    size: int
    modified: datetime


def is_tree(key: str) -> bool:
    """Return whether a key names a tree: every object under it (it ends with "/")."""
    return key.endswith("/")


def rendition_tree_key(sha256: str, variant: str) -> str:
    """Return the private tree key of a derivative made of many files (a tile pyramid)."""
    return f"{RENDITION_PREFIX}{variant}/{sha256[:2]}/{sha256}/"


def public_tree_key(sha256: str, variant: str, version: int) -> str:
    """Return the public tree key of a published record's pyramid (versioned like files)."""
    return f"{PUBLIC_PREFIX}{variant}/{sha256[:2]}/{public_name(sha256, version)}/"


def public_copy_key(sha256: str, variant: str, version: int, tree: bool) -> str:
    """Return the public key of a derivative's copy: a tree key for a pyramid."""
    return (public_tree_key if tree else public_key)(sha256, variant, version)


def tree_prefixes(key: str) -> list[str]:
    """Return every tree key that could hold key (each of its folders, with "/")."""
    parts = key.split("/")[:-1]
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def rendition_key(sha256: str, variant: str) -> str:
    """Return the private, content-addressed key of a derivative image."""
    return f"{RENDITION_PREFIX}{variant}/{sha256[:2]}/{sha256}.jpg"


def public_name(sha256: str, version: int) -> str:
    """Return the file name of a public copy: the content hash and the publication."""
    return f"{sha256}-{version}"


def public_key(sha256: str, variant: str, version: int) -> str:
    """Return the key of a published record's derivative in the public prefix.

    The version is the record's publication count, so a file re-made or published
    again after a withdrawal gets a new URL (old URLs may live on in caches).
    """
    return f"{PUBLIC_PREFIX}{variant}/{sha256[:2]}/{public_name(sha256, version)}.jpg"


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

    @abstractmethod
    def list_keys(self, prefix: str) -> Iterator[ListedObject]:
        """Yield every stored object whose key starts with prefix."""

    def copy(self, source: str, target: str) -> StoredObject:
        """Store a copy of one object under another key (verified like any write)."""
        with self.open(source) as handle, tempfile.NamedTemporaryFile() as spool:
            digest = _spool(handle, spool)
            spool.flush()
            return self.put_file(target, Path(spool.name), digest)

    def put_tree(self, prefix: str, folder: Path, *, move: bool = False) -> StoredObject:
        """Store every file under folder below prefix (a tree key), each verified.

        With move, the caller gives the folder up: a backend may take the files instead of
        copying them (the folder may be gone afterwards).

        :returns: the tree as one object: its digest (see tree_digest) and total size.
        """
        check_tree(prefix)
        entries: list[tuple[str, str]] = []
        size = 0
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            digest, _length = sha256_file(path)
            size += self.put_file(prefix + relative, path, digest).size
            entries.append((relative, digest))
        return StoredObject(self.backend, prefix, tree_digest(entries), size)

    def copy_tree(self, source: str, target: str) -> StoredObject:
        """Copy every object of one tree under another tree key (each copy verified).

        :raises NotFound: when the source tree holds nothing.
        """
        check_tree(source)
        check_tree(target)
        listed = list(self.list_keys(source))
        if not listed:
            raise NotFound(f"no objects under {source!r}")
        entries: list[tuple[str, str]] = []
        size = 0
        for item in listed:
            relative = item.key[len(source) :]
            copied = self.copy(item.key, target + relative)
            entries.append((relative, copied.sha256))
            size += copied.size
        return StoredObject(self.backend, target, tree_digest(entries), size)

    def remove(self, key: str) -> None:
        """Delete one object, or every object of a tree key."""
        if not is_tree(key):
            self.delete(key)
            return
        for item in list(self.list_keys(key)):
            self.delete(item.key)

    def holds(self, key: str) -> bool:
        """Return whether an object (or any object of a tree key) is stored."""
        if is_tree(key):
            return next(iter(self.list_keys(key)), None) is not None
        return self.exists(key)

    def local_path(self, key: str) -> Path | None:
        """Return the file of an object on local disk (for sendfile), or None."""
        return None

    @contextlib.contextmanager
    def local_file(self, key: str, temp_dir: Path) -> Iterator[Path]:
        """Yield a path to a stored object: its own file on local disk, or a temporary
        copy in temp_dir (removed afterwards) for a remote backend.

        :raises NotFound: when there is no such object.
        """
        local = self.local_path(key)
        if local is not None:
            if not local.is_file():
                raise NotFound(f"no stored object {key!r}")
            yield local
            return
        temp_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=temp_dir, prefix="stored-", suffix=".part") as temp:
            with self.open(key) as source:
                _spool(source, temp)
            temp.flush()
            yield Path(temp.name)

    def clean_temp(self, older_than: float = 0.0) -> int:
        """Remove partial uploads left by a crash; return how many (none by default)."""
        return 0

    def empty_folders(self) -> list[str]:
        """Return folders that hold no object (an object store has no folders: none).

        A folder's name may tell what it held (a tile pyramid's content hash and image
        size), so none may outlive its objects.
        """
        return []

    def remove_empty_folders(self) -> int:
        """Remove every folder that holds no object; return how many (none by default)."""
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
        """Return the SHA-256 of a stored object (or the digest of a tree) by reading it back.

        :raises NotFound: when there is no such object, or the tree holds nothing.
        """
        if is_tree(key):
            entries = []
            for item in self.list_keys(key):
                with self.open(item.key) as handle:
                    entries.append((item.key[len(key) :], sha256_stream(handle)[0]))
            if not entries:
                raise NotFound(f"no objects under {key!r}")
            return tree_digest(entries)
        with self.open(key) as handle:
            return sha256_stream(handle)[0]


def check_tree(key: str) -> None:
    """Refuse a key that is not a tree key (one ending with "/").

    :raises StorageError: for such a key.
    """
    check_key(key)
    if not is_tree(key) or key == "/":
        raise StorageError(f"not a tree key (it must end with '/'): {key!r}")


def _spool(source: IO[bytes], target: IO[bytes]) -> str:
    """Copy a stream into another, returning the SHA-256 of what passed."""
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest()
