"""Photo records, their files, technical metadata and near-duplicate flags, and what
citizens send about them: photos (contributions), and memories, suggestions and requests.
One module, since a record and its contribution refer to each other."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, new_public_id, utcnow
from archive.statuses import FileRole, RecordStatus, Source, SubmissionState


class Photo(Base):
    """One catalogue record: a photograph with its description."""

    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_status_published_at", "status", "published_at"),
        # OAI-PMH lists records by datestamp (updated_at), then id.
        Index("ix_photos_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    identifier: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    date_text: Mapped[str] = mapped_column(String(200), default="")
    # Derived from date_text by archive.dates at ingest and on every edit.
    date_start: Mapped[int | None] = mapped_column(Integer, index=True)
    date_end: Mapped[int | None] = mapped_column(Integer, index=True)
    date_precision: Mapped[str] = mapped_column(String(16), default="unknown")
    date_edtf: Mapped[str | None] = mapped_column(String(40))
    place_text: Mapped[str] = mapped_column(String(200), default="")
    # Gazetteer entries matched in place_text (canonical names).
    places: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    rights: Mapped[str] = mapped_column(String(100), default="")
    credit: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(16), default=Source.SCAN)
    status: Mapped[str] = mapped_column(String(16), default=RecordStatus.DRAFT, index=True)
    phash: Mapped[str | None] = mapped_column(String(16))
    # Who is in the photo, as the contributor or cataloguer wrote it.
    people: Mapped[str] = mapped_column(Text, default="")
    # A moderator put the record aside to decide later.
    held: Mapped[bool] = mapped_column(default=False)
    # Why a record was rejected or withdrawn; shown politely to its contributor.
    decision_note: Mapped[str] = mapped_column(Text, default="")
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # How many times the record was published: public file names carry it, so files
    # published again after a withdrawal get new URLs.
    publication: Mapped[int] = mapped_column(Integer, default=0)
    # Approved memories, kept here for cards, the API and search (see archive/features/voices).
    memory_count: Mapped[int] = mapped_column(Integer, default=0)
    memories_text: Mapped[str] = mapped_column(Text, default="")
    # What an erased record's OAI-PMH sets were made of (places, years), kept when its
    # description is emptied so that harvesters of a set learn of the deletion.
    former_sets: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    files: Mapped[list[PhotoFile]] = relationship(
        back_populates="photo", cascade="all, delete-orphan", order_by="PhotoFile.id"
    )
    contribution: Mapped[Contribution | None] = relationship(back_populates="photos")

    def master(self) -> PhotoFile | None:
        """Return the master file of the record."""
        return next((f for f in self.files if f.role == FileRole.MASTER), None)

    def derivative(self, variant: str, of: PhotoFile | None = None) -> PhotoFile | None:
        """Return a derivative of the master (or of another file) by variant."""
        source = of or self.master()
        return next(
            (
                f
                for f in self.files
                if f.role == FileRole.DERIVATIVE
                and f.variant == variant
                and source is not None
                and f.derived_from_id == source.id
                and f.page == 0
            ),
            None,
        )


class PhotoFile(Base):
    """A stored file of a record: master, back side, alternate or derivative."""

    __tablename__ = "photo_files"
    __table_args__ = (Index("ix_photo_files_sha256", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    variant: Mapped[str | None] = mapped_column(String(16))
    page: Mapped[int] = mapped_column(Integer, default=0)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("photo_files.id", ondelete="CASCADE"), index=True
    )
    backend: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    original_name: Mapped[str | None] = mapped_column(String(400))
    source_path: Mapped[str | None] = mapped_column(String(1000), index=True)
    # Drop-folder path without extension or _a/_b suffix: ties back sides to their front.
    source_stem: Mapped[str | None] = mapped_column(String(1000), index=True)
    # The copy of a derivative in the public prefix, while its record is published.
    public_key: Mapped[str | None] = mapped_column(String(400), index=True)
    # Of a derivative: the rendition declaration it was made by (see archive.renditions).
    spec: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    photo: Mapped[Photo] = relationship(back_populates="files")
    technical: Mapped[TechnicalMetadata | None] = relationship(
        back_populates="file", cascade="all, delete-orphan", uselist=False
    )


class TechnicalMetadata(Base):
    """Technical metadata read from a master, back side or alternate."""

    __tablename__ = "technical_metadata"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("photo_files.id", ondelete="CASCADE"), unique=True
    )
    make: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    software: Mapped[str | None] = mapped_column(String(200))
    dpi_x: Mapped[float | None]
    dpi_y: Mapped[float | None]
    bit_depth: Mapped[int | None]
    colour_mode: Mapped[str | None] = mapped_column(String(16))
    icc_profile: Mapped[str | None] = mapped_column(String(200))
    orientation: Mapped[int | None]
    compression: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer, default=1)
    scanned_at: Mapped[str | None] = mapped_column(String(32))
    has_gps: Mapped[bool] = mapped_column(default=False)
    exif: Mapped[dict[str, Any]] = mapped_column(default=dict)

    file: Mapped[PhotoFile] = relationship(back_populates="technical")


class NearDuplicate(Base):
    """A flag that two records look alike (perceptual hashes close)."""

    __tablename__ = "near_duplicates"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    distance: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Contribution(Base):
    """One sending of the contribution form: the contributor and their consent.

    Name and contact are personal data: only moderator pages show them, and
    `archive purge-personal-data` erases them after the retention period.
    """

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Number the contributor quotes when they call the office.
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    # SHA-256 of the secret in the contributor's private status link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    rights: Mapped[str] = mapped_column(String(100))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the last of its photos was decided (published or rejected).
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    photos: Mapped[list[Photo]] = relationship(back_populates="contribution", order_by="Photo.id")
    # Requests to erase one of these photos, sent from the contributor's status link.
    withdrawals: Mapped[list[Submission]] = relationship(order_by="Submission.id", viewonly=True)


class Submission(Base):
    """A memory, a suggestion or a request a visitor sent about one photo.

    Name and contact are personal data: only moderator pages show them, and the
    retention purge erases them once the item has been decided long enough ago.
    """

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_queue", "kind", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.PENDING)
    receipt: Mapped[str] = mapped_column(String(24), unique=True)
    # SHA-256 of the secret in the sender's private status link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    # A contributor withdrawing consent from their status link.
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL")
    )
    # The memory, the suggested value, or the request's details.
    body: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str] = mapped_column(String(32), default="")  # of a suggestion
    relation: Mapped[str] = mapped_column(String(200), default="")  # of a memory
    source_note: Mapped[str] = mapped_column(String(200), default="")  # of a suggestion
    reason: Mapped[str] = mapped_column(String(16), default="")  # of a request
    name: Mapped[str] = mapped_column(String(100), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str] = mapped_column(String(200), default="")
    notify: Mapped[bool] = mapped_column(default=False)  # agreed to be told by e-mail
    # Same kind, photo, field and text: the same thing sent twice.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Notes for the moderator, e.g. "date_unreadable".
    flags: Mapped[list[str]] = mapped_column(default=list)
    applied: Mapped[str] = mapped_column(Text, default="")  # the value a suggestion became
    resolution: Mapped[str] = mapped_column(String(16), default="")  # of a granted request
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_action_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    photo: Mapped[Photo] = relationship()
