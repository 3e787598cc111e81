"""Believe X-Forwarded-* only from the proxies the settings name.

Werkzeug's ProxyFix trusts the forwarded headers of whoever connects; a client that can
reach gunicorn directly (another process on the host, a misconfigured network) could
then claim HTTPS or any address. The headers are read through ProxyFix only when the
connection comes from ARCHIVE_PROXY_ADDRESSES, and dropped otherwise; gunicorn's own
forwarded_allow_ips follows the same setting (archive.cli.serve).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")  # fmt: skip


class TrustedProxies:
    """WSGI middleware: ProxyFix for connections from the named proxies, none for others."""

    def __init__(self, app: Any, count: int, addresses: Iterable[str]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count)
        names = [a.strip() for a in addresses if a.strip()]
        self.anyone = "*" in names
        self.networks = [ipaddress.ip_network(a, strict=False) for a in names if a != "*"]

    def trusted(self, address: str) -> bool:
        """Return whether a connection from address comes from a named proxy."""
        if self.anyone:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusted(str(environ.get("REMOTE_ADDR", ""))):
            return self.fixed(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)
