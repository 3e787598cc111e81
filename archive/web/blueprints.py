"""Every blueprint of the web app, in one list, and the URL map they make."""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, Flask


def all_blueprints() -> tuple[Blueprint, ...]:
    """Return every blueprint, in the order the app registers them."""
    from archive.web import (
        account,
        api,
        auth,
        contribute,
        curate,
        desk,
        exhibitions,
        gallery,
        health,
        iiif,
        iiif_collections,
        intake,
        media,
        moderate,
        oai,
        office,
        pages,
        reasons,
        tables,
        voices,
        zoom,
    )

    modules = (
        gallery, api, media, health, contribute, auth, moderate, office, account, voices,
        desk, reasons, iiif, iiif_collections, zoom, exhibitions, curate, pages, intake,
        tables, oai,
    )  # fmt: skip
    return tuple(module.bp for module in modules)


@cache
def secret_paths() -> tuple[re.Pattern[str], ...]:
    """Return the secret-holding paths of the route declarations, for processes that log
    without serving (the ingest worker, jobs): the URL map alone, no settings or database."""
    from archive.web.routing import secret_patterns

    bare = Flask("archive.web")
    for blueprint in all_blueprints():
        bare.register_blueprint(blueprint)
    return tuple(secret_patterns(bare))
