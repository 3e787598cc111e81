"""Domain errors as visitors and staff see them: one table from error code to answer.

Services raise ArchiveError subclasses with a machine-readable ``code``; nothing here
reads an error's message to decide what to say.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from archive.errors import ArchiveError
from archive.logs import OutageLog
from archive.web.extensions import login_manager

# code: (HTTP status, what staff or visitors are told in Korean)
ANSWERS: dict[str, tuple[int, str]] = {
    "not_found": (404, "찾는 기록이 없습니다."),
    "reason_required": (
        422,
        "사유를 적어 주세요. 반려 사유는 기증자에게 정중한 문장으로 전해집니다.",
    ),
    "identifier_taken": (409, "이 관리번호는 이미 다른 사진에 쓰였습니다."),
    "invalid_transition": (
        409,
        "지금 상태에서는 할 수 없는 처리입니다. 화면을 새로 고쳐 확인해 주세요.",
    ),
    "not_undecided": (409, "검토 대기 중인 기록만 보류할 수 있습니다."),
    "invalid_value": (422, "입력한 값을 저장할 수 없습니다."),
    "unknown_field": (400, "고칠 수 없는 항목입니다."),
    "unknown_queue": (400, "없는 대기열입니다."),
    "storage": (503, "저장소 문제로 처리하지 못했습니다. 잠시 뒤 다시 해 주세요."),
    "storage_unavailable": (
        503,
        "사진 저장소가 잠시 응답하지 않습니다. 조금 뒤에 다시 시도해 주세요.",
    ),
    "config": (500, "설정 문제로 처리하지 못했습니다. 관리자에게 알려 주세요."),
    "index_unavailable": (503, "검색 준비 중입니다. 잠시 뒤 다시 찾아 주세요."),
    "busy": (503, "지금 요청이 많아 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."),
    "empty_text": (422, "내용을 적어 주세요."),
    "too_long": (422, "내용이 너무 깁니다. 줄여서 다시 보내 주세요."),
    "links_only": (
        422,
        "링크만으로는 보낼 수 없습니다. 사진에 얽힌 기억이나 알고 계신 내용을 글로 적어 주세요.",
    ),
    "contact_required": (422, "답변드릴 연락처(이메일 또는 전화번호)를 적어 주세요."),
    "invalid_contact": (
        422,
        "연락처는 이메일 주소나 전화번호로 적어 주세요. 예: 010-1234-5678, kim@example.kr",
    ),
    "duplicate": (
        409,
        "같은 내용이 이미 접수되었습니다. "
        "처음 보내신 뒤 받은 접수 번호로 처리 결과를 확인해 주세요.",
    ),
    "already_decided": (409, "이미 처리된 건입니다. 화면을 새로 고쳐 확인해 주세요."),
    "mail": (503, "메일을 보내지 못했습니다. 잠시 뒤 다시 보냅니다."),
}
DEFAULT = (500, "처리하지 못했습니다. 잠시 뒤 다시 해 주세요.")
# Errors that mean the database cannot be reached now (down, restarting, out of
# connections): every route answers 503 with Retry-After, and the page says so without
# asking the database anything.
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_RETRY_SECONDS = 30
DATABASE = OutageLog(logging.getLogger("archive.web"), "the database")


def answer(exc: ArchiveError) -> tuple[int, str]:
    """Return the HTTP status and Korean message for a domain error."""
    status, message = ANSWERS.get(exc.code, DEFAULT)
    detail = getattr(exc, "korean", "")
    return status, f"{message} ({detail})" if detail else message


def refusal(exc: ArchiveError) -> str:
    """Return the Korean sentence a refused action shows (a flash on the same page)."""
    return answer(exc)[1]


def init_error_handlers(app: Flask) -> None:
    """Answer a domain error that reaches the edge with its page (or JSON under /api)."""

    @app.errorhandler(ArchiveError)
    def domain_error(exc: ArchiveError) -> Any:
        status, message = answer(exc)
        wait = getattr(exc, "retry_after", 30)
        headers = {"Retry-After": str(wait)} if status == 503 else {}
        if request.path.startswith("/api/"):
            return {"error": exc.code, "message": message, "status": status}, status, headers
        page = render_template("error.html", heading=message, message="")
        return page, status, headers


def init_outage_handlers(app: Flask) -> None:
    """Answer 503 with Retry-After on every route while the database cannot be reached."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unreachable(exc: Exception) -> Any:
        DATABASE.failed(exc)
        # Flask-Login's template context loads the signed-in user from the database: the
        # page is made for an anonymous visitor instead (staff included).
        g._login_user = login_manager.anonymous_user()
        headers = {"Retry-After": str(DATABASE_RETRY_SECONDS), "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            message = "잠시 후 다시 시도해 주세요 / the database is not answering"
            return {"error": "unavailable", "message": message, "status": 503}, 503, headers
        minutes = max(1, DATABASE_RETRY_SECONDS // 60)
        return render_template("unavailable.html", retry_minutes=minutes), 503, headers

    @app.after_request
    def database_answered(response: Any) -> Any:
        if DATABASE.failing and response.status_code < 500:
            DATABASE.recovered()
        return response
