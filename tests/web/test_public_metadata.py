"""No metadata of an original reaches a derivative, whatever container it hides in.

Every derivative, private or public, of scans and of contributed photos alike, must carry
nothing but the EXIF the archive writes on purpose (archive id, rights, credit).
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import piexif
import pytest
from flask import Flask
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select

from archive.features.catalogue.review import approve_photo
from archive.ingest.worker import IngestWorker
from archive.models import Photo, PhotoFile
from archive.renditions import RENDITIONS
from archive.runtime import Runtime
from tests.scans import picture
from tests.web.conftest import contribution, csrf_token, runtime_of, send, work

MARK = "SECRET-010-9876-5432-N35.0123"
ALLOWED_ZEROTH = {
    piexif.ImageIFD.Copyright,
    piexif.ImageIFD.Artist,
    piexif.ImageIFD.DocumentName,
    piexif.ImageIFD.ExifTag,
}


def base(seed: int) -> Image.Image:
    return picture((320, 240), seed=seed)


def marked_exif() -> bytes:
    mark = MARK.encode()
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.ImageDescription: mark,
                piexif.ImageIFD.Artist: mark,
                piexif.ImageIFD.Copyright: mark,
                piexif.ImageIFD.Make: mark,
                piexif.ImageIFD.XPComment: tuple((MARK + "\0").encode("utf-16-le")),
            },
            "Exif": {
                piexif.ExifIFD.UserComment: b"ASCII\0\0\0" + mark,
                piexif.ExifIFD.BodySerialNumber: mark,
            },
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((35, 1), (1, 1), (123, 100)),
                piexif.GPSIFD.GPSAreaInformation: mark,
            },
        }
    )


def xmp_packet() -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="{MARK}"/></rdf:RDF></x:xmpmeta>'
    ).encode()


def marked_icc() -> bytes:
    """Return an sRGB profile with the mark appended (its header size says so)."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + MARK.encode()
    return struct.pack(">I", len(icc)) + icc[4:]


def with_iptc(jpeg: bytes) -> bytes:
    """Insert an APP13 Photoshop segment with an IPTC caption after the JPEG's SOI."""
    text = MARK.encode()
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text
    block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    payload = b"Photoshop 3.0\x00" + block
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def save(im: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def png_text(seed: int) -> bytes:
    info = PngInfo()
    info.add_text("Comment", MARK)
    info.add_text("GPS", MARK, zip=True)
    info.add_itxt("Description", MARK, lang="ko", tkey="설명")
    return save(base(seed), "PNG", pnginfo=info)


def heic(seed: int) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return save(base(seed), "HEIF", quality=80, exif=marked_exif(), xmp=xmp_packet())


CONTAINERS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "exif": ("jpg", lambda n: save(base(n), "JPEG", exif=marked_exif())),
    "xmp": ("jpg", lambda n: save(base(n), "JPEG", xmp=xmp_packet())),
    "iptc": ("jpg", lambda n: with_iptc(save(base(n), "JPEG"))),
    "icc": ("jpg", lambda n: save(base(n), "JPEG", icc_profile=marked_icc())),
    "jpeg-comment": ("jpg", lambda n: save(base(n), "JPEG", comment=MARK.encode())),
    "png-text": ("png", png_text),
    "png-exif": ("png", lambda n: save(base(n), "PNG", exif=marked_exif())),
    "webp": ("webp", lambda n: save(base(n), "WEBP", exif=marked_exif(), xmp=xmp_packet())),
    "heic": ("heic", heic),
    "tiff-tags": (
        "tif",
        lambda n: save(
            base(n),
            "TIFF",
            tiffinfo={270: MARK, 315: MARK, 33432: MARK, 305: MARK, 700: xmp_packet()},
        ),
    ),
    "gif-comment": ("gif", lambda n: save(base(n).convert("P"), "GIF", comment=MARK.encode())),
}


def marker_forms() -> list[bytes]:
    return [MARK.encode(), MARK.encode("utf-16-le"), MARK.encode("utf-16-be"), b"SECRET"]


def jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (marker, payload) of a JPEG's segments up to the scan."""
    at = 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:
            return
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        yield marker, data[at + 4 : at + 2 + length]
        at += 2 + length


def assert_clean(data: bytes, where: str) -> None:
    for form in marker_forms():
        assert form not in data, where
    for marker, payload in jpeg_segments(data):
        assert marker in (0xE0, 0xE1, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD), (where, hex(marker))
        if marker == 0xE1:
            assert payload.startswith(b"Exif\0\0"), (where, "XMP or another APP1")
            exif = piexif.load(payload)
            assert set(exif["0th"]) <= ALLOWED_ZEROTH, (where, exif["0th"])
            assert set(exif["Exif"]) <= {piexif.ExifIFD.ImageUniqueID}, where
            assert not exif["GPS"] and not exif["Interop"] and not exif["1st"], where


def derivative_files(runtime: Runtime, titles: set[str] | None = None) -> list[tuple[str, bytes]]:
    """Return (where, bytes) of every derivative, private and public, of the records."""
    found = []
    with runtime.db.session() as session:
        rows = session.execute(
            select(PhotoFile.key, PhotoFile.public_key, Photo.title)
            .join(Photo)
            .where(PhotoFile.role == "derivative")
        ).all()
    for key, public, title in rows:
        for stored in filter(None, (key, public)):
            if stored.endswith("/"):  # a tile pyramid: every tile and size image
                for item in runtime.storage.list_keys(stored):
                    with runtime.storage.open(item.key) as handle:
                        data = handle.read()
                    assert {m for m, _ in jpeg_segments(data)} <= PIXELS_ONLY, item.key
                    found.append((f"{title} {stored} {item.key[len(stored) :]}", data))
                continue
            with runtime.storage.open(stored) as handle:
                found.append((f"{title} {stored}", handle.read()))
    return found


PIXELS_ONLY = {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}  # JFIF and image data: no EXIF at all


def units(files: list[tuple[str, bytes]]) -> set[str]:
    """Return the stored units the files belong to (a pyramid counts once)."""
    return {" ".join(where.split(" ")[:2]) for where, _data in files}


def test_scans_in_every_container_give_clean_derivatives(runtime: Runtime, inbox: Path) -> None:
    for n, (name, (ext, make)) in enumerate(CONTAINERS.items()):
        (inbox / f"{name}.{ext}").write_bytes(make(n))
        (inbox / f"{name}.json").write_text(json.dumps({"title": name, "status": "published"}))
    results = []
    with IngestWorker(runtime, on_result=results.append) as worker:
        worker.run_once(inbox)
    assert {r.outcome for r in results} == {"ingested"}, [(r.file, r.reason) for r in results]
    files = derivative_files(runtime)
    assert len(units(files)) == 2 * len(RENDITIONS) * len(CONTAINERS)  # private and public
    for where, data in files:
        assert_clean(data, where)


@pytest.mark.settings(upload_max_photos=20)
def test_contributed_photos_in_every_container_give_clean_derivatives(fresh_app: Flask) -> None:
    client = fresh_app.test_client()
    photos = [
        ((io.BytesIO(make(n)), f"{name}.{ext}"), {"title": name})
        for n, (name, (ext, make)) in enumerate(CONTAINERS.items())
    ]
    response = send(client, contribution(csrf_token(client, "/contribute"), photos))
    assert response.status_code == 303, response.get_data(as_text=True)
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        for photo in session.scalars(select(Photo)):
            approve_photo(session, runtime.storages, photo, actor="test", settings=runtime.settings)
    work(fresh_app)
    files = derivative_files(runtime)
    assert len(units(files)) == 2 * len(RENDITIONS) * len(CONTAINERS)
    for where, data in files:
        assert_clean(data, where)
    public = client.get("/api/photos").get_json()["items"]
    assert len(public) == len(CONTAINERS)
    for item in public:
        path = item["thumbnail_url"].split("//", 1)[1].split("/", 1)[1]
        assert_clean(client.get("/" + path).data, item["title"])
