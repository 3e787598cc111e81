"""Generate scanner-like image files with Pillow and piexif."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import piexif
from PIL import Image, ImageCms, ImageDraw


def picture(size: tuple[int, int] = (600, 800), mode: str = "RGB", seed: int = 1) -> Image.Image:
    """Return a photo-like test image: gradients, shapes and grain, distinct per seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    base = (x * (150 + seed * 13 % 100) / width + y * 90 / height) % 256
    red = (base + rng.integers(0, 25, (height, width))).clip(0, 255)
    green = (255 - base).clip(0, 255)
    blue = ((x // max(1, width // (4 + seed % 5))) * 40 % 256).astype(float)
    rgb = np.stack([red, green, blue], axis=2).astype(np.uint8)
    im = Image.fromarray(rgb, "RGB")
    draw = ImageDraw.Draw(im)
    draw.rectangle((width // 8, height // 8, width // 3, height // 4), fill=(250, 250, 250))
    draw.ellipse((width // 2, height // 2, width - 20, height - 20), fill=(10, 10, 10))
    return im if mode == "RGB" else im.convert(mode)


def exif_bytes(**tags: Any) -> bytes:
    """Return EXIF with the given 0th-IFD tags (and GPS when gps=True)."""
    zeroth: dict[int, Any] = {}
    names = {
        "make": piexif.ImageIFD.Make,
        "model": piexif.ImageIFD.Model,
        "software": piexif.ImageIFD.Software,
        "datetime": piexif.ImageIFD.DateTime,
        "description": piexif.ImageIFD.ImageDescription,
        "orientation": piexif.ImageIFD.Orientation,
    }
    for name, tag in names.items():
        if name in tags:
            value = tags[name]
            zeroth[tag] = value.encode() if isinstance(value, str) else value
    if "xp_title" in tags:
        zeroth[piexif.ImageIFD.XPTitle] = tuple((tags["xp_title"] + "\0").encode("utf-16-le"))
    if "xp_comment" in tags:
        zeroth[piexif.ImageIFD.XPComment] = tuple((tags["xp_comment"] + "\0").encode("utf-16-le"))
    gps: dict[int, Any] = {}
    if tags.get("gps"):
        gps = {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((35, 1), (1, 1), (5000, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((126, 1), (42, 1), (3000, 100)),
        }
    exif_ifd = {piexif.ExifIFD.BodySerialNumber: b"SN-123456"} if tags.get("serial") else {}
    return bytes(piexif.dump({"0th": zeroth, "Exif": exif_ifd, "GPS": gps}))


def save_jpeg(
    path: Path, im: Image.Image | None = None, *, quality: int = 90, dpi: int = 600, **exif: Any
) -> Path:
    """Save a JPEG scan with optional EXIF tags."""
    im = im or picture()
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"quality": quality, "dpi": (dpi, dpi)}
    if exif:
        kwargs["exif"] = exif_bytes(**exif)
    im.save(path, "JPEG", **kwargs)
    return path


def save_tiff(
    path: Path,
    im: Image.Image | None = None,
    *,
    compression: str = "tiff_lzw",
    dpi: int = 600,
    pages: list[Image.Image] | None = None,
    icc: bytes | None = None,
) -> Path:
    """Save a TIFF scan, optionally multi-page or with an ICC profile."""
    im = im or picture()
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"compression": compression, "dpi": (dpi, dpi)}
    if pages:
        kwargs.update(save_all=True, append_images=pages)
    if icc:
        kwargs["icc_profile"] = icc
    im.save(path, "TIFF", **kwargs)
    return path


def srgb_icc() -> bytes:
    """Return an sRGB ICC profile's bytes."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def sixteen_bit_grey(size: tuple[int, int] = (400, 500)) -> Image.Image:
    """Return a 16-bit greyscale image (mode I;16) with a full-range ramp."""
    ramp = (np.linspace(0, 65535, size[0])[None, :] * np.ones((size[1], 1))).astype("<u2")
    return Image.frombytes("I;16", size, ramp.tobytes())


def jpeg_bytes(im: Image.Image) -> bytes:
    """Return an image encoded as JPEG."""
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()
