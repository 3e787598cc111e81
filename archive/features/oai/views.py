"""OAI-PMH 2.0 at /oai: portals and other archives harvest the published records.

GET or POST (form-encoded), the six verbs, oai_dc only, sets by decade, place and
exhibition, second granularity, signed resumption tokens that continue from a cursor,
deleted records kept for good. See archive.features.oai.repository for what is listed and when a
record's datestamp moves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from lxml.etree import _Element as Element

from archive.features.oai import answers as xml
from archive.features.oai import repository as oai
from archive.features.oai.args import (
    METADATA_PREFIX,
    ListState,
    OAIError,
    Tokens,
    read_arguments,
    selection_of,
)
from archive.features.oai.sets import all_sets, known_set
from archive.runtime import Runtime
from archive.web import get_runtime
from archive.web.extensions import csrf, limiter
from archive.web.routing import Audience, route
from archive.web.urls import absolute, absolute_url

bp = Blueprint("oai", __name__)


class Links:
    """The absolute URLs a harvested record points at."""

    def page(self, public_id: str) -> str:
        return absolute_url("gallery.photo", public_id=public_id)

    def manifest(self, public_id: str) -> str:
        return absolute_url("iiif.manifest", public_id=public_id)

    def exhibition(self, slug: str) -> str:
        return absolute_url("exhibitions.show", slug=slug)


@bp.route("/oai", methods=["GET", "POST"])
# Revalidated by the public-data version and the hour: resumption tokens expire.
@route(Audience.PUBLIC, period="hour")
@csrf.exempt
@limiter.exempt
def endpoint() -> Response:
    """Answer one OAI-PMH request (protocol errors are answered with status 200)."""
    now = datetime.now(UTC)
    base_url = absolute(url_for("oai.endpoint"))
    values = request.form if request.method == "POST" else request.args
    try:
        verb, arguments = read_arguments(values.to_dict(flat=False))
    except OAIError as exc:
        root = xml.envelope(base_url, {}, now)
        xml.error(root, exc.code, exc.message)
        return _answer(root)
    root = xml.envelope(base_url, {"verb": verb, **arguments}, now)
    try:
        VERBS[verb](get_runtime(), root, arguments, now)
    except OAIError as exc:
        for child in list(root)[2:]:
            root.remove(child)
        if exc.code in ("badVerb", "badArgument"):  # the request is echoed only when good
            root[1].attrib.clear()
        xml.error(root, exc.code, exc.message)
    return _answer(root)


def _answer(root: Element) -> Response:
    return Response(xml.serialize(root), content_type="text/xml; charset=utf-8")


def identifier_of(runtime: Runtime, public_id: str) -> str:
    """Return a record's OAI identifier: oai:<repository>:<public id>."""
    return f"oai:{runtime.settings.oai_repository_id}:{public_id}"


def _public_id(runtime: Runtime, identifier: str) -> str | None:
    prefix = identifier_of(runtime, "")
    return identifier[len(prefix) :] if identifier.startswith(prefix) else None


def _find(runtime: Runtime, session: Any, identifier: str) -> oai.Item:
    public_id = _public_id(runtime, identifier)
    item = oai.find(session, runtime.gazetteer, public_id) if public_id else None
    if item is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {identifier[:200]}.")
    return item


def _check_prefix(arguments: dict[str, str]) -> None:
    if arguments.get("metadataPrefix", METADATA_PREFIX) != METADATA_PREFIX:
        raise OAIError("cannotDisseminateFormat", "Only oai_dc is disseminated.")


