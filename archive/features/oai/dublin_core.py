"""A record as simple Dublin Core (oai_dc), from the field registry's `dc` elements.

Each public field with a Dublin Core element gives its values; some fields give more than
their text: the date as written and its EDTF, the place as written and the gazetteer's
names, the rights statement and the 공공누리 type's URL, the 관리번호 with the photo page
and IIIF manifest. The record's exhibitions are relations. Nothing staff-only (status,
notes, contributors' names or contacts) is a public field, so none of it is written.
"""

from __future__ import annotations

from typing import Protocol

from archive.features.iiif.manifests import KOGL_URLS
from archive.features.oai.repository import Item
from archive.fields import FIELDS, Field
from archive.records.public import rights_label

PUBLISHER = "나주시"
DCMI_TYPE = "StillImage"
# (element, value, Korean text?) in the order they are written.
Element = tuple[str, str, bool]


class DcLinks(Protocol):
    """The absolute URLs a record points at (the web knows its routes)."""

    def page(self, public_id: str) -> str: ...

    def manifest(self, public_id: str) -> str: ...

    def exhibition(self, slug: str) -> str: ...


def dc_elements(item: Item, links: DcLinks, default_credit: str) -> list[Element]:
    """Return the Dublin Core elements of a published record."""
    elements: list[Element] = []
    for field in FIELDS:
        if field.dc and field.public:
            for value, korean in _values(item, field, links, default_credit):
                if value:
                    elements.append((field.dc, value, korean))
    elements += [
        ("publisher", PUBLISHER, True),
        ("type", DCMI_TYPE, False),
        ("format", "image/jpeg", False),
    ]
    elements += [("relation", links.exhibition(slug), False) for slug, _t in item.exhibitions]
    return list(dict.fromkeys(elements))


def _values(
    item: Item, field: Field, links: DcLinks, default_credit: str
) -> list[tuple[str, bool]]:
    photo = item.photo
    if field.name == "title":
        return [(photo.title or "제목 없음", True)]
    if field.name == "date":
        return [(photo.date_text, True), (photo.date_edtf or "", False)]
    if field.name == "place":
        return [(photo.place_text, True), *((name, True) for name in photo.places or [])]
    if field.name == "rights":
        label = rights_label(photo.rights)
        url = KOGL_URLS.get(label["kogl"] or "", "")
        return [(label["text"], True), (url, False)]
    if field.name == "credit":
        return [(photo.credit or default_credit, True)]
    if field.name == "identifier":
        found = [(photo.identifier or "", False), (links.page(photo.public_id), False)]
        if item.zoomable:
            found.append((links.manifest(photo.public_id), False))
        return found
    value = getattr(photo, field.column)
    if field.kind == "tags":
        return [(tag, True) for tag in value or []]
    return [(value or "", True)]
