"""IIIF Presentation 3.0 documents: a manifest per published photo, collections of them.

Built as plain dictionaries from the record and the URLs the web gives (Links), so the
same code serves the web and any export. Labels are Korean with English beside them;
the metadata comes from the field registry; rights is the 공공누리 type's page, or
RightsStatements.org's "copyright undetermined" while the rights are being checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from archive.fields import BY_NAME
from archive.imaging.tiles import max_size, sizes_of
from archive.models import Photo
from archive.records.images import PublicImage
from archive.records.public import rights_label

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
KOGL_URLS = {
    "공공누리 제1유형": "https://www.kogl.or.kr/info/licenseType1.do",
    "공공누리 제2유형": "https://www.kogl.or.kr/info/licenseType2.do",
    "공공누리 제3유형": "https://www.kogl.or.kr/info/licenseType3.do",
    "공공누리 제4유형": "https://www.kogl.or.kr/info/licenseType4.do",
}
UNDETERMINED = "http://rightsstatements.org/vocab/UND/1.0/"
METADATA_FIELDS = ("date", "place", "people", "tags", "identifier")
Lang = dict[str, list[str]]


class Links(Protocol):
    """The absolute URLs a manifest points at (the web knows its routes and storage)."""

    def manifest(self, public_id: str) -> str: ...

    def service(self, image: PublicImage) -> str: ...

    def page(self, public_id: str) -> str: ...


@dataclass(frozen=True)
class Provider:
    """Who publishes: the archive's name and home page."""

    name_ko: str
    name_en: str
    homepage: str


def lang(ko: str, en: str | None = None) -> Lang:
    """Return a language map with Korean, and English when given."""
    return {"ko": [ko], **({"en": [en]} if en else {})}


def rights_url(rights: str) -> str:
    """Return the URI of a record's rights: its 공공누리 type, or 'undetermined'."""
    kogl = rights_label(rights)["kogl"]
    return KOGL_URLS[kogl] if kogl else UNDETERMINED


def attribution(photo: Photo, credit: str, provider: Provider) -> str:
    """Return the 출처 표시 text to copy when reusing a photo."""
    label = rights_label(photo.rights)
    terms = label["kogl"] or label["text"]
    title = photo.title or "제목 없음"
    return f"「{title}」, {credit}, {provider.name_ko} ({provider.homepage}), {terms}"


def manifest(
    photo: Photo, images: list[PublicImage], links: Links, provider: Provider, credit: str
) -> dict[str, Any]:
    """Return the Presentation 3.0 manifest of a published photo."""
    url = links.manifest(photo.public_id)
    title = photo.title or "제목 없음"
    document: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": url,
        "type": "Manifest",
        "label": lang(title, f"Old photograph of Naju ({photo.public_id})"),
        "metadata": _metadata(photo),
        "rights": rights_url(photo.rights),
        "requiredStatement": {
            "label": lang("출처 표시", "Attribution"),
            "value": lang(attribution(photo, credit, provider)),
        },
        "provider": [_agent(provider)],
        "homepage": [_homepage(links.page(photo.public_id), title)],
        "items": [_canvas(url, n, image, links) for n, image in enumerate(images, 1)],
    }
    if photo.description:
        document["summary"] = lang(photo.description)
    if images:
        document["thumbnail"] = [_jpeg(*thumbnail(images[0], links))]
    return document


def thumbnail(image: PublicImage, links: Links, at_least: int = 256) -> tuple[str, int, int]:
    """Return (URL, width, height) of the smallest listed size of an image at least
    at_least pixels on its long side (or its largest, for a small image)."""
    sizes = sizes_of(image.width, image.height)
    w, h = next((s for s in sizes if max(s) >= at_least), sizes[-1])
    return f"{links.service(image)}/full/{w},{h}/0/default.jpg", w, h


def _metadata(photo: Photo) -> list[dict[str, Lang]]:
    entries = []
    for name in METADATA_FIELDS:
        field = BY_NAME[name]
        value = getattr(photo, field.column)
        text = ", ".join(value) if isinstance(value, list) else (value or "")
        if text:
            entries.append({"label": lang(field.label, field.label_en), "value": lang(text)})
    return entries


def _agent(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.homepage,
        "type": "Agent",
        "label": lang(provider.name_ko, provider.name_en),
        "homepage": [_homepage(provider.homepage, provider.name_ko)],
    }


def _homepage(url: str, label: str) -> dict[str, Any]:
    return {
        "id": url,
        "type": "Text",
        "label": lang(label),
        "format": "text/html",
        "language": ["ko"],
    }


def _jpeg(url: str, width: int, height: int) -> dict[str, Any]:
    return {"id": url, "type": "Image", "format": "image/jpeg", "width": width, "height": height}


def _canvas(manifest_url: str, number: int, image: PublicImage, links: Links) -> dict[str, Any]:
    base = manifest_url.removesuffix("/manifest.json")
    canvas = f"{base}/canvas/{number}"
    service = links.service(image)
    body = _jpeg(f"{service}/full/max/0/default.jpg", *max_size(image.width, image.height))
    body["service"] = [{"id": service, "type": "ImageService3", "profile": "level0"}]
    annotation = {
        "id": f"{canvas}/annotation/1",
        "type": "Annotation",
        "motivation": "painting",
        "body": body,
        "target": canvas,
    }
    return {
        "id": canvas,
        "type": "Canvas",
        "label": lang(image.label_ko, image.label_en),
        "width": image.width,
        "height": image.height,
        "items": [{"id": f"{canvas}/page/1", "type": "AnnotationPage", "items": [annotation]}],
    }


@dataclass(frozen=True)
class Member:
    """One item of a collection: a manifest or another collection."""

    url: str
    kind: str  # Manifest | Collection
    label_ko: str
    label_en: str | None = None
    thumbnail: tuple[str, int, int] | None = None


def collection(
    url: str, label: Lang, members: Iterable[Member], summary: Lang | None = None
) -> dict[str, Any]:
    """Return a Presentation 3.0 collection of manifests or collections."""
    items = []
    for member in members:
        item: dict[str, Any] = {
            "id": member.url,
            "type": member.kind,
            "label": lang(member.label_ko, member.label_en),
        }
        if member.thumbnail:
            item["thumbnail"] = [_jpeg(*member.thumbnail)]
        items.append(item)
    document: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": url,
        "type": "Collection",
        "label": label,
        "items": items,
    }
    if summary:
        document["summary"] = summary
    return document
