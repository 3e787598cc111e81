"""nginx in front, from the repository's configuration: it serves files itself, keeps public
pages for a second and revalidates them, never keeps what is private, passes the headers
the application trusts, and limits request rates."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from archive.web.static_files import static_folder
from tests.front import Nginx
from tests.outages.conftest import (
    archive_env,
    cli,
    published_scans,
    staff_session,
    web,
)
from tests.smtp import free_port

PROXY = "127.0.0.2"  # nginx connects to gunicorn from this address, and only it is trusted


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Run the archive (one published scan) behind nginx; yield what the tests need."""
    root = tmp_path_factory.mktemp("nginx")
    nginx_port, app_port = free_port(), free_port()
    public = f"http://127.0.0.1:{nginx_port}"
    env = archive_env(root, "", proxy_count="1", proxy_addresses=PROXY, public_url=public)
    [photo] = published_scans(env, 1)
    front = Nginx(
        root / "nginx",
        {
            "ARCHIVE_UPSTREAM": f"127.0.0.1:{app_port}",
            "ARCHIVE_STORAGE_ROOT": str(root / "var" / "storage"),
            "ARCHIVE_STATIC_ROOT": str(static_folder()),
            "NGINX_PORT": str(nginx_port),
            "NGINX_CACHE_DIR": str(root / "nginx" / "cache"),
            "NGINX_RATE": "50r/s",
            "NGINX_BURST": "100",
            "NGINX_PROXY_BIND": PROXY,
        },
    )
    assert front.check().returncode == 0, front.check().stderr
    log = root / "gunicorn.log"
    with web(env, log, port=app_port, public_url=public) as app:
        front.start()
        try:
            yield {"base": public, "app": app, "photo": photo, "env": env, "log": log,
                   "front": front, "root": root}  # fmt: skip
        finally:
            front.stop()


