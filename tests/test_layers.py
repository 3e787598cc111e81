"""The packages depend on each other one way only, as docs/developer.md draws them.

Beneath: leaf modules (text, fields, dates, ...) that depend on nothing of the archive but
other leaves; then the shared core (models, storage, imaging, places, jobs, search,
records, tables, the job runner, the runtime, ingest, operations and the web kit). Above
it, one package per feature under archive/features/, each with its blueprints, forms,
services and templates. A feature may use the core and, along the arrows declared in
FEATURE_ARROWS, another feature's services, never its blueprints (its views are its own).
On top, the composition: archive/features/__init__.py (every blueprint), archive/app.py
(the Flask app) and the CLI. The test reads every import with ast, so an arrow against
this order, a feature reaching into another's views, or any cycle fails here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "archive"
LEAVES = {
    "errors", "text", "fields", "dates", "date_forms", "digest", "config", "statuses", "logs",
    "formats", "renditions", "mail", "faults", "contacts", "links", "settings_rules",
    "settings_reference", "paging",
}  # fmt: skip
CORE: dict[str, set[str]] = {
    "models": set(),
    "db": {"models"},
    "migrations": {"models"},
    "storage": set(),
    "imaging": set(),
    "places": set(),
    "jobs": {"models", "db"},
    "search": {"models", "db", "jobs", "places"},
    "records": {"models", "db", "storage", "imaging", "places", "jobs", "search"},
    # The reference tables admins edit (places, periods, variants, words) and their store.
    "tables": {"models", "db", "jobs", "places", "search", "records"},
    # Every kind of background job, with its handler and retry policy, and the runner.
    "background": {"models", "db", "storage", "jobs", "search", "records", "tables"},
    "runtime": {"db", "storage", "search", "imaging", "models", "places", "jobs", "tables"}
    | {"background"},
    "ingest": {"models", "db", "storage", "search", "imaging", "places", "records", "runtime"}
    | {"jobs"},
    "operations": {"models", "db", "storage", "search", "records", "runtime", "jobs"}
    | {"background"},
    # The web kit: request plumbing, headers, caching, errors, cards; no feature's views.
    "web": {"models", "db", "storage", "search", "places", "records", "runtime", "operations"},
}
# Features use the whole core; these are the only arrows between features.
FEATURE_ARROWS: dict[str, set[str]] = {
    "accounts": set(),
    "reasons": {"accounts"},
    "catalogue": {"accounts", "reasons"},
    # A contributor withdraws consent through a takedown request (a voice).
    "contributions": {"voices"},
    "voices": {"accounts", "catalogue", "reasons"},
    "exhibitions": {"accounts"},
    "iiif": set(),
    "gallery": {"exhibitions", "iiif", "voices"},
    "api": {"gallery", "exhibitions", "voices"},
    "media": set(),
    "oai": {"iiif"},
    "tables": {"accounts"},
    "office": {"accounts"},
    "health": set(),
    "pages": set(),
    "offline": set(),
}
TOP: dict[str, set[str]] = {
    "features": {f"features.{name}" for name in FEATURE_ARROWS} | {"web"},
    "app": set(CORE) | {"features"} | {f"features.{name}" for name in FEATURE_ARROWS},
    "cli": set(CORE) | {"features", "app"} | {f"features.{name}" for name in FEATURE_ARROWS},
    "__init__": set(),
}


def unit_of(module: str) -> str:
    """Return the unit a dotted archive module belongs to: a core package or top-level
    module, `features.<name>` for a feature, `features` for the list of blueprints."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "features":
        return f"features.{parts[2]}"
    return parts[1] if len(parts) > 1 else "__init__"


def allowed_for(unit: str) -> set[str]:
    """Return the units `unit` may import, leaves included."""
    if unit in LEAVES:
        return set(LEAVES)
    if unit.startswith("features."):
        arrows = FEATURE_ARROWS[unit.removeprefix("features.")]
        return LEAVES | set(CORE) | {f"features.{name}" for name in arrows}
    assert unit in CORE or unit in TOP, f"archive/{unit} is not placed in the layering"
    return LEAVES | CORE.get(unit, set()) | TOP.get(unit, set())


