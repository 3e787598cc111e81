"""Asking /oai and checking its answers: the OAI-PMH 2.0 schema (offline copy), and
oai_dc structurally (its schema imports others by URL and is not to be had offline)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"o": OAI, "oai_dc": OAI_DC, "dc": DC}
DC_ELEMENTS = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip
SCHEMA = Path(__file__).resolve().parents[2] / ".venv" / "share" / "oai-pmh" / "OAI-PMH.xsd"


@cache
def schema() -> etree.XMLSchema:
    """Return the OAI-PMH 2.0 response schema (downloaded by `make install`)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def check(root: Any) -> None:
    """Assert that an answer is valid OAI-PMH, with well-formed oai_dc records."""
    schema().assertValid(root)
    for dc in root.iterfind(".//oai_dc:dc", NS):
        assert dc.getparent().tag == f"{{{OAI}}}metadata"
        assert len(dc), "an oai_dc record with no element"
        for child in dc:
            namespace, _, name = child.tag[1:].partition("}")
            assert namespace == DC and name in DC_ELEMENTS, child.tag
            assert len(child) == 0 and (child.text or "").strip(), name
            assert set(child.attrib) <= {"{http://www.w3.org/XML/1998/namespace}lang"}


def ask(client: FlaskClient, method: str = "GET", **params: str) -> Any:
    """Send one OAI-PMH request; return the checked XML root."""
    if method == "POST":
        response = client.post("/oai", data=params)
    else:
        response = client.get("/oai", query_string=params)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    root = etree.fromstring(response.data)
    check(root)
    return root


def error_code(root: Any) -> str | None:
    """Return the answer's error code, if it is an error."""
    found = root.find("o:error", NS)
    return None if found is None else str(found.get("code"))


def harvest(client: FlaskClient, verb: str = "ListRecords", **params: str) -> list[Any]:
    """Follow resumption tokens to the end; return every record (or header)."""
    found: list[Any] = []
    root = ask(client, verb=verb, metadataPrefix="oai_dc", **params)
    while error_code(root) is None:
        found += root.findall(
            f"o:{verb}/o:record" if verb == "ListRecords" else f"o:{verb}/o:header", NS
        )
        token = root.find(f"o:{verb}/o:resumptionToken", NS)
        if token is None or not token.text:
            break
        root = ask(client, verb=verb, resumptionToken=token.text)
    return found


def identifier(record: Any) -> str:
    """Return a record's (or header's) identifier."""
    return str(record.findtext(".//o:identifier", namespaces=NS))


def dc_values(record: Any, element: str) -> list[str]:
    """Return the values of one Dublin Core element of a record."""
    return [str(e.text) for e in record.iterfind(f".//dc:{element}", NS)]


def response_date(root: Any) -> datetime:
    """Return an answer's responseDate."""
    text = root.findtext("o:responseDate", namespaces=NS)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
