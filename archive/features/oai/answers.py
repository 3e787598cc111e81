"""OAI-PMH 2.0 responses as XML (lxml): the envelope, headers, oai_dc records, tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from lxml import etree
from lxml.etree import _Element as Element

from archive.features.oai.dublin_core import DcLinks, dc_elements
from archive.features.oai.repository import Item

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
SCHEMAS = {
    OAI: "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    OAI_DC: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    OAI_IDENTIFIER: "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
}


def utc(value: datetime) -> str:
    """Return a time at the repository's granularity: YYYY-MM-DDThh:mm:ssZ."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: Element, tag: str, text: str | None = None, **attributes: str) -> Element:
    """Add a child in the OAI namespace (or a {namespace}tag) with text and attributes."""
    child = etree.SubElement(parent, tag if tag.startswith("{") else f"{{{OAI}}}{tag}")
    if text is not None:
        child.text = text
    for name, value in attributes.items():
        child.set(name, value)
    return child


def envelope(base_url: str, arguments: Mapping[str, str], now: datetime) -> Element:
    """Return the OAI-PMH root with responseDate and request (arguments only when the
    request was good: a badVerb or badArgument answer echoes none)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {SCHEMAS[OAI]}")
    sub(root, "responseDate", utc(now))
    request = sub(root, "request", base_url)
    for name, value in arguments.items():
        request.set(name, value)
    return root


def error(root: Element, code: str, message: str) -> None:
    """Add an error element."""
    sub(root, "error", message, code=code)


def header(parent: Element, identifier: str, item: Item) -> None:
    """Add a record's header: identifier, datestamp, sets (status="deleted" if gone)."""
    element = sub(parent, "header")
    if item.deleted:
        element.set("status", "deleted")
    sub(element, "identifier", identifier)
    sub(element, "datestamp", utc(item.datestamp))
    for spec in item.sets:
        sub(element, "setSpec", spec)


def record(
    parent: Element, identifier: str, item: Item, links: DcLinks, default_credit: str
) -> None:
    """Add a record: its header and, unless deleted, its oai_dc metadata."""
    element = sub(parent, "record")
    header(element, identifier, item)
    if item.deleted:
        return
    metadata = sub(element, "metadata")
    dc = etree.SubElement(metadata, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {SCHEMAS[OAI_DC]}")
    for name, value, korean in dc_elements(item, links, default_credit):
        child = etree.SubElement(dc, f"{{{DC}}}{name}")
        child.text = value
        if korean:
            child.set(f"{{{XML}}}lang", "ko")


def token(
    parent: Element, value: str, complete: int, cursor: int, expires: datetime | None
) -> None:
    """Add a resumptionToken (an empty one ends a list that had several pages)."""
    element = sub(parent, "resumptionToken", value or None)
    element.set("completeListSize", str(complete))
    element.set("cursor", str(cursor))
    if value and expires is not None:
        element.set("expirationDate", utc(expires))


def identify_description(parent: Element, host: str, sample: str) -> None:
    """Add the oai-identifier description: how this repository's identifiers look."""
    description = sub(parent, "description")
    name = f"{{{OAI_IDENTIFIER}}}oai-identifier"
    found = etree.SubElement(description, name, nsmap={None: OAI_IDENTIFIER})
    found.set(f"{{{XSI}}}schemaLocation", f"{OAI_IDENTIFIER} {SCHEMAS[OAI_IDENTIFIER]}")
    for name, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", host),
        ("delimiter", ":"),
        ("sampleIdentifier", sample),
    ):
        etree.SubElement(found, f"{{{OAI_IDENTIFIER}}}{name}").text = text


def serialize(root: Element) -> bytes:
    """Return the document as UTF-8 with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
