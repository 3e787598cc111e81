"""Defensive decoding and sRGB JPEG derivatives with Pillow."""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms

from archive.errors import STORAGE_UNAVAILABLE, IngestError
from archive.faults import storage_fault
from archive.imaging.formats import ACCEPTED_FORMATS, register_decoders

MIB = 1024 * 1024

# What untrusted decoders raise on bad input; translated into a failed file.
DECODER_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
    ZeroDivisionError,
    OverflowError,
    RuntimeError,
    AttributeError,
    ImageCms.PyCMSError,
)
# Metadata parsers also assert on malformed input; metadata problems are never fatal.
METADATA_ERRORS: tuple[type[BaseException], ...] = (*DECODER_ERRORS, AssertionError)

_TRANSPOSE = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}
_SRGB = ImageCms.createProfile("sRGB")


def configure_decoder(max_pixels: int) -> None:
    """Prepare a decoding process: pixel cap (open_image checks it too) and extra formats."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
    register_decoders()


def decoded_bytes(im: Image.Image) -> int:
    """Return the memory Pillow needs to hold the decoded image (not the file size)."""
    if im.mode in ("1", "L", "P"):
        per_pixel = 1
    elif im.mode.startswith("I;16"):
        per_pixel = 2
    else:
        per_pixel = 4  # RGB is kept as 32 bits a pixel, like RGBA, CMYK, I and F
    return im.width * im.height * per_pixel


def check_size(im: Image.Image, max_pixels: int, max_bytes: int) -> None:
    """Refuse an image over the pixel cap or whose decoded form is over max_bytes.

    :raises IngestError: too_large, before anything is decoded.
    """
    if im.width * im.height > max_pixels:
        raise bomb_error(im.width, im.height, max_pixels)
    needed = decoded_bytes(im)
    if max_bytes and needed > max_bytes:
        raise IngestError(
            "too_large",
            f"이미지를 풀면 {needed / MIB:,.0f}MB가 되어 한도({max_bytes / MIB:,.0f}MB)를 "
            f"넘습니다({im.width}×{im.height} 화소, {im.mode}). "
            "압축 폭탄이거나 지나치게 큰 파일일 수 있습니다.",
            f"decoded, the image would take {needed / MIB:,.0f} MB, over the limit of "
            f"{max_bytes / MIB:,.0f} MB ({im.width}x{im.height} px, {im.mode})",
            "정상 스캔이면 해상도나 색 깊이를 낮춰 다시 저장하거나 관리자에게 한도 조정을 "
            "요청하세요.",
        )


def bomb_error(width: int, height: int, max_pixels: int) -> IngestError:
    """Return the failure for an image above the pixel cap (size 0x0 when unknown)."""
    shown = f"{width}×{height}" if height > 1 else f"{width:,}"
    size_ko = f"{shown} 화소, " if width else ""
    size_en = f"{shown.replace('×', 'x')} px, " if width else ""
    return IngestError(
        "too_large",
        f"이미지가 너무 큽니다({size_ko}한도 {max_pixels:,} 화소). "
        "압축 폭탄이거나 손상된 파일일 수 있습니다.",
        f"image is too large ({size_en}limit {max_pixels:,} px): "
        "possibly a decompression bomb or a damaged file",
        "정상 스캔이면 해상도를 낮춰 다시 스캔하거나 관리자에게 한도 조정을 요청하세요.",
    )


def storage_error(fault: str) -> IngestError:
    """Return the outcome of a file whose derivatives could not be written because the
    work space or the scan's disk is full or cannot be written (the file is tried again later)."""
    return IngestError(
        STORAGE_UNAVAILABLE,
        "작업 공간이나 파일이 있는 디스크가 가득 찼거나 쓸 수 없어 처리하지 못했습니다. "
        "파일은 그대로 두고 나중에 다시 시도합니다.",
        f"the work space or the scan's disk is full or cannot be written ({fault}); "
        "the file is left to retry",
        "관리자에게 디스크 공간을 확인해 달라고 알려 주세요. 파일은 다시 넣지 않아도 됩니다.",
    )


def decode_failure(exc: BaseException) -> IngestError:
    """Return the failure of a file the decoder raised on: a storage fault (full, read-only,
    failing disk) is tried again later; anything else means the file cannot be decoded."""
    fault = storage_fault(exc)
    return storage_error(fault) if fault is not None else undecodable(exc)


