"""Fuzz IIIF requests: any identifier, region, size, rotation or quality gets 2xx/3xx/400/404."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import fuzz_app, fuzz_settings, published_scan

numbers = st.one_of(st.integers(0, 5000).map(str), st.sampled_from(["-1", "1.5", "1e9", "00"]))
regions = st.one_of(
    st.sampled_from(["full", "square", "pct:0,0,50,50", "pct:", ""]),
    st.lists(numbers, min_size=1, max_size=5).map(",".join),
    st.text(max_size=30),
)
sizes = st.one_of(
    st.sampled_from(["max", "^max", "!512,512", "pct:50", ",", "^,0"]),
    st.tuples(numbers, numbers).map(lambda pair: f"{pair[0]},{pair[1]}"),
    numbers.map(lambda n: f"{n},"),
    st.text(max_size=30),
)
rotations = st.one_of(st.sampled_from(["0", "!0", "90", "360", "361", "-0"]), st.text(max_size=8))
qualities = st.one_of(
    st.sampled_from(["default.jpg", "color.png", "gray.jpg", "default.", ".jpg"]),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def iiif_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = fuzz_app(tmp_path_factory.mktemp("iiif-fuzz"))
    public_id = published_scan(app)
    info = app.test_client().get(f"/iiif/3/{public_id}/info.json").get_json()
    yield app, info["id"].rsplit("/", 1)[1]
    app.extensions["archive"].close()


@fuzz_settings(150)
@given(region=regions, size=sizes, rotation=rotations, quality=qualities)
def test_any_image_request_is_answered_plainly(
    iiif_app: tuple[Flask, str], region: str, size: str, rotation: str, quality: str
) -> None:
    app, image = iiif_app
    parts = "/".join(quote(part, safe=",:!^") for part in (region, size, rotation, quality))
    response = app.test_client().get(f"/iiif/3/{image}/{parts}")
    assert response.status_code in (200, 303, 308, 400, 404), (parts, response.status_code)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@fuzz_settings(80)
@given(ident=st.text(max_size=80), tail=st.sampled_from(["info.json", "manifest.json", ""]))
def test_any_identifier_is_answered_plainly(
    iiif_app: tuple[Flask, str], ident: str, tail: str
) -> None:
    app, _image = iiif_app
    response = app.test_client().get(f"/iiif/3/{quote(ident, safe='')}/{tail}")
    assert response.status_code in (200, 303, 308, 400, 404), (ident, response.status_code)
