"""Benchmark IIIF level-0 pyramids: libvips (the project's) against Pillow on the same scans.

Each maker runs in a process of its own over the same scan-sized images (3000x4200,
RGB and grey), so its time and peak memory are its own. The last line is JSON.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.imaging.tiles import TILE_SIZE, make_pyramid, scale_factors
from bench.ingest import scan_image

IMAGES = 6


def pillow_pyramid(image: Image.Image, folder: Path, quality: int = 85) -> int:
    """Write the same layout with Pillow alone: each level halved from the one above."""
    files = 0
    level = image
    for factor in scale_factors(image.width, image.height):
        if factor > 1:
            size = (math.ceil(image.width / factor), math.ceil(image.height / factor))
            level = level.resize(size, Image.Resampling.LANCZOS)
        span = TILE_SIZE * factor
        for y in range(0, image.height, span):
            for x in range(0, image.width, span):
                box = (x // factor, y // factor)
                w = min(TILE_SIZE, level.width - box[0])
                h = min(TILE_SIZE, level.height - box[1])
                region = f"{x},{y},{min(span, image.width - x)},{min(span, image.height - y)}"
                target = folder / region / f"{w},{h}" / "0"
                target.mkdir(parents=True, exist_ok=True)
                tile = level.crop((box[0], box[1], box[0] + w, box[1] + h))
                tile.save(target / "default.jpg", "JPEG", quality=quality)
                files += 1
    return files


def run(maker: str, scans: list[Path], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """Make every scan's pyramid with one maker; report seconds and peak memory."""
    work = Path(tempfile.mkdtemp(prefix=f"tiles-{maker}-"))
    making = 0.0
    size = 0
    for n, scan in enumerate(scans):
        with Image.open(scan) as opened:
            image = opened.convert("RGB")  # the same decoded pixels for both makers
        folder = work / str(n)
        started = time.perf_counter()
        if maker == "vips":
            size += make_pyramid(image, folder).bytes
        else:
            pillow_pyramid(image, folder)
            size += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        making += time.perf_counter() - started
    seconds = making
    shutil.rmtree(work)
    peak = _high_water_mb()
    out.put({"seconds_per_image": round(seconds / IMAGES, 3), "peak_rss_mb": round(peak, 1),
             "tile_mb_per_image": round(size / IMAGES / 1e6, 2)})  # fmt: skip


def _high_water_mb() -> float:
    """Return this process's peak resident memory (VmHWM: reset by exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    context = multiprocessing.get_context("spawn")
    result: dict[str, object] = {"images": IMAGES, "pixels": "3000x4200", "tile": TILE_SIZE}
    folder = Path(tempfile.mkdtemp(prefix="tiles-scans-"))
    scans = []
    for n in range(IMAGES):
        scans.append(folder / f"{n}.jpg")
        scan_image(n, grey=n % 2 == 1).save(scans[-1], "JPEG", quality=92)
    for maker in ("vips", "pillow"):
        queue = context.Queue()
        process = context.Process(target=run, args=(maker, scans, queue))
        process.start()
        result[maker] = queue.get()
        process.join()
    shutil.rmtree(folder)
    vips, pillow = result["vips"], result["pillow"]
    result["pillow_over_vips"] = round(
        pillow["seconds_per_image"] / vips["seconds_per_image"],  # type: ignore[index]
        2,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
