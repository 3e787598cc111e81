"""Re-make derivatives whose declaration or size setting changed, from the originals.

A derivative row records the spec it was made by; a record whose originals lack a
derivative of a declared kind, or have one of another spec, is re-made: its originals
are decoded again in the decoder processes and the new files replace the old ones, one
record per transaction. A killed run loses nothing, and the next one goes on where it
stopped, since finished records have the current spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive.errors import ArchiveError, IngestError
from archive.imaging.analyse import AnalyseOptions, Analysis
from archive.imaging.pool import DecoderPool
from archive.models import Photo, PhotoFile
from archive.records.renditions import replace_renditions
from archive.renditions import Planned, plan
from archive.runtime import Runtime
from archive.statuses import ORIGINAL_ROLES, FileRole, Source


@dataclass
class Regenerated:
    """What happened to one record."""

    public_id: str
    replaced: int
    failed: str = ""


def kinds_for(runtime: Runtime, names: tuple[str, ...] | None) -> dict[bool, tuple[Planned, ...]]:
    """Return the kinds to make for scans (False) and contributed photos (True)."""
    s = runtime.settings
    return {contributed: plan(s, names, contributed=contributed) for contributed in (False, True)}


def outdated(runtime: Runtime, names: tuple[str, ...] | None = None) -> list[int]:
    """Return the ids of records with a missing or out-of-date derivative of these kinds."""
    with runtime.db.session() as session:
        rows = session.execute(
            select(
                PhotoFile.photo_id,
                PhotoFile.id,
                PhotoFile.role,
                PhotoFile.derived_from_id,
                PhotoFile.variant,
                PhotoFile.page,
                PhotoFile.spec,
                Photo.source,
            ).join(Photo)
        ).all()
    specs = {
        contributed: {kind.name: kind.spec for kind in kinds}
        for contributed, kinds in kinds_for(runtime, names).items()
    }
    current = {
        (r.derived_from_id, r.variant)
        for r in rows
        if r.role == FileRole.DERIVATIVE
        and r.page == 0
        and specs[r.source == Source.CONTRIBUTION].get(r.variant) == r.spec
    }
    return sorted(
        {
            r.photo_id
            for r in rows
            if r.role in ORIGINAL_ROLES
            and any((r.id, name) not in current for name in specs[r.source == Source.CONTRIBUTION])
        }
    )


class Regenerator:
    """Decode originals again and replace their derivatives, a record at a time."""

    def __init__(self, runtime: Runtime, names: tuple[str, ...] | None = None) -> None:
        self.runtime = runtime
        self.names = names
        self.kinds = kinds_for(runtime, names)
        self._pools: dict[bool, DecoderPool] = {}

    def _pool(self, contributed: bool) -> DecoderPool:
        """Return the decoder process for scans or for contributed photos (their caps differ)."""
        if contributed not in self._pools:
            s = self.runtime.settings
            options = AnalyseOptions(
                s.max_pixels,
                self.kinds[contributed],
                s.max_pages,
                max_decoded_mb=s.max_decoded_mb,
                work_dir=s.work_dir,
            )
            self._pools[contributed] = DecoderPool(
                1, options, timeout=s.task_timeout, memory_mb=s.worker_memory_mb
            )
        return self._pools[contributed]

    def close(self) -> None:
        """Stop the decoder processes."""
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def run(self, on_record: Callable[[Regenerated], None]) -> None:
        """Re-make every out-of-date record, reporting each."""
        for photo_id in outdated(self.runtime, self.names):
            on_record(self.redo(photo_id))

    def redo(self, photo_id: int) -> Regenerated:
        """Re-make one record's derivatives (a failed original fails only this record)."""
        with self.runtime.db.session() as session:
            photo = session.get(Photo, photo_id)
            assert photo is not None
            public_id = photo.public_id
            contributed = photo.source == Source.CONTRIBUTION
            originals = [(f.id, f.backend, f.key) for f in photo.files if f.role in ORIGINAL_ROLES]
        made: dict[int, Analysis] = {}
        try:
            for file_id, backend, key in originals:
                made[file_id] = self._analyse(backend, key, contributed)
            return Regenerated(public_id, self._replace(photo_id, made))
        except (IngestError, ArchiveError, OSError) as exc:
            return Regenerated(public_id, 0, str(exc)[:300])
        finally:
            for analysis in made.values():
                analysis.discard()

    def _replace(self, photo_id: int, made: dict[int, Analysis]) -> int:
        with self.runtime.db.session() as session:
            photo = session.scalars(
                select(Photo).options(selectinload(Photo.files)).where(Photo.id == photo_id)
            ).one()
            by_id = {f.id: f for f in photo.files}
            replaced = sum(
                replace_renditions(
                    session,
                    self.runtime.storages,
                    self.runtime.settings,
                    photo,
                    by_id[file_id],
                    analysis.renditions,
                )
                for file_id, analysis in made.items()
            )
        return replaced

    def _analyse(self, backend: str, key: str, contributed: bool) -> Analysis:
        pool = self._pool(contributed)
        storage = self.runtime.storages.of(backend)
        with (
            storage.local_file(key, self.runtime.settings.work_dir) as path,
            pool.reserve(3600) as decoder,
        ):
            outcome = decoder.analyse(path)
        if isinstance(outcome, IngestError):
            raise outcome
        return outcome
