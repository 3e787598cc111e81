"""Tell an error that means "the storage cannot take writes now" from any other, whoever
raised it: the file system (Python's OSError), libvips (its message), Pillow (OSError),
boto3 (S3 throttling or an unavailable service), wrapped or not.

Such a fault is no fault of the file being written: ingest leaves the file in the inbox
and tries it again later with backoff (never in failed/), however long it lasts.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

# Full, over quota, read-only, or failing hardware.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})
# The same, as C libraries write them into their own messages (libvips says "dzsave:
# ... No space left on device").
STORAGE_MESSAGES = tuple(os.strerror(code) for code in sorted(STORAGE_ERRNOS))
# S3 answers that ask the caller to come back later.
S3_BUSY_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "RequestTimeout",
        "InternalError",
    }
)
# botocore's errors for an S3 endpoint that cannot be reached or does not answer in time
# (named, not imported: this module needs no S3 library).
S3_UNREACHABLE = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
)


def storage_fault(exc: BaseException) -> str | None:
    """Return what is wrong with the storage when exc (or what caused it) means the storage
    is full, read-only or unavailable; None for any other error."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
            return os.strerror(error.errno)
        code = _s3_code(error)
        if code is not None:
            return f"S3 {code}"
        if type(error).__name__ in S3_UNREACHABLE:
            return f"S3 {type(error).__name__}"
        text = str(error)
        for message in STORAGE_MESSAGES:
            if message in text:
                return message
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Yield exc and the errors it was raised from or while handling (once each)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _s3_code(error: BaseException) -> str | None:
    """Return the code of an S3 answer that means "busy, try later" (botocore's ClientError
    carries the parsed answer in .response), else None."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in S3_BUSY_CODES or status in (429, 500, 502, 503, 504):
        return code or str(status)
    return None
