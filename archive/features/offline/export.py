"""`archive export-site`: write the offline copy, check it, and only then put it in place.

The copy is built in a staging folder beside (or, for an empty folder such as a USB
stick's root, inside) the destination and moved into place once every link and image
resolves; an interruption or an error removes the staging folder, so no half copy is
ever left under the destination.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from archive.errors import ArchiveError, NotFound, StorageError
from archive.features.offline.collect import FileCopy, Record, Selection, Shown, collect
from archive.features.offline.pages import Pages, Site, decades_of, write_site
from archive.features.offline.search_data import record_row, script
from archive.features.offline.verify import broken_links
from archive.runtime import Runtime
from archive.storage import Storages
from archive.tables import store as tables
from archive.web.static_files import static_folder

ASSETS = Path(__file__).with_name("assets")
VIEWER = static_folder() / "vendor" / "openseadragon"
DVD_BYTES = 4_700_000_000
STAGING = ".naju-export-partial"


class ExportSiteError(ArchiveError):
    """The copy cannot be written (destination in use, nothing selected, a broken link)."""


@dataclass
class Plan:
    """What an export will write: records, exhibitions and their size in bytes."""

    records: list[Record]
    shown: list[Shown]
    bytes: int
    by_decade: dict[str, int]

    @property
    def files(self) -> list[FileCopy]:
        """Return every stored file to copy."""
        return [f for record in self.records for f in record.files]

    def discs(self, capacity: int = DVD_BYTES) -> list[list[str]]:
        """Return the decades grouped to fit discs of capacity (each decade whole)."""
        groups: list[list[str]] = []
        used: list[int] = []
        for decade, size in self.by_decade.items():
            for n, total in enumerate(used):
                if total + size <= capacity * 0.95:
                    groups[n].append(decade)
                    used[n] += size
                    break
            else:
                groups.append([decade])
                used.append(size)
        return groups


def plan(runtime: Runtime, selection: Selection) -> Plan:
    """Return what the selection holds, with sizes (files plus about 8 KB of page each)."""
    with runtime.db.session() as session:
        records, shown = collect(session, selection)
        session.expunge_all()
    if not records:
        raise ExportSiteError("고른 조건에 맞는 공개 사진이 없습니다 / no published record matches")
    by_decade: dict[str, int] = {}
    for record in records:
        start = record.photo.date_start
        decade = f"{start // 10 * 10}s" if start is not None else "undated"
        size = sum(f.size for f in record.files) + 8192
        by_decade[decade] = by_decade.get(decade, 0) + size
    return Plan(records, shown, sum(by_decade.values()), dict(sorted(by_decade.items())))


@contextmanager
def staging(destination: Path) -> Iterator[Path]:
    """Yield a folder to build in; on success move its contents to destination, on any
    failure (Ctrl-C included) remove it."""
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise ExportSiteError(f"{destination} 폴더가 비어 있지 않습니다 / is not empty")
    inside = destination.exists()
    parent = destination if inside else destination.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=STAGING, dir=parent))
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if inside:
        for entry in work.iterdir():
            entry.rename(destination / entry.name)
        work.rmdir()
    else:
        work.rename(destination)


def copy_file(storages: Storages, item: FileCopy, root: Path) -> None:
    """Copy one stored file, or every file of a tile tree, into the copy."""
    storage = storages.of(item.backend)
    target = root / item.target
    keys = [o.key for o in storage.list_keys(item.key)] if item.tree else [item.key]
    for key in keys:
        path = target / key[len(item.key) :] if item.tree else target
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with storage.open(key) as source, path.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
        except (NotFound, StorageError) as exc:
            raise ExportSiteError(
                f"저장소에서 {item.target} 파일을 읽지 못했습니다 (archive fixity로 확인해 "
                f"주세요) / cannot read {key}: {exc}"
            ) from exc


def write_assets(root: Path, runtime: Runtime, chosen: Plan, zoom: bool) -> None:
    """Write the style, the search script and its data, and the zoom viewer if wanted."""
    assets = root / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ("offline.css", "search.js", "zoom.js"):
        shutil.copyfile(ASSETS / name, assets / name)
    if zoom:
        viewer = assets / "openseadragon"
        viewer.mkdir(exist_ok=True)
        shutil.copyfile(VIEWER / "openseadragon.min.js", viewer / "openseadragon.min.js")
        shutil.copyfile(VIEWER / "LICENSE.txt", viewer / "LICENSE.txt")
    with runtime.db.session() as session:
        periods = tables.current(session, runtime.settings, "periods").table
        variants = tables.current(session, runtime.settings, "variants").table
    from archive.date_forms import load_periods
    from archive.search.variants import SPOKEN, load_variants

    rows = [
        record_row(r, runtime.gazetteer, f"photos/{r.photo.public_id}.html") for r in chosen.records
    ]
    every = load_variants(variants.text().encode(), "").groups
    groups = [g.words for g in every if g.kind != SPOKEN]  # words said in asking: no group
    data = script(rows, runtime.gazetteer, load_periods(periods.text().encode()), groups)
    (assets / "data.js").write_text(data, encoding="utf-8")


def export_site(
    runtime: Runtime,
    destination: Path,
    chosen: Plan,
    selection: Selection,
    progress: Callable[[str, int], None] = lambda _step, _n: None,
) -> int:
    """Write, check and put in place the copy; return the number of pages written.

    progress(step, n) is told of each file copied ("files"), page written ("pages") and
    page checked ("checks").

    :raises ExportSiteError: when the destination is not empty or a link is broken.
    """
    settings = runtime.settings
    site = Site(
        made=date.today().isoformat(), online=settings.public_base,
        office=f"{settings.office_name} {settings.office_phone} ({settings.office_hours})",
        default_credit=settings.default_credit, exhibitions=chosen.shown,
        count=len(chosen.records),
    )  # fmt: skip
    with staging(destination) as root:
        for item in chosen.files:
            copy_file(runtime.storages, item, root)
            progress("files", 1)
        write_assets(root, runtime, chosen, selection.zoom)
        pages = Pages(root, site, runtime.gazetteer)
        write_site(pages, chosen.records, on_record=lambda: progress("pages", 1))
        broken = broken_links(root, pages.written, on_page=lambda: progress("checks", 1))
        if broken:
            shown = "; ".join(f"{page} → {link}" for page, link in broken[:5])
            raise ExportSiteError(f"깨진 링크 {len(broken)}개 / broken links: {shown}")
    return len(pages.written)


__all__ = ["ExportSiteError", "Plan", "decades_of", "export_site", "plan"]
