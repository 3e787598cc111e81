"""OAI-PMH 2.0 at /oai: the six verbs, oai_dc from the field registry, sets, datestamps
that move with every change harvesters must see, resumption, deleted records, errors.
Every answer is validated against the OAI-PMH schema."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from archive.features.catalogue.edits import set_status, update_photo
from archive.features.catalogue.review import withdraw_photo
from archive.features.exhibitions import curation as exhibitions
from archive.models import Photo
from archive.records.erasure import erase_photo
from archive.runtime import Runtime
from archive.statuses import RecordStatus
from archive.tables import store as tables
from tests.search.collection import populate
from tests.web.conftest import runtime_of, work
from tests.web.oai_helpers import (
    NS,
    ask,
    dc_values,
    error_code,
    harvest,
    identifier,
    response_date,
)

REPOSITORY = "oai:oldphoto.naju.go.kr:"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
SMALL_PAGES = pytest.mark.settings(oai_page_size=4, public_url="https://oldphoto.naju.go.kr")


def collection(app: Flask) -> dict[str, str]:
    """Create the search collection with every datestamp long ago; return title → id."""
    runtime = runtime_of(app)
    with runtime.db.session() as session:
        made = populate(session, runtime.gazetteer)
        session.flush()
        # As ingest and approval do, publishing made public copies (publication 1).
        public = (RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN)
        session.execute(update(Photo).where(Photo.status.in_(public)).values(publication=1))
        session.execute(update(Photo).values(updated_at=LONG_AGO))
        return {photo.title: photo.public_id for photo in made.values()}


def ids_with(app: Flask, *statuses: str) -> set[str]:
    with runtime_of(app).db.session() as session:
        rows = session.scalars(select(Photo.public_id).where(Photo.status.in_(statuses)))
        return {REPOSITORY + public_id for public_id in rows}


def change(app: Flask, public_id: str, do: Callable[[Runtime, Any, Photo], object]) -> None:
    runtime = runtime_of(app)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        do(runtime, session, photo)


def edit_title(title: str) -> Callable[[Runtime, Any, Photo], object]:
    def do(runtime: Runtime, session: Any, photo: Photo) -> object:
        changes = {"title": title}
        return update_photo(session, photo, changes, actor="kim", gazetteer=runtime.gazetteer)

    return do


def exhibit(title: str, slug: str) -> Callable[[Runtime, Any, Photo], object]:
    """Return a change that puts the photo alone in a new published exhibition."""

    def do(_runtime: Runtime, session: Any, photo: Photo) -> object:
        shown = exhibitions.create_exhibition(
            session, title=title, slug=slug, introduction="", actor="kim"
        )
        exhibitions.add_photo(session, shown, photo.public_id, "", actor="kim")
        exhibitions.publish(session, shown, actor="kim")
        return shown

    return do


def publish(runtime: Runtime, session: Any, photo: Photo) -> None:
    set_status(session, photo, RecordStatus.PUBLISHED, actor="kim", storages=runtime.storages)


def test_identify_and_metadata_formats(client: FlaskClient) -> None:
    root = ask(client, verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "https://oldphoto.naju.go.kr/oai"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert "@" in identify.findtext("o:adminEmail", namespaces=NS)
    assert "나주" in identify.findtext("o:repositoryName", namespaces=NS)
    formats = ask(client, "POST", verb="ListMetadataFormats")  # POST is answered the same
    assert [e.text for e in formats.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc"]
    unknown = ask(client, verb="ListMetadataFormats", identifier=REPOSITORY + "nosuchrecord")
    assert error_code(unknown) == "idDoesNotExist"


LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
HEADERS = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
GET = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListAll"}, "badVerb"),
        ({"verb": "Identify", "set": "decade"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({**LIST, "from": "2020-13-45"}, "badArgument"),
        ({**LIST, "from": "1999"}, "badArgument"),
        ({**LIST, "from": "2020-01-01T00:00Z"}, "badArgument"),
        ({**LIST, "from": "2021-01-01", "until": "2020-01-01"}, "badArgument"),
        ({**LIST, "from": "2020-01-01", "until": "2021-01-01T00:00:00Z"}, "badArgument"),
        ({**LIST, "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({**LIST, "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({**GET, "metadataPrefix": "mods", "identifier": "oai:x:y"}, "cannotDisseminateFormat"),
        ({**GET, "identifier": "oai:elsewhere:1"}, "idDoesNotExist"),
        ({**HEADERS, "from": "2999-01-01"}, "noRecordsMatch"),
        ({**HEADERS, "set": "photographer:kim"}, "noRecordsMatch"),
        ({**HEADERS, "set": "place:nowhere"}, "noRecordsMatch"),
    ],
)
def test_bad_requests_get_their_error_code(
    client: FlaskClient, params: dict[str, str], code: str
) -> None:
    for method in ("GET", "POST"):
        root = ask(client, method, **params)
        assert error_code(root) == code, params
        request = root.find("o:request", NS)
        if code in ("badVerb", "badArgument"):
            assert dict(request.attrib) == {}  # nothing of a bad request is echoed
        else:
            assert request.get("verb") == params["verb"]


def test_repeated_arguments_are_bad(client: FlaskClient) -> None:
    root = ask(client, verb=["ListSets", "Identify"])  # type: ignore[arg-type]
    assert error_code(root) == "badVerb"
    query = "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"
    response = client.get(f"/oai?{query}")
    assert b'code="badArgument"' in response.data


EDGES = {
    "9999-12-31": None,  # until the end of time: everything, from then: nothing
    "9999-12-31T23:59:59Z": None,
    "0001-01-01": None,
    "0001-01-01T00:00:00Z": None,
    "1969-12-31T23:59:59Z": None,
    "2000-02-29": None,
    "2001-02-29": "badArgument",
    "0000-01-01": "badArgument",
    "10000-01-01": "badArgument",
    "9999-12-31T24:00:00Z": "badArgument",
    "-2020-01-01": "badArgument",
}


def test_every_datestamp_edge_answers_with_records_or_an_oai_error(fresh_app: Flask) -> None:
    titles = collection(fresh_app)
    client = fresh_app.test_client()
    everything = len(harvest(client, "ListIdentifiers"))
    assert everything and len(titles) >= everything
    for verb in ("ListRecords", "ListIdentifiers"):
        for value, code in EDGES.items():
            for name in ("from", "until"):
                root = ask(client, verb=verb, metadataPrefix="oai_dc", **{name: value})
                if code is not None:
                    assert error_code(root) == code, (name, value)
                else:
                    assert error_code(root) in (None, "noRecordsMatch"), (name, value)
    late = {"until": "9999-12-31T23:59:59Z"}
    assert len(harvest(client, "ListIdentifiers", **late)) == everything
    assert len(harvest(client, "ListIdentifiers", until="9999-12-31")) == everything
    assert len(harvest(client, "ListIdentifiers", **{"from": "0001-01-01"})) == everything
    for edge in ({"from": "9999-12-31"}, {"until": "0001-01-01"}):
        assert error_code(ask(client, **HEADERS, **edge)) == "noRecordsMatch", edge
    both = {"from": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}
    assert len(harvest(client, "ListIdentifiers", **both)) == everything


@SMALL_PAGES
def test_a_full_harvest_is_the_published_records_and_the_withdrawn_as_deleted(
    fresh_app: Flask,
) -> None:
    collection(fresh_app)
    client = fresh_app.test_client()
    first = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = first.find("o:ListRecords/o:resumptionToken", NS)
    published = ids_with(fresh_app, RecordStatus.PUBLISHED)
    withdrawn = ids_with(fresh_app, RecordStatus.WITHDRAWN)
    total = len(published | withdrawn)
    assert token.get("completeListSize") == str(total) and token.get("cursor") == "0"
    expires = datetime.strptime(token.get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
    assert timedelta(hours=23) < expires.replace(tzinfo=UTC) - response_date(first)
    records = harvest(client)
    assert len(records) == total
    assert {identifier(r) for r in records} == published | withdrawn
    for record in records:
        deleted = record.find("o:header", NS).get("status") == "deleted"
        assert deleted == (identifier(record) in withdrawn)
        assert (record.find("o:metadata", NS) is None) == deleted
    headers = harvest(client, "ListIdentifiers")
    assert [identifier(h) for h in headers] == [identifier(r) for r in records]
    assert not ids_with(fresh_app, RecordStatus.DRAFT) & {identifier(r) for r in records}


@SMALL_PAGES
def test_a_record_in_oai_dc(fresh_app: Flask) -> None:
    ids = collection(fresh_app)
    public_id = ids["영산포 선창의 장날"]

    def describe(runtime: Runtime, session: Any, photo: Photo) -> None:
        changes = {"rights": "공공누리 제1유형", "tags": ["장날", "선창"]}
        update_photo(session, photo, changes, actor="kim", gazetteer=runtime.gazetteer)
        shown = exhibitions.create_exhibition(
            session, title="영산포 사람들", slug="yeongsanpo", introduction="", actor="kim"
        )
        exhibitions.add_photo(session, shown, public_id, "장날 풍경", actor="kim")
        exhibitions.publish(session, shown, actor="kim")

    change(fresh_app, public_id, describe)
    client = fresh_app.test_client()
    root = ask(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=REPOSITORY + public_id)
    record = root.find("o:GetRecord/o:record", NS)
    assert dc_values(record, "title") == ["영산포 선창의 장날"]
    assert dc_values(record, "date") == ["1970년대 초", "1970/1973"]
    assert dc_values(record, "coverage") == ["영산포 선창"]
    assert dc_values(record, "subject") == ["장날", "선창"]
    assert dc_values(record, "rights") == [
        "공공누리 제1유형 (출처표시)",
        "https://www.kogl.or.kr/info/licenseType1.do",
    ]
    assert dc_values(record, "identifier") == [
        "NJ-01",
        f"https://oldphoto.naju.go.kr/photos/{public_id}",
    ]
    assert dc_values(record, "relation") == ["https://oldphoto.naju.go.kr/exhibitions/yeongsanpo"]
    assert dc_values(record, "publisher") == ["나주시"] and dc_values(record, "type") == [
        "StillImage"
    ]
    assert record.find(".//dc:title", NS).get("{http://www.w3.org/XML/1998/namespace}lang") == "ko"
    specs = [e.text for e in record.iterfind("o:header/o:setSpec", NS)]
    assert specs == [
        "decade:1970s",
        "place:yeongsan-dong:yeongsanpo:yeongsanpo-seonchang",
        "exhibition:yeongsanpo",
    ]
    people = ids["국민학교 졸업사진"]  # who is in a photo is not a Dublin Core field here
    found = ask(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=REPOSITORY + people)
    assert found.find(".//dc:title", NS) is not None and "people" not in str(found)


@SMALL_PAGES
def test_sets_by_decade_place_and_exhibition(fresh_app: Flask) -> None:
    ids = collection(fresh_app)

    change(fresh_app, ids["영산포 등대"], exhibit("등대", "lighthouse"))
    client = fresh_app.test_client()
    sets = ask(client, verb="ListSets")
    names = {
        s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
        for s in sets.iterfind(".//o:set", NS)
    }
    assert names["place:yeongsan-dong:yeongsanpo"] == "영산포"
    assert names["place:yeongsan-dong"] == "영산동" and names["place"].startswith("장소별")
    assert names["decade:1970s"] == "1970년대" and names["exhibition:lighthouse"] == "등대"
    assert all(spec.isascii() for spec in names)

    def titles(spec: str) -> set[str]:
        found = harvest(client, set=spec)
        return {dc_values(r, "title")[0] for r in found if r.find("o:metadata", NS) is not None}

    yeongsanpo = titles("place:yeongsan-dong:yeongsanpo")
    assert {"영산포 등대", "영산포 선창의 장날", "사진관 앞"} <= yeongsanpo
    assert "홍수 피해" not in yeongsanpo  # 영산동 itself, not inside 영산포
    assert yeongsanpo < titles("place:yeongsan-dong")
    assert titles("exhibition:lighthouse") == {"영산포 등대"}
    seventies = titles("decade:1970s")
    assert "졸업 기념" in seventies and "영산포 등대" not in seventies  # 1968~1972 overlaps
    assert "졸업 기념" in titles("decade:1960s")


@SMALL_PAGES
def test_every_change_moves_the_datestamp_and_from_returns_exactly_the_changes(
    fresh_app: Flask,
) -> None:
    ids = collection(fresh_app)
    client = fresh_app.test_client()
    unchanged = {identifier(r) for r in harvest(client, "ListIdentifiers")}
    change(fresh_app, ids["나주역 광장"], edit_title("나주역 광장 (1975)"))

    def withdraw(runtime: Runtime, session: Any, photo: Photo) -> None:
        withdraw_photo(session, runtime.storages, photo, actor="kim", reason="요청으로 내림")

    def erase(runtime: Runtime, session: Any, photo: Photo) -> None:
        erase_photo(session, runtime.storages, photo, actor="kim", reason="본인 요청")

    change(fresh_app, ids["빨래하는 아낙들"], withdraw)
    change(fresh_app, ids["혁신도시 공사 현장"], erase)
    change(fresh_app, ids["미공개 영산포 사진"], publish)
    change(fresh_app, ids["남평 드들강 물놀이"], exhibit("물놀이", "summer"))
    titles = ("나주역 광장", "빨래하는 아낙들", "혁신도시 공사 현장", "미공개 영산포 사진")
    moved = {ids[t] for t in (*titles, "남평 드들강 물놀이")}
    since = (LONG_AGO + timedelta(days=1)).strftime("%Y-%m-%d")
    changes = harvest(client, **{"from": since})
    assert {identifier(r) for r in changes} == {REPOSITORY + i for i in moved}
    deleted = {identifier(r) for r in changes if r.find("o:header", NS).get("status") == "deleted"}
    assert deleted == {REPOSITORY + ids["빨래하는 아낙들"], REPOSITORY + ids["혁신도시 공사 현장"]}
    erased = next(r for r in changes if identifier(r) == REPOSITORY + ids["혁신도시 공사 현장"])
    assert [e.text for e in erased.iterfind(".//o:setSpec", NS)] == [
        "decade:2000s",
        "place:bitgaram-dong:bitgaram-hyeoksindosi",
    ]  # a tombstone keeps its sets, so a harvester of 빛가람동 learns of the erasure
    assert harvest(client, set="place:bitgaram-dong", **{"from": since})
    until = LONG_AGO.strftime("%Y-%m-%dT%H:%M:%SZ")  # second granularity, inclusive
    rest = {identifier(r) for r in harvest(client, "ListIdentifiers", until=until)}
    assert rest == unchanged - {REPOSITORY + i for i in moved}


@SMALL_PAGES
def test_a_gazetteer_rename_moves_the_records_of_that_place(fresh_app: Flask) -> None:
    ids = collection(fresh_app)
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        state = tables.current(session, runtime.settings, "gazetteer")
        text = state.table.text().replace("영산포 등대,", "영산포 옛 등대,")
        tables.save(
            session,
            runtime.settings,
            "gazetteer",
            text.encode(),
            actor="admin",
            revision=None,
            how="test",
        )
    work(fresh_app)  # the worker re-reads every record's places
    client = fresh_app.test_client()
    since = (LONG_AGO + timedelta(days=1)).strftime("%Y-%m-%d")
    changes = harvest(client, **{"from": since})
    assert {identifier(r) for r in changes} == {REPOSITORY + ids["영산포 등대"]}
    assert "영산포 옛 등대" in dc_values(changes[0], "coverage")
    # The key stays, so the record stays in the same set.
    specs = [e.text for e in changes[0].iterfind(".//o:setSpec", NS)]
    assert "place:yeongsan-dong:yeongsanpo:yeongsanpo-deungdae" in specs


@SMALL_PAGES
def test_a_harvest_while_records_change_loses_and_repeats_nothing(fresh_app: Flask) -> None:
    ids = collection(fresh_app)
    client = fresh_app.test_client()
    before = {identifier(r) for r in harvest(client, "ListIdentifiers")}
    first = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = [identifier(h) for h in first.iterfind(".//o:header", NS)]
    token = first.findtext("o:ListIdentifiers/o:resumptionToken", namespaces=NS)
    # Meanwhile: a record already harvested and one not yet are edited, a draft is published.
    change(fresh_app, seen[0].removeprefix(REPOSITORY), edit_title("새 제목 1"))
    later = sorted(before - set(seen))[0]
    change(fresh_app, later.removeprefix(REPOSITORY), edit_title("새 제목 2"))
    change(fresh_app, ids["미공개 영산포 사진"], publish)
    while token:
        page = ask(client, verb="ListIdentifiers", resumptionToken=token)
        seen += [identifier(h) for h in page.iterfind(".//o:header", NS)]
        token = page.findtext("o:ListIdentifiers/o:resumptionToken", namespaces=NS)
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(seen) == before - {later}  # the record edited meanwhile waits for the next
    time.sleep(0.01)
    since = response_date(first).strftime("%Y-%m-%dT%H:%M:%SZ")
    following = {identifier(h) for h in harvest(client, "ListIdentifiers", **{"from": since})}
    assert {later, seen[0], REPOSITORY + ids["미공개 영산포 사진"]} <= following
    assert set(seen) | following == before | {REPOSITORY + ids["미공개 영산포 사진"]}


@SMALL_PAGES
def test_tokens_are_signed_and_expire(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    collection(fresh_app)
    client = fresh_app.test_client()
    first = ask(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = first.findtext("o:ListRecords/o:resumptionToken", namespaces=NS)
    assert error_code(ask(client, verb="ListRecords", resumptionToken=token)) is None
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert (
        error_code(ask(client, verb="ListRecords", resumptionToken=tampered))
        == "badResumptionToken"
    )
    late = time.time() + 25 * 3600  # past the 24 hours a token is good for
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: late)
    expired = ask(client, verb="ListRecords", resumptionToken=token)
    assert error_code(expired) == "badResumptionToken"