def identify(runtime: Runtime, root: Element, _arguments: dict[str, str], now: datetime) -> None:
    """Identify: who the repository is and how it answers."""
    settings = runtime.settings
    with runtime.db.session() as session:
        earliest = oai.earliest(session) or now
    element = xml.sub(root, "Identify")
    xml.sub(element, "repositoryName", "나주시 옛 사진 기록물 — 옛 추억을 떠올리며")
    xml.sub(element, "baseURL", absolute(url_for("oai.endpoint")))
    xml.sub(element, "protocolVersion", "2.0")
    email = settings.oai_admin_email or settings.privacy_email
    xml.sub(element, "adminEmail", email or f"webmaster@{settings.oai_repository_id}")
    xml.sub(element, "earliestDatestamp", xml.utc(earliest))
    xml.sub(element, "deletedRecord", "persistent")
    xml.sub(element, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    sample = identifier_of(runtime, "a1b2c3d4e5f6")
    xml.identify_description(element, settings.oai_repository_id, sample)


def list_metadata_formats(
    runtime: Runtime, root: Element, arguments: dict[str, str], _now: datetime
) -> None:
    """ListMetadataFormats: oai_dc, for every record (or the one named)."""
    if "identifier" in arguments:
        with runtime.db.session() as session:
            _find(runtime, session, arguments["identifier"])
    element = xml.sub(root, "ListMetadataFormats")
    found = xml.sub(element, "metadataFormat")
    xml.sub(found, "metadataPrefix", METADATA_PREFIX)
    xml.sub(found, "schema", xml.SCHEMAS[xml.OAI_DC])
    xml.sub(found, "metadataNamespace", xml.OAI_DC)


def list_sets(runtime: Runtime, root: Element, arguments: dict[str, str], _now: datetime) -> None:
    """ListSets: every set that holds published records (one answer, no tokens)."""
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "ListSets answers in one go; no token is valid.")
    with runtime.db.session() as session:
        entries = all_sets(session, runtime.gazetteer)
    element = xml.sub(root, "ListSets")
    for entry in entries:
        found = xml.sub(element, "set")
        xml.sub(found, "setSpec", entry.spec)
        xml.sub(found, "setName", entry.name)


def get_record(runtime: Runtime, root: Element, arguments: dict[str, str], _now: datetime) -> None:
    """GetRecord: one record (a deleted one as its header)."""
    _check_prefix(arguments)
    with runtime.db.session() as session:
        item = _find(runtime, session, arguments["identifier"])
        element = xml.sub(root, "GetRecord")
        identifier = identifier_of(runtime, item.photo.public_id)
        xml.record(element, identifier, item, Links(), runtime.settings.default_credit)


def _list(
    runtime: Runtime, root: Element, arguments: dict[str, str], now: datetime, full: bool
) -> None:
    tokens = Tokens(current_app.secret_key or "", runtime.settings.oai_token_hours)
    if "resumptionToken" in arguments:
        state = tokens.read(arguments["resumptionToken"])
    else:
        _check_prefix(arguments)
        state = ListState(selection_of(arguments, now), None, 0, None)
    spec = state.selection.set_spec
    if spec is not None and not known_set(spec):
        raise OAIError("noRecordsMatch", f"There is no set {spec[:100]}.")
    size = max(runtime.settings.oai_page_size, 1)
    with runtime.db.session() as session:
        items, more = oai.page(session, runtime.gazetteer, state.selection, state.after, size)
        if not items:
            raise OAIError("noRecordsMatch", "No record matches the request.")
        total = state.total
        if total is None and (more or state.after is not None):
            total = oai.count(session, runtime.gazetteer, state.selection)
        element = xml.sub(root, "ListRecords" if full else "ListIdentifiers")
        for item in items:
            identifier = identifier_of(runtime, item.photo.public_id)
            if full:
                xml.record(element, identifier, item, Links(), runtime.settings.default_credit)
            else:
                xml.header(element, identifier, item)
    if more or state.after is not None:
        last = items[-1].photo
        cursor = state.cursor + len(items)
        following = ListState(state.selection, oai.Cursor(last.updated_at, last.id), cursor, total)
        value = tokens.issue(following) if more else ""
        xml.token(element, value, total or cursor, state.cursor, now + tokens.lifetime)


def list_records(runtime: Runtime, root: Element, arguments: dict[str, str], now: datetime) -> None:
    """ListRecords: records with metadata, a page at a time."""
    _list(runtime, root, arguments, now, full=True)


def list_identifiers(
    runtime: Runtime, root: Element, arguments: dict[str, str], now: datetime
) -> None:
    """ListIdentifiers: headers only, a page at a time."""
    _list(runtime, root, arguments, now, full=False)


VERBS: dict[str, Callable[[Runtime, Element, dict[str, str], datetime], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
