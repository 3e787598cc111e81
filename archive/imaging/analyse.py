"""The pure, CPU-heavy part of ingest: hash, decode, read metadata, render derivatives."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from archive.digest import FileIdentity, sha256_stream
from archive.errors import IngestError
from archive.imaging.decode import (
    DECODER_ERRORS,
    MIB,
    bomb_error,
    check_size,
    decode_failure,
    encode_jpeg,
    open_image,
    render_display,
    shrink,
)
from archive.imaging.metadata import read_embedded_description, read_exif_tags, read_technical
from archive.renditions import Planned


@dataclass(frozen=True)
class AnalyseOptions:
    """Limits and sizes a decoder process works with."""

    max_pixels: int = 120_000_000
    # The derivatives to make (archive.renditions.plan()), largest first.
    renditions: tuple[Planned, ...] = (
        Planned("web", 1600, 85, ""),
        Planned("thumb", 320, 85, ""),
    )
    max_pages: int = 50
    # Largest decoded image in MiB (width x height x bytes per pixel); 0 means no cap.
    max_decoded_mb: int = 0
    # Where tile pyramids are written for the caller to store (and then discard).
    work_dir: Path | None = None

    @property
    def max_bytes(self) -> int:
        """Return the decoded-size cap in bytes (0: none)."""
        return self.max_decoded_mb * MIB


@dataclass
class Rendition:
    """One derivative image (JPEG bytes without metadata) of one page."""

    variant: str
    page: int
    data: bytes
    width: int
    height: int
    spec: str = ""
    folder: Path | None = None  # a tile pyramid's files (then data is empty)
    digest: str = ""  # a tile pyramid's tree digest


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
    # The file that was hashed: moving it later is checked against this.
    identity: FileIdentity | None = None

    def discard(self) -> None:
        """Remove the tile pyramids written for this file (once stored, or not wanted)."""
        for rendition in self.renditions:
            if rendition.folder is not None:
                shutil.rmtree(rendition.folder, ignore_errors=True)


def changed_error() -> IngestError:
    """Return the outcome of a file that changed while it was being read (tried again)."""
    return IngestError(
        "changed",
        "읽는 도중에 파일이 바뀌었습니다. 잠시 뒤 다시 처리합니다.",
        "the file changed while it was being read; it will be taken again",
    )


def _hash_held(handle: BinaryIO) -> tuple[str, int, FileIdentity]:
    before = FileIdentity.of_stat(os.fstat(handle.fileno()))
    sha256, size = sha256_stream(handle)
    if FileIdentity.of_stat(os.fstat(handle.fileno())) != before or size != before.size:
        raise changed_error()
    if size == 0:
        raise IngestError(
            "empty",
            "빈 파일(0바이트)입니다. 스캔이 끝나지 않았거나 복사가 실패했습니다.",
            "the file is empty (0 bytes): the scan or the copy did not finish",
            "스캐너에서 다시 저장하거나 다시 복사해 넣어 주세요.",
        )
    return sha256, size, before


def analyse_file(path: Path, options: AnalyseOptions) -> Analysis:
    """Hash and decode a file for real and render its derivatives.

    The hash, the metadata and the pixels all come from one open file, whose identity
    is returned, so the caller can tell whether the path still names those bytes.
    :raises IngestError: with a bilingual reason when the file cannot become a record.
    """
    with path.open("rb") as handle:
        sha256, size, identity = _hash_held(handle)
        handle.seek(0)
        tags = read_exif_tags(handle)
        handle.seek(0)
        analysis = _decode(handle, tags, options)
    analysis.sha256, analysis.size, analysis.identity = sha256, size, identity
    return analysis


def _decode(handle: BinaryIO, tags: dict[str, Any], options: AnalyseOptions) -> Analysis:
    with open_image(handle, options.max_pixels, options.max_bytes) as im:
        width, height, fmt = im.width, im.height, str(im.format)
        try:
            technical = read_technical(tags, im)
            embedded = read_embedded_description(im)
            renditions, phash = _render_pages(handle, im, options)
        except MemoryError as exc:
            raise bomb_error(im.width, im.height, options.max_pixels) from exc
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb_error(im.width, im.height, options.max_pixels) from exc
        except DECODER_ERRORS as exc:
            raise decode_failure(exc) from exc
        return Analysis(
            sha256="",
            size=0,
            format=fmt,
            width=width,
            height=height,
            technical=technical,
            embedded=embedded,
            phash=phash,
            renditions=renditions,
        )


def _render_first(handle: BinaryIO, im: Image.Image, long_side: int) -> Image.Image:
    """Render page 0 with DCT-scaled decoding, retrying at full size if that fails."""
    try:
        return render_display(im, long_side)
    except OSError:
        if im.format not in ("JPEG", "MPO"):
            raise
    handle.seek(0)
    with Image.open(handle) as again:  # some JPEG variants only decode without draft
        return render_display(again, long_side, draft=False)


def _long_side(im: Image.Image, planned: Planned) -> int:
    """Return the long side to decode at: the planned size, or the whole image for 0."""
    return planned.size or max(im.width, im.height)


def _render(
    image: Image.Image, page: int, planned: Planned, options: AnalyseOptions, in_vips: Any = None
) -> Rendition:
    """Encode one derivative: a JPEG, or a tile pyramid written under the work folder."""
    if not planned.pyramid:
        data = encode_jpeg(image, planned.quality)
        return Rendition(planned.name, page, data, image.width, image.height, planned.spec)
    from archive.imaging import tiles  # libvips: only in decoder processes

    root = options.work_dir or Path(tempfile.gettempdir())
    folder = root / f"{tiles_prefix()}{uuid.uuid4().hex}"
    pyramid = tiles.make_pyramid(image, folder, planned.quality, in_vips)
    return Rendition(
        planned.name,
        page,
        b"",
        pyramid.width,
        pyramid.height,
        planned.spec,
        folder=folder,
        digest=pyramid.digest,
    )


def tiles_prefix() -> str:
    """Return the name prefix of pyramid folders in a work folder (for clearing leftovers)."""
    return "pyramid-"


def clear_leftovers(work_dir: Path, older_than: float) -> int:
    """Remove pyramid folders a killed worker left in work_dir; return how many."""
    cutoff = time.time() - older_than
    removed = 0
    for folder in work_dir.glob(f"{tiles_prefix()}*") if work_dir.is_dir() else []:
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue  # another worker removed it meanwhile
    return removed


def _in_vips(image: Image.Image, planned: Planned) -> Any:
    """Return an RGB image's pixels in libvips when a pyramid is made of it, so the pyramid
    and the next smaller derivative share one copy of a whole scan; else None."""
    if not planned.pyramid or image.mode != "RGB":
        return None
    from archive.imaging import tiles

    return tiles.to_vips(image)


def _shrink(image: Image.Image, long_side: int, in_vips: Any) -> Image.Image:
    """Fit a displayable image into long_side: by libvips for a large one (a whole scan),
    by Pillow for a small one (not worth the copy into libvips)."""
    if max(image.width, image.height) < 2 * long_side or image.mode not in ("L", "RGB"):
        return shrink(image, long_side)
    from archive.imaging import tiles

    return tiles.shrink(image, long_side, in_vips)


def _render_pages(
    handle: BinaryIO, im: Image.Image, options: AnalyseOptions
) -> tuple[list[Rendition], str]:
    pages = getattr(im, "n_frames", 1) if im.format == "TIFF" else 1
    renditions: list[Rendition] = []
    phash = ""
    largest = options.renditions[0]
    for page in range(min(pages, options.max_pages)):
        if page:
            im.seek(page)
            check_size(im, options.max_pixels, options.max_bytes)
        image = (
            _render_first(handle, im, _long_side(im, largest))
            if page == 0
            else render_display(im, _long_side(im, largest))
        )
        in_vips = None
        for planned in options.renditions:  # each from the one before: largest first
            if planned is largest:
                in_vips = _in_vips(image, planned)
            else:
                image, in_vips = _shrink(image, planned.size, in_vips), None
            renditions.append(_render(image, page, planned, options, in_vips))
        if page == 0:
            import imagehash  # numpy and scipy: loaded only in decoder processes

            phash = str(imagehash.phash(image))  # from the smallest kind
    return renditions, phash
