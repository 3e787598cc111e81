"""`archive run` (what `make run` starts): web and worker together, both stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from click.testing import Result

from archive.runtime import Runtime
from tests.scans import save_jpeg


def test_run_serves_the_web_and_ingests_then_stops_on_ctrl_c(
    runtime: Runtime, env: dict[str, str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "run", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/" in process.stdout.readline()
        save_jpeg(runtime.settings.inbox_dir / "run.jpg")
        done = runtime.settings.scans_dir / "done" / "run.jpg"
        healthy = False
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    healthy = r.status == 200
            except OSError:
                pass
            if healthy and done.exists():
                break
            time.sleep(0.5)
        assert healthy and done.exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "stopped" in output


def test_a_second_server_on_the_same_port_is_refused(runtime: Runtime, env: dict[str, str]) -> None:
    """Workers listen with SO_REUSEPORT (the kernel spreads connections over them), which
    would let a second server started by mistake share the port and half the visitors;
    `archive serve` refuses a port in use, plainly, and the first server keeps it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "archive.cli", "serve", "--port", str(port)]
    first = subprocess.Popen(command, env={**os.environ, **env}, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            if _status(port) is not None:
                break
            time.sleep(0.5)
        second = subprocess.run(
            command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 1
        assert "이미 다른 프로그램이 쓰고 있습니다" in second.stderr
        assert "already in use" in second.stderr
        assert _status(port) is not None  # the first still answers
    finally:
        first.terminate()
        first.wait(timeout=60)


@pytest.mark.parametrize(
    ("host", "korean", "english"),
    [
        ("no-such-host.invalid", "주소를 찾을 수 없습니다", "cannot resolve the host"),
        ("192.0.2.1", "이 컴퓨터의 주소가 아닙니다", "not an address of this machine"),
    ],
)
def test_a_host_the_server_cannot_listen_on_is_named_plainly(
    cli: Callable[..., Result], host: str, korean: str, english: str
) -> None:
    result = cli("serve", "--host", host, "--port", "8123")
    assert result.exit_code == 1
    assert korean in result.output and english in result.output and host in result.output
    assert "Traceback" not in result.output


def _status(port: int) -> int | None:
    """Return the status /healthz answers with (503 without an index), None if nothing."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _headers(port: int, path: str, **headers: str) -> dict[str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as error:
        return {k.lower(): v for k, v in error.headers.items()}


@pytest.mark.parametrize(("proxies", "believed"), [("0", False), ("1", True)])
def test_forwarded_https_is_believed_only_from_a_declared_proxy(
    runtime: Runtime, env: dict[str, str], proxies: str, believed: bool
) -> None:
    """A local client claiming HTTPS gets neither HSTS nor secure cookies unless the
    settings say a proxy stands in front (and it is the one at that address)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    variables = {**os.environ, **env, "ARCHIVE_PROXY_COUNT": proxies}
    server = subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "serve", "--port", str(port), "--workers", "1"],
        env=variables,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            if _status(port) is not None:
                break
            time.sleep(0.5)
        claimed = _headers(port, "/login", **{"X-Forwarded-Proto": "https"})
        plain = _headers(port, "/login")
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert ("strict-transport-security" in claimed) is believed
    assert ("secure" in claimed.get("set-cookie", "").lower()) is believed
    assert "strict-transport-security" not in plain


def test_proxy_addresses_must_be_addresses(
    cli: Callable[..., Result], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_PROXY_ADDRESSES", "127.0.0.1,nginx")
    result = cli("serve", "--port", "8124")
    assert result.exit_code == 1 and "ARCHIVE_PROXY_ADDRESSES" in result.output
    assert "Traceback" not in result.output
