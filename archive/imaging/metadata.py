"""Read technical metadata (exifread) and embedded captions (EXIF XP*, IPTC, XMP)."""

from __future__ import annotations

import io
import logging
import re
from typing import Any, BinaryIO

import exifread
from defusedxml import ElementTree
from PIL import Image, ImageCms, IptcImagePlugin

from archive.fields import merge_descriptive
from archive.imaging.decode import METADATA_ERRORS
from archive.text import clean_text, decode_legacy

log = logging.getLogger(__name__)

_SKIP_PREFIXES = ("GPS", "Thumbnail", "MakerNote", "EXIF MakerNote", "Interoperability")
_CAMERA_JUNK = {"OLYMPUS DIGITAL CAMERA", "SONY DSC", "DIGITAL CAMERA", "DCIM", "DEFAULT"}
_BITS = {
    "1": 1,
    "L": 8,
    "LA": 8,
    "P": 8,
    "PA": 8,
    "RGB": 8,
    "RGBA": 8,
    "CMYK": 8,
    "YCbCr": 8,
    "LAB": 8,
    "I": 32,
    "F": 32,
}
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
}


def decode_xp(raw: object) -> str:
    """Decode a Windows XP* EXIF tag (UTF-16LE bytes, or a tuple of byte values)."""
    if isinstance(raw, tuple | list):
        try:
            raw = bytes(raw)
        except (TypeError, ValueError):
            return ""
    if not isinstance(raw, bytes):
        return ""
    return clean_text(raw.decode("utf-16-le", errors="replace"), multiline=True)


def read_exif_tags(handle: BinaryIO) -> dict[str, Any]:
    """Return exifread's tags as text, without maker notes, thumbnails or GPS values."""
    try:
        tags = exifread.process_file(handle, details=False, extract_thumbnail=False)
    except METADATA_ERRORS as exc:
        log.info("EXIF unreadable: %s", exc)
        return {}
    result: dict[str, Any] = {"has_gps": any(k.startswith("GPS") for k in tags)}
    for key, value in tags.items():
        if key.startswith(_SKIP_PREFIXES) or key.startswith("Image XP"):
            continue
        text = clean_text(getattr(value, "printable", value), 300)
        if text:
            result[key] = text
    return result


def _scanned_at(tags: dict[str, Any]) -> str | None:
    raw = tags.get("Image DateTime") or tags.get("EXIF DateTimeDigitized")
    match = re.match(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", raw or "")
    if not match or match.group(1) == "0000":
        return None
    y, mo, d, h, mi, s = match.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}"


def _icc_name(icc: bytes | None) -> str | None:
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return clean_text(ImageCms.getProfileDescription(profile), 200) or "embedded"
    except (ImageCms.PyCMSError, OSError, ValueError):
        return "embedded (unreadable)"


def _bit_depth(im: Image.Image) -> int | None:
    tag = getattr(im, "tag_v2", None)
    bits = tag.get(258) if tag is not None else None
    if isinstance(bits, tuple) and bits:
        bits = bits[0]
    if isinstance(bits, int):
        return bits if 1 <= bits <= 64 else None
    if im.mode.startswith("I;16"):
        return 16
    return _BITS.get(im.mode)


def read_technical(exif_tags: dict[str, Any], im: Image.Image) -> dict[str, Any]:
    """Return technical metadata of an opened image and its file's EXIF tags."""
    tags = dict(exif_tags)
    dpi = im.info.get("dpi") or (None, None)
    try:
        dpi_x, dpi_y = (round(float(v), 2) if v else None for v in dpi[:2])
    except (TypeError, ValueError):
        dpi_x = dpi_y = None
    compression = im.info.get("compression") or ("jpeg" if im.format == "JPEG" else None)
    return {
        "make": _short(tags.get("Image Make")),
        "model": _short(tags.get("Image Model")),
        "software": _short(tags.get("Image Software")),
        "dpi_x": dpi_x,
        "dpi_y": dpi_y,
        "bit_depth": _bit_depth(im),
        "colour_mode": im.mode,
        "icc_profile": _icc_name(im.info.get("icc_profile")),
        "orientation": _orientation(tags),
        "compression": clean_text(compression, 64) if compression else None,
        "page_count": min(getattr(im, "n_frames", 1), 1_000_000) if im.format == "TIFF" else 1,
        "scanned_at": _scanned_at(tags),
        "has_gps": bool(tags.pop("has_gps", False)),
        "exif": tags,
    }


def _short(value: str | None) -> str | None:
    """Return a tag value that fits its 200-character column, or None."""
    return clean_text(value, 200) or None if value else None


def _orientation(tags: dict[str, Any]) -> int | None:
    names = {
        "Horizontal (normal)": 1,
        "Mirrored horizontal": 2,
        "Rotated 180": 3,
        "Mirrored vertical": 4,
        "Mirrored horizontal then rotated 90 CCW": 5,
        "Rotated 90 CW": 6,
        "Mirrored horizontal then rotated 90 CW": 7,
        "Rotated 90 CCW": 8,
    }
    return names.get(tags.get("Image Orientation", ""))


def read_embedded_description(im: Image.Image) -> dict[str, Any]:
    """Return title, description, tags, place and date embedded in the file."""
    return merge_descriptive(_from_xmp(im), _from_iptc(im), _from_exif(im))


def _from_exif(im: Image.Image) -> dict[str, Any]:
    try:
        exif = im.getexif()
    except METADATA_ERRORS:
        return {}
    description = decode_legacy(exif.get(0x010E, "") or "")
    if description.upper() in _CAMERA_JUNK:
        description = ""
    keywords = decode_xp(exif.get(0x9C9E))
    return {
        "title": decode_xp(exif.get(0x9C9B)),
        "description": decode_xp(exif.get(0x9C9C)) or description,
        "tags": [t.strip() for t in keywords.split(";") if t.strip()],
    }


def _from_iptc(im: Image.Image) -> dict[str, Any]:
    try:
        info = IptcImagePlugin.getiptcinfo(im) or {}  # type: ignore[arg-type]
    except METADATA_ERRORS:
        return {}

    def text(key: tuple[int, int]) -> str:
        value = info.get(key)
        if isinstance(value, list):
            value = value[0] if value else b""
        return decode_legacy(value) if isinstance(value, bytes) else ""

    keywords = info.get((2, 25), [])
    keywords = keywords if isinstance(keywords, list) else [keywords]
    return {
        "title": text((2, 5)),
        "description": text((2, 120)),
        "tags": [decode_legacy(k) for k in keywords if isinstance(k, bytes)],
        "place": text((2, 92)) or text((2, 90)),
    }


def _from_xmp(im: Image.Image) -> dict[str, Any]:
    raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    tag = getattr(im, "tag_v2", None)
    if not raw and tag is not None:
        raw = tag.get(700)
    if not raw:
        return {}
    try:
        root = ElementTree.fromstring(raw if isinstance(raw, bytes) else raw.encode())
    except (ElementTree.ParseError, ValueError, TypeError):
        return {}

    def items(name: str) -> list[str]:
        found = root.findall(f".//dc:{name}//rdf:li", _NS) or root.findall(f".//dc:{name}", _NS)
        return [clean_text(el.text) for el in found if el.text and el.text.strip()]

    titles, descriptions = items("title"), items("description")
    city = root.find(".//photoshop:City", _NS)
    return {
        "title": titles[0] if titles else "",
        "description": descriptions[0] if descriptions else "",
        "tags": items("subject"),
        "place": clean_text(city.text) if city is not None and city.text else "",
    }
