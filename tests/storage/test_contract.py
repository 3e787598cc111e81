"""The storage contract, run against every backend."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.errors import NotFound, StorageError
from archive.storage import LocalStorage, Storage, master_key, public_key, rendition_key
from archive.storage.s3 import S3Storage
from tests.s3 import s3_client


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Yield each storage backend, empty (S3 over HTTP against moto's server)."""
    if request.param == "local":
        yield LocalStorage(tmp_path / "storage")
        return
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    yield S3Storage(s3_client(endpoint), bucket, prefix="naju", multipart_mb=5)


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
    first = storage.put_bytes(rendition_key("ab" * 32, "thumb"), b"jpeg")
    second = storage.put_bytes(rendition_key("ab" * 32, "thumb"), b"jpeg")
    assert first == second


def test_copy_is_verified_and_listing_finds_every_key(storage: Storage) -> None:
    digest = hashlib.sha256(b"jpeg bytes").hexdigest()
    private = storage.put_bytes(rendition_key(digest, "web"), b"jpeg bytes")
    public = public_key(digest, "web", 3)
    copied = storage.copy(private.key, public)
    assert (copied.key, copied.sha256, copied.size) == (public, digest, 10)
    with storage.open(public) as handle:
        assert handle.read() == b"jpeg bytes"
    storage.put_bytes("renditions/thumb/aa/other.jpg", b"x")
    listed = {item.key: item.size for item in storage.list_keys("renditions/")}
    assert listed == {private.key: 10, "renditions/thumb/aa/other.jpg": 1}
    assert [item.key for item in storage.list_keys("derivatives/")] == [public]
    assert list(storage.list_keys("masters/")) == []
    with pytest.raises(NotFound):
        storage.copy("renditions/web/00/missing.jpg", public_key("00" * 32, "web", 1))


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


@pytest.mark.parametrize(
    "key",
    [
        "derivatives/tiles/ab/" + "9" * 256 + "/default.jpg",  # a part longer than a file name
        "derivatives/web/" + "가" * 90 + ".jpg",  # 270 bytes in UTF-8
        "derivatives/" + "/".join(["a" * 200] * 6),  # over 1,024 bytes in all
        "derivatives/web/a\x01b.jpg",
        "derivatives/web\\x.jpg",
    ],
)
def test_keys_no_object_can_have_are_found_nowhere_and_refused(storage: Storage, key: str) -> None:
    assert not storage.exists(key) and not storage.holds(key)
    with pytest.raises(NotFound):
        storage.open(key)
    with pytest.raises(StorageError):
        storage.put_bytes(key, b"x")


