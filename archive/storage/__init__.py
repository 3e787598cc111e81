"""Storage backends behind one small interface; pick one with build_storage()."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from archive.storage.guard import WEB, WORKER, GuardedClient, Patience, StoreGuard
from archive.storage.local import LocalStorage

if TYPE_CHECKING:
    from archive.config import Settings

__all__ = [
    "PUBLIC_PREFIX",
    "RENDITION_PREFIX",
    "Caller",
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
    "web_caller",
]


@dataclass(frozen=True)
class Caller:
    """Who calls the stores: how long it waits, and the guard its calls go through (the
    web's, so that a slow store cannot hold every thread; none for workers)."""

    patience: Patience = WORKER
    guard: StoreGuard | None = None


def web_caller(settings: Settings) -> Caller:
    """Return the web's caller: short timeouts, a bulkhead and a breaker per process."""
    return Caller(WEB, StoreGuard(cooldown_seconds=settings.storage_cooldown_seconds))


def _local(settings: Settings, _caller: Caller) -> Storage:
    return LocalStorage(settings.storage_dir)


def _s3(settings: Settings, caller: Caller) -> Storage:
    if not settings.s3_bucket:
        raise ConfigError("ARCHIVE_STORAGE=s3 needs ARCHIVE_S3_BUCKET (as do files stored in S3)")
    from archive.storage.s3 import S3Storage

    client = s3_client(settings, caller.patience)
    return S3Storage(
        GuardedClient(client, caller.guard) if caller.guard is not None else client,
        settings.s3_bucket,
        prefix=settings.s3_prefix,
        public_url=settings.s3_public_url,
        multipart_mb=settings.s3_multipart_mb,
    )


# Every storage backend by the name file rows record (photo_files.backend).
BACKENDS: dict[str, Callable[[Settings, Caller], Storage]] = {"local": _local, "s3": _s3}


class Storages:
    """The backend new files go to, and every backend an existing file row may name.

    Each file row records its backend, so switching ARCHIVE_STORAGE moves nothing and
    breaks nothing: old rows are still read from where they were written.
    """

    def __init__(self, settings: Settings, caller: Caller | None = None) -> None:
        self.settings = settings
        self.caller = caller or Caller()
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
                self._built[name] = BACKENDS[name](self.settings, self.caller)
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


def s3_client(settings: Settings, patience: Patience = WORKER) -> Any:
    """Return a boto3 S3 client waiting as patiently as its caller may; credentials come
    from the standard AWS chain."""
    import boto3
    from botocore.config import Config

    config = Config(
        s3={"addressing_style": "path"},  # what MinIO and most S3-compatible stores expect
        retries={"total_max_attempts": patience.attempts, "mode": "standard"},
        connect_timeout=patience.connect_seconds,
        read_timeout=patience.read_seconds,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        config=config,
    )
