"""`archive serve` (gunicorn) and `archive run` (web and ingest worker together)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import click

from archive.logs import logging_config


def _gunicorn(options: dict[str, Any]) -> Any:
    """Return gunicorn running the app factory with options given in code."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from archive.web import create_app

            return create_app()

    return Gunicorn()


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
