"""Exhibitions (전시): themed, ordered selections of published photos that staff curate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.models.base import Base, utcnow
from archive.statuses import ExhibitionStatus


class Exhibition(Base):
    """A themed exhibition: a title, an introduction, a cover and an ordered list of photos."""

    __tablename__ = "exhibitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address part (/exhibitions/<slug>): short ASCII, chosen by staff, stable once published.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    cover_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=ExhibitionStatus.DRAFT, index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    items: Mapped[list[ExhibitionItem]] = relationship(
        back_populates="exhibition",
        order_by="ExhibitionItem.position",
        cascade="all, delete-orphan",
    )


class ExhibitionItem(Base):
    """One photo in an exhibition, at its place in the order, with the curator's caption."""

    __tablename__ = "exhibition_items"
    __table_args__ = (UniqueConstraint("exhibition_id", "photo_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(
        ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True
    )
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(Text, default="")

    exhibition: Mapped[Exhibition] = relationship(back_populates="items")
