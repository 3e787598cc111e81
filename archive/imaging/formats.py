"""The one place that registers extra decoders with Pillow (the list is archive.formats)."""

from __future__ import annotations

from archive.formats import ACCEPTED_FORMATS, FORMAT_EXTENSIONS, extension_for

__all__ = ["ACCEPTED_FORMATS", "FORMAT_EXTENSIONS", "extension_for", "register_decoders"]
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
