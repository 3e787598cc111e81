"""Storage backends behind one small interface; pick one with build_storage()."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from archive.config import Settings
from archive.errors import ConfigError
from archive.storage.base import (
    PUBLIC_PREFIX,
    RENDITION_PREFIX,
    ListedObject,
    Storage,
    StoredObject,
    folder_digest,
    is_tree,
    master_key,
    public_copy_key,
    public_key,
    public_name,
    public_tree_key,
    rendition_key,
    rendition_tree_key,
    tree_prefixes,
    upload_key,
)
from archive.storage.local import LocalStorage

__all__ = [
    "PUBLIC_PREFIX",
    "RENDITION_PREFIX",
    "ListedObject",
    "LocalStorage",
    "Storage",
    "Storages",
    "StoredObject",
    "build_storage",
    "folder_digest",
    "is_tree",
    "master_key",
    "public_copy_key",
    "public_key",
    "public_name",
    "public_tree_key",
    "rendition_key",
    "rendition_tree_key",
    "tree_prefixes",
    "upload_key",
]


def _local(settings: Settings) -> Storage:
    return LocalStorage(settings.storage_dir)


def _s3(settings: Settings) -> Storage:
    if not settings.s3_bucket:
        raise ConfigError("ARCHIVE_STORAGE=s3 needs ARCHIVE_S3_BUCKET (as do files stored in S3)")
    from archive.storage.s3 import S3Storage

    return S3Storage(
        s3_client(settings),
        settings.s3_bucket,
        prefix=settings.s3_prefix,
        public_url=settings.s3_public_url,
        multipart_mb=settings.s3_multipart_mb,
    )


# Every storage backend by the name file rows record (photo_files.backend).
BACKENDS: dict[str, Callable[[Settings], Storage]] = {"local": _local, "s3": _s3}


class Storages:
    """The backend new files go to, and every backend an existing file row may name.

    Each file row records its backend, so switching ARCHIVE_STORAGE moves nothing and
    breaks nothing: old rows are still read from where they were written.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[str, Storage] = {}
        self._lock = threading.Lock()
        if settings.storage not in BACKENDS:
            raise ConfigError(
                f"ARCHIVE_STORAGE={settings.storage!r}: supported backends are: "
                + ", ".join(BACKENDS)
            )
        self.of(settings.storage)  # built now, so a wrong setting is told at start-up

    @property
    def default(self) -> Storage:
        """Return the backend new files are written to (ARCHIVE_STORAGE)."""
        return self.of(self.settings.storage)

    def of(self, name: str) -> Storage:
        """Return a backend by name, built on first use.

        :raises ConfigError: for an unknown backend or one the settings cannot build.
        """
        with self._lock:
            if name not in self._built:
                if name not in BACKENDS:
                    raise ConfigError(f"unknown storage backend {name!r}")
                self._built[name] = BACKENDS[name](self.settings)
            return self._built[name]

    def available(self) -> list[Storage]:
        """Return the default backend, then every other one the settings can build."""
        found = [self.default]
        for name in BACKENDS:
            if name != self.settings.storage:
                try:
                    found.append(self.of(name))
                except ConfigError:
                    continue
        return found


def build_storage(settings: Settings) -> Storage:
    """Return the storage backend new files go to."""
    return Storages(settings).default


def s3_client(settings: Settings) -> Any:
    """Return a boto3 S3 client; credentials come from the standard AWS chain."""
    import boto3
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": "path"},  # what MinIO and most S3-compatible stores expect
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        config=config,
    )
