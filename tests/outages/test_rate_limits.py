"""Redis, where the web workers share their rate-limit counters, goes down and comes back:
sign-in and contributions keep working (the limits are counted in each process's memory
meanwhile), and health and `archive check` say what happened."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.faults import RedisServer
from tests.outages.conftest import archive_env, cli, csrf, published_scans, staff_session, web


def test_rate_limits_fail_open_per_process_while_redis_is_down(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    env = archive_env(
        tmp_path, "", rate_limit_storage=redis_server.url, login_rate_limit="3 per 15 minutes"
    )
    published_scans(env, 1)
    with web(env, tmp_path / "web.log") as base:
        redis_server.stop()
        staff = staff_session(base, env)  # a sign-in works without Redis
        assert staff.get(base + "/moderate/", timeout=10).status_code == 200
        guesser = requests.Session()
        answers = []
        for _ in range(5):
            token = csrf(guesser, base + "/login")
            answer = guesser.post(
                base + "/login",
                data={"name": "kim", "password": "wrong-guess", "csrf_token": token},
                timeout=10,
            )
            answers.append(answer.status_code)
        assert answers == [400, 400, 400, 429, 429]  # still limited, in this process's memory
        health = requests.get(base + "/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        check = cli(env, "check", "--json")
        assert check.returncode == 1
        limits = next(c for c in json.loads(check.stdout)["checks"] if c["name"] == "rate-limits")
        assert not limits["ok"] and "counted in each web process" in limits["detail"]
        redis_server.start()
        assert cli(env, "check").returncode == 0
    log = (tmp_path / "web.log").read_text("utf-8")
    assert "Traceback" not in log
    assert log.count("Rate limit storage unreachable") == 1