def _app_saw(stack: dict[str, object], path: str) -> bool:
    """Return whether gunicorn's access log has a request for path (it writes the line just
    after it answers: looked for during half a second)."""
    deadline = time.monotonic() + 0.5
    while True:
        if path in Path(str(stack["log"])).read_text("utf-8"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_files_are_served_by_nginx_not_the_app(stack: dict[str, object]) -> None:
    base, photo = stack["base"], stack["photo"]
    card = requests.get(f"{base}/api/photos/{photo}", timeout=10).json()
    thumb = card["thumbnail_url"].removeprefix(str(base))
    info = requests.get(f"{base}/iiif/3/{photo}/info.json", timeout=10).json()
    tile = info["id"].removeprefix(str(base)) + "/full/max/0/default.jpg"
    style = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', requests.get(
        f"{base}/", timeout=10).text)  # fmt: skip
    assert style
    for path, kind in ((thumb, "image/jpeg"), (tile, "image/jpeg"), (style.group(1), "text/css")):
        answer = requests.get(f"{base}{path}", timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind), path
        assert "immutable" in answer.headers["Cache-Control"], path
        assert not _app_saw(stack, path.split("?")[0]), path  # nginx sent it itself
    assert requests.get(f"{base}{tile}", timeout=10).headers["Access-Control-Allow-Origin"] == "*"
    missing = f"/media/thumb/{'0' * 64}-1.jpg"  # not a file: the application answers 404
    assert requests.get(f"{base}{missing}", timeout=10).status_code == 404
    assert _app_saw(stack, missing)
    css = requests.get(f"{base}{style.group(1)}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.headers.get("Content-Encoding") == "gzip"  # text is compressed
    assert gzip.compress(b"") and css.text.startswith(("/*", ":root", "*", "html", "body", "@"))


def test_public_pages_are_kept_a_second_and_revalidated(stack: dict[str, object]) -> None:
    base, photo = stack["base"], stack["photo"]
    path = f"/photos/{photo}?from=nginx-test"
    first = requests.get(base + path, timeout=10)
    assert first.status_code == 200 and first.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    again = requests.get(base + path, timeout=10)
    assert again.headers["X-Cache-Status"] == "HIT" and again.text == first.text
    conditional = requests.get(base + path, headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304  # the browser's own copy is still good
    time.sleep(2.1)  # nginx counts whole seconds: kept up to two
    revalidated = requests.get(base + path, timeout=10)
    assert revalidated.headers["X-Cache-Status"] == "REVALIDATED"  # the app said 304


def test_a_takedown_is_visible_through_nginx_at_once(stack: dict[str, object]) -> None:
    base, env = stack["base"], stack["env"]
    [other] = [p for p in published_scans_more(env) if p != stack["photo"]][:1]
    path = f"/photos/{other}"
    assert requests.get(base + path, timeout=10).status_code == 200
    assert requests.get(base + path, timeout=10).headers["X-Cache-Status"] == "HIT"
    staff = staff_session(str(base), env, role="admin")
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        staff.get(f"{base}/moderate/photos/{other}", timeout=10).text,
    )
    assert token
    withdrawn = staff.post(
        f"{base}/moderate/photos/{other}/decide",
        data={"csrf_token": token.group(1), "action": "withdraw", "reason": "본인 요청"},
        timeout=10,
    )
    assert withdrawn.status_code in (200, 303)
    time.sleep(2.1)  # at most the (whole) second nginx may keep a page, and its start
    assert requests.get(base + path, timeout=10).status_code == 404


def published_scans_more(env: dict[str, str]) -> list[str]:
    """Ingest one more published scan; return every record's id."""
    from tests.scans import picture, save_jpeg

    inbox = Path(env["ARCHIVE_SCANS_DIR"]) / "inbox"
    save_jpeg(inbox / "more.jpg", picture((900, 600), seed=77))
    (inbox / "more.json").write_text('{"title": "더", "status": "published"}', "utf-8")
    assert cli(env, "ingest", "--once").returncode == 0
    assert cli(env, "jobs", "run").returncode == 0
    return [
        line.split('"id": "')[1].split('"')[0]
        for line in cli(env, "photos", "list", "--json").stdout.splitlines()
    ]


def test_staff_pages_and_secret_links_are_never_kept(stack: dict[str, object]) -> None:
    base, env = stack["base"], stack["env"]
    staff = staff_session(str(base), env, role="moderator")
    for _ in range(2):
        answer = staff.get(f"{base}/moderate/", timeout=10)
        assert answer.status_code == 200 and answer.headers["X-Cache-Status"] == "BYPASS"
    secret = "never-cached-secret-token-0123456789"
    for _ in range(2):
        answer = requests.get(f"{base}/contribute/status/{secret}", timeout=10)
        assert answer.headers["X-Cache-Status"] != "HIT"
        assert "no-store" in answer.headers["Cache-Control"]
    form = requests.get(f"{base}/contribute", timeout=10)
    assert form.headers["X-Cache-Status"] != "HIT" and "private" in form.headers["Cache-Control"]
    cached = b"".join(p.read_bytes() for p in Path(str(stack["root"])).glob("nginx/cache/**/*")
                      if p.is_file())  # fmt: skip
    assert secret.encode() not in cached and b"csrf_token" not in cached


def test_forwarded_headers_are_believed_from_nginx_only(stack: dict[str, object]) -> None:
    base, app = stack["base"], stack["app"]
    claimed = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = requests.get(f"{app}/login", headers=claimed, timeout=10)
    assert "Strict-Transport-Security" not in direct.headers  # not from nginx's address
    through = requests.get(f"{base}/login", headers=claimed, timeout=10)
    assert through.status_code == 200
    assert "Strict-Transport-Security" not in through.headers  # nginx says plain http


def test_request_rates_are_limited_first_by_nginx(stack: dict[str, object]) -> None:
    base = stack["base"]
    statuses = [requests.get(f"{base}/help", timeout=10).status_code for _ in range(160)]
    assert 429 in statuses and statuses[0] == 200
