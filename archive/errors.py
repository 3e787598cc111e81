"""Domain errors; the web, CLI and worker translate them at their edges."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the archive raises on purpose."""


class ConfigError(ArchiveError):
    """A setting is missing or has a value that cannot be used."""


class StorageError(ArchiveError):
    """A file could not be written, verified or read in storage."""


class NotFound(ArchiveError):
    """A record or stored object does not exist."""


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


class MetadataError(ArchiveError):
    """A sidecar or metadata sheet cannot be read."""
