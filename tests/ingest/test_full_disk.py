"""A full disk is no fault of the files: they wait in the inbox, never in failed/.

The work folder (where libvips cuts tile pyramids before they are stored) is put on a
real, tiny tmpfs, so libvips's own writes fail with "No space left on device" as they do
on a full data disk. Mounting needs root (as `make test` runs in CI); elsewhere the test
says why it cannot run.
"""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.faults import storage_fault
from archive.runtime import Runtime
from tests.scans import picture, save_jpeg

Ingest = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def full_work_dir(runtime: Runtime) -> Iterator[Path]:
    """Mount a 256 KiB tmpfs on the work folder for the test, and take it away after."""
    work = runtime.settings.work_dir
    work.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield work
    finally:
        subprocess.run(["umount", "-l", str(work)], check=False)


def test_files_wait_in_the_inbox_while_the_disk_is_full_then_go_in(
    runtime: Runtime, inbox: Path, ingest: Ingest, full_work_dir: Path
) -> None:
    names = [f"big-{n}.jpg" for n in range(4)]
    for seed, name in enumerate(names):
        save_jpeg(inbox / name, picture((2400, 1800), seed=seed + 1))
    lines = ingest("--once")
    results = {line["file"]: line for line in lines if "file" in line}
    failed_dir = runtime.settings.scans_dir / "failed"
    assert not failed_dir.exists() or not any(failed_dir.rglob("*.jpg"))
    for name in names:
        assert (inbox / name).exists(), name  # left where the operator put it
        assert "다시 시도" in results[name]["reason_ko"], results[name]
        assert "No space left on device" in results[name]["reason"], results[name]
    subprocess.run(["umount", "-l", str(full_work_dir)], check=True)  # room again
    lines = ingest("--once")
    outcomes = {line["file"]: line["outcome"] for line in lines if "file" in line}
    assert outcomes == dict.fromkeys(names, "ingested")


def test_storage_faults_are_told_from_other_errors_whoever_raised_them() -> None:
    assert storage_fault(OSError(errno.ENOSPC, "No space left on device")) is not None
    assert storage_fault(OSError(errno.EROFS, "Read-only file system")) is not None
    assert storage_fault(OSError(errno.EDQUOT, "Disk quota exceeded")) is not None
    assert storage_fault(OSError(errno.EIO, "Input/output error")) is not None
    vips = Exception("dzsave: unable to write to file\nunix error: No space left on device")
    assert storage_fault(vips) == "No space left on device"
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("could not store the master") from inner
    except RuntimeError as wrapped:
        assert storage_fault(wrapped) is not None  # found through the chain

    class ClientError(Exception):  # botocore's shape: the parsed answer in .response
        def __init__(self, code: str, status: int) -> None:
            super().__init__(code)
            self.response = {
                "Error": {"Code": code},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }

    assert storage_fault(ClientError("SlowDown", 503)) == "S3 SlowDown"
    assert storage_fault(ClientError("NoSuchKey", 404)) is None
    assert storage_fault(ValueError("image file is truncated")) is None
    assert storage_fault(OSError(errno.ENOENT, "No such file or directory")) is None
