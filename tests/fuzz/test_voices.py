"""Fuzz the three voice forms: any text, field or reason gets a receipt or a plain answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from archive.fields import FIELDS
from tests.fuzz.conftest import fuzz_app, fuzz_settings, published_scan
from tests.web.conftest import csrf_token

texts = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=4000),
    st.sampled_from(["https://x.example", "www.a.kr " * 5, "\u202e\u200b", "가" * 3001, " \n\t"]),
)


@pytest.fixture(scope="module")
def voice_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = fuzz_app(tmp_path_factory.mktemp("voices"), voice_rate_limit="100000 per hour")
    yield app, published_scan(app)
    app.extensions["archive"].close()


@fuzz_settings(80)
@given(
    action=st.sampled_from(["memory", "identify", "request"]),
    body=texts,
    extra=texts,
    field=st.sampled_from([f.name for f in FIELDS] + ["", "../x", "title\x00"]),
    reason=st.sampled_from(["person", "copyright", "wrong", "other", "consent", "", "x" * 50]),
    contact=st.sampled_from(["", "010-1234-5678", "a@b.kr", "전화 주세요", "a@b.kr\r\nBcc: c@d"]),
)
def test_every_voice_gets_a_receipt_or_an_answer(
    voice_app: tuple[Flask, str],
    action: str,
    body: str,
    extra: str,
    field: str,
    reason: str,
    contact: str,
) -> None:
    app, public_id = voice_app
    client = app.test_client()
    path = f"/photos/{public_id}/{action}"
    data = {
        "csrf_token": csrf_token(client, path),
        "body": body,
        "relation": extra,
        "source_note": extra,
        "name": extra,
        "field": field,
        "reason": reason,
        "contact": contact,
        "consent": "y",
        "notify": "y",
        "website": "",
    }
    response = client.post(path, data=data)
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 400:
        page = response.get_data(as_text=True)
        assert 'class="field-error"' in page or "잘못된 요청입니다" in page, page[-1500:]
