"""The packages depend on each other one way only, as ../shared/STYLE.md draws them.

web → services → models / storage / search; ingest → services / storage / search; leaf
modules (text, fields, dates, ...) depend on nothing of the archive but other leaves.
The test reads every import with ast, so a new arrow against the layering, or any cycle
between packages, fails here before it spreads.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "archive"
LEAVES = {
    "errors", "text", "fields", "dates", "date_forms", "digest", "config", "statuses", "logs",
    "formats",
    "renditions", "mail", "faults", "contacts", "links", "settings_rules", "settings_reference",
}  # fmt: skip
# What each package (or top-level module) may import from the archive, besides leaves.
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "db": {"models"},
    "storage": set(),
    "imaging": set(),
    "search": {"models", "db", "jobs"},
    "jobs": {"models", "db"},
    # The registry of reference tables admins edit: checked by the search's own readers.
    "tables": {"search"},
    "services": {"models", "db", "storage", "search", "imaging", "jobs", "tables"},
    "runtime": {"db", "storage", "search", "imaging", "models", "services", "jobs", "tables"},
    "ingest": {"models", "db", "storage", "search", "imaging", "services", "runtime", "jobs"},
    "operations": {"models", "db", "storage", "search", "services", "runtime", "jobs"},
    # The offline copy (export-site): public records and files, written as static pages.
    "offline": {"models", "db", "storage", "search", "services", "runtime"},
    "web": {
        "models", "db", "storage", "search", "services", "runtime", "operations", "jobs",
        "tables",
    },
    "cli": {
        "models", "db", "storage", "search", "imaging", "services", "runtime", "ingest",
        "operations", "jobs", "web", "offline",
    },
    "migrations": {"models"},
}  # fmt: skip


def unit_of(module: str) -> str:
    """Return the package (or top-level module) a dotted archive module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports() -> dict[str, set[str]]:
    """Return {unit: units it imports}, reading every module of the archive."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        module = "archive." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        unit = unit_of(module)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name.startswith("archive.") and unit_of(name) != unit:
                    found[unit].add(unit_of(name))
    return found


def test_every_arrow_follows_the_layering() -> None:
    wrong = []
    for unit, targets in imports().items():
        if unit in LEAVES:
            allowed = LEAVES
        else:
            assert unit in ALLOWED, f"archive/{unit} is not placed in the layering"
            allowed = ALLOWED[unit] | LEAVES
        wrong += [f"{unit} → {target}" for target in sorted(targets - allowed - {""})]
    assert wrong == []


def test_no_cycles_between_packages() -> None:
    graph = imports()
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[str] = []

    def visit(unit: str) -> None:
        if unit in visiting:
            cycles.append(" → ".join([*visiting[visiting.index(unit) :], unit]))
            return
        if unit in done:
            return
        visiting.append(unit)
        for target in sorted(graph.get(unit, ())):
            visit(target)
        visiting.pop()
        done.add(unit)

    for unit in sorted(graph):
        visit(unit)
    assert cycles == []


def test_the_web_hands_uploads_to_a_service_and_builds_no_write_context() -> None:
    """Views pass a session and the runtime; the services assemble what they write with."""
    named = [
        f"{path.relative_to(ROOT)}: {node.id}"
        for path in (ROOT / "web").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Name) and node.id in {"RecordContext", "JobContext"}
    ]
    assert named == []
