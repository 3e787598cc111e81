"""Contributed photos are decoded in bounded decoder processes, never in the web process."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from archive.models import Photo, PhotoFile
from archive.renditions import RENDITIONS
from tests.scans import picture, sixteen_bit_grey
from tests.web.conftest import contribution, csrf_token, runtime_of, send
from tests.web.test_security import nothing_stored


def encoded(im: Image.Image, fmt: str, **options: object) -> io.BytesIO:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    out.seek(0)
    return out


def post(app: Flask, name: str, data: io.BytesIO) -> tuple[int, str, dict[str, str]]:
    client = app.test_client()
    form = contribution(csrf_token(client, "/contribute"), [((data, name), {"story": "사연"})])
    response = send(client, form)
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_iphone_heic_photos_are_accepted(fresh_app: Flask) -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    status, page, _ = post(fresh_app, "IMG_0001.HEIC", encoded(picture((1200, 900)), "HEIF"))
    assert status == 303, page
    with runtime_of(fresh_app).db.session() as session:
        master = session.scalars(select(PhotoFile).where(PhotoFile.role == "master")).one()
        derivatives = session.scalars(select(PhotoFile).where(PhotoFile.role == "derivative")).all()
    assert master.format == "HEIF" and master.key.endswith(".heic")
    assert sorted(d.format for d in derivatives) == ["IIIF"] + ["JPEG"] * (len(RENDITIONS) - 1)


@pytest.mark.settings(upload_max_decoded_mb=50)
def test_the_decoded_size_is_capped_in_bytes_not_only_in_pixels(fresh_app: Flask) -> None:
    deep = encoded(sixteen_bit_grey((6000, 6000)), "PNG")  # a small file, 72 MB decoded
    assert deep.getbuffer().nbytes < 2_000_000
    status, page, _ = post(fresh_app, "deep.png", deep)
    assert status == 400 and "사진이 너무 큽니다" in page
    assert nothing_stored(fresh_app)


@pytest.mark.settings(worker_memory_mb=600, upload_max_decoded_mb=4096)
def test_a_photo_too_big_for_the_decoders_memory_fails_there(fresh_app: Flask) -> None:
    flat = encoded(Image.new("RGB", (8000, 10000), (90, 60, 30)), "PNG")  # 320 MB decoded
    status, page, _ = post(fresh_app, "flat.png", flat)
    assert status == 400 and "사진이 너무 큽니다" in page
    assert fresh_app.test_client().get("/healthz").status_code == 200
    status, page, _ = post(fresh_app, "ok.jpg", encoded(picture((800, 600)), "JPEG"))
    assert status == 303, page  # the decoder was replaced and works


@pytest.mark.settings(upload_decoders=1, upload_wait_seconds=0.5)
def test_when_every_decoder_is_busy_the_form_says_to_try_again(fresh_app: Flask) -> None:
    pool = runtime_of(fresh_app).upload_decoders()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with pool.reserve(5):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        status, page, headers = post(fresh_app, "p.jpg", encoded(picture(), "JPEG"))
        assert status == 503 and "잠시 후 다시" in page and headers["Retry-After"] == "30"
        assert fresh_app.test_client().get("/healthz").status_code == 200
        assert nothing_stored(fresh_app)
    finally:
        release.set()
        holder.join()
    status, page, _ = post(fresh_app, "p.jpg", encoded(picture(), "JPEG"))
    assert status == 303, page


@pytest.mark.settings(upload_decoders=2, upload_wait_seconds=1, upload_max_decoded_mb=64)
def test_many_contributions_at_once_are_answered_and_the_site_stays_up(fresh_app: Flask) -> None:
    bomb = encoded(sixteen_bit_grey((7000, 7000)), "PNG").getvalue()
    good = encoded(picture((900, 700)), "JPEG").getvalue()
    jobs = [("bomb.png", bomb)] * 6 + [("good.jpg", good)] * 2
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(lambda job: post(fresh_app, job[0], io.BytesIO(job[1])), jobs))
        health = fresh_app.test_client().get("/healthz").status_code
    assert health == 200
    for (name, _data), (status, page, _headers) in zip(jobs, answers, strict=True):
        if name == "bomb.png":
            assert status in (400, 503), status
            assert "사진이 너무 큽니다" in page or "잠시 후 다시" in page
        else:
            assert status in (303, 503), page
    with runtime_of(fresh_app).db.session() as session:
        stored = len(session.scalars(select(Photo)).all())
    assert stored == sum(1 for status, _page, _h in answers if status == 303)
