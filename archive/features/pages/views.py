"""Pages of text built from settings: the privacy policy (개인정보 처리방침)."""

from __future__ import annotations

from flask import Blueprint, render_template

from archive.web import get_runtime
from archive.web.labels import retention_text

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.get("/privacy")
def privacy() -> str:
    """Show what personal data each form collects, why, for how long, and whom to ask."""
    settings = get_runtime().settings
    return render_template(
        "pages/privacy.html",
        retention=retention_text(settings.personal_data_retention_days),
        officer=settings.privacy_officer,
        department=settings.privacy_department,
        email=settings.privacy_email,
        effective=settings.privacy_effective,
        mail_enabled=bool(settings.smtp_host),
    )
