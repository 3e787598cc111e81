"""Put the public pages' front-end code (from the npm registry) into the app's static files.

Reads archive/web/assets/package-lock.json, downloads each package's tarball from the npm
registry (or $NPM_CONFIG_REGISTRY), checks it against the lock's sha512 integrity, and
extracts the files named in WANTED under archive/web/static/vendor/<package>/. Needs
only Python, so `make run` works without Node.js; does nothing when the files are there
and match the lock.

Usage: python tools/vendor.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "archive" / "web" / "assets" / "package-lock.json"
TARGET = ROOT / "archive" / "web" / "static" / "vendor"
# Which files of each package the pages use (paths inside the tarball's package/ folder).
WANTED = {
    "openseadragon": ("build/openseadragon/openseadragon.min.js", "LICENSE.txt"),
}


def locked_packages() -> dict[str, dict[str, str]]:
    """Return {name: {version, integrity}} of the lock's top-level packages."""
    packages = json.loads(LOCK.read_text("utf-8"))["packages"]
    return {
        path.removeprefix("node_modules/"): entry
        for path, entry in packages.items()
        if path.startswith("node_modules/") and path.count("node_modules/") == 1
    }


def tarball_url(name: str, version: str, entry: dict[str, str]) -> str:
    """Return where the registry keeps a package version's tarball."""
    if entry.get("resolved"):
        return entry["resolved"]
    configured = os.environ.get("NPM_CONFIG_REGISTRY")
    registry = (configured or "https://registry.npmjs.org").rstrip("/")
    return f"{registry}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise SystemExit unless data matches the lock's sha512 integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"unsupported integrity {integrity!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise SystemExit("the downloaded tarball does not match package-lock.json's integrity")


def install(name: str, entry: dict[str, str]) -> None:
    """Download, check and extract one package's wanted files."""
    folder = TARGET / name
    stamp = folder / ".integrity"
    if stamp.is_file() and stamp.read_text("utf-8") == entry["integrity"]:
        return
    url = tarball_url(name, entry["version"], entry)
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    check_integrity(data, entry["integrity"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for wanted in WANTED[name]:
            member = archive.extractfile(f"package/{wanted}")
            if member is None:
                raise SystemExit(f"{name} {entry['version']} has no {wanted}")
            (folder / Path(wanted).name).write_bytes(member.read())
    stamp.write_text(entry["integrity"], "utf-8")
    print(f"vendor: {name} {entry['version']} -> {folder.relative_to(ROOT)}")


def main() -> int:
    """Install every locked package the pages use."""
    packages = locked_packages()
    for name in WANTED:
        if name not in packages:
            raise SystemExit(f"{name} is not in {LOCK.relative_to(ROOT)}")
        install(name, packages[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
