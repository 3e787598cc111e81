"""The offline copy's HTML pages: landing, decades, places, exhibitions, photos, search
and the rights page, with short ASCII file names and relative links only."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from archive.dates import decades_between
from archive.features.offline.collect import Record, Shown
from archive.fields import PUBLIC
from archive.models import Photo
from archive.paging import page_count
from archive.places.gazetteer import CITY_KIND, Gazetteer
from archive.records.images import image_info
from archive.records.public import rights_label

PER_PAGE = 120
LANDING_CARDS = 24


@dataclass
class Site:
    """What every page says about the copy."""

    made: str
    online: str
    office: str
    default_credit: str
    exhibitions: list[Shown] = field(default_factory=list)
    count: int = 0


def page_name(base: str, number: int) -> str:
    """Return a listing's file name: decade-1970.html, then decade-1970-2.html, ..."""
    return f"{base}.html" if number == 1 else f"{base}-{number}.html"


def paragraphs(text: str) -> list[str]:
    """Return the paragraphs of a story, one per line, as the photo page shows them."""
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


class Pages:
    """Renders and writes the pages under the copy's root."""

    def __init__(self, root: Path, site: Site, gazetteer: Gazetteer) -> None:
        self.root = root
        self.site = site
        self.gazetteer = gazetteer
        self.env = Environment(
            loader=PackageLoader("archive.features.offline", "templates"),
            autoescape=select_autoescape(default=True),
        )
        self.env.globals.update(site=site, page_name=page_name)
        self.written: list[str] = []

    def write(self, name: str, template: str, **context: Any) -> None:
        """Render a template into the file name (photos/... gets ../ links)."""
        root = "../" * name.count("/")
        html = self.env.get_template(template).render(root=root, **context)
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.written.append(name)

    def listing(self, base: str, title: str, records: list[Record], **context: Any) -> None:
        """Write a list of photos over as many pages as it needs."""
        pages = page_count(len(records), PER_PAGE)
        for number in range(1, pages + 1):
            chunk = records[(number - 1) * PER_PAGE : number * PER_PAGE]
            self.write(
                page_name(base, number), "listing.html", title=title, cards=chunk,
                total=len(records), page=number, pages=pages, base=base, **context,
            )  # fmt: skip


def decades_of(records: list[Record]) -> dict[int, list[Record]]:
    """Return the records of each decade (a record dated across decades is in each)."""
    found: dict[int, list[Record]] = {}
    for record in records:
        for decade in decades_between(record.photo.date_start, record.photo.date_end):
            found.setdefault(decade, []).append(record)
    return dict(sorted(found.items()))


def places_of(records: list[Record], gazetteer: Gazetteer) -> dict[str, list[Record]]:
    """Return the records at each place or anywhere inside it."""
    found: dict[str, list[Record]] = {}
    for record in records:
        within = {a for name in record.photo.places or [] for a in gazetteer.ancestors(name)}
        for name in within:
            found.setdefault(name, []).append(record)
    return found


