"""Exhibitions for visitors: the list and each exhibition's page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from archive.features.exhibitions.public import all_views, one_view

bp = Blueprint("exhibitions", __name__, url_prefix="/exhibitions", template_folder="templates")


@bp.get("/")
def index() -> str:
    """List the published exhibitions, newest first."""
    return render_template("exhibitions/index.html", exhibitions=all_views())


@bp.get("/<slug>")
def show(slug: str) -> str:
    """Show one exhibition: its introduction, then its photos in order with their captions."""
    view = one_view(slug)
    if view is None:
        abort(404)
    return render_template("exhibitions/show.html", exhibition=view)
