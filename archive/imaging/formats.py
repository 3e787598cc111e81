"""Image formats the archive accepts, and the one place that registers extra decoders."""

from __future__ import annotations

# Formats a scanner, camera or phone produces that the archive accepts, with the file
# extension a stored original gets.
FORMAT_EXTENSIONS = {
    "JPEG": "jpg",
    "MPO": "jpg",
    "TIFF": "tif",
    "PNG": "png",
    "WEBP": "webp",
    "BMP": "bmp",
    "GIF": "gif",
    "HEIF": "heic",
    "AVIF": "avif",
    "JPEG2000": "jp2",
}
ACCEPTED_FORMATS = frozenset(FORMAT_EXTENSIONS)

_registered = False


def register_decoders() -> None:
    """Teach Pillow the formats it does not read by itself (HEIC from iPhones).

    Every process that decodes images calls this through configure_decoder(), so scans
    and contributed photos accept the same formats.
    """
    global _registered
    if _registered:
        return
    from pillow_heif import register_heif_opener

    register_heif_opener()
    _registered = True


def extension_for(image_format: str) -> str:
    """Return the file extension of a stored original in this format."""
    return FORMAT_EXTENSIONS.get(image_format, "bin")
