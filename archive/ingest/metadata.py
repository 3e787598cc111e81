"""Collect a dropped file's descriptive fields from its sidecar and its folder's sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.errors import MetadataError
from archive.fields import merge_descriptive
from archive.ingest.files import DropFile
from archive.ingest.sidecar import (
    MANIFEST_NAME,
    manifest_row,
    normalise_fields,
    read_manifest,
    read_sidecar,
)


def find_manifest(folder: Path) -> Path | None:
    """Return the folder's manifest.csv, whatever the case of its name."""
    try:
        for entry in folder.iterdir():
            if entry.name.lower() == MANIFEST_NAME and entry.is_file():
                return entry
    except FileNotFoundError:
        return None
    return None


class MetadataSource:
    """Read sidecars and sheets, caching each sheet until it changes."""

    def __init__(self) -> None:
        self._sheets: dict[Path, tuple[tuple[int, int], dict[str, dict[str, Any]]]] = {}

    def sheet(self, path: Path) -> dict[str, dict[str, Any]]:
        """Return a parsed sheet, re-reading it when its size or mtime changed.

        :raises MetadataError: when the sheet cannot be read.
        """
        stat = path.stat()
        key = (stat.st_size, stat.st_mtime_ns)
        cached = self._sheets.get(path)
        if cached is None or cached[0] != key:
            cached = (key, read_manifest(path))
            self._sheets[path] = cached
        return cached[1]

    def fields_for(self, drop: DropFile) -> dict[str, Any]:
        """Return sidecar fields over sheet fields for one file (sidecar wins per field).

        :raises MetadataError: naming the sidecar or sheet that is wrong.
        """
        layers: list[dict[str, Any]] = []
        if drop.sidecar.is_file():
            layers.append(read_sidecar(drop.sidecar))
        manifest = find_manifest(drop.path.parent)
        if manifest is not None:
            try:
                row = manifest_row(self.sheet(manifest), drop.path.name)
                if row is not None:
                    layers.append(normalise_fields(row))
            except MetadataError as exc:
                raise MetadataError(f"{manifest.name}: {exc}") from exc
        return merge_descriptive(*layers)

    def listed_files(self, manifest: Path) -> list[str]:
        """Return the file names a sheet lists (empty when it cannot be read)."""
        try:
            return list(self.sheet(manifest))
        except (MetadataError, OSError):
            return []
