"""Database models, by subject; import them from here."""

from archive.models.base import PUBLIC_ID_ALPHABET, Base, new_public_id, new_session_token, utcnow
from archive.models.exhibitions import Exhibition, ExhibitionItem
from archive.models.records import (
    Contribution,
    NearDuplicate,
    Photo,
    PhotoFile,
    Submission,
    TechnicalMetadata,
)
from archive.models.search import SearchDocument, SearchState, SearchTerm
from archive.models.system import (
    ArchiveState,
    CannedReason,
    Event,
    IngestClaim,
    Job,
    ReferenceTable,
    User,
)

__all__ = [
    "PUBLIC_ID_ALPHABET",
    "ArchiveState",
    "Base",
    "CannedReason",
    "Contribution",
    "Event",
    "Exhibition",
    "ExhibitionItem",
    "IngestClaim",
    "Job",
    "NearDuplicate",
    "Photo",
    "PhotoFile",
    "ReferenceTable",
    "SearchDocument",
    "SearchState",
    "SearchTerm",
    "Submission",
    "TechnicalMetadata",
    "User",
    "new_public_id",
    "new_session_token",
    "utcnow",
]