def undecodable(exc: BaseException) -> IngestError:
    """Return the failure for a file Pillow cannot decode."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return IngestError(
        "undecodable",
        f"이미지를 읽을 수 없습니다(손상되었거나 잘린 파일, 또는 지원하지 않는 형식): {detail}",
        f"the image cannot be decoded (damaged, truncated or unsupported): {detail}",
        "원본을 다시 스캔하거나 파일을 다시 복사해 넣어 주세요.",
    )


@contextmanager
def open_image(
    source: Path | BinaryIO, max_pixels: int, max_bytes: int = 0
) -> Iterator[Image.Image]:
    """Open an image for real, translating every decoder failure to IngestError.

    :param max_bytes: largest decoded size in bytes (0: only the pixel cap applies).
    """
    try:
        with Image.open(source) as im:
            if im.format not in ACCEPTED_FORMATS:
                raise IngestError(
                    "unsupported_format",
                    f"지원하지 않는 형식입니다({im.format}). JPEG 또는 TIFF로 저장해 주세요.",
                    f"unsupported format {im.format}; save scans as JPEG or TIFF",
                )
            check_size(im, max_pixels, max_bytes)
            yield im
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise bomb_error(int(pixels.group(1)) if pixels else 0, 1, max_pixels) from exc
    except Image.UnidentifiedImageError as exc:
        raise IngestError(
            "not_an_image",
            "이미지 파일이 아닙니다(또는 알 수 없는 형식). JPEG 또는 TIFF 파일만 넣어 주세요.",
            "not an image file (or an unknown format); drop JPEG or TIFF files only",
        ) from exc
    except MemoryError as exc:
        raise bomb_error(0, 0, max_pixels) from exc
    except DECODER_ERRORS as exc:
        raise decode_failure(exc) from exc


def orientation_of(im: Image.Image) -> int:
    """Return the EXIF orientation (1-8) of an image, 1 when absent or bad."""
    try:
        value = im.getexif().get(0x0112, 1)
    except METADATA_ERRORS:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def normalise_mode(im: Image.Image) -> Image.Image:
    """Convert modes that cannot be resized well to L, RGB or RGBA."""
    mode = im.mode
    if mode == "1":
        return im.convert("L")
    if mode in ("P", "PA"):
        return im.convert("RGBA")
    if mode == "La":
        return im.convert("LA")
    if mode.startswith("I;16") or mode == "I":
        divisor = 256 if mode.startswith("I;16") else 16_777_216
        return im.convert("I").point(lambda v: v / divisor).convert("L")
    if mode == "F":
        low, high = (float(v) for v in im.getextrema())  # type: ignore[arg-type]
        span = (high - low) or 1.0
        return im.point(lambda v: (v - low) * 255.0 / span).convert("L")
    if mode not in ("L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB"):
        return im.convert("RGBA" if "A" in mode else "RGB")
    return im


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Return an 8-bit sRGB (or grey) image, using the embedded ICC profile."""
    if im.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", im.size, "white")
        background.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        im = background
    if icc and im.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB")
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to a plain conversion below
    if im.mode == "LAB":
        lab = ImageCms.createProfile("LAB")
        converted = ImageCms.profileToProfile(im, lab, _SRGB, outputMode="RGB")
        return converted if converted is not None else im.convert("RGB")
    if im.mode in ("L", "RGB"):
        return im
    return im.convert("RGB")


def prepare_for_draft(im: Image.Image, long_side: int) -> None:
    """Ask a JPEG decoder for DCT-scaled output no smaller than the target."""
    if im.format not in ("JPEG", "MPO") or max(im.size) <= long_side:
        return
    scale = long_side / max(im.size)
    im.draft(None, (math.ceil(im.width * scale), math.ceil(im.height * scale)))


def render_display(im: Image.Image, long_side: int, *, draft: bool = True) -> Image.Image:
    """Return an oriented sRGB image at most long_side pixels on its long side."""
    orientation = orientation_of(im)
    icc = im.info.get("icc_profile")
    if draft:
        prepare_for_draft(im, long_side)
    im.load()
    work = normalise_mode(im)
    if work is im and getattr(im, "n_frames", 1) > 1:
        work = im.copy()  # later pages are read from im, so only shrink a copy
    work.thumbnail((long_side, long_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    work = to_srgb(work, icc)
    for method in _TRANSPOSE.get(orientation, []):
        work = work.transpose(method)
    return work


def shrink(im: Image.Image, long_side: int) -> Image.Image:
    """Return a smaller copy of an already displayable image."""
    small = im.copy()
    small.thumbnail((long_side, long_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return small


def pixels_only(im: Image.Image) -> Image.Image:
    """Return a new image made of the pixels alone: no comment, EXIF, XMP, ICC or text.

    Pillow's writers reuse what a decoder left in ``im.info`` (the JPEG writer copies a
    COM comment, for one), so public files are encoded from this copy only.
    """
    mode = im.mode if im.mode in ("L", "RGB") else "RGB"
    source = im if im.mode == mode else im.convert(mode)
    return Image.frombytes(mode, source.size, source.tobytes())


def encode_jpeg(im: Image.Image, quality: int) -> bytes:
    """Encode the pixels of an image as a progressive JPEG with no metadata at all."""
    out = io.BytesIO()
    pixels_only(im).save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue()
