"""Services the fault tests start, stop and pause for real: a PostgreSQL cluster of their
own (Debian's binaries, as the postgres user), a Redis of their own, and moto's S3 server
in a process of its own (so that SIGSTOP pauses it like a store that stops answering)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.s3 import FAKE_AWS
from tests.smtp import free_port


def _wait_port(port: int, up: bool, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if (probe.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


class PostgresCluster:
    """A PostgreSQL cluster in a folder of the test's, on its own port, started and stopped
    at will (trust authentication, no password)."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not binaries or os.geteuid() != 0 or shutil.which("runuser") is None:
            pytest.skip("needs Debian's PostgreSQL binaries and root (to run them as postgres)")
        self.bin = Path(binaries[-1])
        # Outside pytest's folders, which only root may enter.
        self.root = Path(tempfile.mkdtemp(prefix="archive-pg-"))
        self.data = self.root / "pgdata"
        self.port = free_port()
        shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the cluster's "archive" database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/archive"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            cwd=self.root,
            timeout=120,
        )

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.root / "server.log"), "-w", "start",
        )  # fmt: skip
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        """Stop the server at once (open connections are cut)."""
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        _wait_port(self.port, up=False)

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        with contextlib.suppress(subprocess.CalledProcessError, AssertionError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def create_database(self) -> None:
        """Create the "archive" database."""
        self._as_postgres(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "archive"
        )


class RedisServer:
    """A Redis of the test's own on a free port, started and stopped at will."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        """Stop it."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
        _wait_port(self.port, up=False)


class MotoServer:
    """moto's S3 server in its own process: paused with SIGSTOP, resumed, or emptied."""

    def __init__(self, moto: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(self.port)],
            env={**os.environ, **FAKE_AWS},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, up=True)

    def pause(self) -> None:
        """Stop answering (connections are still accepted by the kernel, then hang)."""
        os.kill(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Answer again."""
        os.kill(self._process.pid, signal.SIGCONT)

    def empty(self) -> None:
        """Forget every bucket and object, as a store restarted without its data."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def close(self) -> None:
        """End the process."""
        self.resume()
        self._process.terminate()
        self._process.wait(timeout=30)
