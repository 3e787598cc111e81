"""`archive serve` (gunicorn) and `archive run` (web and ingest worker together)."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from typing import Any

import click

from archive.logs import logging_config


def _gunicorn(options: dict[str, Any]) -> Any:
    """Return gunicorn running the app factory with options given in code.

    The app is built once in the master (preload) and the Korean model loaded there, so
    the workers share its read-only memory instead of each loading its own copy (about
    400 MB); each worker then opens its own database connections.
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
            from archive.web import create_app

            app = create_app()
            app.extensions["archive"].share_before_fork()
            # Keep the collector off what was loaded so far: scanning it in every worker
            # would slow each request and copy the shared pages it touches.
            gc.collect()
            gc.freeze()
            loaded.append(app)
            return app

    return Gunicorn()


def _after_fork(loaded: list[Any]) -> None:
    """Drop the master's pooled connections in a new worker (never shared across forks)."""
    for app in loaded:
        app.extensions["archive"].after_fork()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn (a production WSGI server)."""
    _gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 60,
            "logconfig_dict": logging_config(os.environ.get("ARCHIVE_LOG_FORMAT", "text")),
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
