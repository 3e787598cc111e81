"""Fuzz the upload path with mutated real files: every one is analysed or refused with a reason.

The seeds are real camera, phone and web files from ../shared/corpus; hypothesis flips
bits, cuts files short, repeats and zeroes stretches of them. The decoder processes must
answer every one (a record or a reason), and the web form must never answer 500.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from archive.errors import IngestError
from archive.features.contributions.uploads import CITIZEN_REASONS, citizen_reason
from archive.imaging.analyse import AnalyseOptions, Analysis
from archive.imaging.pool import DecoderPool
from tests.conftest import CORPUS
from tests.fuzz.conftest import fuzz_app, fuzz_settings
from tests.web.conftest import contribution, csrf_token, send

SEEDS = sorted(
    path
    for folder in ("cameras/pillow", "cameras/exif-samples", "other/pillow", "other/pillow_heif")
    for path in (CORPUS / folder).glob("*")
    if path.is_file() and path.stat().st_size < 120_000 and path.suffix.lower() in
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff", ".mpo"}
)  # fmt: skip
edits = st.lists(
    st.tuples(
        st.sampled_from(["flip", "cut", "repeat", "zero"]),
        st.integers(min_value=0, max_value=1 << 30),
        st.integers(min_value=1, max_value=512),
    ),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, changes: list[tuple[str, int, int]]) -> bytes:
    """Apply the drawn edits to a file's bytes."""
    out = bytearray(data)
    for kind, where, size in changes:
        if not out:
            break
        at = where % len(out)
        if kind == "flip":
            out[at] ^= 1 << (size % 8)
        elif kind == "cut":
            del out[max(at, 2) :]
        elif kind == "repeat":
            out[at:at] = out[at : at + size]
        else:
            out[at : at + size] = bytes(len(out[at : at + size]))
    return bytes(out)


@pytest.fixture(scope="module")
def pool() -> Iterator[DecoderPool]:
    options = AnalyseOptions(max_pixels=40_000_000, max_pages=1, max_decoded_mb=256)
    decoders = DecoderPool(1, options, timeout=20, memory_mb=1024)
    yield decoders
    decoders.close()


def test_the_seeds_are_real_files() -> None:
    assert len(SEEDS) >= 20
    assert {p.suffix.lower() for p in SEEDS} >= {".jpg", ".png", ".gif", ".webp", ".heic"}


@fuzz_settings(60)
@given(seed=st.sampled_from(SEEDS), changes=edits)
def test_mutated_files_are_analysed_or_refused(
    pool: DecoderPool, tmp_path_factory: Any, seed: Path, changes: list[tuple[str, int, int]]
) -> None:
    path = tmp_path_factory.mktemp("upload") / seed.name
    path.write_bytes(mutate(seed.read_bytes(), changes))
    with pool.reserve(60) as decoder:
        outcome = decoder.analyse(path)
    if isinstance(outcome, IngestError):
        assert outcome.korean and citizen_reason(outcome) in CITIZEN_REASONS.values()
        return
    assert isinstance(outcome, Analysis)
    for rendition in outcome.renditions:
        with Image.open(io.BytesIO(rendition.data)) as im:
            assert im.format == "JPEG" and im.size == (rendition.width, rendition.height)
            assert "comment" not in im.info and "exif" not in im.info


@pytest.fixture(scope="module")
def form_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = fuzz_app(
        tmp_path_factory.mktemp("form"), upload_decoders=1, contribute_rate_limit="10000 per hour"
    )
    yield app
    app.extensions["archive"].close()


@fuzz_settings(12)
@given(seed=st.sampled_from(SEEDS), changes=edits)
def test_the_form_answers_every_mutated_photo(
    form_app: Flask, seed: Path, changes: list[tuple[str, int, int]]
) -> None:
    client = form_app.test_client()
    data = mutate(seed.read_bytes(), changes)
    form = contribution(csrf_token(client, "/contribute"), [((io.BytesIO(data), seed.name), {})])
    response = send(client, form)
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 400:
        page = response.get_data(as_text=True)
        assert any(reason in page for reason in CITIZEN_REASONS.values()), page[-2000:]