def module_of(path: Path) -> str:
    module = "archive." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return module.removesuffix(".__init__")


def is_module(name: str) -> bool:
    path = ROOT.parent / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported(path: Path) -> set[str]:
    """Return the archive modules a file imports, at any depth of the code (`from a import b`
    counts as b when b is a module, else as a)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                names.add(name if is_module(name) else node.module)
    return {name for name in names if name.startswith("archive.")}


def imports() -> dict[str, set[str]]:
    """Return {unit: units it imports}, reading every module of the archive."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        unit = unit_of(module_of(path))
        found[unit] |= {unit_of(name) for name in imported(path)} - {unit}
    return found


def blueprint_modules() -> set[str]:
    """Return the feature modules that define a blueprint (`bp = Blueprint(...)`)."""
    found = set()
    for path in (ROOT / "features").rglob("*.py"):
        for node in ast.parse(path.read_text("utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "Blueprint"
            ):
                found.add(module_of(path))
    return found


def test_every_arrow_follows_the_layering() -> None:
    wrong = []
    for unit, targets in imports().items():
        wrong += [f"{unit} → {target}" for target in sorted(targets - allowed_for(unit))]
    assert wrong == []


def test_every_feature_is_placed_and_has_a_package() -> None:
    packages = {p.name for p in (ROOT / "features").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(FEATURE_ARROWS)


def test_no_feature_reaches_into_another_features_views() -> None:
    views = blueprint_modules()
    assert len(views) >= len(FEATURE_ARROWS) - 1  # every feature but offline serves pages
    wrong = []
    for path in (ROOT / "features").glob("*/**/*.py"):
        unit = unit_of(module_of(path))
        for name in imported(path):
            if name in views and unit_of(name) != unit:
                wrong.append(f"{module_of(path)} → {name}")
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


def test_no_cycles_between_modules() -> None:
    """Not even two modules of one package import each other (at module level or inside a
    function: either way one of them cannot be read without the other)."""
    graph = {module_of(p): imported(p) for p in ROOT.rglob("*.py")}
    edges = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    pairs = sorted(f"{a} ↔ {b}" for a in edges for b in edges[a] if a < b and a in edges[b])
    assert pairs == []


def test_the_web_hands_uploads_to_a_service_and_builds_no_write_context() -> None:
    """Views pass a session and the runtime; the services assemble what they write with."""
    named = [
        f"{path.relative_to(ROOT)}: {node.id}"
        for folder in ("web", "features")
        for path in (ROOT / folder).rglob("*.py")
        if path.name == "views.py" or folder == "web"
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Name) and node.id in {"RecordContext", "JobContext"}
    ]
    assert named == []


def test_every_declared_arrow_between_features_is_used() -> None:
    """The table says what is: an arrow no import needs any more is taken out of it (and
    out of the developer guide's picture, which tests/test_developer_guide.py compares)."""
    graph = imports()
    unused = [
        f"{source} → {target}"
        for source, targets in FEATURE_ARROWS.items()
        for target in sorted(targets)
        if f"features.{target}" not in graph.get(f"features.{source}", set())
    ]
    assert unused == []


def test_only_the_search_backends_know_their_engines() -> None:
    """Whoosh (the library and the backend's modules) is imported inside its backend
    package alone, and so is each backend's package (PostgreSQL's too); the index chooses
    the backend by the package's name, nothing deeper."""
    wrong = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            wrong += [f"{path.relative_to(ROOT)}: {name}" for name in names if _foreign(path, name)]
    assert wrong == []


def _foreign(path: Path, name: str) -> bool:
    """Whether a module outside a search backend's package imports what is the package's."""
    for backend in ("whoosh", "postgres"):
        if ROOT / "search" / backend in path.parents:
            continue
        package = f"archive.search.{backend}"
        engine = backend == "whoosh" and (name == "whoosh" or name.startswith("whoosh."))
        if (
            engine
            or name.startswith(package + ".")
            or (name == package and path.name != "index.py")
        ):
            return True
    return False
