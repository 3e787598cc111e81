"""Forms of the moderators' review screen: every field a moderator may correct comes from
the field registry; a decision carries its reason."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from archive.fields import EDITABLE, FIELDS, Field
from archive.records.public import KOGL
from archive.web.forms import too_long

RIGHTS_CHOICES = ["저작권 확인 중", *KOGL]


def _editable_field(spec: Field) -> Any:
    """Return the form field of a registry field a moderator may edit."""
    label = f"{spec.label_ko} (쉼표로 구분)" if spec.kind == "tags" else spec.label_ko
    kind = TextAreaField if spec.multiline else StringField
    return kind(label, [Optional(), Length(max=spec.max_length, message=too_long(spec))])


class ReviewFormBase(FlaskForm):
    """What every review form does; its fields come from the registry."""

    def changes(self) -> dict[str, Any]:
        """Return the submitted values by catalogue field name."""
        return {name: (getattr(self, name).data or "") for name in EDITABLE}


# Every descriptive field a moderator may correct, from the field registry.
ReviewForm: type[ReviewFormBase] = type(
    "ReviewForm",
    (ReviewFormBase,),
    {spec.name: _editable_field(spec) for spec in FIELDS if spec.editable},
)


class DecisionForm(FlaskForm):
    """A moderator's decision with its reason (needed to reject or withdraw)."""

    reason = TextAreaField("사유", [Optional(), Length(max=2000)])


class BulkForm(FlaskForm):
    """CSRF carrier of the bulk-publish form; the ids come as a list."""
