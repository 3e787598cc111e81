"""Local-disk storage: temp file, fsync, rename; stored files are never rewritten."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from archive.errors import InvalidKey, NotFound, StorageError
from archive.storage.base import (
    CHUNK,
    ListedObject,
    Storage,
    StoredObject,
    check_key,
    check_tree,
    is_tree,
    sha256_file,
    tree_digest,
)


class LocalStorage(Storage):
    """Keep objects as files under one root directory."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / ".tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """Return the file path of key, refusing keys that leave the root."""
        check_key(key)
        return self.root / key

    def put_file(self, key: str, source: Path, sha256: str) -> StoredObject:
        """Copy a file into storage and verify the copy's SHA-256."""
        target = self.path(key)
        if target.exists():
            return self._verified(key, sha256)
        with source.open("rb") as handle:
            self._write(target, lambda out: shutil.copyfileobj(handle, out, CHUNK))
        return self._verified(key, sha256)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Write bytes into storage (skipped when identical content is there)."""
        target = self.path(key)
        digest = hashlib.sha256(data).hexdigest()
        if not target.exists():
            self._write(target, lambda out: out.write(data))
        return StoredObject(self.backend, key, digest, len(data))

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading (a tree or a folder is no object: NotFound)."""
        if is_tree(key):
            raise NotFound(f"{key!r} names a tree, not one object")
        try:
            return self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"no stored object {key!r}") from exc

    def exists(self, key: str) -> bool:
        """Return whether key is stored (a key no object can have is not)."""
        try:
            return self.path(key).is_file()
        except InvalidKey:
            return False

    def local_path(self, key: str) -> Path | None:
        """Return the file of a stored object (it may not exist)."""
        return self.path(key)

    def copy(self, source: str, target: str) -> StoredObject:
        """Copy one stored file to another key, verified by its SHA-256."""
        return self.put_file(target, self.path(source), self.sha256(source))

    def list_keys(self, prefix: str) -> Iterator[ListedObject]:
        """Yield every stored file under a key prefix (temp files excluded)."""
        top = self.root / prefix.rstrip("/") if prefix else self.root
        if not top.is_dir():
            return
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if Path(folder, d) != self.tmp_dir)
            for name in sorted(files):
                path = Path(folder, name)
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                yield ListedObject(path.relative_to(self.root).as_posix(), stat.st_size, modified)

    def delete(self, key: str) -> None:
        """Remove a stored file if it is there, and the folders it leaves empty."""
        target = self.path(key)
        if target.exists():
            target.chmod(0o644)
            target.unlink()
        self._prune(target.parent)

    def _prune(self, folder: Path) -> None:
        """Remove folder and its parents while empty, up to (not including) the top folders
        (masters/, renditions/, ...): a folder named by a hash must not outlive its files."""
        while folder.parent != self.root and self.root in folder.parents:
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): nothing above is empty either
                return
            folder = folder.parent

    def empty_folders(self) -> list[str]:
        """Return the folders below the top folders that hold no file, deepest first."""
        empty: set[str] = set()
        found: list[str] = []
        for top in sorted(self.root.iterdir()):
            if not top.is_dir() or top == self.tmp_dir:
                continue
            for folder, folders, files in os.walk(top, topdown=False):
                if folder == str(top) or files:
                    continue
                if all(os.path.join(folder, name) in empty for name in folders):
                    empty.add(folder)
                    found.append(Path(folder).relative_to(self.root).as_posix() + "/")
        return found

    def remove_empty_folders(self) -> int:
        """Remove every folder that holds no file; return how many."""
        removed = 0
        for folder in self.empty_folders():  # deepest first
            try:
                (self.root / folder).rmdir()
                removed += 1
            except OSError:
                continue  # a file arrived meanwhile
        return removed

    def clean_temp(self, older_than: float = 0.0) -> int:
        """Remove temp files left by interrupted writes, older than some seconds."""
        removed = 0
        cutoff = time.time() - older_than
        for leftover in self.tmp_dir.glob("*.part"):
            if leftover.stat().st_mtime <= cutoff:
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

    def put_tree(self, prefix: str, folder: Path, *, move: bool = False) -> StoredObject:
        """Store every file under folder below prefix, each verified, and make them durable
        with one sync of the file system (a pyramid is a hundred small files: one fsync
        each, and one per folder, cost more than cutting the tiles). With move, a folder on
        the same file system is renamed into place rather than copied."""
        check_tree(prefix)
        target_dir = self.path(prefix.rstrip("/"))
        if move and not target_dir.exists() and _same_device(folder, self.root):
            target_dir.parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder, target_dir)
            folder = target_dir
            for path in folder.rglob("*"):
                if path.is_file():
                    path.chmod(0o444)  # stored files are read-only, moved or copied
        entries: list[tuple[str, str]] = []
        size = 0
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            digest = sha256_file(path)[0]
            target = self.path(prefix + relative)
            if not target.exists():
                with path.open("rb") as handle:
                    self._write(target, lambda out: shutil.copyfileobj(handle, out), sync=False)
            size += self._verified(prefix + relative, digest).size
            entries.append((relative, digest))
        os.sync()
        return StoredObject(self.backend, prefix, tree_digest(entries), size)

    def _write(self, target: Path, fill: object, sync: bool = True) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)  # type: ignore[operator]
                out.flush()
                if sync:
                    os.fsync(out.fileno())
            tmp.chmod(0o444)
            try:
                os.replace(tmp, target)
            except FileNotFoundError:  # a deletion pruned the emptied folder meanwhile
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
            if sync:
                _fsync_dir(target.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageError(f"could not write {target}: {exc}") from exc

    def _verified(self, key: str, sha256: str) -> StoredObject:
        actual = self.sha256(key)
        if actual != sha256:
            self.delete(key)
            raise StorageError(f"stored copy of {key} does not match its SHA-256")
        return StoredObject(self.backend, key, sha256, self.path(key).stat().st_size)


def _same_device(one: Path, other: Path) -> bool:
    return one.stat().st_dev == other.stat().st_dev


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
