"""Storage backends behind one small interface; pick one with build_storage()."""

from __future__ import annotations

from archive.config import Settings
from archive.errors import ConfigError
from archive.storage.base import Storage, StoredObject, derivative_key, master_key, upload_key
from archive.storage.local import LocalStorage

__all__ = [
    "LocalStorage",
    "Storage",
    "StoredObject",
    "build_storage",
    "derivative_key",
    "master_key",
    "upload_key",
]


def build_storage(settings: Settings) -> Storage:
    """Return the storage backend the settings ask for."""
    if settings.storage == "local":
        return LocalStorage(settings.storage_dir)
    raise ConfigError(f"unknown storage backend {settings.storage!r}")
