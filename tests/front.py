"""nginx in front of the archive, run by the tests and `make bench-web` on this machine from
the repository's own configuration (deploy/nginx/templates/), rendered as the official
nginx image renders it (environment variables only; nginx's own $variables untouched)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from string import Template

import pytest

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "templates"
MIME_TYPES = Path("/etc/nginx/mime.types")


def render(template: Path, variables: dict[str, str]) -> str:
    """Return a template with the given variables substituted (others left as they are)."""
    return Template(template.read_text("utf-8")).safe_substitute(variables)


def main_config(root: Path) -> str:
    """Return the main nginx.conf of a server run from a folder of the test's own."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # it reads the test's private folders
    temps = "\n".join(
        f"    {kind}_temp_path {root / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 2;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 2048; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {root / "access.log"};
{temps}
    include {root / "conf.d"}/*.conf;
}}
"""


class Nginx:
    """An nginx of the test's own, from the repository's configuration."""

    def __init__(self, root: Path, variables: dict[str, str]) -> None:
        if shutil.which("nginx") is None:
            pytest.skip("needs Debian's nginx (make test installs it)")
        self.root = root
        self.port = int(variables["NGINX_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        (root / "conf.d").mkdir(parents=True, exist_ok=True)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (root / "tmp" / kind).mkdir(parents=True, exist_ok=True)
        for template in TEMPLATE.glob("*.template"):
            target = root / "conf.d" / template.name.removesuffix(".template")
            target.write_text(render(template, variables), "utf-8")
        (root / "nginx.conf").write_text(main_config(root), "utf-8")
        self._process: subprocess.Popen[bytes] | None = None

    def check(self) -> subprocess.CompletedProcess[str]:
        """Return what `nginx -t` says of the configuration."""
        return subprocess.run(
            ["nginx", "-t", "-p", str(self.root), "-c", str(self.root / "nginx.conf")],
            capture_output=True,
            text=True,
            check=False,
        )

    def start(self) -> None:
        """Start nginx in the foreground (a child of the test) and wait for its port."""
        with (self.root / "nginx.out").open("ab") as output:
            self._process = subprocess.Popen(
                ["nginx", "-p", str(self.root), "-c", str(self.root / "nginx.conf"), "-g",
                 "daemon off;"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self._process.poll() is not None:
                raise AssertionError((self.root / "nginx.out").read_text("utf-8"))
            time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def stop(self) -> None:
        """Stop nginx (and its workers)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGQUIT)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def access_log(self) -> str:
        """Return nginx's access log so far."""
        path = self.root / "access.log"
        return path.read_text("utf-8") if path.exists() else ""
