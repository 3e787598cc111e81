"""Every route, with long and odd values in every URL variable, answers plainly (never 500).

A value in a URL may become part of a file name or a storage key; long segments (over
the 255 bytes a file name may have), dots, slashes, percent signs, NUL and wide characters
must all be answered with a 4xx, anonymously and signed in, on GET and POST alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import fuzz_app, fuzz_settings, published_scan
from tests.web.conftest import STAFF_PASSWORD, add_staff

_VARIABLE = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
# A good value of each URL variable (ids filled in by the fixture), so that a route whose
# other variables are right reaches the code that uses the one being fuzzed.
GOOD = {
    "region": "full",
    "size": "max",
    "rotation": "0",
    "name": "default.jpg",
    "variant": "thumb",
    "action": "memory",
    "kind": "memory",
    "index": "1",
    "exhibition_id": "1",
    "file_id": "1",
    "item_id": "1",
    "reason_id": "1",
    "slug": "yeongsanpo",
    "token": "x" * 32,
    "filename": "style.css",
}
segments = st.one_of(
    st.sampled_from(
        [
            "9" * 300,
            "a" * 256,
            "가" * 100,  # 300 bytes in UTF-8
            "x" * 5000,
            "..",
            ".",
            "%2e%2e",
            "%00",
            "a%2Fb",
            "info.json",
            "default.jpg",
            "0" * 64 + "-1",
            "f" * 64 + "-999999999",
            "pct:" + "1" * 400,
            "1,1," + "9" * 300 + ",1",
        ]
    ),
    st.text(min_size=1, max_size=300).map(lambda text: quote(text, safe="")),
)


@pytest.fixture(scope="module")
def route_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, FlaskClient]]:
    app = fuzz_app(
        tmp_path_factory.mktemp("routes-fuzz"),
        voice_rate_limit="100000 per hour",
        contribute_rate_limit="100000 per hour",
        FLASK={"WTF_CSRF_ENABLED": False},
    )
    public_id = published_scan(app)
    info = app.test_client().get(f"/iiif/3/{public_id}/info.json").get_json()
    GOOD.update(public_id=public_id, ident=info["id"].rsplit("/", 1)[1])
    add_staff(app, "fuzz-admin", "admin")
    staff = app.test_client()  # forms are checked without CSRF tokens: the views are reached
    signed = staff.post("/login", data={"name": "fuzz-admin", "password": STAFF_PASSWORD})
    assert signed.status_code == 302
    yield app, staff
    app.extensions["archive"].close()


def _paths(app: Flask, value: str) -> list[tuple[str, str]]:
    """Return (path, method) of every route with a variable: the value in each variable
    in turn, the route's other variables good."""
    found = []
    for rule in app.url_map.iter_rules():
        variables = [m.group(1) for m in _VARIABLE.finditer(rule.rule)]
        if not variables or rule.endpoint == "static":
            continue
        for fuzzed in variables:
            path = _VARIABLE.sub(
                lambda m, fuzzed=fuzzed: value if m.group(1) == fuzzed else GOOD[m.group(1)],
                rule.rule,
            )
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((path, method))
    return found


@fuzz_settings(40)
@given(value=segments, signed_in=st.booleans())
def test_every_route_answers_long_and_odd_segments_plainly(
    route_app: tuple[Flask, FlaskClient], value: str, signed_in: bool
) -> None:
    app, staff = route_app
    paths = _paths(app, value)
    assert len(paths) > 40
    for path, method in paths:
        client = staff if signed_in else app.test_client()
        response = client.open(path, method=method, data={} if method == "POST" else None)
        assert response.status_code < 500, (method, path[:200], response.status_code)
