"""Fuzz OAI-PMH requests: any verb, argument, date, set or token (also as a form POST) gets
a schema-valid OAI-PMH answer with status 200, never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import fuzz_app, fuzz_settings
from tests.search.collection import populate
from tests.web.oai_helpers import NS, check

from lxml import etree  # isort: skip

NAMES = ["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]
VALUES = st.one_of(
    st.sampled_from([
        "ListRecords", "ListIdentifiers", "GetRecord", "Identify", "ListSets",
        "ListMetadataFormats", "oai_dc", "2020-01-01", "2020-01-01T00:00:00Z", "1999-02-30",
        "place:yeongsan-dong", "decade:1970s", "exhibition:", "oai:oldphoto.naju.go.kr:x",
        "9999-12-31T23:59:59Z", "0000-00-00",
    ]),
    st.text(max_size=40),
)  # fmt: skip
ARGUMENTS = st.lists(st.tuples(st.sampled_from([*NAMES, "bogus"]), VALUES), max_size=5)


@pytest.fixture(scope="module")
def oai_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = fuzz_app(tmp_path_factory.mktemp("oai-fuzz"), oai_page_size=3)
    runtime = app.extensions["archive"]
    with runtime.db.session() as session:
        populate(session, runtime.gazetteer)
    yield app
    runtime.close()


@fuzz_settings(200)
@given(arguments=ARGUMENTS, post=st.booleans())
def test_any_request_gets_a_valid_answer(
    oai_app: Flask, arguments: list[tuple[str, str]], post: bool
) -> None:
    client = oai_app.test_client()
    if post:
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in arguments)
        response = client.post("/oai", data=body, content_type="application/x-www-form-urlencoded")
    else:
        response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200, arguments
    root = etree.fromstring(response.data)
    check(root)
    errors = root.findall("o:error", NS)
    assert errors or len(root) == 3, arguments
