"""`archive serve` (gunicorn) and `archive run` (web and ingest worker together)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from archive.errors import ConfigError

if TYPE_CHECKING:
    from archive.config import Settings
from archive.logs import logging_config


def _gunicorn(options: dict[str, Any]) -> Any:
    """Return gunicorn running the app factory with options given in code.

    The app is built once in the master (preload) and the Korean model loaded there, so
    the workers share its read-only memory instead of each loading its own copy (about
    400 MB); each worker then opens its own database connections and its own view of the
    search index.
    """
    from gunicorn.app.base import BaseApplication

    loaded: list[Any] = []

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            self.cfg.set("preload_app", True)
            self.cfg.set("post_fork", lambda _server, _worker: _after_fork(loaded))

        def load(self) -> Any:
            from archive.app import compile_templates, create_app

            _give_back_memory()  # before anything is loaded: the workers inherit it
            app = create_app()
            app.extensions["archive"].share_before_fork()
            compile_templates(app)
            # Frozen, what was loaded here is never collected in a worker: the model's
            # native thread pool lives in this process, and a worker whose collector frees
            # its copy waits for those threads for ever (at exit it hangs in
            # pthread_cond_destroy, and gunicorn never stops); and the shared pages stay
            # shared (a collection writes to every object it visits).
            gc.collect()
            gc.freeze()
            loaded.append(app)
            return app

    return Gunicorn()


# glibc's allocator, tuned for a threaded worker that makes and drops large arrays:
# M_MMAP_THRESHOLD fixed at 64 KiB, so the arrays searches make and drop (a column or an
# ordering of 100,000 records) get pages of their own that go back to the system when
# freed (by default glibc raises the threshold as such blocks are freed, then keeps them
# in a heap that never shrinks); M_ARENA_MAX 2, so the eight threads of a worker share two
# heaps instead of each keeping freed memory in one of its own (glibc allows eight per
# core). Figures in the comment of _give_back_memory.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 64 * 1024
M_ARENA_MAX = -8
ARENAS = 2


def _give_back_memory() -> None:
    """Make freed memory go back to the system (glibc only; elsewhere nothing).

    Measured with `make bench-web` at 100,000 photos, the private memory of a gunicorn
    worker after the mixed load: 146 MB by default, 122-160 MB with the threshold alone,
    151-157 MB with both (145-150 once a view kept 8 MB of answers instead of 16).
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENAS)


def _after_fork(loaded: list[Any]) -> None:
    """Drop the master's pooled connections in a new worker (never shared across forks)."""
    for app in loaded:
        app.extensions["archive"].after_fork()


def _cannot_listen(host: str, port: int) -> str | None:
    """Return why the server could not listen on host:port (Korean / English), or None.

    Workers listen with SO_REUSEPORT, which would let a second server share the port
    silently; a plain bind still fails where anyone listens. An unknown host, an address
    of another machine and a port that needs more rights are said as such.
    """
    where = f"{host}:{port}"
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
    except (OSError, UnicodeError):
        return f"‘{host}’ 주소를 찾을 수 없습니다 / cannot resolve the host ‘{host}’"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not refused by TIME_WAIT
        try:
            probe.bind(address)
        except OSError as error:
            return _BIND_ERRORS.get(error.errno or 0, _BIND_OTHER).format(
                where=where, host=host, port=port, reason=error.strerror
            )
    return None


_BIND_ERRORS = {
    errno.EADDRINUSE: "{where}은(는) 이미 다른 프로그램이 쓰고 있습니다. --port로 다른 포트를 "
    "고르세요 / {where} is already in use; choose another with --port",
    errno.EADDRNOTAVAIL: "{host}은(는) 이 컴퓨터의 주소가 아닙니다. --host를 확인하세요 / "
    "{host} is not an address of this machine; check --host",
    errno.EACCES: "포트 {port}을(를) 열 권한이 없습니다 (1024 미만은 관리자 권한이 필요합니다) / "
    "no permission to listen on port {port} (ports below 1024 need administrator rights)",
}
_BIND_OTHER = "{where}에서 연결을 받을 수 없습니다 / cannot listen on {where}: {reason}"


def _settings() -> Settings:
    try:
        from archive.config import load_settings  # pydantic: only when a server starts

        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(f"설정 오류 / configuration error: {exc}") from exc


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn (a production WSGI server)."""
    problem = _cannot_listen(host, port)
    if problem:
        raise click.ClickException(problem)
    settings = _settings()
    _gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            # A listening socket per worker: the kernel spreads new connections over the
            # workers, where with one shared socket the first worker awake takes a whole
            # burst (a proxy's pool of kept-alive connections) and the others stay idle.
            "reuse_port": True,
            "accesslog": "-",
            "timeout": 60,
            # X-Forwarded-* from the proxies the settings name, and only while a proxy is
            # in front at all (gunicorn otherwise believes 127.0.0.1 by default: a local
            # client could claim HTTPS for itself).
            "forwarded_allow_ips": settings.proxy_addresses if settings.proxy_count else "",
            "logconfig_dict": logging_config(settings.log_format),
        }
    ).run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def run(host: str, port: int) -> None:
    """Start the web server and the ingest worker; Ctrl-C stops both."""
    base = [sys.executable, "-m", "archive.cli"]
    children = [
        subprocess.Popen([*base, "serve", "--host", host, "--port", str(port)]),
        subprocess.Popen([*base, "ingest", "--watch"]),
    ]
    click.echo(f"웹: http://{host}:{port}/  ·  수집함: scans/inbox/ 감시 중 (Ctrl-C로 멈춤)")
    stopping = False

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
    click.echo("멈췄습니다 / stopped")
