"""Tell failures that retrying will not cure from passing ones, in the operator's words."""

from __future__ import annotations

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
    StatementError,
)

from archive.errors import ArchiveError, IngestError, StorageError
from archive.fields import FieldError

# Database errors about the data itself: the same file fails the same way every time.
PERMANENT_DATABASE_ERRORS = (DataError, IntegrityError, ProgrammingError)


def classify(exc: Exception) -> IngestError | None:
    """Return the failure for an error retrying will not cure, or None for a passing one.

    Storage and connection problems pass (the file is tried again later); values the
    database refuses, and domain errors about the file itself, do not.
    """
    if isinstance(exc, IngestError):
        return exc
    if isinstance(exc, FieldError):
        return IngestError(
            "metadata",
            f"설명 정보를 기록할 수 없습니다: {exc.korean}",
            f"the descriptive metadata cannot be recorded: {exc.english}",
            "설명 파일이나 목록 시트를 고친 뒤 이미지와 함께 다시 넣어 주세요.",
        )
    if isinstance(exc, StorageError | OSError | OperationalError | InterfaceError):
        return None
    # A StatementError that is not the driver's own wraps a value the driver would not
    # even send (a NUL character for PostgreSQL, say): permanent as well.
    if isinstance(exc, PERMANENT_DATABASE_ERRORS) or (
        isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)
    ):
        return _refused(exc)
    if isinstance(exc, SQLAlchemyError):
        return None
    if isinstance(exc, ArchiveError):
        return internal_error(exc)
    return None


def _refused(exc: SQLAlchemyError) -> IngestError:
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
    return IngestError(
        "database_refused",
        f"데이터베이스가 이 파일의 정보를 받아들이지 않습니다: {detail}",
        f"the database refuses this file's record: {detail}",
        "설명 파일이나 목록 시트의 값을 확인하고, 계속되면 관리자에게 알려 주세요.",
    )


def internal_error(exc: BaseException) -> IngestError:
    """Return the failure of a file on which the archive's own code failed unexpectedly."""
    return IngestError(
        "internal",
        f"처리 중 예기치 않은 오류가 났습니다: {type(exc).__name__}",
        f"unexpected error while processing: {type(exc).__name__}: {exc}"[:300],
        "관리자에게 이 파일과 함께 알려 주세요. 고친 뒤 다시 넣으면 됩니다.",
    )


def retry_limit_error(attempts: int, reason: Exception) -> IngestError:
    """Return the failure of a file that kept failing for a passing reason."""
    detail = str(reason).splitlines()[0][:200] if str(reason) else type(reason).__name__
    return IngestError(
        "retries_exhausted",
        f"{attempts}번 시도했지만 저장하지 못했습니다: {detail}",
        f"tried {attempts} times without success: {detail}",
        "저장소와 데이터베이스 상태를 확인한 뒤 파일을 다시 넣어 주세요.",
    )
