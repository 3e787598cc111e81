"""The object store (moto's S3 server) stops answering, or comes back empty: the web
answers every page that needs no store at once, fails image requests fast with 503 and
Retry-After, health answers within a second, and `archive check` calls an emptied store
the emergency it is."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.faults import MotoServer
from tests.outages.conftest import archive_env, cli, published_scans, s3_settings, web
from tests.s3 import s3_client


def _timed(method: str, url: str) -> tuple[int, float, dict[str, str]]:
    started = time.monotonic()
    try:
        answer = requests.request(method, url, timeout=60)
    except requests.RequestException:
        return 0, time.monotonic() - started, {}
    return answer.status_code, time.monotonic() - started, dict(answer.headers)


def test_a_paused_store_fails_images_fast_and_starves_no_page(
    moto: MotoServer, tmp_path: Path
) -> None:
    settings = s3_settings(moto, "paused")
    env = archive_env(tmp_path, "", storage_cooldown_seconds="4", **settings)  # SQLite
    photos = published_scans(env, 2)
    with web(env, tmp_path / "web.log") as base:
        cards = requests.get(f"{base}/api/photos", timeout=30).json()["items"]
        images = [card["thumbnail_url"] for card in cards] + [card["image_url"] for card in cards]
        assert all(requests.get(url, timeout=30).status_code == 200 for url in images)
        moto.pause()
        try:
            with ThreadPoolExecutor(max_workers=16) as pool:
                pictures = [pool.submit(_timed, "GET", images[n % len(images)]) for n in range(12)]
                time.sleep(0.3)  # the image requests are in first, holding what they hold
                pages = {
                    path: pool.submit(_timed, "GET", base + path)
                    for path in ("/photos?era=1970s", "/login", f"/photos/{photos[0]}", "/")
                }
                health = pool.submit(_timed, "GET", base + "/healthz")
                for path, answer in pages.items():
                    status, seconds, _headers = answer.result()
                    assert status == 200 and seconds < 3, (path, status, seconds)
                status, seconds, _headers = health.result()
                assert status == 503 and seconds < 1.5, (status, seconds)
                for answer in pictures:
                    status, seconds, headers = answer.result()
                    assert status == 503 and int(headers["Retry-After"]) > 0, status
                    assert seconds < 10, seconds  # a short timeout at most, never a minute
        finally:
            moto.resume()
        time.sleep(4.5)  # the cool-down passes
        assert all(requests.get(url, timeout=30).status_code == 200 for url in images)
        assert requests.get(base + "/healthz", timeout=30).status_code == 200


def test_an_emptied_store_is_an_emergency_for_check_and_health(
    moto: MotoServer, tmp_path: Path
) -> None:
    settings = s3_settings(moto, "emptied")
    env = archive_env(tmp_path, "", **settings)  # SQLite beside the files
    published_scans(env, 2)
    assert cli(env, "jobs", "run").returncode == 0
    before = cli(env, "check", "--json")
    assert before.returncode == 0, before.stdout
    client = s3_client(moto.url)
    listed = client.list_objects_v2(Bucket="emptied").get("Contents", [])
    assert listed
    for item in listed:  # the store restarted with its bucket but none of its objects
        client.delete_object(Bucket="emptied", Key=item["Key"])
    after = cli(env, "check", "--json")
    assert after.returncode == 1
    holdings = next(c for c in json.loads(after.stdout)["checks"] if c["name"] == "holdings")
    assert not holdings["ok"] and "EMERGENCY" in holdings["detail"]
    with web(env, tmp_path / "web.log") as base:
        assert requests.get(base + "/healthz", timeout=10).status_code == 503
