"""Benchmark scan ingest (two derivatives and the IIIF tile pyramid) against the libvips
command-line tools doing the same on scan-sized files: vipsthumbnail for the two sizes and
`vips dzsave --layout iiif3` for the tiles. Also the storage tiles add, as a share of the
masters. Last line is JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

SIZE = (3000, 4200)
PER_KIND = int(os.environ.get("BENCH_PER_KIND", "6"))
KINDS = [("rgb", "jpg"), ("grey", "jpg"), ("rgb", "tif"), ("grey", "tif")]


def scan_image(seed: int, grey: bool) -> Image.Image:
    """Return a photo-like 3000x4200 image: smooth tones, edges and film grain."""
    rng = np.random.default_rng(seed)
    width, height = SIZE
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    tone = 128 + 90 * np.sin(x / (180 + seed)) * np.cos(y / (260 + seed))
    tone += (x // 400 % 2) * 25 + rng.normal(0, 9, (height, width))
    base = tone.clip(0, 255).astype(np.uint8)
    if grey:
        return Image.fromarray(base, "L")
    rgb = np.stack([base, (base * 0.9).astype(np.uint8), (255 - base // 2)], axis=2)
    return Image.fromarray(rgb, "RGB")


def make_files(folder: Path) -> list[Path]:
    """Write JPEG q92 and LZW TIFF scans, grey and RGB."""
    files = []
    for kind, ext in KINDS:
        for n in range(PER_KIND):
            image = scan_image(n * 7 + len(kind), kind == "grey")
            path = folder / f"{kind}_{n:02}.{ext}"
            if ext == "jpg":
                image.save(path, "JPEG", quality=92, dpi=(600, 600))
            else:
                image.save(path, "TIFF", compression="tiff_lzw", dpi=(600, 600))
            files.append(path)
    return files


def sample_rss(pid: int, stop: threading.Event, peaks: dict[str, float]) -> None:
    """Record the largest single-process RSS and the largest tree total, in MB."""
    root = psutil.Process(pid)
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss)
                except psutil.Error:
                    continue
        except psutil.Error:
            break
        peaks["process"] = max(peaks["process"], max(sizes, default=0) / 2**20)
        peaks["tree"] = max(peaks["tree"], sum(sizes) / 2**20)
        time.sleep(0.02)


def run_archive(files: list[Path], work: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Ingest the files with `archive ingest --once --json`; return summary and RSS peaks."""
    inbox = work / "scans" / "inbox"
    inbox.mkdir(parents=True)
    for path in files:
        shutil.copyfile(path, inbox / path.name)
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(work / "var"),
        "ARCHIVE_SCANS_DIR": str(work / "scans"),
        "ARCHIVE_SETTLE_SECONDS": "0",
    }
    archive = [sys.executable, "-m", "archive.cli"]
    subprocess.run([*archive, "db", "upgrade"], env=env, check=True, capture_output=True)
    peaks = {"process": 0.0, "tree": 0.0}
    stop = threading.Event()
    process = subprocess.Popen(
        [*archive, "ingest", "--json"], env=env, stdout=subprocess.PIPE, text=True
    )
    sampler = threading.Thread(target=sample_rss, args=(process.pid, stop, peaks))
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    summary = json.loads(output.splitlines()[-1])
    if summary["ingested"] != len(files):
        raise SystemExit(f"ingest did not take every file: {summary}")
    return summary, peaks


def run_vips(files: list[Path], work: Path, workers: int) -> float:
    """Make the same two derivatives with vipsthumbnail and the same 512-pixel iiif3
    pyramid with vips dzsave; return elapsed seconds."""
    out = work / "vips"
    out.mkdir()

    def both(path: Path) -> None:
        for size in (1600, 320):
            target = out / f"{path.stem}_{size}.jpg"
            subprocess.run(
                ["vipsthumbnail", str(path), "-s", str(size), "-o", f"{target}[Q=85,strip]"],
                check=True,
            )
        subprocess.run(
            ["vips", "dzsave", str(path), str(out / f"{path.stem}_tiles"), "--layout", "iiif3",
             "--tile-size", "512", "--overlap", "0", "--depth", "onetile",
             "--suffix", ".jpg[Q=85,strip]"],
            check=True,
        )  # fmt: skip

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(both, files))
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under a folder."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    """Generate files, run both, print figures."""
    if not shutil.which("vipsthumbnail"):
        raise SystemExit("vipsthumbnail not found: install Debian's libvips-tools")
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        (work / "src").mkdir()
        files = make_files(work / "src")
        summary, peaks = run_archive(files, work / "archive")
        storage = work / "archive" / "var" / "storage"
        masters, tiles = (
            folder_bytes(storage / "masters"),
            folder_bytes(storage / "renditions" / "tiles"),
        )
        vips_seconds = run_vips(files, work, workers)
    count = len(files)
    per_image = summary["seconds"] / count
    vips_per_image = vips_seconds / count
    figures = {
        "files": count,
        "pixels": f"{SIZE[0]}x{SIZE[1]}",
        "workers": workers,
        "seconds_per_image": round(per_image, 4),
        "images_per_minute": round(60 / per_image, 1),
        "peak_rss_mb": round(peaks["process"], 1),
        "peak_rss_total_mb": round(peaks["tree"], 1),
        "vips_seconds_per_image": round(vips_per_image, 4),
        "ratio": round(per_image / vips_per_image, 3),
        "tiles_mb_per_image": round(tiles / count / 2**20, 2),
        "tiles_percent_of_masters": round(100 * tiles / masters, 1),
    }
    print(
        f"archive: {per_image:.3f} s/image; vipsthumbnail + dzsave: {vips_per_image:.3f} s/image "
        f"(both using {workers} processes)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
