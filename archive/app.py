"""The web application, composed: the web kit (archive/web) with every feature's blueprints
(archive/features). `create_app()` is what gunicorn, `archive serve` and the tests run."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from archive.config import load_settings
from archive.fields import PUBLIC
from archive.renditions import long_side
from archive.runtime import Runtime, build_runtime
from archive.statuses import (
    ContributionState,
    ExhibitionStatus,
    RecordStatus,
    SubmissionKind,
    SubmissionState,
    state_label,
)
from archive.storage import web_caller
from archive.web import get_runtime, kst, rfc3339

ERROR_TEXT = {
    400: ("잘못된 요청입니다", "주소나 입력한 값을 확인해 주세요."),
    403: ("볼 수 있는 권한이 없습니다", "이 화면은 권한이 있는 직원만 볼 수 있습니다."),
    404: ("찾는 페이지가 없습니다", "사진이 비공개로 바뀌었거나 주소가 바뀌었을 수 있습니다."),
    405: ("허용되지 않은 요청입니다", "다른 방법으로 다시 시도해 주세요."),
    413: (
        "보낸 내용이 너무 큽니다",
        "한 번에 보낼 수 있는 크기는 모두 합쳐 {request_mb}MB, 사진 한 장은 {file_mb}MB까지입니다. "
        "사진 수를 줄이거나 크기를 줄여 다시 보내 주세요.",
    ),
    429: ("요청이 너무 많습니다", "잠시 뒤에 다시 시도해 주세요."),
    500: ("일시적인 오류가 났습니다", "잠시 뒤에 다시 시도해 주세요."),
    503: (
        "잠시 후 다시 시도해 주세요",
        "지금 요청이 많아 처리하지 못했습니다. 잠시 뒤에 다시 보내 주세요.",
    ),
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app: settings from ARCHIVE_* variables, or overrides from test_config."""
    from archive.web.static_files import ArchiveFlask

    app = ArchiveFlask("archive.web")  # the kit's templates and static files
    overrides = dict(test_config or {})
    flask_config = overrides.pop("FLASK", {})
    settings = load_settings(**overrides)
    # Requests for any other host are refused (400), so no page is built for evil.example.
    app.config.update(JSON_AS_ASCII=False, TRUSTED_HOSTS=settings.host_names, **flask_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["archive"] = build_runtime(settings, web_caller(settings))

    from flask_wtf.csrf import CSRFError

    from archive.features import all_blueprints
    from archive.features.contributions.uploads import clean_upload_temp
    from archive.logs import install_secret_paths
    from archive.web.cards import alt_text
    from archive.web.errors import init_error_handlers, init_outage_handlers
    from archive.web.extensions import init_extensions
    from archive.web.labels import (
        era_label,
        event_label,
        field_label,
        object_particle,
        page_numbers,
    )
    from archive.web.reading import init_reading
    from archive.web.routing import init_route_policies, secret_patterns
    from archive.web.security import init_input_guard, init_security_headers
    from archive.web.urls import absolute, absolute_url, with_query

    init_reading(app)  # first: every hook of a GET reads in the request's one transaction
    init_extensions(app, settings, flask_config)
    init_security_headers(app, settings)
    init_error_handlers(app)
    init_outage_handlers(app)
    init_input_guard(app)
    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)
    init_route_policies(app)
    install_secret_paths(secret_patterns(app))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _unknown_host)
    app.before_request(_follow_tables)
    clean_upload_temp(settings.work_dir)
    app.jinja_env.globals.update(
        alt_text=alt_text,
        absolute=absolute,
        absolute_url=absolute_url,
        with_query=with_query,
        RecordStatus=RecordStatus,
        ExhibitionStatus=ExhibitionStatus,
        public_fields=PUBLIC,
        ContributionState=ContributionState,
        SubmissionState=SubmissionState,
        SubmissionKind=SubmissionKind,
        state_label=state_label,
        rendition_side=_rendition_side,
    )
    app.jinja_env.globals["office"] = {
        "name": settings.office_name,
        "phone": settings.office_phone,
        "hours": settings.office_hours,
    }
    app.jinja_env.filters["event_label"] = event_label
    app.jinja_env.filters["era_label"] = era_label
    app.jinja_env.globals["page_numbers"] = page_numbers
    app.jinja_env.filters["field_label"] = field_label
    app.jinja_env.filters["object_particle"] = object_particle
    app.jinja_env.filters["rfc3339"] = rfc3339
    app.jinja_env.filters["kst"] = kst
    app.register_error_handler(HTTPException, _http_error)
    from archive.web.caching import init_http_caching
    from archive.web.static_files import init_static_versions

    init_http_caching(app)
    init_static_versions(app)
    return app


def compile_templates(app: Flask) -> None:
    """Compile every template now, before the web server forks, so that its workers share
    the compiled code instead of each compiling its own on first use (about 3 MB a
    worker with the templates of today)."""
    for name in app.jinja_env.list_templates(extensions=("html", "xml", "atom")):
        app.jinja_env.get_template(name)


# How often a web process looks whether admins changed the reference tables (seconds).
TABLES_CHECK_SECONDS = 10.0


def _follow_tables() -> None:
    get_runtime().refresh_tables(max_age=TABLES_CHECK_SECONDS)


def _http_error(error: HTTPException) -> Any:
    if error.response is not None:
        return error.response  # made for this refusal (a sign-in limit says how long)
    code = error.code or 500
    if request.path.startswith("/api/"):
        return {"error": error.name, "status": code}, code
    heading, message = ERROR_TEXT.get(code, (error.name, error.description or ""))
    if code == 413:
        settings = get_runtime().settings
        message = message.format(
            request_mb=settings.upload_max_request_mb, file_mb=settings.upload_max_file_mb
        )
    headers = {"Retry-After": _limit_reset()} if code == 429 else {}
    return render_template("error.html", heading=heading, message=message), code, headers


def _limit_reset() -> str:
    """Return the seconds until the exceeded rate limit's window ends."""
    from archive.web.extensions import limiter

    current = limiter.current_limit
    return str(max(1, int(current.reset_at - time.time()))) if current else "60"


UNKNOWN_HOST_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>잘못된 주소입니다</title></head>
<body><h1>잘못된 주소입니다</h1>
<p>이 서비스는 나주시가 정한 주소로만 열립니다. 주소를 확인해 주세요.</p>
<p lang="en">This service answers only at its configured address.</p></body></html>
"""


def _rendition_side(name: str) -> int:
    """Return a rendition's declared long side under the running settings."""
    runtime: Runtime = current_app.extensions["archive"]
    return long_side(runtime.settings, name)


def _unknown_host(_error: SecurityError) -> Any:
    """Refuse a request for a host the service does not serve (no page is built for it)."""
    current_app.logger.warning(
        "refused a request for host %r; set ARCHIVE_PUBLIC_URL or ARCHIVE_TRUSTED_HOSTS",
        request.environ.get("HTTP_HOST", "")[:200],
    )
    return UNKNOWN_HOST_PAGE, 400, {"Content-Type": "text/html; charset=utf-8"}


def _csrf_error(error: HTTPException) -> Any:
    message = "보안 확인 값이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 보내 주세요."
    return render_template("error.html", heading="다시 보내 주세요", message=message), 400
