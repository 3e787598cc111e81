"""The storage contract, run against every backend."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.errors import NotFound, StorageError
from archive.storage import LocalStorage, Storage, derivative_key, master_key


@pytest.fixture(params=["local"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Yield each storage backend, empty."""
    yield LocalStorage(tmp_path / "storage")


def test_put_file_is_verified_and_readable(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "scan.tif"
    source.write_bytes(b"master bytes" * 1000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stored = storage.put_file(master_key(digest, "tif"), source, digest)
    assert stored.key == f"masters/{digest[:2]}/{digest[2:4]}/{digest}.tif"
    assert (stored.sha256, stored.size) == (digest, 12000)
    with storage.open(stored.key) as handle:
        assert handle.read() == source.read_bytes()
    assert storage.exists(stored.key)


def test_put_file_with_wrong_hash_is_refused_and_leaves_nothing(
    storage: Storage, tmp_path: Path
) -> None:
    source = tmp_path / "scan.jpg"
    source.write_bytes(b"abc")
    wrong = "0" * 64
    with pytest.raises(StorageError):
        storage.put_file(master_key(wrong, "jpg"), source, wrong)
    assert not storage.exists(master_key(wrong, "jpg"))


def test_same_content_twice_is_one_object(storage: Storage) -> None:
    first = storage.put_bytes(derivative_key("ab" * 32, "thumb"), b"jpeg")
    second = storage.put_bytes(derivative_key("ab" * 32, "thumb"), b"jpeg")
    assert first == second


def test_missing_and_deleted_objects(storage: Storage) -> None:
    with pytest.raises(NotFound):
        storage.open("masters/00/00/nothing.jpg")
    stored = storage.put_bytes("derivatives/web/aa/x.jpg", b"x")
    storage.delete(stored.key)
    assert not storage.exists(stored.key)
    storage.delete(stored.key)  # deleting twice is harmless


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "masters/../../x", ""])
def test_keys_cannot_leave_the_store(storage: Storage, key: str) -> None:
    with pytest.raises(StorageError):
        storage.put_bytes(key, b"x")


def test_local_masters_are_read_only_and_temp_files_are_cleaned(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "s")
    source = tmp_path / "a.jpg"
    source.write_bytes(b"a")
    digest = hashlib.sha256(b"a").hexdigest()
    stored = storage.put_file(master_key(digest, "jpg"), source, digest)
    assert storage.path(stored.key).stat().st_mode & 0o222 == 0
    (storage.tmp_dir / "left-by-a-crash.part").write_bytes(b"partial")
    assert storage.clean_temp() == 1
    assert not list(storage.tmp_dir.iterdir())
