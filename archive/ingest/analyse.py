"""The pure, CPU-heavy part of ingest: hash, decode, read metadata, render derivatives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from archive.errors import IngestError
from archive.ingest.exif import read_embedded_description, read_technical
from archive.ingest.imaging import (
    DECODER_ERRORS,
    bomb_error,
    encode_jpeg,
    open_image,
    render_display,
    shrink,
    undecodable,
)
from archive.storage.base import sha256_file


@dataclass(frozen=True)
class AnalyseOptions:
    """Limits and sizes a decoder process works with."""

    max_pixels: int = 120_000_000
    thumb_size: int = 320
    web_size: int = 1600
    max_pages: int = 50
    jpeg_quality: int = 85


@dataclass
class Rendition:
    """One derivative image (JPEG bytes without metadata) of one page."""

    variant: str
    page: int
    data: bytes
    width: int
    height: int


@dataclass
class Analysis:
    """Everything learnt from one file, ready to be stored and recorded."""

    sha256: str
    size: int
    format: str
    width: int
    height: int
    technical: dict[str, Any]
    embedded: dict[str, Any]
    phash: str | None
    renditions: list[Rendition] = field(default_factory=list)


def analyse_file(path: Path, options: AnalyseOptions) -> Analysis:
    """Hash and decode a dropped file for real and render its derivatives.

    :raises IngestError: with a bilingual reason when the file cannot become a record.
    """
    sha256, size = sha256_file(path)
    if size == 0:
        raise IngestError(
            "empty",
            "빈 파일(0바이트)입니다. 스캔이 끝나지 않았거나 복사가 실패했습니다.",
            "the file is empty (0 bytes): the scan or the copy did not finish",
            "스캐너에서 다시 저장하거나 다시 복사해 넣어 주세요.",
        )
    with open_image(path, options.max_pixels) as im:
        width, height, fmt = im.width, im.height, str(im.format)
        try:
            technical = read_technical(path, im)
            embedded = read_embedded_description(im)
            renditions, phash = _render_pages(path, im, options)
        except MemoryError as exc:
            raise bomb_error(im.width, im.height, options.max_pixels) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb_error(im.width, im.height, options.max_pixels) from exc
        except DECODER_ERRORS as exc:
            raise undecodable(exc) from exc
        return Analysis(
            sha256=sha256,
            size=size,
            format=fmt,
            width=width,
            height=height,
            technical=technical,
            embedded=embedded,
            phash=phash,
            renditions=renditions,
        )


def _render_first(path: Path, im: Image.Image, options: AnalyseOptions) -> Image.Image:
    """Render page 0 with DCT-scaled decoding, retrying at full size if that fails."""
    try:
        return render_display(im, options.web_size)
    except OSError:
        if im.format not in ("JPEG", "MPO"):
            raise
    with Image.open(path) as again:  # some JPEG variants only decode without draft
        return render_display(again, options.web_size, draft=False)


def _render_pages(
    path: Path, im: Image.Image, options: AnalyseOptions
) -> tuple[list[Rendition], str]:
    pages = getattr(im, "n_frames", 1) if im.format == "TIFF" else 1
    renditions: list[Rendition] = []
    phash = ""
    for page in range(min(pages, options.max_pages)):
        if page:
            im.seek(page)
            if im.width * im.height > options.max_pixels:
                raise bomb_error(im.width, im.height, options.max_pixels)
        web = (
            _render_first(path, im, options) if page == 0 else render_display(im, options.web_size)
        )
        thumb = shrink(web, options.thumb_size)
        if page == 0:
            import imagehash  # numpy and scipy: loaded only in decoder processes

            phash = str(imagehash.phash(thumb))
        for variant, image in (("web", web), ("thumb", thumb)):
            data = encode_jpeg(image, options.jpeg_quality)
            renditions.append(Rendition(variant, page, data, image.width, image.height))
    return renditions, phash
