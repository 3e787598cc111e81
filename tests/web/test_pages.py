"""The privacy policy: built from settings, linked from every page footer and every form."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.test_moderate import scan


@pytest.mark.settings(
    office_name="나주시 기록관",
    office_phone="061-330-1234",
    privacy_officer="홍길동 기획예산실장",
    privacy_email="privacy@naju.go.kr",
    personal_data_retention_days=180,
    privacy_effective="2027-01-01",
)
def test_the_privacy_policy_says_what_the_settings_say(fresh_app: Flask) -> None:
    page = fresh_app.test_client().get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "개인정보 처리방침",
        "홍길동 기획예산실장",
        "061-330-1234",
        'href="tel:0613301234"',
        "mailto:privacy@naju.go.kr",
        "6개월 보관한 뒤 지웁니다",
        "2027-01-01부터 적용",
        "옛 사진 보내기",
        "수정·삭제 요청",
        "처리 현황 주소",
    ):
        assert expected in text, expected


def test_every_page_and_form_links_to_the_policy(fresh_app: Flask) -> None:
    [photo] = scan(fresh_app, {"title": "영산포 선창", "status": "published"})
    from tests.web.conftest import work

    work(fresh_app)
    client = fresh_app.test_client()
    for path in (
        "/",
        "/photos",
        f"/photos/{photo}",
        "/timeline",
        "/exhibitions/",
        "/contribute",
        f"/photos/{photo}/memory",
        f"/photos/{photo}/request",
        "/help",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert html.count('href="/privacy"') >= (2 if "consent" in html else 1), path


def test_every_template_is_compiled_before_the_server_forks(app: Flask) -> None:
    from archive.app import compile_templates

    app.jinja_env.cache.clear()
    compile_templates(app)
    compiled = {key[1] for key in app.jinja_env.cache}
    pages = set(app.jinja_env.list_templates())
    assert pages and compiled == pages  # workers share them instead of compiling their own