def test_a_tree_is_not_one_object(storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "pyramid"
    (folder / "full/max/0").mkdir(parents=True)
    (folder / "full/max/0/default.jpg").write_bytes(b"tile")
    storage.put_tree("renditions/tiles/cd/cdef/", folder)
    for key in ("renditions/tiles/cd/cdef/", "renditions/tiles/cd/cdef", "renditions/tiles/cd"):
        with pytest.raises(NotFound):
            storage.open(key)


def test_removing_a_tree_leaves_no_folder_behind(storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "pyramid"
    (folder / "0,0,512,512/512,512/0").mkdir(parents=True)
    (folder / "0,0,512,512/512,512/0/default.jpg").write_bytes(b"tile")
    (folder / "full/max/0").mkdir(parents=True)
    (folder / "full/max/0/default.jpg").write_bytes(b"whole")
    storage.put_bytes("renditions/tiles/ef/neighbour.jpg", b"kept")
    storage.put_tree("renditions/tiles/ef/ef01-1200x900/", folder)
    storage.remove("renditions/tiles/ef/ef01-1200x900/")
    assert storage.empty_folders() == []
    assert storage.holds("renditions/tiles/ef/neighbour.jpg")
    path = storage.local_path("renditions/tiles/ef/neighbour.jpg")
    if path is not None:  # on disk, the folder named by the hash is gone too
        assert [p.name for p in path.parent.iterdir()] == ["neighbour.jpg"]
        (path.parent / "left-by-a-crash" / "x").mkdir(parents=True)
        assert storage.empty_folders() == [
            "renditions/tiles/ef/left-by-a-crash/x/",
            "renditions/tiles/ef/left-by-a-crash/",
        ]
        assert storage.remove_empty_folders() == 2 and storage.empty_folders() == []


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


def test_check_writes_reads_and_deletes_a_probe(storage: Storage) -> None:
    storage.check()
    assert not storage.exists("checks/anything.txt")


def test_large_files_are_stored_whole_and_verified(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "big.tif"
    source.write_bytes(os.urandom(12 * 1024 * 1024 + 123))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stored = storage.put_file(master_key(digest, "tif"), source, digest)
    assert stored.size == source.stat().st_size
    assert storage.sha256(stored.key) == digest


def test_s3_large_masters_go_up_in_parts_and_stay_private(
    s3_endpoint: str, s3_bucket: str, tmp_path: Path
) -> None:
    client = s3_client(s3_endpoint)
    storage = S3Storage(client, s3_bucket, prefix="naju", public_url="https://cdn.example/photos")
    storage.transfer.multipart_threshold = storage.transfer.multipart_chunksize = 5 * 1024 * 1024
    source = tmp_path / "big.tif"
    source.write_bytes(os.urandom(11 * 1024 * 1024))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    stored = storage.put_file(master_key(digest, "tif"), source, digest)
    head = client.head_object(Bucket=s3_bucket, Key="naju/" + stored.key)
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    assert head["Metadata"]["sha256"] == digest
    assert storage.url(stored.key) is None  # masters never get a public URL
    thumb = public_key("cd" * 32, "thumb", 1)
    assert storage.url(thumb) == f"https://cdn.example/photos/naju/{thumb}"
    assert storage.url(rendition_key("cd" * 32, "thumb")) is None  # private derivatives


def test_s3_upload_that_does_not_match_is_removed(
    s3_endpoint: str, s3_bucket: str, tmp_path: Path
) -> None:
    storage = S3Storage(s3_client(s3_endpoint), s3_bucket)
    source = tmp_path / "a.jpg"
    source.write_bytes(b"changed while uploading")
    wrong = hashlib.sha256(b"what the worker read").hexdigest()
    with pytest.raises(StorageError, match="does not match"):
        storage.put_file(master_key(wrong, "jpg"), source, wrong)
    assert not storage.exists(master_key(wrong, "jpg"))


def test_s3_unreachable_endpoint_is_a_storage_error(tmp_path: Path) -> None:
    storage = S3Storage(s3_client("http://127.0.0.1:9"), "nowhere")
    with pytest.raises(StorageError, match="not reachable"):
        storage.check()


def test_s3_unfinished_multipart_uploads_are_aborted(s3_endpoint: str, s3_bucket: str) -> None:
    client = s3_client(s3_endpoint)
    client.create_multipart_upload(Bucket=s3_bucket, Key="masters/aa/bb/partial.tif")
    storage = S3Storage(client, s3_bucket)
    # (moto reports a fixed initiation time in 2010, so the age cut-off is not exercised here)
    assert storage.clean_temp(older_than=60) == 1
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


def test_a_tree_is_stored_copied_and_removed_as_one(storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "pyramid"
    for relative, data in (
        ("0,0,512,512/512,512/0/default.jpg", b"tile a"),
        ("full/188,263/0/default.jpg", b"small"),
        ("512,0,488,512/488,512/0/default.jpg", b"tile b"),
    ):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    stored = storage.put_tree("renditions/tiles/ab/abcd/", folder)
    assert (stored.key, stored.size) == ("renditions/tiles/ab/abcd/", 17)
    with storage.open("renditions/tiles/ab/abcd/full/188,263/0/default.jpg") as handle:
        assert handle.read() == b"small"
    copied = storage.copy_tree(stored.key, "derivatives/tiles/ab/abcd-1/")
    assert (copied.sha256, copied.size) == (stored.sha256, stored.size)  # same content, same digest
    assert storage.holds(copied.key) and storage.holds(stored.key)
    storage.put_bytes("renditions/tiles/ab/abcde/other.jpg", b"a neighbour sharing the prefix")
    storage.remove(stored.key)
    assert not storage.holds(stored.key) and storage.holds(copied.key)
    assert storage.holds("renditions/tiles/ab/abcde/other.jpg")
    assert len(list(storage.list_keys(copied.key))) == 3
    with pytest.raises(NotFound):
        storage.copy_tree(stored.key, "derivatives/tiles/ab/abcd-2/")
    for bad in ("renditions/tiles/ab/abcd", "/", "../x/"):
        with pytest.raises(StorageError):
            storage.put_tree(bad, folder)


def test_a_tree_given_up_by_its_caller_is_stored_whole(storage: Storage, tmp_path: Path) -> None:
    from archive.digest import folder_digest

    folder = tmp_path / "pyramid"
    (folder / "0,0,512,512" / "512,512" / "0").mkdir(parents=True)
    (folder / "0,0,512,512" / "512,512" / "0" / "default.jpg").write_bytes(b"tile")
    (folder / "full" / "max" / "0").mkdir(parents=True)
    (folder / "full" / "max" / "0" / "default.jpg").write_bytes(b"whole")
    digest = folder_digest(folder)
    stored = storage.put_tree("renditions/tiles/cd/cdef/", folder, move=True)
    assert (stored.sha256, stored.size) == (digest, 9)
    assert storage.sha256(stored.key) == digest  # read back from the store
    local = storage.local_path("renditions/tiles/cd/cdef/full/max/0/default.jpg")
    if local is not None:  # moved on a local disk (taken, not copied), and read-only
        assert not folder.exists() and local.stat().st_mode & 0o222 == 0
