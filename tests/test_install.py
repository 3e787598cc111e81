"""The package installs from its own metadata: `pip install .` alone gives a service that
ingests and searches (as a container image or a distribution package would build it).

The project's tracked files are copied out first (what a source archive holds), into a
fresh virtual environment with nothing else: no Makefile, no test tools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

from tests.scans import picture, save_jpeg

ROOT = Path(__file__).resolve().parents[1]


def _tracked(destination: Path) -> Path:
    """Copy the files git tracks (and those about to be committed) to destination."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def test_pip_install_alone_gives_a_working_service(tmp_path: Path) -> None:
    source = _tracked(tmp_path / "source")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    archive = environment / "bin" / "archive"
    env = {
        "PATH": f"{environment / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ARCHIVE_DATA_DIR": str(tmp_path / "var"),
        "ARCHIVE_SCANS_DIR": str(tmp_path / "scans"),
        "ARCHIVE_SETTLE_SECONDS": "0",
        "LANG": "C.UTF-8",
    }
    inbox = tmp_path / "scans" / "inbox"
    save_jpeg(inbox / "영산포.jpg", picture((600, 400), seed=5))
    (inbox / "영산포.json").write_text(
        '{"title": "羅州 영산포 선창", "place": "영산포", "date": "1970년대", "status": "공개"}',
        "utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(archive), *args],
            env=env,
            cwd=tmp_path,  # not the source tree: only what was installed is imported
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    ingested = run("ingest", "--once", "--json")
    assert ingested.returncode == 0, ingested.stderr[-3000:] + ingested.stdout[-2000:]
    assert '"outcome": "ingested"' in ingested.stdout
    found = run("search", "나주", "--json")  # found through the Hanja in the title
    assert found.returncode == 0, found.stderr[-3000:]
    assert "영산포 선창" in found.stdout
    where = subprocess.run(
        [str(python), "-c", "import archive, hanja"], capture_output=True, text=True, check=False
    )
    assert "No module named 'hanja'" in where.stderr  # the table is the project's own
    assert (
        str(environment)
        in subprocess.run(
            [str(python), "-c", "import archive; print(archive.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": ""},
            cwd=tmp_path,
        ).stdout
    )
