"""What the photo page's deep zoom opens (its images, the manifest, a large view) and what
a visitor may download (sizes, rights, the attribution to copy)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from archive.features.iiif.links import WebLinks, provider
from archive.features.iiif.manifests import attribution
from archive.models import Photo
from archive.records import downloads
from archive.records import images as iiif
from archive.records.public import rights_label
from archive.web import get_runtime


def zoom_context(photo: Photo, images: list[iiif.PublicImage]) -> dict[str, Any]:
    """Return the viewer's images (info.json URLs and labels), the manifest and a large view."""
    if not images:
        return {"images": [], "manifest": None, "large": None}
    links = WebLinks()
    shown = [
        {
            "info": url_for("iiif.info", ident=image.name),
            "label": image.label_ko,
            "width": image.width,
            "height": image.height,
            "large": f"{links.service(image)}/full/max/0/default.jpg",
        }
        for image in images
    ]
    return {
        "images": shown,
        "manifest": links.manifest(photo.public_id),
        "large": shown[0]["large"],
    }


def download_context(photo: Photo, images: list[iiif.PublicImage]) -> dict[str, Any]:
    """Return the sizes offered for download, the rights and the attribution to copy."""
    credit = photo.credit or get_runtime().settings.default_credit
    return {
        "sizes": downloads.sizes(photo, images[0] if images else None),
        "rights": rights_label(photo.rights)["kogl"],
        "attribution": attribution(photo, credit, provider()),
    }
