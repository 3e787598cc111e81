"""Domain errors; the web, CLI and worker translate them at their edges."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the archive raises on purpose.

    ``code`` says what went wrong in a word the web, CLI and worker map to their own
    answers (an HTTP status, a Korean message); no one reads the message to decide.
    """

    code = "error"


class ConfigError(ArchiveError):
    """A setting is missing or has a value that cannot be used."""

    code = "config"


class StorageError(ArchiveError):
    """A file could not be written, verified or read in storage."""

    code = "storage"


class NotFound(ArchiveError):
    """A record or stored object does not exist."""

    code = "not_found"


class InvalidKey(NotFound, StorageError):
    """A storage key that no object can have (too long, or characters no key holds): a
    lookup finds nothing; a write is refused."""

    code = "not_found"


class InvalidChange(ArchiveError):
    """A requested change is not allowed; code says which rule refused it.

    Codes: unknown_field, invalid_value, identifier_taken, reason_required,
    not_undecided (hold), unknown_queue, invalid_transition.
    """

    def __init__(self, code: str, message: str, korean: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.korean = korean  # a detail to show as it is (a field's limit, say)

    def __reduce__(self) -> tuple[type[InvalidChange], tuple[str, str, str]]:
        return (InvalidChange, (self.code, str(self), self.korean))


# The code of an IngestError that means the storage could not take writes (tried again).
STORAGE_UNAVAILABLE = "storage_unavailable"


class IngestError(ArchiveError):
    """A dropped file cannot become a record; carries a bilingual reason."""

    def __init__(self, code: str, korean: str, english: str, advice: str = "") -> None:
        super().__init__(f"{code}: {english}")
        self.code = code
        self.korean = korean
        self.english = english
        self.advice = advice

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str, str, str]]:
        return (IngestError, (self.code, self.korean, self.english, self.advice))


class IndexUnavailable(ArchiveError):
    """The search index is missing, damaged or of an older layout; a worker rebuilds it."""

    code = "index_unavailable"


class DecoderBusy(ArchiveError):
    """Every decoder process stayed busy for longer than the caller would wait."""

    code = "busy"


class MetadataError(ArchiveError):
    """A sidecar or metadata sheet cannot be read."""

    code = "metadata"
