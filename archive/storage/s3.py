"""S3-compatible object storage (AWS S3, MinIO, ...) through a boto3 client passed in."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from archive.errors import InvalidKey, NotFound, StorageError
from archive.storage.base import (
    PUBLIC_PREFIX,
    ListedObject,
    Storage,
    StoredObject,
    check_key,
    is_tree,
)

MIB = 1024 * 1024


class S3Storage(Storage):
    """Objects in one bucket under an optional prefix; every object stays private.

    Public derivatives may be served from public_url (a CDN or a bucket policy that
    opens only the derivatives/ prefix); masters and uploads never are.
    """

    backend = "s3"

    def __init__(
        self,
        client: Any,
        bucket: str,
        *,
        prefix: str = "",
        public_url: str = "",
        multipart_mb: int = 64,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.public_url = public_url.rstrip("/")
        self.transfer = TransferConfig(
            multipart_threshold=multipart_mb * MIB, multipart_chunksize=multipart_mb * MIB
        )

    def _name(self, key: str) -> str:
        check_key(key)
        return self.prefix + key

    def put_file(self, key: str, source: Path, sha256: str) -> StoredObject:
        """Upload a file (multipart when large), then read it back to verify its SHA-256."""
        if self.exists(key):
            return self._verified(key, sha256)
        extra = {"ContentType": _content_type(key), "Metadata": {"sha256": sha256}}
        try:
            self.client.upload_file(
                str(source), self.bucket, self._name(key), ExtraArgs=extra, Config=self.transfer
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"could not upload {key}: {exc}") from exc
        return self._verified(key, sha256)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Write a small object (skipped when it is already there: keys are content hashes)."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.exists(key):
            try:
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._name(key),
                    Body=data,
                    ContentType=_content_type(key),
                    Metadata={"sha256": digest},
                )
            except (BotoCoreError, ClientError) as exc:
                raise StorageError(f"could not write {key}: {exc}") from exc
        return StoredObject(self.backend, key, digest, len(data))

    def open(self, key: str) -> BinaryIO:
        """Return a streaming reader of an object (a tree is no object: NotFound)."""
        if is_tree(key):
            raise NotFound(f"{key!r} names a tree, not one object")
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"no stored object {key!r}") from exc
            raise StorageError(f"could not read {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"could not read {key}: {exc}") from exc
        return cast(BinaryIO, response["Body"])

    def exists(self, key: str) -> bool:
        """Return whether an object exists under key (a key no object can have: no)."""
        try:
            check_key(key)
        except InvalidKey:
            return False
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        """Delete an object (deleting a missing one is harmless)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"could not delete {key}: {exc}") from exc

    def copy(self, source: str, target: str) -> StoredObject:
        """Copy an object inside the bucket (server-side), then verify the copy."""
        head = self._head(source)
        if head is None:
            raise NotFound(f"no stored object {source!r}")
        sha256 = head.get("Metadata", {}).get("sha256") or self.sha256(source)
        if not self.exists(target):
            try:
                self.client.copy(
                    {"Bucket": self.bucket, "Key": self._name(source)},
                    self.bucket,
                    self._name(target),
                    ExtraArgs={
                        "ContentType": _content_type(target),
                        "Metadata": {"sha256": sha256},
                        "MetadataDirective": "REPLACE",
                    },
                    Config=self.transfer,
                )
            except (BotoCoreError, ClientError) as exc:
                raise StorageError(f"could not copy {source} to {target}: {exc}") from exc
        return self._verified(target, sha256)

    def list_keys(self, prefix: str) -> Iterator[ListedObject]:
        """Yield every object under a key prefix, a page of 1,000 at a time."""
        if ".." in prefix.split("/"):
            raise StorageError(f"invalid prefix {prefix!r}")
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    yield ListedObject(key, int(item["Size"]), item["LastModified"])
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"could not list {prefix!r}: {exc}") from exc

    def url(self, key: str) -> str | None:
        """Return the public URL of a derivative when a public base URL is configured."""
        if self.public_url and key.startswith(PUBLIC_PREFIX):
            return f"{self.public_url}/{self._name(key)}"
        return None

    def clean_temp(self, older_than: float = 0.0) -> int:
        """Abort multipart uploads left unfinished by a crash, older than some seconds."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        aborted = 0
        try:
            listing = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix)
            for upload in listing.get("Uploads", []):
                if upload["Initiated"] <= cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"could not list unfinished uploads: {exc}") from exc
        return aborted

    def check(self) -> None:
        """Check that the bucket answers, then write, read and delete a probe object."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"bucket {self.bucket!r} is not reachable: {exc}") from exc
        super().check()

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise StorageError(f"could not check {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"could not check {key}: {exc}") from exc
        return head

    def _verified(self, key: str, sha256: str) -> StoredObject:
        if self.sha256(key) != sha256:
            self.delete(key)
            raise StorageError(f"stored copy of {key} does not match its SHA-256")
        head = self._head(key) or {}
        return StoredObject(self.backend, key, sha256, int(head.get("ContentLength", 0)))


def _missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def _content_type(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"
