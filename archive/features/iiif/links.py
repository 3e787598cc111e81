"""The absolute URLs IIIF documents point at, from the configured public address.

An image service is the app's own /iiif/3/<name> unless the storage has a public base
URL (a bucket or CDN), in which case viewers fetch tiles from there directly.
"""

from __future__ import annotations

from flask import url_for

from archive.features.iiif.manifests import Provider
from archive.records.images import PublicImage
from archive.web import get_runtime
from archive.web.urls import absolute, absolute_url


class WebLinks:
    """The URLs of this site's manifests, pages and image services."""

    def manifest(self, public_id: str) -> str:
        """Return a photo's manifest URL."""
        return absolute_url("iiif.manifest", public_id=public_id)

    def service(self, image: PublicImage) -> str:
        """Return an image service's base URL (no trailing slash)."""
        direct = get_runtime().storages.of(image.backend).url(image.key)
        if direct:
            return direct.rstrip("/")
        return absolute(url_for("iiif.base", ident=image.name))

    def page(self, public_id: str) -> str:
        """Return a photo's page."""
        return absolute_url("gallery.photo", public_id=public_id)

    def collection(self, kind: str, name: str) -> str:
        """Return a collection's URL (kind: top, decade or place)."""
        if kind == "top":
            return absolute_url("iiif_collections.top")
        return absolute_url(f"iiif_collections.{kind}", name=name)


def provider() -> Provider:
    """Return the archive as the publisher named in manifests."""
    return Provider(
        "나주시 옛 사진 아카이브", "Naju City old photo archive", absolute_url("gallery.index")
    )