def place_tree(gazetteer: Gazetteer, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Return today's hierarchy below the city (and the old units beside it), with counts,
    leaving out places without photos."""

    def node(name: str) -> dict[str, Any]:
        place = gazetteer.places[name]
        children = [node(n) for n, p in gazetteer.places.items() if p.parent == name]
        kept = [c for c in children if c["count"]]
        return {"name": name, "key": place.key, "count": counts.get(name, 0), "children": kept}

    roots = [n for n, p in gazetteer.places.items() if p.parent is None]
    top: list[dict[str, Any]] = []
    for name in roots:
        if gazetteer.places[name].kind == CITY_KIND:
            top += node(name)["children"]
        elif counts.get(name):
            top.append(node(name))
    return top


def write_site(
    pages: Pages,
    records: list[Record],
    on_record: Callable[[], None] = lambda: None,
) -> None:
    """Write every page of the copy."""
    gazetteer = pages.gazetteer
    decades = decades_of(records)
    by_place = places_of(records, gazetteer)
    tree = place_tree(gazetteer, {name: len(found) for name, found in by_place.items()})
    decade_links = [{"year": d, "count": len(found)} for d, found in decades.items()]
    newest = sorted(records, key=lambda r: r.photo.published_at or r.photo.created_at, reverse=True)
    pages.write("index.html", "index.html", title="옛 추억을 떠올리며", decades=decade_links,
                top_places=tree, cards=newest[:LANDING_CARDS])  # fmt: skip
    undated = sum(1 for r in records if r.photo.date_start is None)
    pages.write("decades.html", "decades.html", title="시대별로 보기", decades=decade_links,
                undated=undated)  # fmt: skip
    for decade, found in decades.items():
        pages.listing(f"decade-{decade}", f"{decade}년대 사진", found)
    pages.write("places.html", "places.html", title="장소별로 보기", top_places=tree)
    _place_pages(pages, tree, by_place)
    if pages.site.exhibitions:
        pages.write("exhibitions.html", "exhibitions.html", title="전시")
        _exhibition_pages(pages, records)
    pages.write("search.html", "search.html", title="사진 찾기")
    _about(pages, records)
    for at, record in enumerate(records):
        before = records[at - 1] if at else None
        after = records[at + 1] if at + 1 < len(records) else None
        _photo_page(pages, record, before, after)
        on_record()


def _place_pages(
    pages: Pages, tree: list[dict[str, Any]], by_place: dict[str, list[Record]]
) -> None:
    for node in tree:
        title = f"{node['name']} 사진"
        pages.listing(
            f"place-{node['key']}", title, by_place[node["name"]], children=node["children"]
        )
        _place_pages(pages, node["children"], by_place)


def _exhibition_pages(pages: Pages, records: list[Record]) -> None:
    by_id = {r.photo.public_id: r for r in records}
    for shown in pages.site.exhibitions:
        items = [(by_id[i], caption) for i, caption in shown.items if i in by_id]
        pages.write(
            f"ex-{shown.exhibition.slug}.html", "exhibition.html", title=shown.exhibition.title,
            paragraphs=paragraphs(shown.exhibition.introduction), items=items,
        )  # fmt: skip


def _about(pages: Pages, records: list[Record]) -> None:
    rights = Counter(rights_label(r.photo.rights)["text"] for r in records)
    credits = Counter(r.photo.credit or pages.site.default_credit for r in records)
    pages.write("about.html", "about.html", title="이용 안내", rights=sorted(rights.items()),
                credits=sorted(credits.items()))  # fmt: skip


def facts_of(photo: Photo, shown: dict[str, str]) -> list[tuple[str, str]]:
    """Return (label, value) of every public field the photo page lists as a fact, from
    the field registry, as the online page shows them (`shown`: values written for it)."""
    facts = []
    for spec in PUBLIC:
        if spec.shown_as != "fact":
            continue
        value = getattr(photo, spec.column)
        text = ", ".join(value or []) if spec.kind == "tags" else str(value or "")
        text = shown.get(spec.name) or text or spec.missing
        if text:
            facts.append((spec.label, text))
    return facts


def stories_of(photo: Photo) -> list[tuple[str, list[str]]]:
    """Return (label, paragraphs) of every public field shown as a story."""
    found = []
    for spec in PUBLIC:
        text = getattr(photo, spec.column) if spec.shown_as == "story" else None
        if text and paragraphs(text):
            found.append((spec.label, paragraphs(text)))
    return found


def _photo_page(pages: Pages, record: Record, before: Record | None, after: Record | None) -> None:
    photo = record.photo
    gazetteer = pages.gazetteer
    place = next((gazetteer.places[n] for n in photo.places or [] if gazetteer.key_path(n)), None)
    label = rights_label(photo.rights)
    online = f"{pages.site.online}/photos/{photo.public_id}"
    parts = (photo.title or "제목 없음", photo.date_text or "시기 미상", "나주시 옛 사진 기록물")
    more = (photo.identifier or "", online, label["kogl"] or "")
    citation = ", ".join(part for part in (*parts, *more) if part)
    if record.zoom:
        width, height = record.zoom_size
        info = image_info(f"../zoom/{photo.public_id}", width, height)
        script = f"window.NAJU_ZOOM = {json.dumps(info)};\n"
        zoom_js = pages.root / "assets" / "zoom" / f"{photo.public_id}.js"
        zoom_js.parent.mkdir(parents=True, exist_ok=True)
        zoom_js.write_text(script, encoding="utf-8")
    shown = [s for s in pages.site.exhibitions if s.exhibition.slug in record.exhibitions]
    start = photo.date_start
    width, height = record.image_size
    description = (photo.description or "").strip()
    shown_values = {"rights": label["text"], "credit": photo.credit or pages.site.default_credit}
    pages.write(
        f"photos/{photo.public_id}.html", "photo.html", title=photo.title or "제목 없음",
        record=record, photo=photo, previous=before, following=after, place=place,
        decade=start // 10 * 10 if start is not None else None, citation=citation,
        shown=shown, facts=facts_of(photo, shown_values), stories=stories_of(photo),
        width=width or None, height=height or None,
        alt=f"{photo.title}. {description[:120]}" if description else photo.title,
    )  # fmt: skip
