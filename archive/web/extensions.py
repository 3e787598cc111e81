"""Flask extensions, created unbound and bound to the app in create_app."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from archive.config import Settings
from archive.operations.checks import RATE_LIMIT_OPTIONS
from archive.web.proxies import TrustedProxies

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


class ArchiveSessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions that are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return whether the session cookie gets the Secure flag."""
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)


def load_secret_key(settings: Settings) -> str:
    """Return the configured key, or one kept (created once, mode 0600) in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def init_extensions(app: Flask, settings: Settings, flask_config: dict[str, Any]) -> None:
    """Configure cookies, CSRF, sign-in and rate limits from the settings (flask_config wins)."""
    defaults: dict[str, Any] = {
        "SECRET_KEY": load_secret_key(settings),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": bool(settings.secure_cookies),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.staff_session_hours),
        "MAX_CONTENT_LENGTH": settings.upload_max_request_mb * 1024 * 1024,
        "UPLOAD_MAX_FILE_MB": settings.upload_max_file_mb,
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,  # older visitors may take a while over the form
        "RATELIMIT_STORAGE_URI": settings.rate_limit_storage,
        # A shared store (Redis) that is down fails open: limits are counted in this
        # process's memory (a warning is logged once) until it answers again; health
        # and `archive check` report it. The store's client never waits long.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": (
            {} if settings.rate_limit_storage.startswith("memory") else RATE_LIMIT_OPTIONS
        ),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Flask-Limiter would put its window's reset in Retry-After on every answer of a
        # limited page; Retry-After is set where it is meant (429, 503) instead.
        "RATELIMIT_HEADER_RETRY_AFTER": "X-RateLimit-Retry-After",
    }
    app.config.update({**defaults, **flask_config})
    app.session_interface = ArchiveSessionInterface()
    if settings.proxy_count:
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, settings.proxy_count, settings.proxy_addresses.split(",")
        )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "직원 로그인이 필요합니다."
    login_manager.session_protection = "basic"
    limiter.init_app(app)
