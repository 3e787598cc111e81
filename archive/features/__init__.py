"""The features of the service, one package each (see docs/developer.md, "Layout"), and
every blueprint they serve, in the order the app registers them, with the URL map they
make. A feature uses the shared core beneath it and, along the arrows tests/test_layers.py
declares, the services of a few other features; never another feature's views."""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, Flask


def all_blueprints() -> tuple[Blueprint, ...]:
    """Return every blueprint, in the order the app registers them."""
    from archive.features.accounts import account
    from archive.features.accounts import login as auth
    from archive.features.api import views as api
    from archive.features.catalogue import intake
    from archive.features.catalogue import views as moderate
    from archive.features.contributions import views as contribute
    from archive.features.exhibitions import curate
    from archive.features.exhibitions import views as exhibitions
    from archive.features.gallery import views as gallery
    from archive.features.health import views as health
    from archive.features.iiif import collections as iiif_collections
    from archive.features.iiif import views as iiif
    from archive.features.iiif import zoom
    from archive.features.media import views as media
    from archive.features.oai import views as oai
    from archive.features.office import views as office
    from archive.features.pages import views as pages
    from archive.features.reasons import views as reasons
    from archive.features.tables import views as tables
    from archive.features.voices import desk
    from archive.features.voices import views as voices

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
