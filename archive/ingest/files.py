"""The drop folder: which files to take, when they are complete, and where they go after."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from archive.digest import FileIdentity, sha256_stream
from archive.ingest.sidecar import MANIFEST_NAME
from archive.statuses import FileRole
from archive.text import nfc

LITTER_PATTERNS = (
    "thumbs.db",
    "desktop.ini",
    "~$*",
    "*.tmp",
    "*.part",
    "*.crdownload",
    ".ds_store",
    "._*",
    "*.partial",
    "*.filepart",
)
SKIPPED_DIRS = {"@eaDir", "#recycle", "$RECYCLE.BIN", "System Volume Information", "__MACOSX"}
KIND_BY_SUFFIX = {"_b": FileRole.BACK, "_a": FileRole.ALTERNATE}


@dataclass(frozen=True)
class DropFile:
    """A file found in the drop folder."""

    path: Path
    rel: str
    kind: str
    stem: str

    @property
    def sidecar(self) -> Path:
        """Return where this file's JSON sidecar would be."""
        return self.path.with_suffix(".json")


def is_litter(name: str) -> bool:
    """Return whether a name is system or editor litter, or hidden."""
    lower = name.lower()
    return name.startswith(".") or any(fnmatch.fnmatch(lower, p) for p in LITTER_PATTERNS)


def make_drop(path: Path, root: Path) -> DropFile:
    """Describe a file by its NFC path relative to root and its front/back role."""
    rel = PurePosixPath(nfc(path.relative_to(root).as_posix()))
    stem = rel.stem
    kind = "primary"
    suffix = stem[-2:].lower()
    if suffix in KIND_BY_SUFFIX and len(stem) > 2:
        kind, stem = KIND_BY_SUFFIX[suffix], stem[:-2]
    return DropFile(path, str(rel), kind, str(rel.parent / stem).lower())


def has_descriptions(root: Path) -> bool:
    """Return whether any JSON sidecar or manifest.csv waits under root (text to index)."""
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        if any(n.lower().endswith(".json") or n.lower() == MANIFEST_NAME for n in files):
            return True
    return False


def discover(root: Path) -> list[DropFile]:
    """Return candidate files under root: no litter, sheets or sidecars; fronts first."""
    found: list[DropFile] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        names = set(files)
        stems = {Path(n).stem for n in names if not n.lower().endswith(".json")}
        for name in sorted(files):
            lower = name.lower()
            if is_litter(name) or lower == MANIFEST_NAME or lower.endswith(".error.txt"):
                continue
            if lower.endswith(".json") and Path(name).stem in stems:
                continue
            if lower.endswith(".json"):
                continue  # a sidecar waiting for its image
            found.append(make_drop(Path(folder) / name, root))
    return sorted(found, key=lambda d: (d.kind != "primary", d.rel))


class StabilityTracker:
    """Decide when files have stopped changing (size and mtime steady for settle seconds).

    A file last modified at least settle seconds ago (by the clock) has been steady that
    long already and is taken at once; a newer one is watched until it has been. A scan's
    files (front, back side, enhanced copy) are taken together: while one of them is still
    changing, the others wait for it, so a back side never goes ahead of its front.
    """

    def __init__(self, settle_seconds: float) -> None:
        self.settle = settle_seconds
        self._seen: dict[Path, tuple[int, int, float]] = {}

    def ready(self, drops: list[DropFile]) -> list[DropFile]:
        """Return the drops whose size and mtime have not changed for settle seconds."""
        now = time.monotonic()
        result: list[DropFile] = []
        unsteady: set[str] = set()
        current: dict[Path, tuple[int, int, float]] = {}
        for drop in drops:
            try:
                stat = drop.path.stat()
            except FileNotFoundError:
                continue
            key = (stat.st_size, stat.st_mtime_ns)
            previous = self._seen.get(drop.path)
            if previous and previous[:2] == key:
                since = previous[2]
            else:  # unchanged since its mtime: it counts as steady from then
                steady_for = max(0.0, time.time() - stat.st_mtime_ns / 1e9)
                since = now - steady_for
            current[drop.path] = (*key, since)
            if now - since >= self.settle:
                result.append(drop)
            else:
                unsteady.add(drop.stem)
        self._seen = current
        return [drop for drop in result if drop.stem not in unsteady]


def _target_for(path: Path, source_root: Path, target_root: Path) -> Path:
    """Return a free path under target_root mirroring path's place under source_root."""
    rel = Path(nfc(path.relative_to(source_root).as_posix()))
    target = unique_path(target_root / rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def move_out(path: Path, source_root: Path, target_root: Path) -> Path:
    """Move a file to target_root, mirroring its sub-folder; never overwrite."""
    target = _target_for(path, source_root, target_root)
    try:
        os.replace(path, target)
    except OSError:
        shutil.move(str(path), str(target))  # another file system (e.g. a network share)
    return target


def move_verified(
    path: Path,
    source_root: Path,
    target_root: Path,
    identity: FileIdentity | None,
    sha256: str | None = None,
) -> Path | None:
    """Move a file only while it is still the file that was read; return where it went.

    The file is held open: its identity (inode, size, mtime) must be the one recorded
    when it was hashed, and with sha256 its bytes are hashed again. After the rename the
    moved file must be the one held, else it goes back to the inbox under a free name.
    :returns: the new path, or None when the file changed and was left (or put back).
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        held = FileIdentity.of_stat(os.fstat(handle.fileno()))
        if identity is not None and held != identity:
            return None
        if sha256 is not None and sha256_stream(handle)[0] != sha256:
            return None
        target = _target_for(path, source_root, target_root)
        try:
            os.replace(path, target)
        except OSError:
            return _copy_held(handle, held, path, target)
    if FileIdentity.of_path(target) != held:  # replaced between the check and the rename
        os.replace(target, unique_path(path))
        return None
    return target


def _copy_held(handle: BinaryIO, held: FileIdentity, path: Path, target: Path) -> Path:
    """Copy the held file to another file system; remove the source only if unchanged.

    When the path meanwhile names another file, that file stays for the next round.
    """
    handle.seek(0)
    with target.open("xb") as out:
        shutil.copyfileobj(handle, out)
        out.flush()
        os.fsync(out.fileno())
    if FileIdentity.of_path(path) == held:
        path.unlink()
    return target


def unique_path(target: Path) -> Path:
    """Return target, or 'name (2).ext' and so on when it exists."""
    if not target.exists():
        return target
    for n in range(2, 10_000):
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(target)


def remove_empty_dirs(root: Path) -> None:
    """Remove empty sub-folders below root (root itself stays)."""
    for folder, _dirs, _files in os.walk(root, topdown=False):
        path = Path(folder)
        if path != root:
            with contextlib.suppress(OSError):
                path.rmdir()
