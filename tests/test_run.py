"""`archive run` (what `make run` starts): web and worker together, both stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

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
