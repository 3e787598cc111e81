"""Image formats the archive accepts, with the extension a stored original gets."""

from __future__ import annotations

# Formats a scanner, camera or phone produces that the archive accepts.
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


def extension_for(image_format: str) -> str:
    """Return the file extension of a stored original in this format."""
    return FORMAT_EXTENSIONS.get(image_format, "bin")
