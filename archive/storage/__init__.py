"""Storage backends behind one small interface; pick one with build_storage()."""

from __future__ import annotations

from typing import Any

from archive.config import Settings
from archive.errors import ConfigError
from archive.storage.base import (
    PUBLIC_PREFIX,
    RENDITION_PREFIX,
    ListedObject,
    Storage,
    StoredObject,
    master_key,
    public_key,
    public_name,
    rendition_key,
    upload_key,
)
from archive.storage.local import LocalStorage

__all__ = [
    "PUBLIC_PREFIX",
    "RENDITION_PREFIX",
    "ListedObject",
    "LocalStorage",
    "Storage",
    "StoredObject",
    "build_storage",
    "master_key",
    "public_key",
    "public_name",
    "rendition_key",
    "upload_key",
]


def build_storage(settings: Settings) -> Storage:
    """Return the storage backend the settings ask for."""
    if settings.storage == "local":
        return LocalStorage(settings.storage_dir)
    if settings.storage == "s3":
        from archive.storage.s3 import S3Storage

        return S3Storage(
            s3_client(settings),
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            public_url=settings.s3_public_url,
            multipart_mb=settings.s3_multipart_mb,
        )
    raise ConfigError(f"unknown storage backend {settings.storage!r}")


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
