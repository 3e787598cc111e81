"""수집 현황: the scanner operator sees what became of each file and can try a failed one again."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from archive.ingest.worker import IngestWorker
from tests.scans import picture, save_jpeg
from tests.web.conftest import csrf_token, runtime_of, work

SCREEN = "/moderate/ingest/"


def drop(app: Flask) -> None:
    """Drop a good scan, a broken one and one whose sidecar is malformed; run the worker."""
    inbox = runtime_of(app).settings.inbox_dir
    save_jpeg(inbox / "2026-11/good.jpg", picture((600, 400), seed=5))
    (inbox / "2026-11/good.json").write_text(json.dumps({"title": "영산포 선창"}), "utf-8")
    (inbox / "2026-11/broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    save_jpeg(inbox / "2026-11/sidecar.jpg", picture((500, 400), seed=6))
    (inbox / "2026-11/sidecar.json").write_text("{ not json", "utf-8")
    run_worker(app)


def run_worker(app: Flask) -> None:
    with IngestWorker(runtime_of(app)) as worker:
        worker.run_once(runtime_of(app).settings.inbox_dir)


def test_the_operator_sees_each_outcome_in_korean_and_nothing_else_of_the_staff_area(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    drop(fresh_app)
    operator = login_as("operator")
    assert operator.get("/moderate/").headers["Location"].endswith(SCREEN)
    page = operator.get(SCREEN).get_data(as_text=True)
    assert "2026-11/good.jpg" in page and "등록됨" in page and "영산포 선창" in page
    assert "2026-11/broken.jpg" in page and "2026-11/sidecar.jpg" in page
    assert "설명 정보(JSON 또는 manifest.csv)를 읽을 수 없습니다" in page  # the reason in Korean
    assert "다시 시도할 수 있는 실패 (2건)" in page
    assert '<span class="day">오늘</span>' in page  # grouped by the day in Korea
    today = re.search(r"<tr><th scope=\"row\">오늘</th>(.*?)</tr>", page, re.S)
    assert today and re.findall(r"<td>(\d+)</td>", today.group(1)) == ["1", "0", "0", "2"]
    # Nothing else: no records, no queues, no images, no links to them.
    assert "/moderate/photos/" not in page and 'href="/moderate/"' not in page
    for path in (
        "/moderate/photos/x",
        "/moderate/voices/memory",
        "/moderate/exhibitions/",
        "/moderate/dashboard",
        "/moderate/audit",
        "/moderate/files/1.jpg",
    ):
        assert operator.get(path).status_code == 403, path
    assert operator.get("/moderate/account").status_code == 200
    moderator = login_as("moderator")
    assert "/moderate/photos/" in moderator.get(SCREEN).get_data(as_text=True)
    assert fresh_app.test_client().get(SCREEN).status_code in (302, 401)


def test_a_fixed_file_is_tried_again_by_the_worker(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    drop(fresh_app)
    settings = runtime_of(fresh_app).settings
    failed = settings.scans_dir / "failed" / "2026-11"
    assert (failed / "sidecar.jpg.error.txt").is_file()
    (failed / "sidecar.json").write_text(json.dumps({"title": "고친 설명"}), "utf-8")  # fixed
    operator = login_as("operator")
    token = csrf_token(operator, SCREEN)
    answer = operator.post(
        SCREEN + "retry",
        data={"csrf_token": token, "path": "2026-11/sidecar.jpg"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "다시 시도를 예약했습니다" in answer and "다시 시도 요청" in answer
    again = operator.post(
        SCREEN + "retry",
        data={"csrf_token": token, "path": "2026-11/sidecar.jpg"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "실패한 파일만 다시 시도할 수 있습니다" in again  # asked once is enough
    for path in ("../../etc/passwd", "2026-11/good.jpg", "/abs.jpg", "never-seen.jpg"):
        refused = operator.post(
            SCREEN + "retry", data={"csrf_token": token, "path": path}, follow_redirects=True
        ).get_data(as_text=True)
        assert "실패한 파일만" in refused, path
    assert operator.post(SCREEN + "retry", data={"path": "2026-11/broken.jpg"}).status_code in (
        302,
        303,
        400,
    )
    # The worker (not the web) moves the file and its sidecar back, drops the note, ingests it.
    work(fresh_app)
    assert not (failed / "sidecar.jpg").exists() and not (failed / "sidecar.jpg.error.txt").exists()
    assert (settings.inbox_dir / "2026-11" / "sidecar.jpg").is_file()
    run_worker(fresh_app)
    page = operator.get(SCREEN).get_data(as_text=True)
    assert "고친 설명" in page and "다시 시도할 수 있는 실패 (1건)" in page  # broken.jpg is left


def test_a_file_gone_from_the_failed_folder_is_reported_not_lost(
    fresh_app: Flask, login_as: Callable[[str], FlaskClient]
) -> None:
    drop(fresh_app)
    settings = runtime_of(fresh_app).settings
    (settings.scans_dir / "failed" / "2026-11" / "broken.jpg").unlink()  # the operator took it
    operator = login_as("operator")
    token = csrf_token(operator, SCREEN)
    operator.post(SCREEN + "retry", data={"csrf_token": token, "path": "2026-11/broken.jpg"})
    work(fresh_app)
    page = operator.get(SCREEN).get_data(as_text=True)
    assert "다시 시도할 파일이 없음" in page and "failed/ 폴더에 파일이 없어" in page
    assert "다시 시도할 수 있는 실패 (2건)" in page  # it can be asked again once put back
