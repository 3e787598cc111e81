"""Decoder processes: a crash or a slow file fails only that file."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archive.errors import IngestError
from archive.imaging.analyse import AnalyseOptions, Analysis
from archive.imaging.pool import DecoderPool
from tests.scans import picture, save_jpeg, save_tiff


def collect_all(pool: DecoderPool, expected: int) -> dict[Any, Any]:
    results: dict[Any, Any] = {}
    deadline = time.monotonic() + 60
    while len(results) < expected and time.monotonic() < deadline:
        results.update(pool.collect(wait_seconds=0.5))
    return results


def test_killed_decoder_fails_its_file_and_is_replaced(tmp_path: Path) -> None:
    big = save_tiff(tmp_path / "big.tif", picture((4000, 5000)), compression="raw")
    small = save_jpeg(tmp_path / "small.jpg")
    pool = DecoderPool(1, AnalyseOptions(), timeout=60, memory_mb=0)
    try:
        pool.submit("big", big)
        time.sleep(0.3)
        os.kill(pool._slots[0].process.pid, signal.SIGKILL)
        crashed = collect_all(pool, 1)["big"]
        assert isinstance(crashed, IngestError) and crashed.code == "decoder_crash"
        pool.submit("small", small)
        assert isinstance(collect_all(pool, 1)["small"], Analysis)
    finally:
        pool.close()


def test_slow_file_times_out(
    runtime: Any,
    inbox: Path,
    ingest: Callable[..., list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARCHIVE_TASK_TIMEOUT", "0.05")
    save_tiff(inbox / "huge.tif", picture((5000, 6000)), compression="tiff_lzw")
    [result, _] = ingest()
    assert result["outcome"] == "failed" and "longer than" in result["reason"]


def test_memory_cap_fails_the_file_not_the_worker(
    runtime: Any,
    inbox: Path,
    ingest: Callable[..., list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARCHIVE_WORKER_MEMORY_MB", "600")
    flat = Image.new("RGB", (8000, 10000), (120, 80, 40))  # small file, 240 MB decoded
    save_tiff(inbox / "a-huge.tif", flat, compression="tiff_lzw")
    save_jpeg(inbox / "b-small.jpg")
    results = {line["file"]: line for line in ingest()[:-1]}
    assert results["a-huge.tif"]["outcome"] == "failed"
    assert "too large" in results["a-huge.tif"]["reason"]
    assert results["b-small.jpg"]["outcome"] == "ingested"
