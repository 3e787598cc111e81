"""The PostgreSQL search backend's table: one analysed document per record.

Written in the same transaction as the record it describes (archive.search.postgres), so
search never lags behind a change. On SQLite the table exists with plain types and stays
empty: the embedded deployment searches with Whoosh's files instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from archive.models.base import Base

TERMS = TSVECTOR().with_variant(Text(), "sqlite")
NAMES = ARRAY(Text()).with_variant(JSON(), "sqlite")
NUMBERS = ARRAY(Integer()).with_variant(JSON(), "sqlite")
STORED = JSONB().with_variant(JSON(), "sqlite")


class SearchDocument(Base):
    """A record's search document: weighted terms, filters, lengths and what hits show."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_terms", "terms", postgresql_using="gin"),
        Index("ix_search_documents_places", "places", postgresql_using="gin"),
        Index("ix_search_documents_status_years", "status", "year_start", "year_end"),
    )

    public_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Order of writing (a rewritten record comes last): breaks ties as Whoosh's numbers do.
    seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    year_start: Mapped[int] = mapped_column(Integer)
    year_end: Mapped[int] = mapped_column(Integer)
    precision: Mapped[int] = mapped_column(Integer)
    places: Mapped[list[str]] = mapped_column(NAMES)
    # Terms per text field of archive.search.documents, in TEXT_FIELDS order (BM25).
    lengths: Mapped[list[int]] = mapped_column(NUMBERS)
    terms: Mapped[str] = mapped_column(TERMS)
    stored: Mapped[dict[str, Any]] = mapped_column(STORED)


class SearchState(Base):
    """The search table's layout version and generation (advanced by every change), and
    the generation search_terms was counted at."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), default="")
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    counted: Mapped[int] = mapped_column(BigInteger, default=0)
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # BM25's collection statistics when counted: records, mean terms per text field.
    described: Mapped[dict[str, Any]] = mapped_column(STORED, default=dict)


class SearchTerm(Base):
    """How many records hold a term, in all and per text field (BM25's document
    frequencies and the speller's words), counted now and then by the index writer."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list[int]] = mapped_column(NUMBERS)
