"""Varied URLs for bench-web: random photos, queries, filters, pages and exhibitions drawn
from the generated data, loaded with wrk through varied.lua (which counts what nginx's
cache did), and the mixed load of the deployed stack, in which some photos are far more
looked at than others (Zipf)."""

from __future__ import annotations

import random
import re
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from archive.models import Exhibition, ExhibitionItem, Photo
from archive.runtime import Runtime

LUA = Path(__file__).with_name("varied.lua")
EXHIBITIONS = 20
PER_EXHIBITION = 12
ERAS = [f"{d}s" for d in range(1900, 2000, 10)] + ["1970", "1985", "1960~1970"]
SORTS = ["", "oldest", "newest"]


def add_exhibitions(runtime: Runtime, rng: random.Random) -> list[str]:
    """Publish EXHIBITIONS exhibitions of PER_EXHIBITION random photos; return their slugs."""
    slugs = []
    with runtime.db.session() as session:
        ids = list(session.scalars(select(Photo.id)))
        for n in range(EXHIBITIONS):
            slug = f"bench-{n}"
            exhibition_id = session.execute(
                insert(Exhibition).values(
                    slug=slug,
                    title=f"전시 {n}",
                    introduction="영산포와 나주의 옛 모습.\n\n사진마다 설명을 붙였습니다.",
                    status="published",
                    created_by="bench",
                    published_at=None,
                )
            ).inserted_primary_key[0]
            for position, photo_id in enumerate(rng.sample(ids, PER_EXHIBITION)):
                session.execute(
                    insert(ExhibitionItem).values(
                        exhibition_id=exhibition_id,
                        photo_id=photo_id,
                        position=position,
                        caption=f"{position + 1}번째 사진",
                    )
                )
            slugs.append(slug)
    return slugs


def url_sets(
    rng: random.Random, photos: int, words: list[str], places: list[str], slugs: list[str]
) -> dict[str, list[str]]:
    """Return, for each kind of page, the paths to draw from (thousands where the data has them)."""

    def query(params: dict[str, Any]) -> str:
        return urllib.parse.urlencode({k: v for k, v in params.items() if v})

    def browse() -> dict[str, Any]:
        return {
            "q": " ".join(rng.sample(words[:400], rng.choice([0, 1, 1, 2]))),
            "era": rng.choice(ERAS) if rng.random() < 0.4 else "",
            "place": rng.choice(places) if rng.random() < 0.3 else "",
            "sort": rng.choice(SORTS),
        }

    def listing() -> str:
        params = browse()
        # Deep pages only where every photo is listed (a narrow search may have one page).
        narrow = params["q"] or params["era"] or params["place"]
        params["page"] = 1 if narrow else rng.randint(1, 100)
        return f"/photos?{query(params)}"

    results = [listing() for _ in range(3000)]
    return {
        "landing": ["/"],
        "results": [r for r in results if r != "/photos?"] or ["/photos"],
        "detail": [f"/photos/w{rng.randrange(photos):011d}" for _ in range(5000)],
        "api": [f"/api/photos?{query(browse())}" for _ in range(3000)],
        "timeline": ["/timeline"],
        "exhibitions": ["/exhibitions/", *(f"/exhibitions/{slug}" for slug in slugs)],
    }


def wrk_figures(out: str) -> dict[str, Any]:
    """Return requests/s, p50 and p99 latency (ms) and non-2xx answers from wrk's output."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": round(rate, 1),
        "p50_ms": round(pct("50"), 2),
        "p99_ms": round(pct("99"), 2),
        "errors": int(errors.group(1)) if errors else 0,
    }


def wrk(url: str, connections: int, duration: str) -> dict[str, Any]:
    """Run wrk against one URL; return requests/s, latency percentiles (ms) and errors."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(out)


def wrk_varied(
    base: str, paths: list[str], connections: int, duration: str, rate: float = 0.0
) -> dict[str, Any]:
    """Run wrk drawing random paths (at about `rate` requests/s when given: each connection
    waits between requests, as a visitor reads); return requests/s, latency percentiles,
    errors and the shares of answers nginx served from its cache or revalidated."""
    pause = str(round(connections / rate * 1000)) if rate else "0"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(paths) + "\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency", "-s", str(LUA), base,
         "--", f.name, pause],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # fmt: skip
    Path(f.name).unlink()
    hits, revalidated, made = (int(n) for n in re.search(r"CACHE (\d+) (\d+) (\d+)", out).groups())  # type: ignore[union-attr]
    total = hits + revalidated + made
    return {
        **wrk_figures(out),
        **({"offered_rps": rate} if rate else {}),
        "urls": len(set(paths)),
        "cache_hit_rate": round(hits / total, 3) if total else None,
        "revalidated_rate": round(revalidated / total, 3) if total else None,
    }


# The mixed load is made of page views, as browsers make them: a page, then the images it
# shows (a results page two dozen thumbnails, a photo page its web image and related
# thumbnails, and, one view in three, the zoom viewer's tiles). Kinds of page in these
# shares; within a kind, URLs with Zipf popularity (the first of each list most asked).
VIEWS = {"detail": 40, "results": 28, "landing": 10, "exhibitions": 9, "timeline": 5, "api": 8}
IMAGES = {  # thumbnails and web images a view of each kind loads
    "detail": (8, 1),
    "results": (24, 0),
    "landing": (12, 0),
    "exhibitions": (12, 0),
    "timeline": (20, 0),
    "api": (0, 0),
}
ZOOM_TILES = 12
MIXED_VIEWS = 2_000


def mixed_paths(
    rng: random.Random, pages: dict[str, list[str]], files: dict[str, list[str]]
) -> list[str]:
    """Return the mixed load's requests: MIXED_VIEWS page views, each a page and its images."""
    weights = {kind: [1.0 / (rank + 1) for rank in range(len(pages[kind]))] for kind in VIEWS}
    kinds = rng.choices(list(VIEWS), weights=list(VIEWS.values()), k=MIXED_VIEWS)
    chosen: list[str] = []
    for kind in kinds:
        chosen.append(rng.choices(pages[kind], weights=weights[kind])[0])
        thumbs, web = IMAGES[kind]
        chosen += rng.choices(files["thumbnails"], k=thumbs)
        chosen += rng.choices(files["web"], k=web)
        if kind == "detail" and rng.random() < 1 / 3:
            chosen += rng.choices(files["tiles"], k=ZOOM_TILES)
    return chosen
