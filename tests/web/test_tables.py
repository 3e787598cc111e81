"""Admins edit the gazetteer, variants and periods tables in the browser: rows, CSV export
and import, audit, and the records and searches that follow the new tables."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.app import create_app
from archive.models import Event, Photo
from tests.web.conftest import api, csrf_token, runtime_of, work
from tests.web.test_moderate import scan

TABLES = "/moderate/tables"


def post(client: FlaskClient, path: str, page: str, **data: object) -> str:
    """POST a form with the CSRF token of the page it sits on; return the page after."""
    token = csrf_token(client, page)
    response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def revision(client: FlaskClient, table: str) -> str:
    page = client.get(f"{TABLES}/{table}").get_data(as_text=True)
    found = re.search(r'name="revision" value="(-?\d+)"', page)
    assert found, page
    return found.group(1)


def add_row(client: FlaskClient, table: str, **cells: str) -> str:
    fields = {f"col-{k}": v for k, v in cells.items()}
    page = f"{TABLES}/{table}"
    return post(client, f"{page}/rows", page, revision=revision(client, table), **fields)


def message(page: str) -> str:
    found = re.search(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)).strip() if found else ""


def events(app: Flask) -> list[Event]:
    with runtime_of(app).db.session() as session:
        found = list(session.scalars(select(Event).where(Event.kind == "table").order_by(Event.id)))
        session.expunge_all()
        return found


def test_only_admins_reach_the_tables(login_as: Callable[[str], FlaskClient]) -> None:
    assert login_as("moderator").get(f"{TABLES}/").status_code == 403
    assert login_as("operator").get(f"{TABLES}/gazetteer").status_code == 403
    admin = login_as("admin")
    page = admin.get(f"{TABLES}/").get_data(as_text=True)
    for label in ("지명 사전", "비슷한 말 표", "시대 이름 표"):
        assert label in page
    assert "처음 설치된 기본 표" in page
    found = admin.get(f"{TABLES}/variants?find=국민학교").get_data(as_text=True)
    rows = re.findall(r"번째 줄 고치기", found)
    assert 0 < len(rows) < 20 and "국민학교|초등학교" in found and "어머니|" not in found
    assert found.count('id="table-q"') == 1 and found.count('id="q"') == 1  # the site's search
    assert admin.get(f"{TABLES}/nowhere").status_code == 404
    assert admin.get(f"{TABLES}/gazetteer/rows/9999").status_code == 404


def test_a_new_place_is_read_in_older_records_and_searched(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    fields = {"title": "둑방 길", "place": "새터마을 둑방", "status": "published"}
    [before] = scan(fresh_app, fields)
    work(fresh_app)
    client = fresh_app.test_client()
    unknown = client.get("/api/photos", query_string={"place": "새터마을"})
    assert unknown.status_code == 400 and "unknown place" in unknown.json["error"]  # type: ignore[index]
    admin = login_as("admin")
    page = add_row(admin, "gazetteer", name="새터마을", kind="리", parent="영산동", aliases="새터")
    assert "한 줄을 더했습니다" in page and "새터마을" in page
    work(fresh_app)  # the worker re-reads the records' places and rebuilds the index
    with runtime_of(fresh_app).db.session() as session:
        places = session.scalar(select(Photo.places).where(Photo.public_id == before))
    assert places == ["새터마을"]
    found = api(client, "/api/photos", place="새터")["items"]
    assert [item["id"] for item in found] == [before]
    # A place inside 영산동 is found by its parent too, and the facet tree shows it.
    assert before in [i["id"] for i in api(client, "/api/photos", place="영산동")["items"]]
    [event] = events(fresh_app)
    assert event.detail["table"] == "gazetteer" and event.actor == admin.staff_name  # type: ignore[attr-defined]
    assert any("새터마을" in line for line in event.detail["added"])
    audit = admin.get("/moderate/audit").get_data(as_text=True)
    assert "지명 사전 수정 (한 줄 추가)" in audit and 'href="/moderate/tables/gazetteer"' in audit


def test_a_table_that_would_break_is_refused_in_korean(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    admin = login_as("admin")
    page = add_row(admin, "gazetteer", name="어딘가", kind="리", parent="없는곳")
    assert "'없는곳'을(를) 가리킵니다" in message(page)
    page = add_row(admin, "gazetteer", name="영산동", kind="동", parent="나주시")
    assert "두 번 있습니다" in message(page)
    page = add_row(admin, "periods", name="큰물 때", start="1989", end="1889")
    assert "끝 해가 시작 해보다 앞설 수 없습니다" in message(page)
    page = add_row(admin, "periods", name="큰물 때", start="팔구년", end="1989")
    assert "네 자리 숫자" in message(page)
    page = add_row(admin, "variants", words="혼자만", kind="kin")
    assert message(page).endswith("줄: 두 낱말 이상을 | 로 나눠 적어 주세요)")
    page = add_row(admin, "variants")
    assert "빈 줄" in message(page)
    # 나주시 is the parent of every township: it cannot be deleted.
    index = _row_of(admin, "gazetteer", "나주시")
    path = f"{TABLES}/gazetteer/rows/{index}"
    page = post(admin, f"{path}/delete", path, revision=revision(admin, "gazetteer"))
    assert "가리킵니다" in message(page)
    assert events(fresh_app) == []
    assert "처음 설치된 기본 표" in admin.get(f"{TABLES}/").get_data(as_text=True)


def _row_of(client: FlaskClient, name: str, key: str) -> int:
    page = client.get(f"{TABLES}/{name}", query_string={"find": key}).get_data(as_text=True)
    for found in re.finditer(rf'href="{TABLES}/{name}/rows/(\d+)"', page):
        row = client.get(f"{TABLES}/{name}/rows/{found.group(1)}").get_data(as_text=True)
        if f'value="{key}"' in row:
            return int(found.group(1))
    raise AssertionError(f"no row {key} in {name}")


def test_a_stale_form_does_not_overwrite_a_newer_change(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    first, second = login_as("admin"), login_as("admin")
    stale = revision(second, "variants")
    add_row(first, "variants", words="뱃머리|선창머리", kind="dialect")
    page = f"{TABLES}/variants"
    answer = post(second, f"{page}/rows", page, revision=stale, **{"col-words": "말|마"})
    assert "다른 분이 먼저 고쳤습니다" in message(answer)
    assert "말|마" not in second.get(page).get_data(as_text=True)


def test_csv_round_trip_through_excel_encoding(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    [record] = scan(fresh_app, {"title": "선창머리 배들", "status": "published"})
    work(fresh_app)
    client = fresh_app.test_client()
    assert record not in [i["id"] for i in api(client, "/api/photos", q="뱃머리")["items"]]
    admin = login_as("admin")
    exported = admin.get(f"{TABLES}/variants.csv")
    assert exported.mimetype == "text/csv" and exported.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in exported.headers["Content-Disposition"]
    text = exported.data.decode("utf-8-sig")
    assert text.startswith("# ") and "국민학교|초등학교" in text
    edited = text + "뱃머리|선창머리,dialect,영산포 사람들 말\n"
    upload = (io.BytesIO(edited.encode("cp949")), "variants.csv")
    page = post(admin, f"{TABLES}/variants/import", f"{TABLES}/variants", file=upload)
    assert "CSV를 가져와 표를 바꿨습니다" in page
    assert record in [i["id"] for i in api(client, "/api/photos", q="뱃머리")["items"]]
    again = admin.get(f"{TABLES}/variants.csv").data.decode("utf-8-sig")
    assert again.splitlines()[:5] == text.splitlines()[:5]  # the comments are kept
    assert again.endswith("뱃머리|선창머리,dialect,영산포 사람들 말\n")
    [event] = events(fresh_app)
    assert event.detail["added"] == ["뱃머리|선창머리 | dialect | 영산포 사람들 말"]
    assert event.detail["removed"] == [] and event.detail["how"] == "CSV 가져오기"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\xfd", "UTF-8"),
        ("name,start\n큰물 때,1989\n".encode(), "머리줄에 없는 열"),
        (b"", "머리줄"),
        (("name,aliases,start,end\n" + "가" * 600 + ",,1989,1989\n").encode(), "한 칸은"),
    ],
)
def test_a_bad_import_changes_nothing(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient], data: bytes, expected: str
) -> None:
    admin = login_as("admin")
    page = post(
        admin,
        f"{TABLES}/periods/import",
        f"{TABLES}/periods",
        file=(io.BytesIO(data), "periods.csv"),
    )
    assert expected in message(page), message(page)
    assert events(fresh_app) == []


def test_a_new_period_dates_older_records_and_reset_undoes_it(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    [record] = scan(fresh_app, {"title": "물 빠진 뒤", "date": "큰물 때", "status": "published"})
    work(fresh_app)
    admin = login_as("admin")
    add_row(admin, "periods", name="큰물 때", aliases="나주 수해", start="1989", end="1989")
    work(fresh_app)
    client = fresh_app.test_client()
    assert [i["id"] for i in api(client, "/api/photos", era="1989")["items"]] == [record]
    # The search box reads the new period too.
    assert record in [i["id"] for i in api(client, "/api/photos", q="나주 수해")["items"]]
    page = post(admin, f"{TABLES}/periods/reset", f"{TABLES}/periods")
    assert "기본 표로 되돌렸습니다" in page
    work(fresh_app)
    assert api(client, "/api/photos", era="1989")["total"] == 0
    assert [e.detail["how"] for e in events(fresh_app)] == ["한 줄 추가", "기본 표로 되돌리기"]


def test_another_process_follows_the_tables_once_its_index_is_ready(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient], tmp_path: Path
) -> None:
    """A second web process over the same archive keeps the old gazetteer (and index)
    until the worker has built the index for the new one, then switches."""
    [record] = scan(fresh_app, {"title": "둑방", "place": "새터마을", "status": "published"})
    work(fresh_app)
    settings = runtime_of(fresh_app).settings
    other = create_app(
        {
            "data_dir": settings.data_dir,
            "scans_dir": settings.scans_dir,
            "database_url": settings.database_url,
            "FLASK": {"TESTING": True},
        }
    )
    reader = runtime_of(other)
    assert reader.gazetteer.lookup("새터마을") is None
    add_row(login_as("admin"), "gazetteer", name="새터마을", kind="리", parent="영산동")
    assert reader.refresh_tables() is False  # the new index is not built yet
    assert api(other.test_client(), "/api/photos", q="둑방")["total"] == 1
    work(fresh_app)
    assert reader.refresh_tables() is True
    assert reader.gazetteer.lookup("새터마을") is not None
    found = api(other.test_client(), "/api/photos", place="새터마을")["items"]
    assert [i["id"] for i in found] == [record]
    reader.close()


def test_a_process_keeps_one_korean_model_through_gazetteer_edits(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    """A new gazetteer teaches the model already loaded its new names, instead of loading
    a second model (about 400 MB) and keeping the first alive, which cannot be freed in a
    web worker."""
    runtime = runtime_of(fresh_app)
    runtime.search.analyzer.warm()
    model = runtime.search.analyzer._kiwi
    admin = login_as("admin")
    for name in ("새터마을", "큰둑마을", "작은둑마을"):
        add_row(admin, "gazetteer", name=name, kind="리", parent="영산동")
        work(fresh_app)  # the worker follows the new table at once
        analyzer = runtime.search.analyzer
        assert analyzer.lexicon.digest != "" and analyzer._kiwi is model
        assert name in analyzer.query_terms(f"{name} 사진"), name
