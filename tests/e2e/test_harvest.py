"""A real OAI-PMH client (Sickle, from PyPI) harvests the running server: a full harvest,
an incremental one after edits, a withdrawal and a publication, and a harvest across
resumption pages while records are being published and edited."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sickle import Sickle
from sqlalchemy import select

from archive.config import load_settings
from archive.features.catalogue.edits import set_status, update_photo
from archive.features.catalogue.review import withdraw_photo
from archive.models import Photo
from archive.records.photos import create_photo
from archive.runtime import Runtime, build_runtime
from archive.statuses import RecordStatus
from tests.e2e.conftest import running_archive

REPOSITORY = "oai:oldphoto.naju.go.kr:"
PAGE = 5


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    """Run the archive with small OAI pages; yield its /oai URL and a runtime on the same
    database (the city office's side: staff edit and publish while portals harvest)."""
    root: Path = tmp_path_factory.mktemp("harvest")
    with running_archive(root, oai_page_size=str(PAGE)) as (base, env):
        runtime = build_runtime(load_settings(env))
        yield f"{base}/oai", runtime
        runtime.close()


def repository(runtime: Runtime) -> tuple[set[str], set[str]]:
    """Return the identifiers of published records and of withdrawn ones."""
    with runtime.db.session() as session:
        rows = session.execute(select(Photo.public_id, Photo.status)).all()
    ids = {
        status: {REPOSITORY + i for i, s in rows if s == status} for status in {s for _i, s in rows}
    }
    return ids.get(RecordStatus.PUBLISHED, set()), ids.get(RecordStatus.WITHDRAWN, set())


def records(url: str, **params: Any) -> list[Any]:
    """Harvest ListRecords (deleted records included) with Sickle."""
    client = Sickle(url, max_retries=0)
    return list(client.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **params))


def publish_new(runtime: Runtime, title: str) -> str:
    with runtime.db.session() as session:
        photo = create_photo(
            session,
            {"title": title, "date": "1970년대", "place": "영산포", "status": "published"},
            source="scan",
            gazetteer=runtime.gazetteer,
        )
        return REPOSITORY + photo.public_id


def change(runtime: Runtime, identifier: str, action: str) -> None:
    with runtime.db.session() as session:
        public_id = identifier.removeprefix(REPOSITORY)
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        if action == "edit":
            changes = {"description": f"{photo.description} (고침)"}
            update_photo(session, photo, changes, actor="kim", gazetteer=runtime.gazetteer)
        elif action == "withdraw":
            withdraw_photo(session, runtime.storages, photo, actor="kim", reason="본인 요청")
        else:
            set_status(
                session, photo, RecordStatus.PUBLISHED, actor="kim", storages=runtime.storages
            )


def next_second() -> str:
    """Wait into the next second; return it as an OAI datestamp (from is inclusive)."""
    time.sleep(1.05 - datetime.now(UTC).microsecond / 1e6)
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_full_and_incremental_harvests(archive: tuple[str, Runtime]) -> None:
    url, runtime = archive
    published, withdrawn = repository(runtime)
    full = records(url)
    identifiers = [r.header.identifier for r in full]
    assert len(identifiers) == len(set(identifiers)) and len(identifiers) > 3 * PAGE
    assert set(identifiers) == published | withdrawn
    assert {r.header.identifier for r in full if r.header.deleted} == withdrawn
    sample = next(r for r in full if not r.header.deleted)
    assert sample.metadata["title"] and any(
        i.startswith("http://127.0.0.1:") and "/photos/" in i for i in sample.metadata["identifier"]
    )
    since = next_second()
    edited, gone = sorted(published)[:2]
    change(runtime, edited, "edit")
    change(runtime, gone, "withdraw")
    with runtime.db.session() as session:
        draft = session.scalar(select(Photo.public_id).where(Photo.status == RecordStatus.DRAFT))
    assert draft
    change(runtime, REPOSITORY + draft, "publish")
    changes = records(url, **{"from": since})
    assert {r.header.identifier for r in changes} == {edited, gone, REPOSITORY + draft}
    assert {r.header.identifier for r in changes if r.header.deleted} == {gone}
    [after] = [r for r in changes if r.header.identifier == edited]
    assert after.metadata["description"][0].endswith("(고침)")


def test_a_harvest_while_publishing_loses_and_repeats_nothing(
    archive: tuple[str, Runtime],
) -> None:
    url, runtime = archive
    published, withdrawn = repository(runtime)
    start = next_second()
    seen: list[str] = []
    added: list[str] = []
    for n, record in enumerate(
        Sickle(url).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    ):
        seen.append(record.header.identifier)
        if n % PAGE == 0:  # while each page is read: publish one record and edit an old one
            added.append(publish_new(runtime, f"수확 중에 공개된 사진 {n}"))
            change(runtime, seen[0], "edit")
    assert len(seen) == len(set(seen))
    assert not set(added) & set(seen)  # published after the harvest began: the next one
    assert set(seen) <= published | withdrawn
    following = {r.header.identifier for r in records(url, **{"from": start})}
    assert set(added) | {seen[0]} <= following
    assert set(seen) | following == published | withdrawn | set(added)
