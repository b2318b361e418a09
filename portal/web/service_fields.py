"""Form fields for a service's own fields and materials, shared by the
application form and the answer to a correction notice. They only render
and carry what was typed: :mod:`portal.domain.answers` checks it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.domain.answers import text_limit
from portal.i18n import localized

ACCEPT = {"pdf": ".pdf,application/pdf", "jpeg": ".jpg,.jpeg,image/jpeg", "png": ".png,image/png"}


def material_field_name(code: str) -> str:
    return "material_" + code.replace("-", "_")


def service_field(spec: dict):
    """The input for one field of the service's schema, labelled and marked
    required or optional as the schema says."""
    label = localized(spec, "label") + ("" if spec["required"] else _(" (optional)"))
    render = {"required": True} if spec["required"] else {}
    if spec["type"] == "select":
        choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(c["value"], localized(c, "label")) for c in spec["choices"]]
        return SelectField(label, choices=choices, default="", validate_choice=False, render_kw=render)
    if spec["type"] == "textarea":
        return TextAreaField(label, render_kw={**render, "maxlength": text_limit(spec)})
    if spec["type"] == "date":
        return StringField(label, description=_("For example 2026-11-28."), render_kw=render)
    if spec["type"] == "number":
        return StringField(label, render_kw=render)
    return StringField(label, render_kw={**render, "maxlength": text_limit(spec)})


def accept_attribute(file_types: list[str]) -> str:
    return ",".join(ACCEPT[t] for t in file_types)


def material_description(material: dict) -> str:
    """Required or not, the notice's note, and the file types, in one hint."""
    need = _("Required") if material["required"] else _("If applicable")
    types = _("File types: %(types)s", types=", ".join(labels.FILE_TYPES[t] for t in material["file_types"]))
    note = localized(material, "notes")
    return " · ".join(part for part in (need, note, types) if part)


def material_field(material: dict, label: str | None = None) -> FileField:
    return FileField(
        label or localized(material, "name"),
        description=material_description(material),
        render_kw={"accept": accept_attribute(material["file_types"])},
    )
